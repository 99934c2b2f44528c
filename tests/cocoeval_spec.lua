-- annovet cocoeval against pycocotools' COCOeval, to 1e-9 (in practice to the bit).
--
-- Reference values: pycocotools 2.0.11 (github.com/ppwwyyxx/cocoapi @ ac87f50, built
-- locally with Debian's numpy 1.24 and cython3), by a script that runs
--   gt = COCO(GT); dt = gt.loadRes(DT); E = COCOeval(gt, dt, TYPE)
--   (E.params.imgIds / catIds / kpt_oks_sigmas / useCats set where a case says so)
--   E.evaluate(); E.accumulate(); E.summarize()
-- and keeps E.stats and, per category k, the mean of E.eval['precision'][T, :, k, 0, -1]
-- over its entries > -1 (T all thresholds, [0] for AP50, [5] for AP75; None when none).
-- FIXTURES: the shared fixtures instances_val.json (a polygon of "a", a crowd RLE of
--   "b", no gold of "c") and person_keypoints_val.json (3 keypoints, so sigmas
--   [0.5, 0.25, 1.0]), with the detections kept in tests/data/cocoeval/fixtures.lua
--   (bbox results, one of a category the ground truth lacks, which pycocotools leaves out; the same results
--   evaluated as segm through their box polygons; segm results as compressed RLE,
--   also against the keypoints file's segmentations).
-- GENERATED: tools/gen_cocoeval.lua --seed 11 --images 40 --dets 30 (instances:
--   polygons, multi-part polygons, crowd RLE, images without gold, tied scores)
--   and --seed 12 --images 40 --dets 30 --kind keypoints, in every iou type,
--   with box results as segm and segm results as bbox, with SUBSET's imgIds and
--   catIds, and with useCats = 0.
local H = require "tests.support.helper"

local FIXTURES = H.data("cocoeval/fixtures.lua")
local SUBSET = {["cat_ids"] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13}, ["img_ids"] = {1007, 1028, 1049, 1070, 1091, 1112, 1133, 1154, 1175, 1196, 1217, 1238, 1259, 1280}}
local GENERATED = H.data("cocoeval/generated.lua")

-- PAST maxDets: sets with more than 100 results per image, so that the
-- maxDets = 100 cut (20 for keypoints) decides which detections count:
--   lua5.4 tools/gen_cocoeval.lua --seed 13 --images 12 --dets 160 --kind instances
--     (10 of 12 images with 160 results) evaluated with useCats = 0, where the
--     cut is over all of an image's results (ties kept in evaluateImg's order:
--     category by category, then file order);
--   lua5.4 tools/gen_cocoeval.lua --seed 14 --images 12 --dets 160 --kind keypoints
--     (one category, up to 160 results per image) as bbox and keypoints.
-- pycocotools as in the header (/tmp/ref/pyeval.py GT DT TYPE ['{"useCats": 0}']).
-- With maxDets raised to 1000 pycocotools gives other stats in every case (e.g.
-- stats[1] of the segm one), so these numbers hold the cut.
local MAXDETS = H.data("cocoeval/maxdets.lua")

