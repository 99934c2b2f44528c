-- The buyer's guide scorecard: scores an annotation vendor criterion by criterion
-- from its questionnaire answers and from what the pilot measured, by area with
-- the weights of ../shared/DOMAIN.md section 3 (quality 30-40%, cost 20-30%,
-- delivery 20-30%, service 10-20%), and caps the vendor on red flags.
--
-- Each criterion: key (the questionnaire key), area, weight (within its area; 0:
-- asked, not scored), kind ("bool", "number", "text", "list"), question, evidence
-- (true: full credit only when the vendor showed evidence; a promise earns
-- params.promised_credit of the score), and
--   score(value)    -> 0..1 from the vendor's answer (never called on a missing
--                      answer: that scores 0 and is shown as missing)
--   measured(m)     -> 0..1, note | nil: from the pilot's measurements, used
--                      instead of the answer when the delivery shows it
-- m (the measurements) holds f1, delivered, sent, days, cost_per_accepted,
-- agreement = {value, metric, units}, annotators = {{name, f1, objects}, ...},
-- each nil when the pilot could not measure it.
-- Red flags: check(answers, m) -> true, detail when the flag is raised; the
-- vendor's total is then at most cap (0 zeroes it).
local P = {
  promised_credit = 0.5,      -- share of a criterion's score for a promise without evidence
  f1_zero = 0.80, f1_full = 0.95,   -- pilot F1 scored linearly from 0 at f1_zero to 1 at f1_full
  turnaround_target_days = 7,
  annotator_f1_floor = 0.85,  -- calibration: share of annotators (>= 30 gold objects) at or above it
  agreement_floor = 0.80,     -- measured agreement (alpha) scored 1 at or above, 0 at 0.5
  gold_panel_min = 200, gold_panel_max = 1000,
  max_commitment_months = 1,  -- more before the pilot is a red flag
  rate_floor = 0.02,          -- market floor of a box (DOMAIN.md 1: $0.02-0.30)
  headcount_target = 50,
  deletion_days = 30,
  required_types = {"bbox", "polygon", "segmentation"},
  required_formats = {"COCO", "YOLO", "CVAT"},
}

local function yes(v) return v == true and 1 or 0 end
local function share(list, wanted)
  if type(list) ~= "table" then return 0 end
  local have, n = {}, 0
  for _, x in ipairs(list) do have[string.lower(tostring(x))] = true end
  for _, w in ipairs(wanted) do if have[string.lower(w)] then n = n + 1 end end
  return n / #wanted
end
local function clamp(x) return math.max(0, math.min(1, x)) end
local function given(v) return v ~= nil and v ~= "" end

