-- annovet ingest: record deliveries (or a gold-panel version) in the store.
local annovet = require "annovet"
local dataset = require "annovet.dataset"
local dates = require "annovet.dates"
local ingest = require "annovet.ingest"

local USAGE = "annovet ingest --store DB --vendor V --batch B [--from FORMAT] [--guidelines-version V] " ..
  "[--rework-of BATCH] [--sent-at DATE] [--received-at DATE] FILE...\n" ..
  "       annovet ingest --store DB --gold [--name PANEL] [--guidelines-version V] [--from FORMAT] FILE\n" ..
  "       annovet ingest --store DB --guidelines FILE --version V"

return {
  summary = "records deliveries (or a gold-panel version) in the store, with their SHA-256",
  usage = USAGE,
  help = [[
Parses every FILE first (any format annovet reads; --from to force one): if any
is bad, nothing is written and no store is created, and the command exits 2
naming the file and where it is wrong. Then, in one transaction, it stores each
file's bytes (deduplicated by SHA-256), and a delivery row (path, format, size,
SHA-256, items, annotations) in batch B of vendor V, creating the vendor and the
batch when they are new. The same bytes ingested again into the same batch are
a no-op that says so. The same bytes as a delivery in another batch (of this
vendor or another) are recorded again, since it is another delivery, with a
warning and "same_bytes_as" {vendor, batch, path, delivery_id, received_at}
naming the earlier one: an old batch delivered again as new.

FILE may be a folder delivery (VOC, YOLO, PNG label images): its SHA-256 is
that of its manifest, one line "sha256  size  path" per file, sorted by path; the
manifest and every file are stored.

With --gold, FILE is a version of the gold panel PANEL (default "gold"): a file
whose bytes differ from every earlier version becomes version n+1; bytes that
are already a version are a no-op that says which. Earlier versions stay, so
evaluations keep pointing at theirs.

--guidelines FILE --version V records the annotation guidelines a vendor works
to (any document: its bytes and SHA-256) as version V. A batch names the version
it was annotated under (--guidelines-version V), and so does a gold panel made
under one; compare --store and sla check say when the two differ. A version
must be recorded before a batch names it.

The batch lifecycle: a batch is delivered when ingested, evaluated once
compare --store scores it, accepted or rejected by sla check, reworked when a
rework batch replaces it (--rework-of BATCH, a batch of the same vendor), and
invoiced by the invoice. --sent-at DATE (when the work was sent to the vendor)
and --received-at DATE (default now) date the delivery for the turnaround
clauses (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ).

Prints a JSON summary on stdout: per file its format, size, sha256, items,
annotations, the delivery (or gold) id and the status "ingested" or
"already ingested".]],
  options = {
    {name = "--store", arg = "DB", help = "the project store (default annovet.db)"},
    {name = "--vendor", arg = "V", help = "the vendor who delivered (created when new)"},
    {name = "--batch", arg = "B", help = "the vendor's batch (created when new)"},
    {name = "--gold", help = "FILE is a new version of the gold panel"},
    {name = "--name", arg = "PANEL", help = "the gold panel's name (default gold)"},
    {name = "--from", arg = "FORMAT", help = "read the files as this format instead of detecting it"},
    {name = "--guidelines", arg = "FILE", help = "record FILE as a version of the annotation guidelines"},
    {name = "--version", arg = "V", help = "with --guidelines: the version it is"},
    {name = "--guidelines-version", arg = "V", help = "the guidelines the batch (or gold panel) was made under"},
    {name = "--rework-of", arg = "BATCH", help = "the batch (of the same vendor) this batch reworks"},
    {name = "--sent-at", arg = "DATE", help = "when the batch's work was sent to the vendor"},
    {name = "--received-at", arg = "DATE", help = "when the delivery was received (default now)"},
  },
  positional = {min = 0, max = math.huge},
  run = function(opts, pos, cli)
    local usage = {usage = USAGE}
    if opts.guidelines or opts.version then
      if not (opts.guidelines and opts.version) then cli.usage_error("--guidelines FILE goes with --version V", usage) end
      if opts.gold or opts.vendor or opts.batch or #pos > 0 then
        cli.usage_error("--guidelines records a document: it takes no --gold, --vendor, --batch or FILE", usage)
      end
      local res = cli.check(ingest.record_guidelines(opts.store or "annovet.db", opts.guidelines, opts.version))
      if res.status ~= "ingested" then
        io.stderr:write("annovet: ", opts.guidelines, ": identical bytes are already guidelines version ",
          opts.version, "; nothing written\n")
      end
      cli.print_json(res)
      return 0
    end
    if #pos == 0 then cli.usage_error("ingest needs at least one FILE", usage) end
    for _, o in ipairs {"sent_at", "received_at"} do
      if opts[o] and not dates.valid(opts[o]) then
        cli.fail(string.format("--%s: expected a date YYYY-MM-DD or a time YYYY-MM-DDTHH:MM:SSZ, got '%s'",
          o:gsub("_", "-"), opts[o]))
      end
    end
    if opts.gold and (opts.rework_of or opts.sent_at or opts.received_at) then
      cli.usage_error("--rework-of, --sent-at and --received-at describe a vendor's batch, not a gold panel", usage)
    end
    if opts.gold then
      if opts.vendor or opts.batch then
        cli.usage_error("--gold records a gold panel: it takes no --vendor or --batch", usage)
      end
      if #pos > 1 then cli.usage_error("--gold takes exactly one FILE (one version of the panel)", usage) end
    else
      if opts.name then cli.usage_error("--name goes with --gold", usage) end
      if not opts.vendor or not opts.batch then cli.usage_error("ingest needs --vendor and --batch", usage) end
      if opts.vendor == "" or opts.batch == "" then cli.usage_error("--vendor and --batch must not be empty", usage) end
    end
    if opts.from then
      local ok, msg = dataset.check_format(opts.from)
      if not ok then cli.usage_error("--from: " .. msg, usage) end
    end
    local plan = cli.check(ingest.prepare(pos, opts.from))
    for _, p in ipairs(plan) do
      for _, w in ipairs(p.warnings) do
        cli.warn(string.format("%s: %s (%d; first: %s)", p.path, w.kind, w.count, w.example))
      end
    end
    local res = cli.check(ingest.record(plan, {
      store = opts.store or "annovet.db", vendor = opts.vendor, batch = opts.batch,
      gold = opts.gold and (opts.name or "gold") or nil,
      guidelines_version = opts.guidelines_version, rework_of = opts.rework_of, sent_at = opts.sent_at,
      received_at = opts.received_at,
    }))
    res.ingested, res.unchanged = 0, 0
    for _, f in ipairs(res.files) do
      if f.status == "ingested" then
        res.ingested = res.ingested + 1
        local o = f.same_bytes_as
        if o then
          cli.warn(string.format("%s: the same bytes as %s, delivered in batch '%s' of vendor '%s' (delivery %d, %s); " ..
            "recorded again in batch '%s'", f.path, o.path, o.batch, o.vendor, o.delivery_id, o.received_at, res.batch))
        end
      else
        res.unchanged = res.unchanged + 1
        -- not a warning: the command did what was asked, and says it had nothing to write
        io.stderr:write("annovet: ", f.path, res.gold
          and string.format(": identical bytes are already version %d of gold panel '%s' (%s); nothing written\n",
            f.version, res.gold, f.same_as)
          or string.format(": identical bytes are already in batch '%s' of vendor '%s' (%s); nothing written\n",
            res.batch, res.vendor, f.same_as))
      end
    end
    res.files = annovet.json.array(res.files)
    cli.print_json(res)
    return 0
  end,
}
