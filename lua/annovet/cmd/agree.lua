-- annovet agree: inter-annotator agreement of a CSV of ratings.
local annovet = require "annovet"
local args = require "annovet.args"
local compare = require "annovet.compare"
local output = require "annovet.output"

local agree, json = annovet.agree, annovet.json

local USAGE = "annovet agree FILE.csv --metric NAME [--level L] [--weights W] [--categories A,B,C] " ..
  "[--ci N --seed S] [--per-category] [--wide] [--multi-label] [--format json|csv|table]\n" ..
  "       annovet agree DATASET --from-annotations --metric NAME [--iou T] [--iou-type T] " ..
  "[--unmatched none|missing] [--raters item|all] [--level iou] ..."

local MAX_RESAMPLES = 10000000         -- the most the engine draws (annovet.agree.compute)
local MAX_SEED = 4611686018427387903   -- 2^62 - 1

local function null(v)
  if v == nil then return json.null end
  return v
end

-- The JSON shape the issue fixes: every key present, null where nothing applies.
local function shape(r, opts)
  local out = {
    metric = r.metric,
    value = null(r.value),
    units = r.units,
    raters = r.raters,
    pairable = r.pairable,
    se = null(r.se),
    undefined = null(r.undefined),
    warnings = json.array(r.warnings or {}),
    ci = json.null,
    per_category = json.null,
  }
  if r.level then out.level = r.level else out.weights = r.weights end
  if r.ci then
    out.ci = {low = null(r.ci.low), high = null(r.ci.high), level = r.ci.level,
      method = r.ci.method, resamples = r.ci.resamples, seed = r.ci.seed}
  end
  if r.per_category then
    local pc = {}
    for _, name in ipairs(r.per_category_order) do pc[name] = null(r.per_category[name]) end
    out.per_category = pc
  end
  return out
end

local function num(v)
  if v == nil then return "" end
  return json.encode(v)
end

-- One CSV cell: text that a spreadsheet would run as a formula gets a quote first.
local function cell(v)
  if type(v) == "number" then return num(v) end
  local s = tostring(v or "")
  if s:match("^[=+%-@]") then s = "'" .. s end
  if s:find('[,"\r\n]') then s = '"' .. s:gsub('"', '""') .. '"' end
  return s
end