local criteria = {
  -- quality: the QA process and the pilot's measured quality
  {key = "guidelines", area = "quality", weight = 2, kind = "bool", evidence = true,
    question = "Versioned annotation guidelines with worked hard cases?", score = yes},
  {key = "calibration", area = "quality", weight = 2, kind = "bool", evidence = true,
    question = "Annotators calibrated against a gold panel before production?", score = yes,
    measured = function(m)
      local n, ok = 0, 0
      for _, a in ipairs(m.annotators or {}) do
        if a.objects >= 30 then
          n = n + 1
          if (a.f1 or 0) >= P.annotator_f1_floor then ok = ok + 1 end
        end
      end
      if n == 0 then return nil end
      return ok / n, string.format("%d of %d annotators at F1 >= %.2f on the gold items", ok, n, P.annotator_f1_floor)
    end},
  {key = "iaa_metric", area = "quality", weight = 3, kind = "text", evidence = true,
    question = "Which inter-annotator agreement metric is reported, on a stratified sample of every batch?",
    score = function(v) return given(v) and 1 or 0 end,
    measured = function(m)
      local a = m.agreement
      if not a or not a.value then return nil end
      return clamp((a.value - 0.5) / (P.agreement_floor - 0.5)),
        string.format("measured %s %.3f on %d double-annotated units", a.metric, a.value, a.units)
    end},
  {key = "iaa_per_class", area = "quality", weight = 1, kind = "bool",
    question = "Is agreement reported per class?", score = yes},
  {key = "review_passes", area = "quality", weight = 2, kind = "number", evidence = true,
    question = "How many review passes before delivery?", score = function(v) return clamp(v / 2) end,
    measured = function(m)   -- the stages the delivery itself records (Label Studio ground truth, review stages)
      local r = m.review
      if not r then return nil end
      return clamp(r.passes / 2), string.format("measured: %d review stage%s beyond the annotators' in the delivery " ..
        "(%d of %d annotations adjudicated)", r.passes, r.passes == 1 and "" or "s", r.adjudicated, r.annotations)
    end},
  {key = "adjudication_logged", area = "quality", weight = 1, kind = "bool", evidence = true,
    question = "Is adjudication of disagreements logged?", score = yes,
    measured = function(m)
      local r = m.review
      if not r then return nil end
      return r.adjudicated > 0 and 1 or 0, string.format("measured: %d adjudicated annotations in the delivery",
        r.adjudicated)
    end},
  {key = "disagreement_reports", area = "quality", weight = 1, kind = "bool", evidence = true,
    question = "Do you report disagreement clusters (class pairs, attributes, items)?", score = yes},
  {key = "gold_panel_size", area = "quality", weight = 2, kind = "number",
    question = "Size of your versioned gold panel (examples)?",
    score = function(v) return (v >= P.gold_panel_min and v <= P.gold_panel_max) and 1 or clamp(v / P.gold_panel_min) end},
  {key = "pilot_quality", area = "quality", weight = 5, kind = "measured",
    question = "The pilot's micro F1 against the gold panel (measured)",
    measured = function(m)
      if not m.f1 then return nil end
      return clamp((m.f1 - P.f1_zero) / (P.f1_full - P.f1_zero)), string.format("F1 %.3f", m.f1)
    end},
  -- cost
  {key = "per_task_pricing", area = "cost", weight = 2, kind = "bool",
    question = "A rate card with one line per task type?", score = yes},
  {key = "rework_clause", area = "cost", weight = 3, kind = "bool", evidence = true,
    question = "A written rework clause (rework at your cost)?", score = yes},
  {key = "minimum_commitment_months", area = "cost", weight = 2, kind = "number",
    question = "Minimum commitment (months) before or with the pilot?",
    score = function(v) return v <= 0 and 1 or (v <= P.max_commitment_months and 0.5 or 0) end},
  {key = "paid_pilot", area = "cost", weight = 1, kind = "bool",
    question = "Do you accept a paid pilot on our sample?", score = yes},
  {key = "bbox_rate", area = "cost", weight = 1, kind = "number",
    question = "Price of one bounding box (USD)?",
    score = function(v) return v >= P.rate_floor and 1 or 0.5 end},
  {key = "rate_explanation", area = "cost", weight = 0, kind = "text",
    question = "If your rate is below the market, how?", score = function() return 1 end},
  {key = "pilot_cost", area = "cost", weight = 3, kind = "measured",
    question = "The pilot's cost per accepted asset (measured)",
    measured = function(m)
      if not m.cost_per_accepted or not m.cheapest_per_accepted then return nil end
      return clamp(m.cheapest_per_accepted / m.cost_per_accepted),
        string.format("%.4f per accepted asset (cheapest %.4f)", m.cost_per_accepted, m.cheapest_per_accepted)
    end},
  -- delivery
  {key = "annotation_types", area = "delivery", weight = 2, kind = "list",
    question = "Annotation types supported (bbox, polygon, keypoints, segmentation, cuboid, ...)?",
    score = function(v) return share(v, P.required_types) end},
  {key = "formats", area = "delivery", weight = 1, kind = "list",
    question = "Tools and export formats (COCO, YOLO, CVAT, Label Studio, VOC, ...)?",
    score = function(v) return share(v, P.required_formats) end},
  {key = "headcount", area = "delivery", weight = 1, kind = "number",
    question = "Trained annotators available for this project?",
    score = function(v) return clamp(v / P.headcount_target) end},
  {key = "ramp_10x_weeks", area = "delivery", weight = 1, kind = "number",
    question = "Weeks to ramp to 10x the pilot's volume?",
    score = function(v) return v <= 4 and 1 or (v <= 8 and 0.5 or 0) end},
  {key = "specialists", area = "delivery", weight = 1, kind = "bool",
    question = "Domain specialists available?", score = yes},
  {key = "pilot_turnaround", area = "delivery", weight = 3, kind = "measured",
    question = "The pilot's turnaround in days (measured)",
    measured = function(m)
      if not m.days then return nil end
      return clamp(P.turnaround_target_days / math.max(m.days, 1)), string.format("%d days", m.days)
    end},
  -- service: security and the account
  {key = "nda_dpa", area = "service", weight = 2, kind = "bool", evidence = true,
    question = "NDA and DPA signed before any data is shared?", score = yes},
  {key = "iso27001_soc2", area = "service", weight = 2, kind = "bool", evidence = true,
    question = "ISO 27001 or SOC 2 certified?", score = yes},
  {key = "named_logins_audit", area = "service", weight = 1, kind = "bool",
    question = "Named logins and an audit trail of every access?", score = yes},
  {key = "secure_room", area = "service", weight = 1, kind = "bool",
    question = "A secure-room policy (no phones, no personal devices)?", score = yes},
  {key = "encryption", area = "service", weight = 1, kind = "bool",
    question = "Data encrypted at rest and in transit?", score = yes},
  {key = "vpc_on_premise", area = "service", weight = 1, kind = "bool",
    question = "Work inside our VPC or on premise as an option?", score = yes},
  {key = "deletion_certificate_days", area = "service", weight = 1, kind = "number",
    question = "Days to a deletion certificate after the project?",
    score = function(v) return v <= P.deletion_days and 1 or 0 end},
  {key = "project_manager", area = "service", weight = 1, kind = "text",
    question = "The named project manager for this account?", score = function(v) return given(v) and 1 or 0 end},
  {key = "references", area = "service", weight = 1, kind = "number",
    question = "Blinded samples or reference calls offered (how many)?",
    score = function(v) return clamp(v / 2) end},
  {key = "platform_migration", area = "service", weight = 1, kind = "text",
    question = "How would we migrate off your platform (exports, terms)?",
    score = function(v) return given(v) and 1 or 0 end},
}

