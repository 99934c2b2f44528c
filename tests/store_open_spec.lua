-- Opening the store: concurrent creation and migration, and stores that are not
-- annovet's refused as bad input (exit 2 with the reason), never an internal error.
local H = require "tests.support.helper"

local DELIVERY = "tests/data/fixtures/coco/instances.json"

describe("annovet store opening", function()
  after_each(H.cleanup)

  -- Before the migration ran in one exclusive transaction that reads the schema
  -- version inside it, all but one of these lost with "table meta already exists"
  -- or "duplicate column name".
  it("creates a new store from 8 ingests started at once, every delivery landing", function()
    local dir = H.tmpdir()
    local n, rounds = 8, 4
    for round = 1, rounds do
      local db = dir .. "/r" .. round .. ".db"
      local script = {}
      for i = 1, n do
        script[#script + 1] = string.format("( %s ingest --store %s --vendor v%d --batch b %s >/dev/null 2>%s; echo $? >%s ) &",
          H.bin, H.q(db), i, H.q(DELIVERY), H.q(dir .. "/err" .. i), H.q(dir .. "/code" .. i))
      end
      script[#script + 1] = "wait"
      assert(os.execute(table.concat(script, "\n")))
      for i = 1, n do
        local code = H.slurp(dir .. "/code" .. i)
        assert.are.equal("0\n", code, "round " .. round .. ", ingest " .. i .. ": " .. (H.slurp(dir .. "/err" .. i) or ""))
      end
      local out, err, code = H.run("store info --store " .. H.q(db))
      assert.are.equal(0, code, err)
      local info = H.decode(out)
      assert.are.equal(n, info.counts.deliveries)
      assert.are.equal(n, info.counts.vendors)
      assert.are.equal(info.schema_latest, info.schema_version)
    end
  end)
end)

describe("a store that is not annovet's", function()
  after_each(H.cleanup)

  local function sqlite(db, sql)
    assert(os.execute("sqlite3 " .. H.q(db) .. " " .. H.q(sql)))
  end

  -- Each builds a file at db that must be refused, and gives a word of the reason.
  local cases = {
    {"a SQLite file with other tables", "not an annovet store", function(db)
      sqlite(db, "CREATE TABLE t(a); INSERT INTO t VALUES (1);")
    end},
    {"a meta table with other columns", "not an annovet store", function(db)
      sqlite(db, "CREATE TABLE meta(a, b); INSERT INTO meta VALUES ('application', 'annovet');")
    end},
    {"a meta table of another application", "not an annovet store", function(db)
      sqlite(db, "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT); INSERT INTO meta VALUES ('application', 'other');")
    end},
    {"annovet's meta table alone at the latest version", "has a table", function(db)
      sqlite(db, "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT); INSERT INTO meta VALUES ('application', 'annovet');" ..
        "PRAGMA user_version = 3;")
    end},
    {"annovet's meta table without a schema version", "no schema version", function(db)
      sqlite(db, "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT); INSERT INTO meta VALUES ('application', 'annovet');")
    end},
    {"an annovet store with a table dropped", "has a table decisions", function(db)
      assert.are.equal(0, select(3, H.run("store init --store " .. H.q(db))))
      sqlite(db, "DROP TABLE decisions;")
    end},
    {"an annovet store with a column dropped", "evaluations.vendor", function(db)
      assert.are.equal(0, select(3, H.run("store init --store " .. H.q(db))))
      sqlite(db, "DROP INDEX evaluations_kind_vendor; ALTER TABLE evaluations DROP COLUMN vendor;")
    end},
    {"a text file", "not a SQLite database", function(db) H.write(db, "hello, not a database\n") end},
    {"a directory", "is a directory", function(db) assert(os.execute("mkdir " .. H.q(db))) end},
  }

  -- The file's bytes, or "dir" for a folder.
  local function bytes(db)
    return H.slurp(db .. "/.") and "dir" or H.slurp(db)
  end

  for _, c in ipairs(cases) do
    it("refuses " .. c[1] .. " with exit 2, the reason, and the file unchanged", function()
      local db = H.tmpdir() .. "/p.db"
      c[3](db)
      local before = bytes(db)
      for _, cmd in ipairs {
        "store info --store " .. H.q(db),
        "drift --store " .. H.q(db),
        "ingest --store " .. H.q(db) .. " --vendor v --batch b " .. H.q(DELIVERY),
        "ingest --store " .. H.q(db) .. " --gold " .. H.q(DELIVERY),
      } do
        local out, err, code = H.run(cmd)
        assert.are.equal(2, code, cmd .. ": " .. err)
        assert.are.equal("", out, cmd)
        assert.falsy(err:find("internal error", 1, true), err)
        assert.truthy(err:find(c[2], 1, true), cmd .. ": " .. err)
        local lines = select(2, err:gsub("\n", "\n"))
        assert.are.equal(1, lines, err)
      end
      assert.are.equal(before, bytes(db))
    end)
  end

  -- root writes through a read-only mode, so the test drops to nobody when it is root.
  it("refuses to write a read-only store with exit 2, saying so", function()
    local dir = H.tmpdir()
    local db = dir .. "/p.db"
    assert.are.equal(0, select(3, H.run("store init --store " .. H.q(db))))
    assert(os.execute("chmod 444 " .. H.q(db) .. " && chmod 555 " .. H.q(dir)))
    local before = H.slurp(db)
    local p = io.popen("id -u")
    local root = p:read("l") == "0"
    p:close()
    local prefix = root and "setpriv --reuid=65534 --regid=65534 --clear-groups " or ""
    local errf = dir .. ".err"
    local ok, _, code = os.execute(prefix .. H.bin .. " ingest --store " .. H.q(db) .. " --vendor v --batch b " ..
      H.q(DELIVERY) .. " >/dev/null 2>" .. H.q(errf))
    local err = H.slurp(errf) or ""
    os.remove(errf)
    os.execute("chmod 755 " .. H.q(dir))
    assert.is_nil(ok)
    assert.are.equal(2, code, err)
    assert.truthy(err:find("read-only", 1, true), err)
    assert.are.equal(before, H.slurp(db))
  end)
end)
