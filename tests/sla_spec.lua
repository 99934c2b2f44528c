-- annovet sla check: SLA rule files run in the sandbox on a batch, the decision
-- recorded in the log, exit 0 on pass and 1 on fail; the batch lifecycle and the
-- guidelines versions; the rework round.
local H = require "tests.support.helper"

local GOLD, ACME, BUDGET = "tests/data/pilot40/gold.json", "tests/data/pilot40/acme.json", "tests/data/pilot40/budget.json"
local RULES = "scorecards/sla/rework.lua"

local function sql(db, query)
  local p = io.popen("sqlite3 " .. H.q(db) .. " " .. H.q(query) .. " 2>&1")
  local out = p:read("a")
  p:close()
  return out
end

local function ok(args)
  local out, err, code = H.run(args)
  assert.are.equal(0, code, args .. ": " .. err)
  return out, err
end

-- A store holding the gold panel and budget's batch w1 (budget.json), compared.
local function setup(extra)
  local dir = H.tmpdir()
  local db = dir .. "/p.db"
  local S = " --store " .. H.q(db)
  ok("ingest" .. S .. " --gold " .. GOLD)
  ok("ingest" .. S .. " --vendor budget --batch w1 " .. (extra or "") .. " " .. BUDGET)
  ok("compare --gold " .. GOLD .. " --vendor budget=" .. BUDGET .. S)
  return db, S, dir
end

