-- annovet run: what a user script may and may not do, and the two budgets.
local H = require "tests.support.helper"

local function run_cmd(text, flags, args)
  local path = H.script(text)
  return H.run("run " .. (flags or "") .. " " .. H.q(path) .. " " .. (args or ""))
end

describe("annovet run", function()
  after_each(H.cleanup)

  it("runs a script with its arguments and the annovet module", function()
    local out, err, code = run_cmd([[
      print(select("#", ...), ..., arg[1], arg[2])
      print(type(annovet.json.encode), annovet.json.encode({b = {1, 2.5}, a = "x"}))
      print(annovet.sha256("abc"))
    ]], "", "one two")
    assert.are.equal(0, code, err)
    assert.truthy(out:find("2\tone\tone\ttwo\n", 1, true), out)  -- a vararg mid-list gives one value
    assert.truthy(out:find('function\t{"a":"x","b":[1,2.5]}\n', 1, true), out)
    -- FIPS 180-2, appendix B.1: SHA-256("abc")
    assert.truthy(out:find("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", 1, true), out)
  end)

  it("exits with the integer a script returns", function()
    local _, _, code = run_cmd("return 1")
    assert.are.equal(1, code)
  end)

  it("reports a script error as SCRIPT:LINE with a traceback, exit 2", function()
    local _, err, code = run_cmd("local x = 1\nerror('boom')\n")
    assert.are.equal(2, code)
    assert.truthy(err:find("script.lua:2: boom", 1, true), err)
    assert.truthy(err:find("stack traceback:", 1, true), err)
  end)

  it("reports a syntax error with its line, exit 2", function()
    local _, err, code = run_cmd("local x = = 1\n")
    assert.are.equal(2, code)
    assert.truthy(err:find("script.lua:1:", 1, true), err)
  end)

  it("names a missing script", function()
    local _, err, code = H.run("run /nonexistent/dir/x.lua")
    assert.are.equal(2, code)
    assert.truthy(err:find("/nonexistent/dir/x.lua", 1, true), err)
  end)

  it("has no os: os.execute('id') is refused", function()
    local out, err, code = run_cmd('os.execute("id")')
    assert.are.equal(2, code)
    assert.are.equal("", out)
    assert.truthy(err:find("global 'os'", 1, true), err)
  end)

  it("has no io: io.popen is refused", function()
    local out, err, code = run_cmd('io.popen("id"):read("a")')
    assert.are.equal(2, code)
    assert.are.equal("", out)
    assert.truthy(err:find("global 'io'", 1, true), err)
  end)

  it("loads no C module: require 'lfs' is refused", function()
    local _, err, code = run_cmd('require "lfs"')
    assert.are.equal(2, code)
    assert.truthy(err:find("module 'lfs' not found", 1, true), err)
  end)

  it("has no string.dump, even through the string metatable", function()
    local _, err, code = run_cmd('local f = function() end\nload(string.dump(f))')
    assert.are.equal(2, code)
    assert.truthy(err:find("script.lua:2: attempt to call a nil value (field 'dump')", 1, true), err)
    local out = run_cmd('print(("").dump, getmetatable(""))')
    assert.are.equal("nil\tlocked\n", out)
  end)

  it("loads text chunks only", function()
    local out, err, code = run_cmd([[
      print(load("\27Lua\84\0"))
      print(pcall(load, "return 1", "x", "b"))
      print(load("return 1 + 1")())
    ]])
    assert.are.equal(0, code, err)
    assert.truthy(out:find("attempt to load a binary chunk", 1, true), out)
    assert.truthy(out:find("only text chunks", 1, true), out)
    assert.truthy(out:find("\n2\n", 1, true), out)
  end)

  it("lists exactly the allowed globals", function()
    local out, err, code = run_cmd([[
      local names = {}
      for k in pairs(_G) do names[#names + 1] = k end
      table.sort(names)
      print(table.concat(names, " "))
    ]])
    assert.are.equal(0, code, err)
    assert.are.equal("_G _VERSION annovet arg assert collectgarbage coroutine error " ..
      "getmetatable ipairs load math next pairs pcall print rawequal rawget rawlen " ..
      "rawset require select setmetatable string table tonumber tostring type utf8 xpcall\n", out)
  end)

  it("keeps the annovet API read-only", function()
    local _, err, code = run_cmd('annovet.json.encode = nil')
    assert.are.equal(2, code)
    assert.truthy(err:find("read-only", 1, true), err)
  end)

  it("requires a Lua module beside the script, in the same sandbox", function()
    local dir = H.tmpdir()
    H.write(dir .. "/rules.lua", "return {os = os, answer = 42}")
    H.write(dir .. "/main.lua", "local r = require 'rules' print(r.answer, r.os)")
    local out, err, code = H.run("run " .. H.q(dir .. "/main.lua"))
    assert.are.equal(0, code, err)
    assert.are.equal("42\tnil\n", out)
  end)

  it("stops an endless loop at --max-steps, even under pcall", function()
    local _, err, code = run_cmd("while true do end", "--max-steps 1000000")
    assert.are.equal(2, code)
    assert.truthy(err:find("script.lua:1: instruction limit reached (--max-steps 1000000)", 1, true), err)
    _, err, code = run_cmd("while true do pcall(function() while true do end end) end",
      "--max-steps 1000000")
    assert.are.equal(2, code)
    assert.truthy(err:find("instruction limit reached", 1, true), err)
  end)

  it("refuses string.rep('x', 2^31) and stops growth at --max-memory", function()
    local _, err, code = run_cmd('local s = string.rep("x", 2^31)', "--max-memory 64M")
    assert.are.equal(2, code)
    assert.truthy(err:find("script.lua:1: resulting string too large", 1, true), err)
    _, err, code = run_cmd('local s = string.rep("x", 2^31 - 1)', "--max-memory 64M")
    assert.are.equal(2, code)
    assert.truthy(err:find("memory limit reached (--max-memory 64 MiB)", 1, true), err)
    _, err, code = run_cmd('local t = {} while true do t[#t + 1] = {} end', "--max-memory 64M")
    assert.are.equal(2, code)
    assert.truthy(err:find("memory limit reached (--max-memory 64 MiB)", 1, true), err)
  end)

  it("stops a script that catches a limit, whether by pcall, xpcall or resume", function()
    local cases = {
      {"print(pcall(function() local t = {} while true do t[#t + 1] = {} end end))", "memory limit reached"},
      {"print(xpcall(string.rep, print, 'x', 2^31 - 1))", "memory limit reached"},
      {"local co = coroutine.create(function() while true do end end)\nprint(coroutine.resume(co))",
        "script.lua:1: instruction limit reached (--max-steps 100000000)"},
    }
    for _, c in ipairs(cases) do
      local out, err, code = run_cmd(c[1] .. "\nprint('survived')", "--max-memory 16M --max-steps 100000000")
      assert.are.equal(2, code, c[1])
      assert.truthy(err:find(c[2], 1, true), err)
      assert.falsy(out:find("survived", 1, true), out)
    end
  end)

  it("lets a script brush the memory limit when a collection frees enough", function()
    -- Each 4 MiB string is garbage as soon as the next is made: a growth is refused,
    -- Lua collects and retries, and the retry fits within 16 MiB.
    local out, err, code = run_cmd([[
      local n = 0
      for i = 1, 30 do n = n + #string.rep("x", 4 * 1024 * 1024 + i) end
      print(n)]], "--max-memory 16M")
    assert.are.equal(0, code, err)
    assert.are.equal(tostring(30 * 4 * 1024 * 1024 + 465) .. "\n", out)
  end)

  it("caps the C memory of the datasets a script holds", function()
    -- Resident memory is the measure, and it means little under valgrind or ASan,
    -- whose quarantines keep freed memory resident: there the check is off.
    local bin = H.bin:match("(%S+)$")
    local asan = os.execute("grep -q __asan_init " .. H.q(bin))
    if H.bin:find("valgrind", 1, true) or asan then
      pending("resident memory is not measured under valgrind or ASan")
      return
    end
    -- Each load of the 82 kB pilot gold panel holds about 100 kB of C memory:
    -- 400 of them pass 16 MiB, though Lua itself holds little.
    local gold = "examples/pilot/gold.json"
    local script = "local t = {} for i = 1, 400 do t[#t + 1] = annovet.load(arg[1]) end print(#t)"
    local out, err, code = run_cmd(script, "--max-memory 16M", gold)
    assert.are.equal(2, code, err)
    assert.are.equal("", out)
    assert.truthy(err:find("memory limit reached (--max-memory 16 MiB)", 1, true), err)
    -- Held one at a time, collected between: the same 400 loads fit.
    out, err, code = run_cmd(script:gsub("t%[#t %+ 1%]", "t[1]"), "--max-memory 16M", gold)
    assert.are.equal(0, code, err)
    assert.are.equal("1\n", out)
    -- Lua's own bytes are not counted twice: small strings up to 85% of the budget
    -- by Lua's count take more resident memory than the budget (malloc's overhead
    -- per chunk), and still fit.
    out, err, code = run_cmd([[
      local t, i = {}, 0
      while collectgarbage("count") < 0.85 * 64 * 1024 do i = i + 1; t[i] = tostring(i) .. "x" end
      print(i > 0)]], "--max-memory 64M")
    assert.are.equal(0, code, err)
    assert.are.equal("true\n", out)
  end)

  it("stops time spent inside C at --max-cpu, where the step budget cannot see", function()
    -- A pattern that backtracks exponentially runs entirely inside string.find.
    local _, err, code = run_cmd('string.find(string.rep("a", 40), string.rep("a*", 40) .. "b")',
      "--max-cpu 1")
    assert.are.equal(2, code)
    assert.truthy(err:find("script.lua: CPU time limit reached (--max-cpu 1 s)", 1, true), err)
  end)

  it("gives objects no __gc, whose finalizer would run outside the limits", function()
    local _, err, code = run_cmd("setmetatable({}, {__gc = function() while true do end end})",
      "--max-steps 1000000")
    assert.are.equal(2, code)
    assert.truthy(err:find("script.lua:1: setmetatable: __gc is not available", 1, true), err)
    -- A __gc added after setmetatable is never called (Lua marks objects when the
    -- metatable is set), so the script ends.
    local out
    out, err, code = run_cmd([[
      local mt = {}
      local t = setmetatable({}, mt)
      mt.__gc = function() while true do end end
      t = nil
      collectgarbage()
      print("ended")]], "--max-steps 1000000")
    assert.are.equal(0, code, err)
    assert.are.equal("ended\n", out)
  end)

  it("refuses an exit status outside 0 to 255", function()
    for _, ret in ipairs {"-1", "256", "1.5"} do
      local _, err, code = run_cmd("return " .. ret)
      assert.are.equal(2, code, ret)
      assert.truthy(err:find("returned " .. ret .. "; an exit status is a whole number from 0 to 255", 1, true), err)
    end
    local _, _, code = run_cmd("return 3.0")
    assert.are.equal(3, code)
  end)

  it("refuses a malformed limit", function()
    local _, err, code = run_cmd("", "--max-memory lots")
    assert.are.equal(2, code)
    assert.truthy(err:find("--max-memory: expected a size", 1, true), err)
  end)

  describe("writing files", function()
    local coco = '{"images":[{"id":1,"file_name":"a.jpg","width":10,"height":10}],' ..
      '"categories":[{"id":1,"name":"car"}],' ..
      '"annotations":[{"id":1,"image_id":1,"category_id":1,"bbox":[1,1,2,2],"area":4,"iscrowd":0}]}'

    it("writes nothing without --out", function()
      local dir = H.tmpdir()
      local src = H.write(dir .. "/in.json", coco)
      local _, err, code = run_cmd([[
        local ds = assert(annovet.load(arg[1]))
        ds:save(arg[2], "coco")
      ]], "", H.q(src) .. " " .. H.q(dir .. "/out.json"))
      assert.are.equal(2, code)
      assert.truthy(err:find("a script may write files only with --out DIR", 1, true), err)
      assert.is_nil(io.open(dir .. "/out.json", "rb"))
    end)

    it("writes inside --out and nowhere else, not through .. nor a link", function()
      local dir = H.tmpdir()
      local src = H.write(dir .. "/in.json", coco)
      local out = dir .. "/results"
      os.execute("mkdir -p " .. H.q(out) .. " && ln -s .. " .. H.q(out .. "/up"))
      local script = [[
        local ds = assert(annovet.load(arg[1]))
        assert(ds:save(arg[2], "coco"))
        print("saved")
      ]]
      local o, err, code = run_cmd(script, "--out " .. H.q(out), H.q(src) .. " " .. H.q(out .. "/ok.json"))
      assert.are.equal(0, code, err)
      assert.are.equal("saved\n", o)
      assert.truthy(io.open(out .. "/ok.json", "rb"))
      for _, target in ipairs {dir .. "/escape.json", out .. "/../escape.json", out .. "/up/escape.json"} do
        local _, err2, code2 = run_cmd(script, "--out " .. H.q(out), H.q(src) .. " " .. H.q(target))
        assert.are.equal(2, code2)
        assert.truthy(err2:find("outside the folder the script may write in", 1, true), err2)
      end
      assert.is_nil(io.open(dir .. "/escape.json", "rb"))
    end)

    it("reads only where it was given leave, not through a link", function()
      local data = H.tmpdir()
      local src = H.write(data .. "/in.json", coco)
      local dir = H.tmpdir()
      H.write(dir .. "/s.lua", "local ds, err = annovet.load(" .. string.format("%q", src) .. ")\n" ..
        "print(ds and ds:summary().annotations or err)\n" ..
        "print(annovet.agree.read_csv(" .. string.format("%q", data .. "/none.csv") .. "))")
      os.execute("ln -s " .. H.q(data) .. " " .. H.q(dir .. "/link"))
      H.write(dir .. "/l.lua", "print(annovet.load('link/in.json'))")
      -- Named nowhere: refused, whether it exists or not, and through the link too.
      local _, err, code = H.run("run s.lua", nil, dir)
      assert.are.equal(2, code)
      assert.truthy(err:find(src .. ": outside what the script may read", 1, true), err)
      _, err, code = H.run("run l.lua", nil, dir)
      assert.are.equal(2, code)
      assert.truthy(err:find("link/in.json: outside what the script may read", 1, true), err)
      -- Given with --read: the file loads, and a missing one is reported as missing.
      local out
      out, err, code = H.run("run --read " .. H.q(data) .. " s.lua", nil, dir)
      assert.are.equal(0, code, err)
      assert.truthy(out:find("^1\n"), out)
      assert.truthy(out:find("none.csv", 1, true), out)
      -- Given as an argument: that file, not its folder.
      out, err, code = H.run("run s.lua " .. H.q(src), nil, dir)
      assert.are.equal(2, code, err)
      assert.truthy(out:find("^1\n"), out)
      assert.truthy(err:find("s.lua:3: " .. data .. "/none.csv: outside what the script may read", 1, true), err)
    end)
  end)
end)
