-- The pilot's adapters to the modules other branches build (pricing, SLA, compare
-- statistics): the only file that knows their interfaces. Each function returns
-- its result, or nil and the plain sentence the report prints when the module is
-- not in this build ("cost: the pricing module is not in this build"); none
-- invents a number.
--
-- Interfaces expected (wire them here at merge):
--   annovet.pricing (pricing branch)
--     pricing.card(path_or_table) -> card | nil, msg
--     card:cost(ds_or_counts) -> {total = MONEY, currency = "USD", lines = {...}}
--     card:hourly(timesheets_path) -> {total = MONEY, currency, hours = number}
--     MONEY: a number, a decimal string, {minor = INT, scale = INT}, or a value
--     whose tostring is a decimal ("12.34"): see amount() below.
--   annovet.sla (SLA branch)
--     sla.check(rules_path, batch, opts) -> {clauses = {{name, text, pass =
--     true|false|nil, detail}}, rules = {path, sha256}} | nil, msg
--     Without it the pilot runs the rule file itself through policy.lua in the
--     design's clause format ({clauses = {{name, text, check(batch, params)}}}),
--     and says so.
--   compare statistics (compare branch, in annovet.compare)
--     compare options ci = N, seed = S give each result micro.ci, macro.ci and
--     per_class[c].ci = {f1 = {low, high}, precision = {...}, recall = {...}};
--     compare.paired(res_a, res_b, {resamples = N, seed = S}) -> {difference,
--     low, high, verdict = "A better"|"B better"|"not distinguishable",
--     more_items = N | nil}; res.by_size = {small|medium|large = {f1, gold, ...}}.
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

-- Cost of one vendor's delivery under both pricing models: {currency, per_unit =
-- {total}, per_hour = {total, hours}} | nil, reason.
function M.cost(v, ds)
  local pricing = optional("annovet.pricing")
  if not pricing then return nil, M.MISSING.pricing end
  if not v.rates then return nil, "no rate card named for " .. v.name end
  local card, err = pricing.card(v.rates)
  if not card then return nil, err end
  local unit, uerr = card:cost(ds)
  if not unit then return nil, uerr end
  local out = {currency = unit.currency, per_unit = {total = M.amount(unit.total)}}
  if v.timesheets and card.hourly then
    local h, herr = card:hourly(v.timesheets)
    if h then
      out.per_hour = {total = M.amount(h.total), hours = h.hours}
    else
      out.per_hour_missing = herr
    end
  else
    out.per_hour_missing = v.timesheets and "the rate card has no hourly pricing" or "no timesheets named"
  end
  return out
end

-- Does this build's compare carry the statistics?
function M.statistics()
  return type(compare.paired) == "function"
end

-- Options to add to the compare options: resamples and seed when the statistics exist.
function M.compare_options(o, resamples, seed)
  if M.statistics() then o.ci, o.seed = resamples, seed end
  return o
end

-- The F1 interval of a result's micro average, or nil and why not.
function M.interval(res)
  if not M.statistics() then return nil, M.MISSING.statistics end
  local ci = res.micro and res.micro.ci and res.micro.ci.f1
  if not ci then return nil, "no interval in the result" end
  return {low = ci.low or ci[1], high = ci.high or ci[2]}
end

-- Per-class F1 intervals: class -> {low, high}, or nil and why not.
function M.class_intervals(res)
  if not M.statistics() then return nil, M.MISSING.statistics end
  local out = {}
  for name, s in pairs(res.per_class) do
    local ci = s.ci and s.ci.f1
    if ci then out[name] = {low = ci.low or ci[1], high = ci.high or ci[2]} end
  end
  return out
end

-- The paired comparison of two vendors' F1, or nil and why not.
function M.paired(a, b, resamples, seed)
  if not M.statistics() then return nil, M.MISSING.statistics end
  return compare.paired(a, b, {resamples = resamples, seed = seed})
end

-- F1 by object size, or nil and why not.
function M.by_size(res)
  if not res.by_size then return nil, M.MISSING.sizes end
  return res.by_size
end

-- The SLA clauses checked on one vendor's batch: {engine, rules = evidence,
-- clauses = {{name, text, pass, detail}}} | nil, message (a rule that errors is
-- a failure naming FILE:LINE, never a pass).
function M.sla(path, batch)
  local sla = optional("annovet.sla")
  if sla and sla.check then
    local r, err = sla.check(path, batch)
    if not r then return nil, err end
    r.engine = "annovet.sla"
    return r
  end
  local p, err = policy.load(path, {clauses = "table", contract = "string?"})
  if not p then return nil, err end
  local out = {engine = "policy.lua (the SLA module, annovet.sla, is not in this build)",
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
