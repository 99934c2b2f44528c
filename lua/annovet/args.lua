-- Command-line option parsing shared by every sub-command.
-- An option spec is a list of {name = "--store", arg = "PATH", multi = bool, help = "..."};
-- flags have no `arg`. Values come as "--name value" or "--name=value". An option
-- with an `arg` may also declare what its value must be, checked while parsing:
--   choices = {"json", "csv", "table"}   one of these words (hint: text added to the error)
--   integer = true, min = 1, max = 64    a whole number in [min, max] ("1e6" accepted),
--                                        handed to the command as an integer
--   default = "json"                     the value when the option is absent
-- A command declares its positional arguments as {min = 1, max = 1, missing = "..."}
-- (max nil: any number), checked by M.positional.
local M = {}

-- "a, b or c" for messages.
local function alternatives(list)
  if #list == 1 then return list[1] end
  return table.concat(list, ", ", 1, #list - 1) .. " or " .. list[#list]
end

-- A whole number written in decimal ("1e6" accepted, not "0x10" or "-1"), or nil.
local function whole(s)
  local v = (s:match("^%d+$") or s:match("^%d*%.?%d*[eE]%+?%d+$")) and tonumber(s)
  if not v or v ~= math.floor(v) then return nil end
  return v
end

-- The value of option o checked and converted, or nil and a one-line message.
local function check_value(o, val)
  if o.choices then
    for _, c in ipairs(o.choices) do
      if c == val then return val end
    end
    return nil, string.format("%s: expected %s, got '%s'%s", o.name, alternatives(o.choices), val,
      o.hint and (" (" .. o.hint .. ")") or "")
  end
  if o.integer then
    local min, max = o.min or 0, o.max or 2 ^ 62 - 1
    local v = whole(val)
    if not v or v < min or v > max then
      return nil, o.max and string.format("%s: expected a whole number from %d to %d, got '%s'", o.name, min, max, val)
        or string.format("%s: expected a whole number >= %d, got '%s'", o.name, min, val)
    end
    return math.tointeger(v)
  end
  return val
end

-- Parses argv against spec. Returns opts (keyed by the name without dashes,
-- "-" turned into "_"), positional arguments; or nil, a message and its kind:
-- "usage" (an unknown option, a missing value: the usage line helps) or "value"
-- (a value outside what the option takes: the one line says it all).
-- With stop_at_positional, everything from the first positional on is positional
-- (for `run SCRIPT ARGS...`).
function M.parse(spec, argv, stop_at_positional)
  local byname = {}
  for _, o in ipairs(spec) do
    byname[o.name] = o
    if o.short then byname[o.short] = o end
  end
  local opts, pos = {}, {}
  local i = 1
  while i <= #argv do
    local a = argv[i]
    if a == "--" then
      table.move(argv, i + 1, #argv, #pos + 1, pos)
      break
    elseif a:sub(1, 1) == "-" and a ~= "-" then
      local name, val = a:match("^(%-%-[^=]+)=(.*)$")
      name = name or a
      local o = byname[name]
      if not o then return nil, "unknown option " .. name, "usage" end
      if o.arg then
        if val == nil then
          i = i + 1
          val = argv[i]
          if val == nil then return nil, name .. " needs a value (" .. o.arg .. ")", "usage" end
        end
        local msg
        val, msg = check_value(o, val)
        if val == nil then return nil, msg, "value" end
      elseif val ~= nil then
        return nil, name .. " takes no value", "usage"
      else
        val = true
      end
      local key = o.name:gsub("^%-+", ""):gsub("%-", "_")
      if o.multi then
        opts[key] = opts[key] or {}
        table.insert(opts[key], val)
      elseif opts[key] ~= nil and o.arg then
        return nil, name .. " given twice", "usage"
      else
        opts[key] = val
      end
    else
      pos[#pos + 1] = a
      if stop_at_positional then
        table.move(argv, i + 1, #argv, #pos + 1, pos)
        break
      end
    end
    i = i + 1
  end
  for _, o in ipairs(spec) do
    local key = o.name:gsub("^%-+", ""):gsub("%-", "_")
    if opts[key] == nil and o.default ~= nil then opts[key] = check_value(o, o.default) end
  end
  return opts, pos
end

-- Checks the number of positional arguments against spec {min, max, missing}
-- (min default 0, max default 0, max = math.huge for any number). Returns true,
-- or nil and a message: spec.missing when too few, the first extra one when too many.
function M.positional(spec, pos)
  spec = spec or {}
  if #pos < (spec.min or 0) then
    return nil, spec.missing or string.format("expected at least %d arguments", spec.min)
  end
  if #pos > (spec.max or 0) then
    return nil, "unexpected argument '" .. pos[(spec.max or 0) + 1] .. "'"
  end
  return true
end

-- The items of "A,B,C" (spaces around each dropped) for option name. An empty
-- item is an error naming its place ("--categories: name 2 of 'x,,y' is empty"),
-- what = the word for an item (default "name"); with skip_empty it is left out.
-- Returns the list, or nil and a message.
function M.split_list(s, name, what, skip_empty)
  local out = {}
  for item in (s .. ","):gmatch("([^,]*),") do
    item = item:match("^%s*(.-)%s*$")
    if item ~= "" then
      out[#out + 1] = item
    elseif not skip_empty then
      return nil, string.format("%s: %s %d of '%s' is empty (expected %ss separated by commas)", name,
        what or "name", #out + 1, s, what or "name")
    end
  end
  return out
end

local UNITS = {[""] = 1, K = 2 ^ 10, M = 2 ^ 20, G = 2 ^ 30, T = 2 ^ 40}

-- "64M", "1G", "4096", "512KiB" -> bytes (integer), or nil and a message.
function M.size(s, name)
  local num, unit = tostring(s):match("^(%d+%.?%d*)%s*([KMGTkmgt]?)i?[Bb]?$")
  local mul = unit and UNITS[unit:upper()]
  if not num or not mul then
    return nil, string.format("%s: expected a size such as 64M or 1G, got '%s'", name, s)
  end
  local v = tonumber(num) * mul
  if v < 1 or v >= 2 ^ 62 then return nil, string.format("%s: size out of range: %s", name, s) end
  return math.floor(v)
end

-- Bytes as "64 MiB" for messages.
function M.human_size(n)
  for _, u in ipairs {{"TiB", 2 ^ 40}, {"GiB", 2 ^ 30}, {"MiB", 2 ^ 20}, {"KiB", 2 ^ 10}} do
    if n >= u[2] then
      local v = n / u[2]
      return (v == math.floor(v) and string.format("%d %s", v, u[1]))
        or string.format("%.1f %s", v, u[1])
    end
  end
  return string.format("%d bytes", n)
end

return M
