-- Scoring vendors against the gold panel: the C core (host/compare*.c) matches
-- and finds the conflicts; this file composes what buyers read: per-class
-- precision, recall and F1, micro and macro averages, the confusion matrix,
-- disagreement clusters and per-annotator calibration.
local c = require "annovet.c.compare"
local json = require "annovet.c.json"
require "annovet.dataset"   -- the Dataset metatable and methods c.load's datasets get

local M = {}

M.types = {"bbox", "segm", "keypoints", "rbox", "polyline", "cuboid", "text", "tag", "semantic"}
M.kinds = {"missing", "extra", "wrong_class", "low_overlap", "duplicate", "wrong_attribute",
  "wrong_keypoint_visibility", "wrong_text"}
M.UNATTRIBUTED = "(unattributed)"
M.MISSED, M.EXTRA = "(missed)", "(extra)"

local is_type = {}
for _, t in ipairs(M.types) do is_type[t] = true end

-- What the similarity of matches is, by iou type and options.
local function similarity_name(opts)
  if opts.iou_type == "keypoints" then return "oks" end
  if opts.iou_type == "polyline" and opts.chamfer then return "chamfer distance" end
  if opts.iou_type == "tag" then return "same item" end
  if opts.iou_type == "semantic" then return "pixel iou" end
  return "iou"
end

-- The key of the mean similarity of matches under sim: mean_distance, or nil
-- for tags (matched by class on the same item: no overlap to average), else mean_iou.
local function mean_key(sim)
  if sim == "chamfer distance" then return "mean_distance" end
  if sim == "same item" then return nil end
  return "mean_iou"
end

