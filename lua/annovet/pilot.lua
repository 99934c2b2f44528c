-- The pilot verdict: reads a PILOT.lua (a policy file naming the gold panel, the
-- sample, each vendor's delivery, questionnaire, rate card and timesheets, the
-- SLA rules and the weights), scores every vendor against the gold panel with
-- missing gold items counted as missed, measures agreement and annotator
-- calibration, scores the scorecard, checks the SLA, prices the work where the
-- pricing module exists, and ranks the vendors.
--
--   M.load(path) -> pilot | nil, message (one line naming the file and the field)
--   M.run(pilot, opts) -> result | nil, message
--       opts: skip_missing_items (gold items a vendor lacks are left out, the old
--       behaviour), progress (function(msg))
--
-- Ranking (shown in the report with its weights): per vendor four components in
-- [0, 1], each relative to the best vendor, as public-sector price scores are
-- (weight x best / bid):
--   quality    = micro F1 / best micro F1          (missing gold items missed)
--   cost       = lowest cost per accepted asset / the vendor's
--   turnaround = fewest days / the vendor's days
--   scorecard  = the scorecard total (before its red-flag cap)
-- total = sum(weight x component) / sum(weights of the components computed);
-- a component no vendor has (no pricing module, no dates) is left out and said
-- so; then total = min(total, the smallest cap of the vendor's red flags).
local annovet = require "annovet"
local agree = require "annovet.agree"
local compare = require "annovet.compare"
local policy = require "annovet.policy"
local scorecard = require "annovet.scorecard"
local sources = require "annovet.pilot_sources"
local system = require "annovet.system"

local M = {}

M.COMPONENTS = {"quality", "cost", "turnaround", "scorecard"}
M.DEFAULT_WEIGHTS = {quality = 0.40, cost = 0.25, turnaround = 0.15, scorecard = 0.20}
M.DEFAULT_SCORECARD = "scorecards/buyers_guide.lua"

local SPEC = {name = "string?", gold = "string", sample = "string?", vendors = "table", sla = "string?",
  weights = "table?", iou = "number?", iou_type = "string?", sent = "string?", scorecard = "string?",
  accept_f1 = "number?", resamples = "integer?", seed = "integer?"}
local VENDOR_FIELDS = {name = true, delivery = true, double = true, questionnaire = true, rates = true,
  timesheets = true, delivered = true, batch = true}

local function fail(fmt, ...) return nil, string.format(fmt, ...) end

-- "2026-11-02" -> days since the epoch, or nil.
local function day_number(s)
  local y, m, d = tostring(s):match("^(%d%d%d%d)%-(%d%d)%-(%d%d)$")
  if not y then return nil end
  y, m, d = tonumber(y), tonumber(m), tonumber(d)
  if m < 1 or m > 12 or d < 1 or d > 31 then return nil end
  if m <= 2 then y = y - 1 end                 -- days from civil (H. Hinnant)
  local era = y // 400
  local yoe = y - era * 400
  local doy = (153 * (m + (m > 2 and -3 or 9)) + 2) // 5 + d - 1
  local doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
  return era * 146097 + doe - 719468
end
M.day_number = day_number

-- See the header.
function M.load(path)
  local p, err = policy.load(path, SPEC)
  if not p then return nil, err end
  local f = p.fields
  local dir = path:match("^(.*)/[^/]*$") or "."
  local function file(field, v, optional)
    if v == nil then
      if optional then return nil end
      return fail("%s: %s: no file named", path, field)
    end
    if type(v) ~= "string" or v == "" then return fail("%s: %s must be a file name", path, field) end
    local full = v:sub(1, 1) == "/" and v or (dir .. "/" .. v)
    if system.kind(full) ~= "file" then return fail("%s: %s: file '%s' not found (%s)", path, field, v, full) end
    return full
  end
  local pilot = {path = path, policy = p, name = rawget(f, "name") or path, iou = rawget(f, "iou") or 0.5,
    iou_type = rawget(f, "iou_type"), sent = rawget(f, "sent"), accept_f1 = rawget(f, "accept_f1") or 0.9,
    resamples = rawget(f, "resamples") or 1000, seed = rawget(f, "seed") or 1}
  if pilot.iou <= 0 or pilot.iou > 1 then return fail("%s: iou must be in (0, 1]", path) end
  if pilot.iou_type and not ({bbox = true, segm = true})[pilot.iou_type] then
    return fail("%s: iou_type must be bbox or segm, got '%s'", path, pilot.iou_type)
  end
  if pilot.sent and not day_number(pilot.sent) then
    return fail("%s: sent: expected a date YYYY-MM-DD, got '%s'", path, tostring(pilot.sent))
  end
  local e
  pilot.gold, e = file("gold", rawget(f, "gold"))
  if not pilot.gold then return nil, e end
  pilot.sample, e = file("sample", rawget(f, "sample"), true)
  if e then return nil, e end
  pilot.sla, e = file("sla", rawget(f, "sla"), true)
  if e then return nil, e end
  local sc = rawget(f, "scorecard")
  if sc then
    pilot.scorecard, e = file("scorecard", sc)
    if not pilot.scorecard then return nil, e end
  else
    pilot.scorecard, pilot.scorecard_bundled = M.DEFAULT_SCORECARD, true
  end
  local w = rawget(f, "weights") or M.DEFAULT_WEIGHTS
  pilot.weights = {}
  for k, v in pairs(w) do
    if not M.DEFAULT_WEIGHTS[k] then
      return fail("%s: weights: unknown component '%s' (quality, cost, turnaround, scorecard)", path, tostring(k))
    end
    if type(v) ~= "number" or v < 0 then return fail("%s: weights.%s must be a number >= 0", path, k) end
    pilot.weights[k] = v
  end
  for k in pairs(M.DEFAULT_WEIGHTS) do pilot.weights[k] = pilot.weights[k] or 0 end
  local vendors = rawget(f, "vendors")
  if #vendors == 0 then return fail("%s: vendors: at least one vendor", path) end
  pilot.vendors = {}
  local seen = {}
  for i, v in ipairs(vendors) do
    local where = string.format("vendors[%d]", i)
    if type(v) ~= "table" then return fail("%s: %s must be a table", path, where) end
    local name = rawget(v, "name")
    if type(name) ~= "string" or not name:match("^[%w_.-]+$") then
      return fail("%s: %s: name must be a word (letters, digits, _ . -)", path, where)
    end
    where = where .. " (" .. name .. ")"
    if seen[name] then return fail("%s: %s: the name is given twice", path, where) end
    seen[name] = true
    for k in pairs(v) do
      if not VENDOR_FIELDS[k] then
        return fail("%s: %s: unknown field '%s' (name, delivery, double, questionnaire, rates, timesheets, delivered, batch)",
          path, where, tostring(k))
      end
    end
    if rawget(v, "delivery") == nil then
      return fail("%s: %s: no delivery (every vendor needs the file it delivered)", path, where)
    end
    local out = {name = name, delivered_on = rawget(v, "delivered"), batch = rawget(v, "batch")}
    if out.batch ~= nil and type(out.batch) ~= "string" then return fail("%s: %s.batch must be a batch name", path, where) end
    for _, k in ipairs {"delivery", "double", "questionnaire", "rates", "timesheets"} do
      out[k], e = file(where .. "." .. k, rawget(v, k), k ~= "delivery")
      if e then return nil, e end
    end
    if out.delivered_on and not day_number(out.delivered_on) then
      return fail("%s: %s.delivered: expected a date YYYY-MM-DD, got '%s'", path, where, tostring(out.delivered_on))
    end
    pilot.vendors[#pilot.vendors + 1] = out
  end
  return pilot
end

-- Per item: true positives, false positives and negatives from the matches and
-- conflicts; an item is accepted when its F1 is at least accept_f1 (an item with
-- nothing on either side is accepted; a gold item not delivered has its objects
-- as missing conflicts, so it is not). Accepted assets: the accepted share of the
-- gold items judged (all sent; with --skip-missing-items those delivered) times
-- the sample sent (or delivered).
local function item_acceptance(res, accept_f1, delivered_gold)
  local counts = {}
  local function c(item)
    local x = counts[item] or {tp = 0, fp = 0, fn = 0}
    counts[item] = x
    return x
  end
  for m in res:matches() do c(m.item).tp = c(m.item).tp + 1 end
  for cf in res:conflicts() do
    local x = c(cf.item)
    local k = cf.kind
    if k == "missing" then x.fn = x.fn + 1
    elseif k == "extra" or k == "duplicate" then x.fp = x.fp + 1
    elseif k == "wrong_class" or k == "low_overlap" then x.fn, x.fp = x.fn + 1, x.fp + 1 end
  end
  local accepted, n = 0, 0
  for _, item in ipairs(delivered_gold) do
    n = n + 1
    local x = counts[item] or {tp = 0, fp = 0, fn = 0}
    local d = 2 * x.tp + x.fp + x.fn
    if d == 0 or 2 * x.tp / d >= accept_f1 then accepted = accepted + 1 end
  end
  return accepted, n
end

-- The formats whose deliveries record review stages (Label Studio: each
-- annotation and the ground truth that adjudicates). Elsewhere (COCO, YOLO, ...)
-- the absence of a review stage says nothing, so nothing is measured.
local REVIEW_FORMATS = {labelstudio = true}

-- The review stages a delivery records: {annotations, stages = {annotator, peer,
-- adjudicated}, passes (review stages beyond the annotator's), adjudicated
-- (annotations marked as adjudicated)}, or nil when its format records none.
local function review_stages(ds)
  if not REVIEW_FORMATS[ds:format()] then return nil end
  local n, stages, any = 0, {annotator = 0, peer = 0, adjudicated = 0}, false
  for a in ds:annotations() do
    n = n + 1
    if a.stage then
      any = true
      stages[a.stage] = (stages[a.stage] or 0) + 1
    end
  end
  if not any then return nil end
  local passes = (stages.peer > 0 and 1 or 0) + (stages.adjudicated > 0 and 1 or 0)
  return {annotations = n, stages = stages, passes = passes, adjudicated = stages.adjudicated}
end

-- Hours logged in a timesheet (CSV with an hours column), or nil and a message.
local function timesheet_hours(path)
  local f, err = io.open(path, "rb")
  if not f then return nil, err end
  local text = f:read("a")
  f:close()
  text = text:gsub("^#[^\n]*\n", ""):gsub("\n#[^\n]*", "")   -- comment lines, as annovet cost allows
  local rows, perr = scorecard.parse_csv(text)
  if not rows then return nil, path .. ": " .. perr end
  local col
  for i, h in ipairs(rows[1] or {}) do if h:lower() == "hours" then col = i end end
  if not col then return nil, path .. ": no hours column" end
  local total = 0
  for r = 2, #rows do
    local cell = rows[r][col]
    if cell and cell ~= "" then
      local x = tonumber(cell)
      if not x or x < 0 then return fail("%s: line %d: hours must be a number >= 0, got '%s'", path, r, cell) end
      total = total + x
    end
  end
  return total
end

local function file_set(ds)
  local set, n = {}, 0
  for it in ds:items() do
    if not set[it.file] then n = n + 1 end
    set[it.file] = true
  end
  return set, n
end

-- Agreement on a vendor's double-annotated items: Krippendorff's alpha (nominal)
-- of the classes of the shapes matched across annotators.
local function agreement(v, o)
  if not v.double then return nil, "no double-annotated items delivered" end
  local ds, err = annovet.load(v.double)
  if not ds then return nil, err end
  local data, info = agree.from_annotations(ds, {iou_type = o.iou_type, iou = o.iou})
  if not data then return nil, info end
  local r, cerr = agree.compute(data, {metric = "krippendorff_alpha", level = "nominal"})
  if not r then return nil, cerr end
  local items = select(2, file_set(ds))
  return {metric = "Krippendorff's alpha (nominal, classes of matched shapes)", value = r.value,
    undefined = r.undefined, units = r.units, raters = r.raters, items = items, clusters = info.clusters}
end

-- A vendor's turnaround from the store: its batch (named, or its only one), from
-- the batch's sent_at (else sent, PILOT.lua's) to its first delivery received.
-- Returns days, {batch, sent, received}; or nil and a message.
local function store_turnaround(db, v, sent)
  local store = require "annovet.store"
  local rows = v.batch and store.batches_named(db, v.batch, v.name)
  if not v.batch then
    local names = store.batch_names(db, v.name)
    if #names ~= 1 then
      return fail("%s: the store holds %d batches of vendor '%s': name one with the vendor's batch field", db:info().path,
        #names, v.name)
    end
    rows = store.batches_named(db, names[1], v.name)
  end
  local b = rows and rows[1]
  if not b then return fail("%s: no batch %s of vendor '%s'", db:info().path, tostring(v.batch), v.name) end
  local received
  for _, d in ipairs(store.deliveries_of(db, b.id)) do
    if not received or d.received_at < received then received = d.received_at end
  end
  local from = b.sent_at or sent
  if not from or not received then return fail("%s: batch '%s' of '%s' has no sent date (ingest --sent-at, or PILOT.lua's sent)",
    db:info().path, b.name, v.name) end
  return day_number(received:sub(1, 10)) - day_number(from:sub(1, 10)), {batch = b.name, sent = from, received = received}
end

-- See the header.
function M.run(pilot, opts)
  opts = opts or {}
  local say = opts.progress or function() end
  local notes = {}
  local function note(s) notes[#notes + 1] = s end

  local sc, serr = scorecard.load(pilot.scorecard, {bundled = pilot.scorecard_bundled})
  if not sc then return nil, serr end
  local answers = {}
  for _, v in ipairs(pilot.vendors) do
    if v.questionnaire then
      local a, aerr = scorecard.read_answers(v.questionnaire, sc)
      if not a then return nil, aerr end
      answers[v.name] = a
    end
  end

  say("pilot: reading the gold panel, the sample and " .. #pilot.vendors .. " deliveries")
  local paths = {pilot.gold}
  for _, v in ipairs(pilot.vendors) do paths[#paths + 1] = v.delivery end
  if pilot.sample then paths[#paths + 1] = pilot.sample end
  local all, lerr = compare.load(paths)
  if not all then return nil, lerr end
  local gold = all[1]
  local sample = pilot.sample and all[#all] or gold
  local sample_files, sent = file_set(sample)
  local gold_files, gold_n = file_set(gold)
  if pilot.sample then
    local outside = 0
    for f in pairs(gold_files) do if not sample_files[f] then outside = outside + 1 end end
    if outside > 0 then return fail("%s: %d gold items are not in the sample", pilot.path, outside) end
  end
  -- a vendor's item is the sample's item of the same file name, else of the same
  -- basename when only one has it (as compare pairs items: Label Studio's
  -- "/data/upload/a.jpg" is the gold's "a.jpg")
  local by_base = {}
  for f in pairs(sample_files) do
    local b = f:match("([^/\\]+)$") or f
    by_base[b] = by_base[b] == nil and f or false
  end
  local function as_sample(set)
    local out = {}
    for f in pairs(set) do
      local s = sample_files[f] and f or by_base[f:match("([^/\\]+)$") or f]
      out[s or f] = true
    end
    return out
  end
  local vds = {}
  for i, v in ipairs(pilot.vendors) do
    vds[i] = all[i + 1]
    local files = as_sample(file_set(vds[i]))
    local delivered = 0
    for f in pairs(files) do if sample_files[f] then delivered = delivered + 1 end end
    if delivered == 0 then
      return fail("%s: vendors[%d] (%s): none of the %s's items is in the delivery %s", pilot.path, i, v.name,
        pilot.sample and "sample" or "gold panel", v.delivery)
    end
    v.files = files
    v.sample_delivered = delivered
  end

  local o = {iou_type = pilot.iou_type or compare.default_type(gold, vds), iou = pilot.iou, matcher = "optimal",
    count_missing_items = not opts.skip_missing_items}
  sources.compare_options(o, pilot.resamples, pilot.seed)
  local prepared, perr = compare.prepare(gold, o)
  if not prepared then return nil, perr end
  local scored, rerr = compare.run_all(prepared, vds, o)
  if not scored then return nil, rerr end
  local vnames = {}
  for i, v in ipairs(pilot.vendors) do vnames[i] = v.name end
  local booted, berr = sources.bootstrap(scored, vnames, pilot.resamples, pilot.seed)
  if not booted and sources.statistics() then return nil, berr end

  local vendors = {}
  local best = {}
  for i, v in ipairs(pilot.vendors) do
    local r = scored[i]
    say(string.format("pilot: %s: F1 %s on %d of %d gold items", v.name,
      r.micro.f1 and string.format("%.4f", r.micro.f1) or "undefined", r.items.compared, r.items.gold))
    local delivered_gold = {}
    for f in pairs(gold_files) do if v.files[f] then delivered_gold[#delivered_gold + 1] = f end end
    table.sort(delivered_gold)
    -- every gold item sent is owed: one not delivered is not accepted (unless skipped)
    local judged_items = delivered_gold
    if not opts.skip_missing_items then
      judged_items = {}
      for f in pairs(gold_files) do judged_items[#judged_items + 1] = f end
      table.sort(judged_items)
    end
    local accepted, judged = item_acceptance(r, pilot.accept_f1, judged_items)
    local base = opts.skip_missing_items and v.sample_delivered or sent
    local x = {name = v.name, files = {delivery = v.delivery, questionnaire = v.questionnaire, rates = v.rates,
        timesheets = v.timesheets, double = v.double},
      res = r, micro = r.micro, macro = r.macro,
      delivery = {sent = sent, delivered = v.sample_delivered, gold_sent = gold_n, gold_delivered = #delivered_gold,
        missing_gold = r.items.not_delivered},
      acceptance = {accepted = accepted, judged = judged, accept_f1 = pilot.accept_f1,
        share = judged > 0 and accepted / judged or nil}}
    x.acceptance.base = base
    x.acceptance.assets = x.acceptance.share and x.acceptance.share * base or nil
    -- dates
    if opts.store then
      local db, derr = require("annovet.store").open(opts.store, false)
      if not db then return nil, derr end
      local days, from = store_turnaround(db, v, pilot.sent)
      db:close()
      if not days then return nil, from end
      x.days, x.days_from = days, {source = "store", batch = from.batch, sent = from.sent, received = from.received}
    elseif pilot.sent and v.delivered_on then
      x.days = day_number(v.delivered_on) - day_number(pilot.sent)
      x.days_from = {source = "PILOT.lua", sent = pilot.sent, received = v.delivered_on}
    end
    -- hours
    if v.timesheets then
      local h, herr = timesheet_hours(v.timesheets)
      if not h then return nil, herr end
      x.hours = h
    end
    -- review stages, where the delivery records them
    x.review = review_stages(vds[i])
    -- agreement and calibration
    x.agreement, x.agreement_missing = agreement(v, o)
    if x.agreement_missing and v.double then return nil, x.agreement_missing end
    x.annotators = {}
    for name, a in pairs(r.annotators) do
      if name ~= compare.UNATTRIBUTED then
        x.annotators[#x.annotators + 1] = {name = name, f1 = a.micro.f1, objects = a.micro.tp + a.micro.fn,
          precision = a.micro.precision, recall = a.micro.recall}
      end
    end
    table.sort(x.annotators, function(p, q) return p.name < q.name end)
    -- statistics
    x.interval, x.interval_missing = sources.interval(r)
    x.class_intervals = sources.class_intervals(r)
    x.by_size, x.by_size_missing = sources.by_size(r)
    -- cost
    local cost, cerr = sources.cost(v, vds[i])
    if cost then
      x.cost = cost
      if x.acceptance.assets and x.acceptance.assets > 0 then
        cost.per_unit.per_accepted, cost.per_unit.per_accepted_text = sources.per_accepted(cost.per_unit, x.acceptance.assets, cost.currency)
        if cost.per_hour then
          cost.per_hour.per_accepted, cost.per_hour.per_accepted_text = sources.per_accepted(cost.per_hour, x.acceptance.assets, cost.currency)
        end
      end
      x.cost_per_accepted = cost.per_unit.per_accepted
      if cost.per_hour and cost.per_hour.hours then x.hours = tonumber(cost.per_hour.hours) end   -- exact, as priced
    else
      x.cost_missing = cerr
    end
    vendors[i] = x
    if r.micro.f1 then best.f1 = math.max(best.f1 or 0, r.micro.f1) end
    if x.cost_per_accepted then best.cost = math.min(best.cost or math.huge, x.cost_per_accepted) end
    if x.days then best.days = math.min(best.days or math.huge, math.max(x.days, 1)) end
  end

  -- scorecards, with the measurements
  for _, x in ipairs(vendors) do
    local m = {f1 = x.micro.f1, delivered = x.delivery.delivered, sent = x.delivery.sent, days = x.days,
      cost_per_accepted = x.cost_per_accepted, cheapest_per_accepted = best.cost,
      agreement = x.agreement and {value = x.agreement.value, metric = "Krippendorff's alpha", units = x.agreement.units},
      annotators = x.annotators, review = x.review}
    local card, cerr = scorecard.score(sc, answers[x.name], m)
    if not card then return nil, cerr end
    x.scorecard = card
    x.questionnaire_missing = answers[x.name] == nil and "no questionnaire named" or nil
  end

  -- SLA
  local sla_rules
  for i, x in ipairs(vendors) do
    if pilot.sla then
      local per_class = {}
      for name, s in pairs(x.res.per_class) do
        per_class[name] = {f1 = s.f1, precision = s.precision, recall = s.recall, gold = s.gold, vendor = s.vendor}
      end
      local batch = {vendor = x.name,
        evaluation = {micro = {f1 = x.micro.f1, precision = x.micro.precision, recall = x.micro.recall},
          per_class = per_class},
        agreement = x.agreement and {value = x.agreement.value, units = x.agreement.units} or nil,
        delivery = {sent = x.delivery.sent, delivered = x.delivery.delivered, gold_sent = x.delivery.gold_sent,
          gold_delivered = x.delivery.gold_delivered},
        dates = {sent = pilot.sent, delivered = pilot.vendors[i].delivered_on, days = x.days}}
      local r, err = sources.sla(pilot.sla, batch)
      if not r then return nil, err end
      x.sla = r
      sla_rules = r.rules
    end
  end

  -- ranking
  local have = {quality = best.f1 ~= nil, cost = best.cost ~= nil, turnaround = best.days ~= nil, scorecard = true}
  local left_out = {}
  for _, k in ipairs(M.COMPONENTS) do
    if pilot.weights[k] > 0 and not have[k] then
      left_out[#left_out + 1] = {component = k, weight = pilot.weights[k],
        reason = k == "cost" and ("cost: " .. (vendors[1].cost_missing or "no vendor could be priced")) or
          (k == "turnaround" and "turnaround: no sent and delivered dates in the pilot file") or
          (k .. ": not measured")}
    end
  end
  for _, x in ipairs(vendors) do
    local c = {}
    c.quality = x.micro.f1 and best.f1 and best.f1 > 0 and x.micro.f1 / best.f1 or (have.quality and 0 or nil)
    c.cost = have.cost and (x.cost_per_accepted and best.cost / x.cost_per_accepted or 0) or nil
    c.turnaround = have.turnaround and (x.days and best.days / math.max(x.days, 1) or 0) or nil
    c.scorecard = x.scorecard.total or 0
    local sum, wsum = 0, 0
    for _, k in ipairs(M.COMPONENTS) do
      if c[k] and pilot.weights[k] > 0 then
        sum = sum + pilot.weights[k] * c[k]
        wsum = wsum + pilot.weights[k]
      end
    end
    x.components = c
    x.uncapped = wsum > 0 and sum / wsum or 0
    x.cap = x.scorecard.cap
    x.total = x.cap and math.min(x.uncapped, x.cap) or x.uncapped
  end
  local order = {}
  for i, x in ipairs(vendors) do order[i] = x end
  table.sort(order, function(a, b)
    if a.total ~= b.total then return a.total > b.total end
    if (a.micro.f1 or 0) ~= (b.micro.f1 or 0) then return (a.micro.f1 or 0) > (b.micro.f1 or 0) end
    return a.name < b.name
  end)
  for i, x in ipairs(order) do x.rank = i end

  -- quality differences between the leader and the others
  local differences = {}
  for i = 2, #order do
    local d, why = sources.paired(order[1].name, order[i].name)
    differences[#differences + 1] = {a = order[1].name, b = order[i].name,
      f1_a = order[1].micro.f1, f1_b = order[i].micro.f1, paired = d, missing = not d and why or nil}
  end

  if not sources.statistics() then note("intervals: " .. sources.MISSING.statistics) end
  for _, l in ipairs(left_out) do note(l.reason .. string.format(" (its weight %.2f is left out)", l.weight)) end

  return {pilot = pilot, name = pilot.name, scorecard = sc, scorecard_evidence = policy.evidence(sc.policy),
    pilot_evidence = policy.evidence(pilot.policy), sla_rules = sla_rules,
    iou_type = o.iou_type, iou = o.iou, missing_items = opts.skip_missing_items and "left out" or "counted as missed",
    vendors = vendors, order = order, weights = pilot.weights, left_out = left_out, differences = differences,
    notes = notes, statistics = sources.statistics(), sent = sent, gold_n = gold_n}
end


return M
