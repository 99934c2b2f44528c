-- compare --out: the folder is checked before any scoring, created with its
-- parents at the end (as run --out creates its own), and left alone on failure.
local H = require "tests.support.helper"

local GOLD = "tests/data/fixtures/coco/instances.json"

describe("compare --out", function()
  after_each(H.cleanup)

  local function compare(out, vendor)
    return H.run("compare --gold " .. H.q(GOLD) .. " --vendor v=" .. H.q(vendor or GOLD) .. " --out " .. H.q(out))
  end

  it("creates the folder's missing parents", function()
    local dir = H.tmpdir()
    local _, err, code = compare(dir .. "/a/b/c")
    assert.are.equal(0, code, err)
    assert.truthy(H.slurp(dir .. "/a/b/c/per_class.csv"), err)
    assert.truthy(H.slurp(dir .. "/a/b/c/compare.json"), err)
    -- and an existing folder, given with a trailing slash, is fine
    _, err, code = compare(dir .. "/a/b/c/")
    assert.are.equal(0, code, err)
  end)

  it("refuses a folder it cannot create before any scoring, with one line and exit 2", function()
    local dir = H.tmpdir()
    H.write(dir .. "/file", "not a folder\n")
    for _, out in ipairs {dir .. "/file", dir .. "/file/sub"} do
      local stdout, err, code = compare(out)
      assert.are.equal(2, code, err)
      assert.are.equal("", stdout)
      assert.are.equal(out .. ": cannot create the directory: Not a directory\n", err:gsub("^annovet: ", ""))
    end
  end)

  it("creates nothing when the comparison fails", function()
    local dir = H.tmpdir()
    local _, err, code = compare(dir .. "/new/out", dir .. "/missing.json")
    assert.are.equal(2, code, err)
    assert.is_nil(io.open(dir .. "/new", "r"))
  end)

  it("run --out creates the folder's parents too", function()
    local dir = H.tmpdir()
    local script = H.script("return 0\n")
    local _, err, code = H.run("run --out " .. H.q(dir .. "/x/y") .. " " .. H.q(script))
    assert.are.equal(0, code, err)
    assert.are.equal("dir", (io.popen("test -d " .. H.q(dir .. "/x/y") .. " && echo dir"):read("l")))
  end)
end)
