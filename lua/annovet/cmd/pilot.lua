-- annovet pilot: the whole pilot verdict from a PILOT.lua, with index.html and CSVs.
local pilot = require "annovet.pilot"
local report = require "annovet.pilot_report"

local USAGE = "annovet pilot PILOT.lua --out DIR [--store DB] [--skip-missing-items]"

return {
  summary = "the pilot verdict: scores, scorecards, SLA, cost and a ranking, as index.html and CSVs",
  usage = USAGE,
  help = [[
PILOT.lua is a policy file (run in the sandbox) returning:
  name       the pilot's title
  gold       the gold panel (any format annovet reads)
  sample     the images sent to every vendor, with the gold hidden inside
             (optional; default the gold panel)
  vendors    {{name =, delivery =, double =, questionnaire =, rates =,
             timesheets =, delivered = "YYYY-MM-DD"}, ...}: delivery is required;
             double: items annotated by two annotators (agreement); questionnaire:
             JSON or CSV (annovet scorecard template)
  sla        SLA rules ({clauses = {{name, text, check(batch, params)}}})
  weights    {quality =, cost =, turnaround =, scorecard =} (default 0.40, 0.25,
             0.15, 0.20)
  sent       the date the sample went out ("YYYY-MM-DD"; turnaround in days)
  iou, iou_type (bbox or segm), accept_f1 (an item is accepted at this F1,
  default 0.9), scorecard (default the bundled scorecards/buyers_guide.lua),
  resamples, seed (for the bootstrap, when the compare statistics exist).
Paths are relative to PILOT.lua's folder; a missing file is one line naming the
field and the file, exit 2.

Every gold item sent is owed: a gold item a vendor did not deliver counts its
objects as missed (--skip-missing-items leaves it out, the old behaviour).
Ranking: each component relative to the best vendor (quality F1 / best F1,
lowest cost per accepted asset / the vendor's, fewest days / the vendor's, the
scorecard total), weighted, divided by the weights of the components computed,
then capped by the vendor's red flags. A component this build cannot compute
(cost without the pricing module) is left out and the report says so.

--store DB takes each vendor's turnaround from the store instead of the dates in
PILOT.lua: from its batch's sent_at (ingest --sent-at; else PILOT.lua's sent) to
the first delivery received (ingest --received-at, or the time of ingest), the
batch named by the vendor's `batch` field (default: the only batch the store
holds for that vendor).

--out DIR gets index.html (self-contained: inline CSS and SVG), ranking.csv,
per_class.csv, scorecard.csv, costs.csv, sla.csv, conflicts.csv and pilot.json;
stdout gets the JSON summary (recommendation, ranking, files).]],
  options = {
    {name = "--out", arg = "DIR", help = "the folder for index.html, the CSV files and pilot.json"},
    {name = "--store", arg = "DB", help = "take the turnaround from the store's dates (ingest --sent-at, --received-at)"},
    {name = "--skip-missing-items", help = "leave out gold items a vendor did not deliver (default: missed)"},
  },
  positional = {min = 1, max = 1, missing = "pilot needs the PILOT.lua file"},
  run = function(opts, pos, cli)
    if not opts.out then cli.usage_error("pilot needs --out DIR", {usage = USAGE}) end
    local p = cli.check(pilot.load(pos[1]))
    local result = cli.check(pilot.run(p, {skip_missing_items = opts.skip_missing_items, progress = cli.progress,
      store = opts.store}))
    local doc = cli.check(report.write(result, opts.out))
    cli.progress("pilot: wrote " .. doc.files.index)
    cli.print_json({name = doc.name, recommendation = doc.recommendation, ranking = doc.ranking,
      weights = doc.weights, left_out = doc.left_out, notes = doc.notes, missing_items = doc.missing_items,
      files = doc.files})
    return 0
  end,
}
