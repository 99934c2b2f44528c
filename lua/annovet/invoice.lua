-- What a vendor is owed over a period, from the batches in the store: each batch's
-- deliveries are read back from their stored bytes (so the count is of what was
-- delivered, by SHA-256), priced under the rate card, and traced to the batch, the
-- deliveries' SHA-256 and the card's SHA-256.
--
-- The acceptance contract (for the SLA / rework-clause work that records decisions):
-- a batch whose LATEST row in `decisions` with kind = 'acceptance' (latest by id)
-- has outcome = 'rejected' is owed nothing; any other latest outcome ('accepted',
-- 'conditional', ...) or no acceptance decision at all leaves it owed. The rework
-- of a rejected batch is delivered as a batch of its own and priced as any other.
-- A batch belongs to the period in which its first delivery was received.
local delivery = require "annovet.delivery"
local pricing = require "annovet.pricing"
local store = require "annovet.store"

local M = {}

M.ACCEPTANCE_KIND = "acceptance"
M.REJECTED = "rejected"

-- The counts of one stored delivery, read back from its bytes.
local function count_delivery(db, d, card)
  local ds, err = delivery.load(db, d)
  if not ds then return nil, err end
  local c = pricing.count(ds, card.counting)
  ds:close()
  return c
end

-- The cost of batch_id's deliveries (read back from their stored bytes) under card:
-- the cost result of card:cost (total a Money), or nil and a message.
function M.batch_cost(db, batch_id, card)
  local counts = {}
  for _, d in ipairs(store.deliveries_of(db, batch_id)) do
    local c, msg = count_delivery(db, d, card)
    if not c then return nil, msg end
    counts[#counts + 1] = c
  end
  if #counts == 0 then return nil, "the batch has no deliveries" end
  return card:cost(pricing.add_counts(counts))
end

-- invoice(card, {store, vendor, period}) -> result (JSON-ready) | nil, message.
function M.compute(card, opts)
  local first, last = pricing.period(opts.period)
  if not first then return nil, last end
  local db, err = store.open(opts.store, false)
  if not db then return nil, err end
  local ok, res = pcall(function()
    local v = store.vendor_by_name(db, opts.vendor)
    if not v then error(string.format("%s: no vendor '%s' in the store", opts.store, opts.vendor), 0) end
    local batches = store.batches_received(db, v.id, first, last)
    local out = {vendor = opts.vendor, period = opts.period, from = first, to = last, currency = card.currency,
      rounding = card.rounding, card = {path = card.path, sha256 = card.sha256}, batches = {}}
    local total, prior = pricing.money.minor(0, card.currency), {}
    for _, b in ipairs(batches) do
      local dec = store.latest_decision(db, b.id, M.ACCEPTANCE_KIND)
      local entry = {batch = b.name, batch_id = b.id, received_at = b.received_at, deliveries = {}}
      if dec then entry.acceptance = {decision_id = dec.id, outcome = dec.outcome, hash = dec.hash, at = dec.created_at} end
      local counts = {}
      for _, d in ipairs(store.deliveries_of(db, b.id)) do
        entry.deliveries[#entry.deliveries + 1] = {delivery_id = d.id, path = d.path, format = d.format,
          sha256 = d.sha256, received_at = d.received_at}
        local c, msg = count_delivery(db, d, card)
        if not c then error(msg, 0) end
        counts[#counts + 1] = c
      end
      local day = b.received_at:sub(1, 10)
      local cost, msg = card:cost(pricing.add_counts(counts), {date = day, prior = prior})
      if not cost then error(msg, 0) end
      local j = pricing.cost_json(cost, card)
      entry.counted, entry.counting = j.counted, j.counting
      if dec and dec.outcome == M.REJECTED then
        entry.status = "rejected"
        entry.reason = "the latest acceptance decision rejected the batch: owed nothing (its rework batch is billed)"
        entry.priced_at = j.total
        entry.amount = pricing.money.minor(0, card.currency):json()
        entry.lines = {}
      else
        entry.status = "owed"
        entry.lines, entry.amount = j.lines, j.total
        for _, p in ipairs(cost.lines) do
          if p.key then prior[p.key] = (prior[p.key] or 0) + p.quantity end
        end
        total = total + cost.total
      end
      out.batches[#out.batches + 1] = entry
    end
    if card.minimum and total < card.minimum then
      local top = card.minimum - total
      out.minimum_topup = {amount = top:json(), minimum = card.minimum:json(),
        note = "the card's monthly minimum commitment exceeds the work billed"}
      total = card.minimum
    end
    out.total = total:json()
    return out
  end)
  db:close()
  if not ok then return nil, tostring(res) end
  return res
end


-- Records an invoice computed by M.compute (res) in the store: per owed batch a
-- decision of kind 'invoice' (outcome 'invoiced'; payload: the period, the card's
-- SHA-256, the amount and lines) in the hash-chained log, and the batch's state
-- 'invoiced', in one transaction. A batch invoiced before is refused, so nothing
-- is billed twice. Returns {batch = decision id, ...}, or nil and a message.
function M.record(res, path)
  local log = require "annovet.log"
  local db, err = store.open(path, true)
  if not db then return nil, err end
  local ok, out = pcall(store.transaction, db, function()
    local ids = {}
    for _, b in ipairs(res.batches) do
      if b.status == "owed" then
        local prior = store.latest_decision(db, b.batch_id, "invoice")
        if prior then
          error(string.format("%s: batch '%s' was invoiced already (decision %d, %s)", path, b.batch, prior.id,
            prior.created_at), 0)
        end
        ids[b.batch] = log.decide(db, {batch_id = b.batch_id, kind = "invoice", outcome = "invoiced",
          payload = {period = res.period, vendor = res.vendor, currency = res.currency,
            card = res.card, amount = b.amount, lines = b.lines, deliveries = b.deliveries}})
        store.set_batch_state(db, b.batch_id, "invoiced")
      end
    end
    return ids
  end)
  db:close()
  if not ok then return nil, tostring(out) end
  return out
end

return M
