-- The contract in force: SLA rule files (policy files returning {contract,
-- clauses = {{name, text, check}...}, params}) run in the sandbox against a
-- batch, and the decision recorded in the log.
--
-- The batch a check receives (a fresh copy per clause; JSON nulls are nil):
--   name, vendor, state, rework_of (the name of the batch it reworks, or nil),
--   items, annotations (of its deliveries),
--   guidelines = {batch = V, gold = V, mismatch = bool},
--   evaluation = {id, iou, iou_type, matcher, per_class = {CLASS = {tp, fp, fn,
--     precision, recall, f1, mean_iou, gold, vendor}}, micro, macro,
--     conflicts = {{item, kind, gold_class, vendor_class, iou, annotator}...}},
--   agreement = {alpha, items, units, raters} on the items of the delivery that
--     two or more annotators annotated (Krippendorff's alpha, nominal, of the
--     classes of their shapes matched across annotators as `agree
--     --from-annotations` does), or nil when there are none,
--   dates = {sent_at, received_at, turnaround_business_days, rework = {rejected_at,
--     received_at, business_days} (rework batches)}: business days are Monday to
--     Friday after the first date up to the second, less params.holidays,
--   audit_sample = M.audit_sample's table once sla sample and sla record gave the
--     batch's audit (as of the decision when recomputed), else nil.
-- check(batch, params) returns true or false and a table of plain data (the
-- numbers, threshold, failed_classes, failed_items). A check that raises, hits
-- a limit, or returns anything else fails its clause with the script's line.
local annovet = require "annovet"
local dates = require "annovet.dates"
local log = require "annovet.log"
local policy = require "annovet.policy"
local store = require "annovet.store"
local system = require "annovet.system"

local json = annovet.json

local M = {}

M.SPEC = {contract = "string?", clauses = "table"}

-- Loads and checks a rule file: the policy, or nil and a message naming the file
-- (and the clause) at fault.
function M.load(path, params)
  local p, err = policy.load(path, M.SPEC, {bundled = true, params = params})
  if not p then return nil, err end
  local clauses = rawget(p.fields, "clauses")
  local n = #clauses
  if n == 0 then return nil, path .. ": 'clauses' holds no clause" end
  local seen = {}
  for i = 1, n do
    local c = rawget(clauses, i)
    if type(c) ~= "table" then return nil, string.format("%s: clauses[%d] is a %s, not a table", path, i, type(c)) end
    for field, t in pairs {name = "string", text = "string", check = "function"} do
      if type(rawget(c, field)) ~= t then
        return nil, string.format("%s: clauses[%d] needs a field '%s' (a %s)", path, i, field, t)
      end
    end
    if seen[rawget(c, "name")] then
      return nil, string.format("%s: two clauses are named '%s'", path, rawget(c, "name"))
    end
    seen[rawget(c, "name")] = true
  end
  if p.source == "embedded" then
    p.bytes = system.embedded(path)
  else
    local f = io.open(path, "rb")
    p.bytes = f and f:read("a")
    if f then f:close() end
  end
  if not p.bytes or annovet.sha256(p.bytes) ~= p.sha256 then return nil, path .. ": changed while it was loaded" end
  return p
end

-- A copy of v with JSON nulls removed (tables as plain tables).
local function denull(v)
  if v == json.null then return nil end
  if type(v) ~= "table" then return v end
  local out = {}
  for k, x in pairs(v) do out[k] = denull(x) end
  return out
end
M.denull = denull

local SCORE_KEYS = {"tp", "fp", "fn", "precision", "recall", "f1", "mean_iou", "gold", "vendor", "ignored"}

local function scores(t)
  local out = {}
  for _, k in ipairs(SCORE_KEYS) do out[k] = denull(t[k]) end
  return out
end

