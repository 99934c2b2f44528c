-- Reports of `annovet compare`: the CSV files (through libcsv, formulas
-- neutralised) and the table a person reads. `results` is a list of
-- {name = VENDOR, res = compare result} in command-line order.
local compare = require "annovet.compare"
local system = require "annovet.system"

local M = {}

local SCORE_COLS = {"tp", "fp", "fn", "ignored", "precision", "recall", "f1", "mean_iou", "mean_distance", "cer", "wer"}

-- Appends the scores of s after the first base cells of row (which may hold nils).
local function score_cells(row, base, s)
  for i, k in ipairs(SCORE_COLS) do row[base + i] = s[k] end
  row.n = base + #SCORE_COLS
  return row
end

-- Every CSV tells a summary row from a class by its column row ("class" for a
-- class's row, "micro", "macro", "items" for the summaries, whose class is
-- empty), never by a name a vendor can also give a class.

-- per_class.csv: one row per vendor and class, then micro, macro and items: the
-- gold items sent (column gold) and delivered (column delivered). A semantic
-- comparison adds the columns iou (per class; micro: pooled; macro: the mean
-- IoU) and pixel_accuracy (on the micro row); its counts are pixels.
function M.per_class_rows(results)
  local header = {"vendor", "row", "class", "in_gold", "gold", "delivered"}
  for _, k in ipairs(SCORE_COLS) do header[#header + 1] = k end
  local semantic = false
  for _, v in ipairs(results) do semantic = semantic or v.res.pixels ~= nil end
  if semantic then
    header[#header + 1] = "iou"
    header[#header + 1] = "pixel_accuracy"
  end
  local rows = {header}
  local function add(row, s, accuracy)
    score_cells(row, 6, s)
    if semantic then
      row[row.n + 1], row[row.n + 2] = s.iou, accuracy
      row.n = row.n + 2
    end
    rows[#rows + 1] = row
  end
  for _, v in ipairs(results) do
    local r = v.res
    for _, name in ipairs(r.class_order) do
      local s = r.per_class[name]
      add({v.name, "class", name, s.in_gold, s.gold, s.vendor}, s)
    end
    add({v.name, "micro"}, r.micro, r.pixel_accuracy)
    add({v.name, "macro"}, r.macro)
    rows[#rows + 1] = {v.name, "items", nil, nil, r.items.sent, r.items.delivered, n = 6}
  end
  return rows
end

-- conflicts.csv: one row per conflict.
local function conflict_rows(results)
  local cols = {"item", "kind", "gold_class", "vendor_class", "gold_id", "vendor_id", "iou", "annotator", "attribute",
    "gold_value", "vendor_value", "gold_text", "vendor_text", "cer", "wer", "keypoints_differ", "keypoints",
    "gold_index", "vendor_index"}
  local header = {"vendor"}
  for _, c in ipairs(cols) do header[#header + 1] = c end
  local rows = {header}
  for _, v in ipairs(results) do
    for cf in v.res:conflicts() do
      local row = {v.name, n = #header}
      for i, c in ipairs(cols) do
        local x = cf[c]
        if c == "gold_id" and x == nil then x = cf.gold_index end
        if c == "vendor_id" and x == nil then x = cf.vendor_index end
        if c == "iou" and x == nil then x = cf.distance end
        row[i + 1] = x
      end
      rows[#rows + 1] = row
    end
  end
  return rows
end

-- A table's keys, sorted.
local function keys(t)
  local out = {}
  for k in pairs(t) do out[#out + 1] = k end
  table.sort(out)
  return out
end

-- confusion.csv: long form, non-zero cells; the column cell says what a row
-- counts: "class" (gold class as vendor class), "missed" (gold objects with no
-- vendor annotation: vendor_class empty), "extra" (vendor annotations with no
-- gold object: gold_class empty).
local function confusion_rows(results)
  local rows = {{"vendor", "cell", "gold_class", "vendor_class", "count"}}
  for _, v in ipairs(results) do
    for _, c in ipairs(v.res.confusion_cells) do
      rows[#rows + 1] = {v.name, c.cell, c.gold, c.vendor, c.count, n = 5}
    end
  end
  return rows
end

-- annotators.csv: per vendor annotator, micro then each class.
local function annotator_rows(results)
  local header = {"vendor", "annotator", "row", "class"}
  for _, k in ipairs(SCORE_COLS) do header[#header + 1] = k end
  local rows = {header}
  for _, v in ipairs(results) do
    local ann = v.res.annotators
    for _, name in ipairs(keys(ann)) do
      local a = ann[name]
      rows[#rows + 1] = score_cells({v.name, name, "micro"}, 4, a.micro)
      for _, cls in ipairs(keys(a.per_class)) do
        rows[#rows + 1] = score_cells({v.name, name, "class", cls}, 4, a.per_class[cls])
      end
    end
  end
  return rows
end

-- clusters.csv: every ranked cluster, long form.
local function cluster_rows(results)
  local rows = {{"vendor", "cluster", "rank", "count", "gold_class", "vendor_class", "class", "attribute",
    "most_common", "item"}}
  for _, v in ipairs(results) do
    local c = v.res.clusters
    for _, x in ipairs(c.class_pairs) do
      rows[#rows + 1] = {v.name, "class_pair", x.rank, x.count, x.gold, x.vendor, n = 10}
    end
    for _, x in ipairs(c.attributes) do
      rows[#rows + 1] = {v.name, "attribute", x.rank, x.count, nil, nil, x.class, x.attribute, x.most_common, n = 10}
    end
    for _, x in ipairs(c.classes) do
      rows[#rows + 1] = {v.name, "class", x.rank, x.count, nil, nil, x.class, n = 10}
    end
    for _, x in ipairs(c.items) do
      rows[#rows + 1] = {v.name, "item", x.rank, x.count, nil, nil, nil, nil, nil, x.item, n = 10}
    end
  end
  return rows
end

-- sizes.csv (with --sizes): per vendor, size range and class, then micro,
-- the counts and scores of the objects of that size; high empty for the last,
-- open range. nil without sizes.
local function size_rows(results)
  local rows = {{"vendor", "size", "low", "high", "row", "class", "tp", "fp", "fn", "precision", "recall", "f1"}}
  for _, v in ipairs(results) do
    for _, rg in ipairs(v.res.size_scores or {}) do
      local function add(kind, cls, s)
        rows[#rows + 1] = {v.name, rg.name, rg.low, rg.high, kind, cls, s.tp, s.fp, s.fn, s.precision, s.recall, s.f1,
          n = 12}
      end
      for _, cls in ipairs(keys(rg.per_class)) do add("class", cls, rg.per_class[cls]) end
      add("micro", nil, rg.micro)
    end
  end
  return #rows > 1 and rows or nil
end

-- intervals.csv (with --ci): per vendor and class, then micro, each score's
-- estimate and interval. nil without intervals.
local function interval_rows(results)
  local rows = {{"vendor", "row", "class", "score", "estimate", "low", "high", "se", "undefined"}}
  for _, v in ipairs(results) do
    local iv = v.res.intervals
    if iv then
      local function add(kind, cls, x)
        for _, k in ipairs {"precision", "recall", "f1"} do
          local c = x[k]
          rows[#rows + 1] = {v.name, kind, cls, k, c.estimate, c.low, c.high, c.se, c.undefined, n = 9}
        end
      end
      for _, cls in ipairs(v.res.class_order) do add("class", cls, iv.per_class[cls]) end
      add("micro", nil, iv.micro)
    end
  end
  return #rows > 1 and rows or nil
end

-- pairs.csv (with --ci and two vendors or more): per pair, micro then each
-- gold class: the F1 difference a - b, its interval, the verdict and the gold
-- items that would settle it. nil without pairs.
local function pair_rows(results)
  local boot = results.boot
  if not boot or #boot.pairs == 0 then return nil end
  local rows = {{"a", "b", "row", "class", "f1_diff", "low", "high", "se", "verdict", "items", "items_needed"}}
  for _, p in ipairs(boot.pairs) do
    local d = p.f1_diff
    rows[#rows + 1] = {p.a, p.b, "micro", nil, d.estimate, d.low, d.high, d.se, p.verdict, p.items, p.items_needed,
      n = 11}
    for _, cls in ipairs(keys(p.per_class)) do
      local x = p.per_class[cls]
      rows[#rows + 1] = {p.a, p.b, "class", cls, x.estimate, x.low, x.high, x.se, x.verdict, p.items, x.items_needed,
        n = 11}
    end
  end
  return rows
end

M.files = {
  {"per_class.csv", M.per_class_rows},
  {"conflicts.csv", conflict_rows},
  {"confusion.csv", confusion_rows},
  {"annotators.csv", annotator_rows},
  {"clusters.csv", cluster_rows},
  {"sizes.csv", size_rows},
  {"intervals.csv", interval_rows},
  {"pairs.csv", pair_rows},
}

-- Writes the CSV files into dir (those without rows, as sizes.csv without
-- --sizes, are not written); returns the paths, or nil and a message.
function M.write_csv(results, dir)
  local ok, err = system.mkdir(dir)
  if not ok then return nil, err end
  local paths = {}
  for _, f in ipairs(M.files) do
    local rows = f[2](results)
    if rows then
      local path = dir .. "/" .. f[1]
      ok, err = system.write_csv(path, rows)
      if not ok then return nil, err end
      paths[#paths + 1] = path
    end
  end
  return paths
end

-- What tools/sim_pilot.lua found (make bench): how often the verdicts are right.
M.SIMULATION = "In 800 simulated pilots of 500 gold items (tools/sim_pilot.lua, make bench) the 95% " ..
  "intervals held the true F1 0.937 of the time, the verdict named the better vendor in 0.917 of pilots " ..
  "with a true gap of 3 F1 points, and said \"not distinguishable\" in 0.945 of pilots without a gap."

local function pct(v)
  if v == nil then return "     -" end
  return string.format("%6.1f", 100 * v)
end

local function num(v, fmt)
  if v == nil then return "     -" end
  return string.format(fmt or "%6.3f", v)
end

-- The text a person reads: per vendor its classes, averages, conflicts and the
-- largest disagreement clusters.
function M.table_text(doc, results)
  local out = {doc.iou_type == "tag"
    and string.format("iou type tag: tags match by class on the same item; gold %s", doc.gold)
    or string.format("iou type %s, threshold %s, %s matching; gold %s", doc.iou_type, tostring(doc.iou),
      doc.matcher, doc.gold)}
  for _, v in ipairs(results) do
    local r = v.res
    local sim = r.similarity == "chamfer distance" and "dist" or (r.similarity == "oks" and "OKS" or "IoU")
    out[#out + 1] = ""
    local it = r.items
    local missing = it.sent - it.delivered
    out[#out + 1] = string.format("== %s (%s): delivered %d / sent %d gold items%s; %d compared", v.name,
      r.file or "", it.delivered, it.sent,
      missing > 0 and string.format(" (the %d missing %s)", missing,
        it.missing == "left out" and "left out: --skip-missing-items" or "count as missed") or "", it.compared)
    local width = 12
    for _, name in ipairs(r.class_order) do width = math.max(width, #name) end
    -- tags have no overlap: no mean IoU column
    local tags = r.similarity == "same item"
    local function mean(s) return tags and "" or " " .. num(s.mean_iou or s.mean_distance) end
    out[#out + 1] = string.format("%-" .. width .. "s %6s %6s %6s %6s %6s %6s", "class", "TP", "FP", "FN",
      "P%", "R%", "F1%") .. (tags and "" or string.format(" %6s", "m" .. sim))
    local function line(name, s)
      out[#out + 1] = string.format("%-" .. width .. "s %6d %6d %6d %s %s %s", name, s.tp, s.fp, s.fn,
        pct(s.precision), pct(s.recall), pct(s.f1)) .. mean(s)
    end
    for _, name in ipairs(r.class_order) do line(name, r.per_class[name]) end
    line("(micro)", r.micro)
    local m = r.macro
    out[#out + 1] = string.format("%-" .. width .. "s %6s %6s %6s %s %s %s", "(macro)", "", "", "",
      pct(m.precision), pct(m.recall), pct(m.f1)) .. mean(m)
    if r.pixels then
      out[#out + 1] = string.format("mean IoU %s, pixel accuracy %s (%d pixels; the counts above are pixels)",
        num(r.mean_iou), num(r.pixel_accuracy), r.pixels.total)
    end
    local kinds = {}
    for _, k in ipairs(compare.kinds) do
      if r.conflict_counts[k] then kinds[#kinds + 1] = k .. " " .. r.conflict_counts[k] end
    end
    out[#out + 1] = "conflicts: " .. (#kinds > 0 and table.concat(kinds, ", ") or "none")
    local cp = {}
    for i, x in ipairs(r.clusters.class_pairs) do
      if i > 5 then break end
      cp[#cp + 1] = string.format("%s->%s %d", x.gold, x.vendor, x.count)
    end
    if #cp > 0 then out[#out + 1] = "most confused: " .. table.concat(cp, ", ") end
    local at = {}
    for i, x in ipairs(r.clusters.attributes) do
      if i > 5 then break end
      at[#at + 1] = string.format("%s.%s %d (%s)", x.class, x.attribute, x.count, x.most_common)
    end
    if #at > 0 then out[#out + 1] = "attributes: " .. table.concat(at, ", ") end
    if r.intervals then
      local f = r.intervals.micro.f1
      out[#out + 1] = string.format("F1 %s%%, %g%% interval [%s, %s]", pct(f.estimate):gsub("^%s+", ""),
        100 * results.boot.level, pct(f.low):gsub("^%s+", ""), pct(f.high):gsub("^%s+", ""))
    end
    for _, rg in ipairs(r.size_scores or {}) do
      out[#out + 1] = string.format("size %-10s F1 %s  (TP %d, FP %d, FN %d)", rg.name, pct(rg.micro.f1),
        rg.micro.tp, rg.micro.fp, rg.micro.fn)
    end
    local names = keys(r.annotators)
    if #names > 0 then
      local parts = {}
      for _, a in ipairs(names) do
        parts[#parts + 1] = string.format("%s F1 %s", a, pct(r.annotators[a].micro.f1):gsub("^%s+", ""))
      end
      out[#out + 1] = "annotators: " .. table.concat(parts, ", ")
    end
  end
  local boot = results.boot
  if boot and #boot.pairs > 0 then
    out[#out + 1] = ""
    out[#out + 1] = string.format("== vendor pairs (F1 difference, %g%% interval, %d gold items)", 100 * boot.level,
      boot.items)
    for _, p in ipairs(boot.pairs) do
      local d = p.f1_diff
      out[#out + 1] = string.format("%s - %s: %s [%s, %s] points: %s", p.a, p.b, num(d.estimate and 100 * d.estimate, "%+.1f"),
        num(d.low and 100 * d.low, "%+.1f"), num(d.high and 100 * d.high, "%+.1f"), p.note)
    end
  end
  if boot then
    out[#out + 1] = ""
    out[#out + 1] = string.format("Intervals: percentile bootstrap over the gold items, %d resamples, seed %d. %s",
      boot.resamples, boot.seed, M.SIMULATION)
  end
  return table.concat(out, "\n")
end

return M
