-- Acceptance sampling by attributes, MIL-STD-105E single sampling: the plan for a
-- lot (Table I, then Table II-A/B/C with its arrows followed), the verdict on a
-- sample, the switching rules between normal, tightened and reduced inspection
-- (105E 8.3, 8.4), and a reproducible random draw of the sample (splitmix64 and
-- xoshiro256** in Lua's 64-bit integers, so a seed gives the same items on every
-- machine). The tables themselves are data, in aql_tables.lua.
local T = require "annovet.aql_tables"

local M = {}

M.source = T.source
M.inspections = {"normal", "tightened", "reduced"}

-- "II", "s2", "S-2" -> the level as Table I names it ("II", "S-2"), or nil, msg.
function M.parse_level(s)
  local u = tostring(s):upper()
  local sp = u:match("^S%-?([1-4])$")
  if sp then return "S-" .. sp end
  for _, l in ipairs(T.levels) do
    if l == u then return l end
  end
  return nil, string.format("--level: expected I, II, III or S1..S4, got '%s'", s)
end

-- "1", "1.0", "0.01" -> the AQL's column (1..26) and its printed name, or nil, msg.
function M.parse_aql(s)
  local v = tonumber(s)
  if v and tostring(s):match("^[%d.]+$") then
    for i, a in ipairs(T.aqls) do
      if math.abs(tonumber(a) - v) <= 1e-9 * v then return i, a end
    end
  end
  return nil, string.format("AQL '%s' is not a column of MIL-STD-105E Table II (%s)", s,
    table.concat(T.aqls, ", "))
end

-- True when the AQL (a column name) can only mean nonconformities per 100 units.
function M.per_100_only(aql)
  return tonumber(aql) > 10
end

-- The code letter of Table I for a lot size and a level.
function M.code_letter(lot, level)
  local col
  for i, l in ipairs(T.levels) do
    if l == level then col = i end
  end
  assert(col, "unknown level")
  for _, r in ipairs(T.table_i) do
    if lot <= r[2] then return r[2 + col], r end
  end
end

local function cell(inspection, letter, col)
  local row = T.rows[inspection][letter]
  local i = 0
  for tok in row:gmatch("%S+") do
    i = i + 1
    if i == col then return tok end
  end
end

local function index_of(list, v)
  for i, x in ipairs(list) do
    if x == v then return i end
  end
end

-- Follows the arrows of Table II-A/B/C from (letter, AQL column) to a plan.
-- Returns the letter of the plan, its Ac and Re, and the arrow followed ("down",
-- "up" or nil).
local function resolve(inspection, letter, col)
  local letters = T.letters[inspection]
  local i = index_of(letters, letter)
  local arrow
  while true do
    local c = cell(inspection, letters[i], col)
    if c == "v" then
      arrow = arrow or "down"
      i = i + 1
    elseif c == "^" then
      arrow = arrow or "up"
      i = i - 1
    else
      local ac, re = c:match("^(%d+)/(%d+)$")
      assert(ac and letters[i], "no plan in Table " .. T.table_name[inspection] .. " for " .. letter)
      return letters[i], tonumber(ac), tonumber(re), arrow
    end
  end
end

-- The single-sampling plan for a lot: lot size, level (as parse_level gives),
-- AQL column (as parse_aql gives), inspection (normal|tightened|reduced).
-- {table, table_i_code_letter, code_letter, table_sample_size, sample_size,
--  accept, reject, arrow, inspect_all, reduced_gap, notes}.
function M.plan(lot, level, col, inspection)
  local letter0 = M.code_letter(lot, level)
  local letter, ac, re, arrow = resolve(inspection, letter0, col)
  local n = T.sample_size[inspection][letter]
  local p = {
    table = T.table_name[inspection], inspection = inspection, level = level,
    aql = T.aqls[col], lot_size = lot,
    table_i_code_letter = letter0, code_letter = letter,
    table_sample_size = n, sample_size = math.min(n, lot), accept = ac, reject = re,
    arrow = arrow or false, inspect_all = n >= lot, reduced_gap = re > ac + 1,
    notes = {},
  }
  if arrow then
    p.notes[#p.notes + 1] = string.format("Table %s: the cell of code letter %s at AQL %s is %s arrow; " ..
      "the first plan %s it is code letter %s (n = %d)", p.table, letter0, p.aql,
      arrow == "down" and "a down" or "an up", arrow == "down" and "below" or "above", letter, n)
  end
  if p.inspect_all then
    p.notes[#p.notes + 1] = string.format("the sample size %d equals or exceeds the lot size %d: " ..
      "inspect every unit of the lot (100 percent inspection)", n, lot)
  end
  if p.reduced_gap then
    p.notes[#p.notes + 1] = string.format("reduced inspection: more than %d but fewer than %d " ..
      "defects accepts the lot, but normal inspection is reinstated (105E 10.1.4)", ac, re)
  end
  return p
