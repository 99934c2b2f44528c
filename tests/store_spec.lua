-- The store: created, migrated, reported; refused when it is not ours.
local H = require "tests.support.helper"

describe("annovet store", function()
  after_each(H.cleanup)

  it("creates a store with the schema and reports it", function()
    local db = H.tmpdir() .. "/p.db"
    local out, err, code = H.run("store init --store " .. H.q(db))
    assert.are.equal(0, code, err)
    local info = H.decode(out)
    assert.are.equal(info.schema_latest, info.schema_version)
    assert.is_true(info.schema_version >= 1)
    assert.are.equal(0, info.counts.deliveries)
    local out2, err2, code2 = H.run("store info --store " .. H.q(db))
    assert.are.equal(0, code2, err2)
    assert.are.same(info, H.decode(out2))
  end)

  -- The sqlite3 command-line tool, independent of annovet's SQLite calls.
  local function sql(db, query)
    local p = io.popen("sqlite3 " .. H.q(db) .. " " .. H.q(query) .. " 2>&1")
    local out = p:read("a")
    local _, _, code = p:close()
    return out, code
  end

  it("uses WAL, foreign keys and the user_version the store reports", function()
    local db = H.tmpdir() .. "/p.db"
    local out = H.run("store init --store " .. H.q(db))
    assert.are.equal("wal\n" .. H.decode(out).schema_version .. "\n",
      sql(db, "PRAGMA journal_mode; PRAGMA user_version;"))
    -- the schema declares the references (table|from|to, one per line, sorted)
    local refs = {}
    for _, t in ipairs {"batches", "deliveries", "gold_panels", "evaluations", "decisions", "log", "guidelines"} do
      for line in sql(db, "PRAGMA foreign_key_list(" .. t .. ");"):gmatch("[^\n]+") do
        local _, _, parent, from, to = line:match("^(%d+)|(%d+)|([%w_]+)|([%w_]+)|([%w_]+)|")
        refs[#refs + 1] = t .. "." .. from .. " -> " .. parent .. "." .. to
      end
    end
    table.sort(refs)
    assert.are.same({
      "batches.rework_of -> batches.id",
      "batches.vendor_id -> vendors.id",
      "decisions.batch_id -> batches.id",
      "decisions.evaluation_id -> evaluations.id",
      "deliveries.batch_id -> batches.id",
      "deliveries.sha256 -> blobs.sha256",
      "evaluations.batch_id -> batches.id",
      "evaluations.delivery_id -> deliveries.id",
      "evaluations.gold_id -> gold_panels.id",
      "gold_panels.sha256 -> blobs.sha256",
      "guidelines.sha256 -> blobs.sha256",
      "log.batch_id -> batches.id",
    }, refs)
    -- and SQLite enforces them where foreign keys are on: a batch of no vendor is refused
    local text, code = sql(db, "PRAGMA foreign_keys = ON; INSERT INTO batches(vendor_id, name) VALUES (999, 'x');")
    assert.are_not.equal(0, code)
    assert.truthy(text:find("FOREIGN KEY constraint failed", 1, true), text)
    assert.are.equal("0\n", sql(db, "SELECT count(*) FROM batches;"))
  end)

  -- foreign_keys is a setting of each connection, off by default: only a write
  -- through annovet's own connection shows that annovet turns it on. A trigger
  -- planted with the sqlite3 tool makes ingest's insert of a delivery add a
  -- decision for an evaluation that does not exist; annovet must refuse the
  -- whole ingest. Without the trigger the same ingest leaves a store in which
  -- PRAGMA foreign_key_check finds nothing.
  it("checks foreign keys on its own connection, and leaves none dangling", function()
    local dir = H.tmpdir()
    local db = dir .. "/p.db"
    local delivery = H.datafile("fixtures/coco/instances.json")
    local gold = H.datafile("fixtures/cvat/annotations.xml")
    assert.are.equal(0, select(3, H.run("store init --store " .. H.q(db))))
    local _, code = sql(db, "CREATE TRIGGER dangling AFTER INSERT ON deliveries BEGIN " ..
      "INSERT INTO decisions(evaluation_id, kind, outcome, payload, hash) " ..
      "VALUES (999999, 'x', 'x', 'x', 'h' || NEW.id); END;")
    assert.are.equal(0, code)
    local _, err, status = H.run("ingest --store " .. H.q(db) .. " --vendor acme --batch b1 " .. H.q(delivery))
    assert.are.equal(2, status, err)
    assert.truthy(err:find("FOREIGN KEY constraint failed", 1, true), err)
    assert.are.equal("0|0|0|0\n", sql(db, "SELECT (SELECT count(*) FROM vendors), (SELECT count(*) FROM deliveries), " ..
      "(SELECT count(*) FROM decisions), (SELECT count(*) FROM blobs);"))

    sql(db, "DROP TRIGGER dangling;")
    local out
    out, err, status = H.run("ingest --store " .. H.q(db) .. " --vendor acme --batch b1 " .. H.q(delivery))
    assert.are.equal(0, status, err .. out)
    out, err, status = H.run("ingest --store " .. H.q(db) .. " --gold --name panel " .. H.q(gold))
    assert.are.equal(0, status, err .. out)
    assert.are.equal("1|1|2\n", sql(db, "SELECT (SELECT count(*) FROM deliveries), (SELECT count(*) FROM gold_panels), " ..
      "(SELECT count(*) FROM blobs);"))
    assert.are.equal("", sql(db, "PRAGMA foreign_key_check;"))
  end)

  it("says when there is no store, and creates none", function()
    local db = H.tmpdir() .. "/none.db"
    local _, err, code = H.run("store info --store " .. H.q(db))
    assert.are.equal(2, code)
    assert.truthy(err:find("none.db: no such store", 1, true), err)
    assert.is_nil(io.open(db, "rb"))
  end)

  it("refuses a file that is not a database, and leaves it untouched", function()
    local db = H.write(H.tmpdir() .. "/junk.db", string.rep("not sqlite\n", 100))
    for _, sub in ipairs {"info", "init"} do
      local _, err, code = H.run("store " .. sub .. " --store " .. H.q(db))
      assert.are.equal(2, code)
      assert.truthy(err:find("junk.db: not an annovet store", 1, true), err)
    end
    assert.are.equal(string.rep("not sqlite\n", 100), H.slurp(db))
  end)

  it("refuses another application's SQLite database", function()
    local db = H.tmpdir() .. "/other.db"
    os.execute("sqlite3 " .. H.q(db) .. " 'CREATE TABLE t(x);'")
    local _, err, code = H.run("store init --store " .. H.q(db))
    assert.are.equal(2, code)
    assert.truthy(err:find("not an annovet store", 1, true), err)
  end)

  it("refuses a store from a newer annovet", function()
    local db = H.tmpdir() .. "/new.db"
    H.run("store init --store " .. H.q(db))
    os.execute("sqlite3 " .. H.q(db) .. " 'PRAGMA user_version = 999;'")
    local _, err, code = H.run("store info --store " .. H.q(db))
    assert.are.equal(2, code)
    assert.truthy(err:find("schema v999 is newer", 1, true), err)
  end)

  it("refuses a directory", function()
    local _, err, code = H.run("store info --store " .. H.q(H.tmpdir()))
    assert.are.equal(2, code)
    assert.truthy(err:find("is a directory", 1, true), err)
  end)
end)
