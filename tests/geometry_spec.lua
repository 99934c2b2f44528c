-- annovet.geom's geometry against independent references, through annovet run.
--
-- Reference values (in tests/data/geometry/, one file per table; computed by a
-- script while developing; inputs drawn with Python's random.Random(77), rounded
-- to 2 decimals):
--   RBOX: shapely 1.8.5 (Debian) -- box(cx-w/2, cy-h/2, cx+w/2, cy+h/2) turned by
--     affinity.rotate(angle, origin=centre) (counter-clockwise in y-up terms, i.e.
--     clockwise on screen with y down), IoU = intersection.area / union.area;
--   POLYS: shapely Polygon(...).area; HULLS: MultiPoint(...).convex_hull, its area,
--     vertex count and the hulls' IoU; CUBOIDS: the same over 8 corners each;
--   CUBOIDS3D: footprints rotate(box(cx-l/2, cy-w/2, ...), yaw, use_radians=True),
--     intersection area times the z overlap, over the union of the volumes;
--   OKS, OKS3: pycocotools COCOeval.computeOks (ppwwyyxx/cocoapi @ ac87f50) on the
--     gts/dts given (the 6th gold has no labelled keypoint: distances to its box;
--     OKS3 with kpt_oks_sigmas = [0.5, 0.25, 1.0]);
--   LANES: numpy brute force of the band definition (pixel centres within width/2
--     of a segment) on a 240 x 200 image ("iou_img", "area_a") and on a free
--     500 x 500 window ("iou_free"); Chamfer with shapely: Point.distance to the
--     other LineString from its vertices ("chamfer") or from points every 5 along
--     it by LineString.interpolate plus its end ("chamfer5"), both directions averaged;
--   TEXTS: nltk 3.8 edit_distance over list(ref) (code points) and ref.split();
--   TAGS: sklearn 1.2.1 MultiLabelBinarizer + f1/precision/recall_score(average=None,
--     zero_division=0) and accuracy_score (subset accuracy);
--   SEMANTIC: sklearn jaccard_score(labels=0..5, average=None) of two 12 x 9 label
--     images, the mean over the classes present in either.
local S = require "tests.support.scripted"
local H = require "tests.support.helper"

local RBOX = H.data("geometry/rbox.lua")
local POLYS = H.data("geometry/polys.lua")
local HULLS = H.data("geometry/hulls.lua")
local CUBOIDS = H.data("geometry/cuboids.lua")
local CUBOIDS3D = H.data("geometry/cuboids3d.lua")
local OKS = H.data("geometry/oks.lua")
local OKS3 = H.data("geometry/oks3.lua")
local LANES = H.data("geometry/lanes.lua")
local TEXTS = H.data("geometry/texts.lua")
local TAGS = H.data("geometry/tags.lua")
local SEMANTIC = H.data("geometry/semantic.lua")

local function near(a, b, what, tol) H.near(a, b, tol or 1e-9, what) end

