-- annovet ingest: parse first, one transaction, blobs deduplicated by SHA-256,
-- no-ops that say so, gold-panel versions, and nothing written on bad input.
local H = require "tests.support.helper"

local sql, sha256sum = H.sql, H.sha256sum

local function ingest(args)
  local out, err, code = H.run("ingest " .. args)
  return code == 0 and H.decode(out) or out, err, code
end

local function fixtures()
  local a = H.fixture("formats/coco/instances_val.json")
  local b = H.fixture("formats/label_studio/polygons.json")
  local c = H.fixture("formats/coco/instances_train.json")
  return a, b, c
end

describe("annovet ingest", function()
  after_each(H.cleanup)

  it("records deliveries with their bytes, SHA-256, format and counts in one batch", function()
    local a, b = fixtures()
    if not a then return pending(H.NO_SHARED) end
    local db = H.tmpdir() .. "/p.db"
    local res, err, code = ingest("--store " .. H.q(db) .. " --vendor acme --batch b1 " .. H.q(a) .. " " .. H.q(b))
    assert.are.equal(0, code, err)
    assert.are.equal(2, res.ingested)
    assert.is_true(res.vendor_created and res.batch_created)
    assert.are.equal("coco", res.files[1].format)
    assert.are.equal("labelstudio", res.files[2].format)
    assert.are.equal(sha256sum(a), res.files[1].sha256)
    assert.are.equal(1613, res.files[1].size)
    assert.are.equal(2, res.files[1].annotations)
    assert.are.equal(sha256sum(a) .. "|1613|coco|1|2\n" .. sha256sum(b) .. "|3371|labelstudio|1|1\n",
      sql(db, "SELECT sha256, size, format, items, annotations FROM deliveries ORDER BY id"))
    -- the stored bytes are the file's
    local dump = H.tmpdir() .. "/blob"
    sql(db, "SELECT writefile('" .. dump .. "', data) FROM blobs WHERE sha256 = '" .. sha256sum(a) .. "'")
    assert.are.equal(H.slurp(a), H.slurp(dump))
    assert.are.equal("acme|b1\n", sql(db, "SELECT v.name, b.name FROM batches b JOIN vendors v ON v.id = b.vendor_id"))
  end)

  it("makes identical bytes in the same batch a no-op that says so, and dedups blobs across batches", function()
    local a, b = fixtures()
    if not a then return pending(H.NO_SHARED) end
    local db = H.tmpdir() .. "/p.db"
    ingest("--store " .. H.q(db) .. " --vendor acme --batch b1 " .. H.q(a))
    local copy = H.write(H.tmpdir() .. "/renamed.json", H.slurp(a))
    local res, err, code = ingest("--store " .. H.q(db) .. " --vendor acme --batch b1 " .. H.q(copy))
    assert.are.equal(0, code, err)
    assert.are.equal(0, res.ingested)
    assert.are.equal("already ingested", res.files[1].status)
    assert.are.equal("annovet: " .. copy .. ": identical bytes are already in batch 'b1' of vendor 'acme' (" .. a ..
      "); nothing written\n", err)
    assert.are.equal("1\n", sql(db, "SELECT count(*) FROM deliveries"))
    -- the same bytes in another batch: a new delivery, the same single blob
    res = ingest("--store " .. H.q(db) .. " --vendor acme --batch b2 " .. H.q(a) .. " " .. H.q(a))
    assert.are.equal(1, res.ingested)
    assert.are.equal(1, res.unchanged)
    assert.is_false(res.vendor_created)
    assert.are.equal("2|1\n", sql(db, "SELECT (SELECT count(*) FROM deliveries), (SELECT count(*) FROM blobs)"))
  end)

  -- An old batch delivered again as new (or one vendor's files delivered by
  -- another) is recorded, being another delivery, but named: the earlier
  -- delivery in same_bytes_as, and a warning on stderr.
  it("records the same bytes in another batch again, naming the earlier delivery", function()
    local a, b = fixtures()
    if not a then return pending(H.NO_SHARED) end
    local db = H.tmpdir() .. "/p.db"
    local first = ingest("--store " .. H.q(db) .. " --vendor acme --batch b1 " .. H.q(a))
    assert.is_nil(first.files[1].same_bytes_as)
    local copy = H.write(H.tmpdir() .. "/march.json", H.slurp(a))
    local res, err, code = ingest("--store " .. H.q(db) .. " --vendor acme --batch b2 " .. H.q(copy) .. " " .. H.q(b))
    assert.are.equal(0, code, err)
    assert.are.equal(2, res.ingested)
    local o = res.files[1].same_bytes_as
    assert.are.same({"acme", "b1", a, first.files[1].delivery_id},
      {o.vendor, o.batch, o.path, o.delivery_id})
    local received = sql(db, "SELECT received_at FROM deliveries WHERE id = " .. o.delivery_id):gsub("\n$", "")
    assert.are.equal(received, o.received_at)
    assert.is_nil(res.files[2].same_bytes_as)
    assert.are.equal(string.format("annovet: warning: %s: the same bytes as %s, delivered in batch 'b1' of vendor " ..
      "'acme' (delivery %d, %s); recorded again in batch 'b2'\n", copy, a, o.delivery_id, received), err)
    -- another vendor: named too, with the first delivery of those bytes
    res, err = ingest("--store " .. H.q(db) .. " --vendor globex --batch g1 " .. H.q(a))
    assert.are.same({"acme", "b1"}, {res.files[1].same_bytes_as.vendor, res.files[1].same_bytes_as.batch})
    assert.matches("recorded again in batch 'g1'", err, 1, true)
    assert.are.equal("4|2\n", sql(db, "SELECT count(*), count(DISTINCT sha256) FROM deliveries"))
  end)

  it("versions gold panels: new bytes make version n+1, the same bytes say which version they are", function()
    local a, _, c = fixtures()
    if not a then return pending(H.NO_SHARED) end
    local db = H.tmpdir() .. "/p.db"
    local r1 = ingest("--store " .. H.q(db) .. " --gold " .. H.q(a))
    assert.are.equal(1, r1.files[1].version)
    assert.are.equal("gold", r1.gold)
    local r2 = ingest("--store " .. H.q(db) .. " --gold " .. H.q(c))
    assert.are.equal(2, r2.files[1].version)
    local r3, err = ingest("--store " .. H.q(db) .. " --gold " .. H.q(a))
    assert.are.equal("already ingested", r3.files[1].status)
    assert.are.equal(1, r3.files[1].version)
    assert.truthy(err:find("identical bytes are already version 1 of gold panel 'gold'", 1, true), err)
    -- another panel name starts at version 1
    local r4 = ingest("--store " .. H.q(db) .. " --gold --name panel-b " .. H.q(c))
    assert.are.equal(1, r4.files[1].version)
    assert.are.equal("gold|1|" .. sha256sum(a) .. "\ngold|2|" .. sha256sum(c) .. "\npanel-b|1|" .. sha256sum(c) .. "\n",
      sql(db, "SELECT name, version, sha256 FROM gold_panels ORDER BY name, version"))
    assert.are.equal("2\n", sql(db, "SELECT count(*) FROM blobs"))
  end)

  it("writes nothing, and creates no store, when any file is bad", function()
    local a = fixtures()
    if not a then return pending(H.NO_SHARED) end
    local dir = H.tmpdir()
    local db = dir .. "/p.db"
    local bad = H.write(dir .. "/bad.json", '{"images":[{"id":1}],"categories":[],"annotations":[{"id":1,"image_id":1,' ..
      '"category_id":1,"bbox":[1,2]}]}')
    local out, err, code = ingest("--store " .. H.q(db) .. " --vendor v --batch b " .. H.q(a) .. " " .. H.q(bad))
    assert.are.equal(2, code)
    assert.are.equal("", out)
    assert.are.equal("annovet: " .. bad .. ": annotations[0].category_id: no category with id 1 in \"categories\"\n", err)
    assert.is_nil(io.open(db))
    -- with a store already there: unchanged
    ingest("--store " .. H.q(db) .. " --vendor v --batch b " .. H.q(a))
    local before = sql(db, "SELECT count(*) FROM deliveries; SELECT count(*) FROM blobs; SELECT count(*) FROM vendors")
    _, _, code = ingest("--store " .. H.q(db) .. " --vendor w --batch c " .. H.q(a) .. " " .. H.q(bad))
    assert.are.equal(2, code)
    assert.are.equal(before, sql(db, "SELECT count(*) FROM deliveries; SELECT count(*) FROM blobs; SELECT count(*) FROM vendors"))
    -- a file over the size limit, and a missing one
    local huge = dir .. "/huge.json"
    os.execute("truncate -s 3G " .. H.q(huge))
    local db2 = dir .. "/q.db"
    _, err, code = ingest("--store " .. H.q(db2) .. " --vendor v --batch b " .. H.q(huge))
    assert.are.equal(2, code)
    assert.truthy(err:find("over annovet's limit of 2147483648 bytes", 1, true), err)
    _, err, code = ingest("--store " .. H.q(db2) .. " --vendor v --batch b " .. H.q(dir .. "/none.json"))
    assert.are.equal(2, code)
    assert.truthy(err:find("none.json: No such file or directory", 1, true), err)
    -- a folder (formats such as VOC or YOLO come as folders): refused, with the reason
    local folder = dir .. "/folder"
    os.execute("mkdir " .. H.q(folder))
    _, err, code = ingest("--store " .. H.q(db2) .. " --vendor v --batch b --from coco " .. H.q(folder))
    assert.are.equal(2, code)
    assert.truthy(err:find("folder: is a directory", 1, true), err)
    assert.is_nil(io.open(db2))
  end)

  it("refuses bad usage", function()
    local a = fixtures()
    if not a then return pending(H.NO_SHARED) end
    local db = H.tmpdir() .. "/p.db"
    for _, args in ipairs {
      "--store " .. H.q(db) .. " " .. H.q(a),
      "--store " .. H.q(db) .. " --vendor v " .. H.q(a),
      "--store " .. H.q(db) .. " --vendor v --batch b",
      "--store " .. H.q(db) .. " --gold --vendor v " .. H.q(a),
      "--store " .. H.q(db) .. " --gold " .. H.q(a) .. " " .. H.q(a),
      "--store " .. H.q(db) .. " --vendor v --batch b --from nope " .. H.q(a),
    } do
      local _, err, code = ingest(args)
      assert.are.equal(2, code, args)
      assert.truthy(err:find("usage: annovet ingest", 1, true), err)
    end
    assert.is_nil(io.open(db))
  end)

  it("records a folder delivery through its manifest of per-file hashes", function()
    local src = H.fixture("formats/yolo/darknet/obj.data")
    if not src then return pending(H.NO_SHARED) end
    local dir = H.tmpdir() .. "/delivery"
    os.execute("cp -r " .. H.q(src:match("^(.*)/[^/]*$")) .. " " .. H.q(dir))
    local db = H.tmpdir() .. "/p.db"
    local res, err, code = ingest("--store " .. H.q(db) .. " --vendor v --batch b " .. H.q(dir))
    assert.are.equal(0, code, err)
    local f = res.files[1]
    assert.are.equal("yolo", f.format)
    -- The manifest, rebuilt here with coreutils: "sha256  size  path" per file, sorted.
    local p = io.popen("cd " .. H.q(dir) .. " && find . -type f | sed 's|^./||' | LC_ALL=C sort")
    local lines, total = {}, 0
    for rel in p:read("a"):gmatch("[^\n]+") do
      local size = #H.slurp(dir .. "/" .. rel)
      total = total + size
      lines[#lines + 1] = string.format("%s  %d  %s\n", sha256sum(dir .. "/" .. rel), size, rel)
      -- every file's bytes are in the store
      assert.are.equal("1\n", sql(db, "SELECT count(*) FROM blobs WHERE sha256 = '" ..
        sha256sum(dir .. "/" .. rel) .. "'"))
    end
    p:close()
    assert.are.equal(5, #lines)
    local manifest = H.write(H.tmpdir() .. "/manifest", table.concat(lines))
    assert.are.equal(sha256sum(manifest), f.sha256)
    assert.are.equal(total, f.size)
    assert.are.equal(table.concat(lines), sql(db, "SELECT data FROM blobs WHERE sha256 = '" .. f.sha256 .. "'"):sub(1, -2))
    -- the same folder again, named with a trailing slash: the same manifest, nothing written
    local res2, err2, code2 = ingest("--store " .. H.q(db) .. " --vendor v --batch b " .. H.q(dir .. "/"))
    assert.are.equal(0, code2, err2)
    assert.are.equal("already ingested", res2.files[1].status)
    -- a changed label file makes a new delivery
    H.write(dir .. "/obj_train_data/1.txt", "2 0.1 0.3 0.2 0.2\n")
    local res3 = ingest("--store " .. H.q(db) .. " --vendor v --batch b " .. H.q(dir))
    assert.are.equal("ingested", res3.files[1].status)
    assert.are_not.equal(f.sha256, res3.files[1].sha256)
  end)

  it("writes nothing when a folder delivery is bad", function()
    local src = H.fixture("formats/yolo/darknet/obj.data")
    if not src then return pending(H.NO_SHARED) end
    local dir = H.tmpdir() .. "/delivery"
    os.execute("cp -r " .. H.q(src:match("^(.*)/[^/]*$")) .. " " .. H.q(dir))
    H.write(dir .. "/obj_train_data/1.txt", "2 0.1 zero 0.2 0.2\n")
    local db = H.tmpdir() .. "/p.db"
    local _, err, code = ingest("--store " .. H.q(db) .. " --vendor v --batch b " .. H.q(dir))
    assert.are.equal(2, code)
    assert.truthy(err:find("1.txt", 1, true), err)
    assert.is_nil(io.open(db, "rb"))
  end)

  it("stores a delivery over 1 MiB in parts of 1 MiB, and reads it back whole", function()
    local gold, budget = "tests/data/pilot40/gold.json", "tests/data/pilot40/budget.json"
    local dir = H.tmpdir()
    -- budget's results with 2.5 MiB of trailing blanks: the same JSON, other bytes
    local big = H.write(dir .. "/big.json", H.slurp(budget) .. string.rep(" ", 5 * (1 << 19)))
    local size = #H.slurp(big)
    local db = dir .. "/p.db"
    local _, err, code = ingest("--store " .. H.q(db) .. " --gold " .. gold)
    assert.are.equal(0, code, err)
    local res
    res, err, code = ingest("--store " .. H.q(db) .. " --vendor budget --batch w1 " .. H.q(big))
    assert.are.equal(0, code, err)
    assert.are.equal(size, res.files[1].size)
    local sha = sha256sum(big)
    assert.are.equal(sha, res.files[1].sha256)
    -- three parts, the last short, and nothing inline; the small gold file inline
    assert.are.equal(string.format("0|%d\n1|%d\n2|%d\n", 1 << 20, 1 << 20, size - (2 << 20)),
      sql(db, "SELECT part, length(data) FROM blob_parts WHERE sha256 = '" .. sha .. "' ORDER BY part"))
    assert.are.equal(size .. "|0\n", sql(db, "SELECT size, length(data) FROM blobs WHERE sha256 = '" .. sha .. "'"))
    assert.are.equal("0\n", sql(db, "SELECT count(*) FROM blob_parts WHERE sha256 = '" .. sha256sum(gold) .. "'"))
    -- the parts in order are the file's bytes
    local whole = {}
    for k = 0, 2 do
      local dump = dir .. "/part" .. k
      sql(db, "SELECT writefile('" .. dump .. "', data) FROM blob_parts WHERE sha256 = '" .. sha .. "' AND part = " .. k)
      whole[#whole + 1] = H.slurp(dump)
    end
    assert.are.equal(H.slurp(big), table.concat(whole))
    -- and annovet reads them back: store verify recomputes the comparison from them
    _, err, code = H.run("compare --gold " .. gold .. " --vendor budget=" .. H.q(big) .. " --store " .. H.q(db))
    assert.are.equal(0, code, err)
    local out
    out, err, code = H.run("store verify --store " .. H.q(db))
    assert.are.equal(0, code, err)
    local r = H.decode(out)
    assert.is_true(r.verified)
    assert.are.equal(1, r.recomputed)
  end)
end)
