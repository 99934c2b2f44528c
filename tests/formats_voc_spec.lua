-- Pascal VOC XML through the real binary: the real fixtures, generated folders,
-- round trips, conversions with COCO, and bad input.
local H = require "tests.support.helper"
local F = require "tests.support.fmt"

-- Finds the annotation of a dump with this category (the first one).
local function by_category(d, name)
  for _, it in ipairs(d.items) do
    for _, a in ipairs(it.anns) do
      if a.category == name then return a, it end
    end
  end
end

describe("Pascal VOC", function()
  after_each(H.cleanup)

  -- Expected values: datumaro's tests/unit/data_formats/test_voc_format.py reads
  -- the same file (voc_dataset1/Annotations/2007_000001.xml) as
  -- Bbox(1, 2, 2, 2) cat {truncated, not difficult, pose Unspecified},
  -- Bbox(4, 5, 2, 2) person with 11 actions (odd ones true), and the part
  -- Bbox(5.5, 6, 2, 2) head in the person's group (fxt_detection_dataset,
  -- fxt_layout_dataset, fxt_action_dataset). Counts read off the file by hand.
  it("inspects 2007_000001.xml as datumaro reads it (parts, actions, xmax - xmin)", function()
    local path = H.fixture("formats/voc/2007_000001.xml")
    if not path then return pending(H.NO_SHARED) end
    local s = F.inspect(path)
    assert.are.equal("voc", s.format)
    assert.are.equal(1, s.items)
    assert.are.equal(3, s.annotations)
    assert.are.same({box = 3}, s.by_type)
    assert.are.same({cat = 1, person = 1, head = 1}, s.by_class)
    -- labelmap.txt beside it declares 22 labels; the part name adds one
    assert.are.equal(23, s.categories)
    assert.are.same({}, s.warnings)
    local d = F.dump(path)
    assert.are.equal(20, d.items[1].width)
    assert.are.equal(10, d.items[1].height)
    local cat, person, head = by_category(d, "cat"), by_category(d, "person"), by_category(d, "head")
    assert.are.same({1, 2, 2, 2}, cat.bbox)
    assert.are.same({truncated = true, difficult = false, pose = "Unspecified"}, cat.attributes)
    assert.are.same({4, 5, 2, 2}, person.bbox)
    assert.are.same({5.5, 6, 2, 2}, head.bbox)
    assert.are.equal(person.id, head.attributes.part_of)
    local acts = {other = 1, jumping = 0, phoning = 1, playinginstrument = 0, reading = 1, ridingbike = 0,
      ridinghorse = 1, running = 0, takingphoto = 1, usingcomputer = 0, walking = 1}
    for k, v in pairs(acts) do assert.are.equal(v == 1, person.attributes[k], k) end
  end)

  -- a.xml by hand: one "background" object [1.0, 2.0, 4.0, 6.0] with occluded 1,
  -- no <size> (and no image beside it): the item's size stays unknown.
  it("inspects a.xml (float coordinates, occluded, no <size>) and the whole folder", function()
    local path = H.fixture("formats/voc/a.xml")
    if not path then return pending(H.NO_SHARED) end
    local d = F.dump(path)
    assert.are.equal(1, #d.items)
    assert.are.equal(0, d.items[1].width)
    assert.are.equal("a.jpg", d.items[1].file)
    local a = d.items[1].anns[1]
    assert.are.same({1, 2, 3, 4}, a.bbox)
    assert.are.same({truncated = false, occluded = true, difficult = false}, a.attributes)
    local s = F.inspect(H.fixture("formats/voc"))
    assert.are.equal("voc", s.format)
    assert.are.equal(2, s.items)
    assert.are.equal(4, s.annotations)
  end)

  it("reads generated folders as generated, warning once per box outside its image", function()
    for _, seed in ipairs {1, 2, 3} do
      local dir, exp = F.generate("voc", seed, 25)
      local d = F.dump(dir)
      F.check_expected(d, exp, 0)
      local part = 0
      for i, ei in ipairs(exp.items) do
        for k, ea in ipairs(ei.anns) do
          if ea.part_of then   -- the generator's index of the parent in the item's list
            part = part + 1
            assert.are.equal(d.items[i].anns[ea.part_of].id, d.items[i].anns[k].attributes.part_of)
          end
        end
      end
      assert.is_true(part > 0, "no parts generated")
      assert.are.equal(exp.outside > 0 and exp.outside or nil, F.warnings(d)["box outside image"])
    end
  end)

  it("round-trips the fixtures and generated folders with no change in geometry", function()
    local own = H.datafile("fixtures/voc")
    local cases = {own}
    if H.fixture("formats/voc/a.xml") then cases[#cases + 1] = H.fixture("formats/voc") end
    cases[#cases + 1] = F.generate("voc", 11, 30)
    for _, src in ipairs(cases) do
      local out = H.tmpdir() .. "/voc"
      F.convert(src, out, "voc")
      if src == own then
        -- the written XML itself, not only annovet's reading of it: the objects of
        -- street_001.xml as the fixture has them (name, difficult, the corners)
        local objects = {}
        for o in assert(H.slurp(out .. "/Annotations/street_001.xml")):gmatch("<object>(.-)</object>") do
          local box = {}
          for _, k in ipairs {"xmin", "ymin", "xmax", "ymax"} do
            box[#box + 1] = o:match("<" .. k .. ">%s*([^<]-)%s*</" .. k .. ">")
          end
          objects[#objects + 1] = {o:match("<name>([^<]*)</name>"), o:match("<difficult>(%d)</difficult>"), box}
        end
        assert.are.same({{"car", "1", {"10", "12", "30", "20"}}, {"person", "0", {"40.5", "5", "46", "23"}}}, objects)
      end
      local a, b = F.dump(src), F.dump(out)
      -- VOC holds corners: x + w - x is w to within one rounding; the writer adds
      -- truncated/difficult = 0 where they were absent
      F.compare(a, b, 1e-12, {extra = {truncated = false, difficult = false}})
      assert.are.equal(#a.categories, #b.categories)
      for k, c in ipairs(a.categories) do assert.are.equal(c.name, b.categories[k].name) end
    end
  end)

  it("converts to COCO and back, keeping boxes, parts and attributes", function()
    local src = F.generate("voc", 5, 20)
    local tmp = H.tmpdir()
    F.convert(src, tmp .. "/c.json", "coco")
    F.convert(tmp .. "/c.json", tmp .. "/back", "voc")
    local a, b = F.dump(src), F.dump(tmp .. "/back")
    F.compare(a, b, 1e-12, {extra = {truncated = false, difficult = false}})
    -- COCO itself holds the boxes as read
    local c = F.dump(tmp .. "/c.json")
    F.compare(a, c, 0, {no_size = true})
  end)

  it("drops what VOC cannot hold with one warning per kind", function()
    local cvat = H.fixture("formats/cvat/task_images_train.xml")
    if not cvat then return pending(H.NO_SHARED) end
    local out = H.tmpdir() .. "/voc"
    local s, err = F.convert(cvat, out, "voc")
    local w = {}
    for _, x in ipairs(s.write_warnings) do w[x.kind] = x.count end
    -- by hand: a polyline and a polygon without label, and label2's points
    assert.are.same({["dropped: polyline"] = 1, ["dropped: polygon"] = 1, ["dropped: keypoints"] = 1}, w)
    assert.matches("dropped: polygon", err, 1, true)
    local d = F.dump(out)
    assert.are.equal(2, #d.items)
    assert.are.same({0, 2, 4, 2}, d.items[1].anns[1].bbox)
  end)

  it("reads subsets from ImageSets/Main (trainval only where train and val are silent) and writes them", function()
    local dir = F.generate("voc", 9, 4)
    assert(os.execute("mkdir -p " .. H.q(dir .. "/ImageSets/Main")))
    H.write(dir .. "/ImageSets/Main/train.txt", "img_0001\nimg_0002\n")
    H.write(dir .. "/ImageSets/Main/val.txt", "img_0003\r\n")
    H.write(dir .. "/ImageSets/Main/trainval.txt", "img_0001\nimg_0002\nimg_0003\nimg_0004\n")
    H.write(dir .. "/ImageSets/Main/cat_train.txt", "img_0004  1\n")   -- a per-class list: not a subset
    local d = F.dump(dir)
    local subsets = {}
    for _, it in ipairs(d.items) do subsets[#subsets + 1] = it.subset end
    assert.are.same({"train", "train", "val", "trainval"}, subsets)
    local out = H.tmpdir() .. "/voc"
    F.convert(dir, out, "voc")
    assert.are.equal("img_0001\nimg_0002\n", H.slurp(out .. "/ImageSets/Main/train.txt"))
    local b = F.dump(out)
    for i, it in ipairs(b.items) do assert.are.equal(subsets[i], it.subset) end
  end)

  it("writes class masks to SegmentationClass/ and reads them back", function()
    local tmp = H.tmpdir()
    H.write(tmp .. "/m.xml", [[
<annotations><version>1.1</version><meta><task><labels><label><name>car</name></label>
<label><name>road</name></label></labels></task></meta>
<image id="0" name="a.jpg" width="6" height="4">
<mask label="car" rle="1, 3, 1, 3, 1" left="1" top="1" width="3" height="3"/>
<box label="road" xtl="0" ytl="0" xbr="2" ybr="1"/>
</image></annotations>]])
    F.convert(tmp .. "/m.xml", tmp .. "/voc", "voc")
    local labelmap = assert(H.slurp(tmp .. "/voc/labelmap.txt"))
    assert.matches("\nbackground:0,0,0::\ncar:128,0,0::\nroad:0,128,0::\n", labelmap, 1, true)
    local d = F.dump(tmp .. "/voc")
    local m = by_category(d, "car")
    assert.are.equal("mask", m.type)
    -- the 3x3 box at (1, 1) holds rows .xx / x.x / xx.; over the 6x4 image,
    -- column by column (worked out by hand): x=0 0000, x=1 0011, x=2 0101,
    -- x=3 0110, x=4 and x=5 0000 -> runs 6 2 1 1 1 1 1 2 9
    assert.are.same({6, 2, 1, 1, 1, 1, 1, 2, 9}, m.rle)
    assert.are.same({4, 6}, m.coords)
    assert.are.same({0, 0, 2, 1}, by_category(d, "road").bbox)
  end)

  describe("bad input", function()
    local function voc(text)
      return H.write(H.tmpdir() .. "/x.xml", text)
    end

    it("names file:line:column for malformed XML", function()
      local p = voc("<annotation>\n  <object><name>cat</name>\n  </objec>\n</annotation>\n")
      local err = F.fails("inspect " .. H.q(p))
      assert.matches(p .. ":3:5: not well-formed XML: mismatched tag", err, 1, true)
      assert.are.equal(1, select(2, err:gsub("\n", "")))
    end)

    it("names the element for missing and non-numeric coordinates", function()
      local cases = {
        {"<annotation><object><name>cat</name></object></annotation>", ":1:13: <object> 'cat' has no <bndbox>"},
        {"<annotation><object><name>cat</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>2</xmax></bndbox></object></annotation>",
          ":1:13: <object> 'cat': <bndbox> has no <ymax>"},
        {"<annotation><object><bndbox/></object></annotation>", "<object> has no <name>"},
        {"<annotation><object><name>cat</name><bndbox><xmin>abc</xmin></bndbox></object></annotation>",
          "<xmin>: expected a number, got 'abc'"},
        {"<annotation><object><name>cat</name><bndbox><xmin>NaN</xmin></bndbox></object></annotation>",
          "<xmin>: expected a number, got 'NaN'"},
        {"<annotation><object><name>cat</name><bndbox><ymin>1e999</ymin></bndbox></object></annotation>",
          "<ymin>: expected a number, got '1e999'"},
        {"<annotation><object><name>cat</name><bndbox><xmax>3e12</xmax></bndbox></object></annotation>",
          "<xmax>: 3e+12 is out of range"},
        {"<annotation><object><name>cat</name><bndbox><xmin>5</xmin><ymin>1</ymin><xmax>2</xmax><ymax>3</ymax></bndbox></object></annotation>",
          "expected xmin <= xmax and ymin <= ymax, got [5, 1, 2, 3]"},
        {"<annotation><size><width>-3</width></size></annotation>", "<width>: expected an integer 0..2147483647, got '-3'"},
        {"<annotation><size><width>99999999999</width></size></annotation>", "<width>: expected an integer"},
        {"<annotation><object><name>cat</name><truncated>maybe</truncated></object></annotation>",
          "<truncated>: expected 0 or 1, got 'maybe'"},
        {"<annotations><object/></annotations>", "expected <annotation> as the root element"},
      }
      for _, c in ipairs(cases) do
        local p = voc(c[1])
        local err = F.fails("inspect --from voc " .. H.q(p))
        assert.matches(p .. ":", err, 1, true)
        assert.matches(c[2], err, 1, true)
      end
    end)

    it("refuses a label that labelmap.txt does not declare, and a bad labelmap", function()
      local dir = H.tmpdir()
      H.write(dir .. "/labelmap.txt", "cat:::\ndog:1,2,3::\n")
      H.write(dir .. "/a.xml", "<annotation>\n<object><name>horse</name><bndbox><xmin>1</xmin><ymin>1</ymin>" ..
        "<xmax>2</xmax><ymax>2</ymax></bndbox></object></annotation>")
      local err = F.fails("inspect " .. H.q(dir))
      assert.matches(dir .. "/a.xml:2:1: label 'horse' is not declared in labelmap.txt", err, 1, true)
      H.write(dir .. "/labelmap.txt", "cat:::\ncat:::\n")
      assert.matches("labelmap.txt:2: label 'cat' is already defined above", F.fails("inspect " .. H.q(dir)), 1, true)
      H.write(dir .. "/labelmap.txt", "cat:10,20::\n")
      assert.matches("labelmap.txt:1: label 'cat' has colour '10,20'", F.fails("inspect " .. H.q(dir)), 1, true)
      H.write(dir .. "/labelmap.txt", "cat\n")
      assert.matches("labelmap.txt:1: expected 4 ':'-separated fields", F.fails("inspect " .. H.q(dir)), 1, true)
    end)

    it("warns with a count for boxes outside the image, and reads non-UTF-8 as an error", function()
      local p = voc("<annotation><size><width>10</width><height>10</height></size>" ..
        "<object><name>a</name><bndbox><xmin>-1</xmin><ymin>0</ymin><xmax>5</xmax><ymax>5</ymax></bndbox></object>" ..
        "<object><name>a</name><bndbox><xmin>0</xmin><ymin>0</ymin><xmax>10</xmax><ymax>10</ymax></bndbox></object>" ..
        "<object><name>a</name><bndbox><xmin>2</xmin><ymin>2</ymin><xmax>11</xmax><ymax>5</ymax></bndbox></object>" ..
        "</annotation>")
      local s = F.inspect(p)
      assert.are.equal(2, F.warnings(s)["box outside image"])
      local bad = voc("<annotation><filename>caf\xE9.jpg</filename></annotation>")
      -- the byte 0xE9 is the 26th on line 1 (12 + 10 + 3 bytes before it)
      assert.matches(":1:26: not well-formed XML: not well-formed (invalid token)", F.fails("inspect " .. H.q(bad)), 1, true)
    end)

    -- expat already refuses bytes that are not UTF-8 inside the XML (above);
    -- these are the names that come from elsewhere: labelmap.txt and file names.
    it("refuses labelmap names, item file names and subset names that are not UTF-8", function()
      local BOX = "<object><name>cat</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>2</xmax><ymax>2</ymax></bndbox></object>"
      local dir = H.tmpdir()
      H.write(dir .. "/labelmap.txt", "background:0,0,0::\ncat:1,2,3::\nd\xf6g:4,5,6::\n")
      H.write(dir .. "/a.xml", "<annotation>" .. BOX .. "</annotation>")
      local err = F.fails("inspect " .. H.q(dir))
      assert.matches("labelmap.txt:3:2: byte 0xF6 is not UTF-8; expected class names as UTF-8 text", err, 1, true)
      assert.is_truthy(utf8.len(err), err)
      -- without <filename>, the XML file's name is the item's
      dir = H.tmpdir()
      H.write(dir .. "/caf\xe9.xml", "<annotation>" .. BOX .. "</annotation>")
      err = F.fails("inspect " .. H.q(dir))
      assert.matches(dir .. "/caf\\xE9.xml: byte 0xE9 of the file name is not UTF-8; expected a UTF-8 name " ..
        "(it becomes the item's file name, as the file has no <filename>)", err, 1, true)
      assert.are.equal(1, select(2, err:gsub("\n", "")), err)
      assert.is_truthy(utf8.len(err), err)
      -- with one, the file's own name does not matter
      H.write(dir .. "/caf\xe9.xml", "<annotation><filename>cafe.jpg</filename>" .. BOX .. "</annotation>")
      assert.are.equal(1, F.inspect(dir).items)
      -- ImageSets/Main/<subset>.txt names the subset
      dir = H.tmpdir()
      assert(os.execute("mkdir -p " .. H.q(dir .. "/Annotations") .. " " .. H.q(dir .. "/ImageSets/Main")))
      H.write(dir .. "/Annotations/a.xml", "<annotation><filename>a.jpg</filename>" .. BOX .. "</annotation>")
      H.write(dir .. "/ImageSets/Main/tr\xe4in.txt", "a\n")
      err = F.fails("inspect " .. H.q(dir))
      assert.matches("ImageSets/Main/tr\\xE4in.txt: byte 0xE4 of the file name is not UTF-8; expected a UTF-8 name " ..
        "(it becomes a subset name)", err, 1, true)
    end)

    it("writes nothing into a folder that is not empty, and leaves no temporary files", function()
      local src = H.fixture("formats/voc/a.xml") or voc("<annotation><filename>a.jpg</filename></annotation>")
      local dir = H.tmpdir()
      H.write(dir .. "/keep.txt", "x")
      local err = F.fails("convert " .. H.q(src) .. " " .. H.q(dir) .. " --to voc")
      assert.matches("folder exists and is not empty", err, 1, true)
      local p = io.popen("ls -A " .. H.q(dir))
      local listing = p:read("a")
      p:close()
      assert.are.equal("keep.txt\n", listing)
    end)
  end)
end)
