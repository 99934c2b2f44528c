-- annovet compare's statistics: the bootstrap intervals and paired verdicts
-- against an independent Python implementation (same PRNG, same method), the
-- scores by object size worked by hand, and the options' checks.
local H = require "tests.support.helper"

-- Per item, vendor and class: {tp, fp, fn}. The same table is CASE in
-- tools/compare_boot_ref.py.
local CASE = {
  {A = {car = {2, 0, 0}, person = {1, 0, 0}}, B = {car = {1, 1, 1}, person = {1, 0, 0}}},
  {A = {car = {1, 0, 1}}, B = {car = {2, 0, 0}}},
  {A = {person = {0, 1, 1}}, B = {person = {1, 0, 0}}},
  {A = {car = {3, 0, 0}, person = {1, 1, 0}}, B = {car = {2, 0, 1}, person = {0, 0, 1}}},
  {A = {car = {0, 0, 2}}, B = {car = {1, 0, 1}}},
  {A = {car = {1, 0, 0}, person = {2, 0, 0}}, B = {car = {1, 1, 0}, person = {2, 0, 0}}},
}

-- From /usr/bin/python3 tools/compare_boot_ref.py --resamples 200 --seed 42 --level 0.95
-- (pure Python: xoshiro256**/splitmix64 ported, percentiles linear between
-- order statistics and checked against numpy.quantile; z from
-- statistics.NormalDist). false: no items_needed (the two F1 are equal).
local REF = {
  ["z"] = 1.9599639845400536,
  ["A.car.precision.estimate"] = 1.0,
  ["A.car.precision.low"] = 1.0,
  ["A.car.precision.high"] = 1.0,
  ["A.car.precision.se"] = 0.0,
  ["A.car.precision.undefined"] = 0,
  ["A.car.recall.estimate"] = 0.7,
  ["A.car.recall.low"] = 0.27215909090909096,
  ["A.car.recall.high"] = 1.0,
  ["A.car.recall.se"] = 0.18284467191209638,
  ["A.car.recall.undefined"] = 0,
  ["A.car.f1.estimate"] = 0.8235294117647058,
  ["A.car.f1.low"] = 0.42785714285714294,
  ["A.car.f1.high"] = 1.0,
  ["A.car.f1.se"] = 0.1440761650164347,
  ["A.car.f1.undefined"] = 0,
  ["A.person.precision.estimate"] = 0.6666666666666666,
  ["A.person.precision.low"] = 0.24750000000000022,
  ["A.person.precision.high"] = 1.0,
  ["A.person.precision.se"] = 0.19974954781837145,
  ["A.person.precision.undefined"] = 1,
  ["A.person.recall.estimate"] = 0.8,
  ["A.person.recall.low"] = 0.24750000000000022,
  ["A.person.recall.high"] = 1.0,
  ["A.person.recall.se"] = 0.2198076438252465,
  ["A.person.recall.undefined"] = 1,
  ["A.person.f1.estimate"] = 0.7272727272727273,
  ["A.person.f1.low"] = 0.24750000000000022,
  ["A.person.f1.high"] = 1.0,
  ["A.person.f1.se"] = 0.20152478044691768,
  ["A.person.f1.undefined"] = 1,
  ["A.micro.precision.estimate"] = 0.8461538461538461,
  ["A.micro.precision.low"] = 0.5,
  ["A.micro.precision.high"] = 1.0,
  ["A.micro.precision.se"] = 0.11780527263234439,
  ["A.micro.precision.undefined"] = 0,
  ["A.micro.recall.estimate"] = 0.7333333333333333,
  ["A.micro.recall.low"] = 0.2993181818181819,
  ["A.micro.recall.high"] = 1.0,
  ["A.micro.recall.se"] = 0.1706836912198787,
  ["A.micro.recall.undefined"] = 0,
  ["A.micro.f1.estimate"] = 0.7857142857142857,
  ["A.micro.f1.low"] = 0.375,
  ["A.micro.f1.high"] = 0.9444444444444444,
  ["A.micro.f1.se"] = 0.14010759065301553,
  ["A.micro.f1.undefined"] = 0,
  ["B.car.precision.estimate"] = 0.7777777777777778,
  ["B.car.precision.low"] = 0.5555555555555556,
  ["B.car.precision.high"] = 1.0,
  ["B.car.precision.se"] = 0.11878143239867743,
  ["B.car.precision.undefined"] = 0,
  ["B.car.recall.estimate"] = 0.7,
  ["B.car.recall.low"] = 0.5454545454545454,
  ["B.car.recall.high"] = 0.8888888888888888,
  ["B.car.recall.se"] = 0.09261933070696189,
  ["B.car.recall.undefined"] = 0,
  ["B.car.f1.estimate"] = 0.7368421052631579,
  ["B.car.f1.low"] = 0.5714285714285714,
  ["B.car.f1.high"] = 0.8802222222222222,
  ["B.car.f1.se"] = 0.08141295951084422,
  ["B.car.f1.undefined"] = 0,
  ["B.person.precision.estimate"] = 1.0,
  ["B.person.precision.low"] = 1.0,
  ["B.person.precision.high"] = 1.0,
  ["B.person.precision.se"] = 0.0,
  ["B.person.precision.undefined"] = 3,
  ["B.person.recall.estimate"] = 0.8,
  ["B.person.recall.low"] = 0.3333333333333333,
  ["B.person.recall.high"] = 1.0,
  ["B.person.recall.se"] = 0.20251429467601234,
  ["B.person.recall.undefined"] = 1,
  ["B.person.f1.estimate"] = 0.8888888888888888,
  ["B.person.f1.low"] = 0.5,
  ["B.person.f1.high"] = 1.0,
  ["B.person.f1.se"] = 0.15510819051658692,
  ["B.person.f1.undefined"] = 1,
  ["B.micro.precision.estimate"] = 0.8461538461538461,
  ["B.micro.precision.low"] = 0.7333333333333333,
  ["B.micro.precision.high"] = 1.0,
  ["B.micro.precision.se"] = 0.06918698602087298,
  ["B.micro.precision.undefined"] = 0,
  ["B.micro.recall.estimate"] = 0.7333333333333333,
  ["B.micro.recall.low"] = 0.5714285714285714,
  ["B.micro.recall.high"] = 0.9232142857142858,
  ["B.micro.recall.se"] = 0.09480899107399512,
  ["B.micro.recall.undefined"] = 0,
  ["B.micro.f1.estimate"] = 0.7857142857142857,
  ["B.micro.f1.low"] = 0.6923076923076923,
  ["B.micro.f1.high"] = 0.909280303030303,
  ["B.micro.f1.se"] = 0.05582607451883196,
  ["B.micro.f1.undefined"] = 0,
  ["A-B.car.estimate"] = 0.08668730650154799,
  ["A-B.car.low"] = -0.3342857142857142,
  ["A-B.car.high"] = 0.34777511961722496,
  ["A-B.car.se"] = 0.1780364957644329,
  ["A-B.car.undefined"] = 0,
  ["A-B.car.verdict"] = 0,
  ["A-B.car.items_needed"] = 98,
  ["A-B.person.estimate"] = -0.16161616161616155,
  ["A-B.person.low"] = -0.75,
  ["A-B.person.high"] = 0.14707070707070646,
  ["A-B.person.se"] = 0.2401771932204741,
  ["A-B.person.undefined"] = 1,
  ["A-B.person.verdict"] = 0,
  ["A-B.person.items_needed"] = 51,
  ["A-B.micro.estimate"] = 0.0,
  ["A-B.micro.low"] = -0.40316584967320257,
  ["A-B.micro.high"] = 0.20167582417582414,
  ["A-B.micro.se"] = 0.16676441088125848,
  ["A-B.micro.undefined"] = 0,
  ["A-B.micro.verdict"] = 0,
  ["A-B.micro.items_needed"] = false,
}

