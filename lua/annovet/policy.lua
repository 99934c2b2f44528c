-- The policy loader: runs a buyer-editable file of scorecards/, pricing/ or reports/
-- in the sandbox, checks the fields it returns (as nse_main.lua checks a script's
-- fields), and records the file's SHA-256 and parameters for the evidence.
--
-- A policy file returns a table of its fields: data, and functions the engine
-- calls later. `params`, when present, is a table of plain values (strings,
-- numbers, booleans, tables of them) that a caller may override.
--
--   policy.load(path, spec, opts) -> p | nil, message
--     path  the file, read from disk: a buyer edits it, so the copy inside the
--           binary is not used unless opts.bundled says so (see below).
--     spec  the fields the file must return, name -> type: "string", "number",
--           "integer", "boolean", "table", "function" or "any"; a trailing "?"
--           makes the field optional, "a|b" allows either type. Example:
--           {contract = "string?", clauses = "table", check = "function"}.
--           Fields the spec does not name are allowed (helpers of the file).
--           A type the loader does not know raises an error (a bug of the
--           caller); policy.check_spec(spec) -> true | nil, message checks first.
--     opts  params      overrides {name = value}: each must name a parameter the
--                       file declares; a string given for a number or boolean
--                       parameter is converted ("0.9", "true"), other types must
--                       match. Overrides are written into the file's own params
--                       table, so its functions see them.
--           max_steps   VM instructions for the load and for each later call
--                       (default 1e9); max_memory bytes (default 256 MiB)
--           read        paths the policy may read through annovet.load and
--                       the like (default: none)
--           bundled     when path does not exist on disk, load the file of the
--                       same path compiled into the binary (scorecards/x.lua as
--                       shipped); p.source says which copy ran. Off by default,
--                       so a mistyped path is an error rather than a stand-in.
--   The file runs in the sandbox of lua/annovet/sandbox.lua (no io, os, debug,
--   package; text chunks only; its require finds annovet and Lua files beside
--   it) under the step and memory budgets; a limit or an error is a failure,
--   never a policy. Every message names the file, and the line where known.
--   p = {path, sha256 (hex of the exact bytes run), source ("disk" | "embedded"),
--        params (a copy of the parameters in force, for the evidence),
--        fields (the table the file returned), limits}
--
--   policy.call(p, fn, ...) -> true, results... | false, message, kind
--     fn is a field name of p.fields or a function; it runs under p's budgets
--     (counted afresh per call). kind: "error", "steps", "memory", or "field"
--     (no such function). message starts with FILE:LINE where the line is known.
--
--   policy.evidence(p) -> {path, sha256, source, params}: what a result records.
--
-- Fields are read with rawget and params copied with next, so a metatable in the
-- file's table never runs code outside the budgets.
local annovet = require "annovet"
local sandbox = require "annovet.sandbox"
local system = require "annovet.system"

local M = {}

local TYPES = {string = true, number = true, integer = true, boolean = true, table = true, ["function"] = true,
  any = true}

local DEFAULT_STEPS = 1000000000
local DEFAULT_MEMORY = 256 * 2 ^ 20

