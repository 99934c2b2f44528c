-- The store's names (a typo is refused with the nearest known name) and its
-- append-only log (store verify recomputes the chain and every evaluation).
local H = require "tests.support.helper"

local GOLD, ACME, BUDGET = "tests/data/pilot40/gold.json", "tests/data/pilot40/acme.json", "tests/data/pilot40/budget.json"

-- The sqlite3 command-line tool, independent of annovet's SQLite calls.
local function sql(db, query)
  local p = io.popen("sqlite3 " .. H.q(db) .. " " .. H.q(query) .. " 2>&1")
  local out = p:read("a")
  local _, _, code = p:close()
  return out, code
end

local function ok(args)
  local out, err, code = H.run(args)
  assert.are.equal(0, code, args .. ": " .. err)
  return out, err
end

-- A store with the gold panel, budget's batch w1 ingested and compared.
local function store_with_evaluation()
  local db = H.tmpdir() .. "/p.db"
  ok("ingest --store " .. H.q(db) .. " --gold " .. GOLD)
  ok("ingest --store " .. H.q(db) .. " --vendor budget --batch w1 " .. BUDGET)
  ok("compare --gold " .. GOLD .. " --vendor budget=" .. BUDGET .. " --store " .. H.q(db))
  return db
end

describe("names the store does not know", function()
  after_each(H.cleanup)

  it("compare --store refuses 'Budget' where the store knows 'budget', and changes nothing", function()
    local db = H.tmpdir() .. "/p.db"
    ok("ingest --store " .. H.q(db) .. " --vendor budget --batch w1 " .. BUDGET)
    local before = sql(db, "SELECT (SELECT count(*) FROM vendors), (SELECT count(*) FROM evaluations);")
    local out, err, code = H.run("compare --gold " .. GOLD .. " --vendor Budget=" .. BUDGET .. " --store " .. H.q(db))
    assert.are.equal(2, code)
    assert.are.equal("", out)
    assert.are.equal("annovet: --vendor Budget: the store knows no vendor 'Budget' (did you mean 'budget'?); " ..
      "give --new-vendor to record a new one\n", err)
    assert.are.equal(before, sql(db, "SELECT (SELECT count(*) FROM vendors), (SELECT count(*) FROM evaluations);"))
    -- an edit away: 'budgt' is 'budget' too; a batch typo names the known batch
    _, err, code = H.run("compare --gold " .. GOLD .. " --vendor budgt=" .. BUDGET .. " --store " .. H.q(db))
    assert.are.equal(2, code)
    assert.truthy(err:find("did you mean 'budget'?", 1, true), err)
    _, err, code = H.run("compare --gold " .. GOLD .. " --vendor budget=" .. BUDGET .. " --store " .. H.q(db) ..
      " --batch W1")
    assert.are.equal(2, code)
    assert.truthy(err:find("no batch 'W1' (did you mean 'w1'?)", 1, true), err)
    -- a file that was never ingested, without --batch, would link to no delivery
    _, err, code = H.run("compare --gold " .. GOLD .. " --vendor budget=" .. ACME .. " --store " .. H.q(db))
    assert.are.equal(2, code)
    assert.truthy(err:find("not a delivery of vendor 'budget'", 1, true), err)
    assert.are.equal(before, sql(db, "SELECT (SELECT count(*) FROM vendors), (SELECT count(*) FROM evaluations);"))
  end)

  it("records a new vendor and batch with --new-vendor, and links an ingested file to its delivery", function()
    local db = H.tmpdir() .. "/p.db"
    ok("ingest --store " .. H.q(db) .. " --vendor budget --batch w1 " .. BUDGET)
    ok("compare --gold " .. GOLD .. " --vendor Budget=" .. BUDGET .. " --store " .. H.q(db) .. " --batch b1 --new-vendor")
    ok("compare --gold " .. GOLD .. " --vendor budget=" .. BUDGET .. " --store " .. H.q(db))
    assert.are.equal("Budget|b1||b1\nbudget|w1|1|w1\n", sql(db, "SELECT e.vendor, e.batch, e.delivery_id, b.name " ..
      "FROM evaluations e JOIN batches b ON b.id = e.batch_id ORDER BY e.id;"))
    assert.are.equal("w1|evaluated\n", sql(db, "SELECT name, state FROM batches WHERE name = 'w1';"))
  end)
end)

