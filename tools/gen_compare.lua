-- Seeded generator of a gold panel and vendors' deliveries of the same images, as
-- COCO instances files, for compare's tests and bench/compare.sh. Run with lua5.4:
--   lua5.4 tools/gen_compare.lua --out DIR [--seed N] [--images N] [--objects N]
--          [--vendors NAME:PROFILE,...] [--crowd F] [--drop F] [--prefix P] [--boxes]
--          [--panel N] [--points N]
-- Writes DIR/gold.json and DIR/NAME.json per vendor. Defaults give a panel the
-- size of COCO val2017 (5,000 images, 36,000 objects with polygons, about 1%
-- crowd regions as RLE) and three vendors: acme:careful, budget:sloppy, rapid:loose.
-- Profiles (what compare should find):
--   careful  1.5 px jitter, 2% missed, 1% wrong class, 1% extra, 1% attribute slips
--   sloppy   4 px jitter, 8% missed, 5% wrong class, 5% extra, 1% duplicates, 6% attribute slips
--   loose    10% size jitter (low overlap), 4% missed, 2% wrong class, 4% duplicates
-- Vendors also draw objects one by one inside half the gold crowd regions (to
-- be ignored), number their images and categories differently from the gold (so items
-- pair by file name and classes by name), mark 0.5% of their objects iscrowd
-- (left out), and name two to four annotators. --drop leaves that fraction of
-- images out of the vendors' files; --prefix puts a folder before their file
-- names (items then pair by basename); --boxes writes boxes only (no polygons);
-- --points N: polygons of 8 to N points (default 24; 48 gives files the size of
-- COCO's instances_val2017.json).
-- --panel N also writes DIR/panel.json: N annotators (ann1.., profiles careful,
-- sloppy, loose in turn) on every image, for agreement (with --drop, an
-- annotator skips that fraction of images).
-- The same seed gives the same bytes with any Lua 5.4.

local opts = {seed = 1, images = 5000, objects = 36000, crowd = 0.01, drop = 0, prefix = "", panel = 0, points = 24,
  vendors = "acme:careful,budget:sloppy,rapid:loose", out = ""}
local i = 1
while i <= #arg do
  local a = arg[i]
  local key = a:match("^%-%-([%w_]+)$")
  if key == "boxes" then
    opts.boxes = true
  elseif not key or opts[key] == nil or arg[i + 1] == nil then
    io.stderr:write("gen_compare.lua: bad argument '", a, "'\n")
    os.exit(2)
  else
    opts[key] = type(opts[key]) == "number" and tonumber(arg[i + 1]) or arg[i + 1]
    i = i + 1
  end
  i = i + 1
end
if opts.out == "" then
  io.stderr:write("gen_compare.lua: --out DIR is needed\n")
  os.exit(2)
end
math.randomseed(opts.seed)

local PROFILES = {
  careful = {jitter = 1.5, scale = 0.01, miss = 0.02, wrong = 0.01, extra = 0.01, dup = 0, attr = 0.01},
  sloppy = {jitter = 4, scale = 0.03, miss = 0.08, wrong = 0.05, extra = 0.05, dup = 0.01, attr = 0.06},
  loose = {jitter = 3, scale = 0.10, miss = 0.04, wrong = 0.02, extra = 0.01, dup = 0.04, attr = 0.02},
}
local OCCLUSION = {"none", "partial", "heavy"}
local NCATS = 20

local function gauss()
  local u, v = 1 - math.random(), math.random()
  return math.sqrt(-2 * math.log(u)) * math.cos(2 * math.pi * v)
end

local function f2(x) return string.format("%.2f", x) end

-- Writer with a buffer, one file at a time.
local function writer(path)
  local f = assert(io.open(path, "w"))
  local buf, n = {}, 0
  return function(s)
    if s == nil then
      f:write(table.concat(buf, "", 1, n))
      f:close()
      return
    end
    n = n + 1
    buf[n] = s
    if n >= 4096 then
      f:write(table.concat(buf, "", 1, n))
      n = 0
    end
  end
end

-- Images: mostly 640 wide, as COCO.
local images = {}
for k = 1, opts.images do
  local w, h = 640, ({480, 427, 425, 640, 360, 512})[math.random(6)]
  if math.random() < 0.3 then w, h = h, w end
  images[k] = {id = 100000 + k * 7, w = w, h = h, file = string.format("%012d.jpg", 100000 + k * 7), objs = {}}
end

-- A star-shaped polygon of n points in the box: radii per vertex in [0.6, 1].
local function star(n)
  local r = {}
  for q = 1, n do r[q] = 0.6 + math.random() * 0.4 end
  return r
end

-- Gold objects: log-uniform sizes (many small ones, as COCO), 20 classes.
for k = 1, opts.objects do
  local im = images[k <= opts.images and k or math.random(opts.images)]
  local side = math.exp(math.log(8) + math.random() * (math.log(math.min(im.w, im.h) * 0.7) - math.log(8)))
  local bw = side * (0.6 + math.random() * 0.8)
  local bh = side * (0.6 + math.random() * 0.8)
  bw, bh = math.min(bw, im.w - 1), math.min(bh, im.h - 1)
  local o = {cat = math.random(NCATS), x = math.random() * (im.w - bw), y = math.random() * (im.h - bh),
    w = bw, h = bh, radii = star(math.random(8, opts.points)), occ = OCCLUSION[math.random(3)],
    crowd = math.random() < opts.crowd}
  im.objs[#im.objs + 1] = o
end

-- The polygon of an object (x y ... with two decimals).
local function polygon(o, vj)
  local pts, n = {}, #o.radii
  local cx, cy = o.x + o.w / 2, o.y + o.h / 2
  for q = 1, n do
    local t = 2 * math.pi * (q - 1) / n
    pts[#pts + 1] = f2(cx + math.cos(t) * o.radii[q] * o.w / 2 + (vj and gauss() * vj or 0))
    pts[#pts + 1] = f2(cy + math.sin(t) * o.radii[q] * o.h / 2 + (vj and gauss() * vj or 0))
  end
  return "[[" .. table.concat(pts, ",") .. "]]"
end

-- An uncompressed RLE of the object's box (column-major runs), for crowd regions.
local function box_rle(o, im)
  local x0, y0 = math.max(0, math.min(im.w - 1, math.floor(o.x))), math.max(0, math.min(im.h - 1, math.floor(o.y)))
  local x1, y1 = math.max(x0 + 1, math.min(im.w, math.ceil(o.x + o.w))), math.max(y0 + 1, math.min(im.h, math.ceil(o.y + o.h)))
  local runs = {x0 * im.h + y0}
  for x = x0, x1 - 1 do
    runs[#runs + 1] = y1 - y0
    runs[#runs + 1] = x < x1 - 1 and im.h - (y1 - y0) or (im.w - x1) * im.h + im.h - y1
  end
  return string.format('{"size":[%d,%d],"counts":[%s]}', im.h, im.w, table.concat(runs, ","))
end

-- Writes a COCO file: images (with their ids and names), categories (id per
-- class), annotations.
local function write_file(path, imgs, cat_id, anns)
  local put = writer(path)
  put('{"info":{"description":"annovet gen_compare (seed ' .. opts.seed .. ')"},\n"images":[')
  for k, im in ipairs(imgs) do
    put(string.format('%s\n{"id":%d,"file_name":"%s","width":%d,"height":%d}', k > 1 and "," or "",
      im.id, im.file, im.w, im.h))
  end
  put('\n],\n"annotations":[')
  for k, a in ipairs(anns) do
    put((k > 1 and ",\n" or "\n") .. a)
  end
  put('\n],\n"categories":[')
  for c = 1, NCATS do
    put(string.format('%s\n{"id":%d,"name":"class%02d","supercategory":"thing"}', c > 1 and "," or "", cat_id[c], c))
  end
  put('\n]}\n')
  put(nil)
end

-- One annotation as JSON text.
local function ann_json(id, image_id, cat, o, im, seg, crowd, extra)
  local geom
  if crowd then
    geom = '"segmentation":' .. box_rle(o, im) .. ','
  elseif opts.boxes then
    geom = ""
  else
    geom = '"segmentation":' .. seg .. ','
  end
  return string.format('{"id":%d,"image_id":%d,"category_id":%d,%s"bbox":[%s,%s,%s,%s],"area":%s,' ..
    '"iscrowd":%d,"attributes":{"occlusion":"%s"}%s}', id, image_id, cat, geom, f2(o.x), f2(o.y), f2(o.w),
    f2(o.h), f2(o.w * o.h * 0.8), crowd and 1 or 0, o.occ, extra or "")
end

-- Gold.
local gold_ids = {}
for c = 1, NCATS do gold_ids[c] = c * 3 end
local anns, id = {}, 0
for _, im in ipairs(images) do
  for _, o in ipairs(im.objs) do
    id = id + 1
    anns[#anns + 1] = ann_json(id, im.id, gold_ids[o.cat], o, im, polygon(o), o.crowd)
  end
end
write_file(opts.out .. "/gold.json", images, gold_ids, anns)

-- One annotator's objects of image im (profile p) through add(o, class, crowd).
local function annotate(im, p, add)
  for _, g in ipairs(im.objs) do
    if g.crowd and math.random() < 0.5 then
      -- people in a crowd region, one by one: ignored, not false
      for _ = 1, math.random(3) do
        local w, h = g.w * (0.2 + math.random() * 0.3), g.h * (0.2 + math.random() * 0.3)
        add({x = g.x + math.random() * (g.w - w), y = g.y + math.random() * (g.h - h), w = w, h = h,
          radii = star(8), occ = "heavy"}, g.cat, false)
      end
    end
    if not g.crowd and math.random() >= p.miss then
      local s = 1 + gauss() * p.scale
      local w, h = math.max(2, g.w * s + gauss() * p.jitter), math.max(2, g.h * s + gauss() * p.jitter)
      local o = {x = g.x + (g.w - w) / 2 + gauss() * p.jitter, y = g.y + (g.h - h) / 2 + gauss() * p.jitter,
        w = w, h = h, radii = g.radii, occ = g.occ}
      if math.random() < p.attr then o.occ = OCCLUSION[math.random(3)] end
      local cat = g.cat
      if math.random() < p.wrong then cat = (cat + math.random(NCATS - 1) - 1) % NCATS + 1 end
      add(o, cat, math.random() < 0.005)
      if math.random() < p.dup then
        add({x = o.x + 2, y = o.y + 2, w = o.w, h = o.h, radii = o.radii, occ = o.occ}, cat, false)
      end
    end
  end
  for _ = 1, #im.objs do
    if math.random() < p.extra then
      local side = 8 + math.random() * 80
      local o = {x = math.random() * (im.w - side), y = math.random() * (im.h - side), w = side, h = side,
        radii = star(8), occ = "none"}
      add(o, math.random(NCATS), false)
    end
  end
end

-- Vendors.
for spec in opts.vendors:gmatch("[^,]+") do
  local name, profile = spec:match("^([%w_%-]+):(%w+)$")
  local p = assert(PROFILES[profile or ""], "unknown vendor spec " .. spec)
  local cat_id, order = {}, {}
  for c = 1, NCATS do order[c] = c end
  for c = NCATS, 2, -1 do
    local j = math.random(c)
    order[c], order[j] = order[j], order[c]
  end
  for c = 1, NCATS do cat_id[c] = 1000 + order[c] end
  local who = {}
  for k = 1, math.random(2, 4) do who[k] = string.format("%s-%02d", name, k) end
  local imgs, vanns, vid = {}, {}, 0
  for k, im in ipairs(images) do
    if math.random() >= opts.drop then
      local vim = {id = k, w = im.w, h = im.h, file = opts.prefix .. im.file}
      imgs[#imgs + 1] = vim
      local annotator = who[math.random(#who)]
      annotate(im, p, function(o, cat, crowd)
        vid = vid + 1
        vanns[#vanns + 1] = ann_json(vid, vim.id, cat_id[cat], o, im, polygon(o, p.jitter / 3), crowd,
          string.format(',"annotator":"%s"', annotator))
      end)
    end
  end
  write_file(opts.out .. "/" .. name .. ".json", imgs, cat_id, vanns)
end

-- A panel of annotators on the same images, in one file (for agreement).
if opts.panel > 0 then
  local kinds = {"careful", "sloppy", "loose"}
  local anns, pid = {}, 0
  for _, im in ipairs(images) do
    for a = 1, opts.panel do
      local p = PROFILES[kinds[(a - 1) % #kinds + 1]]
      if math.random() >= opts.drop then
        annotate(im, p, function(o, cat, crowd)
          pid = pid + 1
          anns[#anns + 1] = ann_json(pid, im.id, gold_ids[cat], o, im, polygon(o, p.jitter / 3), crowd,
            string.format(',"annotator":"ann%d"', a))
        end)
      end
    end
  end
  write_file(opts.out .. "/panel.json", images, gold_ids, anns)
end
