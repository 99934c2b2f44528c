-- annovet sla check: runs the SLA rules of a contract on a batch (lua/annovet/sla_rules.lua)
-- and records the decision in the store's log; exit 0 on pass, 1 on fail.
local sla_rules = require "annovet.sla_rules"
local store = require "annovet.store"

local M
M = {
  summary = "runs a contract's SLA rules on a batch, records the decision (exit 1 on fail)",
  usage = "annovet sla check --store DB --batch B [--vendor V] --rules RULES.lua [--param NAME=VALUE]... [--new-vendor]",
  help = [[
sla check    runs the clauses of RULES.lua (a policy file run in the sandbox; the
             bundled scorecards/sla/rework.lua when no such file is on disk) on
             batch B: its latest evaluation against the gold panel, the agreement
             on its double-annotated items, its dates (turnaround and rework in
             business days, Monday to Friday less the rules' params.holidays) and
             its audit sample. Records the decision (kind acceptance, outcome
             accepted or rejected, every clause's numbers, the rules' SHA-256 and
             parameters, the gold panel's and the delivery's SHA-256, the tool
             version) as an entry of the store's log, sets the batch's state, and
             prints it as JSON. Exit 0 when every clause passes, 1 when one fails
             (a clause that raises or hits a limit fails, naming the script's
             line), 2 on bad input. A batch or vendor name the store does not know
             is refused with the nearest known one; there is nothing to check in a
             batch the store does not hold, so --new-vendor changes no answer here.]],
  options = {
    {name = "--store", arg = "DB", help = "the project store (default annovet.db)"},
    {name = "--batch", arg = "B", help = "the batch to check"},
    {name = "--vendor", arg = "V", help = "the batch's vendor (when several have a batch B)"},
    {name = "--rules", arg = "RULES.lua", help = "the SLA rule file (e.g. scorecards/sla/rework.lua)"},
    {name = "--param", arg = "NAME=VALUE", multi = true, help = "override a parameter of the rules"},
    {name = "--new-vendor", help = "accepted for symmetry with compare; an unknown batch still has nothing to check"},
  },
  positional = {min = 0, max = 0},
  run = function(opts, _, cli)
    local usage = {usage = M.usage}
    if not opts.batch then cli.usage_error("sla check needs --batch B", usage) end
    if not opts.rules then cli.usage_error("sla check needs --rules RULES.lua", usage) end
    local overrides = {}
    for _, spec in ipairs(opts.param or {}) do
      local k, v = spec:match("^([%w_]+)=(.*)$")
      if not k then cli.fail("--param: expected NAME=VALUE, got '" .. spec .. "'") end
      overrides[k] = v
    end
    local path = opts.store or "annovet.db"
    local db <close> = cli.check(store.open(path, false))
    local b = cli.check(sla_rules.find_batch(db, opts.batch, opts.vendor))
    db:close()
    local p = cli.check(sla_rules.load(opts.rules, overrides))
    local wdb <close> = cli.check(store.open(path, true))
    local report = cli.check(sla_rules.check(wdb, b, p))
    if report.guidelines.mismatch then
      cli.warn(string.format("batch '%s' was annotated under guidelines %s, the gold panel was made under %s",
        b.name, report.guidelines.batch or "(none recorded)", report.guidelines.gold or "(none recorded)"))
    end
    for _, c in ipairs(report.clauses) do
      if c.error then cli.warn("clause '" .. c.name .. "' failed: " .. c.error) end
    end
    cli.print_json(report)
    return report.passed and 0 or 1
  end,
}

return M
