-- drift shows the gold-object counts each F1 and each change rests on; compare on
-- tags shows no IoU threshold or mean IoU, which mean nothing for tags.
local H = require "tests.support.helper"

describe("drift's sample sizes", function()
  after_each(H.cleanup)

  it("gives the gold objects behind each F1 and each change, per vendor and annotator", function()
    local db = H.tmpdir() .. "/p.db"
    local gold, v1, v2 = "examples/pilot/gold.json", "examples/pilot/acme.json", "examples/pilot/budget.json"
    local out1, err, code = H.run("compare --gold " .. gold .. " --vendor acme=" .. v1 .. " --store " .. H.q(db) ..
      " --batch w1 --new-vendor")
    assert.are.equal(0, code, err)
    local out2
    out2, err, code = H.run("compare --gold " .. gold .. " --vendor acme=" .. v2 .. " --store " .. H.q(db) .. " --batch w2 --new-vendor")
    assert.are.equal(0, code, err)
    local r1, r2 = H.decode(out1).vendors.acme, H.decode(out2).vendors.acme
    local g1, g2 = r1.micro.tp + r1.micro.fn, r2.micro.tp + r2.micro.fn

    local out
    out, err, code = H.run("drift --store " .. H.q(db))
    assert.are.equal(0, code, err)
    local d = H.decode(out).vendors.acme
    assert.are.same({g1, g2}, {d.batches[1].gold, d.batches[2].gold})
    assert.are.same({from = g1, to = g2}, d.f1_change_gold)
    -- an annotator's F1 rests on its own gold objects (its TP and the misses charged to it)
    local name, a = next(r1.annotators)
    local ag = a.micro.tp + a.micro.fn
    local t = d.annotators[name]
    assert.are.equal(ag, t.batches[1].gold)
    assert.are.same({from = ag, to = t.batches[#t.batches].gold}, t.f1_change_gold)

    out, err, code = H.run("drift --store " .. H.q(db) .. " --format table")
    assert.are.equal(0, code, err)
    assert.truthy(out:find("batch%s+evaluated%s+gold%s+F1%s+change\n"), out)
    assert.truthy(out:find("\nw1 +%S+ +" .. g1 .. " "), out)
    assert.truthy(out:find("\nw2 +%S+ +" .. g2 .. " "), out)
    assert.truthy(out:find("  " .. name:gsub("%p", "%%%0") .. ": w1 [%d.]+ on " .. ag .. " gold"), out)
    assert.truthy(out:find("from " .. ag .. " to " .. t.f1_change_gold.to .. " gold objects)", 1, true), out)
  end)
end)

describe("compare on tags", function()
  after_each(H.cleanup)

  -- Every key of a JSON value, at any depth.
  local function keys(v, acc)
    acc = acc or {}
    if type(v) == "table" then
      for k, x in pairs(v) do
        acc[k] = true
        keys(x, acc)
      end
    end
    return acc
  end

  it("gives no IoU threshold and no mean IoU, in JSON and in the table", function()
    local tags = "tests/data/fixtures/csv/tags.csv"
    local base = "compare --gold " .. tags .. " --vendor v=" .. tags
    local out, err, code = H.run(base)
    assert.are.equal(0, code, err)
    local doc = H.decode(out)
    assert.are.equal("tag", doc.iou_type)
    assert.is_nil(doc.iou)
    local k = keys(doc.vendors)
    assert.is_nil(k.mean_iou)
    assert.is_nil(k.iou)
    assert.are.equal(1, doc.vendors.v.micro.f1)
    out, err, code = H.run(base .. " --format table")
    assert.are.equal(0, code, err)
    assert.falsy(out:find("threshold", 1, true), out)
    assert.falsy(out:find("IoU", 1, true), out)
    assert.truthy(out:find("tags match by class on the same item", 1, true), out)
    -- and boxes keep both
    local boxes = "tests/data/fixtures/coco/instances.json"
    out = H.run("compare --gold " .. boxes .. " --vendor v=" .. boxes .. " --iou-type bbox")
    doc = H.decode(out)
    assert.are.equal(0.5, doc.iou)
    assert.are.equal(1, doc.vendors.v.micro.mean_iou)
  end)
end)