-- COCO files realising CASE: per item and class the gold boxes in a row (y by
-- class); a vendor's TP an exact copy of a gold box, its FP a box far below
-- every gold one, its FN a gold box it does not draw.
local function case_files(dir)
  local cats = {{id = 1, name = "car"}, {id = 2, name = "person"}}
  local images, gold, vend = {}, {}, {A = {}, B = {}}
  local id = 0
  local function box(list, i, c, x, y)
    id = id + 1
    list[#list + 1] = {id = id, image_id = i, category_id = c, bbox = {x, y, 10, 10}, area = 100, iscrowd = 0}
  end
  for i, item in ipairs(CASE) do
    images[i] = {id = i, file_name = string.format("i%d.jpg", i), width = 1000, height = 1000}
    for c, cls in ipairs {"car", "person"} do
      local a = item.A[cls]
      if a then
        for j = 1, a[1] + a[3] do box(gold, i, c, 20 * j, 100 * c) end
        for _, v in ipairs {"A", "B"} do
          local k = item[v][cls]
          for j = 1, k[1] do box(vend[v], i, c, 20 * j, 100 * c) end
          for j = 1, k[2] do box(vend[v], i, c, 20 * j, 500 + 100 * c) end
        end
      end
    end
  end
  local function write(name, anns)
    H.write(dir .. "/" .. name, H.json.encode({images = images, categories = cats, annotations = anns}))
  end
  write("gold.json", gold)
  write("A.json", vend.A)
  write("B.json", vend.B)
end

local function case_run(dir, flags)
  return H.run("compare --gold " .. H.q(dir .. "/gold.json") .. " --vendor A=" .. H.q(dir .. "/A.json") ..
    " --vendor B=" .. H.q(dir .. "/B.json") .. " " .. flags)
end

describe("compare --ci", function()
  after_each(H.cleanup)

  it("equals the independent bootstrap to the last bit, per vendor and per pair", function()
    local dir = H.tmpdir()
    case_files(dir)
    local out, err, code = case_run(dir, "--ci 200 --seed 42")
    assert.are.equal(0, code, err)
    local doc = H.decode(out)
    assert.are.same({method = "percentile", resamples = 200, seed = 42, level = 0.95, items = 6}, doc.bootstrap)
    local n = 0
    for _, v in ipairs {"A", "B"} do
      local iv = doc.vendors[v].intervals
      for _, cls in ipairs {"car", "person", "micro"} do
        local x = cls == "micro" and iv.micro or iv.per_class[cls]
        for _, score in ipairs {"precision", "recall", "f1"} do
          for _, key in ipairs {"estimate", "low", "high", "se", "undefined"} do
            local want = REF[table.concat({v, cls, score, key}, ".")]
            assert.are.equal(want, x[score][key], table.concat({v, cls, score, key}, "."))
            n = n + 1
          end
          -- the interval holds the estimate here (not a rule of percentile intervals,
          -- but true of every one in this case), and the point estimate is the score's
          assert.is_true(x[score].low <= x[score].estimate and x[score].estimate <= x[score].high)
        end
      end
      assert.are.equal(doc.vendors[v].micro.f1, iv.micro.f1.estimate)
    end
    assert.are.equal(90, n)
    assert.are.equal(1, #doc.pairs)
    local p = doc.pairs[1]
    assert.are.same({"A", "B", 6}, {p.a, p.b, p.items})
    for _, cls in ipairs {"car", "person", "micro"} do
      local x = cls == "micro" and p.f1_diff or p.per_class[cls]
      for _, key in ipairs {"estimate", "low", "high", "se", "undefined"} do
        assert.are.equal(REF["A-B." .. cls .. "." .. key], x[key], "A-B." .. cls .. "." .. key)
      end
      local need = cls == "micro" and p.items_needed or x.items_needed
      assert.are.equal(REF["A-B." .. cls .. ".items_needed"] or H.json.null, need, cls .. " items_needed")
      assert.are.equal(0, REF["A-B." .. cls .. ".verdict"])
      assert.are.equal("not distinguishable", cls == "micro" and p.verdict or x.verdict)
    end
    assert.are.equal(H.json.null, p.better)
    assert.truthy(p.note:find("the two F1 are equal", 1, true), p.note)
  end)

  it("gives the same intervals for the same seed and others for another", function()
    local dir = H.tmpdir()
    case_files(dir)
    local one = case_run(dir, "--ci 300 --seed 9 --threads 1")
    local two = case_run(dir, "--ci 300 --seed 9 --threads 2")
    assert.are.equal(one, two)
    local other = H.decode((case_run(dir, "--ci 300 --seed 10")))
    local a = H.decode(one)
    assert.are.equal(a.vendors.A.intervals.micro.f1.estimate, other.vendors.A.intervals.micro.f1.estimate)
    assert.are_not.equal(a.vendors.A.intervals.micro.f1.low, other.vendors.A.intervals.micro.f1.low)
    assert.are.equal(1, (H.decode((case_run(dir, "--ci 5"))).bootstrap.seed))   -- the default seed
  end)

  it("names the better vendor when the interval excludes 0, and how many items would settle the rest", function()
    local G = "tests/data/pilot40/"   -- the earlier 40-image synthetic example
    local out, err, code = H.run("compare --gold " .. G .. "gold.json --vendor acme=" .. G .. "acme.json" ..
      " --vendor budget=" .. G .. "budget.json --vendor rapid=" .. G .. "rapid.json --ci 400 --seed 3 --ci-level 0.9")
    assert.are.equal(0, code, err)
    local doc = H.decode(out)
    local p = doc.pairs[1]
    assert.are.equal(0.9, doc.bootstrap.level)
    assert.is_true(p.f1_diff.low > 0)
    assert.are.same({"acme better", "acme", H.json.null}, {p.verdict, p.better, p.items_needed})
    H.near(p.f1_diff.estimate, doc.vendors.acme.micro.f1 - doc.vendors.budget.micro.f1, 1e-15, "difference")
    -- per class: where undistinguished, items_needed = ceil(n (z se / |diff|)^2), z = 1.6448536269514722
    -- (statistics.NormalDist().inv_cdf(0.95))
    local checked = 0
    assert.are.same({"acme", "budget", "acme", "rapid", "budget", "rapid"},
      {doc.pairs[1].a, doc.pairs[1].b, doc.pairs[2].a, doc.pairs[2].b, doc.pairs[3].a, doc.pairs[3].b})
    for _, x in pairs(doc.pairs[3].per_class) do
      if x.verdict == "not distinguishable" and x.items_needed ~= H.json.null then
        local r = 1.6448536269514722 * x.se / math.abs(x.estimate)
        assert.are.equal(math.ceil(40 * r * r), x.items_needed)
        checked = checked + 1
      end
    end
    assert.is_true(checked > 0)
    local t = H.run("compare --gold " .. G .. "gold.json --vendor acme=" .. G .. "acme.json --vendor budget=" .. G ..
      "budget.json --ci 400 --format table")
    assert.truthy(t:find("acme - budget: +35.0 [", 1, true), t)
    assert.truthy(t:find("acme better: the 95% interval of the F1 difference excludes 0 at 40 gold items", 1, true), t)
  end)

  it("writes intervals.csv and pairs.csv with --out", function()
    local dir = H.tmpdir()
    case_files(dir)
    local _, err, code = case_run(dir, "--ci 200 --seed 42 --out " .. H.q(dir .. "/r"))
    assert.are.equal(0, code, err)
    local iv = H.slurp(dir .. "/r/intervals.csv")
    assert.truthy(iv:find("^vendor,row,class,score,estimate,low,high,se,undefined\n"), iv)
    assert.truthy(iv:find(string.format("\nA,micro,,f1,%s,%s,%s,", "0.7857142857142857", "0.375",
      "0.9444444444444444"), 1, true), iv)
    local pr = H.slurp(dir .. "/r/pairs.csv")
    assert.truthy(pr:find("\nA,B,class,car,0.08668730650154799,-0.3342857142857142,0.34777511961722496,", 1, true), pr)
    assert.truthy(pr:find(",not distinguishable,6,98\n", 1, true), pr)
    assert.is_nil(H.slurp(dir .. "/r/sizes.csv"))
  end)

  it("refuses what it cannot do, with one line and exit 2", function()
    local dir = H.tmpdir()
    case_files(dir)
    for flags, msg in pairs {
      ["--seed 3"] = "--seed goes with --ci N",
      ["--ci 0"] = "--ci: expected a whole number from 1 to 100000, got '0'",
      ["--ci 10 --seed -1"] = "--seed: expected a whole number from 0 to 4611686018427387903, got '-1'",
      ["--ci 10 --ci-level 1"] = "--ci-level: expected a number between 0 and 1, got '1'",
      ["--sizes 0,100,50"] = "--sizes: expected coco or areas increasing from 0 (e.g. 0,1024,9216), got '0,100,50'",
      ["--sizes big"] = "--sizes: expected coco or areas increasing from 0",
    } do
      local _, err, code = case_run(dir, flags)
      assert.are.equal(2, code, flags)
      assert.truthy(err:find(msg, 1, true), err)
      local lines = select(2, err:gsub("\n", ""))
      assert.are.equal(1, lines, err)
    end
  end)

  it("gives scripts annovet.compare_intervals and res:sizes", function()
    local dir = H.tmpdir()
    case_files(dir)
    local script = H.script([[
local annovet = require "annovet"
local g = assert(annovet.load(arg[1] .. "/gold.json"))
local a = assert(annovet.compare(g, assert(annovet.load(arg[1] .. "/A.json"))))
local b = assert(annovet.compare(g, assert(annovet.load(arg[1] .. "/B.json"))))
local boot = assert(annovet.compare_intervals({a, b}, {resamples = 200, seed = 42, names = {"A", "B"}}))
local sz = assert(a:sizes({0, 50}))
print(string.format("%.17g %.17g %s %d %s %d", a.intervals.micro.f1.low, boot.pairs[1].per_class.car.high,
  boot.pairs[1].verdict, boot.items, sz[2].name, sz[1].micro.tp))
]])
    local out, err, code = H.run("run " .. H.q(script) .. " " .. H.q(dir))
    assert.are.equal(0, code, err)
    local low, high, rest = out:match("^(%S+) (%S+) (.-)\n$")
    assert.are.equal(REF["A.micro.f1.low"], tonumber(low))
    assert.are.equal(REF["A-B.car.high"], tonumber(high))
    assert.are.equal("not distinguishable 6 50+ 0", rest)   -- every box is 100 px^2: none in [0, 50]
  end)
end)

-- Sizes worked by hand. Gold cars (box, area field): s 10x10 (100), edge 32x32
-- (1024, on the small/medium bound), m 40x40 (1600), area 35x35 with an area
-- field of 900 (COCO's area counts, not the box), l 100x100 (10000). The vendor
-- draws s, edge, area and l exactly, misses m, and adds a 50x50 box far away
-- whose area field says 10 (a vendor object counts by its shape: 2500).
-- COCO ranges, closed: small [0, 1024]: TP s, edge, area = 3; medium
-- [1024, 9216]: TP edge, FN m, FP the extra = 1/1/1; large: TP l.
-- --sizes 0,2000: [0, 2000]: TP 3, FN m: R 3/4, F1 6/7; [2000, inf): TP l, FP
-- the extra: P 1/2, F1 2/3.
describe("compare --sizes", function()
  after_each(H.cleanup)

  local function files(dir)
    local g = {{0, 0, 10, 10, 100}, {100, 0, 32, 32, 1024}, {200, 0, 40, 40, 1600}, {300, 0, 35, 35, 900},
      {400, 0, 100, 100, 10000}}
    local gold, vend = {}, {}
    for i, b in ipairs(g) do
      gold[i] = {id = i, image_id = 1, category_id = 1, bbox = {b[1], b[2], b[3], b[4]}, area = b[5], iscrowd = 0}
      if i ~= 3 then vend[#vend + 1] = {id = 10 + i, image_id = 1, category_id = 1, bbox = gold[i].bbox, area = b[5], iscrowd = 0} end
    end
    vend[#vend + 1] = {id = 99, image_id = 1, category_id = 1, bbox = {0, 500, 50, 50}, area = 10, iscrowd = 0}
    local meta = {images = {{id = 1, file_name = "a.jpg", width = 1000, height = 1000}}, categories = {{id = 1, name = "car"}}}
    meta.annotations = gold
    H.write(dir .. "/g.json", H.json.encode(meta))
    meta.annotations = vend
    H.write(dir .. "/v.json", H.json.encode(meta))
  end

  it("counts by COCO's closed area ranges, or the buyer's bounds", function()
    local dir = H.tmpdir()
    files(dir)
    local base = "compare --gold " .. H.q(dir .. "/g.json") .. " --vendor v=" .. H.q(dir .. "/v.json") .. " --iou-type bbox"
    local out, err, code = H.run(base .. " --sizes coco")
    assert.are.equal(0, code, err)
    local sz = H.decode(out).vendors.v.sizes
    local got = {}
    for i, rg in ipairs(sz) do
      got[i] = {rg.name, rg.low, rg.high, rg.micro.tp, rg.micro.fp, rg.micro.fn, rg.per_class.car.tp}
    end
    assert.are.same({{"small", 0, 1024, 3, 0, 0, 3}, {"medium", 1024, 9216, 1, 1, 1, 1},
      {"large", 9216, H.json.null, 1, 0, 0, 1}}, got)
    H.near(sz[2].micro.f1, 0.5, 1e-15, "medium F1")
    out, err, code = H.run(base .. " --sizes 0,2000 --out " .. H.q(dir .. "/r"))
    assert.are.equal(0, code, err)
    sz = H.decode(H.slurp(dir .. "/r/compare.json")).vendors.v.sizes
    assert.are.same({"0-2000", "2000+"}, {sz[1].name, sz[2].name})
    H.near(sz[1].micro.recall, 3 / 4, 1e-15, "R small")
    H.near(sz[1].micro.f1, 6 / 7, 1e-15, "F1 small")
    H.near(sz[2].micro.precision, 1 / 2, 1e-15, "P large")
    H.near(sz[2].micro.f1, 2 / 3, 1e-15, "F1 large")
    local csv = H.slurp(dir .. "/r/sizes.csv")
    assert.truthy(csv:find("^vendor,size,low,high,row,class,tp,fp,fn,precision,recall,f1\n"), csv)
    assert.truthy(csv:find("\nv,0-2000,0,2000,class,car,3,0,1,1,0.75,", 1, true), csv)
    assert.truthy(csv:find("\nv,2000+,2000,,micro,,1,1,0,0.5,1,", 1, true), csv)
  end)
end)
