-- The sandbox for user scripts (rules, scorecards, cost models): a fresh _ENV built
-- from an allowlist, text-only chunks, a require that finds only annovet's modules
-- and Lua files beside the script, and the memory and instruction budgets of
-- host/l_sandbox.c. Add, never subtract: what is not listed here does not exist.
local csandbox = require "annovet.c.sandbox"

local M = {}

-- string.dump is reachable from any sandbox through ("").dump, so it goes from
-- the real table; and the shared string metatable is locked.
string.dump = nil
getmetatable("").__metatable = "locked"

local BASE = {
  "assert", "error", "getmetatable", "ipairs", "next", "pairs", "pcall", "print",
  "rawequal", "rawget", "rawlen", "rawset", "select", "setmetatable", "tonumber",
  "tostring", "type", "xpcall", "_VERSION",
}
local LIBS = {"string", "table", "math", "utf8", "coroutine"}

local function copy(t)
  local c = {}
  for k, v in pairs(t) do c[k] = v end
  return c
end

-- A read-only view of t (and of the tables inside it), so one script cannot
-- change the API that trusted code and other scripts use.
local function readonly(t, cache)
  if cache[t] then return cache[t] end
  local proxy = {}
  cache[t] = proxy
  local function view(v)
    if type(v) == "table" and getmetatable(v) == nil then return readonly(v, cache) end
    return v
  end
  setmetatable(proxy, {
    __index = function(_, k) return view(t[k]) end,
    __newindex = function(_, k) error("cannot assign '" .. tostring(k) .. "': the annovet API is read-only", 2) end,
    __pairs = function()
      return function(_, k)
        local nk, nv = next(t, k)
        return nk, view(nv)
      end, proxy, nil
    end,
    __len = function() return #t end,
    __metatable = "locked",
  })
  return proxy
end

-- A text chunk named path from src (bytes already read). As lua.c's loader: a
-- UTF-8 byte-order mark is skipped, and a first line "#!..." kept as an empty line.
local function load_text(src, path, env)
  if src:sub(1, 3) == "\xEF\xBB\xBF" then src = src:sub(4) end
  if src:sub(1, 1) == "#" then src = src:gsub("^[^\n]*", "", 1) end
  return load(src, "@" .. path, "t", env)
end

-- Text chunk from a file, read in C with the checks of a delivery while a script
-- runs (a link beside the script leads nowhere outside what it may read), as
-- load_text. Returns the chunk, or nil, message, and true when the file does not
-- exist.
local function load_file(path, env)
  local src, err, missing = csandbox.read_source(path)
  if not src then return nil, err, missing end
  return load_text(src, path, env)
end

local function dirname(path)
  return path:match("^(.*)/[^/]*$") or "."
end

-- require for scripts: "annovet" (and "annovet.x" submodules of the public API),
-- or NAME.lua / NAME/init.lua beside the script, run in the same sandbox.
local function make_require(env, dir, api)
  local loaded = {}
  return function(name)
    if type(name) ~= "string" then error("require: module name must be a string", 2) end
    if loaded[name] ~= nil then return loaded[name] end
    if name == "annovet" then
      loaded[name] = api
      return api
    end
    local sub = name:match("^annovet%.([%w_]+)$")
    if sub and api[sub] ~= nil then
      loaded[name] = api[sub]
      return api[sub]
    end
    if not name:match("^[%w_]+[%w_.]*$") or name:find("..", 1, true) or name:sub(-1) == "." then
      error("require: bad module name '" .. name .. "'", 2)
    end
    local rel = name:gsub("%.", "/")
    local tried = {dir .. "/" .. rel .. ".lua", dir .. "/" .. rel .. "/init.lua"}
    for _, path in ipairs(tried) do
      local fn, err, missing = load_file(path, env)
      if not fn and not missing then error(err, 0) end
      if fn then
        local res = fn(name, path)
        if res == nil then res = true end
        loaded[name] = res
        return res
      end
    end
    error(string.format("module '%s' not found: a script may require only annovet modules " ..
      "and Lua files beside it (tried %s)", name, table.concat(tried, ", ")), 2)
  end
end

-- A fresh environment for one script. opts.dir: where its own modules live;
-- opts.args: the `arg` table; opts.extra: further globals (tables are shared as given).
function M.env(opts)
  opts = opts or {}
  local env = {}
  for _, k in ipairs(BASE) do env[k] = _G[k] end
  for _, k in ipairs(LIBS) do env[k] = copy(_G[k]) end
  env._G = env
  -- Lua runs finalizers with hooks off, so a __gc would escape the step budget
  -- (and at exit the memory budget too): objects get none. Checked when the
  -- metatable is set, which is when Lua marks an object for finalization.
  env.setmetatable = function(t, mt)
    if type(mt) == "table" and rawget(mt, "__gc") ~= nil then
      error("setmetatable: __gc is not available in the sandbox (a finalizer runs outside the limits)", 2)
    end
    return setmetatable(t, mt)
  end
  -- A limit stops the script even through its own pcall, xpcall or resume.
  local function rethrow(ok, ...)
    if not ok and csandbox.stopped() then error((...), 0) end
    return ok, ...
  end
  env.pcall = function(f, ...) return rethrow(pcall(f, ...)) end
  env.xpcall = function(f, h, ...) return rethrow(xpcall(f, h, ...)) end
  env.coroutine.resume = function(co, ...) return rethrow(coroutine.resume(co, ...)) end
  -- Lua's wrap adds the caller's line to a string error; a limit's message
  -- already names the script's line, so it passes unchanged.
  env.coroutine.wrap = function(f)
    local co = coroutine.create(f)
    return function(...)
      local r = table.pack(coroutine.resume(co, ...))
      if r[1] then return table.unpack(r, 2, r.n) end
      if coroutine.status(co) == "dead" then coroutine.close(co) end
      if csandbox.stopped() then error(r[2], 0) end
      error(r[2], type(r[2]) == "string" and 2 or 0)
    end
  end
  env.collectgarbage = function(opt, ...)
    if opt == nil or opt == "collect" or opt == "count" or opt == "step" then
      return collectgarbage(opt, ...)
    end
    error("collectgarbage('" .. tostring(opt) .. "') is not available in the sandbox", 2)
  end
  env.load = function(chunk, name, mode, e)
    if mode ~= nil and mode ~= "t" then
      error("load: only text chunks run in the sandbox (mode 't')", 2)
    end
    return load(chunk, name, "t", e == nil and env or e)
  end
  local api = readonly(require "annovet", {})
  env.annovet = api
  env.require = make_require(env, opts.dir or ".", api)
  env.arg = opts.args or {}
  for k, v in pairs(opts.extra or {}) do env[k] = v end
  return env
end

-- Runs the script at path with args under limits {max_memory, max_steps}.
-- Returns true, results... or false, message, kind ("load", "error", "memory", "steps").
function M.run_file(path, args, limits)
  local env = M.env {dir = dirname(path), args = args}
  env.arg[0] = path
  local fn, err = load_file(path, env)
  if not fn then return false, err, "load" end
  return csandbox.call(fn, limits or {}, table.unpack(args, 1, args.n or #args))
end

-- Calls fn(...) (a function from a sandboxed chunk) under limits.
function M.call(fn, limits, ...)
  return csandbox.call(fn, limits or {}, ...)
end

M.load_file = load_file
M.load_text = load_text
M.dirname = dirname

return M
