-- For specs that drive annovet's Lua API: embed data in a user script as a Lua
-- literal (floats kept exact with %.17g), run it with `annovet run`, and read the
-- JSON it prints.
local H = require "tests.support.helper"

local S = {}

-- A Lua literal for v (numbers, strings, booleans, nested tables).
function S.literal(v)
  local t = type(v)
  if t == "number" then
    if math.type(v) == "integer" then return tostring(v) end
    if v ~= v or v == math.huge or v == -math.huge then error("not a finite number") end
    return string.format("%.17g", v)
  elseif t == "string" then
    return string.format("%q", v)
  elseif t == "boolean" then
    return tostring(v)
  elseif t == "table" then
    local out, n = {}, #v
    for i = 1, n do out[#out + 1] = S.literal(v[i]) end
    local keys = {}
    for k in pairs(v) do
      if not (math.type(k) == "integer" and k >= 1 and k <= n) then keys[#keys + 1] = k end
    end
    table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
    for _, k in ipairs(keys) do out[#out + 1] = "[" .. S.literal(k) .. "] = " .. S.literal(v[k]) end
    return "{" .. table.concat(out, ", ") .. "}"
  end
  error("cannot write a " .. t)
end

-- Runs `code` (which sees DATA = data and prints one JSON value with
-- `emit(value)`) and returns the decoded value; fails the test with stderr on a
-- non-zero exit.
function S.run(code, data)
  local text = "local annovet = require 'annovet'\nlocal DATA = " .. S.literal(data or {}) ..
    "\nlocal function emit(v) print(annovet.json.encode(v)) end\n" .. code
  local out, err, status = H.run("run " .. H.q(H.script(text)))
  assert(status == 0, "script failed (" .. tostring(status) .. "): " .. err)
  return H.decode(out)
end

-- Runs `code` expecting it to fail; returns stderr and the exit status.
function S.fail(code, data)
  local text = "local annovet = require 'annovet'\nlocal DATA = " .. S.literal(data or {}) .. "\n" .. code
  local _, err, status = H.run("run " .. H.q(H.script(text)))
  return err, status
end

return S
