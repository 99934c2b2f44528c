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

return M
