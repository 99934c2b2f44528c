-- Tags as CSV in long form (item,annotator,label): reading, writing, neutralised
-- cells, and bad rows named by line.
local H = require "tests.support.helper"

local function run_ok(args)
  local out, err, code = H.run(args)
  assert.are.equal(0, code, err)
  return out, err
end

local TAGS = 'item,annotator,label,extra\n' ..
  'a.jpg,alice,cat,1\n' ..
  'a.jpg,bob,dog,2\n' ..
  'b.jpg,alice,"=SUM(A1)",3\n' ..
  '"c,1.jpg",,cat,4\n' ..
  '\n' ..
  'b.jpg,bob,,5\n' ..
  'b.jpg,bob,-3,6\n'

describe("CSV tags", function()
  after_each(H.cleanup)

  -- Counted by hand from TAGS above: 5 tags on 3 items (the row with an empty
  -- label is skipped with a warning, the blank line ignored), labels cat (2), dog,
  -- =SUM(A1), -3; annotators alice (2), bob (2) and one row without.
  it("reads the long form, with quoted cells and extra columns", function()
    local path = H.write(H.tmpdir() .. "/tags.csv", TAGS)
    local s = H.decode(run_ok("inspect " .. H.q(path)))
    assert.are.equal("csv", s.format)
    assert.are.equal(3, s.items)
    assert.are.equal(5, s.annotations)
    assert.are.same({tag = 5}, s.by_type)
    assert.are.same({cat = 2, dog = 1, ["=SUM(A1)"] = 1, ["-3"] = 1}, s.by_class)
    assert.are.same({alice = 2, bob = 2, ["(none)"] = 1}, s.by_annotator)
    assert.are.equal("row without a label skipped", s.warnings[1].kind)
    assert.are.equal(path .. ":7: empty label", s.warnings[1].example)
  end)

  it("writes tags back, neutralising text a spreadsheet would run, and reads its own output", function()
    local dir = H.tmpdir()
    local path = H.write(dir .. "/tags.csv", TAGS)
    run_ok("convert " .. H.q(path) .. " " .. H.q(dir .. "/out.csv") .. " --to csv")
    assert.are.equal('item,annotator,label\na.jpg,alice,cat\na.jpg,bob,dog\n' ..
      "b.jpg,alice,'=SUM(A1)\n\"c,1.jpg\",,cat\nb.jpg,bob,-3\n", H.slurp(dir .. "/out.csv"))
    run_ok("convert " .. H.q(dir .. "/out.csv") .. " " .. H.q(dir .. "/out2.csv") .. " --to csv")
    assert.are.equal(H.slurp(dir .. "/out.csv"), H.slurp(dir .. "/out2.csv"))
    local s = H.decode(run_ok("inspect " .. H.q(dir .. "/out.csv")))
    assert.are.equal(1, s.by_class["=SUM(A1)"])
  end)

  it("reads unit,rater,value files as `annovet agree` does", function()
    local path = H.write(H.tmpdir() .. "/r.csv", "unit,rater,value\n1,r1,a\n1,r2,b\n2,r1,a\n")
    local s = H.decode(run_ok("inspect " .. H.q(path)))
    assert.are.equal(2, s.items)
    assert.are.same({r1 = 2, r2 = 1}, s.by_annotator)
  end)

  it("carries tags through Label Studio choices and back", function()
    local dir = H.tmpdir()
    local path = H.write(dir .. "/tags.csv", TAGS)
    run_ok("convert " .. H.q(path) .. " " .. H.q(dir .. "/ls.json") .. " --to labelstudio")
    run_ok("convert " .. H.q(dir .. "/ls.json") .. " " .. H.q(dir .. "/back.csv") .. " --to csv")
    local function rows(text)
      local t = {}
      for line in text:gmatch("[^\n]+") do t[#t + 1] = line end
      table.sort(t)
      return t
    end
    local expect = rows(H.slurp(dir .. "/back.csv"))
    assert.are.same(rows('item,annotator,label\na.jpg,alice,cat\na.jpg,bob,dog\n' ..
      "b.jpg,alice,'=SUM(A1)\n\"c,1.jpg\",,cat\nb.jpg,bob,-3\n"), expect)
  end)

  it("says what a tags CSV cannot hold", function()
    local src = H.fixture("formats/coco/instances_val.json")
    if not src then return pending(H.NO_SHARED) end
    local out = H.tmpdir() .. "/o.csv"
    local stdout, err = run_ok("convert " .. H.q(src) .. " " .. H.q(out) .. " --to csv")
    assert.are.equal(2, H.decode(stdout).write_warnings[1].count)
    assert.truthy(err:find("dropped: not a tag (2; first: " .. src .. ": annotations[0]: a polygon", 1, true), err)
    assert.are.equal("item,annotator,label\n", H.slurp(out))
  end)

  it("names the line of bad input", function()
    local dir = H.tmpdir()
    local cases = {
      {"a,b\n1,2\n", ":1: expected a header with the columns item, annotator, label; got 'a,b'"},
      {'item,label\nx,"abc\n', ":2: the file ends inside a quoted cell"},
      {"item,label\nx,a\ny\n", ":3: expected 2 fields as in the header, got 1"},
      {'item,label\nx,a"b"\n', ":2: error parsing data while strict checking enabled (a quote out of place?)"},
      {"item,label\nx,ca\255t\n", ":2: column 2: not valid UTF-8 text"},
      {"item,label\n,cat\n", ":2: column 1 (item) is empty"},
      {"", ": empty: expected a header with the columns item, annotator, label"},
    }
    for i, c in ipairs(cases) do
      local path = H.write(dir .. "/t" .. i .. ".csv", c[1])
      local out, err, code = H.run("inspect --from csv " .. H.q(path))
      assert.are.equal(2, code, err)
      assert.are.equal("", out)
      assert.are.equal("annovet: " .. path .. c[2] .. "\n", err)
    end
  end)
end)
