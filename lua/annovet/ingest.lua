-- Ingest policy: parse every delivery file first, then record them all in one
-- transaction (blob deduplicated by SHA-256, delivery or gold-panel version rows,
-- vendor and batch created as needed). Identical bytes already recorded in the
-- same batch are a no-op that says so; in another batch (of any vendor) they are
-- recorded again, with the earlier delivery named in same_bytes_as.
local dataset = require "annovet.dataset"
local names = require "annovet.names"
local store = require "annovet.store"
local system = require "annovet.system"
local sha256 = require("annovet").sha256

local M = {}

-- A folder delivery (VOC, YOLO, PNG masks) is recorded through its manifest: one
-- line "sha256  size  path" per file, sorted by path, whose SHA-256 is the
-- delivery's. Every file's bytes and the manifest are stored as blobs.
local function folder_manifest(dir)
  local files, err = system.walk(dir)
  if not files then return nil, err end
  if #files == 0 then return nil, dir .. ": an empty folder" end
  local lines, total = {}, 0
  for _, f in ipairs(files) do
    if f.path:find("[\n\r]") then
      return nil, string.format("%s/%s: a file name with a line break cannot be recorded", dir, f.path)
    end
    local sha, size = system.sha256_file(dir .. "/" .. f.path)
    if not sha then return nil, size end
    f.sha256, f.size = sha, size
    total = total + size
    lines[#lines + 1] = string.format("%s  %d  %s\n", sha, size, f.path)
  end
  return table.concat(lines), files, total
end

-- Reads and parses each path. Returns a list of {path, format, size, sha256,
-- items, annotations, bytes or (folders) manifest and files, warnings}, or nil
-- and the first file's message. A single file is stamped (inode, size, times to
-- the nanosecond) before it is parsed and after its bytes are read: if it was
-- written in between, what was parsed may not be what would be stored, so it stops.
function M.prepare(paths, from)
  local plan = {}
  for _, path in ipairs(paths) do
    local before = system.stamp(path)
    -- a file is mapped, not read into a string, and hashed on a thread of its own
    -- while it is parsed; the mapping is bound as the blob
    local kind = system.kind(path)
    local bytes, map_err
    if kind == "file" then bytes, map_err = system.map_file(path) end
    local s, msg, option = dataset.summarize(path, {format = from})
    if not s then return nil, msg, option end
    local p = {path = path, format = s.format, items = s.items, annotations = s.annotations,
      warnings = s.warnings}
    if kind == "dir" then
      local manifest, files, total = folder_manifest(path)
      if not manifest then return nil, files end
      p.manifest, p.files, p.size, p.sha256 = manifest, files, total, sha256(manifest)
    else
      if not bytes then return nil, map_err or (path .. ": not a regular file") end
      if system.stamp(path) ~= before then
        return nil, path .. ": changed while it was being ingested; nothing written"
      end
      p.bytes, p.size, p.sha256, p.stamp = bytes, bytes:size(), bytes:sha256(), before
    end
    plan[#plan + 1] = p
  end
  return plan
end

-- Stores the delivery's bytes: the file, or a folder's manifest and every file in
-- it, each checked against the hash taken when it was parsed (a file that changed
-- in between stops the transaction).
local function put_blob(db, p)
  if not p.manifest then
    store.put_blob(db, p.sha256, p.bytes)
    -- the mapping shows the file as it is now: unchanged since it was parsed
    -- means the stored bytes are the ones hashed
    if system.stamp(p.path) ~= p.stamp then
      error(p.path .. ": changed while it was being ingested; nothing written", 0)
    end
    return
  end
  store.put_blob(db, p.sha256, p.manifest)
  for _, f in ipairs(p.files) do
    local path = p.path .. "/" .. f.path
    local fh = assert(io.open(path, "rb"))
    local bytes = fh:read("a")
    fh:close()
    if not bytes or sha256(bytes) ~= f.sha256 then
      error(path .. ": changed while it was being ingested; nothing written", 0)
    end
    store.put_blob(db, f.sha256, bytes)
  end
end

-- The first delivery outside batch_id with these bytes, as {vendor, batch, path,
-- delivery_id, received_at}, or nil: a vendor re-delivering an old batch as new
-- (or another vendor's work) is something the buyer wants to see.
local function earlier_delivery(db, sha256, batch_id)
  local row = store.earlier_delivery(db, sha256, batch_id)
  if not row then return nil end
  return {vendor = row.vendor, batch = row.batch, path = row.path, delivery_id = row.id,
    received_at = row.received_at}
end

-- Records the deliveries of plan in batch of vendor; returns one result per file
-- {path, format, size, sha256, items, annotations, delivery_id, status
-- [, same_as | same_bytes_as]}.
local function record_deliveries(db, plan, vendor, batch, opts)
  local vendor_id, new_vendor = store.ensure_vendor(db, vendor)
  local batch_id, new_batch = store.ensure_batch(db, vendor_id, batch)
  local rework_of
  if opts.rework_of then
    local rows = store.batches_named(db, opts.rework_of, vendor)
    if #rows == 0 then
      error("--rework-of: " .. names.unknown("batch", opts.rework_of, store.batch_names(db, vendor)) ..
        " of vendor '" .. vendor .. "'", 0)
    end
    rework_of = rows[1].id
    if rework_of == batch_id then error("--rework-of: a batch cannot rework itself", 0) end
    store.set_batch_state(db, rework_of, "reworked")
  end
  if opts.guidelines_version and not store.guidelines(db, opts.guidelines_version) then
    error("--guidelines-version: " .. names.unknown("guidelines version", opts.guidelines_version,
      store.guideline_versions(db), "record it with --guidelines FILE --version V"), 0)
  end
  store.update_batch(db, batch_id, {rework_of = rework_of, guidelines_version = opts.guidelines_version,
    sent_at = opts.sent_at})
  local out = {}
  for _, p in ipairs(plan) do
    local r = {path = p.path, format = p.format, size = p.size, sha256 = p.sha256,
      items = p.items, annotations = p.annotations}
    local old = store.delivery_in_batch(db, batch_id, p.sha256)
    if old then
      r.delivery_id, r.status, r.same_as = old.id, "already ingested", old.path
    else
      r.same_bytes_as = earlier_delivery(db, p.sha256, batch_id)
      put_blob(db, p)
      p.received_at = opts.received_at
      r.delivery_id, r.status = store.insert_delivery(db, batch_id, p), "ingested"
    end
    out[#out + 1] = r
  end
  return out, {vendor_created = new_vendor, batch_created = new_batch}
end

-- Records p as a version of the gold panel name: the next version, unless the same
-- bytes are already a version of it.
local function record_gold(db, p, name, guidelines_version)
  local r = {path = p.path, format = p.format, size = p.size, sha256 = p.sha256,
    items = p.items, annotations = p.annotations, panel = name}
  local old = store.gold_version_of(db, name, p.sha256)
  if old then
    r.gold_id, r.version, r.status, r.same_as = old.id, old.version, "already ingested", old.path
    return r
  end
  local v = store.next_gold_version(db, name)
  if guidelines_version and not store.guidelines(db, guidelines_version) then
    error("--guidelines-version: " .. names.unknown("guidelines version", guidelines_version,
      store.guideline_versions(db), "record it with --guidelines FILE --version V"), 0)
  end
  p.guidelines_version = guidelines_version
  put_blob(db, p)
  r.gold_id, r.version, r.status = store.insert_gold(db, name, v, p), v, "ingested"
  return r
end

-- Opens (creating) the store and records plan in one transaction.
-- opts: {store, vendor, batch} or {store, gold = panel name}.
-- Returns the summary table, or nil and a message.
function M.record(plan, opts)
  local db, err = store.open(opts.store, true)
  if not db then return nil, err end
  local ok, res = pcall(store.transaction, db, function()
    if opts.gold then
      local files = {}
      for _, p in ipairs(plan) do files[#files + 1] = record_gold(db, p, opts.gold, opts.guidelines_version) end
      return {store = opts.store, gold = opts.gold, files = files}
    end
    local files, created = record_deliveries(db, plan, opts.vendor, opts.batch, opts)
    return {store = opts.store, vendor = opts.vendor, batch = opts.batch, files = files,
      vendor_created = created.vendor_created, batch_created = created.batch_created}
  end)
  db:close()
  if not ok then return nil, tostring(res) end
  return res
end

-- Records the document at path as guidelines version v (one transaction): its
-- bytes and SHA-256. The same bytes as that version again are a no-op; other
-- bytes under a version already recorded are refused. Returns {store, version,
-- path, size, sha256, guidelines_id, status}, or nil and a message.
function M.record_guidelines(store_path, path, v)
  local f, err = io.open(path, "rb")
  if not f then return nil, err end
  local bytes = f:read("a")
  f:close()
  if not bytes then return nil, path .. ": cannot read" end
  if system.kind(path) ~= "file" then return nil, path .. ": not a file" end
  local g = {path = path, size = #bytes, sha256 = sha256(bytes)}
  local db, oerr = store.open(store_path, true)
  if not db then return nil, oerr end
  local ok, res = pcall(store.transaction, db, function()
    local old = store.guidelines(db, v)
    if old then
      if old.sha256 ~= g.sha256 then
        error(string.format("%s: guidelines version '%s' is already recorded with other bytes (%s, SHA-256 %s); " ..
          "give the new document a new version", path, v, old.path, old.sha256), 0)
      end
      return {store = store_path, version = v, path = path, size = g.size, sha256 = g.sha256,
        guidelines_id = old.id, status = "already ingested"}
    end
    store.put_blob(db, g.sha256, bytes)
    local id = store.insert_guidelines(db, v, g)
    return {store = store_path, version = v, path = path, size = g.size, sha256 = g.sha256, guidelines_id = id,
      status = "ingested"}
  end)
  db:close()
  if not ok then return nil, tostring(res) end
  return res
end

return M
