-- The append-only log: every evaluation and every decision is an entry whose hash
-- covers its record and the hash of the entry before, so an edit anywhere shows;
-- per batch, an RFC 6962 Merkle tree over its entries gives small inclusion
-- proofs; the head can be signed with Ed25519.
--
-- The canonical serialisation (README, "The log"):
--   body  = annovet.json.encode({table = T, id = ID, row = ROW}): JSON with the
--           keys of every object sorted bytewise, no white space, numbers in their
--           shortest round-trip form, strings as UTF-8; ROW holds the columns of
--           store.LOGGED[T] that are not NULL (params, result and payload as the
--           JSON text the row holds).
--   hash  = hex SHA-256 of (prev .. "\n" .. body), prev being the previous entry's
--           hash in hex, or 64 "0" for the first entry.
--   Merkle leaf of an entry = the 32 bytes of its hash; the batch's tree is
--           RFC 6962's MTH over its entries in log order.
--   checkpoint = "annovet log\n" .. size .. "\n" .. head hash .. "\n"; for a batch
--           "annovet batch " .. id .. "\n" .. size .. "\n" .. root .. "\n". A signature
--           is Ed25519 (RFC 8032) over those bytes.
local annovet = require "annovet"
local store = require "annovet.store"

local json, sha256 = annovet.json, annovet.sha256

local M = {}

M.GENESIS = string.rep("0", 64)

-- The canonical body of row id of tbl; row holds the logged columns.
function M.body(tbl, id, row)
  local r = {}
  for _, c in ipairs(store.LOGGED[tbl]) do r[c] = row[c] end
  return json.encode({table = tbl, id = id, row = r})
end

function M.entry_hash(prev, body)
  return sha256(prev .. "\n" .. body)
end

local function hex_bytes(h)
  return (h:gsub("%x%x", function(x) return string.char(tonumber(x, 16)) end))
end
M.hex_bytes = hex_bytes

-- Appends the entry of row id of tbl (read back from the store, so what is
-- logged is what is stored); returns hash, prev, seq.
function M.append(db, tbl, id, batch_id)
  local row = assert(store.logged_row(db, tbl, id))
  local head = store.log_head(db)
  local prev = head and head.hash or M.GENESIS
  local body = M.body(tbl, id, row)
  local h = M.entry_hash(prev, body)
  local seq = store.insert_log(db, tbl, id, batch_id, body, prev, h)
  return h, prev, seq
end

-- Records decision d {evaluation_id, batch_id, kind, outcome, payload (a table)}
-- and its log entry; returns its id and hash. The decision row carries its
-- entry's prev_hash and hash.
function M.decide(db, d)
  local n = store.next_decision(db)
  local row = {id = n.id, evaluation_id = d.evaluation_id, batch_id = d.batch_id, kind = d.kind,
    outcome = d.outcome, payload = json.encode(d.payload), created_at = n.now}
  local head = store.log_head(db)
  local prev = head and head.hash or M.GENESIS
  local body = M.body("decisions", row.id, row)
  row.prev_hash, row.hash = prev, M.entry_hash(prev, body)
  store.insert_decision(db, row)
  store.insert_log(db, "decisions", row.id, d.batch_id, body, prev, row.hash)
  return row.id, row.hash, row.created_at
end

-- The batch's tree: {size, root, entries = {seq, entry_table, row_id, body,
-- prev_hash, hash}...}.
function M.batch_tree(db, batch_id)
  local entries = store.log_of_batch(db, batch_id)
  local leaves = {}
  for i, e in ipairs(entries) do leaves[i] = hex_bytes(e.hash) end
  return {size = #entries, root = annovet.merkle.root(leaves), entries = entries, leaves = leaves}
end

-- The inclusion proof of the i-th entry (1-based) of tree: {index (0-based),
-- size, leaf_hash, path}.
function M.proof(tree, i)
  return {index = i - 1, size = tree.size, leaf_hash = annovet.merkle.leaf_hash(tree.leaves[i]),
    path = json.array(annovet.merkle.path(tree.leaves, i - 1))}
end

-- True when proof p {index, size, path} holds the entry hash h under root.
function M.check_proof(h, p, root)
  if type(p) ~= "table" or type(p.path) ~= "table" or math.type(p.index) ~= "integer"
      or math.type(p.size) ~= "integer" then
    return false
  end
  return annovet.merkle.verify(annovet.merkle.leaf_hash(hex_bytes(h)), p.index, p.size, p.path, root) == true
end

function M.checkpoint(size, head)
  return string.format("annovet log\n%d\n%s\n", size, head)
end

function M.batch_checkpoint(batch_id, size, root)
  return string.format("annovet batch %d\n%d\n%s\n", batch_id, size, root)
end

-- Where a row differs from what its entry logged: the first field (as
-- "result.micro.f1" for a JSON column), the logged value and the row's, or nil.
local function first_difference(a, b, path)
  if type(a) ~= type(b) then return path, a, b end
  if type(a) ~= "table" then
    if a ~= b then return path, a, b end
    return nil
  end
  local keys, seen = {}, {}
  for k in pairs(a) do keys[#keys + 1] = k; seen[k] = true end
  for k in pairs(b) do if not seen[k] then keys[#keys + 1] = k end end
  table.sort(keys, function(x, y) return tostring(x) < tostring(y) end)
  for _, k in ipairs(keys) do
    local p, x, y = first_difference(a[k], b[k], path .. "." .. tostring(k))
    if p then return p, x, y end
  end
  return nil
end
M.first_difference = first_difference

local JSON_COLS = {params = true, result = true, payload = true}

-- The first field where row differs from the row logged in body: field, logged,
-- now; nil when they agree.
function M.row_difference(tbl, body, row)
  local logged = json.decode(body)
  if type(logged) ~= "table" or type(logged.row) ~= "table" then return "(entry)", body, nil end
  for _, c in ipairs(store.LOGGED[tbl]) do
    local a, b = logged.row[c], row[c]
    if a ~= b then
      if JSON_COLS[c] and type(a) == "string" and type(b) == "string" then
        local ja, jb = json.decode(a), json.decode(b)
        if ja ~= nil and jb ~= nil then
          local p, x, y = first_difference(ja, jb, c)
          if p then return p, x, y end
        end
      end
      return c, a, b
    end
  end
  return nil
end

return M
