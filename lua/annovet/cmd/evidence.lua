-- annovet evidence: the dispute pack of a batch, and its verification.
local evidence = require "annovet.evidence"
local keys = require "annovet.keys"
local sla_rules = require "annovet.sla_rules"
local store = require "annovet.store"
local system = require "annovet.system"

local USAGE = "annovet evidence --store DB --batch B [--vendor V] --out DIR [--disclose failing|sample|all] " ..
  "[--sign-key KEY] [--rates CARD | --price-per-item AMOUNT [--currency C]]\n" ..
  "       annovet evidence verify DIR [--public-key KEY]"

return {
  summary = "writes a batch's dispute pack a vendor can check (evidence verify DIR checks one)",
  usage = USAGE,
  help = [[
Writes into the new folder DIR what a vendor needs to check the latest
acceptance decision on batch B (annovet sla check) without the buyer's store:
index.html (what was checked, what failed, the money at stake), per_class.csv,
failing_items.csv (every conflict on the items the failures rest on),
audit_sample.csv, delivery/ (the delivery the decision rests on), rules/ (the
SLA rule script), gold/ (the gold items disclosed: --disclose failing, the
default, gives only those the failures rest on, since handing over the whole
gold panel burns it; sample adds the audit sample's items; all gives the whole
panel), and manifest.json: every file's SHA-256 and size, the batch's entries of
the store's log with their RFC 6962 inclusion proofs under the batch's Merkle
root, the per-class counts on the failing items, the parameters, the tool
version and commit, and timestamps. --sign-key KEY signs manifest.json with
Ed25519 (manifest.sig). --rates CARD prices the batch's deliveries under the
vendor's rate card for the money at stake (the card goes into the pack, rates/);
--price-per-item (e.g. 0.05) is a flat price per item instead.

evidence verify DIR checks a pack from its files alone: the signature
(--public-key, the buyer's), every file's SHA-256, every log entry's hash and
inclusion proof, that the delivery and rule script are those the log names,
that per_class.csv holds the logged numbers, and it scores the delivery
against the disclosed gold again on the failing items. It prints
{"verified": true, ...} and says "verified" on stderr, or exits 1 naming the file
(and the number) that differs.]],
  options = {
    {name = "--store", arg = "DB", help = "the project store (default annovet.db)"},
    {name = "--batch", arg = "B", help = "the batch"},
    {name = "--vendor", arg = "V", help = "the batch's vendor (when several have a batch B)"},
    {name = "--out", arg = "DIR", help = "the new folder to write the pack into"},
    {name = "--disclose", arg = "WHAT", choices = evidence.DISCLOSE, help = "gold items in the pack: failing (default), sample or all"},
    {name = "--sign-key", arg = "KEY", help = "sign the manifest with this Ed25519 signing key file"},
    {name = "--public-key", arg = "KEY", help = "verify: the buyer's Ed25519 public key file"},
    {name = "--rates", arg = "CARD", help = "the vendor's rate card: prices the batch for the money at stake"},
    {name = "--price-per-item", arg = "AMOUNT", help = "a flat price per item, for the money at stake"},
    {name = "--currency", arg = "C", help = "the price's currency (default USD)"},
  },
  positional = {max = 2},
  run = function(opts, pos, cli)
    local usage = {usage = USAGE}
    if pos[1] == "verify" then
      if not pos[2] then cli.usage_error("evidence verify needs the pack's folder DIR", usage) end
      for _, o in ipairs {"store", "batch", "vendor", "out", "disclose", "sign_key", "rates", "price_per_item", "currency"} do
        if opts[o] then cli.usage_error("--" .. o:gsub("_", "-") .. " does not go with evidence verify", usage) end
      end
      if system.kind(pos[2]) ~= "dir" then cli.fail(pos[2] .. ": not a folder (an evidence pack is one)") end
      local pub = opts.public_key and cli.check(keys.public(opts.public_key))
      local r = evidence.verify(pos[2], pub)
      cli.print_json(r)
      if not r.verified then
        io.stderr:write("annovet: evidence verify: ", r.message, "\n")
        return 1
      end
      io.stderr:write("annovet: evidence verify: verified (", r.files, " files, ", r.log_entries,
        " log entries, signature ", r.signature, ")\n")
      return 0
    end
    if pos[1] then cli.usage_error("unexpected argument '" .. pos[1] .. "'", usage) end
    if opts.public_key then cli.usage_error("--public-key goes with evidence verify", usage) end
    if not opts.batch or not opts.out then cli.usage_error("evidence needs --batch B and --out DIR", usage) end
    if opts.price_per_item and not evidence.minor_units(opts.price_per_item) then
      cli.fail("--price-per-item: expected an amount with at most 2 decimals (0.05), got '" .. opts.price_per_item .. "'")
    end
    if opts.currency and not opts.price_per_item then cli.usage_error("--currency goes with --price-per-item", usage) end
    if opts.rates and opts.price_per_item then cli.usage_error("--rates or --price-per-item, not both", usage) end
    local card
    if opts.rates then
      card = cli.check(require("annovet.pricing").card(opts.rates))
      local f = io.open(opts.rates, "rb")
      card.bytes = f and f:read("a") or ""
      if f then f:close() end
    end
    if opts.currency and not opts.currency:match("^%u%u%u$") then
      cli.fail("--currency: expected a 3-letter ISO 4217 code (USD), got '" .. opts.currency .. "'")
    end
    local db <close> = cli.check(store.open(opts.store or "annovet.db", false))
    local b = cli.check(sla_rules.find_batch(db, opts.batch, opts.vendor))
    local m = cli.check(evidence.build(db, b, opts.out, {disclose = opts.disclose, sign_key = opts.sign_key,
      price = opts.price_per_item, currency = opts.currency, card = card}))
    local names = {}
    for i, f in ipairs(m.files) do names[i] = f.path end
    cli.print_json({out = opts.out, batch = b.name, vendor = b.vendor, outcome = m.decision.outcome,
      root = m.log.root, files = names, signed = opts.sign_key ~= nil})
    return 0
  end,
}
