-- Inter-annotator agreement for Lua: reliability data from tables or CSV, and one
-- function per coefficient. The arithmetic is C (host/agreement.c); this file
-- only checks names and passes options through.
local c = require "annovet.c.agree"
local ccompare = require "annovet.c.compare"

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
-- Returns {metric, level | weights, value, undefined, warnings, units, raters,
-- pairable, pa, pe, se, ci, per_category, per_category_undefined,
-- per_category_order}: value is nil and undefined holds the reason when the
-- coefficient is undefined; warnings lists why a value rests on little (a single
-- pairable unit; AC1 or Brennan-Prediger with one category used), {} otherwise.
-- Returns nil and a message when the options do not suit the data.
function M.compute(data, opts)
  opts = copy(opts)
  if not is_metric[opts.metric] then
    error("unknown metric '" .. tostring(opts.metric) .. "' (one of " .. table.concat(M.metrics, ", ") .. ")", 2)
  end
  if type(data) == "table" then
    local d, err, option = M.data(data, opts)
    if not d then return nil, err, option end
    data = d
  end
  return c.compute(data, opts)
end

-- ---- agreement over annotations (boxes, polygons, keypoints, ...) ----

M.NONE = "(none)"

-- The C options of the spatial clustering from the Lua ones.
local function cluster_opts(ds, opts)
  local compare = require "annovet.compare"
  local t = opts.iou_type or compare.default_type(ds, {})
  local chamfer = t == "polyline" and opts.chamfer
  return {type = t, iou = chamfer or opts.iou or 0.5, chamfer = chamfer and true or nil, matcher = opts.matcher,
    line_width = opts.line_width, chamfer_step = opts.chamfer_step, sigmas = opts.sigmas}
end

