-- Scorecards: loads a scorecard file (scorecards/buyers_guide.lua and the like)
-- through the policy loader, reads a vendor's questionnaire (JSON or CSV), and
-- scores the vendor criterion by criterion, by area, with red flags that cap.
--
--   M.load(path, opts) -> sc | nil, message        opts as policy.load (bundled, params)
--   M.template(sc) -> the empty questionnaire (a table for JSON)
--   M.template_rows(sc) -> the same as CSV rows (key,value,evidence,note,question)
--   M.read_answers(path, sc) -> answers | nil, message
--       answers: key -> {value, evidence = "shown"|"promised", note}; a key the
--       scorecard does not ask is an error naming the file and the key.
--   M.score(sc, answers, measured) -> card | nil, message (a scorecard function that
--       errors or reaches a limit: FILE:LINE: message, never a silent pass)
--       card = {total, cap, capped, areas = {{name, weight, score, scored_weight,
--       criteria = {...}}}, criteria = {{key, area, weight, score, status, source,
--       note, evidence, value}}, red_flags = {{key, text, cap, detail}}, missing = {keys}}
-- Score of an area: the weighted mean of its criteria, a missing answer counting 0;
-- a criterion that could be neither measured nor asked (the pilot could not measure
-- it) is left out of its area's weights and listed as "not measured". Total: the
-- weighted mean of the areas (left-out areas' weights rescaled), then
-- min(total, smallest cap of the red flags raised).
local annovet = require "annovet"
local policy = require "annovet.policy"

local M = {}

M.KINDS = {bool = true, number = true, text = true, list = true, measured = true}

local function fail(fmt, ...) return nil, string.format(fmt, ...) end

-- See the header.
function M.load(path, opts)
  local p, err = policy.load(path, {areas = "table", criteria = "table", red_flags = "table?",
    description = "string?", version = "string?"}, opts)
  if not p then return nil, err end
  local f = p.fields
  local areas, area_of, total_w = {}, {}, 0
  for i, a in ipairs(rawget(f, "areas")) do
    local name, w = rawget(a, "name"), rawget(a, "weight")
    if type(name) ~= "string" or type(w) ~= "number" or w < 0 then
      return fail("%s: areas[%d] needs a name (string) and a weight (number >= 0)", path, i)
    end
    areas[#areas + 1] = {name = name, weight = w}
    area_of[name] = true
    total_w = total_w + w
  end
  if #areas == 0 or total_w <= 0 then return fail("%s: areas: at least one area with a weight above 0", path) end
  local criteria, seen = {}, {}
  for i, c in ipairs(rawget(f, "criteria")) do
    local key, area, w, kind = rawget(c, "key"), rawget(c, "area"), rawget(c, "weight"), rawget(c, "kind")
    local where = string.format("%s: criteria[%d]", path, i)
    if type(key) ~= "string" or not key:match("^[%w_]+$") then return fail("%s: key must be a word", where) end
    where = where .. " (" .. key .. ")"
    if seen[key] then return fail("%s: the key is given twice", where) end
    seen[key] = true
    if not area_of[area] then return fail("%s: area '%s' is not one of the areas", where, tostring(area)) end
    if type(w) ~= "number" or w < 0 then return fail("%s: weight must be a number >= 0", where) end
    if not M.KINDS[kind] then return fail("%s: kind must be bool, number, text, list or measured", where) end
    local score, measured = rawget(c, "score"), rawget(c, "measured")
    if kind ~= "measured" and type(score) ~= "function" then return fail("%s: needs a score function", where) end
    if measured ~= nil and type(measured) ~= "function" then return fail("%s: measured must be a function", where) end
    if kind == "measured" and type(measured) ~= "function" then return fail("%s: needs a measured function", where) end
    criteria[#criteria + 1] = {key = key, area = area, weight = w, kind = kind, score = score, measured = measured,
      question = tostring(rawget(c, "question") or ""), evidence = rawget(c, "evidence") == true}
  end
  local flags = {}
  for i, r in ipairs(rawget(f, "red_flags") or {}) do
    local key, cap, check = rawget(r, "key"), rawget(r, "cap"), rawget(r, "check")
    if type(key) ~= "string" or type(cap) ~= "number" or cap < 0 or cap > 1 or type(check) ~= "function" then
      return fail("%s: red_flags[%d] needs key (string), cap (0..1) and check (function)", path, i)
    end
    flags[#flags + 1] = {key = key, cap = cap, check = check, text = tostring(rawget(r, "text") or key)}
  end
  return {policy = p, path = path, areas = areas, criteria = criteria, red_flags = flags,
    description = rawget(f, "description"), by_key = seen}
end

-- The questions a vendor answers (measured-only criteria are not asked).
local function asked(sc)
  local out = {}
  for _, c in ipairs(sc.criteria) do
    if c.kind ~= "measured" then out[#out + 1] = c end
  end
  return out
end

-- See the header.
function M.template(sc)
  local answers = {}
  for _, c in ipairs(asked(sc)) do
    answers[c.key] = {value = annovet.json.null, evidence = c.evidence and "promised" or nil, question = c.question,
      kind = c.kind}
  end
  return {vendor = "", scorecard = sc.path, answers = answers}
end

function M.template_rows(sc)
  local rows = {{"key", "value", "evidence", "note", "question"}}
  for _, c in ipairs(asked(sc)) do rows[#rows + 1] = {c.key, "", c.evidence and "promised" or "", "", c.question, n = 5} end
  return rows
end

-- A small RFC 4180 reader (quoted cells, doubled quotes, CRLF): rows of cells.
local function parse_csv(text)
  local rows, row, cell, i, n = {}, {}, {}, 1, #text
  local quoted = false
  while i <= n do
    local ch = text:sub(i, i)
    if quoted then
      if ch == '"' then
        if text:sub(i + 1, i + 1) == '"' then cell[#cell + 1] = '"'; i = i + 1 else quoted = false end
      else
        cell[#cell + 1] = ch
      end
    elseif ch == '"' then
      quoted = true
    elseif ch == "," then
      row[#row + 1] = table.concat(cell); cell = {}
    elseif ch == "\n" or ch == "\r" then
      if ch == "\r" and text:sub(i + 1, i + 1) == "\n" then i = i + 1 end
      row[#row + 1] = table.concat(cell); cell = {}
      rows[#rows + 1] = row; row = {}
    else
      cell[#cell + 1] = ch
    end
    i = i + 1
  end
  if quoted then return nil, "a quoted cell is not closed" end
  if #cell > 0 or #row > 0 then row[#row + 1] = table.concat(cell); rows[#rows + 1] = row end
  return rows
end

local function trim(s) return (s:gsub("^%s+", ""):gsub("%s+$", "")) end

-- A value of the criterion's kind from a JSON value or a CSV cell (text).
local function convert(c, v, from_text)
  if v == nil or v == annovet.json.null or v == "" then return nil end
  local k = c.kind
  if from_text and type(v) == "string" then
    v = trim(v)
    if v == "" then return nil end
    if k == "bool" then
      local l = v:lower()
      if l == "yes" or l == "true" or l == "y" then return true end
      if l == "no" or l == "false" or l == "n" then return false end
      return nil, "expected yes or no, got '" .. v .. "'"
    elseif k == "number" then
      local x = tonumber(v)
      if not x then return nil, "expected a number, got '" .. v .. "'" end
      return x
    elseif k == "list" then
      local out = {}
      for part in v:gmatch("[^;|]+") do out[#out + 1] = trim(part) end
      return out
    end
    return v
  end
  if k == "bool" and type(v) ~= "boolean" then return nil, "expected true or false" end
  if k == "number" and type(v) ~= "number" then return nil, "expected a number" end
  if k == "text" and type(v) ~= "string" then return nil, "expected text" end
  if k == "list" then
    if type(v) == "string" then return convert(c, v, true) end
    if type(v) ~= "table" then return nil, "expected a list of names" end
    local out = {}
    for _, x in ipairs(v) do
      if type(x) ~= "string" then return nil, "expected a list of names" end
      out[#out + 1] = x
    end
    return out
  end
  return v
end

-- The known key nearest to an unknown one (shared prefix), for the message.
local function nearest(sc, key)
  local best, len = nil, 2
  for _, c in ipairs(sc.criteria) do
    local n = 0
    while n < #key and key:sub(n + 1, n + 1) == c.key:sub(n + 1, n + 1) do n = n + 1 end
    if n > len then best, len = c.key, n end
  end
  return best
end

local function unknown(sc, path, key)
  local near = nearest(sc, key)
  return fail("%s: unknown question '%s'%s (the scorecard %s asks: see `annovet scorecard template`)", path, key,
    near and (", did you mean '" .. near .. "'?") or "", sc.path)
end

-- See the header.
function M.read_answers(path, sc)
  local f, oerr = io.open(path, "rb")
  if not f then return nil, oerr end
  local text = f:read("a")
  f:close()
  local answers = {}
  local function put(key, value, evidence, note, from_text)
    local c = sc.by_key[key] and nil
    for _, x in ipairs(sc.criteria) do if x.key == key then c = x end end
    if not c or c.kind == "measured" then return unknown(sc, path, key) end
    local v, err = convert(c, value, from_text)
    if err then return fail("%s: answer '%s': %s", path, key, err) end
    if evidence == "" or evidence == annovet.json.null then evidence = nil end
    if evidence ~= nil and evidence ~= "shown" and evidence ~= "promised" then
      return fail("%s: answer '%s': evidence must be shown or promised, got '%s'", path, key, tostring(evidence))
    end
    if note == annovet.json.null or note == "" then note = nil end
    answers[key] = {value = v, evidence = evidence, note = note and tostring(note)}
    return true
  end
  if path:lower():match("%.csv$") then
    local rows, cerr = parse_csv(text)
    if not rows then return fail("%s: %s", path, cerr) end
    local head = rows[1] or {}
    local col = {}
    for i, h in ipairs(head) do col[trim(h):lower()] = i end
    if not col.key or not col.value then return fail("%s: the header needs key and value columns", path) end
    for i, h in ipairs(head) do
      local name = trim(h):lower()
      if name ~= "key" and name ~= "value" and name ~= "evidence" and name ~= "note" and name ~= "question" then
        return fail("%s: unknown column '%s' (key, value, evidence, note, question)", path, h)
      end
    end
    for r = 2, #rows do
      local row = rows[r]
      local key = trim(row[col.key] or "")
      if key ~= "" then
        if answers[key] then return fail("%s: line %d: '%s' is answered twice", path, r, key) end
        local ok, err = put(key, row[col.value], col.evidence and trim(row[col.evidence] or ""),
          col.note and row[col.note], true)
        if not ok then return nil, err end
      end
    end
    return answers
  end
  local doc, jerr = annovet.json.decode(text, path)
  if doc == nil then return nil, jerr end
  if type(doc) ~= "table" or type(doc.answers) ~= "table" then
    return fail("%s: a questionnaire is a JSON object with an \"answers\" object (annovet scorecard template)", path)
  end
  for k in pairs(doc) do
    if k ~= "answers" and k ~= "vendor" and k ~= "note" and k ~= "scorecard" then
      return fail("%s: unknown field '%s' (vendor, answers, note, scorecard)", path, tostring(k))
    end
  end
  local keys = {}
  for k in pairs(doc.answers) do keys[#keys + 1] = k end
  table.sort(keys)
  for _, key in ipairs(keys) do
    local a = doc.answers[key]
    local ok, err
    if type(a) == "table" and #a == 0 and next(a) ~= nil then
      for k in pairs(a) do
        if k ~= "value" and k ~= "evidence" and k ~= "note" and k ~= "question" and k ~= "kind" then
          return fail("%s: answer '%s': unknown field '%s' (value, evidence, note)", path, key, tostring(k))
        end
      end
      ok, err = put(key, a.value, a.evidence, a.note)
    else
      ok, err = put(key, a)
    end
    if not ok then return nil, err end
  end
  return answers
end

-- A deep copy of plain data, so a scorecard function cannot change the engine's tables.
local function copy(v)
  if type(v) ~= "table" then return v end
  local out = {}
  for k, x in pairs(v) do out[k] = copy(x) end
  return out
end

local function check_score(sc, c, what, s)
  if type(s) ~= "number" or s ~= s or s < 0 or s > 1 then
    return fail("%s: criterion '%s': %s returned %s, not a number in [0, 1]", sc.path, c.key, what, tostring(s))
  end
  return s
end

-- See the header.
function M.score(sc, answers, measured)
  answers = answers or {}
  local p = sc.policy
  local plain = {}
  for k, a in pairs(answers) do plain[k] = a.value end
  local credit = tonumber(p.params.promised_credit) or 0.5
  local rows, by_area, missing = {}, {}, {}
  for _, c in ipairs(sc.criteria) do
    local a = answers[c.key]
    local row = {key = c.key, area = c.area, weight = c.weight, question = c.question, value = a and a.value,
      evidence = a and a.evidence, note = a and a.note}
    local s, note
    if c.measured then
      local ok, ms, mnote = policy.call(p, c.measured, copy(measured or {}))
      if not ok then return nil, ms end
      if ms ~= nil then
        s, note = check_score(sc, c, "measured", ms)
        if not s then return nil, note end
        row.score, row.status, row.source, row.measured = s, "measured", "measured", mnote and tostring(mnote)
      end
    end
    if row.score == nil then
      if c.kind == "measured" then
        row.status, row.source = "not measured", "none"
      elseif a == nil or a.value == nil then
        if c.weight > 0 then
          row.score, row.status, row.source = 0, "missing", "answer"
          missing[#missing + 1] = c.key
        else
          row.status, row.source = "unanswered (not scored)", "answer"
        end
      else
        local ok, v = policy.call(p, c.score, copy(a.value))
        if not ok then return nil, v end
        s, note = check_score(sc, c, "score", v)
        if not s then return nil, note end
        row.source = "answer"
        if c.evidence and a.evidence ~= "shown" then
          row.score, row.status = s * credit, "promised"
        else
          row.score, row.status = s, c.evidence and "shown" or "answered"
        end
      end
    end
    rows[#rows + 1] = row
    local acc = by_area[c.area] or {w = 0, sum = 0, rows = {}}
    by_area[c.area] = acc
    acc.rows[#acc.rows + 1] = row
    if row.score ~= nil and c.weight > 0 then
      acc.w = acc.w + c.weight
      acc.sum = acc.sum + c.weight * row.score
    end
  end
  local areas, tw, tsum = {}, 0, 0
  for _, a in ipairs(sc.areas) do
    local acc = by_area[a.name] or {w = 0, sum = 0, rows = {}}
    local s = acc.w > 0 and acc.sum / acc.w or nil
    areas[#areas + 1] = {name = a.name, weight = a.weight, score = s, criteria = acc.rows}
    if s then
      tw = tw + a.weight
      tsum = tsum + a.weight * s
    end
  end
  local total = tw > 0 and tsum / tw or nil
  local flags, cap = {}, nil
  for _, r in ipairs(sc.red_flags) do
    local ok, raised, detail = policy.call(p, r.check, copy(plain), copy(measured or {}))
    if not ok then return nil, raised end
    if raised then
      flags[#flags + 1] = {key = r.key, text = r.text, cap = r.cap,
        detail = (detail ~= nil and detail ~= "") and tostring(detail) or nil}
      cap = math.min(cap or 1, r.cap)
    end
  end
  local capped = total and cap and math.min(total, cap) or total
  return {total = total, cap = cap, capped = capped, areas = areas, criteria = rows, red_flags = flags,
    missing = missing}
end

M.parse_csv = parse_csv

return M