end

-- The verdict on d defects (or defectives) found in the sample of plan p:
-- "accepted" or "rejected", and true when the lot is accepted between Ac and Re
-- under reduced inspection (normal inspection is then reinstated).
function M.judge(p, d)
  if d <= p.accept then return "accepted", false end
  if d >= p.reject then return "rejected", false end
  return "accepted", true
end

M.grades = {"critical", "major", "minor"}
M.counts = {
  defectives = "percent defective: each item with a defect of the grade counts once",
  defects = "nonconformities per 100 units: every defect (object) of the grade counts",
}

-- "--aql" text -> {{grade, col, aql}, ...}, or nil, msg. Either one AQL ("1.0",
-- grade "defects") or grades with their own AQL ("critical=0.065,major=1.0").
-- AQLs above 10 exist only as nonconformities per 100 units (count "defects").
function M.parse_grades(text, count)
  local out, seen = {}, {}
  local single = not tostring(text):find("=", 1, true)
  for part in (tostring(text) .. ","):gmatch("([^,]*),") do
    local name, value = part:match("^%s*([%a_]+)%s*=%s*(%S+)%s*$")
    if single then name, value = "defects", part:match("^%s*(.-)%s*$") end
    if not name then
      return nil, string.format("--aql: expected an AQL (1.0) or grades (critical=0.065,major=1.0), got '%s'", text)
    end
    if not single then
      local known = false
      for _, g in ipairs(M.grades) do known = known or g == name end
      if not known then
        return nil, string.format("--aql: unknown grade '%s' (critical, major, minor)", name)
      end
      if seen[name] then return nil, string.format("--aql: grade '%s' given twice", name) end
    end
    seen[name] = true
    local col, aql = M.parse_aql(value)
    if not col then return nil, "--aql: " .. aql end
    if M.per_100_only(aql) and count ~= "defects" then
      return nil, string.format("--aql: AQL %s is above 10: it exists only as nonconformities per 100 " ..
        "units, so it needs --count defects", aql)
    end
    out[#out + 1] = {grade = name, col = col, aql = aql}
  end
  return out
end

-- The plan of each grade for a lot; and the sample to draw (the largest n).
function M.plans(lot, level, grades, inspection)
  local list, n = {}, 0
  for _, g in ipairs(grades) do
    local p = M.plan(lot, level, g.col, inspection)
    p.grade = g.grade
    list[#list + 1] = p
    n = math.max(n, p.sample_size)
  end
  return list, n
end

-- ---- switching rules (105E 8.3, 8.4) ----

-- The inspection for the next lot, from the lots already judged, oldest first:
-- each {inspection, outcome = "accepted"|"rejected", reinstate = bool,
-- irregular = bool, defects = total found, sample = units inspected}.
-- Returns {inspection, discontinued, reduced_allowed, reason, rule, ...}.
function M.next_inspection(lots)
  local state = {inspection = "normal", discontinued = false, reduced_allowed = false,
    rule = "105E 8.2", reason = "normal inspection at the start (105E 8.2)"}
  local spell, prev = {}, nil  -- the lots inspected in a row at one severity
  for _, lot in ipairs(lots) do
    if lot.inspection ~= prev then spell = {} end
    prev = lot.inspection
    spell[#spell + 1] = lot
    local cur = lot.inspection
    state = {inspection = cur, discontinued = false, reduced_allowed = false}
    if cur == "normal" then
      local rejected = 0
      for k = math.max(1, #spell - 4), #spell do
        if spell[k].outcome == "rejected" then rejected = rejected + 1 end
      end
      if rejected >= 2 then
        state.inspection, state.rule = "tightened", "105E 8.3.1"
        state.reason = "2 of the last 5 consecutive lots on normal inspection were rejected"
      elseif #spell >= 10 then
        local ok, defects, sample = true, 0, 0
        for k = #spell - 9, #spell do
          local s = spell[k]
          if s.outcome ~= "accepted" or s.irregular then ok = false end
          defects, sample = defects + s.defects, sample + s.sample
        end
        if ok then
          state.reduced_allowed, state.rule = true, "105E 8.3.3"
          state.last10 = {defects = defects, sample = sample}
          state.reason = "the preceding 10 lots were on normal inspection and all accepted, " ..
            "production steady: reduced inspection may be instituted when the responsible " ..
            "authority approves (--approve-reduced), having checked the limit number of Table VIII"
        end
      end
    elseif cur == "tightened" then
      local run = 0
      for k = #spell, 1, -1 do
        if spell[k].outcome ~= "accepted" then break end
        run = run + 1
      end
      if run >= 5 then
        state.inspection, state.rule = "normal", "105E 8.3.2"
        state.reason = "5 consecutive lots were accepted on tightened inspection"
      elseif #spell >= 10 then
        state.discontinued, state.rule = true, "105E 8.4"
        state.reason = "10 consecutive lots remained on tightened inspection: inspection under " ..
          "the standard is discontinued pending action to improve quality"
      end
    else -- reduced
      if lot.outcome == "rejected" or lot.reinstate or lot.irregular then
        state.inspection, state.rule = "normal", "105E 8.3.4"
        state.reason = lot.outcome == "rejected" and "a lot was rejected on reduced inspection"
          or lot.reinstate and "a lot was accepted between Ac and Re on reduced inspection"
          or "production became irregular or delayed"
      end
    end
    if not state.reason then
      state.rule = "105E 8.3"
      state.reason = "no switching condition met: " .. cur .. " inspection continues"
    end
  end
  return state
end

-- ---- the random draw ----

local function splitmix64(state)
  state = state + 0x9E3779B97F4A7C15
  local z = state
  z = (z ~ (z >> 30)) * 0xBF58476D1CE4E5B9
  z = (z ~ (z >> 27)) * 0x94D049BB133111EB
  return state, z ~ (z >> 31)
end

local function rotl(x, k)
  return (x << k) | (x >> (64 - k))
end

-- A generator: xoshiro256** (Blackman and Vigna) with its state filled by
-- splitmix64 from seed, as host/core/agree_boot.c seeds its bootstrap.
-- Returns below(m): a uniform integer in [0, m), by rejection (no modulo bias).
function M.rng(seed)
  local s, sm = {}, seed
  for i = 1, 4 do sm, s[i] = splitmix64(sm) end
  local function next64()
    local result = rotl(s[2] * 5, 7) * 9
    local t = s[2] << 17
    s[3] = s[3] ~ s[1]
    s[4] = s[4] ~ s[2]
    s[2] = s[2] ~ s[3]
    s[1] = s[1] ~ s[4]
    s[3] = s[3] ~ t
    s[4] = rotl(s[4], 45)
    return result
  end
  return function(m)
    -- 63-bit draws x in [0, 2^63); those in the top partial block of m are
    -- drawn again, so every value below m is equally likely
    local rem = (math.maxinteger % m + 1) % m      -- 2^63 mod m
    while true do
      local x = next64() >> 1
      if rem == 0 or x <= math.maxinteger - rem then return x % m end
    end
  end, next64
end

-- Draws n of the ids (a list, in a fixed order) by a partial Fisher-Yates
-- shuffle; returns them in the order drawn.
function M.draw(ids, n, below)
  local a = table.move(ids, 1, #ids, 1, {})
  for i = 1, n do
    local j = i + below(#a - i + 1)
    a[i], a[j] = a[j], a[i]
  end
  return table.move(a, 1, n, 1, {})
end

-- Splits n over strata in proportion to their sizes (largest remainder; ties to
-- the stratum listed first). strata: {{name, ids}, ...}, in a fixed order.
function M.allocate(strata, n)
  local total = 0
  for _, s in ipairs(strata) do total = total + #s.ids end
  local given, rest = 0, {}
  for i, s in ipairs(strata) do
    s.take = n * #s.ids // total
    given = given + s.take
    rest[i] = {i = i, r = n * #s.ids % total}
  end
  table.sort(rest, function(a, b)
    if a.r ~= b.r then return a.r > b.r end
    return a.i < b.i
  end)
  for k = 1, n - given do
    local s = strata[rest[k].i]
    s.take = s.take + 1
  end
end

return M
