-- Who annotated, in COCO: "annotator" (string or number), else
-- "attributes.annotator", read into the model and written back.
local H = require "tests.support.helper"

local function coco(anns)
  return '{"images":[{"id":1,"file_name":"a.jpg","width":10,"height":10}],' ..
    '"categories":[{"id":1,"name":"car"}],"annotations":[' .. table.concat(anns, ",") .. ']}'
end

local function ann(id, extra)
  return '{"id":' .. id .. ',"image_id":1,"category_id":1,"bbox":[1,1,2,2]' .. (extra or "") .. '}'
end

describe("COCO annotator", function()
  after_each(H.cleanup)

  it("reads annotator as a string, a number, or from the attributes", function()
    local path = H.write(H.tmpdir() .. "/a.json", coco {
      ann(1, ',"annotator":"alice"'), ann(2, ',"annotator":7'), ann(3, ',"attributes":{"annotator":"bob","x":1}'),
      ann(4, ',"annotator":"alice","attributes":{"annotator":"carol"}'), ann(5),
    })
    local out, err, code = H.run("inspect " .. H.q(path))
    assert.are.equal(0, code, err)
    assert.are.same({alice = 2, ["7"] = 1, bob = 1, ["(none)"] = 1}, H.decode(out).by_annotator)
  end)

  it("writes annotator back, once", function()
    local dir = H.tmpdir()
    local path = H.write(dir .. "/a.json", coco {
      ann(1, ',"annotator":"alice"'), ann(2, ',"attributes":{"annotator":"bob"}'), ann(3),
    })
    local _, err, code = H.run("convert " .. H.q(path) .. " " .. H.q(dir .. "/b.json") .. " --to coco")
    assert.are.equal(0, code, err)
    local b = H.decode(H.slurp(dir .. "/b.json"))
    assert.are.equal("alice", b.annotations[1].annotator)
    assert.is_nil(b.annotations[2].annotator)
    assert.are.equal("bob", b.annotations[2].attributes.annotator)
    assert.is_nil(b.annotations[3].annotator)
    local out = H.run("inspect " .. H.q(dir .. "/b.json"))
    assert.are.same({alice = 1, bob = 1, ["(none)"] = 1}, H.decode(out).by_annotator)
  end)

  it("rejects an annotator that is neither a name nor an id", function()
    local path = H.write(H.tmpdir() .. "/a.json", coco {ann(1, ',"annotator":[1]')})
    local _, err, code = H.run("inspect " .. H.q(path))
    assert.are.equal(2, code)
    assert.truthy(err:find("annotations[0].annotator: expected a name or an id, got an array", 1, true), err)
    path = H.write(H.tmpdir() .. "/b.json", coco {ann(1, ',"attributes":{"annotator":true}')})
    _, err, code = H.run("inspect " .. H.q(path))
    assert.are.equal(2, code)
    assert.truthy(err:find("annotations[0].attributes.annotator: expected a name or an id, got a boolean", 1, true), err)
  end)
end)