-- Krippendorff's alpha over the delivery's items that several annotators did,
-- or nil (and why).
local function agreement(db, deliveries, evaluation)
  local agree = require "annovet.agree"
  local d = deliveries[1]
  if not d then return nil, "no delivery" end
  local bytes = store.blob(db, d.sha256)
  if not bytes then return nil, "the delivery's bytes are not stored" end
  local name = os.tmpname()
  local path = name .. "-" .. (d.path:match("([^/\\]+)$") or "delivery.json")
  local f = io.open(path, "wb")
  if not f then os.remove(name) return nil, "cannot write a temporary file" end
  f:write(bytes)
  f:close()
  local ok, res, why = pcall(function()
    local ds, err = annovet.load(path)
    if not ds then return nil, err end
    local who = {}
    for a in ds:annotations() do
      if a.annotator then
        who[a.file] = who[a.file] or {}
        who[a.file][a.annotator] = true
      end
    end
    local double, items = {}, 0
    for file, set in pairs(who) do
      local n = 0
      for _ in pairs(set) do n = n + 1 end
      if n >= 2 then double[file] = true; items = items + 1 end
    end
    if items == 0 then return nil, "no item has two annotators" end
    local sub = ds:select(function(a) return double[a.file] == true end)
    local data, derr = agree.from_annotations(sub, {iou_type = evaluation.iou_type, iou = evaluation.iou})
    if not data then return nil, derr end
    local r, cerr = agree.compute(data, {metric = "krippendorff_alpha", level = "nominal"})
    if not r then return nil, cerr end
    return {alpha = r.value, items = items, units = r.units, raters = r.raters, undefined = r.undefined}
  end)
  os.remove(path)
  os.remove(name)
  if not ok then return nil, tostring(res) end
  return res, why
end

-- The batch's audit sample (annovet sla sample and sla record) when its result was
-- recorded (before decision before_id, when given, so a recomputation sees what the
-- decision saw): {lot_id, size, items, seed, level, inspection, outcome, grades =
-- {{grade, aql, found, accept, reject, verdict}...}, and for the first grade
-- defects, acceptance_number, aql}; or nil.
function M.audit_sample(db, batch_id, before_id)
  local lot = store.sla_lot(db, batch_id)
  if not lot or not lot.outcome then return nil end
  if before_id then
    local d = store.decision(db, before_id)
    if d and lot.recorded_at > d.created_at then return nil end
  end
  local grades = json.decode(lot.defects)
  local g = grades[1] or {}
  return {lot_id = lot.id, size = lot.sample_size, items = json.decode(lot.item_ids), seed = lot.seed, level = lot.level,
    inspection = lot.inspection, outcome = lot.outcome, grades = grades,
    defects = g.found, acceptance_number = g.accept, aql = g.aql}
end

-- The batch table for the rules (see the header), and the facts the decision
-- records: {evaluation row, gold row, deliveries}. nil and a message when the
-- batch has no evaluation.
function M.batch_table(db, b, params, asof)
  asof = asof or {}
  local ev = asof.evaluation_id and store.evaluation(db, asof.evaluation_id) or store.latest_evaluation(db, b.id)
  if not ev then
    return nil, string.format("batch '%s' of vendor '%s' has no evaluation: run annovet compare --store ... " ..
      "--vendor %s=FILE --batch %s first", b.name, b.vendor, b.vendor, b.name)
  end
  local result, eparams = json.decode(ev.result), json.decode(ev.params)
  local gold = ev.gold_id and store.gold_by_id(db, ev.gold_id)
  local deliveries = store.deliveries_of(db, b.id)
  local per_class = {}
  for class, r in pairs(result.per_class or {}) do per_class[class] = scores(r) end
  local conflicts = {}
  for i, c in ipairs(result.conflicts or {}) do
    conflicts[i] = {item = c.item, kind = c.kind, gold_class = denull(c.gold_class),
      vendor_class = denull(c.vendor_class), iou = denull(c.iou), annotator = denull(c.annotator),
      attribute = denull(c.attribute)}
  end
  local items, annotations, received = 0, 0, nil
  for _, d in ipairs(deliveries) do
    items, annotations = items + (d.items or 0), annotations + (d.annotations or 0)
    if not received or d.received_at < received then received = d.received_at end
  end
  local holidays = type(params.holidays) == "table" and params.holidays or {}
  local dt = {sent_at = b.sent_at, received_at = received}
  if b.sent_at and received then dt.turnaround_business_days = dates.business_days(b.sent_at, received, holidays) end
  local rework_of
  if b.rework_of then
    local orig = store.batch(db, b.rework_of)
    rework_of = orig and orig.name
    local rej = store.latest_decision(db, b.rework_of, "acceptance", asof.before_decision)
    dt.rework = {received_at = received}
    if rej and rej.outcome == "rejected" then
      dt.rework.rejected_at = rej.created_at
      if received then dt.rework.business_days = dates.business_days(rej.created_at, received, holidays) end
    end
  end
  local agr, agr_why = agreement(db, deliveries, {iou_type = eparams.iou_type, iou = eparams.iou})
  local audit = M.audit_sample(db, b.id, asof.before_decision)
  local gv, bv = gold and gold.guidelines_version, b.guidelines_version
  local batch = {
    id = b.id, name = b.name, vendor = b.vendor, state = b.state, rework_of = rework_of,
    items = items, annotations = annotations,
    guidelines = {batch = bv, gold = gv, mismatch = gv ~= bv},
    evaluation = {id = ev.id, iou = eparams.iou, iou_type = eparams.iou_type, matcher = eparams.matcher,
      per_class = per_class, micro = scores(result.micro or {}), macro = denull(result.macro),
      conflicts = conflicts},
    agreement = agr,
    dates = dt,
    audit_sample = audit,
  }
  return batch, {evaluation = ev, gold = gold, deliveries = deliveries, agreement_note = not agr and agr_why or nil}
