-- Inter-annotator agreement for Lua: reliability data from tables or CSV, and one
-- function per coefficient. The arithmetic is C (host/agreement.c); this file
-- only checks names and passes options through.
local c = require "annovet.c.agree"

local M = {}

M.metrics = {
  "percent_agreement", "cohen_kappa", "light_kappa", "scott_pi", "fleiss_kappa",
  "krippendorff_alpha", "gwet_ac1", "brennan_prediger",
}
M.levels = {"nominal", "ordinal", "interval", "ratio", "jaccard", "masi"}
M.weights = {"none", "linear", "quadratic"}

local is_metric = {}
for _, m in ipairs(M.metrics) do is_metric[m] = true end

-- interval needs numbers, ratio non-negative numbers
local function numbers_for(level)
  return (level == "ratio" and 2) or (level == "interval" and 1) or 0
end

local function copy(t)
  local r = {}
  for k, v in pairs(t or {}) do r[k] = v end
  return r
end

local function build_opts(opts)
  return {
    multi_label = opts.multi_label,
    categories = opts.categories,
    numbers = numbers_for(opts.level),
  }
end

-- Reliability data from Lua tables, built once for several coefficients:
--   {ratings = {{unit, rater, value}, ...}}   (or {unit=, rater=, value=} entries)
--   {units = {{rater_a = value, rater_b = value}, ...}}   (a unit is its position)
-- A missing rating is absent (or nil). Values are labels (strings) or numbers;
-- with opts.multi_label a value is a list of labels (a set; {} is the empty set).
-- opts: multi_label, categories (the category set and its order), level (numbers
-- are checked for interval and ratio). Returns the data, or nil and a message.
function M.data(tbl, opts)
  opts = opts or {}
  return c.table(tbl, build_opts(opts))
end

-- Reliability data from a CSV file: long form with unit, rater and value columns
-- (opts.unit, opts.rater, opts.value rename them), or opts.wide: one row per
-- unit, one column per rater (a `unit` column, if any, names the unit), empty
-- cells missing. opts.multi_label: long form rows add labels to the rater's set
-- (an empty value is the empty set); wide cells hold labels separated by opts.sep
-- (default "|"). Returns the data, or nil and a message.
function M.read_csv(path, opts)
  opts = opts or {}
  local o = build_opts(opts)
  o.wide, o.unit, o.rater, o.value, o.sep = opts.wide, opts.unit, opts.rater, opts.value, opts.sep
  return c.csv(path, o)
end

-- Computes opts.metric on data (reliability data, or tables as for M.data).
-- opts: level (alpha), weights ("none", "linear", "quadratic" or a q x q matrix
-- of agreement weights in category order), categories, multi_label, se (analytic
-- standard error), ci (bootstrap resamples), seed, ci_level, per_category.
-- Returns {metric, level | weights, value, undefined, units, raters, pairable,
-- pa, pe, se, ci, per_category, per_category_undefined, per_category_order}:
-- value is nil and undefined holds the reason when the coefficient is undefined.
-- Returns nil and a message when the options do not suit the data.
function M.compute(data, opts)
  opts = copy(opts)
  if not is_metric[opts.metric] then
    error("unknown metric '" .. tostring(opts.metric) .. "' (one of " .. table.concat(M.metrics, ", ") .. ")", 2)
  end
  if type(data) == "table" then
    local d, err = M.data(data, opts)
    if not d then return nil, err end
    data = d
  end
  return c.compute(data, opts)
end

-- annovet.agree.<metric>(data, opts): the same as compute with that metric.
for _, name in ipairs(M.metrics) do
  M[name] = function(data, opts)
    opts = copy(opts)
    opts.metric = name
    return M.compute(data, opts)
  end
end

return M
