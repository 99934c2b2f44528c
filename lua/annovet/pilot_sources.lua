-- The pilot's adapters to the modules other branches build (pricing, SLA, compare
-- statistics): the only file that knows their interfaces. Each function returns
-- its result, or nil and the plain sentence the report prints when the module is
-- not in this build ("cost: the pricing module is not in this build"); none
-- invents a number.
--
-- Interfaces expected (wire them here at merge):
--   annovet.pricing (pricing branch)
--     pricing.card(path_or_table) -> card | nil, msg
--     pricing.count(ds, card.counting), card:cost(counts) -> {total = Money, ...},
--     pricing.read_timesheets(path) -> rows, card:hourly(rows) -> {total = Money,
--     hours = decimal, worked}; cost_compare.compare(card, counts, {hours, billed})
--     -> {break_even, ...}. Money stays exact; amount() gives a number for charts.
--   SLA rules: the pilot runs the rule file itself through policy.lua in the
--     design's clause format ({clauses = {{name, text, check(batch, params)}}});
--     `annovet sla check` is for stored batches and records decisions.
--   compare statistics (annovet.compare)
--     compare.bootstrap(results, {resamples, seed, names}) sets each result's
--     intervals = {micro = {f1 = {estimate, low, high}}, per_class = {...}} and
--     returns {pairs = {{a, b, f1_diff = {estimate, low, high}, verdict, better,
--     items_needed, note}}}; res:sizes() -> {{name = "small"|..., micro}}.
local annovet = require "annovet"
local compare = require "annovet.compare"
local policy = require "annovet.policy"

local M = {}

M.MISSING = {
  pricing = "the pricing module (annovet.pricing) is not in this build",
  statistics = "the compare statistics (bootstrap intervals, paired differences) are not in this build",
  sizes = "scores by object size come with the compare statistics, which are not in this build",
}

local function optional(name)
  local ok, mod = pcall(require, name)
  if ok and type(mod) == "table" then return mod end
  return nil
end

-- A money value as a number of currency units (for ratios and charts only; the
-- pricing module keeps totals exact).
function M.amount(x)
  if type(x) == "number" then return x end
  if type(x) == "string" then return tonumber(x) end
  if type(x) == "table" and math.type(x.minor) == "integer" then return x.minor / 10 ^ (x.scale or 2) end
  return tonumber(tostring(x))
end

-- Cost of one vendor's delivery under both pricing models, through annovet.pricing:
-- the card's lines on the delivery (per asset) and the timesheets' hours at the
-- card's hour rate (per hour), each exact; numbers (for ratios and charts) beside
-- their exact text. {currency, card = {path, sha256}, per_unit = {total, text},
-- per_hour = {total, text, hours}, break_even} | nil, reason.
function M.cost(v, ds)
  local pricing = optional("annovet.pricing")
  if not pricing then return nil, M.MISSING.pricing end
  if not v.rates then return nil, "no rate card named for " .. v.name end
  local card, err = pricing.card(v.rates)
  if not card then return nil, err end
  local counts = pricing.count(ds, card.counting)
  local unit, uerr = card:cost(counts)
  if not unit then return nil, uerr end
  local out = {currency = card.currency, card = {path = card.path, sha256 = card.sha256},
    per_unit = {total = M.amount(unit.total:text()), text = unit.total:text()}}
  local hourly
  if v.timesheets then
    local rows, terr = pricing.read_timesheets(v.timesheets)
    if not rows then return nil, terr end
    hourly, terr = card:hourly(rows)
    if not hourly then
      out.per_hour_missing = terr
    else
      out.per_hour = {total = M.amount(hourly.total:text()), text = hourly.total:text(), hours = hourly.hours:text()}
    end
  else
    out.per_hour_missing = "no timesheets named"
  end
  local ok, cost_compare = pcall(require, "annovet.cost_compare")
  if ok and hourly then
    local cmp = cost_compare.compare(card, counts, {hours = hourly.hours, billed = hourly.worked})
    if cmp then out.break_even = cmp.break_even end
  end
  return out
end

-- A cost per accepted asset: exact text (money / n, four more decimals than the
-- currency) and its number, or nil when nothing was accepted.
function M.per_accepted(side, n, currency)
  if not side or not n or n <= 0 then return nil end
  local money = optional("annovet.money")
  if money and side.text and currency and math.tointeger(n) then
    local text = money.new(side.text, currency):per(math.tointeger(n))
    return tonumber(text), text
  end
  return side.total and side.total / n
end

