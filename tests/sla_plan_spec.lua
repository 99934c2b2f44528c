-- annovet sla plan: MIL-STD-105E single-sampling plans. Every expected value is
-- read from the standard's tables (MIL-STD-105E, 10 May 1989): Table I for the
-- code letter, Table II-A (normal), II-B (tightened), II-C (reduced) for n, Ac, Re,
-- following the arrows as the tables' legend says. The table and row are named
-- beside each case; none is copied from annovet's output.
local H = require "tests.support.helper"

local function plan(args)
  local out, err, code = H.run("sla plan " .. args)
  assert.are.equal(0, code, err)
  return H.decode(out)
end

local function expect(args, letter, n, ac, re)
  local p = plan(args)
  assert.are.same({letter, n, ac, re}, {p.code_letter, p.sample_size, p.accept, p.reject}, args)
  return p
end

describe("annovet sla plan", function()
  it("gives DOMAIN.md's check rows: lot 1,201-3,200, level II, normal -> K, n 125", function()
    -- Table I: 1,201 to 3,200, level II -> K. Table II-A row K (n 125):
    -- AQL 1.0 Ac 3 Re 4; 2.5 Ac 7 Re 8; 4.0 Ac 10 Re 11.
    expect("--lot 1201 --aql 1.0", "K", 125, 3, 4)
    expect("--lot 3200 --aql 2.5", "K", 125, 7, 8)
    local p = expect("--lot 2000 --aql 4.0 --level II --inspection normal", "K", 125, 10, 11)
    assert.are.equal("II-A", p.table)
    assert.is_false(p.arrow)
    assert.is_false(p.inspect_all)
  end)

  it("maps lot 2-8 at level II to code letter A (not B)", function()
    -- Table I: 2 to 8, level II -> A; level III -> B.
    assert.are.equal("A", plan("--lot 8 --aql 6.5").table_i_code_letter)
    assert.are.equal("A", plan("--lot 2 --aql 6.5").code_letter)
    assert.are.equal("B", plan("--lot 8 --aql 6.5 --level III").table_i_code_letter)
    -- Table II-A row A (n 2), AQL 6.5: Ac 0 Re 1; the lot of 2 is inspected whole
    local p = expect("--lot 2 --aql 6.5", "A", 2, 0, 1)
    assert.is_true(p.inspect_all)
  end)

  it("follows the arrows to the plan they point to, with its letter and sample size", function()
    -- Table II-A row K: AQL 0.10 "0 1"; 0.15 an up arrow, row J (n 80) has "0 1";
    -- 0.25 a down arrow, row L (n 200) has "1 2"; 15 an up arrow, row J has "21 22".
    expect("--lot 2000 --aql 0.10", "K", 125, 0, 1)
    local up = expect("--lot 2000 --aql 0.15", "J", 80, 0, 1)
    assert.are.equal("up", up.arrow)
    assert.are.equal("K", up.table_i_code_letter)
    local down = expect("--lot 2000 --aql 0.25", "L", 200, 1, 2)
    assert.are.equal("down", down.arrow)
    expect("--lot 2000 --aql 15 --count defects", "J", 80, 21, 22)
    -- Table I: 26 to 50, level II -> D. II-A row D: AQL 2.5 an up arrow to row C
    -- (n 5) "0 1"; AQL 0.65 a down arrow to row F (n 20) "0 1".
    expect("--lot 40 --aql 2.5", "C", 5, 0, 1)
    expect("--lot 40 --aql 0.65", "F", 20, 0, 1)
  end)

  it("says to inspect the whole lot when the sample is as large as the lot", function()
    -- Table I: 9 to 15, level II -> B. II-A row B at AQL 1.0 is a down arrow; the
    -- first plan below it is row E (n 13) "0 1": 13 >= 10, inspect all 10 units.
    local p = expect("--lot 10 --aql 1.0", "E", 10, 0, 1)
    assert.is_true(p.inspect_all)
    assert.are.equal(13, p.table_sample_size)
    local said = false
    for _, n in ipairs(p.notes) do said = said or n:find("100 percent inspection", 1, true) ~= nil end
    assert.is_true(said)
  end)

  it("reads the special levels S-1 to S-4", function()
    -- Table I, 1,201 to 3,200: S-1 C, S-2 D, S-3 E, S-4 G. Table II-A at AQL 10:
    -- row C (n 5) "1 2", row D (n 8) "2 3", row E (n 13) "3 4", row G (n 32) "7 8".
    expect("--lot 2000 --aql 10 --level S1", "C", 5, 1, 2)
    expect("--lot 2000 --aql 10 --level S-2", "D", 8, 2, 3)
    expect("--lot 2000 --aql 10 --level s3", "E", 13, 3, 4)
    expect("--lot 2000 --aql 10 --level S4", "G", 32, 7, 8)
    -- levels I and III: 1,201 to 3,200 -> H and L; II-A row H (n 50) at 1.0 "1 2",
    -- row L (n 200) at 1.0 "5 6"
    expect("--lot 2000 --aql 1.0 --level I", "H", 50, 1, 2)
    expect("--lot 2000 --aql 1.0 --level III", "L", 200, 5, 6)
  end)

  it("gives tightened plans from Table II-B", function()
    -- Table II-B row K (n 125): AQL 1.0 "2 3", 4.0 "8 9", 0.15 "0 1".
    local p = expect("--lot 2000 --aql 1.0 --inspection tightened", "K", 125, 2, 3)
    assert.are.equal("II-B", p.table)
    expect("--lot 2000 --aql 4.0 --inspection tightened", "K", 125, 8, 9)
    expect("--lot 2000 --aql 0.15 --inspection tightened", "K", 125, 0, 1)
    -- Table I: 500,001 and over, level III -> R. II-B row R at AQL 0.025 is a
    -- down arrow to row S (n 3150) "1 2".
    expect("--lot 600000 --level III --aql 0.025 --inspection tightened", "S", 3150, 1, 2)
  end)

  it("gives reduced plans from Table II-C, with the gap between Ac and Re", function()
    -- Table II-C row K (n 50): AQL 1.0 "1 4", 4.0 "5 8", 0.10 "0 1".
    local p = expect("--lot 2000 --aql 1.0 --inspection reduced", "K", 50, 1, 4)
    assert.are.equal("II-C", p.table)
    assert.is_true(p.reduced_gap)
    expect("--lot 2000 --aql 4.0 --inspection reduced", "K", 50, 5, 8)
    local q = expect("--lot 2000 --aql 0.10 --inspection reduced", "K", 50, 0, 1)
    assert.is_false(q.reduced_gap)
  end)

  it("gives one plan per defect grade, each with its own AQL", function()
    -- Table II-A row K: 0.10 "0 1", 1.0 "3 4", 4.0 "10 11"
    local p = plan("--lot 2000 --aql critical=0.10,major=1.0,minor=4.0")
    assert.are.equal(3, #p.grades)
    local got = {}
    for _, g in ipairs(p.grades) do got[g.grade] = {g.sample_size, g.accept, g.reject} end
    assert.are.same({critical = {125, 0, 1}, major = {125, 3, 4}, minor = {125, 10, 11}}, got)
    assert.are.equal(125, p.sample_size)
  end)

  it("refuses bad input with one line and exit 2", function()
    local cases = {
      {"--lot 0 --aql 1.0", "--lot: expected a whole number >= 1"},
      {"--lot -5 --aql 1.0", "--lot"},
      {"--lot 12.5 --aql 1.0", "--lot: expected a whole number"},
      {"--lot 2000 --aql 3.0", "AQL '3.0' is not a column of MIL-STD-105E Table II"},
      {"--lot 2000 --aql abc", "is not a column"},
      {"--lot 2000 --aql 1.0 --level IV", "--level: expected I, II, III or S1..S4, got 'IV'"},
      {"--lot 2000 --aql 1.0 --inspection lax", "--inspection: expected normal, tightened or reduced"},
      {"--lot 2000 --aql 25", "needs --count defects"},
      {"--lot 2000 --aql blocker=1.0", "unknown grade 'blocker'"},
      {"--lot 2000", "--aql is required"},
    }
    for _, c in ipairs(cases) do
      local out, err, code = H.run("sla plan " .. c[1])
      assert.are.equal(2, code, c[1])
      assert.are.equal("", out, c[1])
      assert.truthy(err:find(c[2], 1, true), c[1] .. ": " .. err)
      assert.are.equal(1, select(2, err:gsub("annovet:", "")), c[1] .. ": " .. err)
    end
  end)

  it("has --help, and names its sub-commands", function()
    local out, _, code = H.run("sla plan --help")
    assert.are.equal(0, code)
    assert.truthy(out:find("usage: annovet sla plan", 1, true))
    local out2, _, code2 = H.run("sla --help")
    assert.are.equal(0, code2)
    assert.truthy(out2:find("record", 1, true))
    local _, err3, code3 = H.run("sla frobnicate")
    assert.are.equal(2, code3)
    assert.truthy(err3:find("unknown sla sub-command 'frobnicate'", 1, true))
  end)
end)
