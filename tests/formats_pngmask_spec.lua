-- Semantic masks as PNG label images through the real binary: every PNG kind
-- annovet reads, the class lists, round trips, COCO, and bad input. The PNGs
-- are written by tests/support/fmt.lua (stored zlib blocks), not by annovet.
local H = require "tests.support.helper"
local F = require "tests.support.fmt"

-- The label image used below (5 rows x 7 columns): 0 background, 1 car, 2 road,
-- 255 void.
local ROWS = {
  {0, 0, 1, 1, 1, 0, 0},
  {0, 2, 2, 1, 0, 0, 255},
  {2, 2, 2, 1, 1, 0, 255},
  {0, 0, 0, 0, 1, 1, 0},
  {1, 1, 0, 0, 0, 1, 0},
}
-- pycocotools' rleEncode (cocoapi common/maskApi.c, built outside the tree and
-- fed this image in column-major order) gives for class 1:
-- 4 1 4 2 4 3 2 1 1 2 4 2 5 and for class 2: 2 1 3 2 3 2 22.
local CAR = {4, 1, 4, 2, 4, 3, 2, 1, 1, 2, 4, 2, 5}
local ROAD = {2, 1, 3, 2, 3, 2, 22}

local function masks_folder(classes)
  local dir = H.tmpdir()
  assert(os.execute("mkdir -p " .. H.q(dir .. "/masks")))
  if classes then H.write(dir .. "/classes.txt", classes) end
  return dir
end