-- Does this build's compare carry the statistics?
function M.statistics()
  return type(compare.bootstrap) == "function"
end

-- Options to add to the compare options (the bootstrap runs after the scoring,
-- in M.bootstrap; nothing to add).
function M.compare_options(o)
  return o
end

local boot   -- the last M.bootstrap's pairs, by "a\0b"

-- Resamples the gold items once for every vendor's result (compare.bootstrap:
-- percentile intervals, paired differences on the same resampled items). Sets
-- each result's intervals. Returns true, or nil and why not.
function M.bootstrap(results, names, resamples, seed)
  boot = nil
  if not M.statistics() then return nil, M.MISSING.statistics end
  local b, err = compare.bootstrap(results, {resamples = resamples or 1000, seed = seed or 1, names = names})
  if not b then return nil, err end
  boot = {}
  for _, p in ipairs(b.pairs) do boot[p.a .. "\0" .. p.b] = p end
  return true
end

local function interval(x)
  if not x or x.low == nil or x.high == nil then return nil end
  return {low = x.low, high = x.high, estimate = x.estimate}
end

-- The F1 interval of a result's micro average, or nil and why not.
function M.interval(res)
  if not M.statistics() then return nil, M.MISSING.statistics end
  local ci = res.intervals and interval(res.intervals.micro.f1)
  if not ci then return nil, "no interval: the F1 is undefined in too many resamples" end
  return ci
end

-- Per-class F1 intervals: class -> {low, high}, or nil and why not.
function M.class_intervals(res)
  if not M.statistics() then return nil, M.MISSING.statistics end
  local out = {}
  for name, x in pairs(res.intervals and res.intervals.per_class or {}) do out[name] = interval(x.f1) end
  return out
end

-- The paired comparison of vendors a and b (names) on the same resampled gold
-- items: {difference, low, high, verdict, better, more_items, note}, or nil and why not.
function M.paired(a, b)
  if not M.statistics() then return nil, M.MISSING.statistics end
  if not boot then return nil, "the bootstrap did not run" end
  local p, sign = boot[a .. "\0" .. b], 1
  if not p then p, sign = boot[b .. "\0" .. a], -1 end
  if not p then return nil, "no paired result for " .. a .. " and " .. b end
  local d = p.f1_diff
  local low, high = d.low, d.high
  if sign < 0 then low, high = -d.high, -d.low end
  return {difference = d.estimate and sign * d.estimate, low = low, high = high, verdict = p.verdict,
    better = p.better, more_items = p.items_needed, note = p.note, items = p.items}
end

-- F1 by object size (COCO's small, medium, large), or nil and why not.
function M.by_size(res)
  if type(res.sizes) ~= "function" then return nil, M.MISSING.sizes end
  local ranges, err = res:sizes()
  if not ranges then return nil, err end
  local out = {}
  for _, r in ipairs(ranges) do
    local m = r.micro
    out[r.name] = {f1 = m.f1, precision = m.precision, recall = m.recall, tp = m.tp, fp = m.fp, fn = m.fn,
      low = r.low, high = r.high}
  end
  return out
end

-- The SLA clauses checked on one vendor's batch: {engine, rules = evidence,
-- clauses = {{name, text, pass, detail}}} | nil, message (a rule that errors is
-- a failure naming FILE:LINE, never a pass).
-- The pilot runs the rule file itself (a pilot's batches are not in a store, so
-- `sla check`, which records a decision per stored batch, does not apply): each
-- clause's check through policy.call on the pilot's batch table.
function M.sla(path, batch)
  local p, err = policy.load(path, {clauses = "table", contract = "string?"})
  if not p then return nil, err end
  local out = {engine = "the pilot's run of the rules in the sandbox (policy.lua); nothing recorded in a store",
    rules = policy.evidence(p), contract = rawget(p.fields, "contract"), clauses = {}}
  for i, c in ipairs(rawget(p.fields, "clauses")) do
    local name, check = rawget(c, "name"), rawget(c, "check")
    if type(check) ~= "function" then
      return nil, string.format("%s: clauses[%d] has no check function", path, i)
    end
    local ok, pass, detail = policy.call(p, check, batch, p.fields.params)
    if not ok then return nil, pass end
    out.clauses[#out.clauses + 1] = {name = tostring(name or ("clause " .. i)), text = tostring(rawget(c, "text") or ""),
      pass = pass == nil and annovet.json.null or (pass and true or false), detail = policy.plain(detail or {}, "detail")}
  end
  return out
end

return M
