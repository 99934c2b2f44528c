-- Generates the bundled pilot example (SYNTHETIC: no real vendor, image or answer):
-- a 500-image road-scene sample with a 100-image gold panel hidden inside it, the
-- three vendors' deliveries of the whole sample (COCO boxes; image sizes only, no
-- pixels), a double-annotated subset per vendor, questionnaires, rate cards,
-- timesheets, SLA rules and the PILOT.lua that names them all.
-- Seeded, so the files are reproducible: lua5.4 tools/gen_pilot.lua examples/pilot pricing/pilot
--
-- Vendor profiles (what the pilot should find; rates and throughput from
-- ../shared/DOMAIN.md sections 1 and 2):
--   acme   precise, slow, dear: 2 px jitter, 2% missed (6% on crowded images),
--          1% wrong class; US rates ($0.12/box, $24/h), 25 s a box, 10 days.
--   budget cheap, confuses pedestrian and cyclist: 3 px jitter, 5% missed (12% on
--          crowded images), 1% wrong class, 30% of cyclists labelled pedestrian and
--          8% of pedestrians cyclist, one extra box on 15% of images; mostly from
--          annotator bud-03; India rates ($0.03/box, $6/h), 12 s a box, 5 days.
--   rapid  good on what it delivers (2 px jitter, 1% missed, 0.5% wrong class) but
--          skips the crowded images (the 8 crowded gold images and 20 others: 472
--          of 500 delivered) and demands a 6-month commitment with no named
--          project manager (red flags); $0.06/box, $12/h, 10 s a box, 4 days.
-- The demo's numbers follow from these rates; they change whenever this file does.

local out = arg[1] or "examples/pilot"
local pricing_out = arg[2] or "pricing/pilot"   -- the rate cards: buyer-edited files live in pricing/

local state = 20261206
local function rand()                         -- Park-Miller minimal standard
  state = (state * 48271) % 2147483647
  return state / 2147483647
end
local function randint(a, b) return a + math.floor(rand() * (b - a + 1)) end
local function gauss()                        -- Box-Muller
  local u, v = rand(), rand()
  return math.sqrt(-2 * math.log(u)) * math.cos(2 * math.pi * v)
end

local W, H = 1280, 720
local N_SAMPLE, N_GOLD = 500, 100
local CATS = {
  {id = 1, name = "car", w = {60, 260}, h = {40, 160}},
  {id = 2, name = "pedestrian", w = {18, 60}, h = {50, 160}},
  {id = 3, name = "cyclist", w = {30, 80}, h = {50, 150}},
  {id = 4, name = "traffic_light", w = {10, 24}, h = {22, 56}},
  {id = 5, name = "sign", w = {16, 60}, h = {16, 60}},
}

local function clamp(v, lo, hi) return math.max(lo, math.min(hi, v)) end
local function r2(v) return math.floor(v * 100 + 0.5) / 100 end