describe("PNG label images", function()
  after_each(H.cleanup)

  it("splits a gray label image into one COCO RLE mask per named class", function()
    local dir = masks_folder("background\ncar\nroad\n")
    F.png(dir .. "/masks/a.png", {rows = ROWS})
    local s = F.inspect(dir)
    assert.are.equal("pngmask", s.format)
    assert.are.same({mask = 2}, s.by_type)
    assert.are.equal(2, s.categories)   -- background is the absence of a class
    local d = F.dump(dir)
    local it = d.items[1]
    assert.are.same({"a.png", 7, 5}, {it.file, it.width, it.height})
    assert.are.equal("car", it.anns[1].category)
    assert.are.equal(1, it.anns[1].category_id)
    assert.are.same(CAR, it.anns[1].rle)
    assert.are.same({5, 7}, it.anns[1].coords)
    assert.are.equal(11, it.anns[1].area)   -- 3 + 1 + 2 + 2 + 3 pixels, row by row
    assert.are.same({0, 0, 6, 5}, it.anns[1].bbox)
    assert.are.same(ROAD, it.anns[2].rle)
    assert.are.same({0, 1, 3, 2}, it.anns[2].bbox)
    assert.are.same(F.rle_of(ROWS, 1), CAR)   -- the Lua scan agrees with pycocotools
  end)

  it("reads palette, 16-bit, 1-bit and equal-channel RGB images", function()
    local dir = masks_folder()
    F.png(dir .. "/masks/p.png", {rows = ROWS, color = 3})
    local deep = {{300, 0}, {300, 7}}
    F.png(dir .. "/masks/q.png", {rows = deep, depth = 16})
    local bits = {{1, 0, 0, 1, 1, 1, 0, 0, 1}, {0, 0, 1, 1, 0, 0, 0, 1, 1}}
    F.png(dir .. "/masks/r.png", {rows = bits, depth = 1})
    local rgb = {}
    for y, row in ipairs(ROWS) do
      rgb[y] = {}
      for x, v in ipairs(row) do rgb[y][x] = {v, v, v} end
    end
    F.png(dir .. "/masks/s.png", {rows = rgb, color = 2})
    local d = F.dump(dir)
    -- without a class list every value but 0 and 255 is a class named by it
    assert.are.equal(1, F.warnings(d)["no class names"])
    local by = {}
    for _, it in ipairs(d.items) do
      by[it.file] = {}
      for _, a in ipairs(it.anns) do by[it.file][a.category] = a.rle end
    end
    assert.are.same({["1"] = CAR, ["2"] = ROAD}, by["p.png"])
    assert.are.same({["300"] = F.rle_of(deep, 300), ["7"] = F.rle_of(deep, 7)}, by["q.png"])
    assert.are.same({["1"] = F.rle_of(bits, 1)}, by["r.png"])
    assert.are.same(by["p.png"], by["s.png"])
  end)

  it("round-trips through itself and through COCO without changing a pixel", function()
    local dir = masks_folder("background\ncar\nroad\n")
    F.png(dir .. "/masks/a.png", {rows = ROWS})
    F.png(dir .. "/masks/b.png", {rows = {{0, 0}, {0, 0}}})
    local out = H.tmpdir() .. "/m"
    F.convert(dir, out, "pngmask")
    local a, b = F.dump(dir), F.dump(out)
    F.compare(a, b, 0)
    assert.are.same({"car", "road"}, {b.categories[1].name, b.categories[2].name})
    local tmp = H.tmpdir()
    F.convert(dir, tmp .. "/c.json", "coco")
    F.convert(tmp .. "/c.json", tmp .. "/m", "pngmask")
    F.compare(a, F.dump(tmp .. "/m"), 0)
  end)

  it("paints masks of other formats, later over earlier, and names what it drops", function()
    local cv = H.write(H.tmpdir() .. "/m.xml", [[
<annotations><version>1.1</version><meta><task><labels><label><name>car</name></label>
<label><name>road</name></label></labels></task></meta>
<image id="0" name="a.jpg" width="4" height="3">
<mask label="road" rle="0, 12" left="0" top="0" width="4" height="3"/>
<mask label="car" rle="0, 2" left="1" top="1" width="2" height="1"/>
<box label="car" xtl="0" ytl="0" xbr="1" ybr="1"/>
</image></annotations>]])
    local out = H.tmpdir() .. "/m"
    local s = F.convert(cv, out, "pngmask")
    local w = {}
    for _, x in ipairs(s.write_warnings) do w[x.kind] = x.count end
    assert.are.same({["overlapping masks"] = 1, ["dropped: not a mask"] = 1}, w)
    local d = F.dump(out)
    local rows = {{2, 2, 2, 2}, {2, 1, 1, 2}, {2, 2, 2, 2}}   -- road everywhere, car over it
    assert.are.same(F.rle_of(rows, 1), d.items[1].anns[1].rle)
    assert.are.same(F.rle_of(rows, 2), d.items[1].anns[2].rle)
  end)

  describe("bad input", function()
    it("names the file and what was expected", function()
      local dir = masks_folder("background\ncar\n")
      F.png(dir .. "/masks/a.png", {rows = ROWS})
      assert.matches("masks/a.png: pixel value 2 has no class in the label map", F.fails("inspect " .. H.q(dir)), 1, true)
      dir = masks_folder()
      F.png(dir .. "/masks/c.png", {rows = {{{1, 2, 3}}}, color = 2})
      assert.matches("masks/c.png: pixel (0, 0) is colour (1, 2, 3); expected a label image of class ids",
        F.fails("inspect --from pngmask " .. H.q(dir)), 1, true)
      dir = masks_folder()
      H.write(dir .. "/masks/d.png", "not a png at all")
      assert.matches("masks/d.png: not a PNG file", F.fails("inspect --from pngmask " .. H.q(dir)), 1, true)
      dir = masks_folder()
      local good = F.png(dir .. "/masks/e.png", {rows = ROWS})
      local bytes = H.slurp(good)
      H.write(good, bytes:sub(1, #bytes - 30))
      assert.matches("masks/e.png: bad PNG:", F.fails("inspect --from pngmask " .. H.q(dir)), 1, true)
    end)

    it("refuses class names and file names that are not UTF-8", function()
      local dir = masks_folder("background\nc\xe4r\n")
      F.png(dir .. "/masks/a.png", {rows = ROWS})
      local err = F.fails("inspect --from pngmask " .. H.q(dir))
      assert.matches("classes.txt:2:2: byte 0xE4 is not UTF-8; expected class names as UTF-8 text", err, 1, true)
      dir = masks_folder()
      F.png(dir .. "/masks/stra\xdfe.png", {rows = ROWS})
      err = F.fails("inspect --from pngmask " .. H.q(dir))
      assert.matches("masks/stra\\xDFe.png: byte 0xDF of the file name is not UTF-8; expected a UTF-8 name " ..
        "(it becomes an item's file name)", err, 1, true)
      assert.is_truthy(utf8.len(err), err)
    end)

    it("refuses a VOC label image of another size than its annotation says", function()
      local dir = H.tmpdir()
      assert(os.execute("mkdir -p " .. H.q(dir .. "/Annotations") .. " " .. H.q(dir .. "/SegmentationClass")))
      H.write(dir .. "/Annotations/a.xml", "<annotation><size><width>8</width><height>5</height></size></annotation>")
      F.png(dir .. "/SegmentationClass/a.png", {rows = ROWS})
      assert.matches("SegmentationClass/a.png: label image is 7x5 but the image is 8x5", F.fails("inspect " .. H.q(dir)), 1, true)
    end)
  end)
end)
