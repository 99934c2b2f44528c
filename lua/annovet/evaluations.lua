-- Evaluations in the store: recording a comparison with its provenance (tool
-- version and commit, the gold file's SHA-256 and gold-panel row, the vendor
-- file's delivery row, the parameters, the result), and reading them back as
-- drift across batches. The SQL is annovet.store's.
local json = require("annovet").json
local store = require "annovet.store"
local system = require "annovet.system"

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

-- A fresh temporary folder, or nil and a message.
local function tmpdir()
  local name = os.tmpname()
  os.remove(name)
  local ok, err = system.mkdir(name)
  if not ok then return nil, err end
  return name
end

local function basename(path, default)
  local b = type(path) == "string" and path:match("([^/\\]+)$")
  if not b or b == "." or b == ".." then return default end
  return b
end

-- The comparison options of recorded params (what cmd/compare.lua records).
function M.options_of(params)
  local opt = params.options or {}
  if opt == json.null then opt = {} end
  local function v(x) if x == json.null then return nil end return x end
  return {
    iou_type = params.iou_type, matcher = params.matcher or "optimal",
    iou = v(opt.chamfer) and 0.5 or params.iou, chamfer = v(opt.chamfer), low = v(opt.low_iou),
    line_width = v(opt.line_width), map = v(opt.map), attributes = v(opt.attributes),
    count_missing_items = v(opt.count_missing_items), sigmas = v(opt.kpt_sigmas),
    iou_by_class = v(params.iou_by_class),
  }
end

-- Scores the vendor file against the gold file again, both given as bytes and
-- written under their recorded names into a temporary folder, with the recorded
-- parameters; filter, when given, keeps some items: filter(file) -> boolean.
-- Returns the result as compare's JSON table, or nil and a message.
function M.rescore(gold_bytes, vendor_bytes, params, filter)
  local compare = require "annovet.compare"
  local dir, err = tmpdir()
  if not dir then return nil, err end
  local gpath = dir .. "/gold-" .. basename(params.gold, "gold.json")
  local vpath = dir .. "/vendor-" .. basename(params.file, "vendor.json")
  local ok, res, msg = pcall(function()
    for path, bytes in pairs {[gpath] = gold_bytes, [vpath] = vendor_bytes} do
      local f = assert(io.open(path, "wb"))
      f:write(bytes)
      f:close()
    end
    local all, lerr = compare.load({gpath, vpath}, 1)
    if not all then return nil, lerr end
    local gold, vendor = all[1], all[2]
    if filter then
      gold = gold:select(function(a) return filter(a.file) end)
      vendor = vendor:select(function(a) return filter(a.file) end)
    end
    local o = M.options_of(params)
    local prepared, perr = compare.prepare(gold, o)
    if not prepared then return nil, perr end
    o.files, o.threads = {vpath}, 1
    local scored, serr = compare.run_all(prepared, {vendor}, o)
    if not scored then return nil, serr end
    local r = scored[1]
    r.counted_missing = o.count_missing_items
    return r:to_json({clusters_top = params.top})
  end)
  os.remove(gpath)
  os.remove(vpath)
  os.remove(dir)
  if not ok then return nil, tostring(res) end
  return res, msg
end

-- The first number where a and b differ (a path such as "micro.f1", the number
-- in a, the number in b), looking at every number of either; nil when the
-- numbers agree. Text (file names, sources) is left aside.
function M.number_difference(a, b, path)
  path = path or ""
  local ta, tb = type(a), type(b)
  if ta == "number" or tb == "number" then
    if a ~= b then return path, a, b end
    return nil
  end
  if ta ~= "table" and tb ~= "table" then return nil end
  a, b = ta == "table" and a or {}, tb == "table" and b or {}
  local keys, seen = {}, {}
  for k in pairs(a) do keys[#keys + 1] = k; seen[k] = true end
  for k in pairs(b) do if not seen[k] then keys[#keys + 1] = k end end
  table.sort(keys, function(x, y)
    if type(x) == type(y) then return x < y end
    return type(x) == "number"
  end)
  for _, k in ipairs(keys) do
    local key = type(k) == "number" and ("[" .. k .. "]") or ("." .. k)
    local p, x, y = M.number_difference(a[k], b[k], path .. key)
    if p then return p, x, y end
  end
  return nil
end

-- Recomputes evaluation row e (every column) from the bytes the store holds:
-- nil, why (when they are not stored), or the first difference {field,
-- recorded, recomputed}, or false when the recorded numbers are the recomputed ones.
function M.recompute(db, e)
  if e.kind ~= "compare" then return nil, "not a comparison" end
  local gold = e.gold_sha256 and store.blob(db, e.gold_sha256)
  if not gold then return nil, "the gold file's bytes are not in the store" end
  local vendor = e.input_sha256 and store.blob(db, e.input_sha256)
  if not vendor then return nil, "the vendor file's bytes are not in the store" end
  local params, recorded = json.decode(e.params), json.decode(e.result)
  if type(params) ~= "table" then return {field = "params", recorded = e.params} end
  if type(recorded) ~= "table" then return {field = "result", recorded = e.result} end
  local again, err = M.rescore(gold, vendor, params)
  if not again then return {field = "result", recorded = "(recorded)", recomputed = "(fails: " .. tostring(err) .. ")"} end
  local path, x, y = M.number_difference(recorded, again)
  if path then return {field = "result" .. path, recorded = x == nil and json.null or x, recomputed = y == nil and json.null or y} end
  return false
end

return M
