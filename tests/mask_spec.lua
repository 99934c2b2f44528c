-- pycocotools' mask API through annovet.geom: every output must equal
-- pycocotools exactly (compressed counts strings, areas, boxes, IoU matrices).
--
-- Reference values (the long tables in tests/data/mask/): pycocotools 2.0.11
-- (github.com/ppwwyyxx/cocoapi @ ac87f50, built locally with Debian's numpy 1.24
-- and cython3), computed by a script that draws the inputs with
-- random.Random(20240501) and prints them with the outputs:
--   POLYS[i].counts = mask.frPyObjects([xy], h, w)[0]['counts'], .area = mask.area,
--     .bbox = mask.toBbox (40 polygons, vertices inside and outside the image,
--     integer, 1- and 2-decimal and half-pixel coordinates);
--   MULTI[i].counts = mask.merge(mask.frPyObjects(parts, h, w))['counts'];
--   BOXES[i].counts = mask.frPyObjects(np.array([bb]), h, w)[0]['counts'];
--   ENCODE[i] = mask.encode(np.asfortranarray(m.reshape(h, w, 1)))[0] and
--     mask.decode of it (the last mask holds 2s: pycocotools starts a run at any change);
--   MSET = frPyObjects of POLYS[1..8] at 30 x 40; MERGE_UNION = mask.merge(MSET),
--   MERGE_INTER = mask.merge(MSET[1..3], intersect=1);
--   IOU_MASK = mask.iou(MSET[1..5], MSET[5..8], [0, 1, 0, 1]);
--   ODD = POLYS[1] at 31 x 40: IOU_ODD = mask.iou(MSET[1..2], [ODD], [0]) (-1: sizes
--     differ), MERGE_ODD = mask.merge([MSET[1], ODD]) (empty 0 x 0);
--   IOU_BOX = mask.iou(np.array(BD), np.array(BG), [0, 1, 0]);
--   EMPTY_BBOX = mask.toBbox of '0d0n0' and of counts [50, 0] at 10 x 5 (an empty
--     mask with a trailing empty run: pycocotools' unsigned arithmetic);
--   DEGENERATE[i].counts = _mask.frPoly([xy], h, w)[0]['counts'] (w = 0, h = 0, 1- and
--     2-point polygons, far-away vertices);
--   FIXTURE_* = the two segmentations of ../shared/fixtures/formats/coco/instances_val.json
--     through frPyObjects (crowd RLE) and merge(frPyObjects(polygons)).
local H = require "tests.support.helper"
local S = require "tests.support.scripted"

local POLYS = H.data("mask/polys.lua")
local MULTI = H.data("mask/multi.lua")
local BOXES = H.data("mask/boxes.lua")
local ENCODE = H.data("mask/encode.lua")
local MSET = H.data("mask/mset.lua")
local MERGE_UNION = "135b0L80l10TN1O001^ONO4IM9ON:9K@Na0OA1f00YOM:1I4KMb0O^O4<KI0N1MO=0G030e0000O1ZO0=2BO<3BM64HO3K5?LFN94EM;5EI5>KA56MM73:O100O10O02O000O100O1"
local MERGE_INTER = "`U1"
local IOU_MASK = {{0.0, 0.0, 0.0, 0.05511811023622047}, {0.0, 0.046263345195729534, 0.0, 0.1103202846975089}, {0.0, 0.10119047619047619, 0.0, 0.0}, {0.0, 0.043343653250773995, 0.0, 0.11764705882352941}, {1.0, 0.0, 0.0, 0.0}}
local ODD = {size = {31, 40}, counts = "i85l06I7^OC492C06`0Jh01ZO2N2M3N2N2N1OK5LZ?"}
local IOU_ODD = {{-1.0}, {-1.0}}
local MERGE_ODD = {size = {0, 0}, counts = ""}
local BD = H.data("mask/bd.lua")
local BG = {{3.998177661607716, 11.267632546951898, 4.1492564582716955, 1.0351896573033899}, {7.073490166907799, 10.825437688066701, 11.433399322943933, 9.226061987357848}, {8.536752348687456, 17.848509185083607, 12.923963018219789, 9.510437136892715}}
local IOU_BOX = {{0.0, 0.19700541408255284, 0.4322513160231307}, {0.0, 0.9999999999999999, 0.0}, {0.04129049931500604, 0.13031970347264055, 0.0}, {0.0, 0.0, 0.0}}
local EMPTY_BBOX = {{0.0, 0.0, 2.0, 10.0}, {5.0, 10.0, 4294967292.0, 4294967287.0}}
local EMPTY_COUNTS = "b10"
local FIXTURE_CROWD = {size = {10, 5}, counts = "0d0n0"}
local FIXTURE_POLY = {size = {10, 5}, counts = "02`1"}
local DEGENERATE = H.data("mask/degenerate.lua")

describe("mask API (pycocotools parity)", function()
  it("rasterises polygons as rleFrPoly, with area and toBbox", function()
    local got = S.run([[
      local g = annovet.geom
      local out = {}
      for i, p in ipairs(DATA) do
        local r = g.fr_poly(p.xy, p.h, p.w)
        out[i] = {counts = r.counts, area = g.area(r), bbox = g.to_bbox(r), h = r.size[1], w = r.size[2]}
      end
      emit(out)]], POLYS)
    for i, p in ipairs(POLYS) do
      assert.are.equal(p.counts, got[i].counts, "polygon " .. i)
      assert.are.equal(p.area, got[i].area, "area " .. i)
      assert.are.same(p.bbox, got[i].bbox, "bbox " .. i)
      assert.are.same({p.h, p.w}, {got[i].h, got[i].w})
    end
  end)

  it("rasterises degenerate polygons and sizes as rleFrPoly does", function()
    local got = S.run([[
      local out = {}
      for i, p in ipairs(DATA) do out[i] = annovet.geom.fr_poly(p.xy, p.h, p.w).counts end
      emit(out)]], DEGENERATE)
    for i, p in ipairs(DEGENERATE) do assert.are.equal(p.counts, got[i], "case " .. i) end
  end)

  it("merges the parts of a polygon segmentation (annToRLE) and rasterises boxes", function()
    local got = S.run([[
      local g = annovet.geom
      local out = {multi = {}, boxes = {}}
      for i, p in ipairs(DATA.multi) do out.multi[i] = g.to_rle(p.parts, p.h, p.w).counts end
      for i, b in ipairs(DATA.boxes) do out.boxes[i] = g.fr_bbox(b.bb, b.h, b.w).counts end
      emit(out)]], {multi = MULTI, boxes = BOXES})
    for i, p in ipairs(MULTI) do assert.are.equal(p.counts, got.multi[i], "multi " .. i) end
    for i, b in ipairs(BOXES) do assert.are.equal(b.counts, got.boxes[i], "box " .. i) end
  end)

  it("encodes and decodes column-major masks", function()
    local got = S.run([[
      local g = annovet.geom
      local out = {}
      for i, e in ipairs(DATA) do
        local r = g.encode(e.mask, e.h, e.w)
        out[i] = {counts = r.counts, decoded = g.decode(r)}
      end
      emit(out)]], ENCODE)
    for i, e in ipairs(ENCODE) do
      assert.are.equal(e.counts, got[i].counts, "encode " .. i)
      assert.are.same(e.decoded, got[i].decoded, "decode " .. i)
    end
  end)

  it("merges, intersects and computes mask and box IoU with iscrowd", function()
    local got = S.run([[
      local g = annovet.geom
      local m = DATA.mset
      local sub = function(a, b) return table.move(m, a, b, 1, {}) end
      emit({
        union = g.merge(m).counts,
        inter = g.merge(sub(1, 3), true).counts,
        iou = g.iou(sub(1, 5), sub(5, 8), {0, 1, 0, 1}),
        iou_odd = g.iou(sub(1, 2), {DATA.odd}, {false}),
        merge_odd = g.merge({m[1], DATA.odd}),
        iou_box = g.iou(DATA.bd, DATA.bg, {0, 1, 0}),
        empty = g.iou({}, m, {0, 0, 0, 0, 0, 0, 0, 0}),
      })]], {mset = MSET, odd = ODD, bd = BD, bg = BG})
    assert.are.equal(MERGE_UNION, got.union)
    assert.are.equal(MERGE_INTER, got.inter)
    assert.are.same(IOU_MASK, got.iou)
    assert.are.same(IOU_ODD, got.iou_odd)
    assert.are.same(MERGE_ODD.size, got.merge_odd.size)
    assert.are.equal(MERGE_ODD.counts, got.merge_odd.counts)
    assert.are.same(IOU_BOX, got.iou_box)
    assert.are.same({}, got.empty)
  end)

  it("keeps toBbox's unsigned quirk and frPyObjects' dispatch", function()
    local got = S.run([[
      local g = annovet.geom
      local poly = {0.0, 0.0, 1.0, 0.0, 1.0, 2.0, 0.0, 2.0}
      emit({
        bbox = {g.to_bbox({size = {10, 5}, counts = "0d0n0"}), g.to_bbox({size = {10, 5}, counts = {50, 0}})},
        empty = g.fr_objects({size = {10, 5}, counts = {50, 0}}, 10, 5).counts,
        crowd = g.fr_objects({counts = {0, 20, 30}, size = {10, 5}}, 10, 5),
        poly = g.to_rle({poly}, 10, 5),
        list = g.fr_objects({poly, poly}, 10, 5),
        boxes = g.fr_objects({{0, 0, 1, 2}}, 10, 5),
        one_box = g.fr_objects({0, 0, 1, 2}, 10, 5).counts,
      })]])
    assert.are.same(EMPTY_BBOX, got.bbox)
    assert.are.equal(EMPTY_COUNTS, got.empty)
    assert.are.same(FIXTURE_CROWD, got.crowd)
    assert.are.same(FIXTURE_POLY, got.poly)
    assert.are.equal(2, #got.list)
    assert.are.equal(FIXTURE_POLY.counts, got.list[2].counts)
    -- a box rasterises as the polygon of its corners (rleFrBbox calls rleFrPoly)
    assert.are.equal(FIXTURE_POLY.counts, got.boxes[1].counts)
    assert.are.equal(FIXTURE_POLY.counts, got.one_box)
  end)

  it("rasterises the real fixture's segmentations", function()
    local path = H.fixture("formats/coco/instances_val.json")
    if not path then
      pending(H.NO_SHARED)
      return
    end
    local got = S.run([[
      local g = annovet.geom
      local d = assert(annovet.json.decode(DATA.text))
      local img = d.images[1]
      local out = {}
      for i, a in ipairs(d.annotations) do out[i] = g.to_rle(a.segmentation, img.height, img.width) end
      emit(out)]], {text = H.slurp(path)})
    assert.are.same({FIXTURE_POLY, FIXTURE_CROWD}, got)
  end)

  it("raises on malformed RLEs and bad arguments", function()
    local cases = {
      {[[annovet.geom.area({size = {10, 5}, counts = {0, 20}})]], "runs sum to 20, not h %* w"},
      {[[annovet.geom.area({size = {10, 5}, counts = "0d0n0x"})]], "not in '0'..'o'"},
      {[[annovet.geom.area({counts = "0d0n0"})]], "size: expected {h, w}"},
      {[[annovet.geom.fr_poly({0, 0, 0/0, 1, 2, 2}, 10, 10)]], "finite number"},
      {[[annovet.geom.fr_poly({0, 0, 1e12, 1, 2, 2}, 10, 10)]], "not a number within"},
      {[[annovet.geom.iou({{0, 0, 1, 1}}, {{0, 0, 1, 1}}, {0, 0})]], "one flag per gt"},
      {[[annovet.geom.encode({1, 0}, 3, 1)]], "expected h %* w values"},
    }
    for _, c in ipairs(cases) do
      local err, status = S.fail(c[1])
      assert.are.equal(2, status, c[1])
      assert.truthy(err:find(c[2]), c[1] .. ": " .. err)
    end
  end)
end)