end

local function deep_copy(v)
  if type(v) ~= "table" then return v end
  local out = {}
  for k, x in pairs(v) do out[k] = deep_copy(x) end
  return out
end

-- Runs every clause of p on batch: {{name, text, passed, details, error}...}
-- and whether all passed.
function M.run(p, batch)
  local out, all = {}, true
  local clauses = rawget(p.fields, "clauses")
  local params = rawget(p.fields, "params")
  for i = 1, #clauses do
    local c = rawget(clauses, i)
    local r = {name = rawget(c, "name"), text = rawget(c, "text")}
    local ok, passed, details = policy.call(p, rawget(c, "check"), deep_copy(batch), params)
    if not ok then
      r.passed, r.error = false, passed
    elseif type(passed) ~= "boolean" then
      r.passed = false
      r.error = string.format("%s: clause '%s': check returned %s, not true or false", p.path, r.name,
        passed == nil and "nothing" or ("a " .. type(passed)))
    else
      local plain, perr = details == nil and {} or policy.plain(details, "details")
      if plain == nil then
        r.passed, r.error = false, string.format("%s: clause '%s': %s", p.path, r.name, perr)
      else
        r.passed, r.details = passed, plain
      end
    end
    all = all and r.passed
    out[#out + 1] = r
  end
  return out, all
end

-- The batch the command line names: the row, or nil and a message with the
-- nearest known name.
function M.find_batch(db, name, vendor)
  local names = require "annovet.names"
  if vendor and not store.vendor_id(db, vendor) then
    return nil, "--vendor: " .. names.unknown("vendor", vendor, store.vendor_names(db))
  end
  local rows = store.batches_named(db, name, vendor)
  if #rows == 0 then
    return nil, "--batch: " .. names.unknown("batch", name, store.batch_names(db, vendor))
  end
  if #rows > 1 then
    local vs = {}
    for _, r in ipairs(rows) do vs[#vs + 1] = r.vendor end
    return nil, string.format("--batch: vendors %s each have a batch '%s': name one with --vendor",
      table.concat(vs, ", "), name)
  end
  return rows[1]
end

-- Checks batch b against the rules p and records the decision (kind
-- 'acceptance', outcome 'accepted' or 'rejected') in the log, in one
-- transaction. Returns the report printed by `sla check`, or nil and a message.
function M.check(db, b, p)
  local params = rawget(p.fields, "params")
  local batch, facts = M.batch_table(db, b, params)
  if not batch then return nil, facts end
  local results, all = M.run(p, batch)
  local ev, gold = facts.evaluation, facts.gold
  local rule_name = p.path:match("([^/\\]+)$") or "rules.lua"
  local outcome = all and "accepted" or "rejected"
  local failed_classes, failed_items, seen_c, seen_i = {}, {}, {}, {}
  for _, r in ipairs(results) do
    local d = r.details or {}
    for _, c in ipairs(type(d.failed_classes) == "table" and d.failed_classes or {}) do
      if not seen_c[c] then seen_c[c] = true; failed_classes[#failed_classes + 1] = c end
    end
    for _, it in ipairs(type(d.failed_items) == "table" and d.failed_items or {}) do
      if not seen_i[it] then seen_i[it] = true; failed_items[#failed_items + 1] = it end
    end
  end
  local delivery_list = {}
  for i, d in ipairs(facts.deliveries) do
    delivery_list[i] = {id = d.id, path = d.path, format = d.format, sha256 = d.sha256, items = d.items,
      received_at = d.received_at}
  end
  local payload = {
    batch = {id = b.id, name = b.name, vendor = b.vendor, rework_of = batch.rework_of},
    contract = rawget(p.fields, "contract"),
    rules = policy.evidence(p), rules_file = rule_name,
    clauses = json.array(results),
    failed_classes = json.array(failed_classes), failed_items = json.array(failed_items),
    inputs = {per_class = batch.evaluation.per_class, micro = batch.evaluation.micro, agreement = batch.agreement,
      agreement_note = facts.agreement_note, dates = batch.dates, items = batch.items,
      annotations = batch.annotations, audit_sample = batch.audit_sample or json.null},
    evaluation = {id = ev.id, iou = batch.evaluation.iou, iou_type = batch.evaluation.iou_type,
      script_sha256 = ev.script_sha256, input_sha256 = ev.input_sha256},
    gold = gold and {id = gold.id, name = gold.name, version = gold.version, sha256 = gold.sha256,
      guidelines_version = gold.guidelines_version} or {sha256 = ev.gold_sha256},
    guidelines = batch.guidelines,
    deliveries = json.array(delivery_list),
    tool_version = annovet.version, tool_commit = annovet.commit,
  }
  local ok, id, hash, at = pcall(store.transaction, db, function()
    store.put_blob(db, p.sha256, p.bytes)
    local did, h, t = log.decide(db, {evaluation_id = ev.id, batch_id = b.id, kind = "acceptance",
      outcome = outcome, payload = payload})
    store.set_batch_state(db, b.id, outcome)
    return did, h, t
  end)
  if not ok then return nil, tostring(id) end
  return {
    batch = b.name, vendor = b.vendor, outcome = outcome, passed = all, decision_id = id, decision_hash = hash,
    decided_at = at, rules = payload.rules, contract = payload.contract, clauses = payload.clauses,
    failed_classes = payload.failed_classes, failed_items = payload.failed_items,
    guidelines = batch.guidelines, evaluation_id = ev.id,
  }
end

-- Recomputes acceptance decision row d (every column) from what the store holds:
-- the rule script's bytes, its recorded parameters, the evaluation it used.
-- Returns false when the clauses give what was recorded, the first difference
-- {field, recorded, recomputed}, or nil and why it cannot be recomputed.
function M.recompute(db, d)
  if d.kind ~= "acceptance" then return nil, "not an acceptance decision" end
  local payload = json.decode(d.payload)
  if type(payload) ~= "table" or type(payload.rules) ~= "table" then return {field = "payload", recorded = d.payload} end
  local bytes = store.blob(db, payload.rules.sha256 or "")
  if not bytes then return nil, "the rule script's bytes are not in the store" end
  local b = store.batch(db, d.batch_id)
  if not b then return {field = "batch_id", recorded = d.batch_id} end
  local name = os.tmpname()
  local path = name .. "-" .. (tostring(payload.rules_file or "rules.lua"):gsub("[^%w_.-]", "_"))
  local f = io.open(path, "wb")
  if not f then os.remove(name) return nil, "cannot write a temporary file" end
  f:write(bytes)
  f:close()
  local p, err = M.load(path, denull(payload.rules.params))
  os.remove(path)
  os.remove(name)
  if not p then return {field = "payload.rules", recorded = payload.rules.path, recomputed = "(does not load: " .. err .. ")"} end
  local batch, facts = M.batch_table(db, b, rawget(p.fields, "params"),
    {evaluation_id = d.evaluation_id, before_decision = d.id})
  if not batch then return nil, facts end
  local results, all = M.run(p, batch)
  local outcome = all and "accepted" or "rejected"
  if outcome ~= d.outcome then return {field = "outcome", recorded = d.outcome, recomputed = outcome} end
  local evaluations = require "annovet.evaluations"
  for i, r in ipairs(results) do
    local rec = payload.clauses and payload.clauses[i]
    if type(rec) ~= "table" then return {field = string.format("payload.clauses[%d]", i), recorded = json.null} end
    if rec.passed ~= r.passed then
      return {field = string.format("payload.clauses[%d].passed", i), recorded = rec.passed, recomputed = r.passed}
    end
    local path2, x, y = evaluations.number_difference(rec.details, r.details)
    if path2 then
      return {field = string.format("payload.clauses[%d].details%s", i, path2), recorded = x == nil and json.null or x,
        recomputed = y == nil and json.null or y}
    end
  end
  return false
end

return M
