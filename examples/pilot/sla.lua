-- SYNTHETIC pilot SLA (tools/gen_pilot.lua): the clauses a vendor must meet on the pilot.
return {
  contract = "Pilot terms 2026-11 (synthetic example)",
  params = {f1_floor = 0.90, class_floor = 0.80, min_gold = 30, delivered_floor = 0.98, days = 7},
  clauses = {
    {name = "overall F1", text = "micro F1 >= 0.90 at IoU 0.5, missing gold items counted as missed",
      check = function(batch, p)
        local f1 = batch.evaluation.micro.f1 or 0
        return f1 >= p.f1_floor, {f1 = f1, threshold = p.f1_floor}
      end},
    {name = "per-class F1", text = "F1 >= 0.80 on every class with >= 30 gold objects",
      check = function(batch, p)
        local failed = {}
        for class, r in pairs(batch.evaluation.per_class) do
          if r.gold >= p.min_gold and (r.f1 or 0) < p.class_floor then failed[#failed + 1] = class end
        end
        table.sort(failed)
        return #failed == 0, {threshold = p.class_floor, failed_classes = failed}
      end},
    {name = "completeness", text = "at least 98% of the sample delivered",
      check = function(batch, p)
        local share = batch.delivery.delivered / batch.delivery.sent
        return share >= p.delivered_floor, {delivered = batch.delivery.delivered, sent = batch.delivery.sent}
      end},
    {name = "turnaround", text = "delivered within 7 calendar days of sending",
      check = function(batch, p)
        if not batch.dates.days then return nil, {reason = "no delivery date"} end
        return batch.dates.days <= p.days, {days = batch.dates.days, limit = p.days}
      end},
  },
}
