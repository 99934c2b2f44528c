-- Evaluations in the store: recording a comparison with its provenance (tool
-- version and commit, the gold file's SHA-256 and gold-panel row, the vendor
-- file's delivery row, the parameters, the result), and reading them back as
-- drift across batches. The SQL is annovet.store's.
local json = require("annovet").json
local store = require "annovet.store"

local M = {}

-- Records one evaluation; e: {kind, vendor, batch, gold_id, gold_sha256,
-- delivery_id, input_path, input_sha256, tool_version, tool_commit, params,
-- result} (params and result are tables, stored as JSON). Returns its id.
function M.record(db, e)
  local row = {}
  for k, v in pairs(e) do row[k] = v end
  row.params, row.result = json.encode(e.params), json.encode(e.result)
  return store.insert_evaluation(db, row)
end

local function f1_of(m)
  if type(m) ~= "table" then return nil end
  local f1 = m.f1
  if f1 == json.null then return nil end
  return f1
end

local function change(v, first)
  if v == nil or first == nil then return json.null end
  return v - first
end

-- The gold objects an F1 rests on (TP + FN of its counts), or nil.
local function gold_of(m)
  if type(m) ~= "table" or type(m.tp) ~= "number" or type(m.fn) ~= "number" then return nil end
  return m.tp + m.fn
end

-- Drift of every vendor (or one): per vendor and per annotator, the micro F1 of
-- each batch in the order the batches were first evaluated, with its change
-- from the first batch. A batch evaluated again counts by its latest
-- evaluation; an evaluation without a batch is a batch of its own.
function M.drift(db, vendor)
  local rows = store.compare_evaluations(db, vendor)
  local vendors, order = {}, {}
  for _, r in ipairs(rows) do
    local v = vendors[r.vendor]
    if not v then
      v = {batches = {}, by_batch = {}}
      vendors[r.vendor] = v
      order[#order + 1] = r.vendor
    end
    local key = r.batch or ("(evaluation " .. r.id .. ")")
    local b = v.by_batch[key]
    if not b then
      b = {batch = key}
      v.by_batch[key] = b
      v.batches[#v.batches + 1] = b
    end
    b.row = r   -- the latest evaluation of the batch
  end
  local out = {}
  for _, name in ipairs(order) do
    local v = vendors[name]
    local list, annotators, seen_params, warnings = {}, {}, {}, {}
    local first, afirst = nil, {}
    for _, b in ipairs(v.batches) do
      local res = json.decode(b.row.result) or {}
      local params = json.decode(b.row.params) or {}
      local m = res.micro or {}
      local f1 = f1_of(m)
      if #list == 0 then first = f1 end
      seen_params[string.format("%s@%s", tostring(params.iou_type), tostring(params.iou))] = true
      list[#list + 1] = {
        batch = b.batch, evaluation_id = b.row.id, evaluated_at = b.row.created_at,
        iou_type = params.iou_type, iou = params.iou,
        tp = m.tp, fp = m.fp, fn = m.fn, gold = gold_of(m), precision = m.precision, recall = m.recall,
        f1 = f1 == nil and json.null or f1, f1_change = change(f1, first),
      }
      for aname, a in pairs(res.annotators or {}) do
        local af = f1_of(a.micro)
        local t = annotators[aname]
        if not t then
          t = {batches = {}}
          annotators[aname] = t
          afirst[aname] = af
        end
        t.batches[#t.batches + 1] = {
          batch = b.batch, f1 = af == nil and json.null or af, f1_change = change(af, afirst[aname]),
          tp = a.micro and a.micro.tp, fp = a.micro and a.micro.fp, fn = a.micro and a.micro.fn,
          gold = gold_of(a.micro),
        }
      end
    end
    local kinds = 0
    for _ in pairs(seen_params) do kinds = kinds + 1 end
    if kinds > 1 then
      warnings[#warnings + 1] = "batches were compared with different iou types or thresholds: their F1 are not comparable"
    end
    for _, t in pairs(annotators) do
      local last = t.batches[#t.batches].f1
      local f = t.batches[1].f1
      t.f1_change = (last ~= json.null and f ~= json.null) and last - f or json.null
      t.f1_change_gold = {from = t.batches[1].gold, to = t.batches[#t.batches].gold}
      t.batches = json.array(t.batches)
    end
    local last = list[#list].f1
    out[name] = {
      batches = json.array(list),
      f1_change = (last ~= json.null and first ~= nil) and last - first or json.null,
      f1_change_gold = {from = list[1].gold, to = list[#list].gold},
      annotators = annotators,
      warnings = json.array(warnings),
    }
  end
  return out
end

return M
