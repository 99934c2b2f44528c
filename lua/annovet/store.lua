-- Store policy on top of host/store.c: opening with clear errors, transactions,
-- and what `store info` reports. Every value is bound; no SQL is built from input.
local cstore = require "annovet.c.store"

local M = {}

-- Opens the store at path; write = true creates and migrates it.
-- Returns the store, or nil and a one-line message.
function M.open(path, write)
  return cstore.open(path, {write = write})
end

-- Runs fn(db) inside BEGIN IMMEDIATE ... COMMIT; rolls back and re-raises on error,
-- so a delivery is stored whole or not at all.
function M.transaction(db, fn, ...)
  assert(db:exec("BEGIN IMMEDIATE"))
  local res = table.pack(pcall(fn, db, ...))
  if res[1] then
    assert(db:exec("COMMIT"))
    return table.unpack(res, 2, res.n)
  end
  db:exec("ROLLBACK")
  error(res[2], 0)
end

local COUNTED = {"vendors", "batches", "deliveries", "gold_panels", "evaluations", "decisions", "blobs"}

-- A summary of what the store holds, for `annovet store info`.
function M.info(db)
  local info = db:info()
  local out = {
    path = info.path,
    schema_version = info.schema,
    schema_latest = info.latest,
    counts = {},
  }
  for _, t in ipairs(COUNTED) do
    -- table names come from the constant list above, never from input
    out.counts[t] = db:first("SELECT count(*) AS n FROM " .. t).n
  end
  out.blob_bytes = db:first("SELECT coalesce(sum(size), 0) AS n FROM blobs").n
  out.vendors = {}
  for _, v in ipairs(db:rows([[
      SELECT v.name, count(DISTINCT b.id) AS batches, count(d.id) AS deliveries
      FROM vendors v LEFT JOIN batches b ON b.vendor_id = v.id
      LEFT JOIN deliveries d ON d.batch_id = b.id
      GROUP BY v.id ORDER BY v.name]])) do
    out.vendors[#out.vendors + 1] = v
  end
  out.gold_panels = {}
  for _, g in ipairs(db:rows([[
      SELECT name, version, path, format, sha256, items, annotations, received_at
      FROM gold_panels ORDER BY name, version]])) do
    out.gold_panels[#out.gold_panels + 1] = g
  end
  local last = db:first("SELECT hash FROM decisions ORDER BY id DESC LIMIT 1")
  out.decision_head = last and last.hash or nil
  return out
end

-- ---- acceptance sampling (annovet sla): lots, their samples and results ----

-- The batches named batch (of vendor, when given): {batch_id, vendor_id, vendor,
-- batch}, by vendor name.
function M.sla_batches(db, batch, vendor)
  return db:rows([[
    SELECT b.id AS batch_id, v.id AS vendor_id, v.name AS vendor, b.name AS batch
    FROM batches b JOIN vendors v ON v.id = b.vendor_id
    WHERE b.name = ? AND (? IS NULL OR v.name = ?) ORDER BY v.name]], batch, vendor, vendor)
end

-- The deliveries of a batch with their bytes, oldest first.
function M.sla_deliveries(db, batch_id)
  return db:rows([[
    SELECT d.id, d.path, d.format, d.sha256, bl.data
    FROM deliveries d JOIN blobs bl ON bl.sha256 = d.sha256
    WHERE d.batch_id = ? ORDER BY d.id]], batch_id)
end

local LOT_COLUMNS = [[l.id, l.batch_id, l.vendor_id, l.lot_size, l.level, l.inspection, l.measure,
  l.seed, l.stratify, l.sample_size, l.plans, l.item_ids, l.switching, l.tool_version, l.created_at,
  r.defects, r.outcome, r.reinstate, r.irregular, r.created_at AS recorded_at]]

-- The sampled lot of a batch, with its result when one is recorded; or nil.
function M.sla_lot(db, batch_id)
  return db:first("SELECT " .. LOT_COLUMNS .. [[ FROM sla_lots l
    LEFT JOIN sla_results r ON r.lot_id = l.id WHERE l.batch_id = ?]], batch_id)
end

-- Every sampled lot of a vendor, in the order sampled, with results where recorded,
-- and the batch's name.
function M.sla_history(db, vendor_id)
  return db:rows("SELECT " .. LOT_COLUMNS .. [[, b.name AS batch FROM sla_lots l
    JOIN batches b ON b.id = l.batch_id
    LEFT JOIN sla_results r ON r.lot_id = l.id WHERE l.vendor_id = ? ORDER BY l.id]], vendor_id)
end

-- Records a lot's sample; t holds the columns (plans, item_ids, switching as JSON
-- text). Returns its id.
function M.sla_insert_lot(db, t)
  local _, id = assert(db:exec([[
    INSERT INTO sla_lots(batch_id, vendor_id, lot_size, level, inspection, measure, seed, stratify,
      sample_size, plans, item_ids, switching, tool_version)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)]],
    t.batch_id, t.vendor_id, t.lot_size, t.level, t.inspection, t.measure, t.seed, t.stratify,
    t.sample_size, t.plans, t.item_ids, t.switching, t.tool_version))
  return id
end

-- Records the audit's result of a lot (defects as JSON text). Returns its id.
function M.sla_insert_result(db, t)
  local _, id = assert(db:exec([[
    INSERT INTO sla_results(lot_id, defects, outcome, reinstate, irregular) VALUES (?, ?, ?, ?, ?)]],
    t.lot_id, t.defects, t.outcome, t.reinstate and 1 or 0, t.irregular and 1 or 0))
  return id
end

return M
