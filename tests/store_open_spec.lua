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
          H.q(H.bin), H.q(db), i, H.q(DELIVERY), H.q(dir .. "/err" .. i), H.q(dir .. "/code" .. i))
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
