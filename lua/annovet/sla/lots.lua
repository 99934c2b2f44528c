-- What `sla sample` and `sla record` share: finding the batch, reading a vendor's
-- lot history for the switching rules, and decoding stored lots.
local aql = require "annovet.aql"
local json = require("annovet").json
local store = require "annovet.store"

local M = {}

-- Opens an existing store for writing (a missing one is an error, not created).
function M.open(path, cli)
  local ro = cli.check(store.open(path, false))
  ro:close()
  return cli.check(store.open(path, true))
end

-- The batch row {batch_id, vendor_id, vendor, batch}, or fails naming the choices.
function M.batch(db, path, batch, vendor, cli)
  local rows = store.sla_batches(db, batch, vendor)
  if #rows == 0 then
    cli.fail(string.format("%s: no batch '%s'%s is recorded (annovet ingest records one)", path, batch,
      vendor and (" of vendor '" .. vendor .. "'") or ""))
  end
  if #rows > 1 then
    local names = {}
    for _, r in ipairs(rows) do names[#names + 1] = r.vendor end
    cli.fail(string.format("%s: batch '%s' exists for several vendors (%s): name one with --vendor", path,
      batch, table.concat(names, ", ")))
  end
  return rows[1]
end

-- A stored lot as the JSON commands print.
function M.decode(row)
  return {
    lot_id = row.id, lot_size = row.lot_size, level = row.level, inspection = row.inspection,
    count = row.measure, seed = row.seed, stratify = row.stratify or json.null,
    sample_size = row.sample_size, plans = json.decode(row.plans), items = json.decode(row.item_ids),
    switching = json.decode(row.switching), sampled_at = row.created_at, tool_version = row.tool_version,
  }
end

-- The lots of the vendor judged so far, for aql.next_inspection; and the first
-- lot sampled but not yet judged (or nil).
function M.history(db, vendor_id)
  local judged, pending = {}, nil
  for _, r in ipairs(store.sla_history(db, vendor_id)) do
    if r.outcome then
      local d = json.decode(r.defects)
      local total, sample = 0, 0
      for _, g in ipairs(d) do
        total = total + g.found
        sample = math.max(sample, g.sample_size)
      end
      judged[#judged + 1] = {inspection = r.inspection, outcome = r.outcome, reinstate = r.reinstate == 1,
        irregular = r.irregular == 1, defects = total, sample = sample, batch = r.batch}
    elseif not pending then
      pending = r
    end
  end
  return judged, pending
end

-- The switching state as JSON: the inspection for the next lot and why.
function M.state_json(state, history)
  return {
    next_inspection = state.inspection, discontinued = state.discontinued,
    reduced_allowed = state.reduced_allowed, rule = state.rule, reason = state.reason,
    last10 = state.last10, lots_judged = #history,
  }
end

M.next_inspection = aql.next_inspection

return M
