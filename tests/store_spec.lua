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

  it("uses WAL, foreign keys and the user_version the store reports", function()
    local db = H.tmpdir() .. "/p.db"
    local out = H.run("store init --store " .. H.q(db))
    local p = io.popen("sqlite3 " .. H.q(db) .. " 'PRAGMA journal_mode; PRAGMA user_version;'")
    local text = p:read("a")
    p:close()
    assert.are.equal("wal\n" .. H.decode(out).schema_version .. "\n", text)
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
