-- annovet compare --iou-type semantic: label images (or any masks) counted pixel
-- by pixel per class, pooled over items: a case worked by hand, crowd regions
-- and overlapping masks worked by hand, and a generated set against a numpy
-- reference. The PNGs are written by tests/support/fmt.lua and tools/gen_semantic.lua.
local H = require "tests.support.helper"
local F = require "tests.support.fmt"

-- tools/semantic_ref.py (PIL + numpy, mmseg's intersect-and-union summed over
-- images) on the folders of
--   lua5.4 tools/gen_semantic.lua --out DIR --seed 3
--   /usr/bin/python3 tools/semantic_ref.py DIR/gold DIR/vendor [--count-missing]
-- ("delivered": the vendor's images only; "count_missing": the image it lacks as
-- labelled nothing). img006.png, delivered 2 px wider, is left out by both.
local REF = H.data("compare_semantic/ref.lua")

-- A label image from rows of one character per pixel (". c d b": none, cat, dog, bird).
local VALUE = {["."] = 0, c = 1, d = 2, b = 3}
local function rows_of(lines)
  local rows = {}
  for y, line in ipairs(lines) do
    rows[y] = {}
    for x = 1, #line do rows[y][x] = VALUE[line:sub(x, x)] end
  end
  return rows
end

local function folder(images)
  local dir = H.tmpdir()
  assert(os.execute("mkdir -p " .. H.q(dir .. "/masks")))
  H.write(dir .. "/classes.txt", "background\ncat\ndog\nbird\n")
  for name, lines in pairs(images) do F.png(dir .. "/masks/" .. name, {rows = rows_of(lines)}) end
  return dir
end

local function compare(gold, vendor, flags)
  local out, err, code = H.run("compare --gold " .. H.q(gold) .. " --vendor v=" .. H.q(vendor) .. " --full " .. (flags or ""))
  assert.are.equal(0, code, err)
  local doc = H.decode(out)
  return doc.vendors.v, doc, err
end