-- The sample: every fifth image is a gold image; every twelfth gold image (and
-- every 25th image of the sample) is crowded: 14 to 20 objects instead of 3 to 9.
local images, truth, is_gold, crowded = {}, {}, {}, {}
for i = 1, N_SAMPLE do
  images[i] = {id = i, file_name = string.format("scene_%04d.jpg", i), width = W, height = H}
  is_gold[i] = i % 5 == 3
  crowded[i] = (is_gold[i] and (i // 5) % 12 == 4) or (not is_gold[i] and i % 25 == 11)
  truth[i] = {}
  local n = crowded[i] and randint(14, 20) or randint(3, 9)
  for _ = 1, n do
    local c = CATS[crowded[i] and randint(2, 3) or randint(1, #CATS)]
    local w, h = randint(c.w[1], c.w[2]), randint(c.h[1], c.h[2])
    table.insert(truth[i], {cat = c.id, x = randint(0, W - w), y = randint(0, H - h), w = w, h = h})
  end
end

local PROFILES = {
  acme = {jitter = 2, miss = 0.02, miss_crowded = 0.06, wrong = 0.01, extra = 0, annotators = {"acme-01", "acme-02"}},
  budget = {jitter = 3, miss = 0.05, miss_crowded = 0.12, wrong = 0.01, extra = 0.15,
    annotators = {"bud-01", "bud-02", "bud-03"},
    swap = {[3] = {to = 2, p = 0.30}, [2] = {to = 3, p = 0.08}}, swap_by = "bud-03", swap_other = 0.25},
  rapid = {jitter = 2, miss = 0.01, miss_crowded = 0.01, wrong = 0.005, extra = 0, skip_crowded = true,
    annotators = {"rap-01", "rap-02"}},
}

-- One annotator's boxes on image i under profile p.
local function annotate(p, i, who)
  local anns = {}
  for _, g in ipairs(truth[i]) do
    if rand() >= (crowded[i] and p.miss_crowded or p.miss) then
      local x, y = g.x + gauss() * p.jitter, g.y + gauss() * p.jitter
      local w, h = math.max(4, g.w + gauss() * p.jitter), math.max(4, g.h + gauss() * p.jitter)
      x, y = clamp(x, 0, W - w), clamp(y, 0, H - h)
      local cat = g.cat
      local s = p.swap and p.swap[cat]
      local sp = s and (who == p.swap_by and s.p or s.p * p.swap_other)
      if s and rand() < sp then
        cat = s.to
      elseif rand() < p.wrong then
        cat = cat % #CATS + 1
      end
      anns[#anns + 1] = {category_id = cat, bbox = {r2(x), r2(y), r2(w), r2(h)}, area = r2(w * h), iscrowd = 0,
        image_id = i, annotator = who}
    end
  end
  if rand() < p.extra then
    local c = CATS[randint(1, #CATS)]
    local w, h = randint(c.w[1], c.w[2]), randint(c.h[1], c.h[2])
    anns[#anns + 1] = {category_id = c.id, bbox = {randint(0, W - w), randint(0, H - h), w, h}, area = w * h,
      iscrowd = 0, image_id = i, annotator = who}
  end
  return anns
end

-- A compact COCO writer: one image or annotation a line, keys in a fixed order.
local function num(v)
  return math.type(v) == "integer" and tostring(v) or string.format("%.14g", v)
end
local function write_coco(name, imgs, anns, note)
  local f = assert(io.open(out .. "/" .. name, "w"))
  f:write('{"info": {"description": "', note, '", "synthetic": true},\n"images": [\n')
  for k, im in ipairs(imgs) do
    f:write(string.format('{"id": %d, "file_name": "%s", "width": %d, "height": %d}%s\n', im.id, im.file_name,
      im.width, im.height, k < #imgs and "," or ""))
  end
  f:write('],\n"annotations": [\n')
  for k, a in ipairs(anns) do
    f:write(string.format('{"id": %d, "image_id": %d, "category_id": %d, "bbox": [%s, %s, %s, %s], "area": %s, ' ..
      '"iscrowd": 0%s}%s\n', k, a.image_id, a.category_id, num(a.bbox[1]), num(a.bbox[2]), num(a.bbox[3]),
      num(a.bbox[4]), num(a.area), a.annotator and (', "annotator": "' .. a.annotator .. '"') or "",
      k < #anns and "," or ""))
  end
  f:write('],\n"categories": [\n')
  for k, c in ipairs(CATS) do
    f:write(string.format('{"id": %d, "name": "%s", "supercategory": "road"}%s\n', c.id, c.name,
      k < #CATS and "," or ""))
  end
  f:write("]}\n")
  f:close()
end

local SYN = "SYNTHETIC example made by tools/gen_pilot.lua"

-- Gold: the truth of the gold images (the buyer's own careful labels).
local gold_imgs, gold_anns = {}, {}
for i = 1, N_SAMPLE do
  if is_gold[i] then
    gold_imgs[#gold_imgs + 1] = images[i]
    for _, g in ipairs(truth[i]) do
      gold_anns[#gold_anns + 1] = {category_id = g.cat, bbox = {g.x, g.y, g.w, g.h}, area = g.w * g.h,
        image_id = i}
    end
  end
end
assert(#gold_imgs == N_GOLD)
write_coco("gold.json", gold_imgs, gold_anns, SYN .. ": the gold panel, 100 images hidden in the sample")
write_coco("sample.json", images, {}, SYN .. ": the 500 images sent to every vendor (no labels)")

-- Deliveries: each vendor labels the whole sample, one annotator an image; then a
-- second annotator labels every tenth image again (the double-annotated set).
for _, name in ipairs {"acme", "budget", "rapid"} do
  local p = PROFILES[name]
  local imgs, anns = {}, {}
  for i = 1, N_SAMPLE do
    if not (p.skip_crowded and crowded[i]) then
      imgs[#imgs + 1] = images[i]
      local who = p.annotators[(i - 1) % #p.annotators + 1]
      for _, a in ipairs(annotate(p, i, who)) do anns[#anns + 1] = a end
    end
  end
  write_coco(name .. ".json", imgs, anns, SYN .. ": " .. name .. "'s delivery of the sample")
  if name ~= "rapid" then                     -- rapid claims IAA but delivers no double-annotated items
    local dimgs, danns = {}, {}
    for i = 10, N_SAMPLE, 10 do
      dimgs[#dimgs + 1] = images[i]
      local k = (i // 10) % #p.annotators
      for j = 0, 1 do
        local who = p.annotators[(k + j) % #p.annotators + 1]
        for _, a in ipairs(annotate(p, i, who)) do danns[#danns + 1] = a end
      end
    end
    write_coco(name .. "_double.json", dimgs, danns, SYN .. ": " .. name .. "'s double-annotated items")
  end
end

local function put(name, text)
  local f = assert(io.open(out .. "/" .. name, "w"))
  f:write(text)
  f:close()
end

-- Timesheets (annovet cost's format: annotator,date,hours,task,batch,role): hours
-- per annotator and day, from throughput (DOMAIN.md 1: 10-25 s a box, utilisation
-- 0.8) over the pilot's working days.
local function timesheet(name, days, secs_per_box)
  local p = PROFILES[name]
  local boxes = 0
  for i = 1, N_SAMPLE do
    if not (p.skip_crowded and crowded[i]) then boxes = boxes + #truth[i] end
  end
  local hours = boxes * secs_per_box / 3600 / 0.8
  local per = hours / days / #p.annotators
  local lines = {"# SYNTHETIC timesheet for the bundled pilot (tools/gen_pilot.lua): " .. name .. "'s hours.",
    "annotator,date,hours,task,batch,role"}
  for d = 1, days do
    for _, who in ipairs(p.annotators) do
      lines[#lines + 1] = string.format("%s,2026-11-%02d,%.2f,box,pilot-1,annotator", who, 2 + d, per)
    end
  end
  put("timesheets/" .. name .. ".csv", table.concat(lines, "\n") .. "\n")
end
os.execute("mkdir -p '" .. out .. "/timesheets' '" .. pricing_out .. "'")
timesheet("acme", 10, 25)
timesheet("budget", 5, 12)
timesheet("rapid", 4, 10)

-- Rate cards (annovet cost's format, README "Pricing"): one line per task type and
-- an hour line for the per-hour offer; the card-level fields as comment lines.
local function rate_card(name, box, hour, minimum, why)
  local f = assert(io.open(pricing_out .. "/" .. name .. ".csv", "w"))
  f:write("# SYNTHETIC rate card for the bundled pilot (examples/pilot, tools/gen_pilot.lua): not a\n",
    "# real vendor's prices. " .. why .. "\n",
    "# vendor: " .. name .. "\n# currency: USD\n# rounding: half-up\n", minimum,
    "task,unit,price,currency,role,note\n",
    string.format("box,annotation,%s,USD,,per box\n", box),
    string.format("hour,hour,%s,USD,annotator,per-hour offer\n", hour))
  f:close()
end
rate_card("acme", "0.12", "24.00", "# minimum: 500.00\n",
  "US-side rates (DOMAIN.md: $0.10-0.50 a box, $22.84 an hour); a monthly minimum\n# for the per-box offer (DOMAIN.md: MOQs $10k-70k at scale).")
rate_card("budget", "0.03", "6.00", "# minimum_hours: 40\n",
  "India rates (DOMAIN.md: $0.02-0.10 a box, $3-15 an hour); the hourly offer bills\n# 40 hours a month at least, as Labelbox's services.")
rate_card("rapid", "0.06", "12.00", "# minimum_hours: 160\n",
  "SE Asia rates (DOMAIN.md: $8-15 an hour); the hourly offer is the full-time\n# commitment it demands up front (160 hours a month).")

-- Questionnaires (scorecards/buyers_guide.lua's keys): acme and rapid in JSON,
-- budget in CSV. An answer is a value or {value, evidence = "shown"|"promised", note}.
put("acme_questionnaire.json", [[
{"vendor": "acme", "note": "SYNTHETIC answers made by tools/gen_pilot.lua",
 "answers": {
  "guidelines": {"value": true, "evidence": "shown", "note": "v3.2, 41 worked hard cases"},
  "calibration": {"value": true, "evidence": "shown"},
  "iaa_metric": {"value": "Krippendorff's alpha per class", "evidence": "shown"},
  "iaa_per_class": true,
  "review_passes": {"value": 2, "evidence": "shown"},
  "adjudication_logged": {"value": true, "evidence": "shown"},
  "disagreement_reports": {"value": true, "evidence": "shown"},
  "gold_panel_size": 400,
  "per_task_pricing": true,
  "rework_clause": {"value": true, "evidence": "shown", "note": "rework at our cost within 5 business days"},
  "minimum_commitment_months": 0,
  "paid_pilot": true,
  "bbox_rate": 0.12,
  "annotation_types": ["bbox", "polygon", "keypoints", "segmentation"],
  "formats": ["COCO", "YOLO", "CVAT", "Label Studio", "VOC"],
  "headcount": 40,
  "ramp_10x_weeks": 8,
  "specialists": true,
  "nda_dpa": {"value": true, "evidence": "shown"},
  "iso27001_soc2": {"value": true, "evidence": "shown", "note": "ISO 27001 certificate 2026"},
  "named_logins_audit": true,
  "secure_room": true,
  "encryption": true,
  "vpc_on_premise": true,
  "deletion_certificate_days": 14,
  "project_manager": "Dana Whitfield",
  "references": 3,
  "platform_migration": "exports in COCO and CVAT; we migrate at no charge"
 }}
]])
put("rapid_questionnaire.json", [[
{"vendor": "rapid", "note": "SYNTHETIC answers made by tools/gen_pilot.lua",
 "answers": {
  "guidelines": {"value": true, "evidence": "shown"},
  "calibration": {"value": true, "evidence": "promised"},
  "iaa_metric": {"value": "Cohen's kappa", "evidence": "promised"},
  "iaa_per_class": true,
  "review_passes": 2,
  "adjudication_logged": true,
  "disagreement_reports": true,
  "gold_panel_size": 300,
  "per_task_pricing": true,
  "rework_clause": {"value": true, "evidence": "promised"},
  "minimum_commitment_months": 6,
  "paid_pilot": true,
  "bbox_rate": 0.06,
  "annotation_types": ["bbox", "polygon", "segmentation"],
  "formats": ["COCO", "YOLO", "Label Studio"],
  "headcount": 120,
  "ramp_10x_weeks": 3,
  "specialists": false,
  "nda_dpa": {"value": true, "evidence": "shown"},
  "iso27001_soc2": {"value": true, "evidence": "promised", "note": "SOC 2 audit <b>in progress</b>"},
  "named_logins_audit": true,
  "secure_room": false,
  "encryption": true,
  "vpc_on_premise": false,
  "deletion_certificate_days": 30,
  "references": 2,
  "platform_migration": "on request"
 }}
]])
put("budget_questionnaire.csv", [[
key,value,evidence,note
guidelines,yes,promised,
calibration,yes,promised,
iaa_metric,percent agreement,promised,
iaa_per_class,no,,
review_passes,1,,
adjudication_logged,no,,
disagreement_reports,no,,
gold_panel_size,150,,
per_task_pricing,yes,,
rework_clause,yes,shown,rework free for errors above 5%
minimum_commitment_months,0,,
paid_pilot,yes,,
bbox_rate,0.03,,
annotation_types,bbox;polygon,,
formats,COCO;YOLO,,
headcount,200,,
ramp_10x_weeks,4,,
specialists,no,,
nda_dpa,yes,shown,
iso27001_soc2,no,,
named_logins_audit,yes,,
secure_room,no,,
encryption,yes,,
vpc_on_premise,no,,
deletion_certificate_days,60,,
project_manager,Ravi Menon,,
references,2,,
platform_migration,exports in COCO,,
]])

-- SLA rules in the design's clause format (run in the sandbox by policy.lua).
put("sla.lua", [[
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
]])

put("pilot.lua", [[
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
]])
