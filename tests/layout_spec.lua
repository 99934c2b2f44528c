-- The build holds the layering: Lua's headers only in host/bind/ (and main.c),
-- SQLite's only in host/store/, and the embedded Lua follows the files on disk.
local H = require "tests.support.helper"

local function sh(cmd)
  local p = assert(io.popen(cmd .. " 2>&1"))
  local out = p:read("a")
  local _, _, code = p:close()
  return out, code
end

describe("the layout", function()
  it("keeps lua.h out of every layer but bind/ and sqlite3.h out of every layer but store/", function()
    local out, code = sh("make -s check-layers")
    assert.are.equal(0, code, out)
    assert.truthy(out:find("lua.h only in bind/", 1, true), out)
    -- the check can fail: give the core Lua's include path and it says so
    out, code = sh("make -s check-layers CORE_INC='-Ihost/core -Ihost/util -I/usr/include/lua5.4'")
    assert.are_not.equal(0, code, out)
    assert.truthy(out:find("core can include lua.h", 1, true), out)
    out, code = sh("make -s check-layers NO_SQLITE=")
    assert.are_not.equal(0, code, out)
    assert.truthy(out:find("can include sqlite3.h", 1, true), out)
  end)

  it("names the Debian package when pkg-config lacks a library", function()
    local out, code = sh("make -s pkgcheck PKG_DEBS=nosuch-lib:libnosuch-dev")
    assert.are_not.equal(0, code, out)
    assert.truthy(out:find("pkg-config does not know nosuch-lib: install the Debian package libnosuch-dev", 1, true), out)
    out, code = sh("make -s pkgcheck")
    assert.are.equal(0, code, out)
  end)

  it("keeps no C file but main.c directly under host/", function()
    local out = sh("ls host/*.c")
    assert.are.equal("host/main.c\n", out)
  end)

  it("keeps every SQL statement of the Lua side in lua/annovet/store.lua", function()
    local out = sh("grep -rlE 'db:(rows|first|exec)\\(|SELECT |INSERT INTO|DELETE FROM|UPDATE [a-z_]+ SET' lua " ..
      "| grep -v '^lua/annovet/store.lua$'")
    assert.are.equal("", out)
  end)

  it("lets commands reach C only through the annovet module", function()
    local out = sh("grep -rlE 'require *\\(? *[\"'\\'']annovet\\.c\\.' lua/annovet/cmd lua/annovet/sla lua/annovet/cli.lua")
    assert.are.equal("", out)
  end)

  it("drops a deleted Lua file from the embedded library on the next make", function()
    local d = H.tmpdir()
    local out, code = sh("mkdir -p " .. H.q(d .. "/tools") .. " && cp Makefile VERSION.mk " .. H.q(d) ..
      " && cp tools/embed.sh " .. H.q(d .. "/tools") .. " && cp -r lua " .. H.q(d))
    assert.are.equal(0, code, out)
    out, code = sh("make -s -C " .. H.q(d) .. " build/embed.c")
    assert.are.equal(0, code, out)
    local before = H.slurp(d .. "/build/embed.c")
    assert.truthy(before:find('"lua/annovet/cmd/drift.lua"', 1, true))
    os.remove(d .. "/lua/annovet/cmd/drift.lua")
    out, code = sh("make -s -C " .. H.q(d) .. " build/embed.c")
    assert.are.equal(0, code, out)
    local after = H.slurp(d .. "/build/embed.c")
    assert.falsy(after:find('"lua/annovet/cmd/drift.lua"', 1, true))
    assert.truthy(after:find('"lua/annovet/cmd/compare.lua"', 1, true))
  end)
end)
