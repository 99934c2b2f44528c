-- annovet sla sample: draws a lot's audit sample, reproducibly, and records it.
local aql = require "annovet.aql"
local delivery = require "annovet.delivery"
local annovet = require "annovet"
local json = annovet.json
local lots = require "annovet.sla.lots"
local plan_cmd = require "annovet.sla.plan"
local store = require "annovet.store"

local M = {}

M.summary = "draws a batch's audit sample (seeded, optionally stratified by class) and records it"
M.usage = "annovet sla sample --store DB --batch B [--vendor V] --aql A --seed S [--lot N] [--level L] " ..
  "[--count defectives|defects] [--stratify class] [--inspection I] [--approve-reduced]"
M.help = [[
Treats batch B as one lot: its items are those of its deliveries (by file
name). The inspection (normal, tightened, reduced) follows the switching rules
of MIL-STD-105E 8.3 over the vendor's earlier lots, in the order they were
sampled, from the results `annovet sla record` stored:
  normal -> tightened when 2 of 5 consecutive lots are rejected (8.3.1);
  tightened -> normal after 5 consecutive lots accepted (8.3.2);
  normal -> reduced when the preceding 10 lots were on normal inspection and
    accepted, production was steady, and the responsible authority approves
    (--approve-reduced), having checked 105E's limit number (Table VIII, not
    encoded here; the JSON gives the defects and units of those 10 samples);
  reduced -> normal when a lot is rejected, accepted between Ac and Re, or
    production was irregular (sla record --irregular) (8.3.4);
  after 10 consecutive lots on tightened inspection, inspection is
    discontinued (8.4): exit 1, until --inspection names a severity.
--inspection overrides the rules (the responsible authority's decision) and is
recorded as such.

The sample is the largest n among the grades' plans, drawn with xoshiro256**
seeded by splitmix64 from --seed (the same seed gives the same items on every
machine) by a partial Fisher-Yates shuffle of the items sorted by name. With
--stratify class, items are grouped by their most frequent class (ties: the
first name; items without annotations form "(none)"), n is split over the
groups in proportion to their size (largest remainder), each group is drawn in
turn and the sample is then shuffled with the same generator. A grade whose
plan has a smaller n is judged on the first n items of the list.

The lot is recorded once: sampling a batch again prints the recorded sample
(same seed and plan) or refuses (anything else). A new lot is refused while an
earlier lot of the vendor has no recorded result.]]
M.options = {
  {name = "--store", arg = "DB", help = "the project store (default annovet.db)"},
  {name = "--batch", arg = "B", help = "the batch (lot) to sample"},
  {name = "--vendor", arg = "V", help = "the batch's vendor (when several have batch B)"},
  {name = "--lot", arg = "N", integer = true, min = 1, help = "lot size; must equal the batch's item count (default: that count)"},
  {name = "--aql", arg = "A", help = "AQL, or grade=AQL,... for critical, major, minor"},
  {name = "--level", arg = "L", help = "inspection level I, II (default), III, S1..S4"},
  {name = "--count", arg = "C", help = "defectives (default) or defects (per 100 units)"},
  {name = "--seed", arg = "S", integer = true, min = 0, help = "the draw's seed, a whole number (required)"},
  {name = "--stratify", arg = "class", help = "stratify the sample by class"},
  {name = "--inspection", arg = "I", help = "override the switching rules: normal, tightened, reduced"},
  {name = "--approve-reduced", help = "the responsible authority approves reduced inspection"},
}

