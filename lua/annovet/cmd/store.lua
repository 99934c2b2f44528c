-- annovet store: create a store, show what it holds, verify it, sign its log head.
local annovet = require "annovet"
local keys = require "annovet.keys"
local log = require "annovet.log"
local store = require "annovet.store"
local system = require "annovet.system"
local verify = require "annovet.verify"

local USAGE = "annovet store info|init|verify [--store PATH]\n" ..
  "       annovet store keygen --out KEY\n" ..
  "       annovet store sign [--store PATH] --sign-key KEY"

-- A new key file, owner-only (0600); an existing file is never overwritten.
local function write_new(path, text, cli)
  if system.kind(path) then cli.fail(path .. ": exists; keygen never overwrites a key") end
  cli.check(system.write_private(path, text))
end

local SUBS = {info = true, init = true, verify = true, keygen = true, sign = true}

return {
  summary = "creates a store (init), shows it (info), verifies its log (verify), signs its head (sign, keygen)",
  usage = USAGE,
  help = [[
store init   creates the store (or migrates an older one to this build's schema)
             and prints its info.
store info   prints, as JSON, the schema version, how many vendors, batches,
             deliveries, gold-panel versions, evaluations, decisions and log
             entries the store holds, the vendors with their batches, the
             gold-panel versions and the heads of the decision chain and the log.
             It opens the store read-only and never changes it.
store verify walks the log from its first entry: each entry must name the hash
             of the one before and hash to its own (SHA-256 of the previous hash,
             a line break and the entry's canonical JSON), the row it logged must
             be the row the store holds, and every recorded comparison must give
             the same numbers when recomputed from the stored gold and vendor
             bytes with the recorded parameters. Prints {"verified", "entries",
             "recomputed", "not_recomputed", "head", "difference"}; exit 1 naming
             the first row that differs (table, id, field), 0 when all agree.
store keygen writes a new Ed25519 signing key to KEY (the 32-byte seed as 64 hex
             digits: keep it private) and its public key to KEY.pub.
store sign   signs the log head with KEY: prints the checkpoint ("annovet log",
             the number of entries and the head hash, one per line), the public
             key and the Ed25519 signature of the checkpoint's bytes.]],
  options = {
    {name = "--store", arg = "PATH", help = "the project store (default annovet.db)"},
    {name = "--out", arg = "KEY", help = "keygen: the signing key file to write (and KEY.pub)"},
    {name = "--sign-key", arg = "KEY", help = "sign: the signing key file"},
  },
  positional = {max = 1},
  run = function(opts, pos, cli)
    local sub = pos[1]
    if not SUBS[sub] then
      cli.usage_error(sub and ("unknown store command '" .. sub .. "'")
        or "store needs a sub-command: info, init, verify, keygen or sign", {usage = USAGE})
    end
    if sub == "keygen" then
      if not opts.out then cli.usage_error("store keygen needs --out KEY", {usage = USAGE}) end
      local seed = system.ed25519_seed()
      local pub = annovet.ed25519.public_key(seed)
      write_new(opts.out .. ".pub", pub .. "\n", cli)
      write_new(opts.out, seed .. "\n", cli)
      cli.print_json({signing_key = opts.out, public_key_file = opts.out .. ".pub", public_key = pub})
      return 0
    end
    local db <close> = cli.check(store.open(opts.store or "annovet.db", sub == "init"))
    if sub == "verify" then
      local r = verify.store(db)
      cli.print_json(r)
      if not r.verified then
        io.stderr:write("annovet: store verify: ", r.difference.message, "\n")
        return 1
      end
      return 0
    elseif sub == "sign" then
      if not opts.sign_key then cli.usage_error("store sign needs --sign-key KEY", {usage = USAGE}) end
      local seed, pub = cli.check(keys.signing(opts.sign_key))
      local head = store.log_head(db)
      local cp = log.checkpoint(head and head.seq or 0, head and head.hash or log.GENESIS)
      cli.print_json({checkpoint = cp, public_key = pub, signature = annovet.ed25519.sign(seed, cp)})
      return 0
    end
    cli.print_json(store.info(db))
    return 0
  end,
}
