-- annovet compare against independent counts: generated vendors scored by a
-- separate optimal-assignment computation (scipy), and the real fixtures.
local H = require "tests.support.helper"

-- Per-class "tp/fp/fn/ignored" from tools/compare_ref.py (numpy box IoU or
-- pycocotools' mask API, scipy.optimize.linear_sum_assignment), run while
-- developing on the data of
--   lua5.4 tools/gen_compare.lua --out DIR --images 60 --objects 400 --seed 3 --crowd 0.05 --drop 0.05 --prefix v/
-- with
--   /usr/bin/python3 tools/compare_ref.py DIR/gold.json DIR/VENDOR.json --iou-type T \
--       --pycocotools /tmp/ref/cocoapi/PythonAPI
-- (pycocotools built from a cocoapi snapshot outside the worktree). The reference
-- scores the delivered items only, so these runs pass --skip-missing-items.
local REF = H.data("compare/ref_counts.lua")

local function generate(args)
  local dir = H.tmpdir()
  assert(os.execute("lua5.4 tools/gen_compare.lua --out " .. H.q(dir) .. " " .. args), "gen_compare.lua failed")
  return dir
end

local function counts_of(per_class)
  local parts = {}
  for name, s in pairs(per_class) do
    if s.tp + s.fp + s.fn + s.ignored > 0 then
      parts[#parts + 1] = string.format("%s=%d/%d/%d/%d", name, s.tp, s.fp, s.fn, s.ignored)
    end
  end
  table.sort(parts)
  return table.concat(parts, " ")
end

describe("compare against an independent assignment", function()
  local dir
  setup(function()
    dir = generate("--images 60 --objects 400 --seed 3 --crowd 0.05 --drop 0.05 --prefix v/")
  end)
  teardown(H.cleanup)

  for _, t in ipairs {"bbox", "segm"} do
    it("gives scipy's per-class counts for three vendors, " .. t, function()
      local out, err, code = H.run("compare --gold " .. H.q(dir .. "/gold.json") ..
        " --vendor acme=" .. H.q(dir .. "/acme.json") .. " --vendor budget=" .. H.q(dir .. "/budget.json") ..
        " --vendor rapid=" .. H.q(dir .. "/rapid.json") .. " --iou-type " .. t .. " --skip-missing-items")
      assert.are.equal(0, code, err)
      local doc = H.decode(out)
      assert.are.equal(t, doc.iou_type)
      for _, v in ipairs {"acme", "budget", "rapid"} do
        local r = doc.vendors[v]
        assert.are.equal(REF[v .. "_" .. t], counts_of(r.per_class), v)
        -- items paired by basename (the vendors write v/NAME), a few not delivered
        assert.are.equal(0, r.items.by_file)
        assert.are.equal(r.items.compared, r.items.by_basename)
        assert.are.equal(r.items.gold, r.items.compared + #r.items.not_delivered)
        assert.are.equal(({acme = 2, budget = 0, rapid = 3})[v], #r.items.not_delivered, v)
        -- the per-class sums are the micro counts
        local tp, fp, fn = 0, 0, 0
        for _, s in pairs(r.per_class) do tp, fp, fn = tp + s.tp, fp + s.fp, fn + s.fn end
        assert.are.same({tp, fp, fn}, {r.micro.tp, r.micro.fp, r.micro.fn})
        H.near(r.micro.f1, 2 * tp / (2 * tp + fp + fn), 1e-12, v .. " micro F1")
      end
    end)
  end

  it("gives the same output on one thread and on several", function()
    local base = "compare --gold " .. H.q(dir .. "/gold.json") .. " --vendor acme=" .. H.q(dir .. "/acme.json") ..
      " --vendor budget=" .. H.q(dir .. "/budget.json")
    local one, err, code = H.run(base .. " --threads 1")
    assert.are.equal(0, code, err)
    for _, t in ipairs {2, 3, 7} do
      local out = H.run(base .. " --threads " .. t)
      assert.are.equal(one, out, t .. " threads")
    end
  end)

  it("defaults to segm when every file has polygons, and the greedy matcher never finds more", function()
    local out, err, code = H.run("compare --gold " .. H.q(dir .. "/gold.json") .. " --vendor rapid=" ..
      H.q(dir .. "/rapid.json") .. " --skip-missing-items")
    assert.are.equal(0, code, err)
    local opt = H.decode(out)
    assert.are.equal("segm", opt.iou_type)
    assert.are.equal(REF.rapid_segm, counts_of(opt.vendors.rapid.per_class))
    out, err, code = H.run("compare --gold " .. H.q(dir .. "/gold.json") .. " --vendor rapid=" ..
      H.q(dir .. "/rapid.json") .. " --matcher greedy")
    assert.are.equal(0, code, err)
    local gr = H.decode(out)
    assert.are.equal("greedy", gr.matcher)
    assert.is_true(gr.vendors.rapid.micro.tp <= opt.vendors.rapid.micro.tp)
  end)
end)

describe("compare on the real fixtures", function()
  after_each(H.cleanup)

  it("scores each COCO and Label Studio fixture perfectly against itself", function()
    local cases = {
      {"coco/instances_val.json", "segm", 1},
      {"coco/instances_val.json", "bbox", 1},
      {"coco/instances_train.json", "bbox", 1},
      {"coco/person_keypoints_val.json", "keypoints --kpt-sigmas a=.025,.025,.025 --kpt-sigmas b=.025,.025,.025", 1},
      {"coco/roboflow_train_annotations.coco.json", "bbox", 1},
      {"label_studio/polygons.json", "segm", 1},
      {"label_studio/rectangles_two_annotators.json", "bbox", 6},
    }
    for _, c in ipairs(cases) do
      local path = H.fixture("formats/" .. c[1])
      if not path then return pending(H.NO_SHARED) end
      local out, err, code = H.run("compare --gold " .. H.q(path) .. " --vendor self=" .. H.q(path) ..
        " --full --iou-type " .. c[2])
      assert.are.equal(0, code, c[1] .. ": " .. err)
      local r = H.decode(out).vendors.self
      assert.are.same({c[3], 0, 0}, {r.micro.tp, r.micro.fp, r.micro.fn}, c[1] .. " " .. c[2])
      H.near(r.micro.mean_iou, 1, 1e-12, c[1])
      assert.are.equal(0, #r.conflicts, c[1])
    end
    -- instances_val's crowd region: never missed, and the vendor's own copy left out
    local r = H.decode((H.run("compare --gold " .. H.q(H.fixture("formats/coco/instances_val.json")) ..
      " --vendor self=" .. H.q(H.fixture("formats/coco/instances_val.json"))))).vendors.self
    assert.are.equal(1, r.left_out.gold_crowd)
    assert.are.equal(1, r.left_out.vendor.crowd)
  end)

  -- instances_val.json: a polygon of "a" and a crowd RLE of "b"; person_keypoints_val.json:
  -- the same two objects as keypoint sets carrying those segmentations. Both sides
  -- have segmentations, so the default is segm (keypoint annotations included);
  -- "a"'s polygons are identical (IoU 1) and the crowd regions are left out.
  it("defaults to segm where both sides have segmentations, keypoint sets' included", function()
    local inst = H.fixture("formats/coco/instances_val.json")
    local kp = H.fixture("formats/coco/person_keypoints_val.json")
    if not inst then return pending(H.NO_SHARED) end
    for _, pair in ipairs {{inst, kp}, {kp, inst}, {kp, kp}} do
      local out, err, code = H.run("compare --gold " .. H.q(pair[1]) .. " --vendor v=" .. H.q(pair[2]))
      assert.are.equal(0, code, err)
      local doc = H.decode(out)
      assert.are.equal("segm", doc.iou_type, pair[1] .. " vs " .. pair[2])
      local r = doc.vendors.v
      assert.are.same({1, 0, 0}, {r.micro.tp, r.micro.fp, r.micro.fn})
      assert.are.equal(1, r.micro.mean_iou)
    end
  end)

  -- Keypoint sets without segmentations: keypoints by default (OKS of identical
  -- points is 1); a class without COCO's 17 keypoints then needs sigmas, and the
  -- message says why keypoints was chosen; boxes on one side make it bbox.
  it("defaults to keypoints where every file has keypoints and not every one a segmentation", function()
    local dir = H.tmpdir()
    local function kps(n)
      local t = {}
      for k = 1, n do t[#t + 1], t[#t + 2], t[#t + 3] = 10 + k, 20 + 2 * k, 2 end
      return t
    end
    local function file(name, n, box_only)
      local ann = {id = 1, image_id = 1, category_id = 1, bbox = {11, 22, 40, 40}, area = 1600, iscrowd = 0}
      if not box_only then ann.keypoints = kps(n) end
      return H.write(dir .. "/" .. name, H.json.encode({images = {{id = 1, file_name = "p.jpg", width = 100, height = 100}},
        categories = {{id = 1, name = "person"}}, annotations = {ann}}))
    end
    local k17, k3, box = file("k17.json", 17), file("k3.json", 3), file("box.json", 0, true)
    local out, err, code = H.run("compare --gold " .. H.q(k17) .. " --vendor v=" .. H.q(k17))
    assert.are.equal(0, code, err)
    local doc = H.decode(out)
    assert.are.same({"keypoints", "oks", 1}, {doc.iou_type, doc.vendors.v.similarity, doc.vendors.v.micro.mean_iou})
    out, err, code = H.run("compare --gold " .. H.q(k3) .. " --vendor v=" .. H.q(k3))
    assert.are.equal(2, code)
    assert.are.equal("", out)
    assert.truthy(err:find("class 'person' has 3 keypoints: OKS needs their sigmas", 1, true), err)
    assert.truthy(err:find("keypoints is the default --iou-type", 1, true), err)
    out, err, code = H.run("compare --gold " .. H.q(k3) .. " --vendor v=" .. H.q(k3) .. " --kpt-sigmas person=.1,.1,.1")
    assert.are.equal(0, code, err)
    assert.are.equal("keypoints", H.decode(out).iou_type)
    out, err, code = H.run("compare --gold " .. H.q(k17) .. " --vendor v=" .. H.q(box))
    assert.are.equal(0, code, err)
    assert.are.equal("bbox", H.decode(out).iou_type)
  end)

  it("scores annotator 1 of rectangles_two_annotators.json against annotator 2", function()
    local path = H.fixture("formats/label_studio/rectangles_two_annotators.json")
    if not path then return pending(H.NO_SHARED) end
    local dir = H.tmpdir()
    local script = H.script([[
local annovet = require "annovet"
local ds = assert(annovet.load(arg[1]))
assert(ds:filter{annotator = "2"}:save(arg[2] .. "/a2.json", "coco"))
assert(ds:filter{annotator = "1"}:save(arg[2] .. "/a1.json", "coco"))
]])
    local _, err, code = H.run("run --out " .. H.q(dir) .. " " .. H.q(script) .. " " .. H.q(path) .. " " .. H.q(dir))
    assert.are.equal(0, code, err)
    local out
    out, err, code = H.run("compare --gold " .. H.q(dir .. "/a2.json") .. " --vendor a1=" .. H.q(dir .. "/a1.json"))
    assert.are.equal(0, code, err)
    local r = H.decode(out).vendors.a1
    -- By hand from the fixture's percentages (x, width in % of 2800 px): task 1's
    -- parasites boxes overlap with IoU 0.5114401076716031 (computed with Python
    -- from the raw values); the white boxes do not overlap; annotator 2 drew
    -- nothing on task 2, where annotator 1 drew two white boxes.
    assert.are.same({tp = 1, fp = 0, fn = 0}, {tp = r.per_class.parasites.tp, fp = r.per_class.parasites.fp,
      fn = r.per_class.parasites.fn})
    H.near(r.per_class.parasites.mean_iou, 0.5114401076716031, 1e-9, "parasites IoU")
    assert.are.same({0, 3, 1}, {r.per_class.white.tp, r.per_class.white.fp, r.per_class.white.fn})
    assert.are.same({extra = 3, missing = 1}, r.conflict_counts)
    -- the missed white box of task 1 is charged to annotator 1, the only one there
    assert.are.equal(1, r.annotators["1"].micro.fn)
  end)
end)
