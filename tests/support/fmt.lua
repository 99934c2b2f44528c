-- Shared by the VOC, CVAT, YOLO and mask specs: inspect, a full dump of a dataset
-- through `annovet run`, the seeded generator, and comparisons with tolerances.
local H = require "tests.support.helper"
local assert = require "luassert"
local pngwrite = require "tools.pngwrite"

local M = {}

-- `annovet inspect PATH` decoded; the run must succeed.
function M.inspect(path, extra)
  local out, err, code = H.run("inspect " .. H.q(path) .. (extra or ""))
  assert.are.equal(0, code, err)
  return H.decode(out)
end

local DUMP = [[
local path, fmt = ...
local ds = assert(annovet.load(path, fmt and {format = fmt} or nil))
local out = {format = ds:format(), items = {}, categories = {}, warnings = ds:warnings()}
for c in ds:categories() do out.categories[#out.categories + 1] = c end
local by_item = {}
for it in ds:items() do
  it.anns = {}
  out.items[#out.items + 1] = it
  by_item[it.id] = it
end
for a in ds:annotations() do table.insert(by_item[a.item].anns, a) end
print(annovet.json.encode(out))
]]

-- Every item (with its annotations, in order), category and warning of the
-- dataset at path, read with `annovet run` through annovet.load. The folder
-- holding path is given with --read: a file argument grants that file alone,
-- and a reader may open files beside it (VOC's labelmap.txt).
function M.dump(path, fmt)
  local folder = path:match("^(.*)/[^/]*$") or "."
  local out, err, code = H.run("run --read " .. H.q(folder) .. " " .. H.q(H.script(DUMP)) .. " " .. H.q(path) ..
    (fmt and " " .. H.q(fmt) or ""))
  assert.are.equal(0, code, err)
  local d = H.decode(out)
  for _, it in ipairs(d.items) do it.anns = it.anns or {} end
  return d
end

-- `annovet ARGS` expected to fail with exit status 2; returns stderr.
function M.fails(args)
  local out, err, code = H.run(args)
  assert.are.equal(2, code, "expected exit 2, got " .. tostring(code) .. ": " .. out .. err)
  return err
end

-- Runs `annovet convert IN OUT --to FMT`; returns the JSON summary.
function M.convert(inp, out, to, extra)
  local o, err, code = H.run("convert " .. H.q(inp) .. " " .. H.q(out) .. " --to " .. to .. (extra or ""))
  assert.are.equal(0, code, err)
  return H.decode(o), err
end

-- A delivery made by tools/gen_delivery.lua; returns its folder and expected.json.
function M.generate(fmt, seed, images, extra)
  local dir = H.tmpdir() .. "/" .. fmt
  assert(os.execute(string.format("lua5.4 tools/gen_delivery.lua --format %s --seed %d --images %d %s %s",
    fmt, seed, images, extra or "", H.q(dir))))
  return dir, H.decode(assert(H.slurp(dir .. "/expected.json")))
end

-- |a - b| <= tol * max(1, |b|) for numbers; lists element by element.
local function near(a, b, tol, where)
  if type(b) == "table" then
    assert(type(a) == "table", where .. ": expected a list, got " .. tostring(a))
    assert(#a == #b, string.format("%s: expected %d values, got %d", where, #b, #a))
    for k = 1, #b do near(a[k], b[k], tol, where .. "[" .. k .. "]") end
    return
  end
  assert(type(a) == "number", where .. ": expected a number, got " .. tostring(a))
  local scale = math.max(1, math.abs(b))
  assert(math.abs(a - b) <= tol * scale, string.format("%s: expected %.17g, got %.17g (tolerance %g)", where, b, a, tol))
end
M.near = near

-- The geometry fields an annotation is compared on.
local GEOMETRY = {"bbox", "coords", "parts", "rle"}

-- Checks annotation a (from a dump) against e: type, category, every geometry
-- field e has (to tol, relative), and every attribute e has.
function M.same_annotation(a, e, tol, where)
  assert.are.equal(e.type, a.type, where .. ": type")
  assert.are.equal(e.category, a.category, where .. ": category")
  for _, k in ipairs(GEOMETRY) do
    if e[k] ~= nil then
      if k == "rle" or k == "parts" then
        assert.are.same(e[k], a[k], where .. "." .. k)
      else
        near(a[k], e[k], tol, where .. "." .. k)
      end
    end
  end
  for k, v in pairs(e.attributes or {}) do
    local got = (a.attributes or {})[k]
    if type(v) == "number" then near(got, v, tol, where .. ".attributes." .. k)
    else assert.are.equal(v, got, where .. ".attributes." .. k) end
  end
end

-- Checks a dump against a generator's expected.json (items in order).
function M.check_expected(d, exp, tol)
  assert.are.equal(#exp.items, #d.items, "items")
  for i, ei in ipairs(exp.items) do
    local it = d.items[i]
    local where = "item " .. ei.file
    assert.are.equal(ei.file, it.file, where)
    assert.are.equal(ei.width, it.width, where .. ": width")
    assert.are.equal(ei.height, it.height, where .. ": height")
    assert.are.equal(#ei.anns, #it.anns, where .. ": annotations")
    for k, ea in ipairs(ei.anns) do M.same_annotation(it.anns[k], ea, tol, where .. " annotation " .. k) end
  end
end

-- Round trips: b must hold a's items (matched by file, or by opts.file(a_item)),
-- their annotations in order with the same geometry (to tol) and attributes;
-- opts.extra lists attributes b may add (name -> value), opts.skip a predicate on
-- a's annotations that b does not keep.
function M.compare(a, b, tol, opts)
  opts = opts or {}
  local by_file = {}
  for _, it in ipairs(b.items) do by_file[it.file] = it end
  local n = 0
  for _, ia in ipairs(a.items) do
    local key = opts.file and opts.file(ia) or ia.file
    local ib = by_file[key]
    assert(ib, "item " .. key .. " is missing after the round trip")
    n = n + 1
    if not opts.no_size then
      assert.are.equal(ia.width, ib.width, key .. ": width")
      assert.are.equal(ia.height, ib.height, key .. ": height")
    end
    local kept = {}
    for _, x in ipairs(ia.anns) do
      if not (opts.skip and opts.skip(x)) then kept[#kept + 1] = x end
    end
    assert.are.equal(#kept, #ib.anns, key .. ": annotations")
    for k, x in ipairs(kept) do
      local y = ib.anns[k]
      local where = key .. " annotation " .. k
      M.same_annotation(y, x, tol, where)
      for name, v in pairs(y.attributes or {}) do
        if (x.attributes or {})[name] == nil and not (opts.attributes == false) then
          assert(opts.extra and opts.extra[name] == v,
            string.format("%s: attribute %s = %s appeared", where, name, tostring(v)))
        end
      end
    end
  end
  assert.are.equal(n, #b.items, "items")
end

-- Writes a PNG made by tools/pngwrite.lua (independent of annovet's libpng
-- code): opts.rows, opts.depth, opts.color, opts.palette as pngwrite.encode.
function M.png(path, opts)
  return H.write(path, pngwrite.encode(opts))
end

-- COCO RLE of (value == v) over rows (column-major runs from 0s), worked out in Lua.
function M.rle_of(rows, v)
  local cnts, cur, run = {}, 0, 0
  for x = 1, #rows[1] do
    for y = 1, #rows do
      local b = rows[y][x] == v and 1 or 0
      if b ~= cur then
        cnts[#cnts + 1] = run
        run, cur = 0, b
      end
      run = run + 1
    end
  end
  cnts[#cnts + 1] = run
  return cnts
end

-- Counts of the warnings of a dump or summary, by kind.
function M.warnings(d)
  local t = {}
  for _, w in ipairs(d.warnings or {}) do t[w.kind] = w.count end
  return t
end

return M