-- The items of a batch: {ids (sorted file names), class (id -> main class)}.
local function batch_items(db, path, batch_id, cli)
  local ids, class, seen = {}, {}, {}
  local deliveries = store.deliveries_of(db, batch_id)
  if #deliveries == 0 then cli.fail(path .. ": the batch has no deliveries to sample") end
  for _, d in ipairs(deliveries) do
    local ds, msg = delivery.load(db, d)
    if not ds then cli.fail(path .. ": " .. msg) end
    local counts = {}
    for a in ds:annotations() do
      if a.category then
        local c = counts[a.file] or {}
        counts[a.file] = c
        c[a.category] = (c[a.category] or 0) + 1
      end
    end
    for it in ds:items() do
      if not seen[it.file] then
        seen[it.file] = true
        ids[#ids + 1] = it.file
        local best, bn = "(none)", 0
        local names = {}
        for name in pairs(counts[it.file] or {}) do names[#names + 1] = name end
        table.sort(names)
        for _, name in ipairs(names) do
          if counts[it.file][name] > bn then best, bn = name, counts[it.file][name] end
        end
        class[it.file] = best
      end
    end
    ds:close()
  end
  table.sort(ids)
  return ids, class
end

local function draw(ids, class, n, seed, stratify)
  local below = aql.rng(seed)
  if not stratify then return aql.draw(ids, n, below) end
  local by, strata = {}, {}
  for _, id in ipairs(ids) do
    local c = class[id]
    if not by[c] then
      by[c] = {name = c, ids = {}}
      strata[#strata + 1] = by[c]
    end
    table.insert(by[c].ids, id)
  end
  table.sort(strata, function(a, b) return a.name < b.name end)
  aql.allocate(strata, n)
  local out, alloc = {}, {}
  for _, s in ipairs(strata) do
    for _, id in ipairs(aql.draw(s.ids, s.take, below)) do out[#out + 1] = id end
    alloc[s.name] = {items = #s.ids, sampled = s.take}
  end
  return aql.draw(out, #out, below), alloc
end

function M.run(opts, pos, cli)
  if pos[1] then cli.usage_error("unexpected argument '" .. pos[1] .. "'", M) end
  if not opts.batch or opts.batch == "" then cli.usage_error("--batch is required", M) end
  if not opts.seed then cli.usage_error("--seed is required (the draw must be reproducible)", M) end
  local seed = opts.seed
  if opts.stratify and opts.stratify ~= "class" then
    cli.fail("--stratify: only 'class' is known, got '" .. opts.stratify .. "'")
  end
  local level, grades, count, forced = plan_cmd.check_options(opts, cli)
  local path = opts.store or "annovet.db"
  local db <close> = lots.open(path, cli)
  local b = lots.batch(db, path, opts.batch, opts.vendor, cli)

  local old = store.sla_lot(db, b.batch_id)
  if old then
    local lot = lots.decode(old)
    if old.seed ~= seed or old.level ~= level or (forced and forced ~= old.inspection)
        or (old.stratify or false) ~= (opts.stratify or false) or old.measure ~= count then
      cli.fail(string.format("%s: batch '%s' was sampled already (%s, seed %d, %s inspection): a lot is " ..
        "sampled once", path, b.batch, old.created_at, old.seed, old.inspection))
    end
    lot.vendor, lot.batch, lot.status = b.vendor, b.batch, "already sampled"
    cli.print_json(lot)
    return 0
  end

  local history, pending = lots.history(db, b.vendor_id)
  if pending then
    local pb = store.batch(db, pending.batch_id)
    cli.fail(string.format("%s: the lot of batch '%s' (sampled %s) has no result yet: record it first " ..
      "(annovet sla record), the switching rules need it", path, pb.name, pending.created_at))
  end
  local state = lots.next_inspection(history)
  local inspection = state.inspection
  if forced then
    inspection = forced
  elseif state.discontinued then
    cli.fail(path .. ": " .. state.reason .. " (105E 8.4); --inspection resumes it", 1)
  elseif opts.approve_reduced then
    if state.reduced_allowed then
      inspection = "reduced"
    else
      cli.warn("--approve-reduced: reduced inspection may not be instituted yet (105E 8.3.3): " .. state.reason)
    end
  end

  local ids, class = batch_items(db, path, b.batch_id, cli)
  local lot = #ids
  if lot == 0 then cli.fail(path .. ": the batch's deliveries hold no items") end
  if opts.lot then
    local l = opts.lot
    if l ~= lot then
      cli.fail(string.format("--lot %d: batch '%s' holds %d items; the lot is the batch", l, b.batch, lot))
    end
  end
  local plans, n = aql.plans(lot, level, grades, inspection)
  local items, strata = draw(ids, class, n, seed, opts.stratify)
  local res = plan_cmd.result(lot, level, inspection, count, plans, n)
  local switching = lots.state_json(state, history)
  switching.inspection_set_by = forced and "--inspection" or
    (inspection == "reduced" and "--approve-reduced") or "switching rules"
  local version, commit = annovet.version, annovet.commit
  local id = store.transaction(db, function()
    return store.sla_insert_lot(db, {
      batch_id = b.batch_id, vendor_id = b.vendor_id, lot_size = lot, level = level, inspection = inspection,
      measure = count, seed = seed, stratify = opts.stratify, sample_size = n,
      plans = json.encode(res.grades), item_ids = json.encode(json.array(items)),
      switching = json.encode(switching), tool_version = version .. " (" .. commit .. ")",
    })
  end)
  local out = {status = "sampled", lot_id = id, vendor = b.vendor, batch = b.batch, store = path,
    lot_size = lot, level = level, inspection = inspection, count = count, seed = seed,
    stratify = opts.stratify or json.null, strata = strata, sample_size = n, inspect_all = res.inspect_all,
    plans = res.grades, switching = switching, items = json.array(items), source = aql.source}
  cli.print_json(out)
  return 0
end

return M
