-- annovet evidence: a dispute pack a vendor checks without the buyer's store, and
-- evidence verify naming the file (and number) that differs.
local H = require "tests.support.helper"

local GOLD, BUDGET = "tests/data/pilot40/gold.json", "tests/data/pilot40/budget.json"
local VENDOR = "Budget <&> Co"

local function ok(args)
  local out, err, code = H.run(args)
  assert.are.equal(0, code, args .. ": " .. err)
  return out, err
end

-- python3's hashlib, independent of annovet.
local function py_sha256(path)
  local p = io.popen("python3 -c \"import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],'rb').read()).hexdigest())\" " ..
    H.q(path))
  local h = p:read("a"):match("^(%x+)")
  p:close()
  return h
end

-- Flips the low bit of the byte at offset (1-based) of the file.
local function flip_byte(path, offset)
  local s = H.slurp(path)
  local b = s:byte(offset) ~ 1
  H.write(path, s:sub(1, offset - 1) .. string.char(b) .. s:sub(offset + 1))
end

-- A store where budget's batch w1 was compared and rejected, a key pair, and a
-- signed pack in dir/pack.
local function pack(extra)
  local dir = H.tmpdir()
  local S = " --store " .. H.q(dir .. "/p.db")
  ok("ingest" .. S .. " --gold " .. GOLD)
  ok("ingest" .. S .. " --vendor " .. H.q(VENDOR) .. " --batch w1 " .. BUDGET)
  ok("compare --gold " .. GOLD .. " --vendor " .. H.q(VENDOR .. "=" .. BUDGET) .. S)
  local _, err, code = H.run("sla check" .. S .. " --batch w1 --rules scorecards/sla/rework.lua --param f1_min=0.85")
  assert.are.equal(1, code, err)
  ok("store keygen --out " .. H.q(dir .. "/buyer"))
  local out = ok("evidence" .. S .. " --batch w1 --out " .. H.q(dir .. "/pack") .. " --sign-key " ..
    H.q(dir .. "/buyer") .. " --price-per-item 0.05 " .. (extra or ""))
  return dir, dir .. "/pack", H.decode(out), S
end

local function verify(packdir, key)
  return H.run("evidence verify " .. H.q(packdir) .. (key and (" --public-key " .. H.q(key)) or ""))
end

