-- The store's only door: opening it, transactions, and every SQL statement the Lua
-- side runs (what `store info` reports, deliveries, gold panels, evaluations), on
-- top of host/store.c. Other modules and commands call these functions and never
-- write SQL. Every value is bound; no SQL is built from input.
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

local COUNTED = {"vendors", "batches", "deliveries", "gold_panels", "evaluations", "decisions", "blobs", "log",
  "guidelines"}

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
  local head = db:first("SELECT seq, hash FROM log ORDER BY seq DESC LIMIT 1")
  out.log_size, out.log_head = head and head.seq or 0, head and head.hash or nil
  return out
end

-- ---- vendors, batches, blobs, deliveries ----

-- The id of the row with this name (and parent), inserted when missing; and
-- whether it was.
local function ensure(db, sql_find, sql_insert, ...)
  local row = db:first(sql_find, ...)
  if row then return row.id, false end
  local _, id = assert(db:exec(sql_insert, ...))
  return id, true
end

-- The vendor's id, the vendor created when new; and whether it was.
function M.ensure_vendor(db, name)
  return ensure(db, "SELECT id FROM vendors WHERE name = ?", "INSERT INTO vendors(name) VALUES (?)", name)
end

-- The vendors' names, sorted.
function M.vendor_names(db)
  local out = {}
  for _, r in ipairs(db:rows("SELECT name FROM vendors ORDER BY name")) do out[#out + 1] = r.name end
  return out
end

-- The vendor's id, or nil.
function M.vendor_id(db, name)
  local r = db:first("SELECT id FROM vendors WHERE name = ?", name)
  return r and r.id
end

local BATCH_COLS = [[b.id, b.name, v.name AS vendor, b.vendor_id, b.state, b.rework_of, b.guidelines_version,
  b.sent_at, b.created_at]]

-- The batches named name (of vendor, when given): {id, name, vendor, vendor_id,
-- state, rework_of, guidelines_version, sent_at, created_at}.
function M.batches_named(db, name, vendor)
  return db:rows("SELECT " .. BATCH_COLS .. [[ FROM batches b JOIN vendors v ON v.id = b.vendor_id
    WHERE b.name = ? AND (? IS NULL OR v.name = ?) ORDER BY v.name]], name, vendor, vendor)
end

-- The batch of this id (columns as batches_named), or nil.
function M.batch(db, id)
  return db:first("SELECT " .. BATCH_COLS .. " FROM batches b JOIN vendors v ON v.id = b.vendor_id WHERE b.id = ?", id)
end

-- The names of the batches (of vendor, when given), sorted.
function M.batch_names(db, vendor)
  local out = {}
  for _, r in ipairs(db:rows([[SELECT DISTINCT b.name FROM batches b JOIN vendors v ON v.id = b.vendor_id
      WHERE ? IS NULL OR v.name = ? ORDER BY b.name]], vendor, vendor)) do
    out[#out + 1] = r.name
  end
  return out
end

-- Sets what ingest learns about a batch: f {rework_of, guidelines_version, sent_at};
-- a nil field leaves the column as it is.
function M.update_batch(db, id, f)
  assert(db:exec([[UPDATE batches SET rework_of = coalesce(?, rework_of),
    guidelines_version = coalesce(?, guidelines_version), sent_at = coalesce(?, sent_at) WHERE id = ?]],
    f.rework_of, f.guidelines_version, f.sent_at, id))
end

-- The batch lifecycle: delivered -> evaluated -> accepted | rejected -> reworked -> invoiced.
function M.set_batch_state(db, id, state)
  assert(db:exec("UPDATE batches SET state = ? WHERE id = ?", state, id))
end

-- The deliveries of batch_id, in order: {id, path, format, size, sha256, items,
-- annotations, received_at}.
function M.deliveries_of(db, batch_id)
  return db:rows([[SELECT id, path, format, size, sha256, items, annotations, received_at FROM deliveries
    WHERE batch_id = ? ORDER BY id]], batch_id)
end

-- Bytes over PART are stored in parts of PART in blob_parts (blobs.data empty):
-- SQLite copies a value whole, twice, to insert it, and refuses one over 1 GB.
local PART = 1 << 20

-- The bytes stored under sha256, or nil.
function M.blob(db, sha256)
  local r = db:first("SELECT size, data FROM blobs WHERE sha256 = ?", sha256)
  if not r or #r.data == r.size then return r and r.data end
  local parts = {}
  for i, p in ipairs(db:rows("SELECT data FROM blob_parts WHERE sha256 = ? ORDER BY part", sha256)) do
    parts[i] = p.data
  end
  local bytes = table.concat(parts)
  if #bytes ~= r.size then
    error(string.format("the store's bytes for %s are %d, not the %d recorded: the store is damaged", sha256,
      #bytes, r.size), 0)
  end
  return bytes
end

-- The id of the vendor's batch, created when new; and whether it was.
function M.ensure_batch(db, vendor_id, name)
  return ensure(db, "SELECT id FROM batches WHERE vendor_id = ? AND name = ?",
    "INSERT INTO batches(vendor_id, name) VALUES (?, ?)", vendor_id, name)
end

-- Stores bytes under their SHA-256 (once: the same hash again is a no-op).
function M.put_blob(db, sha256, bytes)   -- bytes: a string, or a mapped file (system.map_file)
  local size = type(bytes) == "string" and #bytes or bytes:size()
  if size <= PART then
    assert(db:exec("INSERT OR IGNORE INTO blobs(sha256, size, data) VALUES (?, ?, ?)", sha256, size, {blob = bytes}))
    return
  end
  if assert(db:exec("INSERT OR IGNORE INTO blobs(sha256, size, data) VALUES (?, ?, X'')", sha256, size)) == 0 then
    return
  end
  for k = 0, (size - 1) // PART do
    assert(db:exec("INSERT INTO blob_parts(sha256, part, data) VALUES (?, ?, ?)", sha256, k,
      {blob = bytes, at = k * PART, len = math.min(PART, size - k * PART)}))
  end
end

-- The delivery of batch_id with these bytes, {id, path}, or nil.
function M.delivery_in_batch(db, batch_id, sha256)
  return db:first("SELECT id, path FROM deliveries WHERE batch_id = ? AND sha256 = ?", batch_id, sha256)
end

-- The first delivery outside batch_id with these bytes, {id, path, received_at,
-- batch, vendor}, or nil.
function M.earlier_delivery(db, sha256, batch_id)
  return db:first([[SELECT d.id, d.path, d.received_at, b.name AS batch, v.name AS vendor
    FROM deliveries d JOIN batches b ON b.id = d.batch_id JOIN vendors v ON v.id = b.vendor_id
    WHERE d.sha256 = ? AND d.batch_id <> ? ORDER BY d.id LIMIT 1]], sha256, batch_id)
end

-- Records a delivery d {path, format, size, sha256, items, annotations} in
-- batch_id; returns its id.
function M.insert_delivery(db, batch_id, d)
  local _, id = assert(db:exec([[INSERT INTO deliveries(batch_id, path, format, size, sha256, items, annotations,
    received_at) VALUES (?, ?, ?, ?, ?, ?, ?, coalesce(?, strftime('%Y-%m-%dT%H:%M:%fZ','now')))]],
    batch_id, d.path, d.format, d.size, d.sha256, d.items, d.annotations, d.received_at))
  return id
end

-- The vendor's delivery holding these bytes, preferring the batch asked for,
-- then the latest; {id, batch} or nil.
function M.delivery_row(db, sha256, vendor, batch)
  return db:first([[
    SELECT d.id AS id, b.name AS batch, b.id AS batch_id
    FROM deliveries d JOIN batches b ON b.id = d.batch_id JOIN vendors v ON v.id = b.vendor_id
    WHERE d.sha256 = ? AND v.name = ?
    ORDER BY (b.name = ?) DESC, d.id DESC LIMIT 1]], sha256, vendor, batch or "")
end

-- ---- gold panels ----

-- The version of panel name holding these bytes, {id, version, path}, or nil.
function M.gold_version_of(db, name, sha256)
  return db:first("SELECT id, version, path FROM gold_panels WHERE name = ? AND sha256 = ?", name, sha256)
end

-- The next version number of panel name (1 for a new panel).
function M.next_gold_version(db, name)
  return db:first("SELECT coalesce(max(version), 0) + 1 AS v FROM gold_panels WHERE name = ?", name).v
end

-- Records g {path, format, size, sha256, items, annotations} as version of
-- panel name; returns its id.
function M.insert_gold(db, name, version, g)
  local _, id = assert(db:exec([[INSERT INTO gold_panels(name, version, path, format, size, sha256, items, annotations,
    guidelines_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)]], name, version, g.path, g.format, g.size, g.sha256,
    g.items, g.annotations, g.guidelines_version))
  return id
end

-- The gold-panel version holding these bytes (of any panel, the latest), {id,
-- name, version}, or nil.
function M.gold_row(db, sha256)
  return db:first([[SELECT id, name, version, guidelines_version FROM gold_panels WHERE sha256 = ?
    ORDER BY version DESC LIMIT 1]], sha256)
end

-- The gold-panel version of this id: {id, name, version, path, format, sha256,
-- guidelines_version}, or nil.
function M.gold_by_id(db, id)
  return db:first([[SELECT id, name, version, path, format, sha256, guidelines_version FROM gold_panels
    WHERE id = ?]], id)
end

-- ---- annotation guidelines ----

-- The guidelines recorded as version v: {id, version, path, size, sha256, received_at}, or nil.
function M.guidelines(db, v)
  return db:first("SELECT id, version, path, size, sha256, received_at FROM guidelines WHERE version = ?", v)
end

-- The versions of the guidelines recorded, sorted.
function M.guideline_versions(db)
  local out = {}
  for _, r in ipairs(db:rows("SELECT version FROM guidelines ORDER BY version")) do out[#out + 1] = r.version end
  return out
end

-- Records the document g {path, size, sha256} as guidelines version v; returns its id.
function M.insert_guidelines(db, v, g)
  local _, id = assert(db:exec("INSERT INTO guidelines(version, path, size, sha256) VALUES (?, ?, ?, ?)",
    v, g.path, g.size, g.sha256))
  return id
end

-- ---- evaluations ----

-- Records one evaluation e {kind, delivery_id, gold_id, tool_version,
-- tool_commit, params, result (JSON text), vendor, batch, gold_sha256,
-- input_path, input_sha256}; returns its id.
function M.insert_evaluation(db, e)
  local _, id = assert(db:exec([[
    INSERT INTO evaluations(kind, delivery_id, gold_id, batch_id, tool_version, tool_commit, script_sha256,
      params, result, vendor, batch, gold_sha256, input_path, input_sha256)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)]],
    e.kind, e.delivery_id, e.gold_id, e.batch_id, e.tool_version, e.tool_commit, e.script_sha256, e.params,
    e.result, e.vendor, e.batch, e.gold_sha256, e.input_path, e.input_sha256))
  return id
end

-- The columns of a row that its log entry holds (README, "The log"): every column
-- but the decision's own chain columns.
M.LOGGED = {
  evaluations = {"id", "kind", "delivery_id", "gold_id", "batch_id", "tool_version", "tool_commit",
    "script_sha256", "params", "result", "vendor", "batch", "gold_sha256", "input_path", "input_sha256",
    "created_at"},
  decisions = {"id", "evaluation_id", "batch_id", "kind", "outcome", "payload", "created_at"},
}
local ROW_SQL = {
  evaluations = "SELECT " .. table.concat(M.LOGGED.evaluations, ", ") .. " FROM evaluations WHERE id = ?",
  decisions = "SELECT " .. table.concat(M.LOGGED.decisions, ", ") .. " FROM decisions WHERE id = ?",
}

-- The logged columns of row id of tbl ("evaluations" or "decisions"), or nil.
function M.logged_row(db, tbl, id)
  return db:first(assert(ROW_SQL[tbl], "no such logged table"), id)
end

-- The ids of the rows of tbl that have no log entry.
function M.unlogged(db, tbl)
  local sql = {
    evaluations = "SELECT id FROM evaluations WHERE id NOT IN (SELECT row_id FROM log WHERE entry_table = 'evaluations') ORDER BY id",
    decisions = "SELECT id FROM decisions WHERE id NOT IN (SELECT row_id FROM log WHERE entry_table = 'decisions') ORDER BY id",
  }
  return db:rows(assert(sql[tbl]))
end

-- The latest evaluation of batch_id (kind compare), with every column, or nil.
function M.latest_evaluation(db, batch_id)
  return db:first([[SELECT * FROM evaluations WHERE batch_id = ? AND kind = 'compare'
    ORDER BY id DESC LIMIT 1]], batch_id)
end

-- The evaluation of this id, every column, or nil.
function M.evaluation(db, id)
  return db:first("SELECT * FROM evaluations WHERE id = ?", id)
end

-- ---- the log ----

-- The last entry {seq, hash}, or nil for an empty log.
function M.log_head(db)
  return db:first("SELECT seq, hash FROM log ORDER BY seq DESC LIMIT 1")
end

-- Appends an entry; returns its seq.
function M.insert_log(db, tbl, row_id, batch_id, body, prev_hash, hash)
  local _, seq = assert(db:exec([[INSERT INTO log(entry_table, row_id, batch_id, body, prev_hash, hash)
    VALUES (?, ?, ?, ?, ?, ?)]], tbl, row_id, batch_id, body, prev_hash, hash))
  return seq
end

-- Every entry in order: {seq, entry_table, row_id, batch_id, body, prev_hash, hash}.
function M.log_entries(db)
  return db:rows("SELECT seq, entry_table, row_id, batch_id, body, prev_hash, hash FROM log ORDER BY seq")
end

-- The entries of batch_id in order.
function M.log_of_batch(db, batch_id)
  return db:rows([[SELECT seq, entry_table, row_id, batch_id, body, prev_hash, hash FROM log
    WHERE batch_id = ? ORDER BY seq]], batch_id)
end

-- ---- decisions ----

-- The id the next decision gets, and the time now as the store writes it.
function M.next_decision(db)
  return db:first([[SELECT coalesce(max(id), 0) + 1 AS id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now') AS now
    FROM decisions]])
end

-- Inserts decision d {id, evaluation_id, batch_id, kind, outcome, payload (JSON
-- text), created_at, prev_hash, hash}.
function M.insert_decision(db, d)
  assert(db:exec([[INSERT INTO decisions(id, evaluation_id, batch_id, kind, outcome, payload, created_at,
    prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)]], d.id, d.evaluation_id, d.batch_id, d.kind, d.outcome,
    d.payload, d.created_at, d.prev_hash, d.hash))
end

-- The chain columns of decision id: {prev_hash, hash}, or nil.
function M.decision_chain(db, id)
  return db:first("SELECT prev_hash, hash FROM decisions WHERE id = ?", id)
end

-- The latest decision of kind about batch_id, every column, or nil.
-- before: only decisions with a smaller id (the state as of decision `before`).
function M.latest_decision(db, batch_id, kind, before)
  return db:first([[SELECT * FROM decisions WHERE batch_id = ? AND kind = ? AND (? IS NULL OR id < ?)
    ORDER BY id DESC LIMIT 1]], batch_id, kind, before, before)
end

-- The decision of this id, every column, or nil.
function M.decision(db, id)
  return db:first("SELECT * FROM decisions WHERE id = ?", id)
end

-- A vendor's batches whose first delivery was received in [from, to) (ISO dates or
-- times; nil for no bound), oldest first, each with its latest acceptance decision:
-- {batch_id, batch, state, rework_of, rework_of_batch, received_at, items,
-- annotations, deliveries, decision_id, outcome, decided_at}; outcome nil when
-- the batch was never checked. For `annovet invoice`: a batch whose outcome is
-- 'rejected' is owed nothing.
function M.vendor_batches(db, vendor, from, to)
  return db:rows([[
    SELECT b.id AS batch_id, b.name AS batch, b.state, b.rework_of, r.name AS rework_of_batch,
      min(d.received_at) AS received_at, sum(d.items) AS items, sum(d.annotations) AS annotations,
      count(d.id) AS deliveries,
      (SELECT x.id FROM decisions x WHERE x.batch_id = b.id AND x.kind = 'acceptance' ORDER BY x.id DESC LIMIT 1)
        AS decision_id,
      (SELECT x.outcome FROM decisions x WHERE x.batch_id = b.id AND x.kind = 'acceptance' ORDER BY x.id DESC LIMIT 1)
        AS outcome,
      (SELECT x.created_at FROM decisions x WHERE x.batch_id = b.id AND x.kind = 'acceptance' ORDER BY x.id DESC LIMIT 1)
        AS decided_at
    FROM batches b JOIN vendors v ON v.id = b.vendor_id
    LEFT JOIN batches r ON r.id = b.rework_of
    LEFT JOIN deliveries d ON d.batch_id = b.id
    WHERE v.name = ?
    GROUP BY b.id
    HAVING (? IS NULL OR min(d.received_at) >= ?) AND (? IS NULL OR min(d.received_at) < ?)
    ORDER BY min(d.received_at), b.id]], vendor, from, from, to, to)
end

-- The comparisons recorded with a vendor (of every vendor, or of vendor), by
-- vendor, then in the order they were made: {id, vendor, batch, created_at,
-- params, result} with params and result as JSON text.
function M.compare_evaluations(db, vendor)
  return db:rows([[
    SELECT id, vendor, batch, created_at, params, result FROM evaluations
    WHERE kind = 'compare' AND vendor IS NOT NULL AND (? IS NULL OR vendor = ?)
    ORDER BY vendor, created_at, id]], vendor, vendor)
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


-- ---- invoices (annovet invoice) and batch look-ups ----

-- The vendor named name: {id} or nil.
function M.vendor_by_name(db, name)
  return db:first("SELECT id FROM vendors WHERE name = ?", name)
end

-- A vendor's batches whose first delivery was received between the days first
-- and last (inclusive, "YYYY-MM-DD"): {id, name, received_at}, oldest first.
function M.batches_received(db, vendor_id, first, last)
  return db:rows([[
    SELECT b.id, b.name, min(d.received_at) AS received_at
    FROM batches b JOIN deliveries d ON d.batch_id = b.id
    WHERE b.vendor_id = ? GROUP BY b.id
    HAVING substr(min(d.received_at), 1, 10) BETWEEN ? AND ?
    ORDER BY min(d.received_at), b.id]], vendor_id, first, last)
end

return M
