-- annovet ingest: record deliveries (or a gold-panel version) in the store.
local annovet = require "annovet"
local dataset = require "annovet.dataset"
local ingest = require "annovet.ingest"

local USAGE = "annovet ingest --store DB --vendor V --batch B [--from FORMAT] FILE...\n" ..
  "       annovet ingest --store DB --gold [--name PANEL] [--from FORMAT] FILE"

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
  },
  positional = {min = 1, max = math.huge, missing = "ingest needs at least one FILE"},
  run = function(opts, pos, cli)
    local usage = {usage = USAGE}
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
