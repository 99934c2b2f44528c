-- annovet compare: scores vendors' deliveries against the gold panel.
local annovet = require "annovet"
local args = require "annovet.args"
local compare = require "annovet.compare"
local evaluations = require "annovet.evaluations"
local log = require "annovet.log"
local names = require "annovet.names"
local output = require "annovet.output"
local report = require "annovet.compare_report"
local store = require "annovet.store"
local system = require "annovet.system"

local USAGE = "annovet compare --gold G --vendor NAME=FILE [--vendor ...] [--iou 0.5] [--iou CLASS=T,...] " ..
  "[--iou-type bbox|segm|keypoints|rbox|polyline|cuboid|text|tag|semantic] [--matcher optimal|greedy] " ..
  "[--ci N [--seed S] [--ci-level L]] [--sizes coco|B,B,...] [--skip-missing-items] " ..
  "[--out DIR] [--full] [--format json|csv|table] [--store DB [--batch B] [--new-vendor]]"

-- "NAME=FILE" (or FILE, named by its stem) -> name, file.
local function vendor_spec(s, cli)
  local name, file = s:match("^([^=]+)=(.+)$")
  if not name then
    file = s
    name = s:match("([^/\\]+)$"):gsub("%.[^.]*$", "")
  end
  if name == "" or file == "" then cli.fail("--vendor: expected NAME=FILE, got '" .. s .. "'") end
  return name, file
end

local function number_opt(v, flag, cli, lo, hi)
  if v == nil then return nil end
  local x = tonumber(v)
  if not x or x ~= x or (lo and x <= lo) or (hi and x > hi) then
    cli.fail(string.format("%s: expected a number%s, got '%s'", flag,
      (lo and hi) and string.format(" in (%g, %g]", lo, hi) or (lo and string.format(" > %g", lo) or ""), v))
  end
  return x
end