-- python3's datetime, independent of annovet: Monday-to-Friday days after a up
-- to and including b, less the holidays.
local function py_business_days(a, b, holidays)
  local hs = {}
  for _, h in ipairs(holidays or {}) do hs[#hs + 1] = "'" .. h .. "'" end
  local script = string.format([[
import datetime as d
a, b = d.date.fromisoformat('%s'), d.date.fromisoformat('%s')
hol = {d.date.fromisoformat(x) for x in [%s]}
n, x = 0, a
while x < b:
    x += d.timedelta(days=1)
    if x.weekday() < 5 and x not in hol: n += 1
print(n)]], a, b, table.concat(hs, ","))
  local p = io.popen("python3 -c " .. H.q(script))
  local n = tonumber(p:read("a"))
  p:close()
  return n
end

describe("sla check", function()
  after_each(H.cleanup)

  it("rejects a batch below the per-class F1 floor: exit 1, the decision chained in the log with every number", function()
    local db, S = setup()
    local out, err, code = H.run("sla check" .. S .. " --batch w1 --rules " .. RULES)
    assert.are.equal(1, code, err)
    local r = H.decode(out)
    assert.are.equal("rejected", r.outcome)
    local f1 = r.clauses[1]
    assert.are.equal("per-class F1", f1.name)
    assert.is_false(f1.passed)
    -- the numbers that decided it are compare's (the same evaluation, read by sqlite3)
    local stored = tonumber(sql(db, "SELECT json_extract(result, '$.per_class.traffic_light.f1') FROM evaluations;"))
    H.near(f1.details.f1.traffic_light, stored, 1e-12, "traffic_light F1")
    assert.are.equal(0.95, f1.details.threshold)
    assert.truthy(#f1.details.failed_items > 0)
    -- the rules' SHA-256 is the file's (python's hashlib), and the decision is in the log
    local p = io.popen("python3 -c \"import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],'rb').read()).hexdigest())\" " .. RULES)
    assert.are.equal(p:read("a"), r.rules.sha256 .. "\n")
    p:close()
    assert.are.equal("acceptance|rejected|" .. r.rules.sha256 .. "|decisions\n", sql(db, "SELECT d.kind, d.outcome, " ..
      "json_extract(d.payload, '$.rules.sha256'), l.entry_table FROM decisions d JOIN log l ON l.hash = d.hash;"))
    assert.are.equal("rejected\n", sql(db, "SELECT state FROM batches WHERE name = 'w1';"))
    local v = H.decode(ok("store verify" .. S))
    assert.is_true(v.verified)
    assert.are.equal(2, v.recomputed)   -- the evaluation and the decision, both recomputed
  end)

  it("accepts with a parameter override (exit 0), and store verify names an edited decision", function()
    local db, S = setup()
    local out = ok("sla check" .. S .. " --batch w1 --rules " .. RULES .. " --param f1_min=0.2")
    local r = H.decode(out)
    assert.are.equal("accepted", r.outcome)
    assert.are.equal(0.2, r.rules.params.f1_min)
    sql(db, "DROP TRIGGER decisions_append_only_update; UPDATE decisions SET outcome = 'rejected';")
    local vout, err, code = H.run("store verify" .. S)
    assert.are.equal(1, code, err)
    local d = H.decode(vout).difference
    assert.are.same({"decisions", 1, "outcome"}, {d.table, d.id, d.field})
  end)

  it("fails a clause whose check raises or loops, naming the script's line; never passes the batch", function()
    local _, S, dir = setup()
    local rules = H.write(dir .. "/r.lua", [[
return {
  clauses = {
    {name = "fine", text = "always", check = function() return true, {n = 1} end},
    {name = "broken", text = "raises", check = function(batch)
      return batch.evaluation.no_such.field > 1
    end},
    {name = "spins", text = "loops", check = function() while true do end end},
    {name = "vague", text = "returns no verdict", check = function() return "yes" end},
  },
}
]])
    local out, err, code = H.run("sla check" .. S .. " --batch w1 --rules " .. H.q(rules))
    assert.are.equal(1, code, err)
    local r = H.decode(out)
    assert.are.equal("rejected", r.outcome)
    assert.is_true(r.clauses[1].passed)
    assert.is_false(r.clauses[2].passed)
    assert.truthy(r.clauses[2].error:find(rules .. ":5:", 1, true), r.clauses[2].error)
    assert.is_false(r.clauses[3].passed)
    assert.truthy(r.clauses[3].error:find(rules .. ":7:", 1, true), r.clauses[3].error)
    assert.is_false(r.clauses[4].passed)
    assert.truthy(r.clauses[4].error:find("not true or false", 1, true), r.clauses[4].error)
  end)

  it("refuses a rule file without clauses, an unknown batch (naming the nearest) and a missing --rules: exit 2", function()
    local db, S, dir = setup()
    local bad = H.write(dir .. "/bad.lua", "return {contract = 'x'}\n")
    local cases = {
      {"sla check" .. S .. " --batch w1 --rules " .. H.q(bad), "has no field 'clauses'"},
      {"sla check" .. S .. " --batch W1 --rules " .. RULES, "no batch 'W1' (did you mean 'w1'?)"},
      {"sla check" .. S .. " --batch w1 --vendor Budget --rules " .. RULES, "(did you mean 'budget'?)"},
      {"sla check" .. S .. " --batch w1", "sla check needs --rules"},
      {"sla frobnicate" .. S, "unknown sla sub-command 'frobnicate'"},
    }
    for _, c in ipairs(cases) do
      local out, err, code = H.run(c[1])
      assert.are.equal(2, code, c[1] .. ": " .. err)
      assert.are.equal("", out)
      assert.truthy(err:find(c[2], 1, true), c[1] .. ": " .. err)
    end
    assert.are.equal("0\n", sql(db, "SELECT count(*) FROM decisions;"))
    local _, _, code = H.run("sla --help")
    assert.are.equal(0, code)
  end)

  it("counts turnaround in business days (Monday to Friday, less holidays), as python's datetime does", function()
    local _, S, dir = setup("--sent-at 2026-03-06 --received-at 2026-03-23T09:30:00Z")
    local rules = H.write(dir .. "/days.lua", [[
return {
  params = {holidays = {"2026-03-10", "2026-03-14"}},
  clauses = {{name = "days", text = "report", check = function(batch)
    return true, {days = batch.dates.turnaround_business_days, sent = batch.dates.sent_at}
  end}},
}
]])
    local r = H.decode(ok("sla check" .. S .. " --batch w1 --rules " .. H.q(rules)))
    assert.are.equal(py_business_days("2026-03-06", "2026-03-23", {"2026-03-10", "2026-03-14"}), r.clauses[1].details.days)
    assert.are.equal("2026-03-06", r.clauses[1].details.sent)
    -- the bundled clause: 11 business days (2026-03-06 to 2026-03-23, no holidays) is over its 10
    assert.are.equal(11, py_business_days("2026-03-06", "2026-03-23"))
    local out = H.run("sla check" .. S .. " --batch w1 --rules " .. RULES .. " --param f1_min=0.1")
    local t = H.decode(out).clauses[3]
    assert.are.same({"turnaround", false, 11, 10}, {t.name, t.passed, t.details.business_days, t.details.threshold})
    local _, err, code = H.run("ingest" .. S .. " --vendor budget --batch w9 --sent-at 2026-02-30 " .. BUDGET)
    assert.are.equal(2, code)
    assert.truthy(err:find("--sent-at: expected a date", 1, true), err)
  end)

  it("records guidelines versions and reports a batch made under other guidelines than the gold panel", function()
    local dir = H.tmpdir()
    local S = " --store " .. H.q(dir .. "/p.db")
    local g1 = H.write(dir .. "/guide-1.md", "# Guidelines 1\nBoxes tight to the visible pixels.\n")
    local g2 = H.write(dir .. "/guide-2.md", "# Guidelines 2\nBoxes include occluded extent.\n")
    local res = H.decode(ok("ingest" .. S .. " --guidelines " .. H.q(g1) .. " --version 1"))
    local p = io.popen("sha256sum " .. H.q(g1))
    assert.are.equal(p:read("a"):match("^(%x+)"), res.sha256)
    p:close()
    ok("ingest" .. S .. " --guidelines " .. H.q(g2) .. " --version 2")
    local _, err, code = H.run("ingest" .. S .. " --guidelines " .. H.q(g1) .. " --version 2")
    assert.are.equal(2, code)
    assert.truthy(err:find("already recorded with other bytes", 1, true), err)
    ok("ingest" .. S .. " --gold --guidelines-version 2 " .. GOLD)
    ok("ingest" .. S .. " --vendor budget --batch w1 --guidelines-version 1 " .. BUDGET)
    _, err = ok("compare --gold " .. GOLD .. " --vendor budget=" .. BUDGET .. S)
    assert.truthy(err:find("batch 'w1' was annotated under guidelines 1, the gold panel (gold version 1) was made " ..
      "under 2", 1, true), err)
    local out
    out, err = H.run("sla check" .. S .. " --batch w1 --rules " .. RULES)
    assert.are.same({batch = "1", gold = "2", mismatch = true}, H.decode(out).guidelines)
    assert.truthy(err:find("annotated under guidelines 1", 1, true), err)
    _, err, code = H.run("ingest" .. S .. " --vendor budget --batch w2 --guidelines-version 3 " .. ACME)
    assert.are.equal(2, code)
    assert.truthy(err:find("no guidelines version '3' (it knows 1, 2)", 1, true), err)
  end)
end)

describe("sla check's agreement", function()
  after_each(H.cleanup)

  -- acme's delivery with its first 10 items annotated a second time by acme-03
  -- (every 7th shape of another class): the batch's alpha must be the one
  -- `annovet agree --from-annotations` gives on those 10 items alone.
  it("gives the rules Krippendorff's alpha of the double-annotated items", function()
    local dir = H.tmpdir()
    local script = H.write(dir .. "/double.py", [[
import json, sys, copy
D = sys.argv[1]
d = json.load(open(']] .. ACME .. [['))
nid, k, extra = max(a['id'] for a in d['annotations']) + 1, 0, []
for a in list(d['annotations']):
    if a['image_id'] <= 10:
        b = copy.deepcopy(a); b['id'] = nid; nid += 1; b['annotator'] = 'acme-03'; k += 1
        if k % 7 == 0: b['category_id'] = 1 + (b['category_id'] % 5)
        extra.append(b)
d['annotations'] += extra
json.dump(d, open(D + '/double.json', 'w'))
ids = set(range(1, 11))
d['images'] = [i for i in d['images'] if i['id'] in ids]
d['annotations'] = [a for a in d['annotations'] if a['image_id'] in ids]
json.dump(d, open(D + '/sub.json', 'w'))
]])
    assert.is_true(os.execute("python3 " .. H.q(script) .. " " .. H.q(dir)))
    local S = " --store " .. H.q(dir .. "/p.db")
    ok("ingest" .. S .. " --gold " .. GOLD)
    ok("ingest" .. S .. " --vendor acme --batch d1 " .. H.q(dir .. "/double.json"))
    ok("compare --gold " .. GOLD .. " --vendor acme=" .. H.q(dir .. "/double.json") .. S)
    local out = H.run("sla check" .. S .. " --batch d1 --rules " .. RULES)
    local a = H.decode(out).clauses[2]
    local want = H.decode(ok("agree " .. H.q(dir .. "/sub.json") ..
      " --from-annotations --metric krippendorff_alpha --iou-type segm")).value
    assert.are.same({"agreement", 10}, {a.name, a.details.items})
    H.near(a.details.alpha, want, 1e-15, "alpha")
    assert.are.equal(a.details.alpha >= 0.8, a.passed)
  end)
end)

describe("the rework round", function()
  after_each(H.cleanup)

  -- A small rate card in integer minor units: 0.05 USD (5 cents) per delivered
  -- item. With `annovet invoice` absent from this branch, the amounts owed are
  -- computed here from the decisions sla check recorded: a rejected batch is
  -- owed nothing, an accepted one its items times the price.
  it("holds the audit sample to its AQL plan, grade by grade, and carries it into the evidence pack", function()
    local db, S, dir = setup()
    -- MIL-STD-105E: a lot of 40 at level II is code letter D; at AQL 4.0 D's cell is an arrow down to E:
    -- n = 13, Ac 1, Re 2 (Tables I and II-A)
    local sample = H.decode(ok("sla sample" .. S .. " --batch w1 --aql 4.0 --seed 7"))
    assert.are.same({13, 1, 2}, {sample.sample_size, sample.plans[1].accept, sample.plans[1].reject})
    local _, rerr, rcode = H.run("sla record" .. S .. " --batch w1 --defects 2")
    assert.are.equal(1, rcode, rerr)   -- 2 defects >= Re 2: the lot is rejected
    local _, err, code = H.run("sla check" .. S .. " --batch w1 --rules " .. RULES .. " --param f1_min=0.2")
    assert.are.equal(1, code, err)
    local d = H.json.decode(sql(db, "SELECT payload FROM decisions ORDER BY id DESC LIMIT 1;"))
    local audit
    for _, c in ipairs(d.clauses) do if c.name == "audit sample" then audit = c end end
    assert.is_false(audit.passed)
    assert.are.same({2, 1, 13}, {audit.details.defects, audit.details.threshold, audit.details.sample_size})
    assert.are.same({"defects"}, audit.details.failed_grades)
    assert.is_true(H.decode(ok("store verify" .. S)).verified)
    ok("evidence" .. S .. " --batch w1 --out " .. H.q(dir .. "/pack") .. " --disclose sample")
    local csv = H.slurp(dir .. "/pack/audit_sample.csv")
    local items = 0
    for _ in csv:gmatch("\nitem,") do items = items + 1 end
    assert.are.equal(13, items)
    assert.truthy(csv:find("\ngrade,,defects,4.0,2,1,2,rejected,", 1, true), csv)
    local gold = H.json.decode(H.slurp(dir .. "/pack/gold/gold.json"))
    local shown = {}
    for _, im in ipairs(gold.images) do shown[im.file_name] = true end
    for _, it in ipairs(sample.items) do assert.is_true(shown[it], it .. " disclosed") end
    assert.are.equal(0, select(3, H.run("evidence verify " .. H.q(dir .. "/pack"))))
  end)

  it("a rejected batch is owed nothing; its rework batch, accepted, is owed its items x price", function()
    local db, S, dir = setup("--sent-at 2026-03-02 --received-at 2026-03-09")
    local params = " --param f1_min=0.85"
    local _, err, code = H.run("sla check" .. S .. " --batch w1 --rules " .. RULES .. params)
    assert.are.equal(1, code, err)
    ok("ingest" .. S .. " --vendor budget --batch w1-rework --rework-of w1 --received-at 2026-03-12 " .. ACME)
    ok("compare --gold " .. GOLD .. " --vendor budget=" .. ACME .. S)
    local out = ok("sla check" .. S .. " --batch w1-rework --rules " .. RULES .. params)
    local r = H.decode(out)
    assert.are.equal("accepted", r.outcome)
    local rw = r.clauses[4]
    assert.are.same({"rework turnaround", true, 0}, {rw.name, rw.passed, rw.details.business_days})
    -- the lifecycle, as sqlite3 reads it
    assert.are.equal("w1|reworked|\nw1-rework|accepted|w1\n", sql(db, "SELECT b.name, b.state, r.name FROM batches b " ..
      "LEFT JOIN batches r ON r.id = b.rework_of ORDER BY b.id;"))
    -- what is owed: annovet invoice under a card of 0.05 USD an image, each batch's 40 images
    local card = H.write(dir .. "/card.csv", "# vendor: budget\n# currency: USD\ntask,unit,price,currency\nimage,image,0.05,USD\n")
    local inv = H.decode(ok("invoice" .. S .. " --vendor budget --period 2026-03 --rates " .. H.q(card)))
    local owed = {}
    for _, b in ipairs(inv.batches) do owed[b.batch] = {b.status, b.amount.minor} end
    assert.are.same({w1 = {"rejected", 0}, ["w1-rework"] = {"owed", 40 * 5}}, owed)
    assert.are.equal(40 * 5, inv.total.minor)
    -- recorded: the owed batch is invoiced, in the log; a second invoice of it is refused
    local rec = H.decode(ok("invoice" .. S .. " --vendor budget --period 2026-03 --rates " .. H.q(card) .. " --record"))
    assert.truthy(rec.recorded["w1-rework"])
    assert.falsy(rec.recorded.w1)
    assert.are.equal("w1|reworked\nw1-rework|invoiced\n", sql(db, "SELECT name, state FROM batches ORDER BY id;"))
    assert.are.equal("invoice|invoiced|200\n", sql(db, "SELECT kind, outcome, json_extract(payload, '$.amount.minor') " ..
      "FROM decisions WHERE kind = 'invoice';"))
    local _, ierr, icode = H.run("invoice" .. S .. " --vendor budget --period 2026-03 --rates " .. H.q(card) .. " --record")
    assert.are.equal(2, icode)
    assert.truthy(ierr:find("batch 'w1-rework' was invoiced already", 1, true), ierr)
    assert.is_true(H.decode(ok("store verify" .. S)).verified)
  end)
end)
