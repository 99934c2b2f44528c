-- annovet invoice: what a vendor is owed over a period, each line traced to its batch.
local output = require "annovet.output"
local invoice = require "annovet.invoice"
local json = require("annovet").json
local pricing = require "annovet.pricing"

local USAGE = "annovet invoice --store DB --vendor V --period P --rates CARD [--record] [--format json|table]"

return {
  summary = "what a vendor is owed over a period, each line traced to its batch and delivery",
  usage = USAGE,
  help = [[
Prices every batch of vendor V whose first delivery was received in period P
(YYYY-MM, or YYYY-MM-DD..YYYY-MM-DD) under the rate card CARD. Each batch's
deliveries are read back from the bytes in the store and counted as the card
says; each line names its batch, its deliveries' SHA-256 and the card's SHA-256.
Volume tiers run over the period, batch after batch in the order received.
A batch whose latest 'acceptance' decision is 'rejected' is owed nothing (its
rework batch is priced as any other). The card's monthly minimum tops the total
up. Prints JSON (or --format table); bad input exits 2.

--record writes the invoice into the store: each owed batch gets a decision of
kind 'invoice' in the hash-chained log (the period, the card's SHA-256, the
amount and its lines) and moves to the state 'invoiced'; a batch invoiced before
is refused (exit 2), so nothing is billed twice.]],
  options = {
    {name = "--store", arg = "DB", help = "the project store (default annovet.db)"},
    {name = "--vendor", arg = "V", help = "the vendor"},
    {name = "--period", arg = "P", help = "YYYY-MM or YYYY-MM-DD..YYYY-MM-DD"},
    {name = "--rates", arg = "CARD", help = "the vendor's rate card (CSV or Lua)"},
    {name = "--record", help = "record the invoice in the store's log; owed batches become 'invoiced'"},
    output.option({"json", "table"}, "output format: json (default) or table"),
  },
  run = function(opts, pos, cli)
    local usage = {usage = USAGE}
    if pos[1] then cli.usage_error("unexpected argument '" .. pos[1] .. "'", usage) end
    for _, k in ipairs {"vendor", "period", "rates"} do
      if not opts[k] then cli.usage_error("invoice needs --" .. k, usage) end
    end
    local fmt = opts.format
    cli.check(pricing.period(opts.period))
    local card = cli.check(pricing.card(opts.rates))
    if card.vendor and card.vendor ~= opts.vendor then
      cli.warn(string.format("%s is the card of vendor '%s', not '%s'", card.path, card.vendor, opts.vendor))
    end
    local res = cli.check(invoice.compute(card, {store = opts.store or "annovet.db", vendor = opts.vendor,
      period = opts.period}))
    if opts.record then
      res.recorded = cli.check(invoice.record(res, opts.store or "annovet.db"))
    end
    if fmt == "table" then
      local out = {string.format("%s, %s (%s, sha256 %s)", res.vendor, res.period, res.card.path, res.card.sha256:sub(1, 12))}
      for _, b in ipairs(res.batches) do
        out[#out + 1] = string.format("  %-20s %-9s %12s", b.batch, b.status, b.amount.text)
      end
      if res.minimum_topup then out[#out + 1] = string.format("  %-30s %12s", "minimum top-up", res.minimum_topup.amount.text) end
      out[#out + 1] = string.format("  %-30s %12s %s", "total", res.total.text, res.currency)
      io.stdout:write(table.concat(out, "\n"), "\n")
      return 0
    end
    for _, b in ipairs(res.batches) do
      b.lines = json.array(b.lines)
      b.deliveries = json.array(b.deliveries)
    end
    res.batches = json.array(res.batches)
    cli.print_json(res)
    return 0
  end,
}
