-- `annovet store verify`: walks the log from its first entry, checking that each
-- entry names the hash of the one before, that its hash is the SHA-256 of its
-- canonical serialisation (lua/annovet/log.lua), that the row it logged is the
-- row the store holds now, and that every recorded comparison gives the same
-- numbers when recomputed from the stored gold and vendor bytes with the
-- recorded parameters, and every acceptance decision the same clauses' results
-- when its stored rule script runs again with its recorded parameters. The first difference is reported {table, id, field,
-- recorded, expected, message}.
local annovet = require "annovet"
local evaluations = require "annovet.evaluations"
local log = require "annovet.log"
local store = require "annovet.store"

local json = annovet.json

local M = {}

local function show(v)
  if v == nil or v == json.null then return "null" end
  if type(v) == "table" or type(v) == "number" then return json.encode(v) end
  local s = tostring(v)
  if #s > 80 then s = s:sub(1, 77) .. "..." end
  return s
end

local function difference(tbl, id, field, recorded, expected, what)
  return {table = tbl, id = id, field = field, recorded = recorded == nil and json.null or recorded,
    expected = expected == nil and json.null or expected,
    message = string.format("%s %d: %s: %s (recorded %s, %s %s)", tbl, id, field, what, show(recorded),
      what:find("recomput") and "recomputed" or "expected", show(expected))}
end

-- Verifies the store; returns the report {verified, entries, recomputed,
-- not_recomputed = {{table, id, why}}, head, difference}.
function M.store(db)
  local report = {entries = 0, recomputed = 0, not_recomputed = {}}
  local prev = log.GENESIS
  local function done(diff)
    report.verified = diff == nil
    report.difference = diff
    report.not_recomputed = json.array(report.not_recomputed)
    return report
  end
  for _, e in ipairs(store.log_entries(db)) do
    report.entries = report.entries + 1
    if e.prev_hash ~= prev then
      return done(difference("log", e.seq, "prev_hash", e.prev_hash, prev, "does not name the entry before"))
    end
    local h = log.entry_hash(e.prev_hash, e.body)
    if h ~= e.hash then
      return done(difference("log", e.seq, "hash", e.hash, h, "is not the SHA-256 of the entry"))
    end
    local row = store.logged_row(db, e.entry_table, e.row_id)
    if not row then
      return done(difference(e.entry_table, e.row_id, "(row)", "logged", "(deleted)", "the logged row is gone"))
    end
    local field, logged, now = log.row_difference(e.entry_table, e.body, row)
    if field then
      local d = difference(e.entry_table, e.row_id, field, now, logged,
        string.format("differs from log entry %d", e.seq))
      d.message = string.format("%s %d: %s: differs from log entry %d (now %s, logged %s)", e.entry_table,
        e.row_id, field, e.seq, show(now), show(logged))
      return done(d)
    end
    local diff, why, from
    if e.entry_table == "decisions" then
      local c = store.decision_chain(db, e.row_id)
      if c.hash ~= e.hash or c.prev_hash ~= e.prev_hash then
        return done(difference("decisions", e.row_id, c.hash ~= e.hash and "hash" or "prev_hash",
          c.hash ~= e.hash and c.hash or c.prev_hash, c.hash ~= e.hash and e.hash or e.prev_hash,
          "differs from its log entry " .. e.seq))
      end
      diff, why = require("annovet.sla_rules").recompute(db, store.decision(db, e.row_id))
      from = "the stored rules and inputs"
    else
      diff, why = evaluations.recompute(db, store.evaluation(db, e.row_id))
      from = "the stored inputs"
    end
    if diff then
      return done(difference(e.entry_table, e.row_id, diff.field, diff.recorded, diff.recomputed,
        "recomputed from " .. from .. " differs"))
    elseif diff == nil then
      report.not_recomputed[#report.not_recomputed + 1] = {table = e.entry_table, id = e.row_id, why = why}
    else
      report.recomputed = report.recomputed + 1
    end
    prev = e.hash
  end
  for _, tbl in ipairs {"evaluations", "decisions"} do
    local missing = store.unlogged(db, tbl)
    if #missing > 0 then
      return done(difference(tbl, missing[1].id, "(log entry)", "none", "an entry", "is not in the log"))
    end
  end
  report.head = report.entries > 0 and prev or json.null
  return done(nil)
end

return M