describe("evidence packs", function()
  after_each(H.cleanup)

  it("prices the money at stake under the vendor's rate card, and carries the card", function()
    local dir = H.tmpdir()
    local S = " --store " .. H.q(dir .. "/p.db")
    ok("ingest" .. S .. " --gold " .. GOLD)
    ok("ingest" .. S .. " --vendor v --batch w1 " .. BUDGET)
    ok("compare --gold " .. GOLD .. " --vendor v=" .. BUDGET .. S)
    local _, err, code = H.run("sla check" .. S .. " --batch w1 --rules scorecards/sla/rework.lua --param f1_min=0.85")
    assert.are.equal(1, code, err)
    -- 40 images at 0.05 and every polygon at 0.02: counted here from the delivery's text
    local n = #H.json.decode(H.slurp(BUDGET)).annotations
    local card = H.write(dir .. "/card.csv", "# vendor: v\n# currency: USD\ntask,unit,price,currency\n" ..
      "image,image,0.05,USD\npolygon,annotation,0.02,USD\n")
    local minor = 40 * 5 + n * 2
    ok("evidence" .. S .. " --batch w1 --out " .. H.q(dir .. "/pack") .. " --rates " .. H.q(card))
    local html = H.slurp(dir .. "/pack/index.html")
    local text = string.format("USD %d.%02d", minor // 100, minor % 100)
    assert.truthy(html:find(text, 1, true), text .. " in the summary")
    assert.truthy(html:find("owed nothing", 1, true))
    assert.are.equal(H.slurp(card), H.slurp(dir .. "/pack/rates/card.csv"))
    local out, verr, vcode = verify(dir .. "/pack")
    assert.are.equal(0, vcode, verr)
    assert.is_true(H.decode(out).verified)
    flip_byte(dir .. "/pack/rates/card.csv", 60)
    _, verr, vcode = verify(dir .. "/pack")
    assert.are.equal(1, vcode)
    assert.truthy(verr:find("rates/card.csv", 1, true), verr)
  end)

  it("writes a pack that verifies, signed, with every file's SHA-256 and only the failing gold items", function()
    local dir, p, res = pack()
    assert.are.equal("rejected", res.outcome)
    local out, err, code = verify(p, dir .. "/buyer.pub")
    assert.are.equal(0, code, err)
    local r = H.decode(out)
    assert.is_true(r.verified)
    assert.are.equal("verified", r.signature)
    assert.truthy(err:find("verified", 1, true))
    assert.truthy(r.recomputed.items > 0 and r.recomputed.conflicts > 0)
    -- the manifest's hashes are the files' (python's hashlib)
    local m = H.decode(H.slurp(p .. "/manifest.json"))
    for _, f in ipairs(m.files) do assert.are.equal(py_sha256(p .. "/" .. f.path), f.sha256, f.path) end
    assert.are.equal(py_sha256(BUDGET), m.delivery.sha256)
    -- only the items the failures rest on are disclosed
    local gold = H.decode(H.slurp(p .. "/" .. m.gold_file))
    local full = H.decode(H.slurp(GOLD))
    assert.are.equal(#m.recomputed.items, #gold.images)
    assert.truthy(#gold.images < #full.images, "not the whole panel")
    local failing = {}
    for _, it in ipairs(m.recomputed.items) do failing[it] = true end
    for _, im in ipairs(gold.images) do assert.is_true(failing[im.file_name], im.file_name) end
    -- the summary: escaped, self-contained, with the money at stake
    local html = H.slurp(p .. "/index.html")
    assert.truthy(html:find("Budget &lt;&amp;&gt; Co", 1, true))
    assert.falsy(html:find(VENDOR, 1, true))
    assert.falsy(html:find("<script", 1, true) or html:find("src=", 1, true) or html:find("href=", 1, true))
    assert.truthy(html:find("USD 2.00", 1, true), "40 items x USD 0.05")
    assert.truthy(html:find("REJECTED", 1, true))
    -- unchecked without the key, and still verified
    out, err, code = verify(p)
    assert.are.equal(0, code, err)
    assert.truthy(H.decode(out).signature:find("not checked", 1, true))
  end)

  it("names the delivery when one byte of it changes", function()
    local dir, p = pack()
    flip_byte(p .. "/delivery/budget.json", 100)
    local out, err, code = verify(p, dir .. "/buyer.pub")
    assert.are.equal(1, code, err)
    local r = H.decode(out)
    assert.is_false(r.verified)
    assert.are.equal("delivery/budget.json", r.file)
    assert.truthy(err:find("delivery/budget.json: SHA-256", 1, true), err)
  end)

  it("names the CSV when one byte of it changes", function()
    local dir, p = pack()
    flip_byte(p .. "/per_class.csv", 80)
    local out, err, code = verify(p, dir .. "/buyer.pub")
    assert.are.equal(1, code, err)
    assert.are.equal("per_class.csv", H.decode(out).file)
  end)

  it("refuses a signature that is not the buyer's, or one altered", function()
    local dir, p = pack()
    ok("store keygen --out " .. H.q(dir .. "/other"))
    local out, err, code = verify(p, dir .. "/other.pub")
    assert.are.equal(1, code, err)
    assert.are.equal("manifest.sig", H.decode(out).file)
    -- the manifest changed after signing (a root rewritten): the buyer's key refuses it
    local mtext = H.slurp(p .. "/manifest.json")
    H.write(p .. "/manifest.json", (mtext:gsub('"disclose":%s*"failing"', '"disclose":\t"failinG"')))
    out, err, code = verify(p, dir .. "/buyer.pub")
    assert.are.equal(1, code, err)
    assert.are.equal("manifest.sig", H.decode(out).file)
  end)

  it("recomputes the numbers: an edited CSV with its hash rewritten in an unsigned pack is still named", function()
    local _, p = pack()
    os.remove(p .. "/manifest.sig")
    -- change one IoU in failing_items.csv (one digit: the size stays) and put the
    -- new hash in the manifest
    local csv = H.slurp(p .. "/failing_items.csv")
    local edited, n = csv:gsub("(low_overlap,[^,]*,[^,]*,0%.)(%d)", function(head, d)
      return head .. tostring((tonumber(d) + 1) % 10)
    end, 1)
    assert.are.equal(1, n)
    H.write(p .. "/failing_items.csv", edited)
    local mtext = H.slurp(p .. "/manifest.json")
    local old = H.decode(mtext)
    local oldsha
    for _, f in ipairs(old.files) do if f.path == "failing_items.csv" then oldsha = f.sha256 end end
    mtext = mtext:gsub(oldsha, py_sha256(p .. "/failing_items.csv"))
    H.write(p .. "/manifest.json", mtext)
    local out, err, code = verify(p)
    assert.are.equal(1, code, err)
    local r = H.decode(out)
    assert.are.equal("failing_items.csv", r.file)
    assert.are.equal("iou", r.field)
    assert.truthy(err:find("not found when delivery/budget.json is scored against", 1, true), err)
  end)

  it("names per_class.csv's number when it disagrees with the logged evaluation", function()
    local _, p = pack()
    os.remove(p .. "/manifest.sig")
    local csv = H.slurp(p .. "/per_class.csv")
    -- car's tp (the 4th column of the car row) one digit higher, the size unchanged
    local edited = csv:gsub("\ncar,(%d+),(%d+),(%d+),", function(g, vd, tp)
      return string.format("\ncar,%s,%s,%s,", g, vd, tp:sub(1, -2) .. tostring((tonumber(tp:sub(-1)) + 1) % 10))
    end, 1)
    assert.are_not.equal(csv, edited)
    H.write(p .. "/per_class.csv", edited)
    local m = H.slurp(p .. "/manifest.json")
    local old = H.decode(m)
    for _, f in ipairs(old.files) do
      if f.path == "per_class.csv" then
        m = m:gsub(f.sha256, py_sha256(p .. "/per_class.csv"))
      end
    end
    H.write(p .. "/manifest.json", m)
    local out, err, code = verify(p)
    assert.are.equal(1, code, err)
    local r = H.decode(out)
    assert.are.same({"per_class.csv", "tp"}, {r.file, r.field})
    assert.truthy(err:find("(car): tp is", 1, true), err)
  end)

  it("neutralises a class that reads as a formula in its CSVs, and still verifies", function()
    local dir = H.tmpdir()
    local script = H.write(dir .. "/rename.py", [[
import json, sys
for src, dst in ((sys.argv[1], sys.argv[3] + '/gold.json'), (sys.argv[2], sys.argv[3] + '/budget.json')):
    d = json.load(open(src))
    for c in d['categories']:
        if c['name'] == 'traffic_light': c['name'] = '=HYPERLINK("x")'
    json.dump(d, open(dst, 'w'))
]])
    assert.is_true(os.execute("python3 " .. H.q(script) .. " " .. GOLD .. " " .. BUDGET .. " " .. H.q(dir)))
    local S = " --store " .. H.q(dir .. "/p.db")
    ok("ingest" .. S .. " --gold " .. H.q(dir .. "/gold.json"))
    ok("ingest" .. S .. " --vendor v --batch w1 " .. H.q(dir .. "/budget.json"))
    ok("compare --gold " .. H.q(dir .. "/gold.json") .. " --vendor v=" .. H.q(dir .. "/budget.json") .. S)
    H.run("sla check" .. S .. " --batch w1 --rules scorecards/sla/rework.lua")
    ok("evidence" .. S .. " --batch w1 --out " .. H.q(dir .. "/pack"))
    local csv = H.slurp(dir .. "/pack/per_class.csv")
    assert.truthy(csv:find("\n\"'=HYPERLINK(\"\"x\"\")\",", 1, true), csv)
    assert.truthy(H.slurp(dir .. "/pack/failing_items.csv"):find("'=HYPERLINK", 1, true))
    local out, err, code = verify(dir .. "/pack")
    assert.are.equal(0, code, err)
    assert.is_true(H.decode(out).verified)
  end)

  it("discloses the whole panel with --disclose all, and refuses a batch without a decision", function()
    local dir, _, _, S = pack()
    ok("evidence" .. S .. " --batch w1 --out " .. H.q(dir .. "/all") .. " --disclose all")
    local m = H.decode(H.slurp(dir .. "/all/manifest.json"))
    assert.are.equal(py_sha256(GOLD), py_sha256(dir .. "/all/" .. m.gold_file))
    local _, err, code = verify(dir .. "/all")
    assert.are.equal(0, code, err)
    ok("ingest" .. S .. " --vendor " .. H.q(VENDOR) .. " --batch w2 " .. BUDGET)
    local out
    out, err, code = H.run("evidence" .. S .. " --batch w2 --out " .. H.q(dir .. "/none"))
    assert.are.equal(2, code)
    assert.are.equal("", out)
    assert.truthy(err:find("no acceptance decision", 1, true), err)
    _, err, code = H.run("evidence" .. S .. " --batch w1 --out " .. H.q(dir .. "/all"))
    assert.are.equal(2, code)
    assert.truthy(err:find("holds files", 1, true), err)
    _, err, code = H.run("evidence" .. S .. " --batch w1 --out " .. H.q(dir .. "/x") .. " --disclose some")
    assert.are.equal(2, code)
    assert.truthy(err:find("--disclose: expected failing, sample or all", 1, true), err)
  end)
end)
