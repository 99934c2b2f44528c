-- The pilot (SYNTHETIC example made by tools/gen_pilot.lua): run with
--   annovet pilot examples/pilot/pilot.lua --out out/pilot
-- Paths are relative to this file's folder.
return {
  name = "Road-scene pilot, November 2026 (synthetic example)",
  gold = "gold.json",
  sample = "sample.json",
  iou_type = "bbox",
  iou = 0.5,
  sent = "2026-11-02",
  sla = "sla.lua",
  weights = {quality = 0.40, cost = 0.25, turnaround = 0.15, scorecard = 0.20},
  vendors = {
    {name = "acme", delivery = "acme.json", double = "acme_double.json", delivered = "2026-11-12",
      questionnaire = "acme_questionnaire.json", rates = "../../pricing/pilot/acme.csv", timesheets = "timesheets/acme.csv"},
    {name = "budget", delivery = "budget.json", double = "budget_double.json", delivered = "2026-11-07",
      questionnaire = "budget_questionnaire.csv", rates = "../../pricing/pilot/budget.csv", timesheets = "timesheets/budget.csv"},
    {name = "rapid", delivery = "rapid.json", delivered = "2026-11-06",
      questionnaire = "rapid_questionnaire.json", rates = "../../pricing/pilot/rapid.csv", timesheets = "timesheets/rapid.csv"},
  },
}
