-- annovet sla plan: the MIL-STD-105E single-sampling plan for a lot size and AQL.
local aql = require "annovet.aql"
local json = require("annovet").json

local M = {}

M.summary = "the sampling plan for a lot: code letter, sample size, Ac and Re (MIL-STD-105E)"
M.usage = "annovet sla plan --lot N --aql A [--level I|II|III|S1..S4] [--inspection normal|tightened|reduced] " ..
  "[--count defectives|defects]"
M.help = [[
Looks up the code letter of the lot size at the inspection level (Table I), then
the plan at the AQL in Table II-A (normal), II-B (tightened) or II-C (reduced).
An arrow in the table is followed to the first plan below (or above) it, and the
plan's code letter and sample size are then those of that plan. A sample as
large as the lot or larger means every unit is inspected ("inspect_all": true).
Under reduced inspection a plan may have a gap between Ac and Re: a count in
between accepts the lot but reinstates normal inspection (105E 10.1.4).

--aql takes one AQL (1.0) or one per defect grade (critical=0.065,major=1.0,
minor=4.0): each grade has its own plan, and a lot is accepted only if every
grade is. AQLs above 10 are nonconformities per 100 units and need --count
defects (count every defect); up to 10, --count defectives (the default) counts
defective items, --count defects every defect.

JSON: {"source", "lot_size", "level", "inspection", "count", "grades": [{grade,
aql, table, table_i_code_letter, code_letter, table_sample_size, sample_size,
accept, reject, arrow, inspect_all, reduced_gap, notes}], "sample_size"}; with a
single AQL, that plan's fields are also at the top level.]]
M.options = {
  {name = "--lot", arg = "N", integer = true, min = 1, help = "lot (batch) size: the number of items"},
  {name = "--aql", arg = "A", help = "AQL, or grade=AQL,... for critical, major, minor"},
  {name = "--level", arg = "L", help = "inspection level I, II (default), III, S1..S4"},
  {name = "--inspection", arg = "I", help = "normal (default), tightened or reduced"},
  {name = "--count", arg = "C", help = "defectives (default) or defects (per 100 units)"},
}

-- Checks the options shared with `sla sample`: returns level, grades, count,
-- inspection (nil when not given), or fails.
function M.check_options(opts, cli)
  local level, msg = aql.parse_level(opts.level or "II")
  if not level then cli.fail(msg) end
  local count = opts.count or "defectives"
  if not aql.counts[count] then cli.fail("--count: expected defectives or defects, got '" .. count .. "'") end
  if not opts.aql then cli.usage_error("--aql is required", M) end
  local grades, gmsg = aql.parse_grades(opts.aql, count)
  if not grades then cli.fail(gmsg) end
  local inspection = opts.inspection
  if inspection and inspection ~= "normal" and inspection ~= "tightened" and inspection ~= "reduced" then
    cli.fail("--inspection: expected normal, tightened or reduced, got '" .. inspection .. "'")
  end
  return level, grades, count, inspection
end

-- The JSON of a set of plans.
function M.result(lot, level, inspection, count, plans, n)
  local res = {source = aql.source, lot_size = lot, level = level, inspection = inspection, count = count,
    count_means = aql.counts[count], sample_size = n, inspect_all = n >= lot}
  for _, p in ipairs(plans) do
    p.notes = json.array(p.notes)
    p.lot_size, p.level, p.inspection = nil, nil, nil
  end
  if #plans == 1 and plans[1].grade == "defects" then
    for k, v in pairs(plans[1]) do
      if res[k] == nil then res[k] = v end
    end
  end
  res.grades = json.array(plans)
  return res
end

function M.run(opts, pos, cli)
  if pos[1] then cli.usage_error("unexpected argument '" .. pos[1] .. "'", M) end
  if not opts.lot then cli.usage_error("--lot is required", M) end
  local lot = opts.lot
  local level, grades, count, inspection = M.check_options(opts, cli)
  inspection = inspection or "normal"
  local plans, n = aql.plans(lot, level, grades, inspection)
  cli.print_json(M.result(lot, level, inspection, count, plans, n))
  return 0
end

return M