-- Tags are labels on the item, not shapes: per item and annotator, the set of
-- tags (the annotations of type tag) is one rating. When every annotator gave at
-- most one tag per item the data are single-label (a tag, or "(none)"),
-- otherwise label sets (multi_label). An annotator who saw the item (raters
-- "item": annotated it; "all": everyone) but tagged nothing rates it "(none)" or
-- the empty set (unmatched "none"), or not at all ("missing").
local function from_tags(ds, opts, unmatched, raters)
  local sets, seen, everyone, names = {}, {}, {}, {}
  local no_annotator, multi, example = 0, 0, nil
  for a in ds:annotations() do
    local who = a.annotator
    if not who then
      if a.type == "tag" then no_annotator = no_annotator + 1 end
    else
      if not everyone[who] then
        everyone[who] = true
        names[#names + 1] = who
      end
      local k = seen[a.item] or {}
      seen[a.item] = k
      k[who] = true
      if a.type == "tag" and a.category then
        local per = sets[a.item] or {}
        sets[a.item] = per
        local set = per[who] or {}
        per[who] = set
        set[a.category] = true
      end
    end
  end
  table.sort(names)
  local lists = {}   -- item -> annotator -> sorted list of tags
  for item, per in pairs(sets) do
    lists[item] = {}
    for who, set in pairs(per) do
      local l = {}
      for t in pairs(set) do l[#l + 1] = t end
      table.sort(l)
      lists[item][who] = l
    end
  end
  local ratings, units = {}, 0
  for it in ds:items() do
    local id = it.id
    local who_saw = names
    if raters == "item" then
      who_saw = {}
      for who in pairs(seen[id] or {}) do who_saw[#who_saw + 1] = who end
      table.sort(who_saw)
    end
    local unit = it.file ~= "" and it.file or ("#" .. id)
    local rated = false
    for _, who in ipairs(who_saw) do
      local l = lists[id] and lists[id][who]
      if l or unmatched == "none" then
        l = l or {}
        if #l > 1 then
          multi = multi + 1
          example = example or {item = unit, annotator = who, tags = l}
        end
        ratings[#ratings + 1] = {unit, who, l}
        rated = true
      end
    end
    if rated then units = units + 1 end
  end
  local multi_label = multi > 0 or opts.label_sets
  if not multi_label then
    for _, r in ipairs(ratings) do r[3] = r[3][1] or M.NONE end
  end
  local data, err, option = c.table({ratings = ratings}, {categories = opts.categories, multi_label = multi_label})
  if not data then return nil, err, option end
  return data, {tags = true, iou_type = "tag", clusters = units, units = units, left_out = 0,
    no_annotator = no_annotator, multi_tag = multi, example = example}
end

-- The shape type agreement over annotations compares (opts.iou_type, else as
-- compare chooses): "tag" for tags.
function M.shape_type(ds, opts)
  return cluster_opts(ds, opts or {}).type
end

-- Reliability data from several annotators' annotations of the same items: per
-- item, the annotators' shapes are matched one-to-one across annotators (in
-- annotator order, each matched optimally to the clusters so far at the
-- threshold, class-agnostic); each cluster is a unit, each annotator's class in
-- it a rating. An annotator who annotated the item but has no shape in a cluster
-- rates it "(none)" (opts.unmatched = "none", the default) or not at all
-- ("missing"). opts.raters = "all" counts every annotator of the dataset as
-- having seen every item (default "item": those with an annotation on it).
-- opts: iou_type (default as compare), iou (0.5), matcher, chamfer, line_width,
-- sigmas, unmatched, raters, categories (the label set and order, "(none)"
-- included when used). Tags (iou_type "tag") are not matched: see from_tags
-- above; info.tags is then true, info.multi_tag counts the (item, annotator)
-- pairs with several tags (the data are then label sets) and info.example names
-- the first; opts.label_sets makes label sets of single tags too. Returns data (for M.compute), info {clusters, units, left_out,
-- no_annotator, iou_type}; or nil and a message.
function M.from_annotations(ds, opts)
  opts = opts or {}
  local unmatched, raters = opts.unmatched or "none", opts.raters or "item"
  if unmatched ~= "none" and unmatched ~= "missing" then
    error("unmatched must be 'none' or 'missing', not '" .. tostring(unmatched) .. "'", 2)
  end
  if raters ~= "item" and raters ~= "all" then error("raters must be 'item' or 'all', not '" .. tostring(raters) .. "'", 2) end
  local co = cluster_opts(ds, opts)
  if co.type == "tag" then return from_tags(ds, opts, unmatched, raters) end
  local cl, err = ccompare.clusters(ds, co)
  if not cl then return nil, err end
  local ratings, members, seen, item_file = {}, {}, {}, {}
  local all = {}
  for a in ds:annotations() do
    local who = a.annotator
    if who then
      all[who] = true
      local k = seen[a.item] or {}
      seen[a.item] = k
      k[who] = true
      item_file[a.item] = a.file ~= "" and a.file or ("#" .. a.item)
    end
    local u = cl.cluster[a.index]
    if u then
      local m = members[u] or {}
      members[u] = m
      m[who] = true
      ratings[#ratings + 1] = {u, who, a.category}
    end
  end
  local items = {}
  for it in ds:items() do items[it.index] = it.id end
  if unmatched == "none" then
    local everyone = {}
    for who in pairs(all) do everyone[#everyone + 1] = who end
    table.sort(everyone)
    for u = 1, cl.n do
      local id = items[cl.item[u]]
      local who_saw = raters == "all" and everyone or {}
      if raters == "item" then
        for who in pairs(seen[id] or {}) do who_saw[#who_saw + 1] = who end
        table.sort(who_saw)
      end
      for _, who in ipairs(who_saw) do
        if not members[u][who] then ratings[#ratings + 1] = {u, who, M.NONE} end
      end
    end
  end
  for _, r in ipairs(ratings) do
    local id = items[cl.item[r[1]]]
    r[1] = string.format("%s#%d", item_file[id] or ("#" .. id), r[1])
  end
  local data, derr, option = c.table({ratings = ratings}, {categories = opts.categories})
  if not data then return nil, derr, option end
  return data, {clusters = cl.n, left_out = cl.left_out, no_annotator = cl.no_annotator, iou_type = co.type}
end

-- Krippendorff's alpha with distance 1 - IoU (OKS, 1 / (1 + Chamfer distance))
-- over the shapes clustered as in M.from_annotations: clusters with shapes of two
-- or more annotators are the pairable units; chance disagreement pairs every
-- pairable shape with every other, across items. Returns {metric, level = "iou",
-- value | undefined, units, pairable, d_o, d_e, clusters, iou_type}, or nil and a
-- message.
function M.alpha_iou(ds, opts)
  opts = opts or {}
  local co = cluster_opts(ds, opts)
  if co.type == "tag" then
    return nil, "tags have no shape to compare with IoU: alpha over tag sets is --level masi or jaccard"
  end
  co.alpha = true
  local cl, err = ccompare.clusters(ds, co)
  if not cl then return nil, err end
  local a = cl.alpha
  local raters = {}
  for x in ds:annotations() do
    if x.annotator and cl.cluster[x.index] then raters[x.annotator] = true end
  end
  local nr = 0
  for _ in pairs(raters) do nr = nr + 1 end
  return {metric = "krippendorff_alpha", level = "iou", value = a.value, undefined = a.undefined,
    units = a.units, raters = nr, pairable = a.pairable, d_o = a.d_o, d_e = a.d_e, clusters = cl.n,
    iou_type = co.type}
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
