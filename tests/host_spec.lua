-- The host: command dispatch, help, version, exit statuses.
local H = require "tests.support.helper"

describe("annovet host", function()
  it("prints usage on stderr and exits 2 without a command", function()
    local out, err, code = H.run("")
    assert.are.equal(2, code)
    assert.are.equal("", out)
    assert.truthy(err:find("usage: annovet", 1, true))
  end)

  it("lists the commands with --help and exits 0", function()
    local out, _, code = H.run("--help")
    assert.are.equal(0, code)
    assert.truthy(out:find("\n  run ", 1, true))
    assert.truthy(out:find("\n  store ", 1, true))
  end)

  it("prints version and commit", function()
    local out, _, code = H.run("--version")
    assert.are.equal(0, code)
    assert.truthy(out:match("^annovet %d+%.%d+%.%d+ %(commit [%w+]+, Lua 5%.4%)\n$"), out)
  end)

  it("describes a command with help CMD and with CMD --help alike", function()
    local a, _, c1 = H.run("help run")
    local b, _, c2 = H.run("run --help")
    assert.are.equal(0, c1)
    assert.are.equal(0, c2)
    assert.are.equal(a, b)
    assert.truthy(a:find("--max-memory SIZE", 1, true))
  end)

  it("refuses an unknown command with usage and exit 2", function()
    for _, args in ipairs {"frobnicate", "--frobnicate", "help frobnicate"} do
      local out, err, code = H.run(args)
      assert.are.equal(2, code, args)
      assert.are.equal("", out)
      assert.truthy(err:find("unknown %a+ '?%-*frobnicate"), err)
      assert.truthy(err:find("usage: annovet [--help] [--version] COMMAND", 1, true), err)
      assert.truthy(err:find("\n  compare ", 1, true), err)   -- the command list
    end
  end)

  it("refuses an unknown flag with the command's usage and exit 2", function()
    local _, err, code = H.run("store info --bogus")
    assert.are.equal(2, code)
    assert.truthy(err:find("unknown option --bogus", 1, true))
    assert.truthy(err:find("usage: annovet store", 1, true))
  end)

  it("refuses a flag without its value", function()
    local _, err, code = H.run("store info --store")
    assert.are.equal(2, code)
    assert.truthy(err:find("--store needs a value", 1, true))
  end)

  it("runs from another directory with no files beside it", function()
    local dir = H.tmpdir()
    -- tests/run.sh makes ANNOVET an absolute path
    local p = io.popen("cd " .. H.q(dir) .. " && env -u ANNOVET_LUA_PATH " .. H.bin .. " --help 2>&1")
    local out = p:read("a")
    local _, _, code = p:close()
    H.cleanup()
    assert.are.equal(0, code, out)
    assert.truthy(out:find("commands:", 1, true))
  end)
end)