-- "string?" -> {"string"}, true; "number|string" -> {"number", "string"}, false.
local function parse_type(t, name)
  if type(t) ~= "string" then error("policy spec: field '" .. tostring(name) .. "': type must be a string", 0) end
  local optional = t:sub(-1) == "?"
  if optional then t = t:sub(1, -2) end
  local list = {}
  for alt in t:gmatch("[^|]+") do
    if not TYPES[alt] then error("policy spec: field '" .. name .. "': unknown type '" .. alt .. "'", 0) end
    list[#list + 1] = alt
  end
  return list, optional
end

local function is_type(v, t)
  if t == "any" then return v ~= nil end
  if t == "integer" then return math.type(v) == "integer" end
  return type(v) == t
end

-- A copy of a plain value (tables by next, not pairs), or nil and why not.
local function plain(v, where, depth)
  local tv = type(v)
  if tv == "string" or tv == "number" or tv == "boolean" then return v end
  if tv ~= "table" then return nil, where .. " is a " .. tv .. ", not plain data" end
  if (depth or 0) > 32 then return nil, where .. " is nested too deeply" end
  local out = {}
  local k, x = next(v)
  while k ~= nil do
    if type(k) ~= "string" and math.type(k) ~= "integer" then
      return nil, where .. " has a key that is not a string or an integer"
    end
    local c, err = plain(x, where .. "." .. tostring(k), (depth or 0) + 1)
    if c == nil then return nil, err end
    out[k] = c
    k, x = next(v, k)
  end
  return out
end

-- A failure of the sandbox as one line starting with FILE:LINE where known: the
-- first line of the message, located by the innermost frame of the file in the
-- traceback when the message itself names no place.
local function failure(path, msg, kind)
  msg = type(msg) == "string" and msg or "(error object is not a string)"
  local first, trace = msg:match("^(.-)\n(stack traceback:.*)$")
  first = first or msg
  if kind == "memory" or not first:match("^[^\n]-:%d+: ") then
    local esc = path:gsub("%p", "%%%0")
    local where = trace and trace:match("\n%s*(" .. esc .. ":%d+):")
    first = (where or path) .. ": " .. first
  end
  return first
end

local function read_bytes(path)
  local f, err = io.open(path, "rb")
  if not f then return nil, err end
  local bytes, rerr = f:read("a")
  f:close()
  if not bytes then return nil, path .. ": " .. tostring(rerr or "cannot read") end
  return bytes
end

-- Converts an override to the type of the parameter's default.
local function override(path, name, default, v)
  if type(v) == type(default) then return v end
  if type(v) == "string" and type(default) == "number" and tonumber(v) then return tonumber(v) end
  if type(v) == "string" and type(default) == "boolean" and (v == "true" or v == "false") then return v == "true" end
  return nil, string.format("%s: parameter '%s' is a %s, got %s '%s'", path, name, type(default), type(v),
    tostring(v))
end

-- Checks a spec: true, or nil and a message naming the field whose type is not
-- one the loader knows (M.load raises that message).
function M.check_spec(spec)
  for name, t in pairs(spec or {}) do
    local ok, err = pcall(parse_type, t, name)
    if not ok then return nil, err end
  end
  return true
end

-- See the header.
function M.load(path, spec, opts)
  opts = opts or {}
  spec = spec or {}
  local checks = {}
  for name, t in pairs(spec) do
    local list, optional = parse_type(t, name)
    checks[#checks + 1] = {name = name, types = list, optional = optional}
  end
  table.sort(checks, function(a, b) return a.name < b.name end)

  local bytes, err = read_bytes(path)
  local source = "disk"
  if not bytes and opts.bundled and system.kind(path) == nil then
    bytes = system.embedded(path)
    source = "embedded"
  end
  if not bytes then return nil, err end
  local limits = {max_steps = opts.max_steps or DEFAULT_STEPS, max_memory = opts.max_memory or DEFAULT_MEMORY,
    read = opts.read or {}, name = path}

  local env = sandbox.env {dir = sandbox.dirname(path), args = {}}
  local fn, lerr = sandbox.load_text(bytes, path, env)
  if not fn then return nil, lerr end
  local res = table.pack(sandbox.call(fn, limits))
  if not res[1] then return nil, failure(path, res[2], res[3]) end
  local t = res[2]
  if type(t) ~= "table" then
    return nil, string.format("%s: a policy returns a table of its fields, got %s", path,
      t == nil and "nothing" or ("a " .. type(t)))
  end

  for _, c in ipairs(checks) do
    local v = rawget(t, c.name)
    local wanted = table.concat(c.types, " or ")
    if v == nil then
      if not c.optional then
        return nil, string.format("%s: the returned table has no field '%s' (it must be a %s)", path, c.name, wanted)
      end
    else
      local ok = false
      for _, ty in ipairs(c.types) do ok = ok or is_type(v, ty) end
      if not ok then
        return nil, string.format("%s: field '%s' must be a %s, got %s", path, c.name, wanted,
          math.type(v) == "float" and "a float" or ("a " .. type(v)))
      end
    end
  end

  local params = rawget(t, "params")
  if params == nil then
    params = {}
    rawset(t, "params", params)
  elseif type(params) ~= "table" then
    return nil, string.format("%s: field 'params' must be a table, got a %s", path, type(params))
  end
  local names = {}
  local k = next(params)
  while k ~= nil do
    names[#names + 1] = tostring(k)
    k = next(params, k)
  end
  table.sort(names)
  local over = {}
  for name, v in pairs(opts.params or {}) do over[#over + 1] = {name, v} end
  table.sort(over, function(a, b) return tostring(a[1]) < tostring(b[1]) end)
  for _, o in ipairs(over) do
    local default = rawget(params, o[1])
    if default == nil then
      return nil, string.format("%s: no parameter '%s' (it takes %s)", path, tostring(o[1]),
        #names > 0 and table.concat(names, ", ") or "none")
    end
    local v, oerr = override(path, o[1], default, o[2])
    if v == nil then return nil, oerr end
    rawset(params, o[1], v)
  end
  local snapshot, perr = plain(params, "params")
  if snapshot == nil then return nil, path .. ": " .. perr end

  return {path = path, sha256 = annovet.sha256(bytes), source = source, params = snapshot, fields = t,
    limits = limits}
end

-- See the header.
function M.call(p, fn, ...)
  if type(fn) == "string" then
    local f = rawget(p.fields, fn)
    if type(f) ~= "function" then
      return false, string.format("%s: the policy has no function '%s'", p.path, fn), "field"
    end
    fn = f
  end
  local res = table.pack(sandbox.call(fn, p.limits, ...))
  if res[1] then return table.unpack(res, 1, res.n) end
  return false, failure(p.path, res[2], res[3]), res[3]
end

-- See the header.
function M.evidence(p)
  return {path = p.path, sha256 = p.sha256, source = p.source, params = plain(p.params, "params")}
end

M.plain = plain

return M
