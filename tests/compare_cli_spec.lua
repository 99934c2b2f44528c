-- annovet compare's outputs (CSV files, table, Lua API), the store records, and
-- annovet drift over batches.
local H = require "tests.support.helper"

local function coco(images, cats, anns)
  for i, a in ipairs(anns) do
    a.id, a.iscrowd, a.area = a.id or i, a.iscrowd or 0, a.bbox[3] * a.bbox[4]
  end
  return H.json.encode({images = images, categories = cats, annotations = anns})
end

-- Gold: one image with two "=cmd" objects and one "-5"; the vendor finds one
-- "=cmd" (with an attribute "+1" where the gold says "@home") and calls the
-- other "-5".
local function files(dir)
  local images = {{id = 1, file_name = "a.jpg", width = 100, height = 100}}
  local cats = {{id = 1, name = "=cmd"}, {id = 2, name = "-5"}}
  H.write(dir .. "/gold.json", coco(images, cats, {
    {image_id = 1, category_id = 1, bbox = {0, 0, 10, 10}, attributes = {where = "@home"}},
    {image_id = 1, category_id = 1, bbox = {50, 50, 10, 10}},
    {image_id = 1, category_id = 2, bbox = {20, 20, 10, 10}},
  }))
  H.write(dir .. "/v.json", coco(images, cats, {
    {image_id = 1, category_id = 1, bbox = {0, 0, 10, 10}, attributes = {where = "+1"}, annotator = "=x"},
    {image_id = 1, category_id = 2, bbox = {50, 50, 10, 10}, annotator = "=x"},
  }))
end

local parse_csv = H.csv_rows