-- --iou, repeatable, each a comma list of T (the default threshold) and
-- CLASS=T (a class's own): -> the default (nil when not given), {class = T}
-- (nil when none). Whether a CLASS is the gold's is checked against the panel.
local function iou_opts(list, cli)
  if not list then return nil end
  local default, by_class = nil, nil
  for _, spec in ipairs(list) do
    local items = args.split_list(spec, "--iou", "threshold", true)
    if #items == 0 then cli.fail("--iou: expected T or CLASS=T[,CLASS=T...], got '" .. spec .. "'") end
    for _, item in ipairs(items) do
      local cls, v = item:match("^(.-)%s*=%s*(.*)$")
      if not cls then
        if default then cli.fail("--iou: the default threshold is given twice ('" .. default .. "' and '" .. item .. "')") end
        default = number_opt(item, "--iou", cli, 0, 1)
      else
        if cls == "" then cli.fail("--iou: expected CLASS=T, got '" .. item .. "'") end
        by_class = by_class or {}
        if by_class[cls] then cli.fail("--iou: class '" .. cls .. "' is given twice") end
        by_class[cls] = number_opt(v, "--iou " .. cls, cli, 0, 1)
      end
    end
  end
  return default, by_class
end

local MAX_RESAMPLES = 100000
local MAX_SEED = 4611686018427387903   -- 2^62 - 1, as agree's

local function whole(s, name, min, max, cli)
  local v = s:match("^%d+$") and math.tointeger(tonumber(s))
  if not v or v < min or v > max then
    cli.fail(string.format("%s: expected a whole number from %d to %d, got '%s'", name, min, max, s))
  end
  return v
end

-- --ci N [--seed S] [--ci-level L] -> {resamples, seed, level} or nil.
local function ci_opts(opts, cli)
  if not opts.ci then
    if opts.seed then cli.fail("--seed goes with --ci N") end
    if opts.ci_level then cli.fail("--ci-level goes with --ci N") end
    return nil
  end
  local level = 0.95
  if opts.ci_level then
    level = tonumber(opts.ci_level)
    if not level or level <= 0 or level >= 1 then
      cli.fail("--ci-level: expected a number between 0 and 1, got '" .. opts.ci_level .. "'")
    end
  end
  return {resamples = whole(opts.ci, "--ci", 1, MAX_RESAMPLES, cli),
    seed = opts.seed and whole(opts.seed, "--seed", 0, MAX_SEED, cli) or 1, level = level}
end

-- --sizes coco | B0,B1,... (areas in square pixels, increasing from 0) -> bounds or nil.
local function size_opts(spec, cli)
  if not spec then return nil end
  if spec == "coco" then return compare.COCO_SIZES end
  local bounds = {}
  for _, x in ipairs(args.split_list(spec, "--sizes", "area", true)) do
    local v = tonumber(x)
    if not v or v ~= v or v < 0 or v == math.huge or (#bounds > 0 and v <= bounds[#bounds]) then
      cli.fail("--sizes: expected coco or areas increasing from 0 (e.g. 0,1024,9216), got '" .. spec .. "'")
    end
    bounds[#bounds + 1] = v
  end
  if #bounds == 0 then cli.fail("--sizes: expected coco or areas increasing from 0 (e.g. 0,1024,9216), got '" .. spec .. "'") end
  return bounds
end

-- A pair's result as JSON (nulls where undefined).
local function json_pair(p)
  local null = annovet.json.null
  local pc = {}
  for cls, x in pairs(p.per_class) do
    local j = compare.json_interval(x)
    j.verdict, j.better, j.items_needed = x.verdict, x.better or null, x.items_needed or null
    pc[cls] = j
  end
  return {a = p.a, b = p.b, f1_a = p.f1_a or null, f1_b = p.f1_b or null, f1_diff = compare.json_interval(p.f1_diff),
    verdict = p.verdict, better = p.better or null, items = p.items, items_needed = p.items_needed or null,
    note = p.note, per_class = pc}
end

-- The comparison options from the command line.
local function options(opts, cli)
  if opts.skip_missing_items and opts.count_missing_items then
    cli.fail("--skip-missing-items and --count-missing-items exclude each other")
  end
  local o = {iou_type = opts.iou_type, matcher = opts.matcher or "optimal",
    count_missing_items = not opts.skip_missing_items}
  o.iou, o.iou_by_class = iou_opts(opts.iou, cli)
  o.iou = o.iou or 0.5
  o.low = number_opt(opts.low_iou, "--low-iou", cli, 0, 1)
  if o.low and o.low >= o.iou then cli.fail("--low-iou must be below --iou") end
  if opts.chamfer then
    if o.iou_type ~= "polyline" then cli.fail("--chamfer goes with --iou-type polyline") end
    if o.iou_by_class then cli.fail("--iou CLASS=T: per-class thresholds are IoU, not Chamfer distances") end
    o.chamfer = number_opt(opts.chamfer, "--chamfer", cli, 0)
    o.low = nil
  end
  o.line_width = number_opt(opts.line_width, "--line-width", cli, 0)
  if opts.kpt_sigmas then
    o.sigmas = {}
    for _, spec in ipairs(opts.kpt_sigmas) do
      local cls, list = spec:match("^([^=]+)=(.+)$")
      if not cls then cli.fail("--kpt-sigmas: expected CLASS=S,S,..., got '" .. spec .. "'") end
      local s = {}
      for _, x in ipairs(args.split_list(list, "--kpt-sigmas " .. cls, "sigma", true)) do s[#s + 1] = number_opt(x, "--kpt-sigmas " .. cls, cli, 0) end
      o.sigmas[cls] = s
    end
  end
  if opts.map then
    o.map = {}
    for _, spec in ipairs(opts.map) do
      local from, to = spec:match("^([^=]+)=(.+)$")
      if not from then cli.fail("--map: expected VENDOR_CLASS=GOLD_CLASS, got '" .. spec .. "'") end
      o.map[from] = to
    end
  end
  if opts.no_attributes and opts.attributes then cli.fail("--attributes and --no-attributes exclude each other") end
  if opts.no_attributes then o.attributes = false end
  if opts.attributes then o.attributes = args.split_list(opts.attributes, "--attributes", "name", true) end
  return o
end

local function report_read_warnings(path, ds, cli)
  for _, w in ipairs(ds:warnings()) do
    cli.warn(string.format("%s: %s (%d; first: %s)", path, w.kind, w.count, w.example))
  end
end

local function first_few(list, n)
  local out = {}
  for i = 1, math.min(#list, n or 3) do out[i] = list[i] end
  return table.concat(out, ", ") .. (#list > (n or 3) and ", ..." or "")
end

-- Says on stderr what the comparison of one vendor left out or could not pair,
-- and stops when no honest score is possible.
local function check_vendor(name, file, r, vds, cli)
  local items, cats = r.items, r.categories
  local function size_text(s)
    return string.format("first: %s, gold %dx%d, vendor %dx%d", s.item, s.gold[1], s.gold[2], s.vendor[1], s.vendor[2])
  end
  if items.compared == 0 and #items.size_differs > 0 then
    cli.fail(string.format("%s (%s): none of its items can be compared: %d of those in the gold panel differ in " ..
      "size from the gold's (%s)%s", name, file, #items.size_differs, size_text(items.size_differs[1]),
      r.iou_type == "semantic" and "; label images are compared pixel by pixel, so both must have the image's size" or ""))
  end
  if items.compared == 0 then
    cli.fail(string.format("%s (%s): none of its %d items is in the gold panel by file name or basename " ..
      "(gold items: %d)", name, file, items.vendor, items.gold))
  end
  local ncats = 0
  for _ in vds:categories() do ncats = ncats + 1 end
  local gold_classes = 0
  for _, k in ipairs(r.class_order) do gold_classes = gold_classes + (r.per_class[k].in_gold and 1 or 0) end
  if ncats > 0 and #cats.unmapped_gold == gold_classes then
    cli.fail(string.format("%s (%s): none of its classes (%s) is a gold class by name; map them with " ..
      "--map VENDOR_CLASS=GOLD_CLASS", name, file, first_few(cats.unmapped_vendor, 5)))
  end
  local function warn(fmt, ...) cli.warn(name .. ": " .. string.format(fmt, ...)) end
  if #cats.unmapped_vendor > 0 then
    warn("%d vendor classes are not gold classes (%s): their annotations count as false positives; " ..
      "--map VENDOR_CLASS=GOLD_CLASS pairs them", #cats.unmapped_vendor, first_few(cats.unmapped_vendor))
  end
  if #cats.unmapped_gold > 0 then
    warn("%d gold classes have no vendor class of the same name (%s)", #cats.unmapped_gold, first_few(cats.unmapped_gold))
  end
  for from, to in pairs(cats.map_unused) do warn("--map %s=%s: the vendor has no class '%s'", from, to, from) end
  if #items.not_delivered > 0 then
    warn("%d gold items are not in the delivery (%s): %s", #items.not_delivered, first_few(items.not_delivered),
      r.counted_missing and "their objects count as missed (--skip-missing-items leaves them out)"
        or "left out (--skip-missing-items; by default they count as missed)")
  end
  if #items.size_differs > 0 then
    warn("%d items differ in size from the gold and are left out%s (%s)", #items.size_differs,
      r.iou_type == "semantic" and " of the pixel counts" or "", size_text(items.size_differs[1]))
  end
  if r.pixels and (r.pixels.overlap_gold > 0 or r.pixels.overlap_vendor > 0) then
    warn("masks of different classes overlap on %d gold and %d vendor pixels: each such pixel counts for the " ..
      "later mask's class", r.pixels.overlap_gold, r.pixels.overlap_vendor)
  end
  if #items.not_in_gold > 0 then
    warn("%d delivered items are not in the gold panel (not scored)", #items.not_in_gold)
  end
  if #items.twice > 0 then warn("%d items pair with a gold item another one already took (%s)", #items.twice, first_few(items.twice)) end
  if #items.ambiguous > 0 then
    warn("%d items match several gold items by basename and are left out (%s)", #items.ambiguous, first_few(items.ambiguous))
  end
  for side, lo in pairs {gold = r.left_out.gold, vendor = r.left_out.vendor} do
    local types = {}
    for t, n in pairs(lo.by_type) do types[#types + 1] = string.format("%d %s", n, t) end
    table.sort(types)
    if #types > 0 then
      warn("%s annotations without a %s shape are not compared: %s", side, r.iou_type, table.concat(types, ", "))
    end
    if lo.size then warn("%d %s masks or keypoint sets do not fit their item and are left out", lo.size, side) end
    if lo.no_class then warn("%d %s annotations have no class and are left out", lo.no_class, side) end
  end
end

-- The store's vendor and batch for each vendor of the command line, checked
-- before any work: a name the store does not know is refused (with the nearest
-- known one) unless --new-vendor, so a typo never makes a new vendor or an
-- evaluation that links to no delivery. Sets v.sha256, v.delivery, v.batch.
local function resolve_names(opts, vendors, cli)
  local db
  if system.kind(opts.store) then db = cli.check(store.open(opts.store, false)) end
  local known = db and store.vendor_names(db) or {}
  local hint = "give --new-vendor to record a new one"
  for _, v in ipairs(vendors) do
    v.sha256 = cli.check(system.sha256_file(v.file))
    local vid = db and store.vendor_id(db, v.name)
    if not vid and not opts.new_vendor then
      if db then db:close() end
      cli.fail("--vendor " .. v.name .. ": " .. names.unknown("vendor", v.name, known, hint))
    end
    if vid and opts.batch and #store.batches_named(db, opts.batch, v.name) == 0 and not opts.new_vendor then
      local msg = names.unknown("batch", opts.batch, store.batch_names(db, v.name),
        "give --new-vendor to record a new batch")
      db:close()
      cli.fail("--batch: vendor '" .. v.name .. "': " .. msg)
    end
    v.delivery = vid and store.delivery_row(db, v.sha256, v.name, opts.batch)
    if vid and not opts.batch and not v.delivery and not opts.new_vendor then
      db:close()
      cli.fail(string.format("--vendor %s=%s: the file is not a delivery of vendor '%s' in the store (its bytes " ..
        "were never ingested): ingest it with --batch first, or give --batch B --new-vendor", v.name, v.file, v.name))
    end
    v.batch = opts.batch or (v.delivery and v.delivery.batch)
  end
  if db then db:close() end
end

local function put_file_blob(db, path, sha)
  local f = io.open(path, "rb")
  if not f then return end
  local bytes = f:read("a")
  f:close()
  if bytes and annovet.sha256(bytes) == sha then store.put_blob(db, sha, bytes) end
end

-- The script whose logic composed the recorded result: the scoring module as
-- compiled into the binary; its SHA-256 is the evaluation's script_sha256.
local function scoring_script_sha256()
  local src = system.embedded("lua/annovet/compare.lua")
  return src and annovet.sha256(src) or nil
end

-- Records each vendor's evaluation in the store, with its log entry (one
-- transaction). The vendor file's and the gold file's bytes are stored too, so
-- `store verify` can recompute the result.
local function record(opts, doc, results, gold_path, vendors, top, cli)
  local gold_sha = cli.check(system.sha256_file(gold_path))
  local db <close> = cli.check(store.open(opts.store, true))
  local ids, warnings = {}, {}
  store.transaction(db, function()
    local gold = store.gold_row(db, gold_sha)
    put_file_blob(db, gold_path, gold_sha)
    for i, v in ipairs(results) do
      local rv = vendors[i]
      local del, batch_id = rv.delivery, rv.delivery and rv.delivery.batch_id
      if rv.batch and (not del or del.batch ~= rv.batch) then
        local vid = store.ensure_vendor(db, v.name)
        batch_id = store.ensure_batch(db, vid, rv.batch)
        del = store.delivery_row(db, rv.sha256, v.name, rv.batch)
        if del and del.batch ~= rv.batch then del = nil end
      elseif not rv.batch then
        store.ensure_vendor(db, v.name)
      end
      put_file_blob(db, v.file, rv.sha256)
      local b = batch_id and store.batch(db, batch_id)
      local params = {iou = doc.iou, iou_by_class = doc.iou_by_class, iou_type = doc.iou_type, matcher = doc.matcher, gold = gold_path,
        vendor = v.name, file = v.file, options = doc.options, top = top,
        guidelines_version = b and b.guidelines_version, gold_guidelines_version = gold and gold.guidelines_version}
      if b and gold and b.guidelines_version ~= gold.guidelines_version then
        warnings[#warnings + 1] = string.format("%s: batch '%s' was annotated under guidelines %s, the gold panel " ..
          "(%s version %d) was made under %s", v.name, b.name, b.guidelines_version or "(none recorded)", gold.name,
          gold.version, gold.guidelines_version or "(none recorded)")
      end
      local id = evaluations.record(db, {
        kind = "compare", vendor = v.name, batch = rv.batch, batch_id = batch_id,
        gold_id = gold and gold.id, gold_sha256 = gold_sha, delivery_id = del and del.id,
        input_path = v.file, input_sha256 = rv.sha256, tool_version = annovet.version, tool_commit = annovet.commit,
        script_sha256 = scoring_script_sha256(), params = params, result = doc.vendors[v.name],
      })
      log.append(db, "evaluations", id, batch_id)
      if b and b.state == "delivered" then store.set_batch_state(db, batch_id, "evaluated") end
      ids[#ids + 1] = id
    end
  end)
  for _, w in ipairs(warnings) do cli.warn(w) end
  return ids
end

-- The printed JSON without --full: every vendor's scores, counts, confusion,
-- clusters and annotators, without the list of every conflict (megabytes on a
-- large panel); "full": false says so. The stored and --out documents are whole.
local function counts_only(doc)
  local out = {}
  for k, v in pairs(doc) do out[k] = v end
  out.vendors = {}
  for name, v in pairs(doc.vendors) do
    local c = {}
    for k, x in pairs(v) do
      if k ~= "conflicts" then c[k] = x end
    end
    out.vendors[name] = c
  end
  out.full = false
  return out
end

return {
  summary = "scores vendors against the gold panel: per-class precision, recall, F1, conflicts, confusion",
  usage = USAGE,
  help = [[
Pairs each vendor's items with the gold panel's by file name (then basename),
and classes by name (--map renames vendor classes; unpaired ones are reported,
never guessed). Per item and class, the similarity of every vendor annotation
with every gold one (--iou-type; default segm where the gold and every vendor
have segmentations, a keypoint set's included, else keypoints where all have
keypoints, else bbox) is matched one-to-one (optimal, or --matcher
greedy) at the --iou threshold: matches are true positives. Gold crowd regions
are never missed and a vendor annotation inside one (intersection over its own
area >= the threshold) is ignored; vendor annotations marked iscrowd are left
out. Then the conflicts: wrong_class (a class-agnostic pass over the
unmatched), duplicate (over a gold object already matched in its class),
low_overlap (same class, IoU in [--low-iou, --iou)), missing, extra, and on
matches wrong_attribute, wrong_keypoint_visibility and wrong_text.

Shapes by --iou-type: bbox (boxes, or the box of any shape); segm (polygons and
masks rasterised at the item's size as pycocotools; boxes as rectangles);
keypoints (OKS; COCO's sigmas for 17 keypoints, --kpt-sigmas CLASS=S,... for
others); rbox; polyline (IoU of bands --line-width wide, or --chamfer D: match
at Chamfer distance <= D); cuboid (3D IoU when both have 3D, as COCO's
"cuboid_3d" gives it, else the IoU of the projected hulls); text (box or
quadrilateral IoU, then CER/WER of the strings on matches); tag (per label on
each item, no geometry); semantic (the default where every file is a folder of
PNG label images): no matching, each item's masks painted into one label image
per side and counted pixel by pixel: per class tp, fp, fn are pixels, iou (=
mean_iou) the class's pixel IoU with intersection and union summed over the
items; the vendor's mean_iou is the mean over the classes with pixels on either
side, pixel_accuracy the share of pixels (outside gold crowd regions) with the
same class, or none, on both sides; confusion counts pixels; conflicts are the
items and classes whose IoU on the item is below --iou (missing, extra or
low_overlap, with their pixels).

Output: JSON {"iou", "iou_type", "matcher", "gold", "vendors": {NAME: {
"per_class": {CLASS: {tp, fp, fn, precision, recall, f1, mean_iou, gold,
vendor, ignored}}, "micro", "macro", "conflicts": [...], "conflict_counts",
"confusion": {GOLD or "(extra)": {VENDOR or "(missed)": n}}, "clusters",
"annotators": {ID: {micro, macro, per_class, conflicts}}, "items",
"categories", "left_out"}}}. The printed JSON lists every conflict only with
--full; by default it has their counts ("conflict_counts", per annotator) and
"full": false, since the list runs to megabytes on a large panel (--out DIR
writes them all to conflicts.csv and compare.json, --store records them). A ratio without a denominator is null, and
"undefined" says why. With --iou-type tag (tags match by class on the
same item) "iou" and every "mean_iou" are absent. Macro averages the classes with gold or vendor
annotations (each ratio over the classes where it is defined). A missed gold
object is charged to the item's annotator when one vendor annotator did the
whole item, else to "(unattributed)".

Gold items a vendor did not deliver count as missed (every item sent is owed;
--skip-missing-items leaves them out); items.delivered and items.sent say how
many. --iou 0.5 --iou car=0.7,traffic_light=0.3 sets per-class thresholds.
--sizes coco (or bounds 0,1024,9216, px^2) adds scores by object area (COCO's
closed ranges; TP and misses by the gold's area, false positives by the
vendor's). --ci N [--seed S] [--ci-level L] resamples the gold items N times
(seeded, reproducible): percentile intervals of P, R and F1 per vendor and
class, and per pair of vendors the interval of the F1 difference on the same
items, with a verdict ("A better", "B better", "not distinguishable") and the
gold items that would settle it ("bootstrap", "pairs", "intervals" in JSON).

--out DIR writes per_class.csv, conflicts.csv, confusion.csv, annotators.csv,
clusters.csv (sizes.csv, intervals.csv, pairs.csv when asked) and compare.json
instead of printing; their column row says whether a row is a class or a
summary (micro, macro, items), and confusion.csv's column cell whether it
counts class as class, missed or extra. --format csv prints
per_class.csv; table prints a summary. --store DB records each vendor's
evaluation (tool version and commit, gold and delivery provenance, parameters,
result) for `annovet drift`, each as an entry of the store's hash-chained log;
--batch names the batch (default: the batch the vendor file was ingested in).
A vendor or batch the store does not know is refused, naming the nearest known
one ('Budget' when the store knows 'budget'), unless --new-vendor is given; so
is a vendor file that was never ingested when no --batch is given. The gold and
vendor files' bytes are stored, so `annovet store verify` can recompute the
result; a batch annotated under other guidelines than the gold panel's is said
on stderr and in the recorded parameters.]],
  options = {
    {name = "--gold", arg = "G", help = "the gold panel (any format annovet reads)"},
    {name = "--vendor", arg = "NAME=FILE", multi = true, help = "a vendor's delivery (repeat for several)"},
    {name = "--iou", arg = "T|CLASS=T,...", multi = true, api = {"iou", "iou_by_class"},
      help = "match threshold (IoU or OKS; default 0.5), and per class: --iou 0.5 --iou car=0.7,traffic_light=0.3"},
    {name = "--iou-type", arg = "T", choices = compare.types, help = "bbox, segm, keypoints, rbox, polyline, cuboid, text, tag or semantic"},
    {name = "--matcher", arg = "M", choices = {"optimal", "greedy"}, help = "optimal (default) or greedy"},
    {name = "--low-iou", arg = "L", help = "low overlap from this IoU up to --iou (default 0.1)"},
    {name = "--chamfer", arg = "D", help = "polylines: match at Chamfer distance <= D pixels"},
    {name = "--line-width", arg = "W", help = "polylines: band width where none is given (default 10)"},
    {name = "--kpt-sigmas", api = "sigmas", arg = "CLASS=S,...", multi = true, help = "OKS sigmas of a class's keypoints"},
    {name = "--map", arg = "V=G", multi = true, help = "vendor class V is gold class G"},
    {name = "--attributes", arg = "A,B", help = "compare only these attributes"},
    {name = "--no-attributes", help = "compare no attributes"},
    {name = "--ci", arg = "N", help = "bootstrap N resamples of the gold items: intervals and vendor-pair verdicts"},
    {name = "--seed", arg = "S", help = "the bootstrap's seed, 0 to 2^62-1 (default 1): same seed, same intervals"},
    {name = "--ci-level", arg = "L", help = "the intervals' level (default 0.95)"},
    {name = "--sizes", arg = "coco|B,B,...", help = "scores by object area: COCO's small/medium/large or these bounds (px^2)"},
    {name = "--skip-missing-items", help = "leave out gold items the vendor lacks (default: count them as missed)"},
    {name = "--count-missing-items", help = "the default (kept for old scripts): missing items count as missed"},
    {name = "--out", arg = "DIR", help = "write the CSV files (and compare.json) into DIR"},
    {name = "--full", help = "list every conflict in the printed JSON (default: their counts only)"},
    output.option({"json", "csv", "table"}, "json (default), csv (per class) or table"),
    {name = "--top", arg = "N", integer = true, min = 0, help = "clusters listed per kind in JSON (default 10; 0: all)"},
    {name = "--threads", arg = "N", integer = true, min = 1, max = 64, help = "read files and score vendors on N threads (default: processors)"},
    {name = "--store", arg = "DB", help = "record the evaluations in this store"},
    {name = "--batch", arg = "B", help = "the batch the evaluations belong to"},
    {name = "--new-vendor", help = "record a vendor or batch the store does not know yet"},
  },
  run = function(opts, pos, cli)
    local usage = {usage = USAGE}
    if not opts.gold then cli.usage_error("compare needs --gold G", usage) end
    if not opts.vendor then cli.usage_error("compare needs at least one --vendor NAME=FILE", usage) end
    if opts.batch and not opts.store then cli.usage_error("--batch goes with --store", usage) end
    local top = opts.top
    local o = options(opts, cli)
    local ci, bounds = ci_opts(opts, cli), size_opts(opts.sizes, cli)
    local vendors, seen = {}, {}
    for _, spec in ipairs(opts.vendor) do
      local name, file = vendor_spec(spec, cli)
      if seen[name] then cli.fail("--vendor: the name '" .. name .. "' is given twice") end
      seen[name] = true
      vendors[#vendors + 1] = {name = name, file = file}
    end

    if opts.new_vendor and not opts.store then cli.usage_error("--new-vendor goes with --store", usage) end
    -- the output folder must be one annovet can create before any work; it is created at the end
    if opts.out then cli.check(system.can_mkdir(opts.out)) end
    if opts.store then
      -- an existing store must be one, and know the names, before any work; a new
      -- one is created only at the end
      resolve_names(opts, vendors, cli)
    end
    local threads = opts.threads
    local t0, w0 = annovet.clock(), system.now()
    local paths = {opts.gold}
    for _, v in ipairs(vendors) do paths[#paths + 1] = v.file end
    cli.progress(string.format("compare: reading the gold panel and %d vendor file%s", #vendors,
      #vendors > 1 and "s" or ""))
    local all = cli.check(compare.load(paths, threads))
    local gold = all[1]
    report_read_warnings(opts.gold, gold, cli)
    local vds, files = {}, {}
    for i, v in ipairs(vendors) do
      v.ds = all[i + 1]
      report_read_warnings(v.file, v.ds, cli)
      vds[i], files[i] = v.ds, v.file
    end
    local defaulted = not o.iou_type
    o.iou_type = o.iou_type or compare.default_type(gold, vds)
    cli.progress(o.iou_type == "semantic"
      and string.format("compare: semantic, pixel by pixel (conflicts below IoU %s per item and class)", tostring(o.iou))
      or o.iou_type == "tag" and "compare: tags, by class on the same item"
      or string.format("compare: %s at %s, %s matching", o.iou_type, tostring(o.chamfer or o.iou), o.matcher))
    if bounds and (o.iou_type == "semantic" or o.iou_type == "tag") then
      cli.fail("--sizes: " .. o.iou_type .. " comparisons have no object areas")
    end
    if ci and o.iou_type == "semantic" then cli.fail("--ci: intervals are over objects, not the pixels of a semantic comparison") end
    local prepared, perr, poption = compare.prepare(gold, o)
    if not prepared then
      perr = cli.flagged(perr, poption)
      if defaulted and o.iou_type == "keypoints" and poption == "sigmas" then
        perr = perr .. " (keypoints is the default --iou-type where every file has keypoints and not every one " ..
          "a segmentation: give --kpt-sigmas CLASS=S,..., or --iou-type bbox to compare their boxes)"
      end
      cli.fail(perr)
    end
    -- tags match by class on the same item: no threshold
    local tags = o.iou_type == "tag"
    local doc = {iou = not tags and (o.chamfer or o.iou) or nil, iou_by_class = not tags and o.iou_by_class or nil, iou_type = o.iou_type, matcher = o.matcher, gold = opts.gold, vendors = {},
      options = {low_iou = o.low, chamfer = o.chamfer, line_width = o.line_width, map = o.map,
        attributes = o.attributes, count_missing_items = o.count_missing_items, kpt_sigmas = o.sigmas}}
    o.threads, o.files = threads, files
    local scored = cli.check(compare.run_all(prepared, vds, o))
    local results = {}
    for i, v in ipairs(vendors) do
      local r = scored[i]
      r.counted_missing = o.count_missing_items
      check_vendor(v.name, v.file, r, v.ds, cli)
      cli.progress(string.format("compare: %s: %d items, F1 %s, %d conflicts", v.name, r.items.compared,
        r.micro.f1 and string.format("%.4f", r.micro.f1) or "undefined", #r.conflict_list))
      results[#results + 1] = {name = v.name, file = v.file, res = r}
      if bounds then r.size_scores = cli.check(r:sizes(bounds)) end
    end
    if ci then
      local names = {}
      for i, v in ipairs(vendors) do names[i] = v.name end
      local boot = cli.check(compare.bootstrap(scored, {resamples = ci.resamples, seed = ci.seed, level = ci.level,
        names = names}))
      cli.progress(string.format("compare: bootstrap, %d resamples of the %d gold items (seed %d)", boot.resamples,
        boot.items, boot.seed))
      doc.bootstrap = {method = boot.method, resamples = boot.resamples, seed = boot.seed, level = boot.level,
        items = boot.items}
      local list = {}
      for i, p in ipairs(boot.pairs) do list[i] = json_pair(p) end
      doc.pairs = annovet.json.array(list)
      results.boot = boot
    end
    for _, v in ipairs(results) do doc.vendors[v.name] = v.res:to_json({clusters_top = top}) end
    cli.progress(string.format("compare: scored in %.2f s (%.2f s of CPU)", system.now() - w0, annovet.clock() - t0))

    if opts.out then
      local paths = cli.check(report.write_csv(results, opts.out))
      local f = io.open(opts.out .. "/compare.json", "w")
      if not f then cli.fail(opts.out .. "/compare.json: cannot write") end
      f:write(annovet.json.encode(doc, {pretty = true}), "\n")
      f:close()
      paths[#paths + 1] = opts.out .. "/compare.json"
      cli.progress("compare: wrote " .. table.concat(paths, ", "))
    else
      cli.check(output.write(opts.format, {json = opts.full and doc or counts_only(doc),
        csv = function() return report.per_class_rows(results) end,
        table = function() return report.table_text(doc, results) end}))
    end
    if opts.store then
      local ids = record(opts, doc, results, opts.gold, vendors, top, cli)
      cli.progress(string.format("compare: recorded evaluation%s %s in %s", #ids > 1 and "s" or "",
        table.concat(ids, ", "), opts.store))
    end
    return 0
  end,
}
