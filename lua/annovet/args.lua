-- Command-line option parsing shared by every sub-command.
-- A spec is a list of {name = "--store", arg = "PATH", multi = bool, help = "..."};
-- flags have no `arg`. Values come as "--name value" or "--name=value".
local M = {}

-- Parses argv against spec. Returns opts (keyed by the name without dashes,
-- "-" turned into "_"), positional arguments; or nil and a message.
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
      if not o then return nil, "unknown option " .. name end
      if o.arg then
        if val == nil then
          i = i + 1
          val = argv[i]
          if val == nil then return nil, name .. " needs a value (" .. o.arg .. ")" end
        end
      elseif val ~= nil then
        return nil, name .. " takes no value"
      else
        val = true
      end
      local key = o.name:gsub("^%-+", ""):gsub("%-", "_")
      if o.multi then
        opts[key] = opts[key] or {}
        table.insert(opts[key], val)
      elseif opts[key] ~= nil and o.arg then
        return nil, name .. " given twice"
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
  return opts, pos
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

-- A positive integer option ("1e10" accepted), or nil and a message.
function M.count(s, name, min)
  local v = tonumber(s)
  min = min or 1
  if not v or v ~= math.floor(v) or v < min or v >= 2 ^ 62 then
    return nil, string.format("%s: expected a whole number >= %d, got '%s'", name, min, s)
  end
  return math.tointeger(v) or math.floor(v)
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
