-- annovet sla sample / record: reproducible audit samples recorded in the store,
-- lot results, and the switching rules of MIL-STD-105E 8.3 and 8.4 followed over
-- a vendor's batches. The delivery is tests/data/pilot40/acme.json (40 items, so
-- Table I, 26 to 50, level II: code letter D).
local H = require "tests.support.helper"

local ACME = "tests/data/pilot40/acme.json"

local function ingest(db, batch)
  local _, err, code = H.run("ingest --store " .. H.q(db) .. " --vendor acme --batch " .. batch .. " " .. ACME)
  assert.are.equal(0, code, err)
end

local function sample(db, batch, extra)
  return H.run("sla sample --store " .. H.q(db) .. " --batch " .. batch .. " " .. (extra or "--aql 1.0 --seed 7"))
end

local function record(db, batch, extra)
  return H.run("sla record --store " .. H.q(db) .. " --batch " .. batch .. " " .. extra)
end

describe("annovet sla sample", function()
  after_each(H.cleanup)

  it("draws the same items for the same seed, in another store, and records them", function()
    local a, b = H.tmpdir() .. "/a.db", H.tmpdir() .. "/b.db"
    ingest(a, "b1")
    ingest(b, "b1")
    local out1, err1, code1 = sample(a, "b1")
    assert.are.equal(0, code1, err1)
    local out2 = sample(b, "b1")
    local s1, s2 = H.decode(out1), H.decode(out2)
    -- Table II-A row D at AQL 1.0 is a down arrow to row E (n 13) "0 1"
    assert.are.same({"E", 13, 0, 1}, {s1.plans[1].code_letter, s1.sample_size, s1.plans[1].accept, s1.plans[1].reject})
    assert.are.equal(13, #s1.items)
    assert.are.same(s1.items, s2.items)
    local seen = {}
    for _, id in ipairs(s1.items) do
      assert.is_nil(seen[id], id)
      seen[id] = true
      assert.truthy(id:match("^frame_%d+%.jpg$"), id)
    end
    local p = io.popen("sqlite3 " .. H.q(a) .. " 'SELECT seed, inspection, sample_size, item_ids FROM sla_lots'")
    local row = p:read("a")
    p:close()
    assert.truthy(row:find("^7|normal|13|%["), row)
    -- another seed draws another sample (13 of 40 items: the same set by chance
    -- has probability 1 / C(40, 13))
    local c = H.tmpdir() .. "/c.db"
    ingest(c, "b1")
    local s3 = H.decode((sample(c, "b1", "--aql 1.0 --seed 8")))
    assert.are_not.same(s1.items, s3.items)
  end)

  it("samples a folder delivery (YOLO) as its items, the same as the file it was converted from", function()
    local d = H.tmpdir()
    local a, b = d .. "/a.db", d .. "/b.db"
    ingest(a, "b1")
    local _, err, code = H.run("convert " .. ACME .. " " .. H.q(d .. "/yolo/") .. " --to yolo")
    assert.are.equal(0, code, err)
    _, err, code = H.run("ingest --store " .. H.q(b) .. " --vendor acme --batch b1 " .. H.q(d .. "/yolo/"))
    assert.are.equal(0, code, err)
    os.execute("rm -rf " .. H.q(d .. "/yolo"))
    local out1, err1, code1 = sample(a, "b1")
    local out2, err2, code2 = sample(b, "b1")
    assert.are.equal(0, code1, err1)
    assert.are.equal(0, code2, err2)
    -- YOLO names its items by their path in the folder
    local folder = {}
    for i, id in ipairs(H.decode(out2).items) do folder[i] = id:gsub("^images/", "") end
    assert.are.same(H.decode(out1).items, folder)
  end)

  it("samples a batch once: the same request prints the recorded lot, another is refused", function()
    local db = H.tmpdir() .. "/p.db"
    ingest(db, "b1")
    local s1 = H.decode((sample(db, "b1")))
    local out, err, code = sample(db, "b1")
    assert.are.equal(0, code, err)
    local again = H.decode(out)
    assert.are.equal("already sampled", again.status)
    assert.are.same(s1.items, again.items)
    local _, err2, code2 = sample(db, "b1", "--aql 1.0 --seed 99")
    assert.are.equal(2, code2)
    assert.truthy(err2:find("was sampled already", 1, true), err2)
  end)

  it("stratifies by class: every class gets its share of the sample", function()
    local db = H.tmpdir() .. "/p.db"
    ingest(db, "b1")
    local out, err, code = sample(db, "b1", "--aql 0.65 --seed 3 --stratify class")
    assert.are.equal(0, code, err)
    local s = H.decode(out)
    -- II-A row D at AQL 0.65 is a down arrow to row F (n 20)
    assert.are.equal(20, #s.items)
    local total, items = 0, 0
    for _, st in pairs(s.strata) do
      total, items = total + st.sampled, items + st.items
      -- proportional: within one of n * share
      assert.is_true(math.abs(st.sampled - 20 * st.items / 40) < 1, H.json.encode(s.strata))
    end
    assert.are.equal(20, total)
    assert.are.equal(40, items)
  end)

  it("refuses bad input with exit 2 and records nothing", function()
    local db = H.tmpdir() .. "/p.db"
    ingest(db, "b1")
    local cases = {
      {"--aql 1.0", "--seed is required"},
      {"--aql 1.0 --seed -1", "--seed"},
      {"--aql 7 --seed 1", "is not a column"},
      {"--aql 1.0 --seed 1 --lot 41", "holds 40 items"},
      {"--aql 1.0 --seed 1 --stratify annotator", "--stratify"},
    }
    for _, c in ipairs(cases) do
      local _, err, code = sample(db, "b1", c[1])
      assert.are.equal(2, code, c[1])
      assert.truthy(err:find(c[2], 1, true), c[1] .. ": " .. err)
    end
    local _, err, code = sample(db, "nope", "--aql 1.0 --seed 1")
    assert.are.equal(2, code)
    assert.truthy(err:find("no batch 'nope'", 1, true), err)
    local _, err2, code2 = H.run("sla sample --store " .. H.q(H.tmpdir() .. "/none.db") .. " --batch b1 --aql 1.0 --seed 1")
    assert.are.equal(2, code2)
    assert.truthy(err2:find("no such store", 1, true), err2)
    local p = io.popen("sqlite3 " .. H.q(db) .. " 'SELECT count(*) FROM sla_lots'")
    assert.are.equal("0\n", p:read("a"))
    p:close()
  end)
end)

describe("annovet sla record", function()
  after_each(H.cleanup)

  it("judges each grade by its plan; the lot passes only if every grade does", function()
    local db = H.tmpdir() .. "/p.db"
    ingest(db, "b1")
    -- II-A row D: AQL 0.65 -> row F (n 20) "0 1"; AQL 6.5 -> row D (n 8) "1 2"
    local _, err, code = sample(db, "b1", "--aql critical=0.65,minor=6.5 --seed 5")
    assert.are.equal(0, code, err)
    local _, err1, code1 = record(db, "b1", "--defects 1")
    assert.are.equal(2, code1)
    assert.truthy(err1:find("--critical is required", 1, true), err1)
    local out, err2, code2 = record(db, "b1", "--critical 0 --minor 2")
    assert.are.equal(1, code2, err2)
    local r = H.decode(out)
    assert.are.equal("rejected", r.outcome)
    local v = {}
    for _, g in ipairs(r.grades) do v[g.grade] = g.verdict end
    assert.are.same({critical = "accepted", minor = "rejected"}, v)
    local _, err3, code3 = record(db, "b1", "--critical 0 --minor 0")
    assert.are.equal(2, code3)
    assert.truthy(err3:find("already recorded", 1, true), err3)
  end)

  it("refuses a result for a batch never sampled", function()
    local db = H.tmpdir() .. "/p.db"
    ingest(db, "b1")
    local _, err, code = record(db, "b1", "--defects 0")
    assert.are.equal(2, code)
    assert.truthy(err:find("has not been sampled", 1, true), err)
  end)
end)

describe("the switching rules (MIL-STD-105E 8.3, 8.4)", function()
  after_each(H.cleanup)

  -- Samples and records lot i with `found` defectives at AQL aql; returns the
  -- inspection it was sampled under and the record's JSON.
  local function lot(db, i, found, extra, rec_extra)
    ingest(db, "b" .. i)
    local out, err, code = sample(db, "b" .. i, "--aql 1.0 --seed " .. i .. " " .. (extra or ""))
    assert.are.equal(0, code, err)
    local s = H.decode(out)
    local rout = record(db, "b" .. i, "--defects " .. found .. " " .. (rec_extra or ""))
    return s.inspection, H.decode(rout), s
  end

  it("normal -> tightened after 2 of 5 rejected; tightened -> normal after 5 accepted", function()
    local db = H.tmpdir() .. "/p.db"
    -- lot 40, AQL 1.0, normal: row E (n 13) Ac 0 Re 1, so 1 defective rejects
    assert.are.equal("normal", (lot(db, 1, 1)))
    assert.are.equal("normal", (lot(db, 2, 0)))
    local insp, r = lot(db, 3, 1)
    assert.are.equal("normal", insp)
    assert.are.equal("tightened", r.switching.next_inspection)
    assert.are.equal("105E 8.3.1", r.switching.rule)
    for i = 4, 7 do
      assert.are.equal("tightened", (lot(db, i, 0)))
    end
    local insp8, r8 = lot(db, 8, 0)
    assert.are.equal("tightened", insp8)
    assert.are.equal("normal", r8.switching.next_inspection)
    assert.are.equal("normal", (lot(db, 9, 0)))
  end)

  it("normal -> reduced only with the authority's approval after 10 accepted; back on a lot between Ac and Re", function()
    local db = H.tmpdir() .. "/p.db"
    for i = 1, 10 do assert.are.equal("normal", (lot(db, i, 0))) end
    -- without approval: stays normal, says reduced is allowed
    ingest(db, "b11")
    local out = sample(db, "b11", "--aql 1.0 --seed 11")
    local s11 = H.decode(out)
    assert.are.equal("normal", s11.inspection)
    assert.is_true(s11.switching.reduced_allowed)
    record(db, "b11", "--defects 0")
    -- with approval: reduced. Lot 40, AQL 1.0, II-C row D at 1.0 is a down arrow
    -- to row E (n 5) "0 1"; at AQL 4.0, row D is a down arrow to row E "0 2".
    ingest(db, "b12")
    local s12 = H.decode((sample(db, "b12", "--aql 4.0 --seed 12 --approve-reduced")))
    assert.are.equal("reduced", s12.inspection)
    assert.are.same({"E", 5, 0, 2}, {s12.plans[1].code_letter, s12.sample_size, s12.plans[1].accept, s12.plans[1].reject})
    local r12, _, code = record(db, "b12", "--defects 1")
    assert.are.equal(0, code)
    local r = H.decode(r12)
    assert.are.equal("accepted", r.outcome)
    assert.is_true(r.reinstate_normal)
    assert.are.equal("normal", r.switching.next_inspection)
    assert.are.equal("105E 8.3.4", r.switching.rule)
  end)

  it("discontinues after 10 consecutive lots on tightened inspection (exit 1)", function()
    local db = H.tmpdir() .. "/p.db"
    lot(db, 1, 1)
    lot(db, 2, 1)
    -- tightened from lot 3; one rejection in every 5 keeps it from returning to normal
    for i = 3, 12 do
      assert.are.equal("tightened", (lot(db, i, (i % 4 == 0) and 1 or 0)))
    end
    ingest(db, "b13")
    local _, err, code = sample(db, "b13", "--aql 1.0 --seed 13")
    assert.are.equal(1, code)
    assert.truthy(err:find("discontinued", 1, true), err)
  end)

  it("refuses a new lot while an earlier one has no result", function()
    local db = H.tmpdir() .. "/p.db"
    ingest(db, "b1")
    ingest(db, "b2")
    sample(db, "b1")
    local _, err, code = sample(db, "b2")
    assert.are.equal(2, code)
    assert.truthy(err:find("has no result yet", 1, true), err)
  end)
end)
