-- COCO JSON: the real fixtures, generated files, round trips and results files,
-- through the real binary.
local H = require "tests.support.helper"

local function inspect(path, extra)
  local out, err, code = H.run("inspect " .. H.q(path) .. (extra or ""))
  assert.are.equal(0, code, err)
  return H.decode(out)
end

-- Runs a Lua script with `annovet run` and returns its stdout.
local function script(text, ...)
  local args = {}
  for _, a in ipairs {...} do args[#args + 1] = H.q(a) end
  local out, err, code = H.run("run " .. H.q(H.script(text)) .. " " .. table.concat(args, " "))
  assert.are.equal(0, code, err)
  return out
end

-- Makes a file with tools/gen_coco.lua (seeded) and returns its path.
local function generate(args)
  local path = H.tmpdir() .. "/gen.json"
  assert(os.execute("lua5.4 tools/gen_coco.lua " .. args .. " > " .. H.q(path)))
  return path
end

local function decode_file(path)
  return H.decode(assert(H.slurp(path), path))
end

-- Deep equality of decoded JSON values, numbers compared exactly.
local function same(a, b, where)
  if type(a) == "table" and type(b) == "table" then
    for k, v in pairs(a) do same(v, b[k], where .. "." .. tostring(k)) end
    for k in pairs(b) do
      if a[k] == nil then error(where .. "." .. tostring(k) .. ": only in the output") end
    end
  elseif a ~= b then
    error(string.format("%s: %s in the input, %s in the output", where, tostring(a), tostring(b)))
  end
end

-- Every field annovet keeps of images, categories and annotations must come back
-- with the same value (info, licenses and image URLs are not kept).
local KEPT_IMAGE = {"id", "file_name", "width", "height"}
local KEPT_ANN = {"id", "image_id", "category_id", "segmentation", "area", "bbox", "iscrowd",
  "attributes", "keypoints", "num_keypoints", "score"}

local function compare_coco(input, output)
  local a, b = decode_file(input), decode_file(output)
  assert.are.equal(#a.images, #b.images)
  for i, im in ipairs(a.images) do
    for _, k in ipairs(KEPT_IMAGE) do same(im[k], b.images[i][k], "images[" .. i .. "]." .. k) end
  end
  assert.are.equal(#a.categories, #b.categories)
  for i, c in ipairs(a.categories) do
    for _, k in ipairs {"id", "name", "supercategory", "keypoints"} do
      same(c[k], b.categories[i][k], "categories[" .. i .. "]." .. k)
    end
  end
  local by_id = {}
  for _, x in ipairs(b.annotations) do by_id[x.id] = x end
  assert.are.equal(#a.annotations, #b.annotations)
  for i, x in ipairs(a.annotations) do
    local y = assert(by_id[x.id], "annotation " .. tostring(x.id) .. " missing")
    for _, k in ipairs(KEPT_ANN) do
      local v = x[k]
      -- an empty segmentation list of a box comes back as []
      if not (k == "segmentation" and type(v) == "table" and #v == 0 and next(v) == nil) then
        same(v, y[k], "annotations[" .. i .. "]." .. k)
      end
    end
  end
  return a, b
end

describe("COCO", function()
  after_each(H.cleanup)

  -- Counts read off the fixture files by hand (they are a few dozen lines each);
  -- datumaro's tests/unit/test_coco_format.py expects the same: one image "b"
  -- (5x10) with a polygon of label a (attributes x=1, y="hello") and a crowd RLE
  -- mask of label b, out of three categories a, b, c (ids 1, 2, 4).
  it("inspects instances_val.json (polygon with attributes, uncompressed crowd RLE)", function()
    local path = H.fixture("formats/coco/instances_val.json")
    if not path then return pending(H.NO_SHARED) end
    local s = inspect(path)
    assert.are.equal("coco", s.format)
    assert.are.equal(1, s.items)
    assert.are.equal(2, s.annotations)
    assert.are.equal(3, s.categories)
    assert.are.same({polygon = 1, mask = 1}, s.by_type)
    assert.are.same({a = 1, b = 1}, s.by_class)
    assert.are.same({}, s.warnings)
    local out = script([[
      local ds = assert(annovet.load(arg[1]))
      local a = ds:annotation(1)
      local m = ds:annotation(2)
      print(a.attributes.x, a.attributes.y, a.iscrowd, m.iscrowd, table.concat(m.rle, ","),
        table.concat(m.coords, ","), #a.parts, a.parts[1])
    ]], path)
    assert.are.equal("1\thello\tfalse\ttrue\t0,20,30\t10,5\t1\t4\n", out)
  end)

  -- instances_train.json by hand: one image "a" (10x5), one annotation of label b
  -- with an empty segmentation and bbox [2, 2, 3, 1]: a box.
  it("inspects instances_train.json and the identical Roboflow file (a box only)", function()
    for _, f in ipairs {"formats/coco/instances_train.json", "formats/coco/roboflow_train_annotations.coco.json"} do
      local path = H.fixture(f)
      if not path then return pending(H.NO_SHARED) end
      local s = inspect(path)
      assert.are.equal(1, s.items)
      assert.are.equal(1, s.annotations)
      assert.are.same({box = 1}, s.by_type)
      assert.are.same({b = 1}, s.by_class)
    end
  end)

  -- person_keypoints_val.json by hand: two annotations with 3 keypoints each (one
  -- crowd), empty keypoint-name lists and the 0-based skeleton [[0,1],[1,2]].
  it("inspects person_keypoints_val.json, reading its 0-based skeleton as such", function()
    local path = H.fixture("formats/coco/person_keypoints_val.json")
    if not path then return pending(H.NO_SHARED) end
    local s = inspect(path)
    assert.are.same({keypoints = 2}, s.by_type)
    assert.are.equal(1, #s.warnings)
    assert.are.equal("skeleton 0-based", s.warnings[1].kind)
    assert.are.equal(2, s.warnings[1].count)
    -- Lua sees the skeleton 1-based (indexing the keypoint list)
    local out = script([[
      local ds = assert(annovet.load(arg[1]))
      for c in ds:categories() do
        local t = {}
        for _, p in ipairs(c.skeleton) do t[#t + 1] = p[1] .. "-" .. p[2] end
        print(c.name, table.concat(t, " "))
      end
      local a = ds:annotation(2)
      print(table.concat(a.coords, ","), table.concat(a.rle, ","))
    ]], path)
    assert.are.equal("a\t1-2 2-3\nb\t1-2 2-3\n2,4,2,4,4,2,4,2,2\t0,20,30\n", out)
    -- written as COCO proper: 1-based
    local dst = H.tmpdir() .. "/kp.json"
    local _, err, code = H.run("convert " .. H.q(path) .. " " .. H.q(dst) .. " --to coco")
    assert.are.equal(0, code, err)
    local b = decode_file(dst)
    assert.are.same({{1, 2}, {2, 3}}, b.categories[1].skeleton)
    -- and read back without the warning, to the same skeleton
    local s2 = inspect(dst)
    assert.are.same({}, s2.warnings)
    compare_coco(path, dst)
  end)

  it("reads the top-level keys in any order (annotations before images and categories)", function()
    local path = H.write(H.tmpdir() .. "/order.json", [=[{"annotations":[{"id":1,"image_id":7,"category_id":2,"bbox":[1,1,1,1]}],
      "info":{"year":2017},"categories":[{"id":2,"name":"dog"}],"images":[{"id":7,"file_name":"d.jpg","width":4,"height":4}]}]=])
    local s = inspect(path)
    assert.are.equal(1, s.annotations)
    assert.are.same({dog = 1}, s.by_class)
  end)

  it("reads a 1-based (COCO proper) skeleton without a warning", function()
    local path = H.write(H.tmpdir() .. "/kp1.json", [=[{"images":[{"id":1,"file_name":"x.jpg","width":10,"height":10}],
      "categories":[{"id":1,"name":"p","keypoints":["a","b","c"],"skeleton":[[1,2],[2,3]]}],
      "annotations":[{"id":1,"image_id":1,"category_id":1,"keypoints":[1,1,2,2,2,1,0,0,0],"num_keypoints":2,"bbox":[1,1,1,1]}]}]=])
    local s = inspect(path)
    assert.are.same({}, s.warnings)
    local out = script([[
      local ds = assert(annovet.load(arg[1]))
      for c in ds:categories() do print(table.concat(c.keypoints, ","), c.skeleton[1][1], c.skeleton[2][2]) end
    ]], path)
    assert.are.equal("a,b,c\t1\t3\n", out)
    local dst = H.tmpdir() .. "/out.json"
    assert.are.equal(0, select(3, H.run("convert " .. H.q(path) .. " " .. H.q(dst) .. " --to coco")))
    assert.are.same({{1, 2}, {2, 3}}, decode_file(dst).categories[1].skeleton)
  end)

  -- compare_coco decodes both files with dkjson: the written text itself, not
  -- annovet's reading of it, must hold the input's numbers.
  it("round-trips annovet's own COCO fixtures keeping every number", function()
    local written = {}
    for _, f in ipairs {"instances.json", "person_keypoints.json"} do
      local path = H.datafile("fixtures/coco/" .. f)
      local dst = H.tmpdir() .. "/" .. f
      local _, err, code = H.run("convert " .. H.q(path) .. " " .. H.q(dst) .. " --to coco")
      assert.are.equal(0, code, err)
      compare_coco(path, dst)
      written[f] = decode_file(dst)
    end
    -- and values as the fixture's text has them
    local out = written["instances.json"]
    assert.are.same({10, 12, 20, 8}, out.annotations[1].bbox)
    assert.are.same({{10, 12, 30, 12, 30, 20, 10, 20}}, out.annotations[1].segmentation)
    assert.are.same({48, 64}, out.annotations[3].segmentation.size)
    assert.are.equal(1, out.annotations[3].iscrowd)
    assert.are.same({10, 5, 2, 6, 15, 2, 0, 0, 0}, written["person_keypoints.json"].annotations[1].keypoints)
  end)

  it("round-trips every fixture COCO -> model -> COCO keeping every number", function()
    for _, f in ipairs {"instances_val.json", "instances_train.json", "person_keypoints_val.json",
                        "roboflow_train_annotations.coco.json"} do
      local path = H.fixture("formats/coco/" .. f)
      if not path then return pending(H.NO_SHARED) end
      local dst = H.tmpdir() .. "/" .. f
      local _, err, code = H.run("convert " .. H.q(path) .. " " .. H.q(dst) .. " --to coco")
      assert.are.equal(0, code, err)
      compare_coco(path, dst)
    end
  end)

  it("round-trips a generated file with polygons in parts, crowd RLE both ways, full-precision areas", function()
    local src = generate("--seed 7 --images 40 --objects 150 --crowd 0.15 --compressed 0.5")
    local a = decode_file(src)
    local strings, lists, multi = 0, 0, 0
    for _, x in ipairs(a.annotations) do
      if type(x.segmentation.counts) == "string" then strings = strings + 1 end
      if type(x.segmentation.counts) == "table" then lists = lists + 1 end
      if x.iscrowd == 0 and #x.segmentation > 1 then multi = multi + 1 end
    end
    assert.is_true(strings > 0 and lists > 0 and multi > 0, "the generator covers every case")
    local s = inspect(src)
    assert.are.equal(40, s.items)
    assert.are.equal(150, s.annotations)
    assert.are.equal(strings + lists, s.by_type.mask)
    local dst = H.tmpdir() .. "/rt.json"
    local _, err, code = H.run("convert " .. H.q(src) .. " " .. H.q(dst) .. " --to coco")
    assert.are.equal(0, code, err)
    compare_coco(src, dst)
    -- and a second trip gives the same bytes
    local dst2 = H.tmpdir() .. "/rt2.json"
    assert.are.equal(0, select(3, H.run("convert " .. H.q(dst) .. " " .. H.q(dst2) .. " --to coco")))
    assert.are.equal(H.slurp(dst), H.slurp(dst2))
  end)

  it("round-trips generated keypoints with their segmentation and 1-based skeleton", function()
    local src = generate("--seed 3 --images 10 --objects 30 --keypoints")
    local dst = H.tmpdir() .. "/kp.json"
    local _, err, code = H.run("convert " .. H.q(src) .. " " .. H.q(dst) .. " --to coco")
    assert.are.equal(0, code, err)
    local a, b = compare_coco(src, dst)
    same(a.categories[1].skeleton, b.categories[1].skeleton, "skeleton")
    assert.are.same({keypoints = 30}, inspect(dst).by_type)
  end)

  it("keeps numbers exactly: shortest round-trip text, no precision lost", function()
    local nums = {0.1, 1e-7, 123456.78901234567, 5e-324, 1.7976931348623157e308, 2 / 3, 1e21, -0.5}
    local t = {}
    for _, v in ipairs(nums) do t[#t + 1] = string.format("%.17g", v) end
    local bbox = string.format("[%s, %s, %s, %s]", t[1], t[2], t[3], t[6])
    local path = H.write(H.tmpdir() .. "/n.json", string.format([=[{"images":[{"id":1,"file_name":"x","width":0,"height":0}],
      "categories":[{"id":1,"name":"c"}],
      "annotations":[{"id":1,"image_id":1,"category_id":1,"bbox":%s,"area":%s,"score":%s,
        "segmentation":[[%s]]}]}]=], bbox, t[4], t[8], table.concat(t, ",", 1, 8)))
    local dst = H.tmpdir() .. "/o.json"
    assert.are.equal(0, select(3, H.run("convert " .. H.q(path) .. " " .. H.q(dst) .. " --to coco")))
    local b = decode_file(dst).annotations[1]
    for i, v in ipairs(nums) do assert.are.equal(v, b.segmentation[1][i]) end
    assert.are.equal(5e-324, b.area)
    assert.are.equal(-0.5, b.score)
    -- printed shortest: "0.1", not "0.10000000000000001"
    local text = H.slurp(dst)
    assert.truthy(text:find("[0.1,1e-07,123456.78901234567,", 1, true), text)
    assert.truthy(text:find(",0.6666666666666666,1e+21,-0.5]", 1, true), text)
  end)

  it("reads and writes the \"annotator\" extension (names or numeric ids)", function()
    local path = H.write(H.tmpdir() .. "/a.json", [=[{"images":[{"id":1,"file_name":"x","width":9,"height":9}],
      "categories":[{"id":1,"name":"c"}],
      "annotations":[{"id":1,"image_id":1,"category_id":1,"bbox":[1,1,1,1],"annotator":"alice"},
        {"id":2,"image_id":1,"category_id":1,"bbox":[2,2,1,1],"annotator":7},
        {"id":3,"image_id":1,"category_id":1,"bbox":[3,3,1,1]}]}]=])
    local s = inspect(path)
    assert.are.same({alice = 1, ["7"] = 1, ["(none)"] = 1}, s.by_annotator)
    local dst = H.tmpdir() .. "/o.json"
    local _, err, code = H.run("convert " .. H.q(path) .. " " .. H.q(dst) .. " --to coco")
    assert.are.equal(0, code, err)
    assert.are.equal("", err)
    local b = decode_file(dst).annotations
    assert.are.equal("alice", b[1].annotator)
    assert.are.equal("7", b[2].annotator)
    assert.is_nil(b[3].annotator)
  end)

  describe("results files", function()
    local RESULTS = [=[[
      {"image_id": 40, "category_id": 1, "bbox": [0.5, 0.5, 2, 3], "score": 0.9},
      {"image_id": 40, "category_id": 2, "bbox": [1, 1, 1, 1], "score": 0.25},
      {"image_id": 41, "category_id": 4, "segmentation": {"size": [10, 5], "counts": "0d0n0"}, "score": 0.5}
    ]]=]

    it("reads a results array on its own: items of unknown size, categories named by id", function()
      local path = H.write(H.tmpdir() .. "/res.json", RESULTS)
      local s = inspect(path)
      assert.are.equal("coco-results", s.format)
      assert.are.equal(2, s.items)
      assert.are.equal(3, s.annotations)
      assert.are.same({box = 2, mask = 1}, s.by_type)
      assert.are.same({["1"] = 1, ["2"] = 1, ["4"] = 1}, s.by_class)
      assert.are.equal("categories named by id", s.warnings[1].kind)
    end)

    it("resolves a results array against its ground truth, and refuses unknown images", function()
      local gt = H.fixture("formats/coco/instances_val.json")
      if not gt then return pending(H.NO_SHARED) end
      local dir = H.tmpdir()
      local res = H.write(dir .. "/res.json", RESULTS:gsub('"image_id": 41', '"image_id": 40'))
      local out = script([[
        local gt = assert(annovet.load(arg[1]))
        local ds = assert(annovet.load(arg[2], {gt = gt}))
        local c = ds:counts()
        print(c.items, c.annotations, c.by_class.a, c.by_class.b, c.by_class.c)
        for a in ds:annotations{min_score = 0.5} do print(a.category, a.score, a.file) end
        local ok, msg = annovet.load(arg[3], {gt = gt})
        print(ok, msg)
      ]], gt, res, H.write(dir .. "/bad.json", RESULTS))
      assert.are.equal("1\t3\t1\t1\t1\na\t0.9\tb.jpg\nc\t0.5\tb.jpg\nnil\t" .. dir ..
        "/bad.json: [2].image_id: no image with id 41 in the ground truth\n", out)
    end)

    it("takes the ground truth on the command line (--gt), naming classes and image sizes", function()
      local gt = H.fixture("formats/coco/instances_val.json")
      if not gt then return pending(H.NO_SHARED) end
      local res = H.write(H.tmpdir() .. "/res.json", '[{"image_id":40,"category_id":4,"bbox":[4,9,2,2],"score":0.5}]')
      local s = inspect(res, " --gt " .. H.q(gt))
      assert.are.same({c = 1}, s.by_class)
      -- the image is 5x10 in the ground truth, so the box leaves it
      assert.are.equal("box outside image", s.warnings[1].kind)
      local _, err, code = H.run("inspect " .. H.q(res) .. " --gt " .. H.q(H.write(H.tmpdir() .. "/g.json", "{")))
      assert.are.equal(2, code)
      assert.truthy(err:find("g.json:1:2: unexpected end of file", 1, true), err)
    end)

    -- Issue 13: in a results file the keypoints' third slot is the detector's
    -- score for that keypoint (COCO's results format; pycocotools' loadRes never
    -- reads it as visibility), so it draws no visibility warning; in an
    -- annotation file the same number still does.
    it("reads keypoint scores in results without a visibility warning, and warns in annotations", function()
      local dir = H.tmpdir()
      local kinds = function(s)
        local t = {}
        for _, w in ipairs(s.warnings) do t[w.kind] = w.count end
        return t
      end
      local res = H.write(dir .. "/kp_res.json", '[{"image_id": 1, "category_id": 1, "score": 0.8, ' ..
        '"keypoints": [10, 20, 0.93, 30, 40, 0.41, 50, 60, 2]}]')
      local s = inspect(res)
      assert.are.equal("coco-results", s.format)
      assert.are.same({keypoints = 1}, s.by_type)
      assert.are.same({["categories named by id"] = 1}, kinds(s))
      local ann = H.write(dir .. "/kp_ann.json", [[{"images": [{"id": 1, "file_name": "a.jpg", "width": 100, "height": 100}],
        "categories": [{"id": 1, "name": "person", "keypoints": ["a", "b", "c"]}],
        "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "keypoints": [10, 20, 0.93, 30, 40, 0.41, 50, 60, 2],
          "num_keypoints": 3, "bbox": [0, 0, 60, 60], "area": 3600, "iscrowd": 0}]}]])
      s = inspect(ann)
      assert.are.equal("coco", s.format)
      assert.are.same({["keypoint visibility not 0, 1 or 2"] = 2}, kinds(s))
      -- results read against their ground truth: no visibility warning either
      s = inspect(res, " --gt " .. H.q(ann))
      assert.are.equal(nil, kinds(s)["keypoint visibility not 0, 1 or 2"])
    end)

    it("round-trips a generated results file with scores", function()
      local src = generate("--seed 5 --images 30 --objects 200 --results")
      local dst = H.tmpdir() .. "/res2.json"
      local _, err, code = H.run("convert " .. H.q(src) .. " " .. H.q(dst) .. " --to coco-results")
      assert.are.equal(0, code, err)
      local a, b = decode_file(src), decode_file(dst)
      assert.are.equal(200, #b)
      for i, x in ipairs(a) do
        for _, k in ipairs {"image_id", "category_id", "bbox", "score"} do same(x[k], b[i][k], "[" .. i .. "]." .. k) end
      end
    end)
  end)
end)