describe("compare, semantic", function()
  after_each(H.cleanup)

  -- 10 x 8 pixels. Gold: cat 8 px (rows 1-2, columns 1-4), dog 6 (rows 5-6,
  -- columns 1-3), bird 3 (row 8, columns 8-10). Vendor: cat 8 (rows 1-2 columns
  -- 2-4, row 3 columns 2-3), dog 5 (rows 5-6 columns 2-3, row 7 column 2), bird 2
  -- (row 8 columns 1-2). Per class: cat 6 in common of 8 + 8 - 6 = 10: IoU 0.6;
  -- dog 4 of 6 + 5 - 4 = 7: 4/7; bird 0 of 5: 0. Mean IoU (0.6 + 4/7 + 0) / 3.
  -- Labelled by either: 17 + 15 - 10 = 22 pixels, so 58 are background on both;
  -- pixel accuracy (10 + 58) / 80 = 0.85. Pooled: tp 10, fp 15 - 10 = 5, fn 17 - 10 = 7.
  local GOLD = {
    "cccc......",
    "cccc......",
    "..........",
    "..........",
    "ddd.......",
    "ddd.......",
    "..........",
    ".......bbb",
  }
  local VENDOR = {
    ".ccc......",
    ".ccc......",
    ".cc.......",
    "..........",
    ".dd.......",
    ".dd.......",
    ".d........",
    "bb........",
  }

  it("counts pixels per class: IoU, mean IoU and pixel accuracy worked by hand", function()
    local r, doc, err = compare(folder {["a.png"] = GOLD}, folder {["a.png"] = VENDOR})
    assert.are.equal("semantic", doc.iou_type)   -- label images on both sides: semantic by default
    assert.are.equal("pixel iou", r.similarity)
    H.near(r.per_class.cat.iou, 0.6, 1e-12, "cat")
    H.near(r.per_class.dog.iou, 4 / 7, 1e-12, "dog")
    assert.are.equal(0, r.per_class.bird.iou)
    assert.are.same({6, 2, 2, 8, 8}, {r.per_class.cat.tp, r.per_class.cat.fp, r.per_class.cat.fn,
      r.per_class.cat.gold, r.per_class.cat.vendor})
    H.near(r.per_class.dog.mean_iou, 4 / 7, 1e-12, "dog mean_iou is its iou")
    H.near(r.mean_iou, (0.6 + 4 / 7) / 3, 1e-12, "mean IoU")
    H.near(r.macro.iou, (0.6 + 4 / 7) / 3, 1e-12, "macro IoU")
    H.near(r.pixel_accuracy, 0.85, 1e-12, "pixel accuracy")
    assert.are.same({total = 80, correct = 68, background = 58, ignored = 0, overlap_gold = 0, overlap_vendor = 0},
      r.pixels)
    assert.are.same({10, 5, 7}, {r.micro.tp, r.micro.fp, r.micro.fn})
    H.near(r.micro.iou, 10 / 22, 1e-12, "pooled IoU")
    assert.are.same({cat = {cat = 6, ["(missed)"] = 2}, dog = {dog = 4, ["(missed)"] = 2}, bird = {["(missed)"] = 3},
      ["(extra)"] = {cat = 2, dog = 1, bird = 2}}, r.confusion)
    -- only bird is under --iou 0.5 on the item
    assert.are.equal(1, #r.conflicts)
    local c = r.conflicts[1]
    assert.are.same({"low_overlap", "bird", "bird", 0, 3, 2}, {c.kind, c.gold_class, c.vendor_class, c.iou,
      c.gold_pixels, c.vendor_pixels})
    assert.truthy(err:find("semantic, pixel by pixel", 1, true), err)
    -- at 0.6 dog (4/7) is a low overlap too; cat (0.6) is not
    r = compare(folder {["a.png"] = GOLD}, folder {["a.png"] = VENDOR}, "--iou 0.6")
    assert.are.same({low_overlap = 2}, r.conflict_counts)
  end)

  it("writes iou and pixel_accuracy into per_class.csv", function()
    local out, err, code = H.run("compare --gold " .. H.q(folder {["a.png"] = GOLD}) .. " --vendor v=" ..
      H.q(folder {["a.png"] = VENDOR}) .. " --format csv")
    assert.are.equal(0, code, err)
    local lines = {}
    for line in out:gmatch("[^\n]+") do lines[#lines + 1] = line end
    assert.truthy(lines[1]:find(",mean_iou,mean_distance,cer,wer,iou,pixel_accuracy$"), lines[1])
    local cat, micro
    for _, l in ipairs(lines) do
      if l:find("^v,class,cat,") then cat = l end
      if l:find("^v,micro,,") then micro = l end
    end
    assert.truthy(cat:find(",0.6,$"), cat)
    assert.truthy(micro:find(",0.85$"), micro)
  end)

  -- COCO masks on a 4 x 4 image (x, y from 0). Gold: "a" on columns 0-1; a crowd
  -- region of "a" on row 3 (its 4 pixels are left out of every count). Vendor
  -- (annotator x): "a" on columns 0-2; then (annotator y) "b" on columns 2-3,
  -- rows 0-1, over x's "a" at (2, 0) and (2, 1): the later mask counts there.
  -- Outside row 3: gold a 6 px; vendor a 7 (6 shared), b 4, none 1 ((3, 2)).
  -- a: 6 / 7; b: 0 / 4 (extra). Mean IoU 3/7; correct 6 + 1 of 12: 7/12.
  it("leaves gold crowd regions out and lets the later of overlapping masks count", function()
    local dir = H.tmpdir()
    local function ds(anns)
      return H.json.encode({images = {{id = 1, file_name = "s.png", width = 4, height = 4}},
        categories = {{id = 1, name = "a"}, {id = 2, name = "b"}}, annotations = anns})
    end
    local function m(id, cat, counts, extra)
      local a = {id = id, image_id = 1, category_id = cat, segmentation = {size = {4, 4}, counts = counts}, iscrowd = 0,
        area = 1, bbox = {0, 0, 1, 1}}
      for k, v in pairs(extra or {}) do a[k] = v end
      return a
    end
    local g = H.write(dir .. "/g.json", ds {m(1, 1, {0, 8, 8}), m(2, 1, {3, 1, 3, 1, 3, 1, 3, 1}, {iscrowd = 1})})
    local v = H.write(dir .. "/v.json", ds {m(1, 1, {0, 12, 4}, {annotator = "x"}), m(2, 2, {8, 2, 2, 2, 2}, {annotator = "y"})})
    local r, doc, err = compare(g, v, "--iou-type semantic")
    assert.are.equal("semantic", doc.iou_type)
    H.near(r.per_class.a.iou, 6 / 7, 1e-12, "a")
    assert.are.equal(0, r.per_class.b.iou)
    H.near(r.mean_iou, 3 / 7, 1e-12, "mean IoU")
    H.near(r.pixel_accuracy, 7 / 12, 1e-12, "pixel accuracy")
    assert.are.same({total = 12, correct = 7, background = 1, ignored = 4, overlap_gold = 0, overlap_vendor = 2}, r.pixels)
    assert.truthy(err:find("masks of different classes overlap on 0 gold and 2 vendor pixels", 1, true), err)
    -- per annotator: x drew a (6 right, 1 over background); y drew b (4 wrong)
    assert.are.same({6, 1, 0}, {r.annotators.x.per_class.a.tp, r.annotators.x.per_class.a.fp, r.annotators.x.per_class.a.fn})
    assert.are.same({0, 4}, {r.annotators.y.per_class.b.tp, r.annotators.y.per_class.b.fp})
    assert.are.same({"extra", "b", "y", 4}, {r.conflicts[1].kind, r.conflicts[1].vendor_class, r.conflicts[1].annotator,
      r.conflicts[1].vendor_pixels})
  end)

  describe("on generated label images", function()
    local function generate()
      local dir = H.tmpdir()
      assert(os.execute("lua5.4 tools/gen_semantic.lua --out " .. H.q(dir) .. " --seed 3"))
      return dir
    end

    local function check(r, ref, what)
      local n = 0
      for name, c in pairs(ref.per_class) do
        n = n + 1
        local got = r.per_class[name]
        assert.truthy(got, what .. ": no class " .. name)
        H.near(got.iou, c.iou, 1e-12, what .. " " .. name .. ".iou")
        assert.are.same({c.intersection, c.union, c.gold, c.vendor},
          {got.tp, got.tp + got.fp + got.fn, got.gold, got.vendor}, what .. " " .. name)
      end
      local m = 0
      for _ in pairs(r.per_class) do m = m + 1 end
      assert.are.equal(n, m, what .. ": classes")
      H.near(r.mean_iou, ref.mean_iou, 1e-12, what .. " mean IoU")
      H.near(r.pixel_accuracy, ref.pixel_accuracy, 1e-12, what .. " pixel accuracy")
      assert.are.same({ref.pixels, ref.correct}, {r.pixels.total, r.pixels.correct}, what .. " pixels")
      local conf = {}
      for g, row in pairs(ref.confusion) do
        for v, px in pairs(row) do
          if g ~= "(none)" or v ~= "(none)" then
            local gk, vk = g == "(none)" and "(extra)" or g, v == "(none)" and "(missed)" or v
            conf[gk] = conf[gk] or {}
            conf[gk][vk] = px
          end
        end
      end
      assert.are.same(conf, r.confusion, what .. " confusion")
    end

    it("equals numpy's pooled intersection over union, items paired by name and classes by name", function()
      local dir = generate()
      local r, doc, err = compare(dir .. "/gold", dir .. "/vendor", "--skip-missing-items")
      assert.are.equal("semantic", doc.iou_type)
      check(r, REF.delivered, "delivered")
      assert.truthy(err:find("1 items differ in size from the gold and are left out of the pixel counts " ..
        "(first: img006.png, gold 64x24, vendor 66x24)", 1, true), err)
      assert.truthy(err:find("1 gold items are not in the delivery (img005.png)", 1, true), err)
      assert.truthy(err:find("1 vendor classes are not gold classes (bicycle)", 1, true), err)
      assert.are.equal(4, r.items.compared)
      r = compare(dir .. "/gold", dir .. "/vendor")   -- missing items count by default
      check(r, REF.count_missing, "count missing")
      r = compare(dir .. "/gold", dir .. "/vendor", "--count-missing-items")   -- the old flag, now the default
      check(r, REF.count_missing, "count missing, old flag")
      -- the items split over threads join to the same result
      local one = H.run("compare --gold " .. H.q(dir .. "/gold") .. " --vendor v=" .. H.q(dir .. "/vendor") .. " --threads 1")
      local three = H.run("compare --gold " .. H.q(dir .. "/gold") .. " --vendor v=" .. H.q(dir .. "/vendor") .. " --threads 3")
      assert.are.equal(one, three)
    end)

    it("gives the same numbers on the masks as COCO, and through annovet.compare", function()
      local dir = generate()
      for _, side in ipairs {"gold", "vendor"} do
        local _, err, code = H.run("convert " .. H.q(dir .. "/" .. side) .. " " .. H.q(dir .. "/" .. side .. ".json") ..
          " --to coco")
        assert.are.equal(0, code, err)
      end
      local r, doc = compare(dir .. "/gold.json", dir .. "/vendor.json", "--iou-type semantic --skip-missing-items")
      assert.are.equal("semantic", doc.iou_type)
      check(r, REF.delivered, "COCO")
      doc = select(2, compare(dir .. "/gold.json", dir .. "/vendor.json"))
      assert.are.equal("segm", doc.iou_type)   -- COCO masks: instances unless asked
      local script = H.script([[
local annovet = require "annovet"
local r = assert(annovet.compare(assert(annovet.load(arg[1])), assert(annovet.load(arg[2])),
  {count_missing_items = false}))
print(r.iou_type, string.format("%.17g %.17g", r.mean_iou, r.pixel_accuracy))
]])
      local out, err, code = H.run("run " .. H.q(script) .. " " .. H.q(dir .. "/gold") .. " " .. H.q(dir .. "/vendor"))
      assert.are.equal(0, code, err)
      local t, miou, acc = out:match("^(%S+)%s+(%S+)%s+(%S+)")
      assert.are.equal("semantic", t)
      H.near(tonumber(miou), REF.delivered.mean_iou, 1e-12, "Lua mean IoU")
      H.near(tonumber(acc), REF.delivered.pixel_accuracy, 1e-12, "Lua pixel accuracy")
    end)
  end)

  it("stops with a clear message when no label image has the gold's size", function()
    local wide = {}
    for y, l in ipairs(VENDOR) do wide[y] = l .. ".." end
    local out, err, code = H.run("compare --gold " .. H.q(folder {["a.png"] = GOLD}) .. " --vendor v=" ..
      H.q(folder {["a.png"] = wide}))
    assert.are.equal(2, code)
    assert.are.equal("", out)
    assert.truthy(err:find("none of its items can be compared: 1 of those in the gold panel differ in size from the " ..
      "gold's (first: a.png, gold 10x8, vendor 12x8); label images are compared pixel by pixel", 1, true), err)
  end)
end)
