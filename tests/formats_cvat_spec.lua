-- CVAT XML 1.1 through the real binary: the three real exports (task, project,
-- video), generated files, round trips, conversions with COCO, and bad input.
local H = require "tests.support.helper"
local F = require "tests.support.fmt"

local function cvat(text)
  return H.write(H.tmpdir() .. "/annotations.xml", text)
end

-- A minimal CVAT file with the given labels and image body.
local function doc(labels, body)
  local l = {}
  for _, name in ipairs(labels) do l[#l + 1] = "<label><name>" .. name .. "</name></label>" end
  return '<?xml version="1.0"?>\n<annotations>\n<version>1.1</version>\n<meta><task><labels>' ..
    table.concat(l) .. "</labels></task></meta>\n" .. body .. "\n</annotations>\n"
end

describe("CVAT XML", function()
  after_each(H.cleanup)

  -- Expected values: datumaro's tests/unit/test_cvat_format.py reads the same
  -- file (for_images/export_task/train.xml) as: img0 (8x8) Bbox(0, 2, 4, 2)
  -- label1 z_order 1 {occluded, a1 true, a2 v3, a3 "0003", a4 2.4} and an
  -- unlabelled PolyLine [1..8]; img1 (10x10) an unlabelled Polygon [1,2,3,4,6,5]
  -- z_order 1 and Points [1,2,3,4,5,6] label2 z_order 2.
  it("inspects the task export as datumaro reads it", function()
    local path = H.fixture("formats/cvat/task_images_train.xml")
    if not path then return pending(H.NO_SHARED) end
    local s = F.inspect(path)
    assert.are.equal("cvat", s.format)
    assert.are.equal(2, s.items)
    assert.are.equal(4, s.annotations)
    assert.are.same({box = 1, polyline = 1, polygon = 1, keypoints = 1}, s.by_type)
    assert.are.same({label1 = 1, label2 = 1, ["(none)"] = 2}, s.by_class)
    local d = F.dump(path)
    local img0, img1 = d.items[1], d.items[2]
    assert.are.same({8, 8, 10, 10}, {img0.width, img0.height, img1.width, img1.height})
    local box = img0.anns[1]
    assert.are.same({0, 2, 4, 2}, box.bbox)
    assert.are.same({occluded = true, z_order = 1, a1 = true, a2 = "v3", a3 = "0003", a4 = 2.4}, box.attributes)
    assert.are.same({1, 2, 3, 4, 5, 6, 7, 8}, img0.anns[2].coords)
    assert.is_nil(img0.anns[2].category)
    assert.are.equal("polygon", img1.anns[1].type)
    assert.are.same({1, 2, 3, 4, 6, 5}, img1.anns[1].coords)
    assert.are.same({3}, img1.anns[1].parts)
    -- CVAT points are unnamed landmarks: keypoints, every one visible (v = 2)
    assert.are.same({1, 2, 2, 3, 4, 2, 5, 6, 2}, img1.anns[2].coords)
    assert.are.equal("label2", img1.anns[2].category)
  end)

  -- datumaro reads export_project/annotations.xml as img0 and img1 in each of the
  -- subsets Test, Train, Validation (same shapes, every one labelled). The frame
  -- ids 0 and 1 repeat per task, so annovet numbers the later ones 2..5.
  it("inspects the project export: three subsets of the same two images", function()
    local path = H.fixture("formats/cvat/project_images_annotations.xml")
    if not path then return pending(H.NO_SHARED) end
    local s = F.inspect(path)
    assert.are.equal(6, s.items)
    assert.are.equal(12, s.annotations)
    assert.are.same({label1 = 6, label2 = 6}, s.by_class)
    local d = F.dump(path)
    local seen = {}
    for _, it in ipairs(d.items) do
      seen[it.subset .. "/" .. it.file] = it.id
      assert.are.equal(2, #it.anns)
    end
    for _, sub in ipairs {"Test", "Train", "Validation"} do
      assert.is_not_nil(seen[sub .. "/img0.jpg"], sub)
      assert.is_not_nil(seen[sub .. "/img1.jpg"], sub)
    end
    assert.are.same({0, 1, 2, 3, 4, 5}, (function()
      local ids = {}
      for _, it in ipairs(d.items) do ids[#ids + 1] = it.id end
      return ids
    end)())
  end)

  -- datumaro's test_can_load_video expects frame_000010 with Bbox(3, 4, 7, 1) "II"
  -- (occluded, track 0) and Points [21.95, 8, 2.55, 15.09, 2.23, 3.16] "klhg"
  -- (hgl = hgkf, track 1); frame_000013 with PolyLine [7.85, 13.88, 3.5, 6.67, 15.9,
  -- 2, 13.31, 7.21] "II" (track 2). datumaro also keeps the shapes marked
  -- outside="1" (two on frame 13, two on frame 16) with outside=true; annovet
  -- does not count them: the object has left the frame. The task's frames are
  -- 10..19 by step 3, so frames 16 and 19 are items without annotations.
  it("reads the video export: track shapes on their frames, outside ones left out", function()
    local path = H.fixture("formats/cvat/video_annotations.xml")
    if not path then return pending(H.NO_SHARED) end
    local d = F.dump(path)
    local frames = {}
    for _, it in ipairs(d.items) do
      frames[#frames + 1] = it.file
      assert.are.same({25, 20}, {it.width, it.height})
    end
    assert.are.same({"frame_000010", "frame_000013", "frame_000016", "frame_000019"}, frames)
    local f10, f13 = d.items[1].anns, d.items[2].anns
    assert.are.equal(2, #f10)
    assert.are.same({3, 4, 7, 1}, f10[1].bbox)
    assert.are.equal("II", f10[1].category)
    assert.are.same({occluded = true, keyframe = true, track_id = 0, z_order = 0}, f10[1].attributes)
    assert.are.same({21.95, 8, 2, 2.55, 15.09, 2, 2.23, 3.16, 2}, f10[2].coords)
    assert.are.equal("hgkf", f10[2].attributes.hgl)
    assert.are.equal(1, f10[2].attributes.track_id)
    assert.are.equal(1, #f13)
    assert.are.same({7.85, 13.88, 3.5, 6.67, 15.9, 2, 13.31, 7.21}, f13[1].coords)
    assert.are.equal(2, f13[1].attributes.track_id)
    assert.are.equal(0, #d.items[3].anns)
    assert.are.equal(0, #d.items[4].anns)
  end)

  it("reads generated files as generated: every shape type, typed attributes, masks, skeletons", function()
    for _, seed in ipairs {1, 2} do
      local dir, exp = F.generate("cvat", seed, 30)
      local d = F.dump(dir)
      F.check_expected(d, exp, 0)
      assert.are.equal(exp.outside > 0 and exp.outside or nil, F.warnings(d)["box outside image"])
      local pose
      for _, c in ipairs(d.categories) do if c.name == "pose" then pose = c end end
      assert.are.same({"head", "lhand", "rhand"}, pose.keypoints)
      assert.are.same({{1, 2}, {1, 3}}, pose.skeleton)
    end
  end)

  it("round-trips the real exports and generated files with no change in geometry", function()
    -- annovet's own fixture first, with the written XML read as text: its boxes'
    -- corners and label, and the polygon's points
    local own = H.datafile("fixtures/cvat/annotations.xml")
    local written = H.tmpdir() .. "/own.xml"
    F.convert(own, written, "cvat")
    local text = assert(H.slurp(written))
    local boxes = {}
    for attrs in text:gmatch("<box (.-)/?>") do
      local a = {}
      for k, v in attrs:gmatch('([%w_]+)="([^"]*)"') do a[k] = v end
      boxes[#boxes + 1] = {a.label, a.xtl, a.ytl, a.xbr, a.ybr}
    end
    assert.are.same({{"car", "10", "12", "30", "20"}, {"car", "2", "30", "22", "44"}}, boxes)
    assert.truthy(text:find('<polygon label="person"[^>]* points="40,5;46,5;46,23"'), text)
    assert.truthy(text:find('<attribute name="color">blue</attribute>', 1, true), text)
    local cases = {own}
    for _, f in ipairs {"task_images_train", "project_images_annotations", "video_annotations"} do
      local p = H.fixture("formats/cvat/" .. f .. ".xml")
      if p then cases[#cases + 1] = p end
    end
    cases[#cases + 1] = F.generate("cvat", 21, 40)
    for _, src in ipairs(cases) do
      local out = H.tmpdir() .. "/out.xml"
      F.convert(src, out, "cvat")
      local a, b = F.dump(src), F.dump(out)
      -- the writer gives every shape occluded="0" when the source had none;
      -- a rotated box comes back through xtl = cx - w/2: within rounding
      F.compare(a, b, 1e-12, {extra = {occluded = false}, file = function(it)
        return it.file
      end})
      local cats_a, cats_b = {}, {}
      for _, c in ipairs(a.categories) do cats_a[#cats_a + 1] = c.name end
      for _, c in ipairs(b.categories) do cats_b[#cats_b + 1] = c.name end
      assert.are.same(cats_a, cats_b)
    end
  end)

  it("converts to COCO and back: boxes, polygons, keypoints, masks and cuboids survive, the rest is named", function()
    local src = F.generate("cvat", 4, 30)
    local tmp = H.tmpdir()
    local s = F.convert(src, tmp .. "/c.json", "coco")
    local w = {}
    for _, x in ipairs(s.write_warnings) do w[x.kind] = x.count end
    local a = F.dump(src)
    local n = {}
    for _, it in ipairs(a.items) do
      for _, x in ipairs(it.anns) do n[x.type] = (n[x.type] or 0) + 1 end
    end
    assert.are.equal(n.polyline, w["dropped: polyline"])
    assert.is_nil(w["dropped: cuboid"])   -- COCO holds them as annovet's "cuboid" extension
    assert.truthy(n.cuboid > 0)
    assert.are.equal(n.tag, w["dropped: tag"])
    F.convert(tmp .. "/c.json", tmp .. "/back.xml", "cvat")
    local b = F.dump(tmp .. "/back.xml")
    local function gone(x) return x.type == "polyline" or x.type == "tag" or x.type == "rbox" end
    -- COCO gives rotated boxes back as 4-point polygons: left out of this comparison
    local function no_rbox(d)
      for _, it in ipairs(d.items) do
        local keep = {}
        for _, x in ipairs(it.anns) do
          if not (x.type == "polygon" and #x.coords == 8 and x.attributes and x.attributes.color) then keep[#keep + 1] = x end
        end
        it.anns = keep
      end
      return d
    end
    F.compare(a, no_rbox(b), 1e-12, {skip = gone, extra = {occluded = false}})
  end)

  it("writes the COCO fixture as CVAT and reads back its polygon and crowd mask", function()
    local coco = H.fixture("formats/coco/instances_val.json")
    if not coco then return pending(H.NO_SHARED) end
    local out = H.tmpdir() .. "/c.xml"
    local s = F.convert(coco, out, "cvat")
    assert.are.equal(1, s.write_warnings[1].count)
    assert.are.equal("dropped: iscrowd", s.write_warnings[1].kind)
    -- a mask's box is recomputed from its pixels in CVAT (<mask left top width
    -- height>); COCO's file gives its own: compare the masks' runs, not boxes
    local a, b = F.dump(coco), F.dump(out)
    for _, d in ipairs {a, b} do
      for _, it in ipairs(d.items) do
        for _, x in ipairs(it.anns) do if x.type == "mask" then x.bbox = nil end end
      end
    end
    F.compare(a, b, 0, {attributes = false})
  end)

  it("tells a VOC file, a CVAT file and a Label Studio config apart", function()
    local voc, cv = H.fixture("formats/voc/a.xml"), H.fixture("formats/cvat/task_images_train.xml")
    local ls = H.fixture("formats/label_studio/rectangles_label_config.xml")
    if not voc then return pending(H.NO_SHARED) end
    assert.are.equal("voc", F.inspect(voc).format)
    assert.are.equal("cvat", F.inspect(cv).format)
    assert.matches("not a delivery format annovet knows", F.fails("inspect " .. H.q(ls)), 1, true)
    local dir = H.tmpdir()
    os.execute("cp " .. H.q(cv) .. " " .. H.q(dir .. "/annotations.xml"))
    assert.are.equal("cvat", F.inspect(dir).format)
  end)

  it("ingests CVAT and VOC files, recording nothing when one of them is bad", function()
    local cv, voc = H.fixture("formats/cvat/task_images_train.xml"), H.fixture("formats/voc/2007_000001.xml")
    if not cv then return pending(H.NO_SHARED) end
    local db = H.tmpdir() .. "/p.db"
    local bad = cvat(doc({"car"}, '<image id="0" name="a.jpg" width="10" height="10">\n' ..
      '<box label="truck" xtl="1" ytl="1" xbr="2" ybr="2"/></image>'))
    local err = F.fails("ingest --store " .. H.q(db) .. " --vendor acme --batch b1 " .. H.q(cv) .. " " .. H.q(bad))
    assert.matches(bad .. ":6:1: <box> label 'truck' is not declared", err, 1, true)
    assert.is_nil(io.open(db, "rb"), "a store was created")
    local args = "ingest --store " .. H.q(db) .. " --vendor acme --batch b1 " .. H.q(cv) .. " " .. H.q(voc)
    local out, e2, code = H.run(args)
    assert.are.equal(0, code, e2)
    local r = H.decode(out)
    -- counts by hand from the two files (see the inspect tests above)
    assert.are.same({"cvat", 2, 4, "ingested"}, {r.files[1].format, r.files[1].items, r.files[1].annotations, r.files[1].status})
    assert.are.same({"voc", 1, 3, "ingested"}, {r.files[2].format, r.files[2].items, r.files[2].annotations, r.files[2].status})
    out = H.run(args)
    assert.are.equal("already ingested", H.decode(out).files[1].status)
  end)

  describe("bad input", function()
    it("names file:line:column and what was expected", function()
      local img = '<image id="0" name="a.jpg" width="10" height="10">\n'
      local cases = {
        {"<annotations><version>1.1</version>", "not well-formed XML: no element found"},
        {doc({"car"}, img .. '<box label="truck" xtl="1" ytl="1" xbr="2" ybr="2"/></image>'),
          ":6:1: <box> label 'truck' is not declared in <meta><labels>"},
        {doc({"car"}, img .. '<box label="car" xtl="1" ytl="1" xbr="2"/></image>'), ":6:1: <box> has no ybr attribute"},
        {doc({"car"}, img .. '<box label="car" xtl="one" ytl="1" xbr="2" ybr="2"/></image>'),
          "<box> xtl: expected a number, got 'one'"},
        {doc({"car"}, img .. '<box label="car" xtl="nan" ytl="1" xbr="2" ybr="2"/></image>'),
          "<box> xtl: expected a number, got 'nan'"},
        {doc({"car"}, img .. '<box label="car" xtl="1" ytl="1" xbr="1e300" ybr="2"/></image>'),
          "<box> xbr: 1e+300 is out of range"},
        {doc({"car"}, img .. '<box label="car" xtl="5" ytl="1" xbr="2" ybr="2"/></image>'),
          "<box>: expected xtl <= xbr and ytl <= ybr, got [5, 1, 2, 2]"},
        {doc({"car"}, img .. '<polygon label="car" points="1,2;3,4"/></image>'), "<polygon>: expected at least 3 points, got 2"},
        {doc({"car"}, img .. '<polyline label="car" points="1,2;3;4,5"/></image>'),
          "<polyline> points: expected \"x,y;x,y;...\" numbers, got '3;4,5'"},
        {doc({"car"}, img .. '<points label="car" points="1,inf"/></image>'), "<points> points: expected"},
        {doc({"car"}, img .. '<box xtl="1" ytl="1" xbr="2" ybr="2"/></image>'), "<box> has no label attribute"},
        {doc({"car"}, img .. '<box label="car" occluded="2" xtl="1" ytl="1" xbr="2" ybr="2"/></image>'),
          "<box> occluded: expected 0 or 1, got '2'"},
        {doc({"car"}, img .. '<mask label="car" rle="3, 4" left="0" top="0" width="3" height="3"/></image>'),
          "<mask> rle: runs cover 7 pixels of the 3x3 box"},
        {doc({"car"}, img .. '<mask label="car" rle="9" left="8" top="0" width="3" height="3"/></image>'),
          "<mask> box [8, 0, 3, 3] leaves the 10x10 image"},
        {doc({"car"}, '<image id="0" name="a.jpg" width="-1" height="10"></image>'),
          "<image> width: expected an integer 0..2147483647, got '-1'"},
        {doc({"car"}, '<image id="0" name="a.jpg"></image><image id="0" name="b.jpg"></image>'),
          "<image> id 0 is used twice"},
        {doc({"car"}, '<image id="0" name="a.jpg" task_id="3" subset="Train"></image>\n' ..
          '<image id="0" name="b.jpg" task_id="4" subset="Train"></image>\n' ..
          '<image id="0" name="c.jpg" task_id="3" subset="Train"></image>'),
          ":7: <image> id 0 is used twice in task 3 (first on line 5)"},
        {doc({"car", "car"}, ""), "label 'car' is declared twice"},
        {"<annotation/>", "expected <annotations> as the root element of a CVAT XML file"},
      }
      for _, c in ipairs(cases) do
        local p = cvat(c[1])
        local err = F.fails("inspect --from cvat " .. H.q(p))
        assert.matches(p .. ":", err, 1, true)
        assert.matches(c[2], err, 1, true)
        assert.are.equal(1, select(2, err:gsub("\n", "")), err)
      end
    end)

    it("types attributes by their declaration: a bad number is an error, an undeclared one a warning", function()
      local meta = '<?xml version="1.0"?><annotations><version>1.1</version><meta><task><labels><label><name>car</name>' ..
        "<attributes><attribute><name>speed</name><input_type>number</input_type></attribute>" ..
        "<attribute><name>parked</name><input_type>checkbox</input_type></attribute></attributes>" ..
        '</label></labels></task></meta><image id="0" name="a" width="9" height="9">\n'
      local p = cvat(meta .. '<box label="car" xtl="1" ytl="1" xbr="2" ybr="2">\n' ..
        '<attribute name="speed">fast</attribute></box></image></annotations>')
      assert.matches(":3:1: <attribute name=\"speed\">: expected a number, got 'fast'", F.fails("inspect " .. H.q(p)), 1, true)
      p = cvat(meta .. '<box label="car" xtl="1" ytl="1" xbr="2" ybr="2"><attribute name="parked">perhaps</attribute></box></image></annotations>')
      assert.matches("expected true or false, got 'perhaps'", F.fails("inspect " .. H.q(p)), 1, true)
      p = cvat(meta .. '<box label="car" xtl="1" ytl="1" xbr="12" ybr="2"><attribute name="colour">red</attribute>' ..
        '<attribute name="speed">12.5</attribute></box><box label="car" xtl="-3" ytl="1" xbr="2" ybr="2"/></image></annotations>')
      local d = F.dump(p)
      assert.are.same({colour = "red", speed = 12.5}, d.items[1].anns[1].attributes)
      local w = F.warnings(d)
      assert.are.equal(1, w["attribute not declared"])
      assert.are.equal(2, w["box outside image"])
    end)

    it("refuses a file over 2 GiB with its size, without reading it", function()
      local p = H.tmpdir() .. "/huge.xml"
      assert(os.execute("truncate -s 2300M " .. H.q(p)))   -- sparse: no disk used
      for _, from in ipairs {"cvat", "voc"} do
        local err = F.fails("inspect --from " .. from .. " " .. H.q(p))
        assert.matches(p .. ": 2411724800 bytes is over annovet's limit of 2147483648 bytes (2 GiB)", err, 1, true)
      end
    end)

    it("writes nothing when the output cannot be written", function()
      local src = H.fixture("formats/cvat/task_images_train.xml")
      if not src then return pending(H.NO_SHARED) end
      local dir = H.tmpdir()
      local err = F.fails("convert " .. H.q(src) .. " " .. H.q(dir .. "/missing/out.xml") .. " --to cvat")
      assert.matches("missing/out.xml", err, 1, true)
      local p = io.popen("ls -A " .. H.q(dir))
      assert.are.equal("", p:read("a"))
      p:close()
    end)
  end)
end)