describe("compare outputs", function()
  after_each(H.cleanup)

  it("writes the CSV files with --out, text that could be a formula neutralised", function()
    local dir = H.tmpdir()
    files(dir)
    local out, err, code = H.run("compare --gold " .. H.q(dir .. "/gold.json") .. " --vendor '@v'=" ..
      H.q(dir .. "/v.json") .. " --out " .. H.q(dir .. "/report"))
    assert.are.equal(0, code, err)
    assert.are.equal("", out)
    for _, f in ipairs {"per_class.csv", "conflicts.csv", "confusion.csv", "annotators.csv", "clusters.csv", "compare.json"} do
      assert.truthy(H.slurp(dir .. "/report/" .. f), f)
    end
    local pc = parse_csv(H.slurp(dir .. "/report/per_class.csv"))
    assert.are.same({"vendor", "row", "class", "in_gold", "gold", "delivered", "tp", "fp", "fn", "ignored", "precision",
      "recall", "f1", "mean_iou", "mean_distance", "cer", "wer"}, pc[1])
    -- "=cmd": 2 gold, 1 found (IoU 1), 1 called "-5"; numbers stay numbers
    assert.are.same({"'@v", "class", "'=cmd", "true", "2", "1", "1", "0", "1", "0", "1", "0.5", "0.6666666666666666", "1", "", "", ""}, pc[2])
    assert.are.same({"'@v", "class", "'-5", "true", "1", "1", "0", "1", "1", "0", "0", "0", "0", "", "", "", ""}, pc[3])
    assert.are.same({"micro", ""}, {pc[4][2], pc[4][3]})
    local cf = parse_csv(H.slurp(dir .. "/report/conflicts.csv"))
    local attr
    for _, row in ipairs(cf) do if row[3] == "wrong_attribute" then attr = row end end
    assert.are.same({"'@v", "a.jpg", "wrong_attribute", "'=cmd", "'=cmd", "1", "1", "1", "'=x", "where", "'@home", "'+1"},
      {table.unpack(attr, 1, 12)})
    local conf = H.slurp(dir .. "/report/confusion.csv")
    assert.truthy(conf:find("'@v,class,'=cmd,'-5,1\n", 1, true), conf)
    assert.truthy(conf:find("'@v,missed,'-5,,1\n", 1, true), conf)
    local ann = H.slurp(dir .. "/report/annotators.csv")
    assert.truthy(ann:find("'@v,'=x,micro,,1,1,2,", 1, true), ann)
    local cl = H.slurp(dir .. "/report/clusters.csv")
    assert.truthy(cl:find("'@v,class_pair,1,1,'=cmd,'-5,", 1, true), cl)
    local doc = H.decode(H.slurp(dir .. "/report/compare.json"))
    assert.are.equal(1, doc.vendors["@v"].per_class["=cmd"].tp)
  end)

  it("prints the conflicts' counts by default and every conflict with --full", function()
    local dir = H.tmpdir()
    files(dir)
    local base = "compare --gold " .. H.q(dir .. "/gold.json") .. " --vendor v=" .. H.q(dir .. "/v.json")
    local out, err, code = H.run(base)
    assert.are.equal(0, code, err)
    local short = H.decode(out)
    out, err, code = H.run(base .. " --full")
    assert.are.equal(0, code, err)
    local full = H.decode(out)
    assert.are.equal(false, short.full)
    assert.is_nil(full.full)
    assert.is_nil(short.vendors.v.conflicts)
    assert.truthy(#full.vendors.v.conflicts > 0)
    assert.are.same(full.vendors.v.conflict_counts, short.vendors.v.conflict_counts)
    assert.are.same(full.vendors.v.per_class, short.vendors.v.per_class)
    assert.are.same(full.vendors.v.annotators, short.vendors.v.annotators)
    full.full, full.vendors.v.conflicts = false, nil
    assert.are.same(full, short)
  end)

  it("prints per-class CSV and a table", function()
    local dir = H.tmpdir()
    files(dir)
    local base = "compare --gold " .. H.q(dir .. "/gold.json") .. " --vendor v=" .. H.q(dir .. "/v.json")
    local out, err, code = H.run(base .. " --format csv")
    assert.are.equal(0, code, err)
    assert.truthy(out:find("^vendor,row,class,in_gold"), out)
    assert.truthy(out:find("\nv,class,'=cmd,true,2,1,1,0,1,0,1,0.5,", 1, true), out)
    out, err, code = H.run(base .. " --format table")
    assert.are.equal(0, code, err)
    assert.truthy(out:find("== v (", 1, true), out)
    assert.truthy(out:find("most confused: =cmd->-5 1", 1, true), out)
  end)

  it("gives scripts annovet.compare with per-class tables and a conflict iterator", function()
    local dir = H.tmpdir()
    files(dir)
    local script = H.script([[
local annovet = require "annovet"
local g = assert(annovet.load(arg[1]))
local v = assert(annovet.load(arg[2]))
local r = assert(annovet.compare(g, v, {iou = 0.5}))
local kinds = {}
for c in r:conflicts() do kinds[#kinds + 1] = c.kind end
table.sort(kinds)
local wc = 0
for c in r:conflicts{kind = "wrong_class"} do wc = wc + 1 end
local m = 0
for x in r:matches() do m = m + 1 end
print(r.iou_type, r.per_class["=cmd"].tp, r.per_class["=cmd"].recall, table.concat(kinds, ","), wc, m)
]])
    local out, err, code = H.run("run " .. H.q(script) .. " " .. H.q(dir .. "/gold.json") .. " " .. H.q(dir .. "/v.json"))
    assert.are.equal(0, code, err)
    assert.are.equal("bbox\t1\t0.5\tmissing,wrong_attribute,wrong_class\t1\t1\n", out)
  end)

  it("refuses bad usage with one line", function()
    local dir = H.tmpdir()
    files(dir)
    local g, v = H.q(dir .. "/gold.json"), H.q(dir .. "/v.json")
    local cases = {
      {"compare --vendor v=" .. v, "compare needs --gold G"},
      {"compare --gold " .. g, "compare needs at least one --vendor NAME=FILE"},
      {"compare --gold " .. g .. " --vendor v=" .. v .. " --iou 1.5", "--iou: expected a number in (0, 1], got '1.5'"},
      {"compare --gold " .. g .. " --vendor v=" .. v .. " --iou-type blob", "--iou-type: expected bbox, segm, keypoints"},
      {"compare --gold " .. g .. " --vendor v=" .. v .. " --vendor v=" .. v, "the name 'v' is given twice"},
      {"compare --gold " .. g .. " --vendor v=" .. v .. " --batch b", "--batch goes with --store"},
      {"compare --gold " .. g .. " --vendor v=" .. H.q(dir .. "/none.json"), "none.json"},
      {"compare --gold " .. g .. " --vendor v=" .. v .. " --chamfer 3", "--chamfer goes with --iou-type polyline"},
    }
    for _, c in ipairs(cases) do
      local out, err, code = H.run(c[1])
      assert.are.equal(2, code, c[1])
      assert.are.equal("", out, c[1])
      assert.truthy(err:find(c[2], 1, true), c[1] .. ": " .. err)
    end
  end)
end)

describe("compare --store and drift", function()
  after_each(H.cleanup)

  it("records each evaluation with its provenance, and drift follows F1 over two batches", function()
    local dir = H.tmpdir()
    local db = dir .. "/p.db"
    local gold, v1, v2 = "examples/pilot/gold.json", "examples/pilot/acme.json", "examples/pilot/budget.json"
    local _, err, code = H.run("ingest --store " .. H.q(db) .. " --gold " .. gold)
    assert.are.equal(0, code, err)
    _, err, code = H.run("ingest --store " .. H.q(db) .. " --vendor acme --batch w1 " .. v1)
    assert.are.equal(0, code, err)
    local out1, out2
    out1, err, code = H.run("compare --gold " .. gold .. " --vendor acme=" .. v1 .. " --store " .. H.q(db))
    assert.are.equal(0, code, err)
    out2, err, code = H.run("compare --gold " .. gold .. " --vendor acme=" .. v2 .. " --store " .. H.q(db) .. " --batch w2 --new-vendor")
    assert.are.equal(0, code, err)
    local f1a, f1b = H.decode(out1).vendors.acme.micro.f1, H.decode(out2).vendors.acme.micro.f1

    local p = assert(io.popen("sqlite3 -separator '|' " .. H.q(db) .. " \"SELECT e.kind, e.vendor, e.batch, " ..
      "e.delivery_id IS NOT NULL, g.name || ':' || g.version, e.gold_sha256 = g.sha256, e.tool_commit IS NOT NULL, " ..
      "json_extract(e.params, '$.iou'), json_extract(e.result, '$.micro.f1') FROM evaluations e " ..
      "LEFT JOIN gold_panels g ON g.id = e.gold_id ORDER BY e.id\""))
    local rows = p:read("a")
    p:close()
    -- w1 was ingested (its delivery row is linked, the batch comes from it); w2 was not
    local got = {}
    for line in rows:gmatch("[^\n]+") do
      local head, f1 = line:match("^(.*)|([^|]*)$")
      got[#got + 1] = {head, tonumber(f1)}
    end
    assert.are.same({"compare|acme|w1|1|gold:1|1|1|0.5", "compare|acme|w2|0|gold:1|1|1|0.5"}, {got[1][1], got[2][1]})
    H.near(got[1][2], f1a, 1e-12, "stored w1 F1")   -- sqlite3 prints 15 digits
    H.near(got[2][2], f1b, 1e-12, "stored w2 F1")

    local out
    out, err, code = H.run("drift --store " .. H.q(db))
    assert.are.equal(0, code, err)
    local d = H.decode(out).vendors.acme
    assert.are.same({"w1", "w2"}, {d.batches[1].batch, d.batches[2].batch})
    H.near(d.batches[1].f1, f1a, 1e-15, "w1 F1")
    H.near(d.batches[2].f1, f1b, 1e-15, "w2 F1")
    H.near(d.batches[2].f1_change, f1b - f1a, 1e-15, "change from the first batch")
    H.near(d.f1_change, f1b - f1a, 1e-15, "vendor change")
    -- the annotators of each batch (acme's in w1, budget's file in w2)
    assert.truthy(d.annotators["acme-01"])
    assert.truthy(d.annotators["bud-01"])
    assert.are.equal("w2", d.annotators["bud-01"].batches[1].batch)
    out, err, code = H.run("drift --store " .. H.q(db) .. " --format table")
    assert.are.equal(0, code, err)
    assert.truthy(out:find("== acme", 1, true), out)
    _, err, code = H.run("drift --store " .. H.q(db) .. " --vendor nobody")
    assert.are.equal(2, code)
    assert.truthy(err:find("no comparison of vendor 'nobody' is recorded", 1, true), err)
  end)

  it("leaves the store untouched when the comparison fails", function()
    local dir = H.tmpdir()
    local db = dir .. "/p.db"
    local _, err, code = H.run("compare --gold examples/pilot/gold.json --vendor acme=" .. H.q(dir .. "/none.json") ..
      " --store " .. H.q(db))
    assert.are.equal(2, code)
    assert.is_nil(H.slurp(db), "no store created")
    H.write(db, "not a database at all, just text that is long enough to look like a file")
    _, err, code = H.run("compare --gold examples/pilot/gold.json --vendor acme=examples/pilot/acme.json --store " .. H.q(db))
    assert.are.equal(2, code)
    assert.truthy(err:find("p.db", 1, true), err)
  end)
end)
