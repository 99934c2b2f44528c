-- Every input a fuzz target crashed on (tests/data/fuzz/<target>/, fuzz/README.md)
-- read by the real binary: a clean result or one clean error (exit 2, one line
-- "annovet: ..."), never a crash. Under `make test-asan` and `make memcheck` the
-- sanitizers and valgrind check the memory the read touched.
local H = require "tests.support.helper"
local unpack_input = dofile("fuzz/unpack.lua").unpack

-- What each input must give: exit status, and for exit 0 the annotations read.
local EXPECT = {
  -- UBSan: formats.c's UTF-8 check took NULL + 0 for an annotation without attributes.
  ["csv_tags/attrs-null-offset.csv"] = {code = 0, annotations = 3},
  -- ASan: heap-use-after-free: a <track> shape's label pointed into the string
  -- pool, which interning "track_id" moved (also ../shared's video_annotations.xml).
  ["cvat/track-label-pool-moved.xml"] = {code = 0, annotations = 1},
}

local function list(cmd)
  local p = assert(io.popen(cmd))
  local out = {}
  for l in p:lines() do out[#out + 1] = l end
  p:close()
  return out
end

-- Runs annovet on one fuzz input of target; returns stdout, stderr, exit code.
local function replay(target, file)
  if target == "rle" then   -- the codec, through the geometry API
    local hex = H.slurp(file):gsub(".", function(c) return string.format("%02x", c:byte()) end)
    local script = H.script([[
local s = (arg[1]):gsub("%x%x", function(h) return string.char(tonumber(h, 16)) end)
local ok, area = pcall(annovet.geom.area, {size = {1, 1}, counts = s})
print(annovet.json.encode({ok = ok}))]])
    return H.run("run " .. H.q(script) .. " " .. H.q(hex))
  end
  local path, fmt = unpack_input(target, H.slurp(file), H.tmpdir())
  return H.run("inspect " .. H.q(path) .. " --from " .. fmt)
end

describe("fuzz regressions", function()
  after_each(H.cleanup)

  local files = list("cd tests/data/fuzz 2>/dev/null && ls -d */* | LC_ALL=C sort")
  it("has inputs", function() assert.is_true(#files > 0) end)
  for _, rel in ipairs(files) do
    local target = rel:match("^([^/]+)/")
    it(rel .. " is read or refused cleanly", function()
      local out, err, code = replay(target, "tests/data/fuzz/" .. rel)
      local want = EXPECT[rel] or {}
      assert.is_true(code == 0 or code == 2, "exit " .. tostring(code) .. ": " .. err)
      if want.code then assert.are.equal(want.code, code, err) end
      if code == 2 then
        assert.are.equal("", out)
        assert.truthy(err:match("^annovet: [^\n]+\n$"), "one line of error: " .. err)
      elseif want.annotations then
        assert.are.equal(want.annotations, H.decode(out).annotations)
      end
    end)
  end

  it("reads the shared CVAT video fixture that found the track label bug", function()
    local f = H.fixture("formats/cvat/video_annotations.xml")
    if not f then return pending(H.NO_SHARED) end
    local out, err, code = H.run("inspect " .. H.q(f))
    assert.are.equal(0, code, err)
    assert.are.equal("cvat", H.decode(out).format)
  end)
end)
