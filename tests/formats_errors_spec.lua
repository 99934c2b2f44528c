-- Bad deliveries: one line naming the file and the line:column or JSON path and
-- what was expected, exit status 2, nothing written; warnings counted, not silent.
local H = require "tests.support.helper"

-- A COCO file with one 10x10 image, categories 1 "a" and 2 "b", and the given
-- annotation objects (JSON text each).
local function coco(anns, extra)
  return string.format('{"images":[{"id":1,"file_name":"x.jpg","width":10,"height":10}%s],\n' ..
    '"categories":[{"id":1,"name":"a"},{"id":2,"name":"b"}],\n"annotations":[\n%s\n]}\n',
    extra or "", table.concat(anns, ",\n"))
end

local function ann(id, fields)
  return string.format('{"id":%d,"image_id":1,"category_id":1,%s}', id, fields or '"bbox":[1,1,2,2]')
end

-- Runs inspect (or args) on text written to NAME; expects exit 2, nothing on stdout
-- and one line on stderr, and returns that line and the file's path.
local function fails(name, text, args)
  local path = H.write(H.tmpdir() .. "/" .. name, text)
  local out, err, code = H.run((args or "inspect") .. " " .. H.q(path))
  assert.are.equal(2, code, err)
  assert.are.equal("", out)
  local line = err:gsub("\n$", "")
  assert.is_nil(line:find("\n"), "one line: " .. err)
  return line, path
end

-- The message for the file at path, as the command prints it.
local function expect(err, path, msg)
  assert.are.equal("annovet: " .. path .. msg, err)
end