local function check(got, ref, what)
  assert.are.equal(#ref.stats, #got.stats, what .. ": number of stats")
  for i, v in ipairs(ref.stats) do H.near(got.stats[i], v, 1e-9, what .. " stats[" .. i .. "]") end
  if ref.per_class then
    for name, r in pairs(ref.per_class) do
      local c = got.per_class[name]
      assert.truthy(c, what .. ": no per-class entry for " .. name)
      for _, k in ipairs {"ap", "ap50", "ap75"} do
        if r[k] == nil then
          assert.are.equal(H.json.null, c[k], what .. " " .. name .. "." .. k)
        else
          H.near(c[k], r[k], 1e-9, what .. " " .. name .. "." .. k)
        end
      end
    end
  end
end

local function cocoeval(args)
  local out, err, code = H.run("cocoeval " .. args)
  assert(code == 0, "exit " .. tostring(code) .. ": " .. err)
  return H.decode(out)
end

describe("annovet cocoeval", function()
  teardown(H.cleanup)

  it("equals pycocotools on the shared COCO fixtures", function()
    if not H.fixture("formats/coco/instances_val.json") then
      pending(H.NO_SHARED)
      return
    end
    local dir = H.tmpdir()
    for name, c in pairs(FIXTURES) do
      local dt = H.write(dir .. "/" .. name .. ".json", H.json.encode(c.dt))
      local args = string.format("--gt %s --dt %s --iou-type %s --per-class",
        H.q(H.fixture("formats/coco/" .. c.gt)), H.q(dt), c.type)
      if c.sigmas then args = args .. " --kpt-sigmas " .. table.concat(c.sigmas, ",") end
      local got = cocoeval(args)
      assert.are.equal(c.type, got.iou_type)
      check(got, c.ref, name)
    end
  end)

  describe("on generated data", function()
    local dir
    setup(function()
      dir = H.tmpdir()
      for _, a in ipairs {{"11", "instances", "g11"}, {"12", "keypoints", "g12"}} do
        os.execute("mkdir -p " .. H.q(dir .. "/" .. a[3]))
        assert(os.execute(string.format("lua5.4 tools/gen_cocoeval.lua --seed %s --images 40 --dets 30 --kind %s --out %s",
          a[1], a[2], H.q(dir .. "/" .. a[3]))))
      end
    end)

    local function gen(case, set, dt, typ, extra)
      local got = cocoeval(string.format("--gt %s --dt %s --iou-type %s --per-class %s",
        H.q(dir .. "/" .. set .. "/gt.json"), H.q(dir .. "/" .. set .. "/" .. dt), typ, extra or ""))
      check(got, GENERATED[case], case)
      return got
    end

    it("bbox and segm, with results of either kind", function()
      local got = gen("bbox", "g11", "dt_bbox.json", "bbox")
      assert.are.equal(40, got.images)
      assert.are.equal(80, got.categories)
      gen("segm", "g11", "dt_segm.json", "segm")
      gen("segm_bboxres", "g11", "dt_bbox.json", "segm")
      gen("bbox_segmres", "g11", "dt_segm.json", "bbox")
    end)

    it("keypoints with COCO's sigmas, and keypoint results as boxes", function()
      gen("kp", "g12", "dt_keypoints.json", "keypoints")
      gen("kp_bbox", "g12", "dt_keypoints.json", "bbox")
    end)

    it("image and category subsets, and useCats = 0", function()
      gen("bbox_subset", "g11", "dt_bbox.json", "bbox",
        "--img-ids " .. table.concat(SUBSET.img_ids, ",") .. " --cat-ids " .. table.concat(SUBSET.cat_ids, ","))
      local got = gen("segm_nocats", "g11", "dt_segm.json", "segm", "--no-cats")
      assert.is_nil(got.per_class)
    end)

    it("runs from a user script as annovet.cocoeval", function()
      local script = H.script([[
        local annovet = require "annovet"
        local gt = assert(annovet.load(arg[1]))
        local dt = assert(annovet.load(arg[2]))
        local r = assert(annovet.cocoeval(gt, dt, {iou_type = "segm"}))
        print(annovet.json.encode({stats = r.stats, per_class = r.per_class}))
        print(annovet.cocoeval(gt, dt, {iou_type = "keypoints"}))]])
      local out, err, code = H.run(string.format("run %s %s %s", H.q(script), H.q(dir .. "/g11/gt.json"),
        H.q(dir .. "/g11/dt_segm.json")))
      assert(code == 0, err)
      local first, second = out:match("^([^\n]*)\n([^\n]*)")
      local got = H.decode(first)
      for name, c in pairs(got.per_class) do
        for _, k in ipairs {"ap", "ap50", "ap75"} do c[k] = c[k] or H.json.null end
        got.per_class[name] = c
      end
      check(got, GENERATED.segm, "script")
      assert.truthy(second:find("annotations[0]: no keypoints", 1, true), second)
    end)

    it("prints pycocotools' summary lines with --format table", function()
      local out, _, code = H.run(string.format("cocoeval --gt %s --dt %s --iou-type bbox --format table",
        H.q(dir .. "/g11/gt.json"), H.q(dir .. "/g11/dt_bbox.json")))
      assert.are.equal(0, code)
      local line = string.format(" Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = %0.3f",
        GENERATED.bbox.stats[1])
      assert.are.equal(line, out:match("^[^\n]*"))
      assert.truthy(out:find(" Average Recall     (AR) @[ IoU=0.50:0.95 | area= large | maxDets=100 ]", 1, true))
    end)
  end)

  -- pycocotools' COCOeval._prepare ignores a gold object whose num_keypoints is 0
  -- (gt['ignore'] = (gt['num_keypoints'] == 0) or gt['ignore']) whatever its
  -- keypoints say. Reference: pycocotools as in the header, on the files below
  -- (KP(x, y, v): 17 keypoints on a 5-wide grid, 3 px apart in x, 4 in y):
  --   A: one person with 17 labelled keypoints and num_keypoints 0, one exact
  --      detection -> every stat -1 (the only gold object is ignored);
  --   B: A's person, a person with num_keypoints 17 and a detection 1 px off in
  --      x, and one with no labelled keypoint but num_keypoints 3 (not ignored:
  --      OKS by the distance outside its doubled box) and a detection near it.
  it("follows the file's num_keypoints as pycocotools does, even where the keypoints disagree", function()
    local function KP(x0, y0, vis, dx, dy)
      local out = {}
      for k = 0, 16 do
        out[#out + 1] = x0 + 3 * (k % 5) + (dx or 0)
        out[#out + 1] = y0 + 4 * (k // 5) + (dy or 0)
        out[#out + 1] = vis
      end
      return out
    end
    local head = {images = {{id = 1, file_name = "a.jpg", width = 100, height = 100}},
      categories = {{id = 1, name = "person", keypoints = {}, skeleton = {}}}}
    for k = 0, 16 do head.categories[1].keypoints[k + 1] = "k" .. k end
    local function person(id, x, y, vis, num, area)
      return {id = id, image_id = 1, category_id = 1, bbox = {x, y, 12, 12}, area = area or 144, iscrowd = 0,
        keypoints = KP(x, y, vis), num_keypoints = num}
    end
    local function det(kp, score) return {image_id = 1, category_id = 1, keypoints = kp, score = score} end
    local cases = {
      {gt = {person(1, 10, 10, 2, 0)}, dt = {det(KP(10, 10, 2), 0.9)}, stats = {-1, -1, -1, -1, -1, -1, -1, -1, -1, -1}},
      {gt = {person(1, 10, 10, 2, 0), person(2, 40, 10, 2, 17), person(3, 60, 60, 0, 3, 1500)},
       dt = {det(KP(10, 10, 2), 0.9), det(KP(40, 10, 2, 1), 0.8), det(KP(62, 61, 2), 0.7)},
       stats = {0.6262376237623762, 1.0, 0.2524752475247525, 0.9999999999999998, -1.0, 0.75, 1.0, 0.5, 1.0, -1.0}},
    }
    local dir = H.tmpdir()
    for i, c in ipairs(cases) do
      local gt = {images = head.images, categories = head.categories, annotations = c.gt}
      local gpath = H.write(dir .. "/gt" .. i .. ".json", H.json.encode(gt))
      local dpath = H.write(dir .. "/dt" .. i .. ".json", H.json.encode(c.dt))
      local out, err, code = H.run("cocoeval --gt " .. H.q(gpath) .. " --dt " .. H.q(dpath) .. " --iou-type keypoints")
      assert.are.equal(0, code, err)
      assert.truthy(err:find("num_keypoints: 0, but 17 keypoints are labelled", 1, true), err)   -- still warned
      check(H.decode(out), c, "case " .. i)
      -- the file's num_keypoints survives a conversion
      local copy = dir .. "/copy" .. i .. ".json"
      _, err, code = H.run("convert " .. H.q(gpath) .. " " .. H.q(copy) .. " --to coco")
      assert.are.equal(0, code, err)
      out, err, code = H.run("cocoeval --gt " .. H.q(copy) .. " --dt " .. H.q(dpath) .. " --iou-type keypoints")
      assert.are.equal(0, code, err)
      check(H.decode(out), c, "case " .. i .. " after convert")
    end
  end)

  describe("past maxDets", function()
    local dir
    setup(function()
      dir = H.tmpdir()
      for _, a in ipairs {{"13", "instances", "g13"}, {"14", "keypoints", "g14"}} do
        os.execute("mkdir -p " .. H.q(dir .. "/" .. a[3]))
        assert(os.execute(string.format("lua5.4 tools/gen_cocoeval.lua --seed %s --images 12 --dets 160 --kind %s --out %s",
          a[1], a[2], H.q(dir .. "/" .. a[3]))))
      end
    end)

    it("cuts each image's results at maxDets as pycocotools, with and without categories", function()
      for _, c in ipairs {{"bbox_nocats", "g13", "dt_bbox.json", "bbox --no-cats"},
          {"segm_nocats", "g13", "dt_segm.json", "segm --no-cats"},
          {"kp_bbox", "g14", "dt_keypoints.json", "bbox --per-class"},
          {"kp", "g14", "dt_keypoints.json", "keypoints --per-class"}} do
        local got = cocoeval(string.format("--gt %s --dt %s --iou-type %s", H.q(dir .. "/" .. c[2] .. "/gt.json"),
          H.q(dir .. "/" .. c[2] .. "/" .. c[3]), c[4]))
        check(got, MAXDETS[c[1]], c[1])
      end
    end)
  end)

  it("refuses bad usage and bad input with one line and exit 2", function()
    local dir = H.tmpdir()
    local gt = H.write(dir .. "/gt.json", [[{"images": [{"id": 1, "width": 10, "height": 10, "file_name": "a.jpg"}],
      "categories": [{"id": 1, "name": "a"}],
      "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 2, 2], "area": 4, "iscrowd": 0}]}]])
    local ok = H.write(dir .. "/ok.json", [=[[{"image_id": 1, "category_id": 1, "bbox": [0, 0, 2, 2], "score": 1}]]=])
    local cases = {
      {"--gt " .. H.q(gt) .. " --dt " .. H.q(ok), "needs --iou-type"},
      {"--gt " .. H.q(gt) .. " --dt " .. H.q(ok) .. " --iou-type mask", "expected bbox, segm or keypoints"},
      {"--gt " .. H.q(gt) .. " --dt " .. H.q(gt) .. " --iou-type bbox", "gt.json: expected a COCO results array"},
      {"--gt " .. H.q(gt) .. " --dt " .. H.q(H.write(dir .. "/img.json",
        [=[[{"image_id": 7, "category_id": 1, "bbox": [0, 0, 2, 2], "score": 1}]]=])) .. " --iou-type bbox",
        "img.json: [0]: image_id 7 is not an image of the ground truth"},
      {"--gt " .. H.q(gt) .. " --dt " .. H.q(H.write(dir .. "/noscore.json",
        [=[[{"image_id": 1, "category_id": 1, "bbox": [0, 0, 2, 2], "score": 1}, {"image_id": 1, "category_id": 1, "bbox": [0, 0, 2, 2]}]]=])) ..
        " --iou-type bbox", "noscore.json: [1]: no score"},
      {"--gt " .. H.q(gt) .. " --dt " .. H.q(ok) .. " --iou-type segm", "gt.json: annotations[0]: no segmentation"},
      {"--gt " .. H.q(gt) .. " --dt " .. H.q(ok) .. " --iou-type keypoints", "gt.json: annotations[0]: no keypoints"},
      {"--gt " .. H.q(gt) .. " --dt " .. H.q(ok) .. " --iou-type bbox --img-ids 1,x", "--img-ids: 'x' is not an integer id"},
      {"--gt " .. H.q(dir .. "/missing.json") .. " --dt " .. H.q(ok) .. " --iou-type bbox", "missing.json"},
    }
    for _, c in ipairs(cases) do
      local out, err, code = H.run("cocoeval " .. c[1])
      assert.are.equal(2, code, c[1] .. ": " .. err)
      assert.are.equal("", out)
      assert.truthy(err:find(c[2], 1, true), c[1] .. ": " .. err)
    end
    local got = cocoeval("--gt " .. H.q(gt) .. " --dt " .. H.q(ok) .. " --iou-type bbox --per-class")
    -- one exact match: AP is 1 up to pycocotools' tp / (tp + fp + eps)
    H.near(got.stats[1], 1, 1e-9, "AP")
    assert.are.equal(1, got.per_class.a.id)
    for _, k in ipairs {"ap", "ap50", "ap75"} do H.near(got.per_class.a[k], 1, 1e-9, k) end
  end)
end)
