-- The contract's SLA clauses for every batch (a policy file: annovet sla check
-- --rules scorecards/sla/rework.lua). Each clause names the contract text it
-- enforces; its check receives the batch and returns pass (true) or fail
-- (false) with the numbers that decided it. A clause whose data the batch lacks
-- (no double-annotated items, no audit sample, no dates) passes as not
-- applicable, and says so, unless the params below require the data.
return {
  contract = "MSA 2026-03, schedule B (quality and rework)",
  params = {
    f1_min = 0.95, iou = 0.5, min_gold = 30,
    alpha_min = 0.8,
    turnaround_days = 10, rework_days = 5,
    require_agreement = false, require_audit_sample = false, require_dates = false,
    holidays = {},              -- ISO dates that are not business days
  },
  clauses = {
    {
      name = "per-class F1",
      text = "F1 >= 0.95 at IoU 0.5 on every class with at least 30 gold objects",
      check = function(batch, params)
        local e = batch.evaluation
        if e.iou ~= params.iou then
          return false, {threshold = params.f1_min, iou = e.iou,
            reason = string.format("the batch was evaluated at IoU %s, the clause is at %s", e.iou, params.iou)}
        end
        local failed, values, classes = {}, {}, {}
        for class in pairs(e.per_class) do classes[#classes + 1] = class end
        table.sort(classes)
        for _, class in ipairs(classes) do
          local r = e.per_class[class]
          if (r.gold or 0) >= params.min_gold then
            values[class] = r.f1 or 0
            if (r.f1 or 0) < params.f1_min then failed[#failed + 1] = class end
          end
        end
        local items, seen = {}, {}
        for _, c in ipairs(e.conflicts) do
          for _, class in ipairs(failed) do
            if (c.gold_class == class or c.vendor_class == class) and not seen[c.item] then
              seen[c.item] = true
              items[#items + 1] = c.item
            end
          end
        end
        table.sort(items)
        return #failed == 0, {threshold = params.f1_min, iou = e.iou, min_gold = params.min_gold, f1 = values,
          failed_classes = failed, failed_items = items}
      end,
    },
    {
      name = "agreement",
      text = "Krippendorff's alpha >= 0.8 on the double-annotated sample",
      check = function(batch, params)
        local a = batch.agreement
        if not a or not a.alpha then
          return not params.require_agreement, {threshold = params.alpha_min,
            not_applicable = "no double-annotated items in the batch"}
        end
        return a.alpha >= params.alpha_min, {alpha = a.alpha, threshold = params.alpha_min, items = a.items}
      end,
    },
    {
      name = "turnaround",
      text = "each batch delivered within 10 business days of being sent",
      check = function(batch, params)
        local d = batch.dates.turnaround_business_days
        if not d then
          return not params.require_dates, {threshold = params.turnaround_days,
            not_applicable = "the store has no date the batch was sent (ingest --sent-at)"}
        end
        return d <= params.turnaround_days, {business_days = d, threshold = params.turnaround_days,
          sent_at = batch.dates.sent_at, received_at = batch.dates.received_at}
      end,
    },
    {
      name = "rework turnaround",
      text = "a rejected batch's rework returned within 5 business days of the rejection",
      check = function(batch, params)
        local r = batch.dates.rework
        if not r then return true, {threshold = params.rework_days, not_applicable = "not a rework batch"} end
        if not r.business_days then
          return false, {threshold = params.rework_days, reason = "the batch it reworks was never rejected"}
        end
        return r.business_days <= params.rework_days, {business_days = r.business_days,
          threshold = params.rework_days, rejected_at = r.rejected_at, received_at = r.received_at}
      end,
    },
    {
      name = "audit sample",
      text = "no more defects in the audit sample than the AQL plan's acceptance number, grade by grade",
      check = function(batch, params)
        local s = batch.audit_sample
        if not s then
          return not params.require_audit_sample, {not_applicable = "no audit sample recorded for the batch"}
        end
        local failed, found = {}, {}
        for _, g in ipairs(s.grades) do   -- each grade (critical, major, minor) against its own plan
          found[g.grade] = {found = g.found, accept = g.accept, aql = g.aql}
          if g.found > g.accept then failed[#failed + 1] = g.grade end
        end
        return #failed == 0, {defects = s.defects, threshold = s.acceptance_number, sample_size = s.size,
          aql = s.aql, grades = found, failed_grades = failed, inspection = s.inspection}
      end,
    },
  },
}
