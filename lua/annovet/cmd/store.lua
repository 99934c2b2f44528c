-- annovet store: create a store, or show what one holds.
local store = require "annovet.store"

local USAGE = "annovet store info|init [--store PATH]"

return {
  summary = "creates a store (init) or shows what it holds (info)",
  usage = USAGE,
  help = [[
store init   creates the store (or migrates an older one to this build's schema)
             and prints its info.
store info   prints, as JSON, the schema version, how many vendors, batches,
             deliveries, gold-panel versions, evaluations and decisions the store
             holds, the vendors with their batches, the gold-panel versions and
             the head of the decision hash chain. It opens the store read-only
             and never changes it.]],
  options = {
    {name = "--store", arg = "PATH", help = "the project store (default annovet.db)"},
  },
  positional = {max = 1},
  run = function(opts, pos, cli)
    local sub = pos[1]
    if sub ~= "info" and sub ~= "init" then
      cli.usage_error(sub and ("unknown store command '" .. sub .. "'")
        or "store needs a sub-command: info or init", {usage = USAGE})
    end
    local db <close> = cli.check(store.open(opts.store or "annovet.db", sub == "init"))
    cli.print_json(store.info(db))
    return 0
  end,
}
