-- Label Studio JSON export: the real fixtures, every result type annovet reads,
-- and round trips, through the real binary.
local H = require "tests.support.helper"

local function inspect(path)
  local out, err, code = H.run("inspect " .. H.q(path))
  assert.are.equal(0, code, err)
  return H.decode(out)
end

-- Every annotation of a file as JSON lines (via annovet run), decoded.
local DUMP = [[
  local ds = assert(annovet.load(arg[1], arg[2] and {format = arg[2]} or nil))
  for a in ds:annotations() do
    a.source = nil
    a.index = nil
    print(annovet.json.encode(a))
  end
]]
local function annotations(path, format)
  local out, err, code = H.run("run " .. H.q(H.script(DUMP)) .. " " .. H.q(path) .. (format and (" " .. format) or ""))
  assert.are.equal(0, code, err)
  local list = {}
  for line in out:gmatch("[^\n]+") do list[#list + 1] = H.decode(line) end
  return list
end

-- Equal up to tol (relative) for numbers, exactly otherwise.
local function close(a, b, where, tol)
  if type(a) == "number" and type(b) == "number" then
    H.near(a, b, (tol or 1e-12) * math.max(1, math.abs(a)), where)
  elseif type(a) == "table" and type(b) == "table" then
    for k, v in pairs(a) do close(v, b[k], where .. "." .. tostring(k), tol) end
    for k in pairs(b) do assert(a[k] ~= nil, where .. "." .. tostring(k) .. ": only in the second") end
  else
    assert.are.equal(a, b, where)
  end
end

local function by_key(list)
  local t = {}
  for _, a in ipairs(list) do
    local k = table.concat({a.item, a.annotator or "", a.type, a.category or "",
      a.bbox and string.format("%.6f", a.bbox[1]) or (a.coords and string.format("%.6f", a.coords[1])) or ""}, "|")
    t[k] = a
  end
  return t
end

-- COCO runs with the zero-length runs inside merged away (the same mask): what
-- a mask looks like after a trip through a bitmap.
local function canonical(runs)
  local out, last = {}, nil
  for i, n in ipairs(runs) do
    local v = (i - 1) % 2
    if n > 0 then
      if last == v then
        out[#out] = out[#out] + n
      else
        if #out == 0 and v == 1 then out[1] = 0 end
        out[#out + 1] = n
        last = v
      end
    end
  end
  return out
end

-- A 640x480 task with every result type annovet reads; the expected pixels are
-- worked by hand in the test below.
local TASKS = [==[[
{"id": 11, "data": {"image": "/data/upload/a.jpg"},
 "annotations": [
  {"id": 1, "completed_by": 5, "ground_truth": true, "result": [
   {"id": "r1", "type": "rectanglelabels", "from_name": "label", "to_name": "image", "original_width": 640, "original_height": 480,
    "value": {"x": 10, "y": 20, "width": 30, "height": 40, "rotation": 0, "rectanglelabels": ["car"]}},
   {"id": "r1", "type": "choices", "from_name": "quality", "to_name": "image", "original_width": 640, "original_height": 480,
    "value": {"x": 10, "y": 20, "width": 30, "height": 40, "choices": ["good"]}},
   {"id": "r2", "type": "rectanglelabels", "from_name": "label", "to_name": "image", "original_width": 640, "original_height": 480,
    "value": {"x": 50, "y": 50, "width": 10, "height": 20, "rotation": 90, "rectanglelabels": ["car"]}},
   {"id": "k1", "type": "keypointlabels", "from_name": "kp", "to_name": "image", "original_width": 640, "original_height": 480,
    "value": {"x": 25, "y": 50, "width": 0.5, "keypointlabels": ["nose"]}},
   {"id": "p1", "type": "polygonlabels", "from_name": "poly", "to_name": "image", "original_width": 640, "original_height": 480,
    "value": {"points": [[0, 0], [50, 0], [50, 50]], "polygonlabels": ["road"]}},
   {"id": "c1", "type": "choices", "from_name": "scene", "to_name": "image", "value": {"choices": ["indoor", "night"]}},
   {"id": "o1", "type": "rectangle", "from_name": "bbox", "to_name": "image", "original_width": 640, "original_height": 480,
    "value": {"x": 0, "y": 0, "width": 10, "height": 10, "rotation": 0}},
   {"id": "o1", "type": "labels", "from_name": "ocrlabel", "to_name": "image", "original_width": 640, "original_height": 480,
    "value": {"x": 0, "y": 0, "width": 10, "height": 10, "rotation": 0, "labels": ["Text"]}},
   {"id": "o1", "type": "textarea", "from_name": "transcription", "to_name": "image", "original_width": 640, "original_height": 480,
    "value": {"x": 0, "y": 0, "width": 10, "height": 10, "rotation": 0, "text": ["hello", "world"]}},
   {"id": "e1", "type": "ellipselabels", "from_name": "e", "to_name": "image", "original_width": 640, "original_height": 480,
    "value": {"x": 5, "y": 5, "radiusX": 1, "radiusY": 1, "ellipselabels": ["car"]}}
  ]},
  {"id": 2, "completed_by": 6, "was_cancelled": true, "result": []}
 ],
 "predictions": [
  {"model_version": "v2", "score": 0.8, "result": [
   {"id": "q1", "type": "rectanglelabels", "from_name": "label", "to_name": "image", "original_width": 640, "original_height": 480,
    "value": {"x": 10, "y": 20, "width": 30, "height": 41, "rotation": 0, "rectanglelabels": ["car"]}}]}
 ]}
]]==]

describe("Label Studio", function()
  after_each(H.cleanup)

  -- Counts read off the fixture by hand: task 1 has annotations by users 2 and 1
  -- with two boxes each (parasites, white), task 2 one annotation by user 1 with
  -- two boxes (white, white); label-studio-converter's test_export_yolo uses the
  -- same file and expects boxes of these two labels.
  it("inspects rectangles_two_annotators.json: two annotators on task 1", function()
    local path = H.fixture("formats/label_studio/rectangles_two_annotators.json")
    if not path then return pending(H.NO_SHARED) end
    local s = inspect(path)
    assert.are.equal("labelstudio", s.format)
    assert.are.equal(2, s.items)
    assert.are.equal(6, s.annotations)
    assert.are.equal(2, s.annotators)
    assert.are.same({box = 6}, s.by_type)
    assert.are.same({white = 4, parasites = 2}, s.by_class)
    assert.are.same({["1"] = 4, ["2"] = 2}, s.by_annotator)
    -- the first box: x 37.15846994535519 % of 2800 px, y 70.67395264116576 %, ...
    local a = annotations(path)[1]
    assert.are.equal("2", a.annotator)
    assert.are.equal("parasites", a.category)
    H.near(a.bbox[1], 37.15846994535519 * 28, 1e-9, "x")
    H.near(a.bbox[2], 70.67395264116576 * 28, 1e-9, "y")
    H.near(a.bbox[3], 4.189435336976321 * 28, 1e-9, "w")
    H.near(a.bbox[4], 4.735883424408015 * 28, 1e-9, "h")
    assert.are.equal("annotator", a.stage)
  end)

  -- polygons.json: one polygon of 37 points on a 640x426 image; json_min_data.json
  -- a closed triangle on 128x128 (both read by hand).
  it("inspects the polygon fixtures", function()
    local p1 = H.fixture("formats/label_studio/polygons.json")
    local p2 = H.fixture("formats/label_studio/json_min_data.json")
    if not p1 then return pending(H.NO_SHARED) end
    local a = annotations(p1)[1]
    assert.are.equal("polygon", a.type)
    assert.are.equal("Airplane", a.category)
    assert.are.same({37}, a.parts)
    H.near(a.coords[1], 60 * 6.4, 1e-9, "x0")
    H.near(a.coords[2], 19.55922865013774 * 4.26, 1e-9, "y0")
    local b = annotations(p2)[1]
    assert.are.same({3}, b.parts)
    H.near(b.coords[5], 56.19047619047619 * 1.28, 1e-9, "x2")
    assert.are.same({polygon = 1}, inspect(p2).by_type)
  end)

  it("reads every result type: boxes, rotation, points, polygons, tags, OCR, predictions", function()
    local path = H.write(H.tmpdir() .. "/tasks.json", TASKS)
    local s = inspect(path)
    assert.are.same({box = 2, rbox = 1, keypoints = 1, polygon = 1, tag = 2, text = 1}, s.by_type)
    assert.are.same({["5"] = 7, ["prediction:v2"] = 1}, s.by_annotator)
    local w = {}
    for _, x in ipairs(s.warnings) do w[x.kind] = x.count end
    assert.are.same({["dropped: unsupported result type"] = 1, ["cancelled annotation skipped"] = 1}, w)
    local list = annotations(path)
    local t = {}
    for _, a in ipairs(list) do t[#t + 1] = a end
    -- r1: 10 % of 640 = 64, 20 % of 480 = 96, 30 % of 640 = 192, 40 % of 480 = 192
    close(t[1], {item = 11, file = "/data/upload/a.jpg", type = "box", category = "car", category_id = 1,
      bbox = {64, 96, 192, 192}, attributes = {quality = "good"}, annotator = "5", stage = "adjudicated",
      iscrowd = false}, "r1")
    -- r2: top-left (320, 240), 64 x 96, turned 90 degrees clockwise about the
    -- top-left corner: the centre moves to (320 - 48, 240 + 32) = (272, 272)
    close(t[2].coords, {272, 272, 64, 96, 90}, "r2")
    assert.are.equal("rbox", t[2].type)
    close(t[3].coords, {160, 240, 2}, "k1")
    assert.are.equal("nose", t[3].category)
    close(t[4].coords, {0, 0, 320, 0, 320, 240}, "p1")
    assert.are.equal("indoor", t[5].category)
    assert.are.equal("night", t[6].category)
    assert.are.equal("tag", t[6].type)
    close(t[7], {item = 11, file = "/data/upload/a.jpg", type = "text", category = "Text", category_id = 6,
      bbox = {0, 0, 64, 48}, text = "hello\nworld", annotator = "5", stage = "adjudicated", iscrowd = false}, "o1")
    assert.are.equal("prediction:v2", t[8].annotator)
    assert.are.equal(0.8, t[8].score)
  end)

  -- The brush mask: label-studio-converter's brush.mask2rle (commit 2ef5400) of the
  -- 4x6 mask below gives these bytes (run with numpy while developing); the COCO
  -- runs are those of the same mask in column-major order.
  --   0 0 1 1 0 0
  --   0 1 1 1 1 0
  --   0 0 1 1 0 0
  --   0 0 0 0 0 1
  local BRUSH = "[0,0,0,96,57,27,252,224,19,255,219,0,191,255,108,2,127,252,54,1,31,248]"
  it("reads and writes brush masks (Label Studio's RLE), as label-studio-converter does", function()
    local dir = H.tmpdir()
    local path = H.write(dir .. "/brush.json", [[[{"id": 7, "data": {"image": "m.png"}, "annotations": [
      {"completed_by": {"id": 3, "email": "ann@example.org"}, "result": [{"id": "b1", "type": "brushlabels",
      "from_name": "tag", "to_name": "image", "original_width": 6, "original_height": 4,
      "value": {"format": "rle", "rle": ]] .. BRUSH .. [[, "brushlabels": ["Airplane"]}}]}]}]
    ]])
    local a = annotations(path)[1]
    assert.are.equal("mask", a.type)
    assert.are.equal("ann@example.org", a.annotator)
    assert.are.same({4, 6}, a.coords)
    assert.are.same({5, 1, 2, 3, 1, 3, 2, 1, 5, 1}, a.rle)
    -- written back: the same bytes as mask2rle
    local out = dir .. "/out.json"
    assert.are.equal(0, select(3, H.run("convert " .. H.q(path) .. " " .. H.q(out) .. " --to labelstudio")))
    local t = H.decode(H.slurp(out))
    assert.are.equal(BRUSH, H.json.encode(t[1].annotations[1].result[1].value.rle))
    -- and through COCO as an uncompressed RLE of the same runs
    local coco = dir .. "/out.coco.json"
    assert.are.equal(0, select(3, H.run("convert " .. H.q(path) .. " " .. H.q(coco) .. " --to coco")))
    local c = H.decode(H.slurp(coco)).annotations[1]
    assert.are.same({5, 1, 2, 3, 1, 3, 2, 1, 5, 1}, c.segmentation.counts)
    assert.are.same({1, 0, 5, 4}, c.bbox)   -- columns 1..5, rows 0..3
    assert.are.equal(9, c.area)
  end)

  it("round-trips the fixtures and every result type through its own format", function()
    -- annovet's own fixture, with the written JSON decoded by dkjson rather than
    -- read back by annovet: annotator 1's rectangle in percentages, and the
    -- polygon's points, as the fixture has them
    local own = H.datafile("fixtures/label_studio/tasks.json")
    local written = H.tmpdir() .. "/own.json"
    local _, err0, code0 = H.run("convert " .. H.q(own) .. " " .. H.q(written) .. " --to labelstudio")
    assert.are.equal(0, code0, err0)
    local task = H.decode(H.slurp(written))[1]
    assert.are.equal("/data/upload/1/street_001.jpg", task.data.image)
    local first = task.annotations[1]
    assert.are.equal(1, first.completed_by)
    local r = first.result[1]
    assert.are.same({"rectanglelabels", 64, 48}, {r.type, r.original_width, r.original_height})
    assert.are.same({x = 15.625, y = 25, width = 31.25, height = 50, rotation = 0, rectanglelabels = {"car"}}, r.value)
    local poly = task.annotations[2].result[2]
    assert.are.same({{62.5, 12.5}, {71.875, 12.5}, {71.875, 50}}, poly.value.points)
    assert.are.same({"person"}, poly.value.polygonlabels)
    local files = {H.write(H.tmpdir() .. "/tasks.json", TASKS), own}
    for _, f in ipairs {"rectangles_two_annotators.json", "polygons.json", "json_min_data.json"} do
      local p = H.fixture("formats/label_studio/" .. f)
      if p then files[#files + 1] = p end
    end
    for _, path in ipairs(files) do
      local out = H.tmpdir() .. "/rt.json"
      local _, err, code = H.run("convert " .. H.q(path) .. " " .. H.q(out) .. " --to labelstudio")
      assert.are.equal(0, code, err)
      local a, b = annotations(path), annotations(out)
      assert.are.equal(#a, #b, path)
      local kb = by_key(b)
      for k, x in pairs(by_key(a)) do
        x.category_id, kb[k].category_id = nil, nil   -- Label Studio has label names, no ids
        close(x, kb[k], path .. " " .. k)
      end
    end
  end)

  it("carries a generated COCO file through Label Studio and back: polygons to 1e-12, masks exactly", function()
    local dir = H.tmpdir()
    local src = dir .. "/gen.json"
    assert(os.execute("lua5.4 tools/gen_coco.lua --seed 11 --images 12 --objects 50 --crowd 0.2 --compressed 0.5 > " .. H.q(src)))
    local _, err, code = H.run("convert " .. H.q(src) .. " " .. H.q(dir .. "/ls.json") .. " --to labelstudio")
    assert.are.equal(0, code, err)
    _, err, code = H.run("convert " .. H.q(dir .. "/ls.json") .. " " .. H.q(dir .. "/back.json") .. " --to coco")
    assert.are.equal(0, code, err)
    local a, b = annotations(src), annotations(dir .. "/ls.json")
    -- polygons in several parts become one region per part
    local parts = 0
    for _, x in ipairs(a) do parts = parts + (x.parts and #x.parts or 1) end
    assert.are.equal(parts, #b)
    local k, masks = 1, 0
    for _, x in ipairs(a) do
      if x.type == "mask" then
        masks = masks + 1
        assert.are.same(canonical(x.rle), b[k].rle)
        assert.are.same(x.coords, b[k].coords)
        k = k + 1
      else
        local off = 0
        for _, n in ipairs(x.parts) do
          local y = b[k]
          assert.are.equal(x.category, y.category)
          for j = 1, 2 * n do
            H.near(y.coords[j], x.coords[off + j], 1e-12 * math.max(1, math.abs(x.coords[off + j])), "coord")
          end
          off = off + 2 * n
          k = k + 1
        end
      end
    end
    assert.is_true(masks > 0)
  end)

  it("says what COCO cannot hold when converting to it", function()
    local path = H.write(H.tmpdir() .. "/tasks.json", TASKS)
    local out = H.tmpdir() .. "/o.json"
    local stdout, err, code = H.run("convert " .. H.q(path) .. " " .. H.q(out) .. " --to coco")
    assert.are.equal(0, code, err)
    local s = H.decode(stdout)
    local w = {}
    for _, x in ipairs(s.write_warnings) do w[x.kind] = x.count end
    assert.are.equal(2, w["dropped: tag"])
    assert.are.equal(1, w["rbox written as polygon"])
    local c = H.decode(H.slurp(out))
    assert.are.equal("5", c.annotations[1].annotator)
    -- the tags are result 5 of the first annotation (c1 in TASKS)
    assert.truthy(err:find("dropped: tag (2; first: " .. path .. ": [0].annotations[0].result[5]: COCO cannot hold image tags)",
      1, true), err)
  end)

  -- A prediction's annotator is "prediction:" and its model_version, whole: a
  -- fixed-size name cut a long one inside a character (invalid UTF-8) and made
  -- two long versions one annotator.
  it("keeps a long model_version whole as the prediction's annotator", function()
    local mv1, mv2 = ("v"):rep(187) .. "\u{E9}1", ("v"):rep(187) .. "\u{E9}2"
    local function pred(mv)
      return '{"model_version":"' .. mv .. '","result":[{"id":"q","type":"choices","from_name":"c","to_name":"image",' ..
        '"value":{"choices":["x"]}}]}'
    end
    local path = H.write(H.tmpdir() .. "/p.json", '[{"id":1,"data":{"image":"a.jpg"},"predictions":[' ..
      pred(mv1) .. "," .. pred(mv2) .. "]}]")
    local out, err, code = H.run("inspect " .. H.q(path))
    assert.are.equal(0, code, err)
    assert.are.same({["prediction:" .. mv1] = 1, ["prediction:" .. mv2] = 1}, H.decode(out).by_annotator)
  end)

  -- Each annotation's source is the JSON path of its result, as COCO's are
  -- annotations[N]: paths read off TASKS (the o1 text region's geometry is its
  -- rectangle, result 6; the two scene tags are both result 5).
  it("records the JSON path of each annotation's result as its source", function()
    local path = H.write(H.tmpdir() .. "/tasks.json", TASKS)
    local out, err, code = H.run("run " .. H.q(H.script([[
      local ds = assert(annovet.load(arg[1]))
      for a in ds:annotations() do print(a.type, a.source) end
    ]])) .. " " .. H.q(path))
    assert.are.equal(0, code, err)
    local p = path .. ": [0]."
    assert.are.equal(table.concat({
      "box\t" .. p .. "annotations[0].result[0]",
      "rbox\t" .. p .. "annotations[0].result[2]",
      "keypoints\t" .. p .. "annotations[0].result[3]",
      "polygon\t" .. p .. "annotations[0].result[4]",
      "tag\t" .. p .. "annotations[0].result[5]",
      "tag\t" .. p .. "annotations[0].result[5]",
      "text\t" .. p .. "annotations[0].result[6]",
      "box\t" .. p .. "predictions[0].result[0]", ""}, "\n"), out)
  end)

  it("names the task, annotation and result of bad input", function()
    local dir = H.tmpdir()
    local cases = {
      {'[{"id":1,"annotations":[{"result":[{"id":"a","type":"rectanglelabels","original_width":10,"original_height":10,' ..
        '"value":{"x":"1","y":1,"width":1,"height":1}}]}]}]', ": [0].annotations[0].result[0].value.x: expected a number, got a string"},
      {'[{"id":1,"annotations":[{"result":[{"id":"a","type":"rectanglelabels","original_width":10,"original_height":10,' ..
        '"value":{"x":1,"y":1,"width":"1","height":1}}]}]}]', ": [0].annotations[0].result[0].value.width: expected a number, got a string"},
      {'[{"id":1,"annotations":[{},{"result":[{"id":"a","type":"rectangle","value":{}},{"id":"b","type":"rectanglelabels",' ..
        '"original_width":10,"original_height":10,"value":{"x":1,"y":1,"width":2}}]}]}]',
        ": [0].annotations[1].result[1].value.height: missing"},
      {'[{"id":1,"annotations":[{"result":[{"id":"a","type":"rectanglelabels","original_width":10,"original_height":10,' ..
        '"value":{"x":1,"y":1,"width":1,"height":-2}}]}]}]', ": [0].annotations[0].result[0].value.height: must not be negative, got -2"},
      {'[{"id":1,"annotations":[{"result":[{"id":"a","type":"rectanglelabels","original_width":10,"original_height":10,' ..
        '"value":{"x":1,"y":1,"width":1,"height":1,"rotation":true}}]}]}]',
        ": [0].annotations[0].result[0].value.rotation: expected a number, got a boolean"},
      {'[{"id":1,"annotations":[{"result":[{"id":"a","type":"keypointlabels","original_width":10,"original_height":10,' ..
        '"value":{"x":1,"y":null}}]}]}]', ": [0].annotations[0].result[0].value.y: missing"},
      {'[{"id":1,"annotations":[{"result":[{"id":"a","type":"choices","from_name":"q","value":{"x":1}},' ..
        '{"id":"a","type":"rectangle","original_width":10,"original_height":10,"value":{"x":1,"y":1,"width":"w","height":1}}]}]}]',
        ": [0].annotations[0].result[1].value.width: expected a number, got a string"},
      {'[{"id":1,"annotations":[{"result":[{"id":"a","type":"rectangle","original_width":10,"original_height":10,' ..
        '"value":{"x":1,"y":1,"width":1,"height":1}},{"id":"a","type":"labels","value":{"labels":["ok", 3]}}]}]}]',
        ": [0].annotations[0].result[1].value.labels[1]: expected a label, got a number"},
      {'[{"id":1,"annotations":[{"result":[{"id":"t","type":"choices","value":{"choices":["a", {}]}}]}]}]',
        ": [0].annotations[0].result[0].value.choices[1]: expected a string, got an object"},
      {'[{"id":1,"annotations":[{"result":[{"id":"a","type":"rectangle","original_width":10,"original_height":10,' ..
        '"value":{"x":1,"y":1,"width":1,"height":1}},{"id":"a","type":"textarea","value":{"text":["ok", "b\255"]}}]}]}]',
        ": [0].annotations[0].result[1].value.text[1]: not valid UTF-8 text (byte 1 is 0xFF)"},
      {'[{"id":1,"annotations":[{"result":[{"id":"a","type":"brushlabels","original_width":6,"original_height":4,' ..
        '"value":{"format":"rle","rle":[0,0,300],"brushlabels":["x"]}}]}]}]',
        ": [0].annotations[0].result[0].value.rle[2]: expected an integer from 0 to 255, got 300"},
      {'[{"id":1,"annotations":[{"result":[{"id":"a","original_width":10,"value":{}}]}]}]',
        ": [0].annotations[0].result[0].type: missing"},
      {'[{"id":1,"data":{}},{"id":1,"data":{}, "annotations":[]}]', ": [1].id: duplicate task id 1"},
      {'[{"id":1,"annotations":{}}]', ": [0].annotations: expected an array, got an object"},
      {'[{"id":1,"annotations":[{"result":[{"id":"a","type":"brushlabels","original_width":6,"original_height":4,' ..
        '"value":{"format":"rle","rle":[0,0,0,96,57,27,252,224,19,255,219,0],"brushlabels":["x"]}}]}]}]',
        ": [0].annotations[0].result[0].value.rle: brush RLE: the stream ends before the image does"},
      {'[{"id":1,"annotations":[{"result":[' ..
        '{"id":"a","type":"rectanglelabels","original_width":10,"original_height":10,"value":{"x":1,"y":1,"width":1,"height":1,"rectanglelabels":["\255"]}}]}]}]',
        ": [0].annotations[0].result[0].value.rectanglelabels[0]: not valid UTF-8 text (byte 0 is 0xFF)"},
    }
    for i, c in ipairs(cases) do
      local path = H.write(dir .. "/t" .. i .. ".json", c[1])
      local out, err, code = H.run("inspect --from labelstudio " .. H.q(path))
      assert.are.equal(2, code, err)
      assert.are.equal("", out)
      assert.are.equal("annovet: " .. path .. c[2] .. "\n", err)
    end
  end)
end)
