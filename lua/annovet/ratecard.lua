-- Rate cards: read from CSV (pricing/*.csv) or a Lua table (pricing/*.lua, run in the
-- sandbox), checked line by line, every error naming FILE:LINE:COLUMN (or, for a
-- Lua card, the field: lines[3].price). The result is a plain description that
-- lua/annovet/pricing.lua prices deliveries and timesheets with.
--
-- CSV: card-level fields are comment lines before the header, "# key: value", for
-- the keys in FIELDS; other comments are free text, but a comment shaped like
-- "# word: value" with an unknown word is an error (a misspelt "minimun" must not
-- vanish). The header names the columns: task, unit, price, currency required;
-- the rest of COLUMNS optional, in any order.
local cm = require "annovet.c.money"
local money = require "annovet.money"
local util = require "annovet.c.util"

local M = {}

-- Annotation types a line may price (the card's name -> the model's type name).
M.ANNOTATION_TASKS = {
  box = "box", rbox = "rbox", polygon = "polygon", mask = "mask", keypoint = "keypoints",
  polyline = "polyline", cuboid = "cuboid", tag = "tag", text = "text",
}
-- The units each task may be priced in.
local ANN_UNITS = {annotation = true, image = true}
local TASK_UNITS = {
  box = ANN_UNITS, rbox = ANN_UNITS, mask = ANN_UNITS, cuboid = ANN_UNITS, tag = ANN_UNITS, text = ANN_UNITS,
  polygon = {annotation = true, vertex = true, image = true},
  polyline = {annotation = true, vertex = true, image = true},
  keypoint = {annotation = true, point = true, image = true},
  image = {image = true},
  review = {annotation = true, image = true},
  pm = {percent = true},
  hour = {hour = true},
  blended = {annotation = true},
}
M.TASK_UNITS = TASK_UNITS
local TASK_LIST = "box, rbox, polygon, mask, keypoint, polyline, cuboid, tag, text, image, review, pm, hour, blended"
local UNIT_LIST = {annotation = true, vertex = true, point = true, image = true, hour = true, percent = true}

-- Card-level fields and their checks.
local RULE = {bill = true, skip = true}
local FIELDS = {
  vendor = "text", currency = "currency", rounding = "rounding", minimum = "money",
  minimum_hours = "decimal", crowd = "rule", duplicates = "rule", empty_images = "rule", nested = "rule",
  period = "text", note = "text",
}
-- Counting defaults when the card says nothing (README, "Counting rules").
M.COUNTING_DEFAULTS = {crowd = "bill", duplicates = "skip", empty_images = "bill", nested = "skip"}

local COLUMNS = {
  task = true, unit = true, price = true, currency = true, min_vertices = true, max_vertices = true,
  tier_from = true, tier_to = true, valid_from = true, valid_to = true, role = true, region = true, note = true,
}
local REQUIRED = {"task", "unit", "price", "currency"}

-- A checked ISO date "YYYY-MM-DD" (a real day), or nil.
function M.iso_date(s)
  local y, m, d = tostring(s):match("^(%d%d%d%d)%-(%d%d)%-(%d%d)$")
  if not y then return nil end
  y, m, d = tonumber(y), tonumber(m), tonumber(d)
  if m < 1 or m > 12 or d < 1 then return nil end
  local dim = {31, (y % 4 == 0 and (y % 100 ~= 0 or y % 400 == 0)) and 29 or 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}
  if d > dim[m] then return nil end
  return s
end

local function whole(s)
  local n = tostring(s):match("^%d+$") and math.tointeger(tonumber(s))
  return n
end

-- Checks one line (fields as strings, or nil when absent); where(col) -> the place
-- to name in a message. Returns the line, or nil and a message.
local function check_line(f, where, card)
  local function bad(col, msg) return nil, where(col) .. ": " .. msg end
  local task, unit = f.task, f.unit
  if not task or task == "" then return bad("task", "task is empty (one of " .. TASK_LIST .. ")") end
  if not TASK_UNITS[task] then return bad("task", "unknown task '" .. task .. "' (one of " .. TASK_LIST .. ")") end
  if not unit or not UNIT_LIST[unit] then
    return bad("unit", "unknown unit '" .. tostring(unit) .. "' (one of annotation, vertex, point, image, hour, percent)")
  end
  if not TASK_UNITS[task][unit] then
    local ok = {}
    for u in pairs(TASK_UNITS[task]) do ok[#ok + 1] = u end
    table.sort(ok)
    return bad("unit", string.format("task '%s' is not priced per %s (it takes %s)", task, unit, table.concat(ok, ", ")))
  end
  local cur = f.currency
  if not cur or not cm.digits(cur) then
    return bad("currency", "unknown currency '" .. tostring(cur) .. "' (an ISO 4217 code such as USD, EUR, JPY)")
  end
  if card.currency and card.currency ~= cur then
    return bad("currency", string.format("currency %s, but the card is in %s (%s): one currency per card",
      cur, card.currency, card.currency_where))
  end
  card.currency, card.currency_where = card.currency or cur, card.currency_where or where("currency")
  local price, msg = money.decimal(f.price or "")
  if not price then return bad("price", "price '" .. tostring(f.price) .. "': " .. msg) end
  if price:is_negative() then return bad("price", "price " .. f.price .. " is negative") end
  local digits = cm.digits(cur)
  if unit ~= "percent" and price:precision() > digits and not card.rounding then
    return bad("price", string.format("price %s has more decimals than %s's %d and the card states no rounding " ..
      "rule (add a '# rounding: half-up' or '# rounding: half-even' line)", f.price, cur, digits))
  end
  local line = {task = task, unit = unit, price = price, price_text = f.price, currency = cur,
    role = f.role ~= "" and f.role or nil, region = f.region ~= "" and f.region or nil,
    note = f.note ~= "" and f.note or nil}
  for _, k in ipairs {"min_vertices", "max_vertices", "tier_from", "tier_to"} do
    local v = f[k]
    if v and v ~= "" then
      local n = whole(v)
      if not n or n < (k:match("^tier") and 1 or 3) then
        return bad(k, string.format("%s '%s': expected a whole number >= %d", k, v, k:match("^tier") and 1 or 3))
      end
      line[k] = n
    end
  end
  if (line.min_vertices or line.max_vertices) and not (task == "polygon" or task == "polyline") then
    return bad("min_vertices", "vertex tiers apply to polygon and polyline lines only")
  end
  if line.min_vertices and line.max_vertices and line.max_vertices < line.min_vertices then
    return bad("max_vertices", "max_vertices is below min_vertices")
  end
  if line.tier_to and line.tier_to < (line.tier_from or 1) then
    return bad("tier_to", "tier_to is below tier_from")
  end
  if line.tier_to and not line.tier_from then return bad("tier_from", "tier_to without tier_from") end
  for _, k in ipairs {"valid_from", "valid_to"} do
    local v = f[k]
    if v and v ~= "" then
      if not M.iso_date(v) then return bad(k, k .. " '" .. v .. "': expected a date YYYY-MM-DD") end
      line[k] = v
    end
  end
  if line.valid_from and line.valid_to and line.valid_to < line.valid_from then
    return bad("valid_to", "valid_to is before valid_from")
  end
  if (line.role or line.region) and task ~= "hour" then
    return bad(line.role and "role" or "region", "role and region belong to hour lines")
  end
  return line
end

local function overlap(a1, a2, b1, b2)
  return a1 <= b2 and b1 <= a2
end

-- Lines that would price the same unit twice: same task, unit and role, and
-- overlapping vertex ranges, volume tiers and validity dates.
local function check_overlaps(lines)
  local BIG = math.maxinteger
  for i = 2, #lines do
    local a = lines[i]
    for j = 1, i - 1 do
      local b = lines[j]
      if a.task == b.task and a.unit == b.unit and a.role == b.role
          and overlap(a.min_vertices or 0, a.max_vertices or BIG, b.min_vertices or 0, b.max_vertices or BIG)
          and overlap(a.tier_from or 1, a.tier_to or BIG, b.tier_from or 1, b.tier_to or BIG)
          and overlap(a.valid_from or "0000", a.valid_to or "9999", b.valid_from or "0000", b.valid_to or "9999") then
        local what = (a.tier_from or b.tier_from) and "tiers overlap" or
          (a.min_vertices or b.min_vertices) and "vertex ranges overlap" or "the same task and unit twice"
        return nil, string.format("%s: %s with %s (one price per unit: %s per %s)", a.where, what, b.where, a.task, a.unit)
      end
    end
  end
  return true
end

-- Checks and stores a card-level field; where: the place to name.
local function set_field(card, key, value, where)
  local kind = FIELDS[key]
  if kind == nil then
    local known = {}
    for k in pairs(FIELDS) do known[#known + 1] = k end
    table.sort(known)
    return nil, where .. ": unknown card field '" .. key .. "' (known: " .. table.concat(known, ", ") .. ")"
  end
  if card.fields_seen[key] then return nil, where .. ": card field '" .. key .. "' given twice" end
  card.fields_seen[key] = true
  if kind == "currency" then
    if not cm.digits(value) then return nil, where .. ": unknown currency '" .. value .. "' (an ISO 4217 code)" end
    card.currency, card.currency_where = value, where
  elseif kind == "rounding" then
    if not money.ROUNDINGS[value] then return nil, where .. ": rounding '" .. value .. "': expected half-up or half-even" end
    card.rounding = value
  elseif kind == "rule" then
    if not RULE[value] then return nil, where .. ": " .. key .. " '" .. value .. "': expected bill or skip" end
    card.counting[key] = value
  elseif kind == "money" or kind == "decimal" then
    local d, msg = money.decimal(value)
    if not d or d:is_negative() then
      return nil, where .. ": " .. key .. " '" .. value .. "': " .. (msg or "must not be negative")
    end
    card[key] = d
    card[key .. "_where"] = where
  else
    card[key] = value
  end
  return true
end

local function new_card(name)
  return {path = name, lines = {}, counting = {}, fields_seen = {}}
end

-- After the lines: card-level checks and defaults.
local function finish(card)
  if #card.lines == 0 then return nil, card.path .. ": the card has no price lines" end
  local ok, msg = check_overlaps(card.lines)
  if not ok then return nil, msg end
  if card.minimum then
    local digits = cm.digits(card.currency)
    if card.minimum:precision() > digits then
      return nil, string.format("%s: minimum %s has more decimals than %s's %d", card.minimum_where,
        card.minimum:text(), card.currency, digits)
    end
    card.minimum = money.new(card.minimum:text(), card.currency)
  end
  for k, v in pairs(M.COUNTING_DEFAULTS) do
    if card.counting[k] == nil then card.counting[k] = v end
  end
  card.rounding_stated = card.rounding ~= nil
  card.rounding = card.rounding or "half-up"
  card.digits = cm.digits(card.currency)
  card.fields_seen = nil
  return card
end

-- Parses the records of a CSV card (from money.read_csv / parse_csv).
function M.from_records(recs, name)
  local card = new_card(name)
  local header, cols, hline
  -- Comment fields come first so that a rounding rule stated anywhere before the
  -- header applies to every line.
  for _, r in ipairs(recs) do
    if r.comment then
      local key, value = r.cells[1]:match("^#%s*([%a_][%w_]*)%s*:%s*(.-)%s*$")
      if key and header then
        return nil, string.format("%s:%d:1: card field '%s' after the header: card fields go before it", name, r.line, key)
      elseif key then
          local ok, msg = set_field(card, key, value, string.format("%s:%d:1", name, r.line))
        if not ok then return nil, msg end
      end
    elseif not header then
      header, hline, cols = r.cells, r.line, {}
      for i, c in ipairs(header) do
        local col = c:match("^%s*(.-)%s*$")
        local place = string.format("%s:%d:%d", name, r.lines[i], r.cols[i])
        if not COLUMNS[col] then
          return nil, place .. ": unknown column '" .. col .. "' (task, unit, price, currency, min_vertices, " ..
            "max_vertices, tier_from, tier_to, valid_from, valid_to, role, region, note)"
        end
        if cols[col] then return nil, place .. ": column '" .. col .. "' appears twice" end
        cols[col] = i
      end
      for _, req in ipairs(REQUIRED) do
        if not cols[req] then
          return nil, string.format("%s:%d:1: the header has no '%s' column (required: task, unit, price, currency)",
            name, hline, req)
        end
      end
    end
  end
  if not header then return nil, name .. ": no header line (task,unit,price,currency)" end
  for _, r in ipairs(recs) do
    if not r.comment and r.line ~= hline then
      if #r.cells ~= #header then
        return nil, string.format("%s:%d:1: %d cells, the header has %d", name, r.line, #r.cells, #header)
      end
      local f = {}
      for col, i in pairs(cols) do f[col] = r.cells[i]:match("^%s*(.-)%s*$") end
      local function where(col)
        local i = cols[col]
        if not i then return string.format("%s:%d:1", name, r.line) end
        return string.format("%s:%d:%d", name, r.lines[i], r.cols[i])
      end
      local line, msg = check_line(f, where, card)
      if not line then return nil, msg end
      line.where = string.format("%s:%d", name, r.line)
      card.lines[#card.lines + 1] = line
    end
  end
  return finish(card)
end

-- Checks a card given as a Lua table {vendor=, currency=, rounding=, minimum=,
-- crowd=, ..., lines = {{task=, unit=, price=, ...}, ...}}; name for messages.
function M.from_table(t, name)
  if type(t) ~= "table" then return nil, name .. ": a rate card is a table, got " .. type(t) end
  local card = new_card(name)
  for k, v in pairs(t) do
    if k ~= "lines" then
      if type(k) ~= "string" then return nil, name .. ": card fields are named" end
      if type(v) ~= "string" and math.type(v) ~= "integer" then
        return nil, string.format("%s: %s: expected text (prices and amounts as \"0.035\", never a float)", name, k)
      end
      local ok, msg = set_field(card, k, tostring(v), name .. ": " .. k)
      if not ok then return nil, msg end
    end
  end
  if type(t.lines) ~= "table" then return nil, name .. ": lines: expected a list of price lines" end
  for i, l in ipairs(t.lines) do
    local f = {}
    if type(l) ~= "table" then return nil, string.format("%s: lines[%d]: expected a table", name, i) end
    for k, v in pairs(l) do
      if not COLUMNS[k] then return nil, string.format("%s: lines[%d]: unknown field '%s'", name, i, tostring(k)) end
      if math.type(v) == "float" then
        return nil, string.format("%s: lines[%d].%s: a float; write prices as text (\"0.035\") so they stay exact",
          name, i, k)
      end
      f[k] = tostring(v)
    end
    f.currency = f.currency or t.currency
    local line, msg = check_line(f, function(col) return string.format("%s: lines[%d].%s", name, i, col) end, card)
    if not line then return nil, msg end
    line.where = string.format("%s: lines[%d]", name, i)
    card.lines[#card.lines + 1] = line
  end
  return finish(card)
end

-- Reads a card file: CSV, or a Lua file returning the table (run by run_lua, the
-- sandboxed loader: path -> table | nil, message). A path that is not on disk but
-- is bundled in the binary (pricing/floor.csv) is read from there.
-- Returns the card (with path and sha256 of its bytes), or nil and a message.
function M.read(path, run_lua)
  local card, msg
  local f = io.open(path, "rb")
  local bytes
  if f then
    bytes = f:read("a")
    f:close()
  else
    bytes = util.embedded(path)
    if not bytes then return nil, path .. ": cannot open the rate card" end
  end
  if path:match("%.lua$") then
    if not run_lua then return nil, path .. ": a Lua rate card needs the sandbox" end
    local t, err = run_lua(path, bytes)
    if t == nil then return nil, err end
    card, msg = M.from_table(t, path)
  else
    local recs, err = cm.parse_csv(bytes, path)
    if not recs then return nil, err end
    card, msg = M.from_records(recs, path)
  end
  if not card then return nil, msg end
  card.sha256 = util.sha256(bytes)
  return card
end

return M
