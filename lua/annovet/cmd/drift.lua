-- annovet drift: how each vendor and each of its annotators scored batch after
-- batch, from the evaluations `annovet compare --store` recorded.
local evaluations = require "annovet.evaluations"
local output = require "annovet.output"
local store = require "annovet.store"

local USAGE = "annovet drift --store DB [--vendor V] [--format json|table]"

local function pct(v)
  if type(v) ~= "number" then return "     -" end
  return string.format("%6.1f", 100 * v)
end

local function count(v)
  if type(v) ~= "number" then return "-" end
  return string.format("%d", v)
end

local function signed(v)
  if type(v) ~= "number" then return "      -" end
  return string.format("%+7.1f", 100 * v)
end

local function table_text(path, vendors)
  local out = {"F1 (%) per batch, and its change from the first batch, from " .. path}
  local names = {}
  for name in pairs(vendors) do names[#names + 1] = name end
  table.sort(names)
  for _, name in ipairs(names) do
    local v = vendors[name]
    out[#out + 1] = ""
    out[#out + 1] = "== " .. name
    local width = 14
    for _, b in ipairs(v.batches) do width = math.max(width, #b.batch) end
    out[#out + 1] = string.format("%-" .. width .. "s %-24s %6s %6s %7s", "batch", "evaluated", "gold", "F1", "change")
    for _, b in ipairs(v.batches) do
      out[#out + 1] = string.format("%-" .. width .. "s %-24s %6s %s %s", b.batch, b.evaluated_at, count(b.gold),
        pct(b.f1), signed(b.f1_change))
    end
    local anames = {}
    for a in pairs(v.annotators) do anames[#anames + 1] = a end
    table.sort(anames)
    for _, a in ipairs(anames) do
      local parts = {}
      local t = v.annotators[a]
      for _, b in ipairs(t.batches) do
        parts[#parts + 1] = string.format("%s %s on %s gold", b.batch, pct(b.f1):gsub("^%s+", ""), count(b.gold))
      end
      out[#out + 1] = string.format("  %s: %s (change %s, from %s to %s gold objects)", a, table.concat(parts, ", "),
        signed(t.f1_change):gsub("^%s+", ""), count(t.f1_change_gold.from), count(t.f1_change_gold.to))
    end
    for _, w in ipairs(v.warnings) do out[#out + 1] = "  warning: " .. w end
  end
  return table.concat(out, "\n")
end

return {
  summary = "F1 of each vendor and annotator batch after batch, from the stored evaluations",
  usage = USAGE,
  help = [[
Reads the evaluations `annovet compare --store DB` recorded and prints, per
vendor, the micro F1 of each batch in the order the batches were first
evaluated, with its change from the first batch; and the same per annotator
of the vendor. A batch evaluated again counts by its latest evaluation. The
store is opened read-only.

JSON: {"store", "vendors": {V: {"batches": [{batch, evaluation_id,
evaluated_at, iou_type, iou, tp, fp, fn, gold, precision, recall, f1,
f1_change}], "f1_change", "f1_change_gold": {from, to}, "annotators": {A:
{"batches": [{batch, f1, f1_change, tp, fp, fn, gold}], "f1_change",
"f1_change_gold"}}, "warnings": [...]}}}. gold is the number of gold objects
an F1 rests on (tp + fn); a change from the first batch rests on the first
batch's gold and this one's, and f1_change_gold gives the overall change's
(first and last batch). f1 is null where it is undefined (no annotations); a
change is null where either F1 is; iou is absent for tags. The table gives the
same counts beside each F1 and change.]],
  options = {
    {name = "--store", arg = "DB", help = "the project store (default annovet.db)"},
    {name = "--vendor", arg = "V", help = "only this vendor"},
    output.option({"json", "table"}, "json (default) or table"),
  },
  run = function(opts, pos, cli)
    local path = opts.store or "annovet.db"
    local db <close> = cli.check(store.open(path, false))
    if db:info().schema < 2 then
      cli.fail(path .. ": the store has no evaluations to follow yet (schema v" .. db:info().schema ..
        "; `annovet compare --store` records them)")
    end
    local vendors = evaluations.drift(db, opts.vendor)
    if opts.vendor and not vendors[opts.vendor] then
      cli.fail(path .. ": no comparison of vendor '" .. opts.vendor .. "' is recorded")
    end
    output.write(opts.format, {json = {store = path, vendors = vendors},
      table = function() return table_text(path, vendors) end})
    return 0
  end,
}
