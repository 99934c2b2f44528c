-- annovet agree: the bootstrap, undefined cases, bad input, output formats and the
-- Lua API (annovet.agree). Values against references are in agree_ref_spec.lua.
local H = require "tests.support.helper"

local K = "tests/data/agree/kripp2011.csv"
local REF = dofile("tests/data/agree/expected.lua")

local function agree(args)
  local out, err, code = H.run("agree " .. args)
  assert.are.equal(0, code, err)
  return H.decode(out), err
end

local function bad(args, pattern)
  local out, err, code = H.run("agree " .. args)
  assert.are.equal(2, code, out .. err)
  assert.are.equal("", out)
  local line = err:gsub("\n$", "")
  assert.is_nil(line:find("\n"), "one line expected: " .. err)
  assert.truthy(err:find(pattern, 1, true), err)
end

describe("agree bootstrap", function()
  after_each(H.cleanup)

  it("gives the same interval for the same seed and another for another seed", function()
    local args = K .. " --wide --metric krippendorff_alpha --level interval --ci 500 --seed 42"
    local a, b = agree(args), agree(args)
    assert.are.same(a.ci, b.ci)
    assert.are.same({level = 0.95, method = "percentile", resamples = 500, seed = 42},
      {level = a.ci.level, method = a.ci.method, resamples = a.ci.resamples, seed = a.ci.seed})
    assert.is_true(a.ci.low <= a.value and a.value <= a.ci.high)
    local c = agree(K .. " --wide --metric krippendorff_alpha --level interval --ci 500 --seed 43")
    assert.are_not.equal(a.ci.low, c.ci.low)
  end)

  it("works for every metric, and --ci-level narrows the interval", function()
    for _, m in ipairs {"percent_agreement", "light_kappa", "fleiss_kappa", "gwet_ac1", "brennan_prediger"} do
      local r = agree(K .. " --wide --metric " .. m .. " --ci 200 --seed 5")
      assert.is_number(r.ci.low, m)
      assert.is_true(r.ci.low <= r.ci.high, m)
    end
    local r = agree("tests/data/agree/pairs.csv --wide --metric cohen_kappa --ci 300 --seed 9")
    local n = agree("tests/data/agree/pairs.csv --wide --metric cohen_kappa --ci 300 --seed 9 --ci-level 0.5")
    assert.is_true(n.ci.low > r.ci.low and n.ci.high < r.ci.high)
    -- the percentile interval roughly agrees with the analytic SE on 60 units
    assert.is_true(math.abs((r.ci.high - r.ci.low) / 3.92 - r.se) < 0.3 * r.se)
  end)
end)