describe("geometry", function()
  it("rotated boxes: corners and exact polygon IoU", function()
    local got = S.run([[
      local g, out = annovet.geom, {}
      for i, c in ipairs(DATA) do out[i] = {iou = g.rbox_iou(c.a, c.b), corners = g.rbox_corners(c.a)} end
      emit(out)]], RBOX)
    for i, c in ipairs(RBOX) do
      near(got[i].iou, c.iou, "rbox " .. i)
      -- shapely's box starts at (maxx, miny), annovet's at (minx, miny): same ring, one point on
      for p = 0, 3 do
        local q = (p + 1) % 4
        near(got[i].corners[2 * q + 1], c.corners[2 * p + 1], "corner x " .. i)
        near(got[i].corners[2 * q + 2], c.corners[2 * p + 2], "corner y " .. i)
      end
    end
    near(got[1].iou, 1, "same box")
    near(got[2].iou, 1, "box turned by 90 degrees with w and h swapped")
  end)

  it("polygon areas, convex hulls, convex IoU and cuboids", function()
    local got = S.run([[
      local g, out = annovet.geom, {poly = {}, hull = {}, cub = {}, c3 = {}}
      for i, p in ipairs(DATA.polys) do out.poly[i] = g.polygon_area(p.xy) end
      for i, h in ipairs(DATA.hulls) do
        local ha, hb = g.convex_hull(h.a), g.convex_hull(h.b)
        out.hull[i] = {area = g.polygon_area(ha), n = #ha // 2, iou = g.convex_iou(ha, hb)}
      end
      for i, c in ipairs(DATA.cub) do out.cub[i] = g.cuboid_iou(c.a, c.b) end
      for i, c in ipairs(DATA.c3) do out.c3[i] = g.cuboid_iou3d(c.a, c.b) end
      emit(out)]], {polys = POLYS, hulls = HULLS, cub = CUBOIDS, c3 = CUBOIDS3D})
    for i, p in ipairs(POLYS) do near(got.poly[i], p.area, "polygon " .. i) end
    for i, h in ipairs(HULLS) do
      near(got.hull[i].area, h.area_a, "hull area " .. i)
      assert.are.equal(h.n_a, got.hull[i].n, "hull size " .. i)
      near(got.hull[i].iou, h.iou, "hull iou " .. i)
    end
    for i, c in ipairs(CUBOIDS) do near(got.cub[i], c.iou, "cuboid " .. i) end
    for i, c in ipairs(CUBOIDS3D) do near(got.c3[i], c.iou, "cuboid 3d " .. i) end
    near(got.c3[1], 1, "same 3d box")
  end)

  it("OKS as COCOeval.computeOks, with default and custom sigmas", function()
    local got = S.run([[
      local g, out = annovet.geom, {}
      for n, set in ipairs({DATA.oks, DATA.oks3}) do
        local sig = n == 2 and {0.5, 0.25, 1.0} or nil
        out[n] = {}
        for d, dt in ipairs(set.dts) do
          out[n][d] = {}
          for k, gt in ipairs(set.gts) do
            out[n][d][k] = g.oks(dt.keypoints, gt.keypoints, {area = gt.area, bbox = gt.bbox, sigmas = sig})
          end
        end
      end
      emit(out)]], {oks = OKS, oks3 = OKS3})
    for n, set in ipairs({OKS, OKS3}) do
      for d = 1, #set.dts do
        for k = 1, #set.gts do near(got[n][d][k], set.oks[d][k], string.format("oks %d %d %d", n, d, k)) end
      end
    end
  end)

  it("lanes: band IoU as rasterised pixel centres, Chamfer distance", function()
    local got = S.run([[
      local g, out = annovet.geom, {}
      for i, l in ipairs(DATA) do
        out[i] = {
          iou_img = g.polyline_iou(l.a, l.b, {width = l.width, h = 240, w = 200}),
          iou_free = g.polyline_iou(l.a, l.b, {width = l.width}),
          area_a = g.area(g.polyline_mask(l.a, {width = l.width, h = 240, w = 200})),
          chamfer = g.chamfer(l.a, l.b),
          chamfer5 = g.chamfer(l.a, l.b, 5),
          near = select(2, g.chamfer(l.a, l.b, 0, 6)),
        }
      end
      emit(out)]], LANES)
    for i, l in ipairs(LANES) do
      assert.are.equal(l.area_a, got[i].area_a, "band area " .. i)
      near(got[i].iou_img, l.iou_img, "lane iou on the image " .. i)
      near(got[i].iou_free, l.iou_free, "lane iou " .. i)
      near(got[i].chamfer, l.chamfer, "chamfer " .. i)
      near(got[i].chamfer5, l.chamfer5, "chamfer every 5 " .. i)
      assert.are.equal(l.chamfer <= 6, got[i].near, "chamfer threshold " .. i)
    end
  end)

  it("text: edit distances over code points and words, CER and WER", function()
    local got = S.run([[
      local g, out = annovet.geom, {}
      for i, t in ipairs(DATA) do
        local cd, cn = g.edit_distance(t.ref, t.hyp)
        local wd, wn = g.edit_distance(t.ref, t.hyp, "words")
        local cer = g.cer(t.ref, t.hyp)
        local wer = g.wer(t.ref, t.hyp)
        out[i] = {cd = cd, cn = cn, wd = wd, wn = wn, cer = cer or annovet.json.null, wer = wer or annovet.json.null}
      end
      emit(out)]], TEXTS)
    for i, t in ipairs(TEXTS) do
      assert.are.same({t.cd, t.cn, t.wd, t.wn}, {got[i].cd, got[i].cn, got[i].wd, got[i].wn}, t.ref)
      if t.cn > 0 then near(got[i].cer, t.cd / t.cn, "cer " .. i) else assert.are.equal(H.json.null, got[i].cer) end
      if t.wn > 0 then near(got[i].wer, t.wd / t.wn, "wer " .. i) else assert.are.equal(H.json.null, got[i].wer) end
    end
  end)

  it("tags: per-label precision, recall, F1 and exact match as sklearn", function()
    local got = S.run([[
      local r = annovet.geom.tags(DATA.gold, DATA.pred)
      local out = {exact = r.exact_match, labels = {}}
      for i, l in ipairs(DATA.labels) do
        local c = r.labels[l] or {}
        out.labels[i] = {f1 = c.f1 or 0, p = c.precision or 0, r = c.recall or 0}
      end
      emit(out)]], TAGS)
    near(got.exact, TAGS.exact, "subset accuracy")
    for i, l in ipairs(TAGS.labels) do
      near(got.labels[i].f1, TAGS.f1[i], "f1 " .. l)
      near(got.labels[i].p, TAGS.p[i], "precision " .. l)
      near(got.labels[i].r, TAGS.r[i], "recall " .. l)
    end
  end)

  it("semantic masks: per-class pixel IoU and mean IoU over RLE", function()
    local got = S.run([[
      local g = annovet.geom
      local gold, pred = {}, {}
      for i, c in ipairs(DATA.labels) do
        local mg, mp = {}, {}
        for k = 1, #DATA.gold do
          mg[k] = DATA.gold[k] == c and 1 or 0
          mp[k] = DATA.pred[k] == c and 1 or 0
        end
        gold[i] = g.encode(mg, DATA.h, DATA.w)
        pred[i] = g.encode(mp, DATA.h, DATA.w)
      end
      local r = g.semantic_iou(gold, pred)
      local iou = {}
      for i = 1, #DATA.labels do iou[i] = r.iou[i] or annovet.json.null end
      emit({iou = iou, mean = r.mean})]], SEMANTIC)
    for i = 1, #SEMANTIC.labels do
      if SEMANTIC.iou[i] == nil then
        assert.are.equal(H.json.null, got.iou[i], "class absent from both")
      else
        near(got.iou[i], SEMANTIC.iou[i], "class " .. SEMANTIC.labels[i])
      end
    end
    near(got.mean, SEMANTIC.mean, "mean IoU")
  end)

  it("raises on malformed input", function()
    local cases = {
      {[[annovet.geom.rbox_iou({0, 0, 1, 1}, {0, 0, 1, 1, 0})]], "expected {cx, cy, w, h, angle}"},
      {[[annovet.geom.oks({1, 2, 2}, {1, 2, 2}, {area = 1, bbox = {0, 0, 1, 1}})]], "3 numbers per sigma"},
      {[[annovet.geom.polyline_iou({0, 0, 1}, {0, 0, 1, 1})]], "x, y pairs"},
      {[[annovet.geom.polyline_iou({0, 0, 1, 1}, {0, 0, 1, 1}, {width = -1})]], "width must be a positive"},
      {[[annovet.geom.semantic_iou({}, {})]], "one RLE per class"},
      {[[annovet.geom.tags({{"a"}}, {"b"})]], "expected a list of labels"},
      {[[annovet.geom.cuboid_iou3d({0, 0, 0, 1, 1, 1}, {0, 0, 0, 1, 1, 1, 0})]], "cx, cy, cz, l, w, h, yaw"},
    }
    for _, c in ipairs(cases) do
      local err, status = S.fail(c[1])
      assert.are.equal(2, status, c[1])
      assert.truthy(err:find(c[2], 1, true), c[1] .. ": " .. err)
    end
  end)
end)
