-- JSON numbers in COCO files: read to the very same double as Python's float()
-- (hence as a correctly rounded strtod), through polygons, keypoints and boxes,
-- which annovet scans straight from the text; RFC 8259's grammar enforced
-- everywhere; and the messages and JSON paths of bad numeric arrays.
local H = require "tests.support.helper"

-- tests/data/numbers/float_cases.txt: "TEXT HEX" lines, HEX the bits of Python's
-- float(TEXT), written by `/usr/bin/python3 tools/float_ref.py --seed 1` (see
-- there for what the 5,000 texts are: %.17g of random doubles, COCO-like
-- coordinates, random decimals around the fast path's limits, edge cases).
local function cases()
  local list = {}
  for line in io.lines("tests/data/numbers/float_cases.txt") do
    local text, hex = line:match("^(%S+) (%x+)$")
    if text then list[#list + 1] = {text = text, bits = hex:gsub("..", function(h) return string.char(tonumber(h, 16)) end)} end
  end
  return list
end

-- The double a number in annovet's output stands for (annovet writes the
-- shortest text that reads back exactly): Lua's reading, with -0 kept.
local function value(s)
  local x = assert(tonumber(s), s)
  if math.type(x) == "integer" then x = (x == 0 and s:sub(1, 1) == "-") and -0.0 or x + 0.0 end
  return x
end

-- A COCO file around the given annotation texts (one 10x10 image, one category).
local function coco(anns)
  return '{"images":[{"id":1,"file_name":"x.jpg","width":10,"height":10}],\n' ..
    '"categories":[{"id":1,"name":"a"}],\n"annotations":[\n' .. table.concat(anns, ",\n") .. "\n]}\n"
end

-- Converts text (COCO) to COCO with annovet and returns the output's text.
local function round_trip(text)
  local dir = H.tmpdir()
  local inp, out = H.write(dir .. "/in.json", text), dir .. "/out.json"
  local _, err, code = H.run("convert " .. H.q(inp) .. " " .. H.q(out) .. " --to coco")
  assert.are.equal(0, code, err)
  return assert(H.slurp(out))
end

-- Every number of every `"key":[...]` of the output (nested arrays flattened), in order.
local function numbers_of(text, key)
  local got = {}
  for arr in text:gmatch('"' .. key .. '":(%b[])') do
    for s in arr:gmatch("[^%[%],%s]+") do got[#got + 1] = s end
  end
  return got
end

-- Checks that the output numbers at positions given by pick(i) (i = 1..#list)
-- are list[i]'s double, bit for bit.
local function check(list, got, pick, what)
  local bad = {}
  for i, c in ipairs(list) do
    local s = got[pick(i)]
    if not s or string.pack(">d", value(s)) ~= c.bits then
      bad[#bad + 1] = string.format("%s -> %s", c.text, tostring(s))
      if #bad == 10 then break end
    end
  end
  assert(#bad == 0, what .. ": read differently from Python's float():\n" .. table.concat(bad, "\n"))
end

describe("JSON numbers", function()
  after_each(H.cleanup)

  it("are read to the same double as Python's float(), in polygons, keypoints and boxes", function()
    local list = cases()
    assert.is_true(#list > 5000)
    -- polygons: 48 numbers a part, two parts an annotation (the last padded with 0)
    local anns, texts = {}, {}
    for _, c in ipairs(list) do texts[#texts + 1] = c.text end
    while #texts % 96 ~= 0 do texts[#texts + 1] = "0" end
    for a = 0, #texts / 96 - 1 do
      anns[#anns + 1] = string.format('{"id":%d,"image_id":1,"category_id":1,"segmentation":[[%s],\n[%s]],' ..
        '"bbox":[0,0,1,1],"area":1}', a + 1, table.concat(texts, ",", 96 * a + 1, 96 * a + 48),
        table.concat(texts, ",", 96 * a + 49, 96 * a + 96))
    end
    check(list, numbers_of(round_trip(coco(anns)), "segmentation"), function(i) return i end, "polygons")
    -- keypoints: x y v triplets of the texts in turn
    anns = {}
    for a = 0, #texts / 48 - 1 do
      anns[#anns + 1] = string.format('{"id":%d,"image_id":1,"category_id":1,"keypoints":[%s],' ..
        '"bbox":[0,0,1,1],"area":1}', a + 1, table.concat(texts, " , ", 48 * a + 1, 48 * a + 48))
    end
    check(list, numbers_of(round_trip(coco(anns)), "keypoints"), function(i) return i end, "keypoints")
    -- boxes: [x, y, 1, 1] with x and y the texts in turn
    anns = {}
    for a = 0, #texts / 2 - 1 do
      anns[#anns + 1] = string.format('{"id":%d,"image_id":1,"category_id":1,"bbox":[ %s,\n%s ,1,1],"area":1}',
        a + 1, texts[2 * a + 1], texts[2 * a + 2])
    end
    check(list, numbers_of(round_trip(coco(anns)), "bbox"), function(i) return 4 * ((i - 1) // 2) + (i - 1) % 2 + 1 end,
      "boxes")
  end)

  -- Written back as the shortest text that reads to the same double, which is
  -- what Python's repr() prints: the expected texts are repr(float(TEXT)) from
  -- /usr/bin/python3 (3.11.2) while developing. Subnormals have fewer
  -- significant bits than 15 digits, so %.15g was not the shortest for them
  -- (5e-324 came out as 4.94065645841247e-324).
  it("are written as Python's repr(): the shortest text, subnormals too", function()
    local cases = {
      {"5e-324", "5e-324"},                                   -- 0x0.0000000000001p-1022
      {"4.9406564584124654e-324", "5e-324"},
      {"1.5e-323", "1.5e-323"},
      {"1e-320", "1e-320"},
      {"3e-320", "3e-320"},
      {"1.23456789e-315", "1.23456789e-315"},
      {"1e-310", "1e-310"},
      {"2.225e-308", "2.225e-308"},                           -- 0x0.fffdd31a00c6dp-1022
      {"2.2250738585072009e-308", "2.225073858507201e-308"},  -- the largest subnormal
      {"2.2250738585072014e-308", "2.2250738585072014e-308"}, -- DBL_MIN, normal
      {"0.1", "0.1"},
    }
    local anns = {}
    for i, c in ipairs(cases) do
      anns[i] = string.format('{"id":%d,"image_id":1,"category_id":1,"bbox":[%s,1,1,1],"area":1}', i, c[1])
    end
    local got = numbers_of(round_trip(coco(anns)), "bbox")
    for i, c in ipairs(cases) do
      assert.are.equal(c[2], got[4 * i - 3], c[1])
    end
  end)

  -- The text written is C's printf: the first of %.15g, %.16g and %.17g that reads
  -- back to the double (Lua's string.format and tonumber are printf and strtod).
  -- annovet writes a coordinate with a few decimals without printf; this holds
  -- it to printf's text on the 5,000 cases, COCO-like coordinates among them.
  it("are written as printf's shortest %.15g to %.17g, coordinates with few decimals too", function()
    local list = cases()
    local texts, anns = {}, {}
    for _, c in ipairs(list) do texts[#texts + 1] = c.text end
    while #texts % 48 ~= 0 do texts[#texts + 1] = "0" end
    for a = 0, #texts / 48 - 1 do
      anns[#anns + 1] = string.format('{"id":%d,"image_id":1,"category_id":1,"segmentation":[[%s]],' ..
        '"bbox":[0,0,1,1],"area":1}', a + 1, table.concat(texts, ",", 48 * a + 1, 48 * a + 48))
    end
    local got = numbers_of(round_trip(coco(anns)), "segmentation")
    local bad, fixed = {}, 0
    for i, c in ipairs(list) do
      local x = string.unpack(">d", c.bits)
      if x == x and x ~= math.huge and x ~= -math.huge and x ~= 0 and math.abs(x) >= 2.2250738585072014e-308 then
        local want
        for prec = 15, 17 do
          want = string.format("%." .. prec .. "g", x)
          if tonumber(want) == x then break end
        end
        if math.abs(x) >= 1e-4 and math.abs(x) < 1e15 and not want:find("e") then fixed = fixed + 1 end
        if got[i] ~= want and #bad < 10 then bad[#bad + 1] = string.format("%s: wrote %s, printf %s", c.text, got[i], want) end
      end
    end
    assert.is_true(fixed > 2000, "many cases are plain decimals")
    assert(#bad == 0, table.concat(bad, "\n"))
  end)

  it("read uncompressed RLE counts and results files from the text too", function()
    local text = coco({'{"id":1,"image_id":1,"category_id":1,"segmentation":{"counts":[ 10 ,2e1,30.0, 0.4e2 ],' ..
      '"size":[10,10]},"iscrowd":1,"bbox":[0,0,1,1],"area":1}'})
    assert.truthy(round_trip(text):find('"counts":[10,20,30,40]', 1, true))
    -- compressed strings, one with an escaped backslash: frPoly's counts and area of
    -- polygons 5 and 1 of tests/mask_spec.lua (pycocotools)
    local masks = {
      {h = 42, w = 58, counts = 'W\\\\11d20[10eN000fN0Z1000fN0O010O10O10O0e2', area = 16},
      {h = 58, w = 25, counts = "i?3`02=0H6KM8:[OIi03]OGg02AN=LF=f0:F7I0OL5L4K5L4K5Ld1", area = 289},
    }
    for _, m in ipairs(masks) do
      local out = round_trip(coco({string.format('{"id":1,"image_id":1,"category_id":1,"iscrowd":1,' ..
        '"segmentation":{"size":[%d,%d],"counts":"%s"}}', m.h, m.w, m.counts)}))
      assert.truthy(out:find('"counts":"' .. m.counts .. '"', 1, true), out)
      assert.truthy(out:find('"area":' .. m.area .. ',', 1, true), out)
    end
    local dir = H.tmpdir()
    local gt = H.write(dir .. "/gt.json", coco({}))
    local dt = H.write(dir .. "/dt.json", '[{"image_id":1,"category_id":1,"segmentation":[[0.1,0.2,3e-1,4,5,6]],' ..
      '"score":0.5}]')
    local out, err, code = H.run("run " .. H.q(H.script([[
      local gt = assert(annovet.load(arg[1]))
      local ds = assert(annovet.load(arg[2], {gt = gt}))
      for a in ds:annotations() do print(string.format("%a %a %a", a.coords[1], a.coords[2], a.coords[3])) end
    ]])) .. " " .. H.q(gt) .. " " .. H.q(dt))
    assert.are.equal(0, code, err)
    -- Python: float.hex(0.1), float.hex(0.2), float.hex(0.3)
    assert.are.same({"0x1.999999999999ap-4", "0x1.999999999999ap-3", "0x1.3333333333333p-2"},
      {out:match("(%S+) (%S+) (%S+)")})
  end)

  -- Runs inspect on text; expects exit 2 and one line on stderr, returned without
  -- "annovet: FILE".
  local function fails_text(text)
    local p = H.write(H.tmpdir() .. "/bad.json", text)
    local out, err, code = H.run("inspect " .. H.q(p))
    assert.are.equal(2, code, err)
    assert.are.equal("", out)
    return (err:gsub("^annovet: " .. p:gsub("%p", "%%%0"), ""):gsub("\n$", ""))
  end
  local function fails(ann) return fails_text(coco({ann})) end

  it("keep the first of a repeated member, as before, and still check the others", function()
    local text = round_trip(coco({'{"id":1,"image_id":1,"category_id":1,"bbox":[1,1,2,2],"bbox":[5,5,1,1],"area":1}'}))
    assert.truthy(text:find('"bbox":[1,1,2,2]', 1, true), text)
    local ann = '{"id":1,"image_id":1,"category_id":1,"bbox":[1,1,2,2],"bbox":[5,5,1,01]}'
    assert.are.equal(string.format(":4:%d: invalid JSON near '1]}'", ann:find("01]") + 1), fails(ann))
  end)

  it("follow RFC 8259: no leading zeros, no bare points, no plus signs, no hex", function()
    -- Python's json.loads refuses each of these texts; the column is that of the
    -- byte where the text stops being a number (as Python reports it).
    local head = '{"id":1,"image_id":1,"category_id":1,"bbox":[1,1,'
    local cases = {
      {"01", 2}, {"-01", 3}, {"00", 2}, {"1.", 2}, {"1.e5", 2}, {"-.5", 1}, {"-", 1}, {"1e", 2}, {"1e+", 2},
      {"1.5.3", 4}, {"0x10", 2}, {"--1", 1}, {"1e5e", 4}, {"1-2", 2}, {"2a", 2},
    }
    for _, c in ipairs(cases) do
      local err = fails(head .. c[1] .. ",2]}")
      local col = #head + c[2]
      assert.are.equal(string.format(":4:%d: invalid JSON near '%s'", col, (c[1] .. ",2]}"):sub(c[2])), err, c[1])
    end
    -- the same outside the scanned arrays (values cJSON parses: it takes "01")
    assert.are.equal(":4:8: invalid JSON near '1,\"image_id\":1,\"'",
      fails('{"id":01,"image_id":1,"category_id":1,"bbox":[1,1,2,2]}'))
    local area = '{"id":1,"image_id":1,"category_id":1,"bbox":[1,1,2,2],"area":5.}'
    assert.are.equal(string.format(":4:%d: invalid JSON near '.}'", area:find("5.}") + 1), fails(area))
    local img = '{"images":[{"id":1,"file_name":"x.jpg","width":010,"height":10}],"categories":[]}'
    assert.are.equal(string.format(":1:%d: invalid JSON near '10,\"height\":10}]'", img:find("010") + 1),
      fails_text(img))
    -- NaN and Infinity are named, wherever they are
    assert.are.equal(":4:50: NaN and Infinity are not JSON numbers", fails(head .. "NaN,2]}"))
    assert.are.equal(":4:50: NaN and Infinity are not JSON numbers", fails(head .. "-Infinity,2]}"))
    assert.are.equal(":4:51: NaN and Infinity are not JSON numbers", fails(head .. "1NaN,2]}"))
  end)

  it("keep the JSON path in the messages about numeric arrays", function()
    local a = '{"id":1,"image_id":1,"category_id":1,'
    local cases = {
      {'"segmentation":[[1,2,3,4,5,"6"]]}', "annotations[0].segmentation[0][5]: expected a number, got a string"},
      {'"segmentation":[[1,2,3,4,5,6],[1,2,3,4,5,null]]}', "annotations[0].segmentation[1][5]: expected a number, got null"},
      {'"segmentation":[[1,2,3,4,5,6],[1,2,3,4,5,[6]]]}', "annotations[0].segmentation[1][5]: expected a number, got an array"},
      {'"segmentation":[[1,2,3,4,5,6],7]}', "annotations[0].segmentation[1]: expected a polygon (an array of x y numbers), got a number"},
      {'"segmentation":[[1,2,3,4,5,1e400]]}', "annotations[0].segmentation[0][5]: number out of range (too large for a double)"},
      {'"segmentation":[[1,2,3,4,5,6],[1,2,-1e999,4,5,6]]}', "annotations[0].segmentation[1][2]: number out of range (too large for a double)"},
      {'"segmentation":[[1,2,3,4,5,6],[1,2,3]]}', "annotations[0].segmentation[1]: expected x y pairs, got an odd count of numbers (3)"},
      {'"segmentation":"1,2"}', "annotations[0].segmentation: expected polygons (an array of arrays) or an RLE object, got a string"},
      {'"keypoints":[1,2,true]}', "annotations[0].keypoints[2]: expected a number, got a boolean"},
      {'"keypoints":[1,2,1e309]}', "annotations[0].keypoints[2]: number out of range (too large for a double)"},
      {'"bbox":[1,{},2,2]}', "annotations[0].bbox[1]: expected a number, got an object"},
      {'"bbox":[1,1,2,2,5]}', "annotations[0].bbox: expected 4 numbers, got 5"},
      {'"segmentation":{"size":[2,2],"counts":[1,2.5,0.5]}}', "annotations[0].segmentation.counts[1]: expected an integer, got 2.5"},
      {'"segmentation":{"size":[2,2],"counts":[1,-2,5]}}',
        "annotations[0].segmentation.counts[1]: expected an integer from 0 to 4294967295, got -2"},
      {'"segmentation":{"size":[2,2],"counts":[1,1e400]}}', "annotations[0].segmentation.counts[1]: number out of range (too large for a double)"},
      {'"segmentation":{"size":[2,2],"counts":[1,"2"]}}', "annotations[0].segmentation.counts[1]: expected an integer, got a string"},
      {'"segmentation":{"counts":[1,3]}}', "annotations[0].segmentation.size: expected [height, width]"},
      {'"segmentation":{"size":[2,2],"counts":[1,2]}}',
        "annotations[0].segmentation.counts: runs add up to 3 pixels, expected height x width = 4"},
    }
    for _, c in ipairs(cases) do assert.are.equal(": " .. c[2], fails(a .. c[1])) end
  end)
end)