describe("agree undefined cases give null with a reason", function()
  after_each(H.cleanup)

  local function undefined(csv, args, pattern)
    local f = H.write(H.tmpdir() .. "/d.csv", csv)
    local r = agree(H.q(f) .. " " .. args)
    assert.are.equal(H.json.null, r.value)
    assert.truthy(r.undefined ~= H.json.null and r.undefined:find(pattern, 1, true), tostring(r.undefined))
    return r
  end

  -- Issue 4: a single category used by everyone is undefined for every
  -- chance-corrected coefficient whose references are undefined too. AC1 and
  -- Brennan-Prediger with --categories listing a category nobody used are 1
  -- (issue 13, below); without it they have one category, and Gwet's q(q-1) and
  -- 1/q leave them 0/0. percent_agreement is not chance-corrected: 1 is its true value.
  it("one category used by everyone: every chance-corrected coefficient is null, percent agreement 1", function()
    local csv = "a,b,c\nx,x,x\nx,x,x\nx,x,x\n"
    local why = "every rating is 'x': agreement cannot be told from chance"
    for _, cats in ipairs {"", " --categories x,y", " --categories y,x,z"} do
      for _, m in ipairs(cats == "" and {"fleiss_kappa", "gwet_ac1", "brennan_prediger"} or {"fleiss_kappa"}) do
        undefined(csv, "--wide --metric " .. m .. cats, why)
        undefined(csv, "--wide --metric " .. m .. " --weights quadratic" .. cats, why)
      end
      undefined(csv, "--wide --metric krippendorff_alpha" .. cats,
        "every pairable value is 'x': agreement cannot be told from chance")
      undefined(csv, "--wide --metric light_kappa" .. cats, "every paired rating is 'x': agreement cannot be told from chance")
      for _, m in ipairs {"cohen_kappa", "scott_pi"} do
        undefined("a,b\nx,x\nx,x\n", "--wide --metric " .. m .. cats,
          "every paired rating is 'x': agreement cannot be told from chance")
        undefined("a,b\nx,x\nx,x\n", "--wide --metric " .. m .. " --weights linear" .. cats, "every paired rating is 'x'")
      end
      local r = agree(H.q(H.write(H.tmpdir() .. "/e.csv", csv)) .. " --wide --metric percent_agreement" .. cats)
      assert.are.equal(1, r.value)
      assert.are.equal(H.json.null, r.undefined)
    end
    -- alpha over pairable values only: the single ratings of unit 3 do not count
    undefined("unit,rater,value\n1,a,x\n1,b,x\n2,a,x\n2,b,x\n3,a,y\n", "--metric krippendorff_alpha",
      "every pairable value is 'x'")
    -- Light names the pair whose ratings are all one category
    undefined("unit,rater,value\n1,a,x\n1,b,x\n2,a,x\n2,b,x\n3,c,x\n3,a,y\n4,c,y\n4,a,x\n",
      "--metric light_kappa", "raters 'a' and 'b': every paired rating is 'x'")
    -- label sets: every rater gave the same set
    undefined("unit,rater,value\n1,a,p\n1,a,q\n1,b,p\n1,b,q\n2,a,p\n2,a,q\n2,b,q\n2,b,p\n",
      "--multi-label --metric krippendorff_alpha --level masi", "every pairable value is 'p|q'")
    undefined("unit,rater,value\n1,a,\n1,b,\n2,a,\n2,b,\n",
      "--multi-label --metric fleiss_kappa", "every rating is the empty label set")
  end)

  it("one unit of one category, and nothing pairable", function()
    -- one unit rated x, x, x: statsmodels' fleiss_kappa is nan, fast-krippendorff
    -- raises, nltk's pi divides by zero (tools/agree_edge_ref.py)
    undefined("a,b,c\nx,x,x\n", "--wide --metric fleiss_kappa", "every rating is 'x'")
    undefined("a,b,c\nx,x,x\n", "--wide --metric krippendorff_alpha", "every pairable value is 'x'")
    undefined("a,b,c\nx,x,x\n", "--wide --metric gwet_ac1", "every rating is 'x'")
    local r = undefined("unit,rater,value\n1,a,x\n2,b,y\n3,a,x\n", "--metric krippendorff_alpha", "no pairable values")
    assert.are.equal(0, r.pairable)
    undefined("unit,rater,value\n1,a,x\n2,b,y\n", "--metric cohen_kappa", "no pairable values")
    undefined("unit,rater,value\n1,a,x\n1,b,y\n2,a,y\n2,b,y\n3,c,x\n", "--metric light_kappa",
      "raters 'a' and 'c': no unit rated by both")
  end)

  it("per category: a category nobody used, or used by every rating, is null with the reason", function()
    for _, m in ipairs {"fleiss_kappa", "light_kappa", "krippendorff_alpha"} do
      local out, err, code = H.run("agree " .. K .. " --wide --metric " .. m ..
        " --per-category --categories 1,2,3,4,5,6 --format csv")
      assert.are.equal(0, code, err)
      local row = out:match("\n(" .. m .. ",[^\n]*,6,[^\n]*)")
      assert.truthy(row, out)
      -- no value, the reason in the last column
      assert.truthy(row:find(",6,,.*no [a-z ]+ is '6': agreement cannot be told from chance$"), row)
      local r = agree(K .. " --wide --metric " .. m .. " --per-category --categories 1,2,3,4,5,6")
      assert.are.equal(H.json.null, r.per_category["6"], m)
      assert.are.same({}, r.warnings, m)
      assert.is_number(r.per_category["1"], m)
      -- category 5: only unit 10, where all three raters chose it: perfect agreement,
      -- defined; but Light's kappa needs every pair, and o1 did not rate unit 10
      if m == "light_kappa" then
        assert.truthy(out:find(",5,,[^\n]*raters 'o1' and 'o2': no paired rating is '5'"), out)
      else
        assert.are.equal(1, r.per_category["5"], m)
      end
    end
    -- percent agreement stays defined: every rating agrees that it is not 6
    local r = agree(K .. " --wide --metric percent_agreement --per-category --categories 1,2,3,4,5,6")
    assert.are.equal(1, r.per_category["6"])
    -- a category used by every rating (the only one): null against the rest too
    local f = H.q(H.write(H.tmpdir() .. "/one.csv", "a,b\nx,x\nx,x\nx,x\n"))
    local out, err, code = H.run("agree " .. f .. " --wide --metric cohen_kappa --per-category --categories x,y --format table")
    assert.are.equal(0, code, err)
    assert.truthy(out:find("x         undefined: every paired rating is 'x': agreement cannot be told from chance", 1, true), out)
    assert.truthy(out:find("y         undefined: no paired rating is 'y': agreement cannot be told from chance", 1, true), out)
    -- labels: one in every set, one in none
    f = H.q(H.write(H.tmpdir() .. "/t.csv", "unit,rater,value\n1,a,p\n1,a,q\n1,b,p\n2,a,p\n2,b,p\n2,b,q\n3,a,p\n3,b,p\n"))
    out, err, code = H.run("agree " .. f .. " --multi-label --metric fleiss_kappa --per-category --categories p,q,r --format csv")
    assert.are.equal(0, code, err)
    assert.truthy(out:find("\nfleiss_kappa,,none,p,,,,,3,2,6,every rating holds 'p': agreement cannot be told from chance\n", 1, true), out)
    assert.truthy(out:find("\nfleiss_kappa,,none,q,%-?[%d.e-]+,"), out)
    assert.truthy(out:find("\nfleiss_kappa,,none,r,,,,,3,2,6,no rating holds 'r': agreement cannot be told from chance\n", 1, true), out)
  end)
end)

