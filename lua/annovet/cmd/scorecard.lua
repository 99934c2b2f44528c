-- annovet scorecard: the empty questionnaire of a scorecard, and a vendor's answers scored.
local output = require "annovet.output"
local scorecard = require "annovet.scorecard"

local USAGE = "annovet scorecard template [--scorecard FILE] [--format json|csv] | " ..
  "annovet scorecard score QUESTIONNAIRE [--scorecard FILE]"
local DEFAULT = "scorecards/buyers_guide.lua"

return {
  summary = "the questionnaire a vendor answers (template), and its answers scored (score)",
  usage = USAGE,
  help = [[
template writes the empty questionnaire of the scorecard (default the bundled
scorecards/buyers_guide.lua, or the file of that path on disk): JSON {"vendor",
"answers": {KEY: {"value": null, "evidence": "promised", "question", "kind"}}}
or, with --format csv, rows key,value,evidence,note,question. A vendor fills in
each value (kinds: bool yes/no, number, text, list of names separated by ;) and
sets evidence to "shown" where it showed evidence rather than promised it.

score QUESTIONNAIRE scores the answers alone (no pilot measurements: the
measured criteria show as "not measured"): JSON with the total, the cap of the
red flags raised, each area and criterion. A question the scorecard does not
ask is an error naming it, never dropped. `annovet pilot` scores each vendor
with the pilot's measurements too.]],
  options = {
    {name = "--scorecard", arg = "FILE", help = "the scorecard (default " .. DEFAULT .. ")"},
    output.option({"json", "csv"}, "json (default) or csv (template only)"),
  },
  positional = {min = 1, max = 2, missing = "scorecard needs an action: template or score"},
  run = function(opts, pos, cli)
    if pos[1] ~= "template" and pos[1] ~= "score" then
      cli.usage_error("scorecard: expected template or score, got '" .. pos[1] .. "'", {usage = USAGE})
    end
    local path = opts.scorecard or DEFAULT
    local sc = cli.check(scorecard.load(path, {bundled = opts.scorecard == nil}))
    if pos[1] == "template" then
      if pos[2] then cli.usage_error("scorecard template takes no file", {usage = USAGE}) end
      cli.check(output.write(opts.format, {json = scorecard.template(sc), csv = scorecard.template_rows(sc)}))
      return 0
    end
    if not pos[2] then cli.usage_error("scorecard score needs the QUESTIONNAIRE file", {usage = USAGE}) end
    if opts.format ~= "json" then cli.fail("--format: scorecard score writes json") end
    local answers = cli.check(scorecard.read_answers(pos[2], sc))
    local card = cli.check(scorecard.score(sc, answers, {}))
    card.scorecard = require("annovet.policy").evidence(sc.policy)
    cli.print_json(card)
    return 0
  end,
}
