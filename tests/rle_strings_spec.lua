-- Compressed RLE strings (pycocotools' rleFrString) as the COCO reader takes them:
-- decoded and kept (convert, compare), or checked and counted only (inspect,
-- ingest). Both must accept every string pycocotools writes, escapes in the JSON
-- included, and refuse a faulty one with the same message.
--
-- Known answers: the counts strings and areas of tests/data/mask/polys.lua,
-- multi.lua and boxes.lua, written by pycocotools 2.0.11 (where and how: the
-- header of tests/mask_spec.lua). Most hold a backslash, which JSON escapes.
local H = require "tests.support.helper"

local function json_string(s)
  return '"' .. s:gsub('[\\"]', "\\%0") .. '"'
end

-- A COCO results file with one mask per {counts, h, w}.
local function results(masks)
  local out = {}
  for i, m in ipairs(masks) do
    out[i] = string.format('{"image_id":%d,"category_id":1,"segmentation":{"size":[%d,%d],"counts":%s},"score":0.5}',
      i, m.h, m.w, m.json or json_string(m.counts))
  end
  return "[\n" .. table.concat(out, ",\n") .. "\n]\n"
end

local function pycocotools_masks()
  local masks = {}
  for _, name in ipairs {"mask/polys.lua", "mask/multi.lua", "mask/boxes.lua"} do
    for _, m in ipairs(H.data(name)) do
      if m.counts and m.h and m.w and m.area then masks[#masks + 1] = m end
    end
  end
  return masks
end

describe("compressed RLE strings", function()
  after_each(H.cleanup)

  it("are read back to pycocotools' strings and areas, and counted alike", function()
    local masks = pycocotools_masks()
    assert.is_true(#masks >= 40, "the reference tables are there")
    local escaped = 0
    for _, m in ipairs(masks) do escaped = escaped + (m.counts:find("\\", 1, true) and 1 or 0) end
    assert.is_true(escaped > 0, "some strings need JSON escapes")
    local dir = H.tmpdir()
    local path = H.write(dir .. "/dt.json", results(masks))
    -- decoded and kept: written back, every string and area is pycocotools'
    local _, err, code = H.run("convert " .. H.q(path) .. " " .. H.q(dir .. "/back.json") .. " --to coco-results")
    assert.are.equal(0, code, err)
    local back = H.decode(H.slurp(dir .. "/back.json"))
    assert.are.equal(#masks, #back)
    for i, m in ipairs(masks) do
      assert.are.equal(m.counts, back[i].segmentation.counts, "mask " .. i)
      assert.are.equal(m.area, back[i].area, "mask " .. i)
    end
    -- checked and counted only
    local out, err2, code2 = H.run("inspect " .. H.q(path))
    assert.are.equal(0, code2, err2)
    assert.are.equal(#masks, H.decode(out).annotations)
  end)

  it("read a string whose escapes only cJSON knows (\\u) as the same mask", function()
    local dir = H.tmpdir()
    -- "0d0n0" with its characters as \u escapes, and the same string plain
    local path = H.write(dir .. "/u.json", results {
      {h = 10, w = 5, json = '"\\u0030d\\u0030n\\u0030"'}, {h = 10, w = 5, counts = "0d0n0"},
    })
    local _, err, code = H.run("convert " .. H.q(path) .. " " .. H.q(dir .. "/back.json") .. " --to coco-results")
    assert.are.equal(0, code, err)
    local back = H.decode(H.slurp(dir .. "/back.json"))
    assert.are.equal("0d0n0", back[1].segmentation.counts)
    assert.are.equal(back[2].area, back[1].area)
  end)

  it("refuse a faulty string with the same message whether kept or counted", function()
    -- each fault after the first three runs (stored whole) and inside a stretch of
    -- eight one-character runs, where the reader takes runs eight at a time
    local cases = {
      {"012@@@@@@@@", 10, 10, "run 3 is -15, outside 0..2^32-1"},
      {"0123456~89:;", 10, 10, "character 7 is not in '0'..'o'"},
      {"01234567899h", 10, 10, "ends in the middle of a number (at 12)"},
      {"012hhhhhhhh0", 10, 10, "number too long at 10"},
      {"0123456789:;", 10, 10, "runs add up to"},
      {"01" .. string.rep("0", 30) .. "?", 10, 10, "runs add up to"},
    }
    for i, c in ipairs(cases) do
      local dir = H.tmpdir()
      local path = H.write(dir .. "/bad" .. i .. ".json", results {{counts = c[1], h = c[2], w = c[3]}})
      local _, kept, code1 = H.run("convert " .. H.q(path) .. " " .. H.q(dir .. "/out.json") .. " --to coco-results")
      local _, counted, code2 = H.run("inspect " .. H.q(path))
      assert.are.equal(2, code1, c[1] .. ": " .. kept)
      assert.are.equal(2, code2, c[1] .. ": " .. counted)
      assert.truthy(kept:find(c[4], 1, true), c[1] .. ": " .. kept)
      assert.are.equal(kept, counted)
      assert.truthy(kept:find("[0].segmentation.counts", 1, true), kept)
    end
  end)
end)