-- Issue 13: where the coefficient's author and every reference give a number,
-- annovet gives it, with a warning (in `warnings` and on stderr) that it rests on
-- little. References from tools/agree_edge_ref.py: nltk 3.8 and statsmodels
-- 0.13.5 (Debian), fast-krippendorff 0.8.3.dev0 (pln-fing-udelar, b1eb616), and
-- irrCAC 1.0's formulas (gwet.ac1.raw, bp.coeff.raw, fleiss.kappa.raw) computed
-- by hand in python, R not being installed.
describe("agree gives the references' number with a warning where it rests on little", function()
  after_each(H.cleanup)

  local function warned(csv, args, want, pattern)
    local f = H.write(H.tmpdir() .. "/d.csv", csv)
    local r, err = agree(H.q(f) .. " " .. args)
    H.near(r.value, want, 1e-12, args)
    assert.are.equal(H.json.null, r.undefined)
    assert.are.equal(1, #r.warnings, args)
    assert.truthy(r.warnings[1]:find(pattern, 1, true), r.warnings[1])
    assert.truthy(err:find("annovet: warning: " .. r.warnings[1], 1, true), err)
    return r, f
  end

  -- One unit rated x, x, y by three raters: alpha 0 (nltk, fast-krippendorff:
  -- within one unit the coincidences are the expected ones), Fleiss -0.5
  -- (statsmodels fleiss_kappa on [[2, 1]], nltk pi, irrCAC), AC1 -0.2 (irrCAC),
  -- Brennan-Prediger -1/3 (statsmodels fleiss_kappa method="uniform", irrCAC).
  it("one unit of three ratings: alpha 0, Fleiss -0.5, AC1 -0.2, Brennan-Prediger -1/3", function()
    local csv = "a,b,c\nx,x,y\n"
    local single = "rests on a single unit"
    for m, want in pairs {krippendorff_alpha = 0, fleiss_kappa = -0.5, gwet_ac1 = -0.2, brennan_prediger = -1 / 3} do
      local r, f = warned(csv, "--wide --metric " .. m, want, single)
      assert.are.same({1, 3, 3}, {r.units, r.raters, r.pairable})
      assert.are.equal(H.json.null, r.se)   -- no variance from one unit
      -- each category against the rest is the same binary data: the same value
      r = agree(H.q(f) .. " --wide --metric " .. m .. " --per-category")
      H.near(r.per_category.x, want, 1e-12, m .. " x")
      H.near(r.per_category.y, want, 1e-12, m .. " y")
      -- every resample is that unit: the interval is the value, no resample left out
      local out, err, code = H.run("agree " .. H.q(f) .. " --wide --metric " .. m .. " --ci 20 --seed 3")
      assert.are.equal(0, code, err)
      r = H.decode(out)
      H.near(r.ci.low, want, 1e-12, m .. " ci low")
      H.near(r.ci.high, want, 1e-12, m .. " ci high")
      assert.is_nil(err:find("resamples gave no value", 1, true), err)
    end
    -- in long form, with a unit rated once beside it: still one pairable unit
    warned("unit,rater,value\n1,a,x\n1,b,x\n1,c,y\n2,a,y\n", "--metric krippendorff_alpha", 0, single)
    -- percent agreement was never undefined there, and draws no warning
    local r = agree(H.q(H.write(H.tmpdir() .. "/p.csv", csv)) .. " --wide --metric percent_agreement")
    H.near(r.value, 1 / 3, 1e-12, "percent")
    assert.are.same({}, r.warnings)
  end)

  -- Every rating x, with --categories x,y: irrCAC's gwet.ac1.raw and
  -- bp.coeff.raw (categ.labels) give 1, and so does statsmodels' fleiss_kappa
  -- method="uniform"; Fleiss (statsmodels nan) and alpha (fast-krippendorff
  -- raises) stay null, above.
  it("AC1 and Brennan-Prediger with --categories and one category used are 1", function()
    local csv = "a,b,c\nx,x,x\nx,x,x\nx,x,x\n"
    local one = "every rating is 'x'"
    for _, m in ipairs {"gwet_ac1", "brennan_prediger"} do
      for _, extra in ipairs {" --categories x,y", " --categories y,x,z", " --categories x,y --weights quadratic"} do
        local r, f = warned(csv, "--wide --metric " .. m .. extra, 1, one)
        assert.truthy(r.warnings[1]:find("categories", 1, true), r.warnings[1])
        -- per category: x against the rest and y against the rest are both all-agreeing binary data
        r = agree(H.q(f) .. " --wide --metric " .. m .. " --per-category" .. extra:gsub(" %-%-weights %a+", ""))
        assert.are.equal(1, r.per_category.x, m)
        assert.are.equal(1, r.per_category.y, m)
        assert.truthy(#r.warnings >= 2, m)
      end
    end
    -- both at once: one unit and one category, two warnings
    local f = H.write(H.tmpdir() .. "/both.csv", "a,b,c\nx,x,x\n")
    local r, err = agree(H.q(f) .. " --wide --metric gwet_ac1 --categories x,y")
    assert.are.equal(1, r.value)
    assert.are.equal(2, #r.warnings)
    assert.truthy(r.warnings[1]:find("rests on a single unit", 1, true), r.warnings[1])
    assert.truthy(r.warnings[2]:find("every rating is 'x'", 1, true), r.warnings[2])
    assert.truthy(err:find("annovet: warning: " .. r.warnings[2], 1, true), err)
  end)

  it("gives the warnings to Lua too", function()
    local out, err, code = H.run("run " .. H.q(H.script([[
      local r = annovet.agree.fleiss_kappa({units = {{a = "x", b = "x", c = "y"}}})
      print(r.value, #r.warnings, r.warnings[1])
      r = annovet.agree.gwet_ac1({units = {{a = "x", b = "x"}, {a = "x", b = "x"}}}, {categories = {"x", "y"}})
      print(r.value, #r.warnings, r.warnings[1])
      r = annovet.agree.fleiss_kappa({units = {{a = "x", b = "y"}, {a = "x", b = "x"}}})
      print(#r.warnings)
    ]])))
    assert.are.equal(0, code, err)
    local lines = {}
    for l in out:gmatch("[^\n]+") do lines[#lines + 1] = l end
    assert.truthy(lines[1]:find("^%-0%.5%d*\t1\t.*rests on a single unit"), lines[1])
    assert.truthy(lines[2]:find("^1%.?0?\t1\tevery rating is 'x'"), lines[2])
    assert.are.equal("0", lines[3])
  end)
end)

describe("agree bad input: one line, exit 2", function()
  after_each(H.cleanup)

  it("names a missing column, a non-number at the interval level, one rater", function()
    local d = H.tmpdir()
    bad(H.q(H.write(d .. "/a.csv", "unit,coder,value\n1,a,x\n")) .. " --metric fleiss_kappa",
      "a.csv: row 1: no column 'rater' in the header (columns: unit, coder, value)")
    bad(H.q(H.write(d .. "/b.csv", "unit,rater,value\n1,a,1\n1,b,2\n2,a,two\n2,b,3\n")) ..
      " --metric krippendorff_alpha --level interval", "b.csv: row 4, column 'value': expected a number, got 'two'")
    bad(H.q(H.write(d .. "/c.csv", "unit,rater,value\n1,a,x\n2,a,y\n")) .. " --metric fleiss_kappa",
      "c.csv: column 'rater': one rater ('a'); fleiss_kappa needs at least two")
    bad(H.q(H.write(d .. "/w.csv", "r1,r2\n1,-1\n2,3\n")) .. " --wide --metric krippendorff_alpha --level ratio",
      "w.csv: row 2, column 'r2': expected a non-negative number, got '-1'")
  end)

  it("refuses a unit rated twice by a rater, short rows, unknown categories and options", function()
    local d = H.tmpdir()
    bad(H.q(H.write(d .. "/a.csv", "unit,rater,value\n1,a,x\n1,b,y\n1,a,y\n")) .. " --metric fleiss_kappa",
      "a.csv: row 4, column 'unit': unit '1' already rated by rater 'a' at row 2")
    bad(H.q(H.write(d .. "/b.csv", "unit,rater,value\n1,a\n")) .. " --metric fleiss_kappa", "b.csv: row 2: 2 fields")
    bad(H.q(H.write(d .. "/c.csv", "unit,rater,value\n1,a,x\n1,b,z\n")) .. " --metric fleiss_kappa --categories x,y",
      "c.csv: row 3, column 'value': 'z' is not among the categories given (--categories)")
    bad(K .. " --wide --metric cohen_kappa", "cohen_kappa needs exactly two raters, the data have 4")
    bad(K .. " --wide --metric nope", "unknown metric 'nope'")
    bad(K .. " --wide --metric fleiss_kappa --level ordinal", "--level applies to krippendorff_alpha only")
    bad(K .. " --wide --metric krippendorff_alpha --weights linear", "takes --level, not --weights")
    bad(K .. " --wide --metric krippendorff_alpha --level interval --per-category", "not defined at the interval level")
    bad(K .. " --wide --metric krippendorff_alpha --level masi", "needs multi-label data")
    bad(H.q(d .. "/none.csv") .. " --metric fleiss_kappa", "none.csv: No such file")
    bad(H.q(H.write(d .. "/q.csv", 'unit,rater,value\n1,a,"x\n')) .. " --metric fleiss_kappa", "malformed CSV")
    -- a NUL inside a value would make "x\0y" print as "x"
    bad(H.q(H.write(d .. "/n.csv", "a,b\nx\0y,z\nx,y\n")) .. " --wide --metric fleiss_kappa",
      "n.csv: row 2, column 'a': a NUL byte in the cell")
    bad(H.q(H.write(d .. "/h.csv", "a\0b,c\nx,y\n")) .. " --wide --metric fleiss_kappa", "h.csv: row 1: a NUL byte in a cell")
  end)
end)

describe("agree options out of range: one line, exit 2, never an internal error", function()
  after_each(H.cleanup)
  local F = "tests/data/agree/fleiss1971.csv --wide --metric fleiss_kappa "

  it("--ci above the engine's 10,000,000 resamples, and seeds that are not whole decimal numbers", function()
    bad(F .. "--ci 4294967297", "--ci: expected a whole number from 1 to 10000000, got '4294967297'")
    bad(F .. "--ci 10000001", "--ci: expected a whole number from 1 to 10000000")
    bad(F .. "--ci 0", "--ci: expected a whole number from 1 to 10000000, got '0'")
    bad(F .. "--ci 2.5", "--ci: expected a whole number")
    bad(F .. "--ci 1e300", "--ci: expected a whole number")
    local seed = "--seed: expected a whole number from 0 to 4611686018427387903"
    bad(F .. "--ci 10 --seed 4611686018427387904", seed)
    bad(F .. "--ci 10 --seed 18446744073709551616", seed)
    bad(F .. "--ci 10 --seed -1", seed)
    bad(F .. "--ci 10 --seed 0x10000000000000000", seed)   -- Lua would wrap it to 0
    bad(F .. "--ci 10 --seed 1e300", seed)
    bad(F .. "--seed 3", "--seed goes with --ci N")
    for _, l in ipairs {"0", "1", "nan", "inf", "-0.5", "x"} do
      bad(F .. "--ci 10 --ci-level " .. l, "--ci-level: expected a number between 0 and 1, got '" .. l .. "'")
    end
    bad(F .. "--weights cubic", "--weights: expected none, linear or quadratic, got 'cubic'")
    bad(F .. "--format xml", "--format: expected json, csv or table, got 'xml'")
    -- the largest seed is accepted, and "1e1" is ten
    local r = agree(F .. "--ci 1e1 --seed 4611686018427387903")
    assert.are.same({10, 4611686018427387903}, {r.ci.resamples, r.ci.seed})
  end)

  it("refuses an empty name in --categories", function()
    bad(F .. "--categories x,,y", "--categories: name 2 of 'x,,y' is empty")
    bad(F .. "--categories 1,2,3,4,5,", "--categories: name 6 of '1,2,3,4,5,' is empty")
    bad(F .. "--categories ' '", "--categories: name 1 of ' ' is empty")
    bad(F .. "--categories 1,2,1", "--categories: '1' is listed twice")
  end)

  it("refuses one column named for two roles (it crashed)", function()
    local f = H.q(H.write(H.tmpdir() .. "/l.csv", "unit,rater,value\n1,a,x\n1,b,x\n2,a,y\n2,b,x\n"))
    bad(f .. " --metric fleiss_kappa --unit rater", "l.csv: row 1: column 'rater' is named for two of the unit, rater and value columns")
    bad(f .. " --metric fleiss_kappa --value unit", "l.csv: row 1: column 'unit' is named for two of the unit, rater and value columns")
    bad(f .. " --metric fleiss_kappa --rater value", "l.csv: row 1: column 'value' is named for two of the unit, rater and value columns")
  end)
end)

describe("agree output", function()
  it("JSON has exactly the documented keys", function()
    local keys = {}
    local r = agree(K .. " --wide --metric fleiss_kappa --ci 50 --per-category")
    for k in pairs(r) do keys[#keys + 1] = k end
    table.sort(keys)
    assert.are.same({"ci", "metric", "pairable", "per_category", "raters", "se", "undefined", "units",
      "value", "warnings", "weights"}, keys)
    -- warnings is a list, [] when there is none
    local out = H.run("agree " .. K .. " --wide --metric fleiss_kappa")
    assert.truthy(out:find('"warnings":%s*%[%]'), out)
  end)

  it("CSV: a header, the overall row, one row per category; table for people", function()
    local out, err, code = H.run("agree " .. K .. " --wide --metric krippendorff_alpha --per-category --format csv")
    assert.are.equal(0, code, err)
    local lines = {}
    for l in out:gmatch("[^\n]+") do lines[#lines + 1] = l end
    assert.are.equal("metric,level,weights,category,value,se,ci_low,ci_high,units,raters,pairable,undefined", lines[1])
    assert.are.equal(7, #lines)
    assert.truthy(lines[2]:find("^krippendorff_alpha,nominal,,,0%.7434"))
    out, err, code = H.run("agree " .. K .. " --wide --metric krippendorff_alpha --format table")
    assert.are.equal(0, code, err)
    assert.truthy(out:find("12 units, 4 raters, 40 pairable values", 1, true), out)
  end)
end)

describe("annovet.agree from Lua", function()
  after_each(H.cleanup)

  it("computes from ratings triples and unit tables, with custom weights", function()
    local script = H.script([[
      local agree = annovet.agree
      local k = {{1,1,nil,1},{2,2,3,2},{3,3,3,3},{3,3,3,3},{2,2,2,2},{1,2,3,4},{4,4,4,4},
                 {1,1,2,1},{2,2,2,2},{nil,5,5,5},{nil,nil,1,1},{nil,nil,3,nil}}
      local ratings, units = {}, {}
      for u, row in ipairs(k) do
        units[u] = {}
        for r = 1, 4 do
          if row[r] then
            ratings[#ratings + 1] = {"u" .. u, "obs" .. r, row[r]}
            units[u]["obs" .. r] = row[r]
          end
        end
      end
      local a = assert(agree.krippendorff_alpha({ratings = ratings}, {level = "interval"}))
      local b = assert(agree.krippendorff_alpha({units = units}, {level = "interval"}))
      local data = assert(agree.data({units = units}))
      local q = {}
      for i = 1, 5 do
        q[i] = {}
        for j = 1, 5 do q[i][j] = 1 - ((i - j) / 4) ^ 2 end
      end
      local c = assert(agree.gwet_ac1(data, {weights = q}))
      local d = assert(agree.gwet_ac1(data, {weights = "quadratic"}))
      local nilv, msg = agree.cohen_kappa(data)
      local ok, err = pcall(agree.compute, data, {metric = "nope"})
      print(string.format("%.17g %.17g %.17g %.17g %s %s %s", a.value, b.value, c.value, d.value,
        tostring(nilv), msg, tostring(err)))
      local tags = assert(agree.krippendorff_alpha({ratings = {{1, "a", {"x", "y"}}, {1, "b", {"x"}},
        {2, "a", {}}, {2, "b", {"y"}}, {3, "a", {"x"}}, {3, "b", {"x"}}}}, {multi_label = true, level = "masi"}))
      print(tags.value, tags.pairable)
    ]])
    local out, err, code = H.run("run " .. H.q(script))
    assert.are.equal(0, code, err)
    local a, b, c, d, rest = out:match("^(%S+) (%S+) (%S+) (%S+) (.-)\n")
    H.near(tonumber(a), REF.kripp2011.alpha_interval, 1e-12, "triples")
    H.near(tonumber(b), REF.kripp2011.alpha_interval, 1e-12, "units")
    H.near(tonumber(c), tonumber(d), 1e-15, "custom = quadratic")
    assert.truthy(rest:find("nil cohen_kappa needs exactly two raters", 1, true), rest)
    assert.truthy(rest:find("unknown metric 'nope'", 1, true), rest)
    assert.truthy(out:find("\n[%d.-]+%s+6\n$"), out)
  end)

  it("names a wrong option to a script by the key it passed, and to the command line by its flag", function()
    local script = H.script([[
      local d = {units = {{a = "x", b = "y"}, {a = "y", b = "y"}, {a = "x", b = "x"}}}
      print(annovet.agree.compute(d, {metric = "fleiss_kappa", level = "ordinal"}))
      print(annovet.agree.compute(d, {metric = "krippendorff_alpha", weights = "linear"}))
    ]])
    local out, err, code = H.run("run " .. H.q(script))
    assert.are.equal(0, code, err)
    assert.truthy(out:find("nil\tlevel: applies to krippendorff_alpha only (fleiss_kappa takes weights)\tlevel\n", 1, true), out)
    assert.truthy(out:find("nil\tweights: krippendorff_alpha takes a level, not weights\tweights\n", 1, true), out)
    assert.falsy(out:find("--", 1, true), out)
    -- the command line gets the flag in the key's place ("--categories: '1' is listed twice" below)
  end)

  it("raises on bad weights and bad data", function()
    local script = H.script([[
      local ok, err = pcall(annovet.agree.cohen_kappa, {units = {{a = "x", b = "y"}, {a = "y", b = "y"}}},
        {weights = {{1, 2}, {0, 1}}})
      print(err)
      ok, err = pcall(annovet.agree.cohen_kappa, {units = {{a = {1}, b = "y"}}})
      print(err)
      print(select(2, annovet.agree.gwet_ac1({units = {{a = "x", b = "y"}, {a = "x", b = "x"}}},
        {categories = {"x", ""}})))
    ]])
    local out, err, code = H.run("run " .. H.q(script))
    assert.are.equal(0, code, err)
    assert.truthy(out:find("weights[1][2]: expected an agreement weight in [0, 1]", 1, true), out)
    assert.truthy(out:find("data.units[1].a: a table, expected a string or a number", 1, true), out)
    -- a script is told the option by the name it passed, not by a command's flag
    assert.truthy(out:find("categories: category 2 is empty", 1, true), out)
    assert.falsy(out:find("--categories", 1, true), out)
  end)
end)