local red_flags = {
  {key = "declines_paid_pilot", cap = 0, text = "declines a paid pilot",
    check = function(a) return a.paid_pilot == false end},
  {key = "commitment_first", cap = 0.4, text = "demands a multi-month commitment first",
    check = function(a)
      local v = a.minimum_commitment_months
      return type(v) == "number" and v > P.max_commitment_months, v and (v .. " months")
    end},
  {key = "qa_unnamed", cap = 0.6, text = "QA without a named IAA metric, gold-panel size or review-pass count",
    check = function(a, m)
      local missing = {}
      if not given(a.iaa_metric) and not (m.agreement and m.agreement.value) then missing[#missing + 1] = "IAA metric" end
      if not given(a.gold_panel_size) then missing[#missing + 1] = "gold-panel size" end
      if not given(a.review_passes) then missing[#missing + 1] = "review passes" end
      return #missing > 0, table.concat(missing, ", ")
    end},
  {key = "no_references", cap = 0.6, text = "no samples or reference call",
    check = function(a) return not given(a.references) or a.references == 0 end},
  {key = "rate_below_floor", cap = 0.5, text = "a rate far below the market floor without explanation",
    check = function(a)
      return type(a.bbox_rate) == "number" and a.bbox_rate < P.rate_floor / 2 and not given(a.rate_explanation),
        a.bbox_rate and string.format("%.3f a box", a.bbox_rate)
    end},
  {key = "no_project_manager", cap = 0.7, text = "no named project manager",
    check = function(a) return not given(a.project_manager) end},
  {key = "no_migration_answer", cap = 0.8, text = "no answer on platform migration",
    check = function(a) return not given(a.platform_migration) end},
}

return {
  description = "Buyer's guide: QA, security, pricing, scale and the pilot's own numbers; red flags cap",
  version = "2026-12",
  params = P,
  areas = {
    {name = "quality", weight = 0.35},
    {name = "cost", weight = 0.25},
    {name = "delivery", weight = 0.25},
    {name = "service", weight = 0.15},
  },
  criteria = criteria,
  red_flags = red_flags,
}
