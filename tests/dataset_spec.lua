-- The Dataset binding from Lua scripts: load, counts, iterators, filters, save,
-- and its errors (nil, message for bad input; raised errors for bad arguments).
local H = require "tests.support.helper"

local COCO = [=[{"images":[{"id":1,"file_name":"a.jpg","width":100,"height":50},{"id":2,"file_name":"b.jpg","width":100,"height":50}],
"categories":[{"id":3,"name":"car"},{"id":5,"name":"person","keypoints":["nose","eye"],"skeleton":[[1,2]]}],
"annotations":[
{"id":10,"image_id":1,"category_id":3,"bbox":[1,2,3,4],"score":0.9,"annotator":"ann"},
{"id":11,"image_id":1,"category_id":3,"segmentation":[[0,0,4,0,4,4],[10,10,12,10,12,12]],"area":9,"annotator":"bob"},
{"id":12,"image_id":2,"category_id":5,"keypoints":[1,1,2,3,3,1],"bbox":[1,1,2,2],"annotator":"ann","attributes":{"pose":"front","n":2,"ok":true}}
]}]=]

local function run(script, ...)
  local dir = H.tmpdir()
  local data = H.write(dir .. "/d.json", COCO)
  local args = {H.q(data), H.q(dir)}
  for _, a in ipairs {...} do args[#args + 1] = H.q(a) end
  return H.run("run --out " .. H.q(dir) .. " " .. H.q(H.script(script)) .. " " .. table.concat(args, " "))
end

describe("annovet.load and Dataset", function()
  after_each(H.cleanup)

  -- Every expected value below is read off COCO above.
  it("counts by type, class and annotator, with and without a filter", function()
    local out, err, code = run([[
      local ds = assert(annovet.load(arg[1]))
      local c = ds:counts()
      print(c.items, c.annotations, c.categories, c.annotators, c.by_type.box, c.by_type.polygon,
        c.by_type.keypoints, c.by_class.car, c.by_class.person, c.by_annotator.ann, c.by_annotator.bob)
      local f = ds:counts{annotator = "ann"}
      print(f.annotations, f.by_class.car, f.by_class.person)
      print(ds:counts{category = 3}.annotations, ds:counts{category = "person"}.annotations,
        ds:counts{item = "b.jpg"}.annotations, ds:counts{item = 1}.annotations, ds:counts{min_score = 0.5}.annotations,
        ds:counts{category = "bus"}.annotations)
    ]])
    assert.are.equal(0, code, err)
    assert.are.equal("2\t3\t2\t2\t1\t1\t1\t2\t1\t2\t1\n2\t1\t1\n2\t1\t1\t2\t1\t0\n", out)
  end)

  it("iterates items, categories and annotations as tables", function()
    local out, err, code = run([[
      local ds = assert(annovet.load(arg[1]))
      for it in ds:items() do print(it.index, it.id, it.file, it.width, it.height) end
      for c in ds:categories() do print(c.id, c.name, c.keypoints and table.concat(c.keypoints, ","),
        c.skeleton and (c.skeleton[1][1] .. "-" .. c.skeleton[1][2])) end
      for a in ds:annotations{type = "polygon"} do print(a.id, a.file, table.concat(a.parts, ","), #a.coords, a.area) end
      local k = ds:annotation(3)
      print(k.type, table.concat(k.coords, ","), k.attributes.pose, k.attributes.n, k.attributes.ok, k.stage)
      print(ds:annotation(4), ds:format())
    ]])
    assert.are.equal(0, code, err)
    assert.are.equal("1\t1\ta.jpg\t100\t50\n2\t2\tb.jpg\t100\t50\n" ..
      "3\tcar\tnil\tnil\n5\tperson\tnose,eye\t1-2\n" ..
      "11\ta.jpg\t3,3\t12\t9\n" ..
      "keypoints\t1,1,2,3,3,1\tfront\t2\ttrue\tannotator\n" ..
      "nil\tcoco\n", out)
  end)

  it("filters and selects into new datasets, and saves them", function()
    local out, err, code = run([[
      local ds = assert(annovet.load(arg[1]))
      local cars = ds:filter{category = "car"}
      local one = ds:filter{item = "b.jpg"}
      local sure = ds:select(function(a) return a.score and a.score > 0.5 end)
      print(cars:counts().items, cars:counts().annotations, one:counts().items, one:counts().annotations,
        sure:counts().annotations)
      local ok, warnings = cars:save(arg[2] .. "/cars.json", "coco")
      print(ok, #warnings)
      local back = assert(annovet.load(arg[2] .. "/cars.json"))
      print(back:counts().annotations, back:counts().by_annotator.bob)
      print(ds:save(arg[2] .. "/no/such/dir/x.json", "coco"))
    ]])
    assert.are.equal(0, code, err)
    assert.truthy(out:find("^2\t2\t1\t1\t1\ntrue\t0\n2\t1\nnil\t.*/no/such/dir/x%.json: cannot create: No such file or directory\n$"), out)
  end)

  -- A misspelt key used to be ignored, so {categroy = "car"} selected all 3.
  it("raises for a filter key it does not know, naming it and the known ones", function()
    local out, err, code = run([[
      local ds = assert(annovet.load(arg[1]))
      print(pcall(ds.filter, ds, {categroy = "car"}))
      print(pcall(ds.annotations, ds, {category = "car", min_scor = 0.5}))
      print(pcall(ds.counts, ds, {[1] = "car"}))
      print(ds:counts{category = "car"}.annotations)
    ]])
    assert.are.equal(0, code, err)
    local lines = {}
    for l in out:gmatch("[^\n]+") do lines[#lines + 1] = l end
    local known = "(a filter knows item, category, type, annotator, min_score)"
    assert.truthy(lines[1]:find("^false\t.*unknown filter key 'categroy' " .. known:gsub("%p", "%%%0")), lines[1])
    assert.truthy(lines[2]:find("^false\t.*unknown filter key 'min_scor' "), lines[2])
    assert.truthy(lines[3]:find("^false\t.*filter key 1 is not a name "), lines[3])
    assert.are.equal("2", lines[4])
  end)

  it("returns nil and a message for bad input, raises for bad arguments", function()
    local out, err, code = run([[
      print(annovet.load(arg[2] .. "/none.json"))
      print(pcall(annovet.load, arg[1], {format = "nope"}))
      local ds = assert(annovet.load(arg[1]))
      print(pcall(ds.save, ds, arg[2] .. "/x", "nope"))
      print(pcall(ds.annotations, ds, {type = "blob"}))
      print(getmetatable(ds))
      ds:close()
      print(pcall(ds.counts, ds))
    ]])
    assert.are.equal(0, code, err)
    local lines = {}
    for l in out:gmatch("[^\n]+") do lines[#lines + 1] = l end
    assert.truthy(lines[1]:find("^nil\t.*none%.json: No such file or directory"), lines[1])
    assert.truthy(lines[2]:find("^false\t.*unknown format 'nope' %(known: coco, coco%-results, labelstudio, csv"), lines[2])
    assert.truthy(lines[3]:find("^false\t.*unknown format 'nope'"), lines[3])
    assert.truthy(lines[4]:find("^false\t.*unknown annotation type 'blob'"), lines[4])
    assert.are.equal("locked", lines[5])
    assert.truthy(lines[6]:find("^false\t.*attempt to use a closed dataset"), lines[6])
  end)
end)
