-- annovet policy: loads a policy file (a scorecard, rate card or report script) the
-- way the engine will, and says what it returns, or why it cannot be used.
local annovet = require "annovet"
local args = require "annovet.args"
local policy = require "annovet.policy"

local USAGE = "annovet policy FILE.lua [--field NAME=TYPE]... [--param NAME=VALUE]... [--call NAME] " ..
  "[--max-steps N] [--max-memory SIZE] [--bundled]"

-- The fields of t (read raw) and their types, for the summary.
local function field_types(t)
  local out = {}
  local k, v = next(t)
  while k ~= nil do
    if type(k) == "string" then out[k] = math.type(v) == "integer" and "integer" or type(v) end
    k, v = next(t, k)
  end
  return out
end

return {
  summary = "loads a policy file in the sandbox and checks the fields it returns",
  usage = USAGE,
  help = [[
Runs FILE (scorecards/, pricing/, reports/ or any path) in the sandbox, as the
engine does before it uses a policy: no io, os or debug, text chunks only,
under the step and memory budgets. The file must return a table; --field
NAME=TYPE (repeatable) names a field it must hold (string, number, integer,
boolean, table, function, any; NAME=TYPE? when optional). --param NAME=VALUE
overrides a parameter the file declares in its params table. Prints JSON: the
path, the SHA-256 of the bytes run, where they came from (disk, or embedded
with --bundled when FILE is not on disk but ships with annovet), the
parameters in force and the type of each field. --call NAME then calls the
function NAME with no arguments under the same budgets and adds its results
(plain data only). Any error, limit or missing field is one line naming the
file (and its line where known), exit 2.]],
  options = {
    {name = "--field", arg = "NAME=TYPE", multi = true, help = "a field the file must return"},
    {name = "--param", arg = "NAME=VALUE", multi = true, help = "override a parameter"},
    {name = "--call", arg = "NAME", help = "call this function of the policy"},
    {name = "--max-steps", arg = "N", integer = true, min = 1, help = "VM instructions per run (default 1e9)"},
    {name = "--max-memory", arg = "SIZE", help = "memory budget (default 256M)"},
    {name = "--bundled", help = "FILE missing on disk: use the copy inside annovet"},
  },
  positional = {min = 1, max = 1, missing = "policy needs a FILE.lua"},
  run = function(opts, pos, cli)
    local spec, params = {}, {}
    for _, f in ipairs(opts.field or {}) do
      local name, t = f:match("^([%w_]+)=(.+)$")
      if not name then cli.fail("--field: expected NAME=TYPE, got '" .. f .. "'") end
      spec[name] = t
    end
    for _, p in ipairs(opts.param or {}) do
      local name, v = p:match("^([%w_]+)=(.*)$")
      if not name then cli.fail("--param: expected NAME=VALUE, got '" .. p .. "'") end
      params[name] = v
    end
    local okspec, serr = policy.check_spec(spec)
    if not okspec then cli.fail("--field: " .. serr:gsub("^policy spec: ", "")) end
    local max_memory = opts.max_memory and cli.check(args.size(opts.max_memory, "--max-memory"))
    local p = cli.check(policy.load(pos[1], spec, {params = params, max_steps = opts.max_steps,
      max_memory = max_memory, bundled = opts.bundled}))
    local out = policy.evidence(p)
    out.fields = field_types(p.fields)
    if opts.call then
      local res = table.pack(policy.call(p, opts.call))
      if not res[1] then cli.fail(res[2]) end
      local results = {}
      for i = 2, res.n do
        local v = policy.plain(res[i], "result " .. (i - 1))
        results[#results + 1] = v == nil and annovet.json.null or v
      end
      out.results = annovet.json.array(results)
    end
    cli.print_json(out)
    return 0
  end,
}