describe("the log and store verify", function()
  after_each(H.cleanup)

  it("chains each evaluation with its provenance; the entry hash is SHA-256(prev, newline, body)", function()
    local db = store_with_evaluation()
    ok("compare --gold " .. GOLD .. " --vendor budget=" .. BUDGET .. " --store " .. H.q(db))
    -- provenance: the scoring script's hash, the gold-panel version and hash, the delivery's hash
    assert.are.equal("1|1|1|1\n", sql(db, "SELECT e.script_sha256 GLOB '" .. string.rep("[0-9a-f]", 64) .. "', " ..
      "e.gold_sha256 = g.sha256, e.input_sha256 = d.sha256, e.tool_version IS NOT NULL FROM evaluations e " ..
      "JOIN gold_panels g ON g.id = e.gold_id JOIN deliveries d ON d.id = e.delivery_id WHERE e.id = 1;"))
    -- the chain, recomputed by python's hashlib from the stored text
    local script = [[
import hashlib, sqlite3, sys
c = sqlite3.connect(sys.argv[1])
prev = "0" * 64
for seq, p, body, h in c.execute("SELECT seq, prev_hash, body, hash FROM log ORDER BY seq"):
    assert p == prev, (seq, p, prev)
    assert hashlib.sha256((p + "\n" + body).encode()).hexdigest() == h, seq
    prev = h
print(prev)
]]
    local py = H.write(H.tmpdir() .. "/chain.py", script)
    local p = io.popen("python3 " .. H.q(py) .. " " .. H.q(db) .. " 2>&1")
    local head = p:read("a")
    p:close()
    local out = ok("store verify --store " .. H.q(db))
    local r = H.decode(out)
    assert.is_true(r.verified)
    assert.are.equal(2, r.entries)
    assert.are.equal(2, r.recomputed)
    assert.are.equal(head, r.head .. "\n")
    assert.are.equal(r.head, H.decode(ok("store info --store " .. H.q(db))).log_head)
  end)

  it("refuses an UPDATE of an evaluation, and names the row edited behind the trigger's back", function()
    local db = store_with_evaluation()
    local _, code = sql(db, "UPDATE evaluations SET result = json_set(result, '$.micro.f1', 0.97);")
    assert.are_not.equal(0, code)
    -- the buyer's example, with the trigger dropped first
    _, code = sql(db, "DROP TRIGGER evaluations_append_only_update; " ..
      "UPDATE evaluations SET result = json_set(result, '$.micro.f1', 0.97);")
    assert.are.equal(0, code)
    local out, err, status = H.run("store verify --store " .. H.q(db))
    assert.are.equal(1, status, err)
    local r = H.decode(out)
    assert.is_false(r.verified)
    assert.are.same({"evaluations", 1, "result.micro.f1", 0.97}, {r.difference.table, r.difference.id,
      r.difference.field, r.difference.recorded})
    assert.truthy(err:find("evaluations 1: result.micro.f1: differs from log entry 1 (now 0.97", 1, true), err)
  end)

  it("catches an edit whose log entry and chain were rewritten too, by recomputing the result", function()
    local db = store_with_evaluation()
    local script = [[
import hashlib, json, sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.executescript("DROP TRIGGER evaluations_append_only_update; DROP TRIGGER log_append_only_update;")
c.execute("UPDATE evaluations SET result = json_set(result, '$.per_class.car.tp', 99)")
seq, prev, body = c.execute("SELECT seq, prev_hash, body FROM log").fetchone()
b = json.loads(body)
b["row"]["result"] = c.execute("SELECT result FROM evaluations WHERE id = 1").fetchone()[0]
nb = json.dumps(b, sort_keys=True, separators=(",", ":"))
c.execute("UPDATE log SET body = ?, hash = ? WHERE seq = ?",
          (nb, hashlib.sha256((prev + "\n" + nb).encode()).hexdigest(), seq))
c.commit()
]]
    local py = H.write(H.tmpdir() .. "/forge.py", script)
    assert.is_true(os.execute("python3 " .. H.q(py) .. " " .. H.q(db)))
    local out, err, status = H.run("store verify --store " .. H.q(db))
    assert.are.equal(1, status, err)
    local d = H.decode(out).difference
    assert.are.same({"evaluations", 1, "result.per_class.car.tp", 99}, {d.table, d.id, d.field, d.recorded})
    assert.are_not.equal(99, d.expected)
    assert.truthy(err:find("recomputed from the stored inputs differs", 1, true), err)
  end)

  it("names a broken link of the chain", function()
    local db = store_with_evaluation()
    ok("compare --gold " .. GOLD .. " --vendor budget=" .. BUDGET .. " --store " .. H.q(db))
    local _, code = sql(db, "DROP TRIGGER log_append_only_update; UPDATE log SET prev_hash = hash WHERE seq = 2;")
    assert.are.equal(0, code)
    local out, err, status = H.run("store verify --store " .. H.q(db))
    assert.are.equal(1, status, err)
    local d = H.decode(out).difference
    assert.are.same({"log", 2, "prev_hash"}, {d.table, d.id, d.field})
  end)
end)
