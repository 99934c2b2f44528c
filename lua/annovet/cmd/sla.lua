-- annovet sla: the contract's sampling and service-level checks, one sub-command
-- per file in lua/annovet/sla/ (plan, sample, record, check). A new sub-command is
-- a file there and one entry in SUBCOMMANDS.
local args = require "annovet.args"

local SUBCOMMANDS = {"plan", "sample", "record", "check"}

local USAGE = "annovet sla plan|sample|record|check [OPTIONS]  ('annovet sla SUBCOMMAND --help')"

local function find(name)
  for _, s in ipairs(SUBCOMMANDS) do
    if s == name then return require("annovet.sla." .. name) end
  end
end

local function help()
  local out = {[[
Acceptance sampling by attributes after MIL-STD-105E (the plans of ANSI/ASQ
Z1.4 and ISO 2859-1): single sampling, Tables I and II-A/B/C, with the
switching rules between normal, tightened and reduced inspection; and the
contract's SLA rules run on a batch (check), recorded in the store's log.

sub-commands:]]}
  for _, s in ipairs(SUBCOMMANDS) do
    out[#out + 1] = string.format("  %-8s %s", s, find(s).summary)
  end
  return table.concat(out, "\n")
end

return {
  summary = "the contract in force: acceptance sampling (MIL-STD-105E) and SLA rules on a batch (exit 1 on fail)",
  usage = USAGE,
  help = help(),
  stop_at_positional = true,
  options = {},
  positional = {min = 0, max = math.huge},   -- the sub-command and its arguments
  run = function(_, pos, cli)
    local name = pos[1]
    if not name then cli.usage_error("sla needs a sub-command: " .. table.concat(SUBCOMMANDS, ", "), {usage = USAGE}) end
    local sub = find(name)
    if not sub then
      cli.usage_error(string.format("unknown sla sub-command '%s' (known: %s)", name,
        table.concat(SUBCOMMANDS, ", ")), {usage = USAGE})
    end
    local rest = table.move(pos, 2, #pos, 1, {})
    for _, a in ipairs(rest) do
      if a == "--help" or a == "-h" then
        io.stdout:write(cli.command_help("sla " .. name, sub), "\n")
        return 0
      end
      if a == "--" then break end
    end
    local opts, p, kind = args.parse(sub.options, rest)
    if not opts then
      if kind == "value" then cli.fail(p) end
      cli.usage_error(p, sub)
    end
    local ok, msg = args.positional(sub.positional, p)
    if not ok then cli.usage_error(msg, sub) end
    return sub.run(opts, p, cli)
  end,
}
