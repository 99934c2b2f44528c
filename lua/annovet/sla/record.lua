-- annovet sla record: the audit's result for a sampled lot, judged against its plans.
local aql = require "annovet.aql"
local json = require("annovet").json
local lots = require "annovet.sla.lots"
local store = require "annovet.store"

local M = {}

M.summary = "records what the audit of a lot's sample found; accepts or rejects the lot"
M.usage = "annovet sla record --store DB --batch B [--vendor V] (--defects N | --critical N --major N --minor N) " ..
  "[--irregular]"
M.help = [[
Records, for the lot `annovet sla sample` drew from batch B, what the audit of
its sample found: --defects N when the lot was sampled with one AQL, or the
count of each grade sampled (--critical, --major, --minor). A count is of
defective items or of defects, as the lot's --count said, found in the first n
items of the sample, n being that grade's sample size.

Each grade is judged by its plan: accepted with at most Ac, rejected with Re or
more; under reduced inspection a count between Ac and Re accepts the lot but
reinstates normal inspection (105E 10.1.4). The lot is accepted only if every
grade is. --irregular says production was irregular or delayed (it returns
reduced inspection to normal and stops a switch to reduced).

Prints the verdict per grade, the lot's outcome and the inspection the next lot
will get. Exit status 1 when the lot is rejected. A result is recorded once.]]
M.options = {
  {name = "--store", arg = "DB", help = "the project store (default annovet.db)"},
  {name = "--batch", arg = "B", help = "the sampled batch"},
  {name = "--vendor", arg = "V", help = "the batch's vendor (when several have batch B)"},
  {name = "--defects", arg = "N", integer = true, min = 0, help = "what the sample held, when the lot has one AQL"},
  {name = "--critical", arg = "N", integer = true, min = 0, help = "critical defects (or defectives) found"},
  {name = "--major", arg = "N", integer = true, min = 0, help = "major defects (or defectives) found"},
  {name = "--minor", arg = "N", integer = true, min = 0, help = "minor defects (or defectives) found"},
  {name = "--irregular", help = "production was irregular or delayed"},
}

function M.run(opts, pos, cli)
  if pos[1] then cli.usage_error("unexpected argument '" .. pos[1] .. "'", M) end
  if not opts.batch or opts.batch == "" then cli.usage_error("--batch is required", M) end
  local given = {}
  for _, g in ipairs {"defects", "critical", "major", "minor"} do
    if opts[g] then
      given[g] = opts[g]
    end
  end
  local path = opts.store or "annovet.db"
  local db <close> = lots.open(path, cli)
  local b = lots.batch(db, path, opts.batch, opts.vendor, cli)
  local row = store.sla_lot(db, b.batch_id)
  if not row then
    cli.fail(string.format("%s: batch '%s' has not been sampled (annovet sla sample)", path, b.batch))
  end
  if row.outcome then
    cli.fail(string.format("%s: the result of batch '%s' is already recorded (%s, %s)", path, b.batch,
      row.outcome, row.recorded_at))
  end
  local plans = json.decode(row.plans)
  local want = {}
  for _, p in ipairs(plans) do
    want[p.grade] = true
    if given[p.grade] == nil then
      cli.fail(string.format("--%s is required: the lot was sampled with %s", p.grade,
        #plans == 1 and p.grade == "defects" and "one AQL" or "that grade"))
    end
  end
  for g in pairs(given) do
    if not want[g] then
      cli.fail(string.format("--%s: the lot of batch '%s' was not sampled with %s", g, b.batch,
        g == "defects" and "a single AQL (give each grade)" or "that grade"))
    end
  end
  local verdicts, outcome, reinstate = {}, "accepted", false
  for _, p in ipairs(plans) do
    local found = given[p.grade]
    if found > p.sample_size and row.measure == "defectives" then
      cli.fail(string.format("--%s %d: more defective items than the %d items inspected", p.grade, found,
        p.sample_size))
    end
    local v, gap = aql.judge(p, found)
    if v == "rejected" then outcome = "rejected" end
    reinstate = reinstate or gap
    verdicts[#verdicts + 1] = {grade = p.grade, aql = p.aql, sample_size = p.sample_size, accept = p.accept,
      reject = p.reject, found = found, verdict = v, reinstate_normal = gap}
  end
  store.transaction(db, function()
    store.sla_insert_result(db, {lot_id = row.id, defects = json.encode(json.array(verdicts)),
      outcome = outcome, reinstate = reinstate, irregular = opts.irregular})
  end)
  local history = lots.history(db, b.vendor_id)
  local state = lots.next_inspection(history)
  cli.print_json({
    store = path, vendor = b.vendor, batch = b.batch, lot_id = row.id, inspection = row.inspection,
    outcome = outcome, reinstate_normal = reinstate, irregular = opts.irregular or false,
    grades = json.array(verdicts), switching = lots.state_json(state, history),
  })
  return outcome == "rejected" and 1 or 0
end

return M
