-- compare's CSV files tell summary rows and missed/extra cells from classes by a
-- column of their own, so a class named like a summary stays a class.
local H = require "tests.support.helper"

local function coco(images, cats, anns)
  for i, a in ipairs(anns) do
    a.id, a.iscrowd, a.area = i, 0, a.bbox[3] * a.bbox[4]
  end
  return H.json.encode({images = images, categories = cats, annotations = anns})
end

-- Classes "(micro)", "(missed)" and "car". Gold: a "(micro)" and a "(missed)"
-- the vendor finds; a car it calls "(missed)"; a car it leaves out. The vendor
-- also draws a "(missed)" where gold has nothing.
local function files(dir)
  local images = {{id = 1, file_name = "a.jpg", width = 200, height = 200}}
  local cats = {{id = 1, name = "(micro)"}, {id = 2, name = "(missed)"}, {id = 3, name = "car"}}
  H.write(dir .. "/gold.json", coco(images, cats, {
    {image_id = 1, category_id = 1, bbox = {0, 0, 10, 10}},
    {image_id = 1, category_id = 2, bbox = {20, 0, 10, 10}},
    {image_id = 1, category_id = 3, bbox = {40, 0, 10, 10}},
    {image_id = 1, category_id = 3, bbox = {60, 0, 10, 10}},
  }))
  H.write(dir .. "/v.json", coco(images, cats, {
    {image_id = 1, category_id = 1, bbox = {0, 0, 10, 10}},
    {image_id = 1, category_id = 2, bbox = {20, 0, 10, 10}},
    {image_id = 1, category_id = 2, bbox = {40, 0, 10, 10}},
    {image_id = 1, category_id = 2, bbox = {100, 100, 10, 10}},
  }))
end

describe("compare's CSV files", function()
  after_each(H.cleanup)

  it("keep classes named (micro) and (missed) apart from the summaries and the missed cells", function()
    local dir = H.tmpdir()
    files(dir)
    local base = "compare --gold " .. H.q(dir .. "/gold.json") .. " --vendor v=" .. H.q(dir .. "/v.json")
    local _, err, code = H.run(base .. " --out " .. H.q(dir .. "/r"))
    assert.are.equal(0, code, err)
    local stdout_csv, err2, code2 = H.run(base .. " --format csv")
    assert.are.equal(0, code2, err2)
    assert.are.equal(H.slurp(dir .. "/r/per_class.csv"), stdout_csv)

    local pc = H.csv_rows(stdout_csv, true)
    local by = {}
    for _, r in ipairs(pc) do
      assert.are.equal("v", r.vendor)
      by[r.row .. ":" .. r.class] = r
    end
    assert.are.equal(6, #pc)
    assert.are.same({"1", "0"}, {by["class:(micro)"].tp, by["class:(micro)"].fp})
    assert.are.same({"1", "2"}, {by["class:(missed)"].tp, by["class:(missed)"].fp})
    assert.are.same({"0", "2"}, {by["class:car"].tp, by["class:car"].fn})
    assert.are.same({"2", "2", "2"}, {by["micro:"].tp, by["micro:"].fp, by["micro:"].fn})
    assert.truthy(by["macro:"])
    assert.are.same({"1", "1"}, {by["items:"].gold, by["items:"].delivered})

    local conf = H.csv_rows(H.slurp(dir .. "/r/confusion.csv"))
    assert.are.same({
      {"vendor", "cell", "gold_class", "vendor_class", "count"},
      {"v", "class", "(micro)", "(micro)", "1"},
      {"v", "class", "(missed)", "(missed)", "1"},
      {"v", "class", "car", "(missed)", "1"},
      {"v", "missed", "car", "", "1"},
      {"v", "extra", "", "(missed)", "1"},
    }, conf)

    local ann = H.csv_rows(H.slurp(dir .. "/r/annotators.csv"), true)
    local kinds = {}
    for _, r in ipairs(ann) do kinds[#kinds + 1] = r.row .. ":" .. r.class end
    assert.are.same({"micro:", "class:(micro)", "class:(missed)", "class:car"}, kinds)
  end)

  it("mark the micro rows of sizes.csv, intervals.csv and pairs.csv by their row column", function()
    local dir = H.tmpdir()
    files(dir)
    local _, err, code = H.run("compare --gold " .. H.q(dir .. "/gold.json") .. " --vendor v=" .. H.q(dir .. "/v.json") ..
      " --vendor w=" .. H.q(dir .. "/v.json") .. " --sizes 0,50 --ci 50 --seed 1 --out " .. H.q(dir .. "/r"))
    assert.are.equal(0, code, err)
    for _, f in ipairs {"sizes.csv", "intervals.csv", "pairs.csv"} do
      local rows = H.csv_rows(H.slurp(dir .. "/r/" .. f), true)
      local micro, classes = 0, {}
      for _, r in ipairs(rows) do
        if r.row == "micro" then
          micro = micro + 1
          assert.are.equal("", r.class, f)
        else
          assert.are.equal("class", r.row, f)
          classes[r.class] = true
        end
      end
      assert.is_true(micro > 0, f)
      assert.is_true(classes["(micro)"], f)
    end
  end)
end)
