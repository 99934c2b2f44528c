-- A conversion never writes a file its own reader refuses: numbers that stop being
-- finite once converted (x + width overflowing, Label Studio's percent, a computed
-- area) are an error naming the annotation, and nothing is written. Boxes beyond
-- any plausible image are a warning at read time.
local H = require "tests.support.helper"

local function ls_box(x, w, image_width)
  return H.json.encode({{id = 1, data = {image = "a.jpg"}, annotations = {{id = 1, result = {{
    id = "r1", type = "rectanglelabels", from_name = "label", to_name = "image",
    original_width = image_width, original_height = 100,
    value = {x = x, y = 10, width = w, height = 20, rectanglelabels = {"car"}}}}}}}})
end

local function coco(bbox, width)
  return H.json.encode({images = {{id = 1, file_name = "a.jpg", width = width or 100, height = 100}},
    categories = {{id = 1, name = "car"}},
    annotations = {{id = 7, image_id = 1, category_id = 1, bbox = bbox, iscrowd = 0}}})
end

-- The names in a folder, sorted.
local function listing(dir)
  local p = io.popen("ls -A " .. H.q(dir))
  local names = p:read("a")
  p:close()
  return names
end

local TARGETS = {"coco", "voc", "yolo", "cvat", "labelstudio"}

describe("convert with numbers that overflow", function()
  after_each(H.cleanup)

  it("refuses a Label Studio box at x = 1e308, width = 1e308 in every geometry format, writing nothing", function()
    local dir = H.tmpdir()
    local src = H.write(dir .. "/ls.json", ls_box(1e308, 1e308, 100))
    local out, err, code = H.run("inspect " .. H.q(src))
    assert.are.equal(0, code, err)
    local kinds = {}
    for _, w in ipairs(H.decode(out).warnings) do kinds[w.kind] = w.example end
    assert.truthy(kinds["box outside any plausible image"], out)
    local before = listing(dir)
    for _, to in ipairs(TARGETS) do
      local dst = dir .. "/out_" .. to
      out, err, code = H.run("convert " .. H.q(src) .. " " .. H.q(dst) .. " --to " .. to)
      assert.are.equal(2, code, to .. ": " .. err)
      assert.are.equal("", out, to)
      assert.truthy(err:find(src .. ": [0].annotations[0].result[0]: ", 1, true), to .. ": " .. err)
      assert.truthy(err:find("not a finite number", 1, true) or err:find("out of range for", 1, true), to .. ": " .. err)
      assert.falsy(err:find("internal error", 1, true), err)
      assert.are.equal(before, listing(dir), to .. ": something was written")
    end
    -- the tags CSV writes no geometry: it drops the box, as it says
    _, err, code = H.run("convert " .. H.q(src) .. " " .. H.q(dir .. "/t.csv") .. " --to csv")
    assert.are.equal(0, code, err)
    assert.truthy(err:find("dropped: not a tag", 1, true), err)
  end)

  it("refuses at read time a Label Studio box whose percent overflows in pixels", function()
    local src = H.write(H.tmpdir() .. "/ls.json", ls_box(1e308, 10, 1000))
    local out, err, code = H.run("inspect " .. H.q(src))
    assert.are.equal(2, code, err)
    assert.are.equal("", out)
    assert.truthy(err:find(src .. ": [0].annotations[0].result[0]: the box is not a finite number", 1, true), err)
  end)

  it("refuses a COCO box whose area, computed for the output, overflows", function()
    local dir = H.tmpdir()
    local src = H.write(dir .. "/c.json", coco({0, 0, 1e200, 1e200}))
    local _, err, code = H.run("convert " .. H.q(src) .. " " .. H.q(dir .. "/o.json") .. " --to coco")
    assert.are.equal(2, code, err)
    assert.truthy(err:find(src .. ": annotations[0]: its box's area", 1, true), err)
    assert.is_nil(H.slurp(dir .. "/o.json"))
  end)

  it("refuses Label Studio's percent of a box that overflows, and writes what other formats can read back", function()
    local dir = H.tmpdir()
    local src = H.write(dir .. "/c.json", coco({1e307, 0, 1e307, 10}))
    local _, err, code = H.run("convert " .. H.q(src) .. " " .. H.q(dir .. "/o.json") .. " --to labelstudio")
    assert.are.equal(2, code, err)
    assert.truthy(err:find(src .. ": annotations[0]: its box", 1, true), err)
    assert.is_nil(H.slurp(dir .. "/o.json"))
    -- VOC and CVAT read coordinates under 2^31 only, YOLO normalised ones up to
    -- 1e6: refused as well
    for _, to in ipairs {"voc", "cvat", "yolo"} do
      local dst = dir .. "/big_" .. to
      _, err, code = H.run("convert " .. H.q(src) .. " " .. H.q(dst) .. " --to " .. to)
      assert.are.equal(2, code, to .. ": " .. err)
      assert.truthy(err:find(src .. ": annotations[0]: its box (x, y, width or height) is out of range for " .. to,
        1, true), err)
      assert.is_nil(H.slurp(dst .. "/."), to)
    end
    for _, to in ipairs {"coco"} do
      local dst = dir .. "/back_" .. to
      _, err, code = H.run("convert " .. H.q(src) .. " " .. H.q(dst) .. " --to " .. to)
      assert.are.equal(0, code, to .. ": " .. err)
      local out, err2, code2 = H.run("inspect " .. H.q(dst))
      assert.are.equal(0, code2, to .. ": " .. err2)
      assert.are.equal(1, H.decode(out).annotations, to)
    end
  end)

  it("warns when a box of an image of unknown size reaches beyond any plausible image", function()
    local src = H.write(H.tmpdir() .. "/c.json", coco({0, 0, 5e7, 10}, 0))
    local out, err, code = H.run("inspect " .. H.q(src))
    assert.are.equal(0, code, err)
    local example
    for _, w in ipairs(H.decode(out).warnings) do
      if w.kind == "box outside any plausible image" then example = w.example end
    end
    assert.truthy(example, out)
    assert.truthy(example:find(src .. ": annotations[0]: box [0, 0, 5e+07, 10]", 1, true), example)
  end)
end)
