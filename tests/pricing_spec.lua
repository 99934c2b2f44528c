-- annovet cost / invoice and the pricing API: exact money, rounding rules, tiers,
-- blended against itemised, counting rules, timesheets, break-even, invoices, and
-- every bad-input case. Expected amounts are worked by hand in the comments (and
-- checked with Python's decimal module where a float would differ: see each case).
local H = require "tests.support.helper"

local sql, sha256sum = H.sql, H.sha256sum

-- A COCO file: images 1..nimg (640x480), annotations given as
-- {img, cat, bbox = {x, y, w, h}, poly = {...}, crowd = 1}.
local function coco(dir, name, nimg, anns)
  local images, out = {}, {}
  for i = 1, nimg do images[i] = {id = i, file_name = "f" .. i .. ".jpg", width = 640, height = 480} end
  for i, a in ipairs(anns) do
    local bbox = a.bbox or {10, 10, 20, 20}
    out[i] = {id = i, image_id = a.img, category_id = a.cat or 1, bbox = bbox, area = bbox[3] * bbox[4],
      iscrowd = a.crowd or 0, segmentation = a.poly and {a.poly} or nil}
  end
  local doc = {images = images, annotations = out,
    categories = {{id = 1, name = "car"}, {id = 2, name = "person"}}}
  return H.write(dir .. "/" .. name, H.json.encode(doc))
end

-- n boxes spread over nimg images, none overlapping (so none is a duplicate).
local function boxes(nimg, n)
  local anns = {}
  for k = 0, n - 1 do
    local img = k % nimg + 1
    local slot = k // nimg
    anns[#anns + 1] = {img = img, bbox = {(slot % 20) * 30, (slot // 20) * 30, 20, 20}}
  end
  return anns
end

local function cost(args)
  local out, err, code = H.run("cost " .. args)
  return code == 0 and H.decode(out) or out, err, code
end

local function lua(text)
  local path = H.script(text)
  local out, err, code = H.run("run " .. H.q(path))
  return out, err, code
end

describe("annovet cost", function()
  after_each(H.cleanup)

  it("prices 1234 boxes at 0.035 as exactly 43.19 (a float gives 43.190000000000005)", function()
    -- Python: 1234 * 0.035 == 43.190000000000005; Decimal("1234") * Decimal("0.035") == Decimal("43.190").
    -- 100 images x 0.1064 = 10.64; total 43.19 + 10.64 = 53.83 (the issue's example).
    local d = H.tmpdir()
    local card = H.write(d .. "/card.csv", "# rounding: half-up\ntask,unit,price,currency\n" ..
      "box,annotation,0.035,USD\nimage,image,0.1064,USD\n")
    local del = coco(d, "d.json", 100, boxes(100, 1234))
    local j, err, code = cost("--rates " .. H.q(card) .. " " .. H.q(del))
    assert.are.equal(0, code, err)
    assert.are.equal("USD", j.currency)
    assert.are.same({minor = 5383, text = "53.83"}, j.total)
    assert.are.equal("box", j.lines[1].task)
    assert.are.equal(1234, j.lines[1].quantity)
    assert.are.equal("0.035", j.lines[1].price)
    assert.are.same({minor = 4319, text = "43.19"}, j.lines[1].amount)
    assert.are.same({minor = 1064, text = "10.64"}, j.lines[2].amount)
    assert.are.equal(100, j.lines[2].quantity)
  end)

  it("rounds each line once, half-up or half-even as the card states", function()
    -- 5 x 0.025 = 0.125: half-up 0.13, half-even 0.12; 7 x 0.025 = 0.175: 0.18 both;
    -- 1 x 0.005 = 0.005: half-up 0.01, half-even 0.00; JPY has no minor unit:
    -- 5 x 12.5 = 62.5: half-up 63, half-even 62; 3 x 12.5 = 37.5: 38 both.
    local out, err, code = lua([[
      local m = annovet.money
      local r = {}
      for _, mode in ipairs {"half-up", "half-even"} do
        r[#r + 1] = m.amount(5, "0.025", "USD", mode):text()
        r[#r + 1] = m.amount(7, "0.025", "USD", mode):text()
        r[#r + 1] = m.amount(1, "0.005", "USD", mode):text()
        r[#r + 1] = m.amount(5, "12.5", "JPY", mode):text()
        r[#r + 1] = m.amount(3, "12.5", "JPY", mode):text()
      end
      print(table.concat(r, " "))
    ]])
    assert.are.equal(0, code, err)
    assert.are.equal("0.13 0.18 0.01 63 38 0.12 0.18 0.00 62 38\n", out)
  end)

  it("keeps money exact in scripts: sums, integer products, no floats", function()
    -- 0.1 + 0.2 as money is 0.30 exactly (as floats 0.30000000000000004);
    -- 3 x 33.33 = 99.99; a float factor is refused; currencies do not mix.
    local out, err, code = lua([[
      local m = annovet.money
      local a = m.new("0.10", "USD") + m.new("0.20", "USD")
      print(a:text(), a == m.minor(30, "USD"), (m.new("33.33", "USD") * 3):text())
      print(pcall(function() return m.new("1.00", "USD") * 0.5 end))
      print(pcall(function() return m.new("1.00", "USD") + m.new("1.00", "EUR") end))
      print(pcall(function() return m.new("0.035", "USD") end))
      print(m.new("1.00", "USD"):per(3))
    ]])
    assert.are.equal(0, code, err)
    local lines = {}
    for l in out:gmatch("[^\n]+") do lines[#lines + 1] = l end
    assert.are.equal("0.30\ttrue\t99.99", lines[1])
    assert.truthy(lines[2]:find("^false.*times"))
    assert.truthy(lines[3]:find("^false.*USD and EUR do not mix"))
    assert.truthy(lines[4]:find("^false.*more decimals"))
    assert.are.equal("0.333333", lines[5])   -- 1.00 / 3 to 4 extra decimals, half-up
  end)

  it("prices graduated volume tiers", function()
    -- 1234 boxes: units 1-1000 at 0.05 = 50.00, units 1001-1234 (234) at 0.04 = 9.36; total 59.36.
    local d = H.tmpdir()
    local card = H.write(d .. "/card.csv", "task,unit,price,currency,tier_from,tier_to\n" ..
      "box,annotation,0.05,USD,1,1000\nbox,annotation,0.04,USD,1001,\n")
    local del = coco(d, "d.json", 100, boxes(100, 1234))
    local j, err, code = cost("--rates " .. H.q(card) .. " " .. H.q(del))
    assert.are.equal(0, code, err)
    assert.are.equal(1000, j.lines[1].quantity)
    assert.are.equal("1-1000", j.lines[1].tier)
    assert.are.equal(5000, j.lines[1].amount.minor)
    assert.are.equal(234, j.lines[2].quantity)
    assert.are.equal("1001+", j.lines[2].tier)
    assert.are.equal(936, j.lines[2].amount.minor)
    assert.are.equal(5936, j.total.minor)
  end)

  it("compares a blended offer with the itemised cost of the task mix", function()
    -- 100 boxes at 0.04 = 4.00, 50 polygons at 0.30 = 15.00: itemised 19.00.
    -- Blended 0.10 x 150 = 15.00: boxes pay 10.00 (6.00 more: they subsidise),
    -- polygons 5.00 (10.00 less: subsidised); the blend is cheaper by 4.00.
    local out, err, code = lua([[
      local card = assert(annovet.pricing.card {currency = "USD", lines = {
        {task = "box", unit = "annotation", price = "0.04"},
        {task = "polygon", unit = "annotation", price = "0.30"},
        {task = "blended", unit = "annotation", price = "0.10"}}})
      local r = assert(card:cost {box = 100, polygon = 50})
      local b = r.blended
      print(r.total:text(), b.total:text(), b.itemised_total:text(), b.difference:text(), b.cheaper)
      for _, t in ipairs(b.tasks) do print(t.task, t.itemised:text(), t.blended:text(), t.difference:text(), t.role) end
    ]])
    assert.are.equal(0, code, err)
    assert.are.equal("19.00\t15.00\t19.00\t-4.00\tblended\n" ..
      "box\t4.00\t10.00\t6.00\tsubsidises\n" ..
      "polygon\t15.00\t5.00\t-10.00\tsubsidised\n", out)
  end)

  it("reads the same card from Lua and from CSV to the same total", function()
    local d = H.tmpdir()
    H.write(d .. "/card.csv", "# rounding: half-even\n# vendor: v\ntask,unit,price,currency\n" ..
      "box,annotation,0.035,USD\nimage,image,0.1064,USD\n")
    H.write(d .. "/card.lua", [[return {vendor = "v", rounding = "half-even", currency = "USD", lines = {
      {task = "box", unit = "annotation", price = "0.035"}, {task = "image", unit = "image", price = "0.1064"}}}]])
    local del = coco(d, "d.json", 100, boxes(100, 1234))
    local a = cost("--rates " .. H.q(d .. "/card.csv") .. " " .. H.q(del))
    local b, err, code = cost("--rates " .. H.q(d .. "/card.lua") .. " " .. H.q(del))
    assert.are.equal(0, code, err)
    assert.are.same(a.total, b.total)
    assert.are.same({minor = 5383, text = "53.83"}, b.total)
  end)

  it("counts crowd regions, duplicates and empty images as the card says, and says how", function()
    -- 3 images: image 1 a box and its near copy (IoU 0.9 or more) and a crowd box,
    -- image 2 one box, image 3 empty. Default rules (crowd bill, duplicates skip,
    -- empty_images bill): 3 boxes, 3 images; all skipped: 2 boxes, 2 images.
    local d = H.tmpdir()
    local del = coco(d, "d.json", 3, {
      {img = 1, bbox = {10, 10, 100, 100}}, {img = 1, bbox = {11, 11, 100, 100}},
      {img = 1, bbox = {300, 200, 50, 50}, crowd = 1}, {img = 2, bbox = {10, 10, 40, 40}}})
    local lines = "task,unit,price,currency\nbox,annotation,1.00,USD\nimage,image,0.10,USD\n"
    local c1 = H.write(d .. "/c1.csv", lines)
    local c2 = H.write(d .. "/c2.csv", "# crowd: skip\n# duplicates: skip\n# empty_images: skip\n" .. lines)
    local c3 = H.write(d .. "/c3.csv", "# duplicates: bill\n" .. lines)
    local j1, err = cost("--rates " .. H.q(c1) .. " " .. H.q(del))
    assert.are.equal("table", type(j1), err)
    assert.are.equal(3, j1.lines[1].quantity)
    assert.are.equal(3, j1.lines[2].quantity)
    assert.are.same({rule = "skip", found = 1}, {rule = j1.counting.duplicates.rule, found = j1.counting.duplicates.found})
    assert.are.same({rule = "bill", found = 1}, {rule = j1.counting.crowd.rule, found = j1.counting.crowd.found})
    assert.are.equal(1, j1.counting.empty_images.found)
    local j2 = cost("--rates " .. H.q(c2) .. " " .. H.q(del))
    assert.are.equal(2, j2.lines[1].quantity)
    assert.are.equal(2, j2.lines[2].quantity)
    local j3 = cost("--rates " .. H.q(c3) .. " " .. H.q(del))
    assert.are.equal(4, j3.lines[1].quantity)
  end)

  it("prices polygons per vertex and by vertex range", function()
    -- two polygons: 4 points and 14 points. Card: up to 12 points 0.20, 13+ 0.50,
    -- plus 0.01 per vertex: 0.20 + 0.50 + 18 x 0.01 = 0.88.
    local d = H.tmpdir()
    local sq = {0, 0, 10, 0, 10, 10, 0, 10}
    local big = {}
    for k = 0, 13 do big[#big + 1] = 100 + 50 * math.cos(k / 14 * 2 * math.pi) big[#big + 1] = 100 + 50 * math.sin(k / 14 * 2 * math.pi) end
    local del = coco(d, "d.json", 1, {{img = 1, bbox = {0, 0, 10, 10}, poly = sq}, {img = 1, bbox = {50, 50, 100, 100}, poly = big}})
    local card = H.write(d .. "/c.csv", "task,unit,price,currency,min_vertices,max_vertices\n" ..
      "polygon,annotation,0.20,USD,3,12\npolygon,annotation,0.50,USD,13,\npolygon,vertex,0.01,USD,,\n")
    local j, err, code = cost("--rates " .. H.q(card) .. " " .. H.q(del))
    assert.are.equal(0, code, err)
    assert.are.equal(88, j.total.minor)
    assert.are.equal(18, j.lines[3].quantity)
  end)

  it("flags a rate below the floor, with the floor shown", function()
    local d = H.tmpdir()
    local card = H.write(d .. "/c.csv", "# rounding: half-up\ntask,unit,price,currency\nbox,annotation,0.015,USD\n")
    local del = coco(d, "d.json", 1, boxes(1, 2))
    local j, err, code = cost("--rates " .. H.q(card) .. " " .. H.q(del))
    assert.are.equal(0, code, err)
    assert.truthy(err:find("below the floor 0.02", 1, true), err)
    assert.are.equal("0.02", j.below_floor[1].floor)
    local floor = H.write(d .. "/f.csv", "task,unit,price,currency\nbox,annotation,0.01,USD\n")
    local j2, err2 = cost("--rates " .. H.q(card) .. " --floor " .. H.q(floor) .. " " .. H.q(del))
    assert.are.equal(0, #j2.below_floor, err2)
  end)

  it("prices timesheets by role: exact hours times the hour rate", function()
    -- annotator 7.5 + 0.25 = 7.75 h x 24.00 = 186.00; reviewer 1.5 h x 40.00 = 60.00; total 246.00.
    local d = H.tmpdir()
    local card = H.write(d .. "/c.csv", "task,unit,price,currency,role\nhour,hour,24.00,USD,annotator\n" ..
      "hour,hour,40.00,USD,reviewer\n")
    local ts = H.write(d .. "/h.csv", "annotator,date,hours,task,batch,role\na1,2026-11-02,7.5,box,b1,annotator\n" ..
      "a2,2026-11-03,0.25,box,b1,annotator\nr1,2026-11-03,1.5,review,b1,reviewer\n")
    local j, err, code = cost("--rates " .. H.q(card) .. " --timesheets " .. H.q(ts) .. " --period 2026-11")
    assert.are.equal(0, code, err)
    assert.are.same({minor = 24600, text = "246.00"}, j.total)
    assert.are.equal("7.75", j.lines[1].quantity)
    assert.are.equal(18600, j.lines[1].amount.minor)
    assert.are.equal("9.25", j.hours)
  end)

  it("finds the break-even volume between per-asset and per-hour pricing", function()
    -- 10 images, 100 boxes. Per asset: 100 x 0.05 = 5.00, 0.50 an image.
    -- Per hour: 100 boxes x 6 s = 600 s x (1 + 0.2) / (3600 x 0.8) = 0.25 h x 10.00 = 2.50,
    -- 0.25 an image, rejection 0. Monthly: 0.50 V against max(10 h x 10.00 = 100.00, 0.25 V):
    -- equal at V = 200, per hour strictly cheaper from V = 201.
    local d = H.tmpdir()
    local card = H.write(d .. "/c.csv", "# minimum_hours: 10\ntask,unit,price,currency\n" ..
      "box,annotation,0.05,USD\nhour,hour,10.00,USD\n")
    local del = coco(d, "d.json", 10, boxes(10, 100))
    local svg = d .. "/plot.svg"
    local j, err, code = cost("--rates " .. H.q(card) .. " --compare --sec-box 6 --rejection 0 --svg " .. H.q(svg) ..
      " " .. H.q(del))
    assert.are.equal(0, code, err)
    assert.are.equal("0.25", j.hours.value)
    assert.are.equal(500, j.per_asset.total.minor)
    assert.are.equal(250, j.per_hour.total.minor)
    assert.are.equal(201, j.break_even.images)
    assert.are.equal("per_asset", j.break_even.cheaper_below)
    assert.are.equal("per_hour", j.break_even.cheaper_from)
    assert.truthy(H.slurp(svg):find("<svg", 1, true))
    assert.truthy(H.slurp(svg):find("break-even 201 images", 1, true))
  end)

  it("prices the rework: per hour pays 1 / (1 - rejection) per accepted asset", function()
    -- as above with rejection 0.2: 2.50 / 0.8 = 3.125 -> 3.13 (half-up), 0.313 an accepted image.
    local d = H.tmpdir()
    local card = H.write(d .. "/c.csv", "task,unit,price,currency\nbox,annotation,0.05,USD\nhour,hour,10.00,USD\n")
    local del = coco(d, "d.json", 10, boxes(10, 100))
    local j, err = cost("--rates " .. H.q(card) .. " --compare --sec-box 6 --rejection 0.2 " .. H.q(del))
    assert.are.equal("table", type(j), err)
    assert.are.equal(313, j.per_hour.total_with_rework.minor)
    assert.are.equal("0.313000", j.per_hour.per_accepted_asset)
    assert.are.equal("0.500000", j.per_asset.per_accepted_asset)
  end)

  it("prints csv and table too", function()
    local d = H.tmpdir()
    local card = H.write(d .. "/c.csv", "task,unit,price,currency\nbox,annotation,0.05,USD\n")
    local del = coco(d, "d.json", 1, boxes(1, 3))
    local out, err, code = H.run("cost --format csv --rates " .. H.q(card) .. " " .. H.q(del))
    assert.are.equal(0, code, err)
    assert.truthy(out:find("^task,unit,quantity,price,amount"))
    assert.truthy(out:find("box,annotation,3,0.05,0.15", 1, true))
    out = H.run("cost --format table --rates " .. H.q(card) .. " " .. H.q(del))
    assert.truthy(out:find("total%s+0.15 USD"))
  end)

  describe("refuses bad input with file:line:column, exit 2", function()
    local cases = {
      {"an unknown task", "task,unit,price,currency\nbox,annotation,0.05,USD\nlidar,annotation,1,USD\n",
        ":3:1: unknown task 'lidar'"},
      {"an unknown unit", "task,unit,price,currency\nbox,minute,0.05,USD\n", ":2:5: unknown unit 'minute'"},
      {"a unit the task does not take", "task,unit,price,currency\nbox,vertex,0.05,USD\n", ":2:5: task 'box' is not priced per vertex"},
      {"a negative price", "task,unit,price,currency\nbox,annotation,-0.05,USD\n", ":2:16: price -0.05 is negative"},
      {"a price that is not a number", "task,unit,price,currency\nbox,annotation,5c,USD\n", ":2:16: price '5c'"},
      {"overlapping tiers", "task,unit,price,currency,tier_from,tier_to\nbox,annotation,0.05,USD,1,1000\n" ..
        "box,annotation,0.04,USD,900,\n", ":3: tiers overlap with "},
      {"two currencies", "task,unit,price,currency\nbox,annotation,0.05,USD\nimage,image,0.05,EUR\n",
        ":3:18: currency EUR, but the card is in USD (" .. "%CARD%:2:21)"},
      {"an unknown currency", "task,unit,price,currency\nbox,annotation,0.05,XYZ\n", ":2:21: unknown currency 'XYZ'"},
      {"more precision than the currency without a rounding rule", "task,unit,price,currency\nbox,annotation,0.035,USD\n",
        ":2:16: price 0.035 has more decimals than USD's 2"},
      {"a yen price with decimals", "task,unit,price,currency\nbox,annotation,1.5,JPY\n", ":2:16: price 1.5 has more decimals than JPY's 0"},
      {"a missing column", "task,unit,price\nbox,annotation,0.05\n", ":1:1: the header has no 'currency' column"},
      {"an unknown column", "task,unit,price,currency,colour\nbox,annotation,0.05,USD,red\n", ":1:26: unknown column 'colour'"},
      {"a misspelt card field", "# minimun: 500\ntask,unit,price,currency\nbox,annotation,0.05,USD\n",
        ":1:1: unknown card field 'minimun'"},
      {"an unclosed quote", "task,unit,price,currency\n\"box,annotation,0.05,USD\n", ":2:1: malformed CSV"},
    }
    for _, c in ipairs(cases) do
      it(c[1], function()
        local d = H.tmpdir()
        local card = H.write(d .. "/card.csv", c[2])
        local del = coco(d, "d.json", 1, boxes(1, 2))
        local out, err, code = H.run("cost --rates " .. H.q(card) .. " " .. H.q(del))
        assert.are.equal(2, code, err)
        assert.are.equal("", out)
        assert.truthy(err:find(card .. c[3]:gsub("%%CARD%%", card), 1, true), err)
        local _, n = err:gsub("\n", "")
        assert.are.equal(1, n, err)
      end)
    end

    local ts_cases = {
      {"negative hours", "a1,2026-11-02,-1,box,b1,annotator", ":2:15: hours -1 is negative"},
      {"non-numeric hours", "a1,2026-11-02,eight,box,b1,annotator", ":2:15: hours 'eight' is not a number"},
      {"a date outside the period", "a1,2026-12-01,8,box,b1,annotator", ":2:4: date 2026-12-01 is outside the period"},
      {"a date that does not exist", "a1,2026-11-31,8,box,b1,annotator", ":2:4: date '2026-11-31'"},
      {"an unknown role", "a1,2026-11-02,8,box,b1,pilot", ":2:24: unknown role 'pilot'"},
    }
    for _, c in ipairs(ts_cases) do
      it("a timesheet with " .. c[1], function()
        local d = H.tmpdir()
        local card = H.write(d .. "/card.csv", "task,unit,price,currency,role\nhour,hour,10.00,USD,annotator\n")
        local ts = H.write(d .. "/h.csv", "annotator,date,hours,task,batch,role\n" .. c[2] .. "\n")
        local out, err, code = H.run("cost --rates " .. H.q(card) .. " --timesheets " .. H.q(ts) .. " --period 2026-11")
        assert.are.equal(2, code, err)
        assert.are.equal("", out)
        assert.truthy(err:find(ts .. c[3], 1, true), err)
      end)
    end
  end)

  it("has --help", function()
    for _, cmd in ipairs {"cost", "invoice"} do
      local out, _, code = H.run(cmd .. " --help")
      assert.are.equal(0, code)
      assert.truthy(out:find("^usage: annovet " .. cmd))
    end
  end)
end)

describe("annovet invoice", function()
  after_each(H.cleanup)

  it("bills each batch of the period, a rejected batch nothing and its rework in full", function()
    -- b1 (3 boxes) rejected: 0.00; b2 (its rework, 3 boxes): 3 x 0.50 + 1 image x 0.10 = 1.60;
    -- b3 received in December: not in November's invoice. Minimum 1.00 < 1.60: no top-up.
    local d = H.tmpdir()
    local db = d .. "/s.db"
    local del = coco(d, "d1.json", 1, boxes(1, 3))
    local del2 = coco(d, "d2.json", 1, {{img = 1, bbox = {0, 0, 5, 5}}, {img = 1, bbox = {100, 0, 5, 5}},
      {img = 1, bbox = {200, 0, 5, 5}}})
    local card = H.write(d .. "/c.csv", "# minimum: 1.00\ntask,unit,price,currency\nbox,annotation,0.50,USD\n" ..
      "image,image,0.10,USD\n")
    for _, b in ipairs {{"b1", del}, {"b2", del2}, {"b3", del}} do
      local _, err, code = H.run("ingest --store " .. H.q(db) .. " --vendor acme --batch " .. b[1] .. " " .. H.q(b[2]))
      assert.are.equal(0, code, err)
    end
    sql(db, "UPDATE deliveries SET received_at = '2026-11-03T09:00:00Z' WHERE batch_id IN (1, 2);" ..
      "UPDATE deliveries SET received_at = '2026-12-01T09:00:00Z' WHERE batch_id = 3;" ..
      "INSERT INTO decisions(batch_id, kind, outcome, payload, hash) VALUES (1, 'acceptance', 'accepted', '{}', 'x1');" ..
      "INSERT INTO decisions(batch_id, kind, outcome, payload, hash) VALUES (1, 'acceptance', 'rejected', '{}', 'x2');")
    local out, err, code = H.run("invoice --store " .. H.q(db) .. " --vendor acme --period 2026-11 --rates " .. H.q(card))
    assert.are.equal(0, code, err)
    local j = H.decode(out)
    assert.are.equal(2, #j.batches)
    assert.are.equal("b1", j.batches[1].batch)
    assert.are.equal("rejected", j.batches[1].status)
    assert.are.equal(0, j.batches[1].amount.minor)
    assert.are.equal("x2", j.batches[1].acceptance.hash)
    assert.are.equal("owed", j.batches[2].status)
    assert.are.same({minor = 160, text = "1.60"}, j.batches[2].amount)
    assert.are.equal(sha256sum(del2), j.batches[2].deliveries[1].sha256)
    assert.are.equal(sha256sum(card), j.card.sha256)
    assert.are.same({minor = 160, text = "1.60"}, j.total)
    -- the monthly minimum tops up a smaller month: December's 1.60 stays, a 5.00 minimum adds 3.40
    local card5 = H.write(d .. "/c5.csv", "# minimum: 5.00\ntask,unit,price,currency\nbox,annotation,0.50,USD\n" ..
      "image,image,0.10,USD\n")
    local j2 = H.decode((H.run("invoice --store " .. H.q(db) .. " --vendor acme --period 2026-12 --rates " .. H.q(card5))))
    assert.are.equal(340, j2.minimum_topup.amount.minor)
    assert.are.equal(500, j2.total.minor)
  end)

  it("bills a folder delivery (YOLO) as the same work in one file, read back from the store", function()
    local d = H.tmpdir()
    local db = d .. "/s.db"
    local acme = "tests/data/pilot40/acme.json"
    local card = H.write(d .. "/c.csv", "task,unit,price,currency\npolygon,annotation,0.50,USD\nimage,image,0.10,USD\n")
    for _, b in ipairs {{"file", acme}, {"yolo", d .. "/yolo/"}} do
      if b[1] ~= "file" then
        local _, err, code = H.run("convert " .. acme .. " " .. H.q(b[2]) .. " --to " .. b[1])
        assert.are.equal(0, code, err)
      end
      local _, err, code = H.run("ingest --store " .. H.q(db) .. " --vendor acme --batch " .. b[1] ..
        " --received-at 2026-11-03 " .. H.q(b[2]))
      assert.are.equal(0, code, err)
    end
    -- the folders are gone: the invoice reads what the store holds
    os.execute("rm -rf " .. H.q(d .. "/yolo"))
    local out, err, code = H.run("invoice --store " .. H.q(db) .. " --vendor acme --period 2026-11 --rates " .. H.q(card))
    assert.are.equal(0, code, err)
    local j = H.decode(out)
    assert.are.equal(2, #j.batches)
    -- 234 polygons x 0.50 + 40 images x 0.10
    for _, b in ipairs(j.batches) do assert.are.same({minor = 12100, text = "121.00"}, b.amount, b.batch) end
    -- a manifest edited to name a file outside its folder is refused, and nothing is written there
    sql(db, "UPDATE blobs SET data = CAST(replace(CAST(data AS TEXT), '  labels/frame_0001.txt', " ..
      "'  ../../../escaped1.txt') AS BLOB) WHERE sha256 = (SELECT sha256 FROM deliveries WHERE format = 'yolo')")
    out, err, code = H.run("invoice --store " .. H.q(db) .. " --vendor acme --period 2026-11 --rates " .. H.q(card))
    assert.are.equal(2, code, err)
    assert.truthy(err:find("its manifest names '../../../escaped1.txt', outside the folder", 1, true), err)
  end)

  it("refuses a bad period and an unknown vendor", function()
    local d = H.tmpdir()
    local card = H.write(d .. "/c.csv", "task,unit,price,currency\nbox,annotation,0.50,USD\n")
    local _, err, code = H.run("invoice --store " .. H.q(d .. "/none.db") .. " --vendor x --period 2026-13 --rates " .. H.q(card))
    assert.are.equal(2, code)
    assert.truthy(err:find("2026-13", 1, true), err)
    local db = d .. "/s.db"
    H.run("store init --store " .. H.q(db))
    _, err, code = H.run("invoice --store " .. H.q(db) .. " --vendor nobody --period 2026-11 --rates " .. H.q(card))
    assert.are.equal(2, code)
    assert.truthy(err:find("no vendor 'nobody'", 1, true), err)
  end)
end)
