-- annovet convert without --to: the format OUT's name implies, said on stderr.
local H = require "tests.support.helper"

local GOLD = "examples/pilot/gold.json"

describe("annovet convert without --to", function()
  after_each(H.cleanup)

  -- Converts IN to dir/OUT without --to; returns the summary, stderr and dir.
  local function convert(inp, out)
    local dir = H.tmpdir()
    local stdout, err, code = H.run("convert " .. H.q(inp) .. " " .. H.q(dir .. "/" .. out))
    assert.are.equal(0, code, err)
    return H.decode(stdout), err, dir
  end

  it("writes .xml as CVAT, .json as COCO, and says so", function()
    local s, err, dir = convert(GOLD, "a.xml")
    assert.are.equal("cvat", s.to)
    assert.truthy(err:find("/a.xml as cvat (from its name; --to chooses)", 1, true), err)
    local back = H.decode((H.run("convert " .. H.q(dir .. "/a.xml") .. " " .. H.q(dir .. "/b.json"))))
    assert.are.equal("cvat", back.from)
    assert.are.equal("coco", back.to)
    assert.are.equal(s.annotations, back.annotations)
  end)

  it("keeps a JSON input's own format for a .json output", function()
    local dir = H.tmpdir()
    assert.are.equal(0, select(3, H.run("convert " .. H.q(GOLD) .. " " .. H.q(dir .. "/ls.json") .. " --to labelstudio")))
    local s = convert(dir .. "/ls.json", "again.json")
    assert.are.equal("labelstudio", s.from)
    assert.are.equal("labelstudio", s.to)
  end)

  it("refuses an OUT whose name says no format, writing nothing", function()
    local dir = H.tmpdir()
    local out, err, code = H.run("convert " .. H.q(GOLD) .. " " .. H.q(dir .. "/out.dat"))
    assert.are.equal(2, code)
    assert.are.equal("", out)
    assert.truthy(err:find("/out.dat: its name does not say a format; give --to FORMAT", 1, true), err)
    assert.is_nil(io.open(dir .. "/out.dat"))
  end)
end)
