-- annovet compare on small cases worked by hand: every conflict kind, crowd
-- regions, class and item pairing, sizes, annotators, averages.
local H = require "tests.support.helper"

local function coco(images, cats, anns)
  for i, a in ipairs(anns) do
    a.id = a.id or i
    a.iscrowd = a.iscrowd or 0
    a.area = a.area or a.bbox[3] * a.bbox[4]
  end
  return H.json.encode({images = images, categories = cats, annotations = anns})
end

local function img(id, file, w, h) return {id = id, file_name = file, width = w or 100, height = h or 100} end

local function compare(gold, vendor, flags)
  local dir = H.tmpdir()
  H.write(dir .. "/gold.json", gold)
  H.write(dir .. "/vendor.json", vendor)
  local out, err, code = H.run("compare --gold " .. H.q(dir .. "/gold.json") .. " --vendor v=" ..
    H.q(dir .. "/vendor.json") .. " --full " .. (flags or ""))
  return out, err, code, dir
end

-- The conflicts of kind k, by (gold id, vendor id).
local function conflicts(r, k)
  local out = {}
  for _, c in ipairs(r.conflicts) do
    if c.kind == k then out[#out + 1] = c end
  end
  return out
end

-- Gold: a.jpg with cars g1, g2, trucks g3, g6, a person g4, a crowd of people
-- g5; b.jpg with a car and a person; c.jpg with a car (not delivered); d.jpg
-- (delivered at another size). The gold also has a class "tree" nobody drew.
local GOLD = coco(
  {img(1, "a.jpg"), img(2, "b.jpg"), img(3, "c.jpg"), img(4, "d.jpg")},
  {{id = 1, name = "car"}, {id = 2, name = "truck"}, {id = 3, name = "person"}, {id = 4, name = "tree"}},
  {
    {id = 1, image_id = 1, category_id = 1, bbox = {0, 0, 10, 10}, attributes = {occlusion = "none"}},
    {id = 2, image_id = 1, category_id = 1, bbox = {50, 50, 10, 10}},
    {id = 3, image_id = 1, category_id = 2, bbox = {20, 0, 10, 10}},
    {id = 4, image_id = 1, category_id = 3, bbox = {0, 50, 10, 10}},
    {id = 5, image_id = 1, category_id = 3, bbox = {70, 0, 30, 30}, iscrowd = 1},
    {id = 6, image_id = 1, category_id = 2, bbox = {80, 80, 10, 10}},
    {id = 7, image_id = 2, category_id = 1, bbox = {0, 0, 10, 10}},
    {id = 8, image_id = 2, category_id = 3, bbox = {80, 80, 10, 10}},
    {id = 9, image_id = 3, category_id = 1, bbox = {0, 0, 10, 10}},
    {id = 10, image_id = 4, category_id = 1, bbox = {0, 0, 10, 10}},
  })

-- Vendor: other ids, a "bus" class the gold lacks, a.jpg under a folder.
local function vendor_anns(who_b)
  return {
    {id = 101, image_id = 11, category_id = 20, bbox = {1, 0, 10, 10}, attributes = {occlusion = "partial"}, annotator = "ann-a"},
    {id = 102, image_id = 11, category_id = 20, bbox = {2, 0, 10, 10}, annotator = "ann-a"},
    {id = 103, image_id = 11, category_id = 30, bbox = {50, 50, 10, 10}, annotator = "ann-a"},
    {id = 104, image_id = 11, category_id = 10, bbox = {75, 5, 5, 5}, annotator = "ann-a"},
    {id = 105, image_id = 11, category_id = 10, bbox = {0, 90, 10, 10}, annotator = "ann-a"},
    {id = 106, image_id = 11, category_id = 30, bbox = {84, 80, 10, 10}, annotator = "ann-a"},
    {id = 107, image_id = 11, category_id = 40, bbox = {40, 40, 5, 5}, annotator = "ann-a"},
    {id = 108, image_id = 11, category_id = 20, bbox = {30, 30, 10, 10}, iscrowd = 1, annotator = "ann-a"},
    {id = 109, image_id = 11, category_id = 30, bbox = {20, 0, 10, 10}, annotator = "ann-a"},
    {id = 110, image_id = 12, category_id = 20, bbox = {0, 0, 10, 10}, annotator = "ann-a"},
    {id = 111, image_id = 12, category_id = 10, bbox = {50, 50, 5, 5}, annotator = who_b},
    {id = 112, image_id = 14, category_id = 20, bbox = {0, 0, 10, 10}, annotator = "ann-a"},
    {id = 113, image_id = 15, category_id = 20, bbox = {0, 0, 10, 10}, annotator = "ann-a"},
  }
end

local VENDOR = coco(
  {img(11, "upload/a.jpg"), img(12, "b.jpg"), img(14, "d.jpg", 200, 100), img(15, "e.jpg")},
  {{id = 10, name = "person"}, {id = 20, name = "car"}, {id = 30, name = "truck"}, {id = 40, name = "bus"}},
  vendor_anns("ann-b"))

describe("compare, worked by hand", function()
  after_each(H.cleanup)

  it("finds every conflict kind and counts per class", function()
    local out, err, code = compare(GOLD, VENDOR, "--skip-missing-items")
    assert.are.equal(0, code, err)
    local doc = H.decode(out)
    assert.are.equal("bbox", doc.iou_type)   -- boxes only: bbox by default
    local r = doc.vendors.v
    local pc = r.per_class
    assert.are.same({2, 1, 1}, {pc.car.tp, pc.car.fp, pc.car.fn})
    assert.are.same({1, 2, 1}, {pc.truck.tp, pc.truck.fp, pc.truck.fn})
    assert.are.same({0, 2, 2, 1}, {pc.person.tp, pc.person.fp, pc.person.fn, pc.person.ignored})
    assert.are.same({0, 1, 0}, {pc.bus.tp, pc.bus.fp, pc.bus.fn})
    assert.are.same({0, 0, 0}, {pc.tree.tp, pc.tree.fp, pc.tree.fn})
    -- IoU of the matches: 9/11 (g1, shifted by 1 of 10), 1 (g3), 1 (g7)
    H.near(pc.car.mean_iou, (9 / 11 + 1) / 2, 1e-12, "car mean IoU")
    assert.are.equal(1, pc.truck.mean_iou)
    -- undefined ratios are null with a reason, never NaN
    assert.are.equal(H.json.null, pc.person.mean_iou)
    assert.are.equal("no matches", pc.person.undefined.mean_iou)
    assert.are.equal(0, pc.person.precision)
    assert.are.equal(H.json.null, pc.bus.recall)
    assert.are.equal("no gold annotations", pc.bus.undefined.recall)
    assert.are.equal(H.json.null, pc.tree.precision)
    assert.are.equal("no vendor annotations", pc.tree.undefined.precision)
    assert.is_nil(out:find("nan", 1, true))

    assert.are.same({wrong_attribute = 1, duplicate = 1, wrong_class = 1, extra = 3, low_overlap = 1, missing = 2},
      r.conflict_counts)
    local attr = conflicts(r, "wrong_attribute")[1]
    assert.are.same({"a.jpg", 1, 101, "occlusion", "none", "partial"},
      {attr.item, attr.gold_id, attr.vendor_id, attr.attribute, attr.gold_value, attr.vendor_value})
    local dup = conflicts(r, "duplicate")[1]
    assert.are.same({1, 102, "car"}, {dup.gold_id, dup.vendor_id, dup.vendor_class})
    H.near(dup.iou, 8 / 12, 1e-12, "duplicate IoU")
    local wc = conflicts(r, "wrong_class")[1]
    assert.are.same({2, 103, "car", "truck", 1}, {wc.gold_id, wc.vendor_id, wc.gold_class, wc.vendor_class, wc.iou})
    local low = conflicts(r, "low_overlap")[1]
    assert.are.same({6, 106, "truck"}, {low.gold_id, low.vendor_id, low.gold_class})
    H.near(low.iou, 60 / 140, 1e-12, "low overlap IoU")
    local extra = {}
    for _, c in ipairs(conflicts(r, "extra")) do extra[#extra + 1] = c.vendor_id end
    assert.are.same({105, 107, 111}, extra)
    local missing = {}
    for _, c in ipairs(conflicts(r, "missing")) do missing[#missing + 1] = {c.gold_id, c.annotator} end
    -- g4: ann-a did the whole of a.jpg; g8: two annotators on b.jpg
    assert.are.same({{4, "ann-a"}, {8, "(unattributed)"}}, missing)
    -- every conflict names its item and the annotations' places in their files
    assert.are.same({"a.jpg", 2, 3}, {wc.item, wc.gold_index, wc.vendor_index})

    -- micro: TP 3, FP 6, FN 4; macro over car, truck, person, bus (tree has none)
    assert.are.same({3, 6, 4}, {r.micro.tp, r.micro.fp, r.micro.fn})
    H.near(r.micro.precision, 3 / 9, 1e-12, "micro precision")
    H.near(r.micro.recall, 3 / 7, 1e-12, "micro recall")
    H.near(r.micro.f1, 6 / 16, 1e-12, "micro F1")
    assert.are.equal(4, r.macro.classes)
    H.near(r.macro.precision, (2 / 3 + 1 / 3 + 0 + 0) / 4, 1e-12, "macro precision")
    H.near(r.macro.recall, (2 / 3 + 1 / 2 + 0) / 3, 1e-12, "macro recall (bus has no gold)")
    assert.truthy(r.macro.undefined.recall:find("3 of 4 classes", 1, true))
    H.near(r.macro.f1, (4 / 6 + 2 / 5 + 0 + 0) / 4, 1e-12, "macro F1")

    -- confusion: rows gold classes and (extra), columns vendor classes and (missed)
    assert.are.same({
      car = {car = 2, truck = 1},
      truck = {truck = 1, ["(missed)"] = 1},
      person = {["(missed)"] = 2},
      ["(extra)"] = {car = 1, truck = 1, person = 2, bus = 1},
    }, r.confusion)
    assert.are.same({{gold = "car", vendor = "truck", count = 1, rank = 1}}, r.clusters.class_pairs)
    assert.are.same({{class = "car", attribute = "occlusion", count = 1, most_common = "none -> partial", rank = 1}},
      r.clusters.attributes)
    assert.are.same({item = "a.jpg", count = 7, rank = 1}, {item = r.clusters.items[1].item,
      count = r.clusters.items[1].count, rank = r.clusters.items[1].rank})

    -- annotators: ann-a made everything on a.jpg and the car on b.jpg
    local a = r.annotators["ann-a"].micro
    assert.are.same({3, 5, 3}, {a.tp, a.fp, a.fn})
    assert.are.same({0, 1, 0}, {r.annotators["ann-b"].micro.tp, r.annotators["ann-b"].micro.fp,
      r.annotators["ann-b"].micro.fn})
    assert.are.same({0, 0, 1}, {r.annotators["(unattributed)"].micro.tp, r.annotators["(unattributed)"].micro.fp,
      r.annotators["(unattributed)"].micro.fn})
  end)

  it("ignores vendor shapes inside gold crowd regions and leaves out the vendor's own crowd marks", function()
    local r = H.decode((compare(GOLD, VENDOR))).vendors.v
    assert.are.equal(1, r.per_class.person.ignored)   -- 104 lies inside crowd region 5
    assert.are.equal(1, r.left_out.gold_crowd)
    assert.are.equal(1, r.left_out.vendor.crowd)       -- 108, marked iscrowd
    for _, c in ipairs(r.conflicts) do
      assert.is_true(c.vendor_id ~= 104 and c.vendor_id ~= 108 and c.gold_id ~= 5)
    end
  end)

  it("pairs items by file name, then basename, and reports the rest", function()
    local out, err = compare(GOLD, VENDOR)
    local it = H.decode(out).vendors.v.items
    assert.are.same({gold = 4, vendor = 4, compared = 2, by_file = 2, by_basename = 1, by_id = 0},
      {gold = it.gold, vendor = it.vendor, compared = it.compared, by_file = it.by_file,
       by_basename = it.by_basename, by_id = it.by_id})
    assert.are.same({"c.jpg"}, it.not_delivered)
    assert.are.same({"e.jpg"}, it.not_in_gold)
    assert.are.same({{item = "d.jpg", gold = {100, 100}, vendor = {200, 100}}}, it.size_differs)
    assert.truthy(err:find("v: 1 gold items are not in the delivery (c.jpg)", 1, true), err)
    assert.truthy(err:find("v: 1 items differ in size from the gold and are left out (first: d.jpg, gold 100x100, vendor 200x100)", 1, true), err)
    assert.truthy(err:find("v: 1 delivered items are not in the gold panel", 1, true), err)
  end)

  it("counts gold items the vendor lacks as missed unless --skip-missing-items", function()
    for _, flags in ipairs {"", "--count-missing-items"} do   -- the old flag is the default now
      local out, err = compare(GOLD, VENDOR, flags)
      local r = H.decode(out).vendors.v
      assert.are.same({2, 1, 2}, {r.per_class.car.tp, r.per_class.car.fp, r.per_class.car.fn})
      local last = conflicts(r, "missing")
      assert.are.same({9, "c.jpg", "(unattributed)"}, {last[#last].gold_id, last[#last].item, last[#last].annotator})
      assert.are.same({4, 3, "counted as missed"}, {r.items.sent, r.items.delivered, r.items.missing})
      assert.truthy(err:find("their objects count as missed", 1, true), err)
    end
    local r = H.decode((compare(GOLD, VENDOR, "--skip-missing-items"))).vendors.v
    assert.are.same({2, 1, 1}, {r.per_class.car.tp, r.per_class.car.fp, r.per_class.car.fn})
    assert.are.same({4, 3, "left out"}, {r.items.sent, r.items.delivered, r.items.missing})
    local _, err, code = compare(GOLD, VENDOR, "--skip-missing-items --count-missing-items")
    assert.are.equal(2, code)
    assert.truthy(err:find("--skip-missing-items and --count-missing-items exclude each other", 1, true), err)
  end)

  it("pairs classes by name, reports the unpaired, and maps with --map", function()
    local out, err = compare(GOLD, VENDOR)
    local cats = H.decode(out).vendors.v.categories
    assert.are.same({"tree"}, cats.unmapped_gold)
    assert.are.same({"bus"}, cats.unmapped_vendor)
    assert.truthy(err:find("v: 1 vendor classes are not gold classes (bus)", 1, true), err)
    assert.truthy(err:find("v: 1 gold classes have no vendor class of the same name (tree)", 1, true), err)
    local code
    out, err, code = compare(GOLD, VENDOR, "--map bus=truck --map van=car")
    assert.are.equal(0, code, err)
    local r = H.decode(out).vendors.v
    assert.are.same({bus = "truck"}, r.categories.mapped)
    assert.are.same({van = "car"}, r.categories.map_unused)
    assert.are.same({}, r.categories.unmapped_vendor)
    assert.is_nil(r.per_class.bus)
    assert.are.equal(3, r.per_class.truck.fp)   -- the bus box is a truck now, and extra
    assert.truthy(err:find("--map van=car: the vendor has no class 'van'", 1, true), err)
    _, err, code = compare(GOLD, VENDOR, "--map bus=lorry")
    assert.are.equal(2, code)
    assert.truthy(err:find("map bus=lorry: the gold panel has no class 'lorry'", 1, true), err)
  end)

  it("matches optimally by default and greedily on request", function()
    -- IoU(d1, g1) = 9/11, IoU(d1, g2) = 8/12, IoU(d2, g1) = 7/13, IoU(d2, g2) = 4/16:
    -- greedy takes d1-g1 and leaves d2 (a duplicate of g1) and g2; optimal takes both
    local gold = coco({img(1, "x.jpg")}, {{id = 1, name = "car"}}, {
      {image_id = 1, category_id = 1, bbox = {5, 0, 10, 10}}, {image_id = 1, category_id = 1, bbox = {8, 0, 10, 10}}})
    local vendor = coco({img(1, "x.jpg")}, {{id = 1, name = "car"}}, {
      {image_id = 1, category_id = 1, bbox = {6, 0, 10, 10}}, {image_id = 1, category_id = 1, bbox = {2, 0, 10, 10}}})
    local r = H.decode((compare(gold, vendor))).vendors.v
    assert.are.same({2, 0, 0}, {r.micro.tp, r.micro.fp, r.micro.fn})
    H.near(r.micro.mean_iou, (8 / 12 + 7 / 13) / 2, 1e-12, "optimal mean IoU")
    r = H.decode((compare(gold, vendor, "--matcher greedy"))).vendors.v
    assert.are.same({1, 1, 1}, {r.micro.tp, r.micro.fp, r.micro.fn})
    assert.are.same({"duplicate", "missing"}, {r.conflicts[1].kind, r.conflicts[2].kind})
    H.near(r.conflicts[1].iou, 7 / 13, 1e-12, "the duplicate's IoU with g1")
  end)

  it("finds wrong keypoint visibility on matches (OKS)", function()
    local kp = {}
    for k = 1, 17 do
      kp[#kp + 1], kp[#kp + 2], kp[#kp + 3] = 10 + k, 20 + k, 2
    end
    local vkp = {table.unpack(kp)}
    vkp[3 * 5] = 1   -- keypoint 5 occluded instead of visible
    local cats = {{id = 1, name = "person"}}
    local gold = coco({img(1, "p.jpg")}, cats, {{image_id = 1, category_id = 1, bbox = {11, 21, 17, 17}, keypoints = kp}})
    local vendor = coco({img(1, "p.jpg")}, cats, {{image_id = 1, category_id = 1, bbox = {11, 21, 17, 17}, keypoints = vkp}})
    local out, err, code = compare(gold, vendor, "--iou-type keypoints")
    assert.are.equal(0, code, err)
    local r = H.decode(out).vendors.v
    assert.are.equal("oks", H.decode(out).vendors.v.similarity)
    assert.are.same({1, 0, 0}, {r.micro.tp, r.micro.fp, r.micro.fn})
    assert.are.equal(1, r.micro.mean_iou)   -- same positions: OKS 1
    local c = r.conflicts[1]
    assert.are.same({"wrong_keypoint_visibility", 1, 17}, {c.kind, c.keypoints_differ, c.keypoints})
    -- sigmas for a class the gold lacks (a case slip) are an error, not ignored
    local sig = "--kpt-sigmas Person=" .. string.rep(".05,", 16) .. ".05"
    local _, err2, code2 = compare(gold, vendor, "--iou-type keypoints " .. sig)
    assert.are.equal(2, code2, err2)
    assert.truthy(err2:find("--kpt-sigmas: class 'Person': the gold panel has no such class (its classes: person)",
      1, true), err2)
    _, err2, code2 = compare(gold, vendor, "--iou-type keypoints " .. sig:gsub("Person", "person"))
    assert.are.equal(0, code2, err2)
  end)

  it("finds wrong text on OCR matches, with CER and WER", function()
    local function task(text)
      return '[{"id": 1, "data": {"image": "/data/t.jpg"}, "annotations": [{"id": 1, "completed_by": 1, "result": [' ..
        '{"id": "o1", "type": "rectangle", "from_name": "bbox", "to_name": "image", "original_width": 100, "original_height": 100,' ..
        ' "value": {"x": 10, "y": 10, "width": 50, "height": 10, "rotation": 0}},' ..
        '{"id": "o1", "type": "labels", "from_name": "l", "to_name": "image", "original_width": 100, "original_height": 100,' ..
        ' "value": {"x": 10, "y": 10, "width": 50, "height": 10, "rotation": 0, "labels": ["Text"]}},' ..
        '{"id": "o1", "type": "textarea", "from_name": "t", "to_name": "image", "original_width": 100, "original_height": 100,' ..
        ' "value": {"x": 10, "y": 10, "width": 50, "height": 10, "rotation": 0, "text": ["' .. text .. '"]}}]}]}]'
    end
    local out, err, code = compare(task("hello big world"), task("hallo big world"), "--iou-type text")
    assert.are.equal(0, code, err)
    local r = H.decode(out).vendors.v
    assert.are.equal(1, r.micro.tp)
    local c = r.conflicts[1]
    assert.are.same({"wrong_text", "hello big world", "hallo big world"}, {c.kind, c.gold_text, c.vendor_text})
    H.near(c.cer, 1 / 15, 1e-12, "CER")   -- one substitution in 15 characters
    H.near(c.wer, 1 / 3, 1e-12, "WER")    -- one word of three
    H.near(r.per_class.Text.cer, 1 / 15, 1e-12, "class CER")
  end)

  it("scores tags per label, the wrong one as a wrong class", function()
    local dir = H.tmpdir()
    H.write(dir .. "/g.csv", "item,annotator,label\na.jpg,g,cat\nb.jpg,g,dog\nc.jpg,g,cat\nc.jpg,g,indoor\n")
    H.write(dir .. "/v.csv", "item,annotator,label\na.jpg,v1,cat\nb.jpg,v1,cat\nc.jpg,v2,cat\nc.jpg,v2,cat\n")
    local out, err, code = H.run("compare --gold " .. H.q(dir .. "/g.csv") .. " --vendor v=" .. H.q(dir .. "/v.csv"))
    assert.are.equal(0, code, err)
    local doc = H.decode(out)
    assert.are.equal("tag", doc.iou_type)
    local r = doc.vendors.v
    assert.are.same({2, 2, 0}, {r.per_class.cat.tp, r.per_class.cat.fp, r.per_class.cat.fn})
    assert.are.same({0, 0, 1}, {r.per_class.dog.tp, r.per_class.dog.fp, r.per_class.dog.fn})
    assert.are.same({0, 0, 1}, {r.per_class.indoor.tp, r.per_class.indoor.fp, r.per_class.indoor.fn})
    -- b.jpg: dog tagged cat; c.jpg: cat twice (a duplicate), indoor missed
    assert.are.same({wrong_class = 1, duplicate = 1, missing = 1}, r.conflict_counts)
    assert.are.same({dog = {cat = 1}, cat = {cat = 2}, indoor = {["(missed)"] = 1}, ["(extra)"] = {cat = 1}},
      r.confusion)
  end)

  -- Ten items of two cars each. On items 1-6 the vendor draws both exactly; on
  -- the hard items 7-10 one exactly and one box where no car is (a miss and an
  -- extra). Delivering all: TP 16, FP 4, FN 4, F1 = 32/40 = 0.8. A second vendor
  -- sends the same boxes without the hard items: skipped, TP 12, FP 0, FN 0,
  -- F1 1.0 (the gain the buyer saw); counted as missed (the default), FN 8,
  -- F1 = 24/32 = 0.75: no gain.
  it("gives a vendor that drops its worst gold items no gain by default", function()
    local images, gold, full, dropped = {}, {}, {}, {}
    for i = 1, 10 do
      images[i] = img(i, string.format("f%02d.jpg", i))
      gold[#gold + 1] = {image_id = i, category_id = 1, bbox = {0, 0, 10, 10}}
      gold[#gold + 1] = {image_id = i, category_id = 1, bbox = {50, 50, 10, 10}}
      local mine = {{image_id = i, category_id = 1, bbox = {0, 0, 10, 10}},
        {image_id = i, category_id = 1, bbox = i <= 6 and {50, 50, 10, 10} or {80, 0, 10, 10}}}
      for _, a in ipairs(mine) do
        full[#full + 1] = a
        if i <= 6 then dropped[#dropped + 1] = {image_id = a.image_id, category_id = 1, bbox = a.bbox} end
      end
    end
    local cats = {{id = 1, name = "car"}}
    local dir = H.tmpdir()
    H.write(dir .. "/g.json", coco(images, cats, gold))
    H.write(dir .. "/full.json", coco(images, cats, full))
    H.write(dir .. "/dropped.json", coco({table.unpack(images, 1, 6)}, cats, dropped))
    local base = "compare --gold " .. H.q(dir .. "/g.json") .. " --vendor full=" .. H.q(dir .. "/full.json") ..
      " --vendor dropped=" .. H.q(dir .. "/dropped.json")
    local function f1s(flags)
      local out, err, code = H.run(base .. " " .. flags)
      assert.are.equal(0, code, err)
      local v = H.decode(out).vendors
      return v.full.micro.f1, v.dropped.micro.f1, v
    end
    local full_f1, dropped_f1 = f1s("--skip-missing-items")
    H.near(full_f1, 0.8, 1e-12, "full, skipping")
    H.near(dropped_f1, 1.0, 1e-12, "dropped, skipping: the old gain")
    local v
    full_f1, dropped_f1, v = f1s("")
    H.near(full_f1, 0.8, 1e-12, "full")
    H.near(dropped_f1, 0.75, 1e-12, "dropped, missing items counted")
    assert.is_true(dropped_f1 < full_f1)
    assert.are.same({10, 6, 8}, {v.dropped.items.sent, v.dropped.items.delivered, v.dropped.micro.fn})
    assert.are.same({10, 10}, {v.full.items.sent, v.full.items.delivered})
    local out = H.run(base .. " --format table")
    assert.truthy(out:find("== dropped (" .. dir .. "/dropped.json): delivered 6 / sent 10 gold items " ..
      "(the 4 missing count as missed); 6 compared", 1, true), out)
    assert.truthy(out:find("== full (" .. dir .. "/full.json): delivered 10 / sent 10 gold items; 10 compared", 1, true), out)
    out = H.run(base .. " --format csv")
    assert.truthy(out:find("\ndropped,items,,,10,6\n", 1, true), out)
    assert.truthy(out:find("\nfull,items,,,10,10\n", 1, true), out)
  end)

  -- A car shifted 2 px (IoU 80/120 = 0.667) and a traffic light shifted 4 px
  -- (IoU 60/140 = 0.429): at 0.5 the car matches and the light is a low
  -- overlap; with car=0.7,traffic_light=0.3 the other way round.
  it("takes per-class IoU thresholds, checked against the gold's classes", function()
    local cats = {{id = 1, name = "car"}, {id = 2, name = "traffic_light"}}
    local g = coco({img(1, "a.jpg")}, cats, {{image_id = 1, category_id = 1, bbox = {0, 0, 10, 10}},
      {image_id = 1, category_id = 2, bbox = {50, 50, 10, 10}}})
    local v = coco({img(1, "a.jpg")}, cats, {{image_id = 1, category_id = 1, bbox = {2, 0, 10, 10}},
      {image_id = 1, category_id = 2, bbox = {54, 50, 10, 10}}})
    local function tps(flags)
      local out, err, code = compare(g, v, flags)
      assert.are.equal(0, code, err)
      local doc = H.decode(out)
      local pc = doc.vendors.v.per_class
      return {pc.car.tp, pc.traffic_light.tp, doc.vendors.v.conflict_counts.low_overlap or 0}, doc
    end
    assert.are.same({1, 0, 1}, (tps("")))
    local got, doc = tps("--iou car=0.7,traffic_light=0.3")
    assert.are.same({0, 1, 1}, got)
    assert.are.same({car = 0.7, traffic_light = 0.3}, doc.iou_by_class)
    assert.are.equal(0.5, doc.iou)
    assert.are.same({0, 0, 2}, (tps("--iou 0.5 --iou car=0.7")))
    assert.are.same({1, 1, 0}, (tps("--iou 0.4 --iou traffic_light=0.42")))
    local _, err, code = compare(g, v, "--iou truck=0.7")
    assert.are.equal(2, code)
    assert.truthy(err:find("--iou: truck=0.7: the gold panel has no class 'truck' (its classes: car, traffic_light)",
      1, true), err)
    _, err, code = compare(g, v, "--iou car=1.5")
    assert.are.equal(2, code)
    assert.truthy(err:find("--iou car: expected a number in (0, 1], got '1.5'", 1, true), err)
    _, err, code = compare(g, v, "--iou car=0")
    assert.are.equal(2, code)
    assert.truthy(err:find("--iou car: expected a number in (0, 1], got '0'", 1, true), err)
    _, err, code = compare(g, v, "--iou 0.5,0.6")
    assert.are.equal(2, code)
    assert.truthy(err:find("the default threshold is given twice", 1, true), err)
    _, err, code = compare(g, v, "--iou car=0.5 --iou car=0.6")
    assert.are.equal(2, code)
    assert.truthy(err:find("class 'car' is given twice", 1, true), err)
  end)

  it("gives the same counts with every class at the default as without per-class thresholds", function()
    local base = "compare --gold examples/pilot/gold.json --vendor budget=examples/pilot/budget.json " ..
      "--vendor rapid=examples/pilot/rapid.json --iou-type segm --full"
    local one = H.decode((H.run(base .. " --iou 0.7")))
    local each = H.decode((H.run(base .. " --iou 0.7 --iou car=0.7,pedestrian=0.7,cyclist=0.7,traffic_light=0.7,sign=0.7")))
    for _, name in ipairs {"budget", "rapid"} do
      assert.are.same(one.vendors[name].per_class, each.vendors[name].per_class)
      assert.are.same(one.vendors[name].conflicts, each.vendors[name].conflicts)
    end
  end)

  it("stops where no score can be honest", function()
    local other = coco({img(1, "zzz.jpg")}, {{id = 1, name = "car"}}, {{image_id = 1, category_id = 1, bbox = {0, 0, 1, 1}}})
    local _, err, code = compare(GOLD, other)
    assert.are.equal(2, code)
    assert.truthy(err:find("none of its 1 items is in the gold panel by file name or basename", 1, true), err)
    local renamed = coco({img(1, "a.jpg")}, {{id = 1, name = "Auto"}}, {{image_id = 1, category_id = 1, bbox = {0, 0, 1, 1}}})
    _, err, code = compare(GOLD, renamed)
    assert.are.equal(2, code)
    assert.truthy(err:find("none of its classes (Auto) is a gold class by name; map them with --map", 1, true), err)
  end)
end)