local function csv_text(r)
  local lines = {"metric,level,weights,category,value,se,ci_low,ci_high,units,raters,pairable,undefined"}
  local function row(category, value, se, low, high, why)
    local t = table.pack(r.metric, r.level or "", r.weights or "", category, value, se, low, high,
      r.units, r.raters, r.pairable, why or "")
    for i = 1, t.n do t[i] = cell(t[i]) end
    lines[#lines + 1] = table.concat(t, ",", 1, t.n)
  end
  row("", r.value, r.se, r.ci and r.ci.low, r.ci and r.ci.high, r.undefined)
  for _, name in ipairs(r.per_category_order or {}) do
    row(name, r.per_category[name], nil, nil, nil, r.per_category_undefined[name])
  end
  return table.concat(lines, "\n")
end

local function fmt(v)
  if v == nil then return "-" end
  return string.format("%.6g", v)
end

local function table_text(r)
  local out = {}
  local what = r.metric .. (r.level and (" (" .. r.level .. ")") or (r.weights ~= "none" and (" (" .. r.weights .. " weights)") or ""))
  out[#out + 1] = string.format("%-16s %s", "metric", what)
  out[#out + 1] = string.format("%-16s %s", "value", r.value and fmt(r.value) or ("undefined: " .. r.undefined))
  out[#out + 1] = string.format("%-16s %s", "standard error", fmt(r.se))
  if r.ci then
    out[#out + 1] = string.format("%-16s [%s, %s] (%g%% percentile, %d resamples, seed %d)", "interval",
      fmt(r.ci.low), fmt(r.ci.high), r.ci.level * 100, r.ci.resamples, r.ci.seed)
  end
  out[#out + 1] = string.format("%-16s %d units, %d raters, %d pairable values", "data", r.units, r.raters, r.pairable)
  if r.per_category then
    out[#out + 1] = "per category:"
    local width = 8
    for _, name in ipairs(r.per_category_order) do width = math.max(width, #name) end
    for _, name in ipairs(r.per_category_order) do
      local v = r.per_category[name]
      out[#out + 1] = string.format("  %-" .. width .. "s  %s", name,
        v and fmt(v) or ("undefined: " .. r.per_category_undefined[name]))
    end
  end
  return table.concat(out, "\n")
end

-- Prints r as --format asks.
local function write(format, r)
  output.write(format, {json = shape(r), csv = function() return csv_text(r) end,
    table = function() return table_text(r) end})
end

-- The options' own checks, before any file is read: returns level, weights, ci,
-- seed, ci_level and the category list.
local function check_options(opts, cli)
  if not opts.metric then cli.usage_error("agree needs --metric NAME (one of " .. table.concat(agree.metrics, ", ") .. ")", {usage = USAGE}) end
  local known = false
  for _, m in ipairs(agree.metrics) do known = known or m == opts.metric end
  if not known then cli.fail("--metric: unknown metric '" .. opts.metric .. "' (one of " .. table.concat(agree.metrics, ", ") .. ")") end
  local level = opts.level
  if not opts.from_annotations then
    for _, f in ipairs {"iou", "iou_type", "unmatched", "raters"} do
      if opts[f] then cli.fail("--" .. f:gsub("_", "-") .. " goes with --from-annotations") end
    end
  end
  if level == "iou" then
    if not opts.from_annotations or opts.metric ~= "krippendorff_alpha" then
      cli.fail("--level iou is krippendorff_alpha over shapes: it needs --from-annotations")
    end
  elseif level then
    local ok = false
    for _, l in ipairs(agree.levels) do ok = ok or l == level end
    if not ok then cli.fail("--level: expected one of " .. table.concat(agree.levels, ", ") .. ", got '" .. level .. "'") end
    if opts.metric ~= "krippendorff_alpha" and level ~= "nominal" then
      cli.fail("--level applies to krippendorff_alpha only (" .. opts.metric .. " takes --weights)")
    end
  end
  local weights = opts.weights
  if opts.metric == "krippendorff_alpha" and weights and weights ~= "none" then
    cli.fail("krippendorff_alpha takes --level, not --weights")
  end
  local ci_level
  if opts.seed and not opts.ci then cli.fail("--seed goes with --ci N") end
  if opts.ci_level then
    ci_level = tonumber(opts.ci_level)
    if not ci_level or ci_level <= 0 or ci_level >= 1 then
      cli.fail("--ci-level: expected a number between 0 and 1, got '" .. opts.ci_level .. "'")
    end
  end
  local categories = opts.categories and cli.check(args.split_list(opts.categories, "--categories"))
  return level, weights, ci_level, categories
end

-- Reliability data from a dataset's annotators (--from-annotations); nil when
-- --level iou has already written its result.
local function annotations_data(file, opts, level, categories, cli)
  for _, f in ipairs {"wide", "multi_label", "unit", "rater", "value"} do
    if opts[f] then cli.fail("--" .. f:gsub("_", "-") .. " is for CSV input, not --from-annotations") end
  end
  local so = {iou_type = opts.iou_type, unmatched = opts.unmatched or "none", raters = opts.raters or "item",
    categories = categories}
  if opts.iou then
    so.iou = tonumber(opts.iou)
    if not so.iou or not (so.iou > 0 and so.iou <= 1) then cli.fail("--iou: expected a number in (0, 1], got '" .. opts.iou .. "'") end
  end
  local ds = cli.check(annovet.load(file))
  local tags = agree.shape_type(ds, so) == "tag"
  if tags then
    if level == "iou" then
      cli.fail("--level iou compares shapes by IoU; tags have none: --level masi or jaccard compares tag sets")
    end
    if opts.iou then cli.fail("--iou does not apply to tags: an item's tags are compared as a set") end
    so.label_sets = level == "masi" or level == "jaccard"
  end
  if level == "iou" then
    if opts.ci or opts.per_category or categories then
      cli.fail("--level iou takes no --ci, --per-category or --categories")
    end
    write(opts.format, cli.check(agree.alpha_iou(ds, so)))
    return nil
  end
  local data, dinfo, option = agree.from_annotations(ds, so)
  data = cli.check(data, dinfo, option)
  if not dinfo.tags then
    cli.progress(string.format("agree: %d clusters of %s shapes", dinfo.clusters, dinfo.iou_type))
  elseif dinfo.multi_tag == 0 then
    cli.progress(string.format("agree: tags on %d items, at most one per annotator and item", dinfo.units))
  else
    cli.progress(string.format("agree: tags on %d items as label sets (%d annotator-items with several tags)",
      dinfo.units, dinfo.multi_tag))
    local sets = opts.metric == "krippendorff_alpha" and level and level ~= "ordinal"
    if not sets and not opts.per_category then
      local x = dinfo.example
      local alpha = opts.metric == "krippendorff_alpha"
      cli.fail(string.format("%s: item '%s': annotator '%s' gave %d tags (%s): %s compares one label per " ..
        "rater; use --metric krippendorff_alpha --level masi|jaccard for the tag sets%s, or --per-category " ..
        "for agreement per tag", file, x.item, x.annotator, #x.tags, table.concat(x.tags, ", "),
        alpha and "krippendorff_alpha at the nominal level" or opts.metric,
        alpha and " (--level nominal: exact sets)" or ""))
    end
  end
  return data
end

return {
  summary = "inter-annotator agreement (kappa, alpha, AC1, ...) of a CSV of ratings or of annotators' shapes",
  usage = USAGE,
  help = [[
FILE is CSV with a header. Long form (default): columns unit, rater, value (extra
columns ignored; a missing rating is absent, an empty value is missing). --wide:
one row per unit, one column per rater (a column named unit, if any, names the
unit), empty cells missing. Values are category labels, or numbers for the
interval and ratio levels.

Metrics: percent_agreement, cohen_kappa (two raters), scott_pi (two raters),
light_kappa (mean pairwise Cohen), fleiss_kappa (Gwet's generalisation for
unequal numbers of ratings), krippendorff_alpha (--level nominal, ordinal,
interval, ratio; jaccard or masi for label sets), gwet_ac1 (AC2 with weights),
brennan_prediger.

--categories fixes the category set and its order: weights and the ordinal
level go by position, and chance agreement counts unused categories (AC1,
Brennan-Prediger). Without it: the observed values, sorted (numerically when
all are numbers).

--multi-label: long-form rows with the same unit and rater make a label set
(an empty value is the empty set); wide cells hold labels separated by |.
--per-category then gives per-label binary agreement.

Output (JSON): metric, level or weights, value, units, raters, pairable (values
in pairable units), se (analytic, where the literature gives one), ci (percentile
bootstrap over units: low, high, level, method, resamples, seed), per_category
(one category against the rest), undefined (the reason, when value is null),
warnings (where the value rests on little: a single pairable unit, or AC1 and
Brennan-Prediger with one category used; each also printed on stderr).

--from-annotations: FILE is a dataset (any format annovet reads) where several
annotators drew on the same items. Per item their shapes (--iou-type, default
as for compare) are clustered: annotators in order, each one's shapes matched
one-to-one (optimal, class-agnostic) to the item's clusters so far at --iou
(default 0.5) by the mean IoU with the cluster's members; the rest start new
clusters. Each cluster is a unit and each annotator's class in it a rating; an
annotator who annotated the item but drew nothing in a cluster rates it
"(none)" (--unmatched none, the default) or is missing (--unmatched missing).
--raters all treats every annotator as having seen every item. Any metric then
applies to these labels; --metric krippendorff_alpha --level iou instead
computes alpha with distance 1 - IoU (OKS for keypoints) over the clustered
shapes: clusters with two or more shapes are the units, chance disagreement
pairs every such shape with every other (no bootstrap). Tags are not matched:
per item and annotator the set of tags is one rating ("(none)" or the empty set
for an annotator who saw the item and tagged nothing); with several tags per
annotator, use --level masi|jaccard (alpha over the sets) or --per-category.]],
  options = {
    {name = "--metric", arg = "NAME", help = "the coefficient (see above)"},
    {name = "--level", arg = "L", help = "alpha: nominal (default), ordinal, interval, ratio, jaccard, masi"},
    {name = "--weights", arg = "W", choices = agree.weights, hint = "a custom matrix is for Lua: annovet.agree",
      help = "none (default), linear or quadratic (by category position)"},
    {name = "--categories", arg = "A,B,C", help = "the category set and order"},
    {name = "--ci", arg = "N", integer = true, min = 1, max = MAX_RESAMPLES, help = "bootstrap N resamples of units (1 to 10000000) for a confidence interval"},
    {name = "--seed", arg = "S", integer = true, min = 0, max = MAX_SEED, help = "the bootstrap's seed, 0 to 2^62-1 (default 1): same seed, same interval"},
    {name = "--ci-level", arg = "P", help = "interval coverage (default 0.95)"},
    {name = "--per-category", help = "agreement of each category against the rest"},
    {name = "--wide", help = "one row per unit, one column per rater"},
    {name = "--multi-label", help = "ratings are label sets (tags)"},
    {name = "--unit", arg = "COL", help = "long form: the unit column (default unit)"},
    {name = "--rater", arg = "COL", help = "long form: the rater column (default rater)"},
    {name = "--value", arg = "COL", help = "long form: the value column (default value)"},
    output.option({"json", "csv", "table"}, "json (default), csv or table"),
    {name = "--from-annotations", help = "FILE is a dataset: agreement of its annotators' shapes"},
    {name = "--iou", arg = "T", help = "with --from-annotations: match threshold (default 0.5)"},
    {name = "--iou-type", arg = "T", choices = compare.types, help = "with --from-annotations: the shape compared (bbox, segm, ...)"},
    {name = "--unmatched", arg = "U", choices = {"none", "missing"}, help = "with --from-annotations: none (default) or missing"},
    {name = "--raters", arg = "R", choices = {"item", "all"}, help = "with --from-annotations: item (default) or all"},
  },
  positional = {min = 1, max = 1, missing = "agree needs a FILE.csv"},
  run = function(opts, pos, cli)
    local file = pos[1]
    local level, weights, ci_level, categories = check_options(opts, cli)
    local rater_col = opts.rater or "rater"
    local data
    if opts.from_annotations then
      data = annotations_data(file, opts, level, categories, cli)
      if not data then return 0 end
    else
      data = cli.check(agree.read_csv(file, {
        wide = opts.wide, multi_label = opts.multi_label, categories = categories, level = level,
        unit = opts.unit, rater = rater_col, value = opts.value,
      }))
    end
    local info = data:info()
    if info.raters < 2 then
      if info.raters == 0 then cli.fail(file .. ": no ratings: every value is empty") end
      cli.fail(string.format("%s: %s: one rater ('%s'); %s needs at least two", file,
        opts.from_annotations and "annotators" or opts.wide and "header" or ("column '" .. rater_col .. "'"),
        info.rater_names[1], opts.metric))
    end
    local r, err, option = agree.compute(data, {
      metric = opts.metric, level = level, weights = weights, se = true,
      ci = opts.ci, seed = opts.seed, ci_level = ci_level, per_category = opts.per_category,
    })
    if not r then cli.fail(file .. ": " .. cli.flagged(err, option)) end
    for _, w in ipairs(r.warnings) do cli.warn(w) end
    if r.ci and r.ci.undefined > 0 then
      cli.warn(string.format("%d of %d resamples gave no value and are left out of the interval",
        r.ci.undefined, r.ci.resamples))
    end
    write(opts.format, r)
    return 0
  end,
}
