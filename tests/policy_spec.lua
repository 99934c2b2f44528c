-- The policy loader (lua/annovet/policy.lua) through `annovet policy`: a policy file
-- runs in the sandbox, its fields are checked, its SHA-256 and parameters recorded,
-- and an error or a limit is a failure naming the file and line.
local H = require "tests.support.helper"

local GOOD = [[
-- a scorecard as a buyer writes it
local M = {description = "per-class F1", params = {threshold = 0.95, strict = false, label = "f1"}}
M.clauses = {{name = "F1", text = "F1 >= threshold"}}
function M.check(f1) return f1 >= M.params.threshold end
function M.threshold() return M.params.threshold, M.params.strict end
function M.spin()
  local n = 0
  while true do n = n + 1 end
end
function M.fail() local x = nil; return x.field end
function M.probe() return type(os), type(io), type(debug), type(package), type(loadfile) end
function M.read() return annovet.load("/etc/passwd") end
function M.hog() local t = {} for i = 1, 1e8 do t[i] = ("x"):rep(64) .. i end return #t end
return M
]]

local function policy(args)
  local out, err, code = H.run("policy " .. args)
  return out, err, code
end

-- Fails with exit 2 and one line on stderr holding each of the strings.
local function refused(args, ...)
  local out, err, code = policy(args)
  assert.are.equal(2, code, args .. ": " .. out .. err)
  assert.are.equal("", out, args)
  assert.is_nil(err:gsub("\n$", ""):find("\n"), "one line expected: " .. err)
  for _, s in ipairs {...} do assert.truthy(err:find(s, 1, true), s .. " in: " .. err) end
  return err
end

describe("annovet policy", function()
  after_each(H.cleanup)

  local function good()
    local dir = H.tmpdir()
    return H.write(dir .. "/rework.lua", GOOD)
  end

  it("loads a good policy: fields, parameters and the SHA-256 of its bytes", function()
    local path = good()
    local out, err, code = policy(H.q(path) .. " --field description=string --field clauses=table " ..
      "--field check=function --field contract=string?")
    assert.are.equal(0, code, err)
    local r = H.decode(out)
    assert.are.equal(path, r.path)
    assert.are.equal("disk", r.source)
    local p = io.popen("sha256sum " .. H.q(path))
    local sum = p:read("a"):match("^(%x+)")
    p:close()
    assert.are.equal(sum, r.sha256)
    assert.are.same({threshold = 0.95, strict = false, label = "f1"}, r.params)
    assert.are.equal("function", r.fields.check)
    assert.are.equal("table", r.fields.clauses)
  end)

  it("overrides parameters, which the policy's functions then see", function()
    local path = good()
    local out, err, code = policy(H.q(path) .. " --param threshold=0.8 --param strict=true --call threshold")
    assert.are.equal(0, code, err)
    local r = H.decode(out)
    assert.are.same({threshold = 0.8, strict = true, label = "f1"}, r.params)
    assert.are.same({0.8, true}, r.results)
    refused(H.q(path) .. " --param treshold=0.8", path .. ": no parameter 'treshold' (it takes label, strict, threshold)")
    refused(H.q(path) .. " --param threshold=high", path .. ": parameter 'threshold' is a number, got string 'high'")
  end)

  it("names the file and the field that is missing or of the wrong type", function()
    local path = good()
    refused(H.q(path) .. " --field contract=string", path .. ": the returned table has no field 'contract' (it must be a string)")
    refused(H.q(path) .. " --field clauses=string", path .. ": field 'clauses' must be a string, got a table")
    refused(H.q(path) .. " --field 'description=number|table'", path .. ": field 'description' must be a number or table, got a string")
    refused(H.q(path) .. " --field clauses=tabel", "unknown type 'tabel'")
    local dir = H.tmpdir()
    local p = H.write(dir .. "/nothing.lua", "local x = 1\n")
    refused(H.q(p), p .. ": a policy returns a table of its fields, got nothing")
  end)

  it("refuses a policy that does not compile or errors while it loads, with its line", function()
    local dir = H.tmpdir()
    local syntax = H.write(dir .. "/syntax.lua", "return {\n  a = = 1,\n}\n")
    refused(H.q(syntax), syntax .. ":2:")
    local runtime = H.write(dir .. "/runtime.lua", "local rates = {}\nlocal x = rates.acme.price\nreturn {}\n")
    refused(H.q(runtime), runtime .. ":2:", "attempt to index")
    local bin = H.write(dir .. "/bin.lua", "\27Lua binary")
    refused(H.q(bin), "attempt to load a binary chunk")
    refused(H.q(dir .. "/absent.lua"), dir .. "/absent.lua")
  end)

  it("stops a function that loops forever at the step limit: a failure with file:line", function()
    local path = good()
    refused(H.q(path) .. " --call spin --max-steps 100000", path .. ":8: instruction limit reached")
    refused(H.q(path) .. " --call fail", path .. ":10: attempt to index")
    refused(H.q(path) .. " --call nope", path .. ": the policy has no function 'nope'")
    -- and at load time too
    local dir = H.tmpdir()
    local loop = H.write(dir .. "/loop.lua", "local n = 0\nwhile true do n = n + 1 end\n")
    refused(H.q(loop) .. " --max-steps 100000", loop .. ":2: instruction limit reached")
  end)

  it("stops a policy at the memory budget", function()
    local path = good()
    refused(H.q(path) .. " --call hog --max-memory 16M", path .. ": memory limit reached")
  end)

  it("runs the policy with no os, io, debug or package, and lets it read nothing", function()
    local path = good()
    local out, err, code = policy(H.q(path) .. " --call probe")
    assert.are.equal(0, code, err)
    assert.are.same({"nil", "nil", "nil", "nil", "nil"}, H.decode(out).results)
    refused(H.q(path) .. " --call read", "/etc/passwd: outside what the script may read")
    local dir = H.tmpdir()
    local sneaky = H.write(dir .. "/sneaky.lua", "os.execute('touch " .. dir .. "/pwned')\nreturn {}\n")
    refused(H.q(sneaky), sneaky .. ":1:", "attempt to index a nil value (global 'os')")
    assert.is_nil(io.open(dir .. "/pwned"))
  end)
end)