-- The iou type compared when none is asked for, by cocoeval's names: segm
-- where the gold and every vendor have segmentations of their own (polygons or
-- masks, a keypoint set's segmentation included), else keypoints where all have
-- keypoints, else bbox where all have shapes with a box, else tag where all
-- have tags.
-- Semantic masks (PNG label images) on every side, with at least one vendor,
-- are compared pixel by pixel (semantic).
function M.default_type(gold, vendors)
  local labels = #vendors > 0 and gold:format() == "pngmask"
  for _, v in ipairs(vendors) do labels = labels and v:format() == "pngmask" end
  if labels then return "semantic" end
  local sets = {c.shape_counts(gold)}
  for _, v in ipairs(vendors) do sets[#sets + 1] = c.shape_counts(v) end
  local function all_have(t)
    for _, s in ipairs(sets) do
      if not s[t] then return false end
    end
    return true
  end
  for _, t in ipairs {"segm", "keypoints", "bbox", "tag"} do
    if all_have(t) then return t end
  end
  return "bbox"
end

-- Options for the C core from the Lua options (see M.compare).
local function core_opts(opts)
  local chamfer = opts.iou_type == "polyline" and opts.chamfer
  return {
    type = opts.iou_type or "bbox",
    iou = chamfer or opts.iou or 0.5,
    iou_by_class = opts.iou_by_class,
    chamfer = chamfer and true or nil,
    low = opts.low,
    matcher = opts.matcher,
    line_width = opts.line_width,
    chamfer_step = opts.chamfer_step,
    sigmas = opts.sigmas,
    map = opts.map,
    attributes = opts.attributes,
    count_missing = opts.count_missing_items ~= false and not opts.skip_missing_items,
    threads = opts.threads,
  }
end

-- Prepares the gold panel once for several vendors: prepared | nil, message.
function M.prepare(gold, opts)
  opts = opts or {}
  if opts.iou_type and not is_type[opts.iou_type] then
    error("unknown iou_type '" .. tostring(opts.iou_type) .. "' (one of " .. table.concat(M.types, ", ") .. ")", 2)
  end
  return c.gold(gold, core_opts(opts))
end

-- Semantic scores of pixel counts: precision, recall and F1 over pixels, the
-- class's IoU (intersection over union of its pixels, pooled over items); gold
-- and vendor are its pixels on each side.
local function pixel_scores(s)
  local tp, fp, fn = s.tp, s.fp, s.fn
  local out = {tp = tp, fp = fp, fn = fn, gold = tp + fn, vendor = tp + fp}
  local why = {}
  if tp + fp > 0 then out.precision = tp / (tp + fp) else why.precision = "no vendor pixels" end
  if tp + fn > 0 then out.recall = tp / (tp + fn) else why.recall = "no gold pixels" end
  if tp + fp + fn > 0 then
    out.f1 = 2 * tp / (2 * tp + fp + fn)
    out.iou = tp / (tp + fp + fn)
  else
    why.f1, why.iou = "no pixels", "no pixels"
  end
  out.mean_iou = out.iou
  why.mean_iou = why.iou
  if next(why) then out.undefined = why end
  return out
end

-- Scores of one set of counts: every key present in the JSON, null with a reason
-- in `undefined` where a ratio has no denominator (never NaN).
local function scores(s, sim)
  if sim == "pixel iou" then return pixel_scores(s) end
  local tp, fp, fn = s.tp, s.fp, s.fn
  local out = {tp = tp, fp = fp, fn = fn, ignored = s.ignored or 0}
  local why = {}
  if tp + fp > 0 then out.precision = tp / (tp + fp) else why.precision = "no vendor annotations" end
  if tp + fn > 0 then out.recall = tp / (tp + fn) else why.recall = "no gold annotations" end
  if tp + fp + fn > 0 then out.f1 = 2 * tp / (2 * tp + fp + fn) else why.f1 = "no annotations" end
  local mean = tp > 0 and s.sum_sim / tp or nil
  if sim == "chamfer distance" then
    out.mean_distance = mean
    why.mean_iou = "polylines compared by Chamfer distance (see mean_distance)"
    if not mean then why.mean_distance = "no matches" end
  elseif sim == "same item" then   -- tags: no mean IoU at all
  else
    out.mean_iou = mean
    if not mean then why.mean_iou = "no matches" end
  end
  if (s.chars or 0) > 0 then out.cer = s.char_edits / s.chars end
  if (s.words or 0) > 0 then out.wer = s.word_edits / s.words end
  if next(why) then out.undefined = why end
  return out
end

local function add_counts(acc, s)
  for _, k in ipairs {"tp", "fp", "fn", "ignored", "sum_sim", "char_edits", "chars", "word_edits", "words"} do
    acc[k] = (acc[k] or 0) + (s[k] or 0)
  end
end

-- Micro (pooled counts) and macro (mean over classes with gold or vendor
-- instances, each ratio over the classes where it is defined) averages.
local function averages(per_class, order, sim)
  local pooled = {tp = 0, fp = 0, fn = 0, ignored = 0, sum_sim = 0}
  local sums, counts, n = {}, {}, 0
  local keys = {"precision", "recall", "f1", mean_key(sim)}
  if sim == "pixel iou" then keys[#keys + 1] = "iou" end
  for _, name in ipairs(order) do
    local s = per_class[name]
    if s.gold > 0 or s.vendor > 0 then
      n = n + 1
      add_counts(pooled, s.counts)
      for _, k in ipairs(keys) do
        if s[k] then
          sums[k] = (sums[k] or 0) + s[k]
          counts[k] = (counts[k] or 0) + 1
        end
      end
    end
  end
  local macro = {classes = n}
  local why = {}
  for _, k in ipairs(keys) do
    if counts[k] then
      macro[k] = sums[k] / counts[k]
      if counts[k] < n then
        why[k] = string.format("averaged over the %d of %d classes where it is defined", counts[k], n)
      end
    else
      why[k] = n == 0 and "no class has annotations" or "defined for no class"
    end
  end
  if next(why) then macro.undefined = why end
  return scores(pooled, sim), macro
end

-- Per-class tables from the C counts: name -> scores (+ gold, vendor counts).
local function per_class_tables(classes, sim)
  local per_class, order = {}, {}
  for _, k in ipairs(classes) do
    local s = scores(k, sim)
    if sim ~= "pixel iou" then s.gold, s.vendor = k.gold, k.vendor end
    s.in_gold, s.in_vendor = k.in_gold, k.in_vendor
    s.counts = k
    per_class[k.name] = s
    order[#order + 1] = k.name
  end
  return per_class, order
end

-- Ranked list of {key..., count} from a table key -> count (ties by key).
local function ranked(counts, make)
  local list = {}
  for key, n in pairs(counts) do list[#list + 1] = make(key, n) end
  table.sort(list, function(a, b)
    if a.count ~= b.count then return a.count > b.count end
    return a.key < b.key
  end)
  for i, x in ipairs(list) do x.key, x.rank = nil, i end
  return list
end

local SEP = "\0"

-- Disagreement clusters from the conflicts: class pairs (wrong class), class and
-- attribute (with the most frequent change), items and classes, each ranked.
local function clusters(conflicts)
  local pairs_, attrs, changes, items, item_kinds, classes, class_kinds = {}, {}, {}, {}, {}, {}, {}
  for _, cf in ipairs(conflicts) do
    if cf.kind == "wrong_class" then
      local k = cf.gold_class .. SEP .. cf.vendor_class
      pairs_[k] = (pairs_[k] or 0) + 1
    elseif cf.kind == "wrong_attribute" then
      local k = cf.gold_class .. SEP .. cf.attribute
      attrs[k] = (attrs[k] or 0) + 1
      local ch = changes[k] or {}
      changes[k] = ch
      local v = tostring(cf.gold_value) .. " -> " .. tostring(cf.vendor_value)
      ch[v] = (ch[v] or 0) + 1
    end
    items[cf.item] = (items[cf.item] or 0) + 1
    local ik = item_kinds[cf.item] or {}
    item_kinds[cf.item] = ik
    ik[cf.kind] = (ik[cf.kind] or 0) + 1
    local cls = cf.gold_class or cf.vendor_class
    classes[cls] = (classes[cls] or 0) + 1
    local ck = class_kinds[cls] or {}
    class_kinds[cls] = ck
    ck[cf.kind] = (ck[cf.kind] or 0) + 1
  end
  return {
    class_pairs = ranked(pairs_, function(k, n)
      local g, v = k:match("^(.-)%z(.*)$")
      return {key = k, gold = g, vendor = v, count = n}
    end),
    attributes = ranked(attrs, function(k, n)
      local cls, attr = k:match("^(.-)%z(.*)$")
      local top = ranked(changes[k], function(ch, m) return {key = ch, change = ch, count = m} end)[1]
      return {key = k, class = cls, attribute = attr, count = n, most_common = top.change}
    end),
    items = ranked(items, function(k, n) return {key = k, item = k, count = n, kinds = item_kinds[k]} end),
    classes = ranked(classes, function(k, n) return {key = k, class = k, count = n, kinds = class_kinds[k]} end),
  }
end

-- The confusion matrix and its cells. The matrix: gold class (or "(extra)": no
-- gold object) -> vendor class (or "(missed)": no vendor annotation) -> count,
-- zero cells left out; a class a vendor calls "(missed)" lands in the same cell
-- as a miss there. The cells tell them apart: {cell = "class" | "missed" |
-- "extra", gold = class or nil (extra), vendor = class or nil (missed), count},
-- by gold class then vendor class, a gold class's missed last, the extra at the end.
local function confusion_tables(add_all)
  local cells = {}
  local function add(g, v, n)
    local key = (g and "c" .. g or "x") .. "\0" .. (v and "c" .. v or "x")
    local c = cells[key]
    if not c then
      c = {cell = not g and "extra" or (not v and "missed" or "class"), gold = g, vendor = v, count = 0}
      cells[key] = c
    end
    c.count = c.count + n
  end
  add_all(add)
  local list, m = {}, {}
  for _, c in pairs(cells) do
    list[#list + 1] = c
    local g, v = c.gold or M.EXTRA, c.vendor or M.MISSED
    m[g] = m[g] or {}
    m[g][v] = (m[g][v] or 0) + c.count
  end
  table.sort(list, function(a, b)
    if (a.gold == nil) ~= (b.gold == nil) then return b.gold == nil end
    if a.gold ~= b.gold then return a.gold < b.gold end
    if (a.vendor == nil) ~= (b.vendor == nil) then return b.vendor == nil end
    return (a.vendor or "") < (b.vendor or "")
  end)
  return m, list
end

-- Objects: the matched per class, then each conflict. A low overlap pair counts
-- as missed and extra, a duplicate as extra.
local function confusion(per_class, order, conflicts)
  return confusion_tables(function(add)
    for _, name in ipairs(order) do
      local tp = per_class[name].tp
      if tp > 0 then add(name, name, tp) end
    end
    for _, cf in ipairs(conflicts) do
      local k = cf.kind
      if k == "missing" then add(cf.gold_class, nil, 1)
      elseif k == "extra" or k == "duplicate" then add(nil, cf.vendor_class, 1)
      elseif k == "wrong_class" then add(cf.gold_class, cf.vendor_class, 1)
      elseif k == "low_overlap" then
        add(cf.gold_class, nil, 1)
        add(nil, cf.vendor_class, 1)
      end
    end
  end)
end

-- Semantic: the confusion matrix of pixels and its cells (as confusion's;
-- pixels neither side labels are left out) and the pixel counts: total (outside
-- gold crowd regions), correct (the same class, or none, on both sides),
-- background (none on both), ignored, overlap_gold, overlap_vendor;
-- pixel_accuracy = correct / total.
local function pixel_tables(px)
  local total, correct, background = 0, 0, 0
  local m, list = confusion_tables(function(add)
    for _, cell in ipairs(px.cells) do
      total = total + cell.pixels
      if cell.gold == cell.vendor then correct = correct + cell.pixels end
      if not cell.gold and not cell.vendor then
        background = background + cell.pixels
      else
        add(cell.gold, cell.vendor, cell.pixels)
      end
    end
  end)
  return m, list, {total = total, correct = correct, background = background, ignored = px.ignored,
    overlap_gold = px.overlap_gold, overlap_vendor = px.overlap_vendor}
end

-- Per-annotator calibration: the same scores per vendor annotator id.
local function annotator_tables(res, order, conflicts, sim)
  local out = {}
  local kinds = {}
  for _, cf in ipairs(conflicts) do
    local k = kinds[cf.annotator] or {}
    kinds[cf.annotator] = k
    k[cf.kind] = (k[cf.kind] or 0) + 1
  end
  for _, a in ipairs(res:annotators()) do
    local pc, names = {}, {}
    for idx, s in pairs(a.classes) do
      local sc = scores(s, sim)
      sc.counts = s
      sc.gold, sc.vendor = s.tp + s.fn, s.tp + s.fp   -- semantic: pixels
      pc[order[idx]] = sc
      names[#names + 1] = order[idx]
    end
    if #names > 0 or kinds[a.name] then
      table.sort(names)
      local micro, macro = averages(pc, names, sim)
      for _, s in pairs(pc) do s.counts = nil end
      out[a.name] = {per_class = pc, micro = micro, macro = macro, conflicts = kinds[a.name] or {}}
    end
  end
  return out
end

local Result = {}
Result.__index = Result

-- res:conflicts([filter]) -> iterator over conflicts; filter {kind=, item=,
-- class=, annotator=} keeps those that match every field given.
function Result:conflicts(filter)
  local list, i = self.conflict_list, 0
  return function()
    while true do
      i = i + 1
      local cf = list[i]
      if not cf then return nil end
      if not filter or ((not filter.kind or cf.kind == filter.kind) and (not filter.item or cf.item == filter.item)
          and (not filter.class or cf.gold_class == filter.class or cf.vendor_class == filter.class)
          and (not filter.annotator or cf.annotator == filter.annotator)) then
        return cf
      end
    end
  end
end

-- res:matches() -> iterator over true positives {item, class, iou, gold_id, ...}.
function Result:matches()
  return (self.core:matches())
end

local function null(v)
  if v == nil then return json.null end
  return v
end

-- Scores as JSON values: every ratio key present (null when undefined).
local function json_scores(s, sim)
  local keys = {"precision", "recall", "f1", mean_key(sim)}
  if sim == "pixel iou" then keys[#keys + 1] = "iou" end
  local out = {}
  for k, v in pairs(s) do
    if k ~= "counts" and k ~= "in_gold" and k ~= "in_vendor" then out[k] = v end
  end
  for _, k in ipairs(keys) do out[k] = null(s[k]) end
  if sim == "chamfer distance" then out.mean_iou = json.null end
  return out
end

-- An interval as JSON: every key present (null where undefined).
function M.json_interval(x)
  return {estimate = null(x.estimate), low = null(x.low), high = null(x.high), se = null(x.se),
    undefined = x.undefined}
end

-- {precision, recall, f1} intervals as JSON.
local function json_intervals(x)
  return {precision = M.json_interval(x.precision), recall = M.json_interval(x.recall), f1 = M.json_interval(x.f1)}
end

-- Scores by size as JSON: counts, and the ratios (null where undefined).
local function size_scores(x)
  return {tp = x.tp, fp = x.fp, fn = x.fn, precision = null(x.precision), recall = null(x.recall), f1 = null(x.f1),
    undefined = x.undefined}
end

local function json_list(t)
  return json.array(t or {})
end

-- The vendor's result in the JSON shape of `annovet compare` (issue 5).
-- opts.clusters_top: how many of each cluster list (default 10; 0 for all).
function Result:to_json(opts)
  opts = opts or {}
  local top = opts.clusters_top or 10
  local sim = self.similarity
  local pc = {}
  for name, s in pairs(self.per_class) do pc[name] = json_scores(s, sim) end
  local ann = {}
  for name, a in pairs(self.annotators) do
    local apc = {}
    for cls, s in pairs(a.per_class) do apc[cls] = json_scores(s, sim) end
    ann[name] = {per_class = apc, micro = json_scores(a.micro, sim), macro = json_scores(a.macro, sim),
      conflicts = a.conflicts}
  end
  local cl = {}
  for k, list in pairs(self.clusters) do
    local cut = {}
    for i, x in ipairs(list) do
      if top > 0 and i > top then break end
      cut[i] = x
    end
    cl[k] = json_list(cut)
  end
  local items = {}
  for k, v in pairs(self.items) do items[k] = type(v) == "table" and json_list(v) or v end
  local cats = {}
  for k, v in pairs(self.categories) do cats[k] = (k == "mapped" or k == "map_unused") and v or json_list(v) end
  local semantic
  if self.pixels then
    semantic = {mean_iou = null(self.mean_iou), pixel_accuracy = null(self.pixel_accuracy), pixels = self.pixels}
    local why = {}
    if not self.mean_iou then why.mean_iou = "no class has pixels on either side" end
    if not self.pixel_accuracy then why.pixel_accuracy = "no pixels compared" end
    if next(why) then semantic.undefined = why end
  end
  local intervals, sizes
  if self.intervals then
    intervals = {micro = json_intervals(self.intervals.micro), per_class = {}}
    for cls, x in pairs(self.intervals.per_class) do intervals.per_class[cls] = json_intervals(x) end
  end
  if self.size_scores then
    sizes = {}
    for i, rg in ipairs(self.size_scores) do
      local spc = {}
      for cls, x in pairs(rg.per_class) do spc[cls] = size_scores(x) end
      sizes[i] = {name = rg.name, low = rg.low, high = null(rg.high), micro = size_scores(rg.micro), per_class = spc}
    end
    sizes = json.array(sizes)
  end
  return {
    file = self.file,
    iou_type = self.iou_type,
    intervals = intervals,
    sizes = sizes,
    similarity = sim,
    per_class = pc,
    micro = json_scores(self.micro, sim),
    macro = json_scores(self.macro, sim),
    conflicts = json_list(self.conflict_list),
    conflict_counts = self.conflict_counts,
    confusion = self.confusion,
    clusters = cl,
    annotators = ann,
    items = items,
    categories = cats,
    left_out = self.left_out,
    mean_iou = semantic and semantic.mean_iou,
    pixel_accuracy = semantic and semantic.pixel_accuracy,
    pixels = semantic and semantic.pixels,
    undefined = semantic and semantic.undefined,
  }
end

-- The result object of a C result (what c.run and c.run_all give).
local function compose(res, opts)
  local sim = similarity_name(opts)
  local chamfer = sim == "chamfer distance"
  local per_class, order = per_class_tables(res:classes(), sim)
  local list, counts = {}, {}
  local it = res:conflicts()
  for cf in it do
    if chamfer and cf.iou then cf.distance, cf.iou = cf.iou, nil end
    list[#list + 1] = cf
    counts[cf.kind] = (counts[cf.kind] or 0) + 1
  end
  local micro, macro = averages(per_class, order, sim)
  local conf, cells, pixels, pixel_accuracy
  if sim == "pixel iou" then
    conf, cells, pixels = pixel_tables(res:pixels())
    if pixels.total > 0 then pixel_accuracy = pixels.correct / pixels.total end
  end
  local self = setmetatable({
    core = res,
    file = opts.file,
    iou_type = res:type(),
    similarity = sim,
    per_class = per_class,
    class_order = order,
    micro = micro,
    macro = macro,
    conflict_list = list,
    conflict_counts = counts,
    pixels = pixels,
    pixel_accuracy = pixel_accuracy,
    mean_iou = pixels and macro.iou,
    clusters = clusters(list),
    annotators = annotator_tables(res, order, list, sim),
    items = res:items(),
    categories = res:categories(),
    left_out = res:left_out(),
  }, Result)
  if not conf then conf, cells = confusion(per_class, order, list) end
  self.confusion, self.confusion_cells = conf, cells
  return self
end

-- Scores one vendor against a prepared gold panel (M.prepare). Returns the
-- result object, or nil and a message.
function M.run(prepared, vendor, opts)
  local res, err = c.run(prepared, vendor)
  if not res then return nil, err end
  return compose(res, opts or {})
end

-- Scores several vendors at once, on opts.threads threads (default: the
-- processors, or ANNOVET_THREADS). opts.files names each one's file. Returns
-- the list of result objects, or nil and a message.
function M.run_all(prepared, vendors, opts)
  opts = opts or {}
  local list, err = c.run_all(prepared, vendors, opts.threads)
  if not list then return nil, err end
  local out = {}
  for i, res in ipairs(list) do
    local o = {}
    for k, v in pairs(opts) do o[k] = v end
    o.file = opts.files and opts.files[i]
    out[i] = compose(res, o)
  end
  return out
end

-- ---- statistics: intervals over resampled gold items, scores by size ----

M.COCO_SIZES = {0, 32 * 32, 96 * 96}
local COCO_SIZE_NAMES = {"small", "medium", "large"}

-- Scores of {tp, fp, fn} counts (precision, recall, f1; null where undefined).
local function count_scores(k)
  local out = scores({tp = k.tp, fp = k.fp, fn = k.fn, sum_sim = 0}, "iou")
  out.mean_iou, out.ignored = nil, nil
  if out.undefined then
    out.undefined.mean_iou = nil
    if not next(out.undefined) then out.undefined = nil end
  end
  return out
end

-- res:sizes([bounds]) -> {{name, low, high, per_class = {class = scores}, micro},
-- ...}: the scores per object area range, COCO's small [0, 32^2], medium
-- [32^2, 96^2] and large [96^2, inf) by default, else [bounds[1], bounds[2]],
-- ..., [bounds[n], inf); ranges closed as COCOeval's. A true positive and a miss
-- count by the gold object's area (its COCO `area` when given, else its mask's
-- or box's), a false positive by the vendor object's. nil, message on failure.
function Result:sizes(bounds)
  bounds = bounds or M.COCO_SIZES
  local coco = #bounds == 3
  for i, b in ipairs(M.COCO_SIZES) do coco = coco and bounds[i] == b end
  local ranges, err = self.core:sizes(bounds)
  if not ranges then return nil, err end
  local out = {}
  for i, rg in ipairs(ranges) do
    local pc, pooled = {}, {tp = 0, fp = 0, fn = 0}
    for _, name in ipairs(self.class_order) do
      local k = rg.classes[name]
      if k.tp + k.fp + k.fn > 0 then
        pc[name] = count_scores(k)
        for _, q in ipairs {"tp", "fp", "fn"} do pooled[q] = pooled[q] + k[q] end
      end
    end
    out[i] = {name = coco and COCO_SIZE_NAMES[i] or
      (rg.high and string.format("%g-%g", rg.low, rg.high) or string.format("%g+", rg.low)),
      low = rg.low, high = rg.high, per_class = pc, micro = count_scores(pooled)}
  end
  return out
end

-- The verdict of a difference a - b: its text, and the better one's name.
local function verdict_text(v, a, b)
  if v == 1 then return a .. " better", a end
  if v == -1 then return b .. " better", b end
  return "not distinguishable", nil
end

-- M.bootstrap(results, opts) -> boot | nil, message. results: result objects
-- scored against the same gold (M.run_all); opts: resamples (1000), seed (1),
-- level (0.95), names (each result's name; default "1", "2", ...). Resamples the
-- gold items with replacement (every item of the panel, a seeded portable
-- PRNG: the same seed gives the same intervals) and sets each result's
-- `intervals` = {micro = {precision, recall, f1}, per_class = {class = ...}},
-- each interval {estimate, low, high, se, undefined} (percentile: the
-- (1 - level) / 2 and (1 + level) / 2 quantiles of the resampled values,
-- linear between order statistics; undefined counts the resamples where the
-- ratio had no denominator, dropped). boot = {method, resamples, seed, level,
-- items, pairs}: per pair of results on the same resampled items, the interval
-- of F1(a) - F1(b), the verdict ("A better" when the interval is above 0, "B
-- better" below, else "not distinguishable"), and for an undistinguished
-- difference items_needed = ceil(n (z se / |diff|)^2), the gold items at which
-- an interval of the same spread per item would exclude 0 (nil when the two
-- F1 are equal: more items cannot tell); the same per gold class.
function M.bootstrap(results, opts)
  opts = opts or {}
  local names, cores = {}, {}
  for i, r in ipairs(results) do
    cores[i] = r.core
    names[i] = opts.names and opts.names[i] or tostring(i)
  end
  local bt, err = c.bootstrap(cores, opts.resamples or 1000, opts.seed or 1, opts.level or 0.95)
  if not bt then return nil, err end
  for i, r in ipairs(results) do r.intervals = bt.vendors[i] end
  local pairs_ = {}
  for i, p in ipairs(bt.pairs) do
    local a, b = names[p.a], names[p.b]
    local d = p.f1_diff
    local text, better = verdict_text(d.verdict, a, b)
    local note
    if better then
      note = string.format("%s: the %g%% interval of the F1 difference excludes 0 at %d gold items", text,
        100 * bt.level, bt.items)
    elseif d.items_needed then
      note = string.format("not distinguishable at %d gold items: about %d would settle a difference of %.1f F1 points",
        bt.items, d.items_needed, 100 * math.abs(d.estimate))
    else
      note = "not distinguishable: the two F1 are equal, so more gold items cannot tell which is better"
    end
    local pc = {}
    for cls, x in pairs(p.per_class) do
      local t, bb = verdict_text(x.verdict, a, b)
      pc[cls] = {estimate = x.estimate, low = x.low, high = x.high, se = x.se, undefined = x.undefined,
        verdict = t, better = bb, items_needed = x.items_needed}
    end
    pairs_[i] = {a = a, b = b, f1_a = results[p.a].micro.f1, f1_b = results[p.b].micro.f1,
      f1_diff = {estimate = d.estimate, low = d.low, high = d.high, se = d.se, undefined = d.undefined},
      verdict = text, better = better, items = bt.items, items_needed = d.items_needed, note = note, per_class = pc}
  end
  return {method = "percentile", resamples = bt.resamples, seed = bt.seed, level = bt.level, z = bt.z,
    items = bt.items, pairs = pairs_}
end

-- Reads several files at once (formats detected) on threads threads: the
-- datasets in order, or nil and the first failure's message.
function M.load(paths, threads)
  return c.load(paths, threads)
end

-- annovet.compare(gold, vendor, opts) -> result | nil, message.
-- gold: a dataset (or what M.prepare returned); vendor: a dataset.
-- opts: iou_type (bbox, segm, keypoints, rbox, polyline, cuboid, text, tag,
-- semantic; default M.default_type), iou (0.5), iou_by_class ({class = T}: a
-- gold class's own threshold), matcher ("optimal" or "greedy"), low
-- (low-overlap floor, 0.1), chamfer (polylines: match at or below this Chamfer
-- distance instead of by band IoU), line_width (band width where a polyline has
-- none, 10), chamfer_step (1), sigmas ({class = {...}}: OKS sigmas; COCO's for
-- 17 keypoints), map ({vendor_class = gold_class}), attributes (a list of keys to
-- compare, or false for none; default every key of the gold annotation but
-- "annotator"), count_missing_items (default true: gold items the vendor lacks
-- count as missed; false, or skip_missing_items = true, leaves them out).
-- The result has per_class, micro, macro, confusion, clusters, annotators, items,
-- categories, left_out, conflict_counts, :conflicts([filter]), :matches(),
-- :to_json(); semantic adds mean_iou, pixel_accuracy and pixels (counts are
-- pixels there).
function M.compare(gold, vendor, opts)
  opts = opts or {}
  local o = {}
  for k, v in pairs(opts) do o[k] = v end
  local prepared = gold
  if type(gold) == "userdata" and gold.iou_type then
    o.iou_type, o.chamfer = gold:iou_type()
  else
    o.iou_type = o.iou_type or M.default_type(gold, {vendor})
    local p, err, option = M.prepare(gold, o)
    if not p then return nil, err, option end
    prepared = p
  end
  return M.run(prepared, vendor, o)
end

return M
