-- YOLO TXT through the real binary: the Darknet and Ultralytics fixtures,
-- generated detect/segment and pose folders, round trips, COCO, and bad input.
local H = require "tests.support.helper"
local F = require "tests.support.fmt"

local function sh(cmd)
  assert(os.execute(cmd), cmd)
end

-- A YOLO folder from files {rel = text}.
local function folder(files)
  local dir = H.tmpdir()
  for rel, text in pairs(files) do
    local d = rel:match("^(.*)/[^/]*$")
    if d then sh("mkdir -p " .. H.q(dir .. "/" .. d)) end
    H.write(dir .. "/" .. rel, text)
  end
  return dir
end

-- Copies the generated images beside the labels a writer made (YOLO has no
-- place for image sizes: the images are where they come from).
local function copy_images(from, to)
  sh("mkdir -p " .. H.q(to .. "/images") .. " && cp " .. H.q(from .. "/images") .. "/* " .. H.q(to .. "/images/"))
end

describe("YOLO", function()
  after_each(H.cleanup)

  -- datumaro's tests/unit/data_formats/test_yolo_strict_format.py reads this
  -- folder (yolo_dataset/strict) with the 15x10 image 1.jpg as class 2 ->
  -- Bbox(0, 2, 4, 2) and class 4 -> Bbox(3, 3, 2, 3); the file holds six
  -- decimals (0.133333...), so the boxes agree to 1e-5 pixels.
  it("reads the Darknet fixture as datumaro does", function()
    local dir = H.fixture("formats/yolo/darknet/obj.data")
    if not dir then return pending(H.NO_SHARED) end
    dir = dir:gsub("/obj.data$", "")
    local s = F.inspect(dir)
    assert.are.equal("yolo", s.format)
    assert.are.equal(1, s.items)
    assert.are.same({box = 2}, s.by_type)
    assert.are.equal(10, s.categories)
    assert.are.same({}, s.warnings)
    local d = F.dump(dir)
    local it = d.items[1]
    assert.are.same({"obj_train_data/1.jpg", 15, 10, "train"}, {it.file, it.width, it.height, it.subset})
    assert.are.equal("label_2", it.anns[1].category)
    assert.are.equal(2, it.anns[1].category_id)
    F.near(it.anns[1].bbox, {0, 2, 4, 2}, 1e-5, "class 2")
    assert.are.equal("label_4", it.anns[2].category)
    F.near(it.anns[2].bbox, {3, 3, 2, 3}, 1e-5, "class 4")
    -- the obj.data file itself names the delivery too
    assert.are.equal("yolo", F.inspect(dir .. "/obj.data").format)
  end)

  -- datumaro's tests/unit/data_formats/test_roboflow.py (fxt_yolo_dataset) reads
  -- roboflow_dataset/yolo/val_001 (10x5) as Bbox(0, 0, 1, 2) label_0 and
  -- Bbox(0, 0, 9, 1) label_1; these values are exact in the file.
  it("reads the Ultralytics fixture as datumaro does", function()
    local y = H.fixture("formats/yolo/ultralytics/data.yaml")
    if not y then return pending(H.NO_SHARED) end
    local dir = y:gsub("/data.yaml$", "")
    local d = F.dump(dir)
    assert.are.equal(1, #d.items)
    local it = d.items[1]
    assert.are.same({"images/val_001.jpg", 10, 5}, {it.file, it.width, it.height})
    assert.are.same({0, 0, 1, 2}, it.anns[1].bbox)
    assert.are.equal("label_0", it.anns[1].category)
    assert.are.same({0, 0, 9, 1}, it.anns[2].bbox)
    assert.are.equal("label_1", it.anns[2].category)
    assert.are.equal("yolo", F.inspect(y).format)
  end)

  it("reads generated detect/segment and pose folders as generated (six decimals)", function()
    for _, g in ipairs {{1, ""}, {2, ""}, {3, "--pose"}} do
      local dir, exp = F.generate("yolo", g[1], 30, g[2])
      local d = F.dump(dir)
      -- normalised to six decimals: within 1e-6 of the image size (64 px here)
      F.check_expected(d, exp, 1e-4)
      if g[2] == "--pose" then
        for _, c in ipairs(d.categories) do
          if c.keypoints then assert.are.equal(4, #c.keypoints) end
        end
      end
    end
  end)

  it("round-trips generated folders and the fixtures with no change beyond rounding", function()
    -- annovet's own Darknet fixture: the label lines written are the fixture's
    -- numbers (read as text here, to the last digit the fixture gives)
    local own = H.datafile("fixtures/yolo_darknet")
    local out = H.tmpdir() .. "/own"
    F.convert(own, out, "yolo")
    local want = {{0, 0.3125, 0.333333, 0.3125, 0.166667}, {1, 0.671875, 0.3125, 0.09375, 0.375}}
    local k = 0
    for line in assert(H.slurp(out .. "/labels/train/street_001.txt")):gmatch("[^\n]+") do
      k = k + 1
      local got = {}
      for w in line:gmatch("%S+") do got[#got + 1] = assert(tonumber(w), line) end
      F.near(got, want[k], 1e-12, "label line " .. k)
    end
    assert.are.equal(2, k)
    assert.matches('0: "car"\n  1: "person"', H.slurp(out .. "/data.yaml"), 1, true)
    sh("mkdir -p " .. H.q(out .. "/images/train") .. " && cp " .. H.q(own .. "/obj_train_data/street_001.png") .. " " ..
      H.q(out .. "/images/train/"))
    F.compare(F.dump(own), F.dump(out), 1e-12, {file = function() return "images/train/street_001.png" end})
    for _, extra in ipairs {"", "--pose"} do
      local src = F.generate("yolo", 8, 25, extra)
      local out = H.tmpdir() .. "/y"
      F.convert(src, out, "yolo")
      copy_images(src, out)
      -- the writer prints shortest-exact normalised values: x / w * w is x to an ulp
      F.compare(F.dump(src), F.dump(out), 1e-12)
    end
    local dark = H.fixture("formats/yolo/darknet/obj.data")
    if dark then
      dark = dark:gsub("/obj.data$", "")
      local out = H.tmpdir() .. "/y"
      F.convert(dark, out, "yolo")
      -- Ultralytics layout: labels/train/1.txt, the image expected at images/train/1.jpg
      assert.is_not_nil(H.slurp(out .. "/labels/train/1.txt"))
      sh("mkdir -p " .. H.q(out .. "/images/train") .. " && cp " .. H.q(dark .. "/obj_train_data/1.jpg") .. " " ..
        H.q(out .. "/images/train/"))
      F.compare(F.dump(dark), F.dump(out), 1e-12, {file = function() return "images/train/1.jpg" end})
    end
  end)

  -- YOLO holds labels only: converting to it says so, and the image lists it
  -- writes (Ultralytics' "train: train.txt", "./images/..." per line) keep each
  -- item's image name and extension for the way back.
  it("says what YOLO does not hold, and keeps image names through image lists", function()
    local dark = H.fixture("formats/yolo/darknet/obj.data")
    if not dark then return pending(H.NO_SHARED) end
    dark = dark:gsub("/obj.data$", "")
    local out = H.tmpdir() .. "/y"
    local s, err = F.convert(dark, out, "yolo")
    local w = {}
    for _, x in ipairs(s.write_warnings) do w[x.kind] = x end
    assert.are.equal(1, w["not written: image files"].count)
    assert.matches("obj_train_data/1.jpg: YOLO holds labels only; put the image at images/train/1.jpg",
      w["not written: image files"].example, 1, true)
    -- the fixture's image is 15x10 (datumaro reads it so, test above)
    assert.matches("obj_train_data/1.jpg: 15x10; YOLO has no place for sizes", w["dropped: image size"].example, 1, true)
    assert.matches("obj_train_data/1.jpg: read back as images/train/1.jpg (label labels/train/1.txt)",
      w["renamed: item file"].example, 1, true)
    assert.matches(out .. ": dropped: image size (1; first: obj_train_data/1.jpg: 15x10;", err, 1, true)
    assert.matches('"train": "train.txt"', H.slurp(out .. "/data.yaml"), 1, true)
    assert.are.equal("./images/train/1.jpg\n", H.slurp(out .. "/train.txt"))
    -- read back without the image: the name and extension are kept, the size is not
    local d = F.dump(out)
    assert.are.same({"images/train/1.jpg", 0, 0, "train"}, {d.items[1].file, d.items[1].width, d.items[1].height,
      d.items[1].subset})
    assert.matches("its image is named in an image list but is not in the folder", d.warnings[1].example, 1, true)
    -- a Darknet folder without its images (as CVAT exports YOLO 1.1): train.txt
    -- names data/obj_train_data/1.jpg, which datumaro's YOLO reader takes as the
    -- item's image; annovet names the item so too
    local bare = H.tmpdir()
    sh("mkdir -p " .. H.q(bare .. "/obj_train_data") .. " && cp " .. H.q(dark) .. "/obj.data " .. H.q(dark) ..
      "/obj.names " .. H.q(dark) .. "/train.txt " .. H.q(bare) .. " && cp " .. H.q(dark .. "/obj_train_data/1.txt") ..
      " " .. H.q(bare .. "/obj_train_data/"))
    d = F.dump(bare)
    assert.are.same({"obj_train_data/1.jpg", "train"}, {d.items[1].file, d.items[1].subset})
    assert.are.equal(2, #d.items[1].anns)
  end)

  it("reads image lists: ./ paths beside the list, images without labels, names not UTF-8", function()
    local dir = folder {["data.yaml"] = "names: [a]\ntrain: lists/train.txt\nval: val.txt\n",
      ["lists/train.txt"] = "./../images/x.png\n./../../images/y.png\n/abs/z.png\n",
      ["val.txt"] = "./images/v.tif\r\n\n  ./images/w.txt\n",
      ["labels/x.txt"] = "0 0.5 0.5 0.1 0.1\n", ["labels/v.txt"] = "0 0.5 0.5 0.1 0.1\n"}
    -- "./" is the list's folder: lists/../images/x.png is images/x.png; y leaves
    -- the delivery and /abs is outside it, so neither is an item; v comes with its
    -- extension (and CRLF), w.txt is not an image
    local d = F.dump(dir)
    local files = {}
    for _, it in ipairs(d.items) do files[#files + 1] = it.file end
    assert.are.same({"images/v.tif", "images/x.png"}, files)
    assert.are.equal(1, #d.items[2].anns)
    -- a list named otherwise than train.txt, beside label files without a labels/
    -- folder, is a list, not a label file
    dir = folder {["classes.txt"] = "a\n", ["data.yaml"] = "names: [a]\ntrain: ./mine.txt\n",
      ["mine.txt"] = "./p.jpg\n", ["p.txt"] = "0 0.5 0.5 0.1 0.1\n"}
    d = F.dump(dir)
    assert.are.same({"p.jpg", 1}, {d.items[1].file, #d.items})
    dir = folder {["data.yaml"] = "names: [a]\ntrain: train.txt\n", ["train.txt"] = "./images/ok.jpg\n./images/b\xe4d.jpg\n",
      ["labels/ok.txt"] = ""}
    local err = F.fails("inspect " .. H.q(dir))
    assert.matches("train.txt:2: image 'images/b\\xE4d.jpg': byte 0xE4 is not UTF-8", err, 1, true)
  end)

  it("reads names as a map from class index (with gaps) and as a block list", function()
    local dir = folder {["data.yaml"] = "names:\n  0: person\n  2: 'traffic light'\nnc: 3\n",
      ["labels/x.txt"] = "2 0.5 0.5 0.2 0.2\n0 0.5 0.5 0.2 0.2\n"}
    local d = F.dump(dir)
    assert.are.same({"traffic light", "person"}, {d.items[1].anns[1].category, d.items[1].anns[2].category})
    assert.are.same({2, 0}, {d.items[1].anns[1].category_id, d.items[1].anns[2].category_id})
    H.write(dir .. "/labels/x.txt", "1 0.5 0.5 0.2 0.2\n")
    assert.matches("x.txt:1: class 1 has no name in the class list (data.yaml)", F.fails("inspect " .. H.q(dir)), 1, true)
    dir = folder {["data.yaml"] = "names:\n  - cat\n  - dog\n", ["labels/x.txt"] = "1 0.5 0.5 0.2 0.2\n"}
    assert.are.equal("dog", F.dump(dir).items[1].anns[1].category)
  end)

  it("keeps coordinates normalised, with a warning, when the images are not there", function()
    local dir = folder {["classes.txt"] = "a\nb\n", ["x.txt"] = "1 0.5 0.5 0.25 0.5\n"}
    local d = F.dump(dir)
    assert.are.same({0.375, 0.25, 0.25, 0.5}, d.items[1].anns[1].bbox)
    assert.are.equal(0, d.items[1].width)
    assert.are.equal(1, F.warnings(d)["image size unknown"])
    -- and YOLO gives them back unchanged
    local out = H.tmpdir() .. "/y"
    F.convert(dir, out, "yolo")
    assert.are.equal("1 0.5 0.5 0.25 0.5\n", H.slurp(out .. "/labels/x.txt"))
    -- other formats cannot place them: COCO keeps the item, VOC too
    local s = F.convert(dir, H.tmpdir() .. "/c.json", "coco")
    assert.are.equal("coco", s.to)
  end)

  it("converts to COCO and back in pixels", function()
    local src = F.generate("yolo", 12, 20)
    local tmp = H.tmpdir()
    F.convert(src, tmp .. "/c.json", "coco")
    local c = F.dump(tmp .. "/c.json")
    F.compare(F.dump(src), c, 0, {file = function(it) return it.file end})
    F.convert(tmp .. "/c.json", tmp .. "/y", "yolo")
    copy_images(src, tmp .. "/y")
    F.compare(F.dump(src), F.dump(tmp .. "/y"), 1e-12)
    -- class indices: COCO's categories in order, names kept in data.yaml
    assert.matches('0: "cat"\n  1: "dog"\n  2: "bird"\n', H.slurp(tmp .. "/y/data.yaml"), 1, true)
  end)

  it("writes rotated boxes as OBB corners and reads them back as 4-point polygons", function()
    local cv = H.write(H.tmpdir() .. "/r.xml", [[
<annotations><version>1.1</version><meta><task><labels><label><name>car</name></label></labels></task></meta>
<image id="0" name="images/a.bmp" width="100" height="50">
<box label="car" xtl="10" ytl="10" xbr="30" ybr="20" rotation="90"/>
<polyline label="car" points="1,1;2,2"/>
</image></annotations>]])
    local out = H.tmpdir() .. "/y"
    local s = F.convert(cv, out, "yolo")
    local kinds = {}
    for _, w in ipairs(s.write_warnings) do kinds[#kinds + 1] = w.kind end
    table.sort(kinds)
    -- images/a.bmp keeps its name: the label is labels/a.txt, the list names images/a.bmp
    assert.are.same({"dropped: image size", "dropped: polyline", "not written: image files"}, kinds)
    assert.are.equal("./images/a.bmp\n", H.slurp(out .. "/images.txt"))
    -- a 20x10 box centred at (20, 15) turned 90 degrees clockwise: corners
    -- (25, 5), (25, 25), (15, 25), (15, 5), over 100 x 50
    local line = H.slurp(out .. "/labels/a.txt")
    local v = {}
    for x in line:gmatch("%S+") do v[#v + 1] = tonumber(x) end
    assert.are.equal(9, #v)
    F.near({table.unpack(v, 2)}, {0.25, 0.1, 0.25, 0.5, 0.15, 0.5, 0.15, 0.1}, 1e-12, "corners")
  end)

  it("keeps the names of items with and without a subset side by side", function()
    local dir = H.tmpdir()
    local xml = H.write(dir .. "/a.xml", [[<?xml version="1.0" encoding="utf-8"?>
<annotations><version>1.1</version>
  <meta><task><labels><label><name>car</name></label></labels></task></meta>
  <image id="0" name="a/one.jpg" subset="train" width="20" height="10">
    <box label="car" xtl="1" ytl="1" xbr="5" ybr="5" occluded="0"></box></image>
  <image id="1" name="two.png" width="20" height="10">
    <box label="car" xtl="2" ytl="2" xbr="6" ybr="6" occluded="0"></box></image>
</annotations>
]])
    local out = dir .. "/y"
    local _, err, code = H.run("convert " .. H.q(xml) .. " " .. H.q(out) .. " --to yolo")
    assert.are.equal(0, code, err)
    -- the list of items without a subset is named in data.yaml beside train's,
    -- so the second item keeps its extension on the way back
    local files = {}
    for _, it in ipairs(F.dump(out).items) do files[#files + 1] = it.file .. "|" .. (it.subset or "") end
    table.sort(files)
    assert.are.same({"images/train/one.jpg|train", "images/two.png|"}, files)
  end)

  describe("bad input", function()
    it("names file:line and what was expected", function()
      local cases = {
        {{["classes.txt"] = "a\n", ["x.txt"] = "0 0.5 0.5 0.1\n"}, "x.txt:1: expected 'class cx cy w h', a polygon"},
        {{["classes.txt"] = "a\n", ["x.txt"] = "0 0.5 0.5 0.1 0.1\n3 0.5 0.5 0.1 0.1\n"},
          "x.txt:2: class 3 has no name in the class list (classes.txt)"},
        {{["classes.txt"] = "a\n", ["x.txt"] = "0 0.5 nan 0.1 0.1\n"}, "x.txt:1: expected numbers, got 'nan'"},
        {{["classes.txt"] = "a\n", ["x.txt"] = "0 0.5 0.5 1e999 0.1\n"}, "x.txt:1: expected numbers, got '1e999'"},
        {{["classes.txt"] = "a\n", ["x.txt"] = "0 0.5 0.5 1e300 0.1\n"}, "x.txt:1: value 1e+300 is out of range"},
        {{["classes.txt"] = "a\n", ["x.txt"] = "0.5 0.5 0.5 0.1 0.1\n"}, "x.txt:1: expected a class index (0, 1, ...), got 0.5"},
        {{["classes.txt"] = "a\n", ["x.txt"] = "0 0.5 0.5 -0.1 0.1\n"}, "x.txt:1: box width and height must not be negative"},
        {{["classes.txt"] = "a\n", ["x.txt"] = "0 .5 .5 .1 .1 .5 .5 3\n"}, "x.txt:1: keypoint 1 visibility is 3"},
        {{["data.yaml"] = "names: [a]\nkpt_shape: [2, 3]\n", ["labels/x.txt"] = "0 .5 .5 .1 .1 .5 .5 2\n"},
          "labels/x.txt:1: expected class, 4 box values and 2 keypoints of 3 values (data.yaml kpt_shape), got 8 numbers"},
        {{["data.yaml"] = "names: [a, b]\nnc: 3\n", ["labels/x.txt"] = ""}, "data.yaml: nc is 3 but names has 2 classes"},
        {{["data.yaml"] = "names: [a, [b]\n", ["labels/x.txt"] = ""}, "data.yaml:2:1: not YAML"},
        {{["data.yaml"] = "names: {0: a, x: b}\n", ["labels/x.txt"] = ""}, "data.yaml:1:15: names key: expected an integer"},
        {{["data.yaml"] = "names: [a, a]\n", ["labels/x.txt"] = ""}, "class name 'a' is used twice"},
        {{["data.yaml"] = "names: [a]\n", ["images/x.jpg"] = "not an image"}, "no YOLO label files"},
      }
      for _, c in ipairs(cases) do
        local dir = folder(c[1])
        local err = F.fails("inspect --from yolo " .. H.q(dir))
        assert.matches(c[2], err, 1, true)
        assert.are.equal(1, select(2, err:gsub("\n", "")), err)
      end
    end)

    -- Names become JSON keys and values (inspect, convert): bytes that are not
    -- UTF-8 are refused where they are read, with the file, line:column or the
    -- file name (its bad bytes shown as \xHH, so the message is text too).
    it("refuses class names and file names that are not UTF-8", function()
      local cases = {
        {{["classes.txt"] = "a\xff\n", ["x.txt"] = "0 0.5 0.5 0.1 0.1\n"},
          "classes.txt:1:2: byte 0xFF is not UTF-8; expected class names as UTF-8 text"},
        {{["obj.names"] = "ok\ncaf\xe9\n", ["obj_train_data/x.txt"] = "0 0.5 0.5 0.1 0.1\n"},
          "obj.names:2:4: byte 0xE9 is not UTF-8"},
        {{["classes.txt"] = "a\n", ["i\xff.txt"] = "0 0.5 0.5 0.1 0.1\n"},
          "/i\\xFF.txt: byte 0xFF of the file name is not UTF-8; expected a UTF-8 name (it becomes an item's file name"},
        {{["data.yaml"] = "names: [a]\n", ["labels/tr\xe9/x.txt"] = "0 0.5 0.5 0.1 0.1\n"},
          "/labels/tr\\xE9/x.txt: byte 0xE9 of the file name is not UTF-8"},
        {{["data.yaml"] = "names: [a]\n", ["labels/x.txt"] = "0 0.5 0.5 0.1 0.1\n", ["images/p\xc3.jpg"] = ""},
          "/images/p\\xC3.jpg: byte 0xC3 of the file name is not UTF-8"},
        -- a line break in the name is shown too, so the message stays one line
        {{["classes.txt"] = "a\n", ["x\ny\xff.txt"] = "0 0.5 0.5 0.1 0.1\n"}, "/x\\x0Ay\\xFF.txt: byte 0xFF"},
      }
      for _, c in ipairs(cases) do
        local dir = folder(c[1])
        local err = F.fails("inspect --from yolo " .. H.q(dir))
        assert.matches(c[2], err, 1, true)
        assert.are.equal(1, select(2, err:gsub("\n", "")), err)
        assert.is_truthy(utf8.len(err), "the message is UTF-8 text: " .. err)
      end
      -- the same names in UTF-8 are read, and inspect writes them as they are
      local dir = folder {["classes.txt"] = "caf\u{E9}\n", ["\u{E9}t\u{E9}.txt"] = "0 0.5 0.5 0.1 0.1\n"}
      local s = F.inspect(dir)
      assert.are.same({["caf\u{E9}"] = 1}, s.by_class)
      assert.are.equal("\u{E9}t\u{E9}", F.dump(dir).items[1].file)
    end)

    it("warns with a count for boxes and points outside the image", function()
      local dir = folder {["data.yaml"] = "names: [a]\n", ["labels/x.txt"] =
        "0 0.5 0.5 0.2 0.2\n0 0.95 0.5 0.2 0.2\n0 0.5 -0.1 0.2 0.1\n0 0.1 0.1 1.2 0.1 0.2 0.1\n"}
      local s = F.inspect(dir)
      assert.are.equal(2, F.warnings(s)["box outside image"])
      assert.are.equal(1, F.warnings(s)["point outside image"])
    end)
  end)
end)