describe("bad COCO input", function()
  after_each(H.cleanup)

  it("names the annotation and field of a short bbox (the issue's example)", function()
    local anns = {}
    for i = 1, 1600 do anns[i] = ann(i) end
    anns[1533] = ann(1533, '"bbox":[1,1,2]')
    local path = H.write(H.tmpdir() .. "/vendor_a.json", coco(anns))
    local _, err, code = H.run("inspect " .. H.q(path))
    assert.are.equal(2, code)
    assert.are.equal("annovet: " .. path .. ": annotations[1532].bbox: expected 4 numbers, got 3\n", err)
  end)

  it("says where a truncated file ends (line:column)", function()
    local src = H.fixture("formats/coco/instances_val.json")
    if not src then return pending(H.NO_SHARED) end
    local text = H.slurp(src):sub(1, 900)
    local lines = select(2, text:gsub("\n", "")) + 1
    local col = #text:match("[^\n]*$") + 1
    local path = H.write(H.tmpdir() .. "/cut.json", text)
    local _, err, code = H.run("inspect " .. H.q(path))
    assert.are.equal(2, code)
    assert.are.equal(string.format("annovet: %s:%d:%d: unexpected end of file (truncated?)\n", path, lines, col), err)
    -- cut inside the annotations, after images and categories were read
    local t2 = coco({ann(1), ann(2)}):sub(1, -12)
    local p2 = H.write(H.tmpdir() .. "/cut2.json", t2)
    _, err = H.run("inspect " .. H.q(p2))
    assert.truthy(err:find(p2 .. ":5:%d+: unexpected end of file"), err)
  end)

  it("names wrong types with the JSON path", function()
    local cases = {
      {'{"id":1,"image_id":"1","category_id":1,"bbox":[1,1,2,2]}',
        "annotations[0].image_id: expected an integer, got a string"},
      {ann(1, '"bbox":"1,1,2,2"'), "annotations[0].bbox: expected an array of numbers, got a string"},
      {ann(1, '"bbox":[1,1,"2",2]'), "annotations[0].bbox[2]: expected a number, got a string"},
      {ann(1, '"bbox":[1,1,2,2],"iscrowd":"no"'), "annotations[0].iscrowd: expected 0, 1, true or false, got a string"},
      {ann(1, '"segmentation":[[1,1,2,2,3]]'), "annotations[0].segmentation[0]: expected x y pairs, got an odd count of numbers (5)"},
      {ann(1, '"segmentation":{"size":[2,2],"counts":[1,2]}'), "annotations[0].segmentation.counts: runs add up to 3 pixels, expected height x width = 4"},
      {ann(1, '"segmentation":{"size":[2,2],"counts":"~"}'), "annotations[0].segmentation.counts: RLE counts string: character 0 is not in '0'..'o'"},
      {'{"id":1,"image_id":1,"category_id":1}', "annotations[0]: no geometry: expected bbox, segmentation or keypoints"},
      {ann(1, '"bbox":[1,1,2,2],"annotator":["a"]'), "annotations[0].annotator: expected a name or an id, got an array"},
      {'{"id":1,"image_id":1,"category_id":1,"keypoints":[1,2,2,3],"bbox":[1,1,1,1]}',
        "annotations[0].keypoints: expected x y v triplets, got 4 numbers"},
    }
    for i, c in ipairs(cases) do
      local err, path = fails("t" .. i .. ".json", coco({c[1]}))
      expect(err, path, ": " .. c[2])
    end
    local err, path = fails("img.json", '{"images":{"id":1},"categories":[],"annotations":[]}')
    expect(err, path, ": images: expected an array, got an object")
    err, path = fails("id.json", coco({}, ',{"id":2.5,"file_name":"y.jpg"}'))
    expect(err, path, ": images[1].id: expected an integer, got 2.5")
    err, path = fails("arr.json", "[1, 2]", "inspect --from coco-results")
    expect(err, path, ": [0]: expected an object, got a number")
  end)

  it("refuses unknown category and image ids", function()
    local err, path = fails("cat.json", coco({ann(1), (ann(2):gsub('"category_id":1', '"category_id":7'))}))
    expect(err, path, ': annotations[1].category_id: no category with id 7 in "categories"')
    err, path = fails("img.json", coco({(ann(1):gsub('"image_id":1', '"image_id":9'))}))
    expect(err, path, ': annotations[0].image_id: no image with id 9 in "images"')
  end)

  it("refuses negative sizes and NaN, and counts boxes outside the image as a warning", function()
    local err, path = fails("neg.json", coco({ann(1, '"bbox":[1,1,-3,2]')}))
    expect(err, path, ": annotations[0].bbox: width and height must not be negative, got -3 and 2")
    local text = coco({ann(1), ann(2, '"bbox":[NaN,1,2,2]')})
    local line, col = 5, #'{"id":2,"image_id":1,"category_id":1,"bbox":[' + 1
    err, path = fails("nan.json", text)
    expect(err, path, string.format(":%d:%d: NaN and Infinity are not JSON numbers", line, col))
    err, path = fails("area.json", coco({ann(1, '"bbox":[1,1,2,2],"area":-4')}))
    expect(err, path, ": annotations[0].area: must not be negative")
    -- negative x, a box past the right edge, a polygon point below: warnings with counts
    local ok = H.write(H.tmpdir() .. "/out.json", coco({
      ann(1, '"bbox":[-1,1,2,2]'), ann(2, '"bbox":[9,1,2,2]'), ann(3, '"bbox":[8,8,2,2]'), ann(4, '"bbox":[0,0,10,10]'),
      ann(5, '"segmentation":[[1,1,2,1,2,11]]'),
    }))
    local out, e2, code = H.run("inspect " .. H.q(ok))
    assert.are.equal(0, code, e2)
    local s = H.decode(out)
    local w = {}
    for _, x in ipairs(s.warnings) do w[x.kind] = x end
    assert.are.equal(2, w["box outside image"].count)
    assert.are.equal(ok .. ": annotations[0].bbox: [-1, 1, 2, 2] leaves the 10x10 image", w["box outside image"].example)
    assert.are.equal(1, w["polygon outside image"].count)
    local tab = H.run("inspect --format table " .. H.q(ok))
    assert.truthy(tab:find("box outside image: 2 (first: ", 1, true), tab)
  end)

  it("refuses duplicate ids, naming both places", function()
    local err, path = fails("dimg.json", coco({}, ',{"id":1,"file_name":"y.jpg"}'))
    expect(err, path, ": images[1].id: duplicate image id 1")
    err, path = fails("dann.json", coco({ann(5), ann(6), ann(5)}))
    expect(err, path, ": annotations[2].id: duplicate annotation id 5 (also at annotations[0])")
    err, path = fails("dcat.json", '{"images":[],"categories":[{"id":1,"name":"a"},{"id":1,"name":"b"}]}')
    expect(err, path, ": categories[1].id: duplicate category id 1")
    err, path = fails("dkey.json", '{"images":[],"images":[]}')
    expect(err, path, ': the key "images" appears twice in the top-level object')
  end)

  it("refuses numbers out of range", function()
    local err, path = fails("big.json", coco({ann(1, '"bbox":[1e400,1,2,2]')}))
    expect(err, path, ": annotations[0].bbox[0]: number out of range (too large for a double)")
    err, path = fails("bigid.json", coco({(ann(1):gsub('"id":1', '"id":1e20', 1))}))
    expect(err, path, ": annotations[0].id: expected an integer from -9007199254740992 to 9007199254740992, got 1e+20")
    err, path = fails("bigw.json", '{"images":[{"id":1,"width":3000000000,"height":2}],"categories":[]}')
    expect(err, path, ": images[0].width: expected an integer from 0 to 2147483647, got 3000000000")
  end)

  it("refuses names that are not UTF-8", function()
    local err, path = fails("utf.json", '{"images":[],"categories":[{"id":1,"name":"ca\255t"}]}')
    expect(err, path, ": categories[0].name: not valid UTF-8 text (byte 2 is 0xFF)")
    err, path = fails("utf2.json", '{"images":[{"id":1,"file_name":"\192\175.jpg"}],"categories":[]}')
    expect(err, path, ": images[0].file_name: not valid UTF-8 text (byte 0 is 0xC0)")
  end)

  it("refuses text that is not JSON, or has something after the JSON", function()
    local err, path = fails("junk.json", '{"images": [}', "inspect --from coco")
    expect(err, path, ":1:13: invalid JSON near '}'")
    err, path = fails("trail.json", '{"images": [], "categories": []} xyz', "inspect --from coco")
    expect(err, path, ":1:34: invalid JSON near 'xyz'")
    err, path = fails("deep.json", '{"images": [], "x": ' .. string.rep("[", 2000) .. string.rep("]", 2000) .. "}",
      "inspect --from coco")
    expect(err, path, ":1:1021: JSON nested deeper than 1000")
  end)

  it("says which formats it knows, PNG label images among them, for a file it cannot place", function()
    local err, path = fails("notes.txt", "just some notes\n")
    local names = err:match("name its format: (.-) %(%-%-from%)$")
    assert.is_truthy(names, err)
    assert.matches(path .. ": not a delivery format annovet knows (COCO, VOC, YOLO, CVAT, Label Studio, CSV, " ..
      "PNG label images)", err, 1, true)
    -- every name it offers is one --from takes (a file of another kind: an error
    -- about the file, never "annovet cannot read 'NAME'" as for --from nope)
    local _, bad = H.run("inspect --from nope " .. H.q(path))
    assert.matches("annovet cannot read 'nope'", bad, 1, true)
    local seen = {}
    for name in names:gmatch("[^, ]+") do
      seen[#seen + 1] = name
      local _, e2 = H.run("inspect --from " .. name .. " " .. H.q(path))
      assert.is_nil(e2:find("cannot read '" .. name .. "'", 1, true), name .. ": " .. e2)
    end
    assert.is_truthy(names:find("pngmask", 1, true), names)
    assert.are.equal(8, #seen)
  end)

  it("refuses a file over the 2 GiB limit with a clear message (sparse 3 GiB file)", function()
    local path = H.tmpdir() .. "/huge.json"
    assert(os.execute("truncate -s 3G " .. H.q(path)))
    for _, args in ipairs {"inspect", "inspect --from coco", "convert --to coco"} do
      local cmd = args:gsub("^(%S+)", "%1 " .. H.q(path)) .. (args:find("convert") and " /dev/null" or "")
      local out, err, code = H.run(cmd)
      assert.are.equal(2, code, err)
      assert.are.equal("", out)
      assert.are.equal("annovet: " .. path .. ": 3221225472 bytes is over annovet's limit of 2147483648 " ..
        "bytes (2 GiB) for one delivery file\n", err)
    end
  end)

  it("writes nothing when the input is bad", function()
    local dir = H.tmpdir()
    local path = H.write(dir .. "/bad.json", coco({ann(1, '"bbox":[1,1,2]')}))
    local _, _, code = H.run("convert " .. H.q(path) .. " " .. H.q(dir .. "/out.json") .. " --to coco")
    assert.are.equal(2, code)
    assert.is_nil(io.open(dir .. "/out.json"))
    local p = io.popen("ls " .. H.q(dir))
    assert.are.equal("bad.json\n", p:read("a"))
    p:close()
  end)
end)
