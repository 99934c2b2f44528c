-- Seeded generator of semantic masks as PNG label images, a gold panel and a
-- vendor's delivery of the same scenes, for compare's semantic tests. Run with
-- plain Lua 5.4:
--   lua5.4 tools/gen_semantic.lua --out DIR [--seed 1] [--images 6] [--scale 1]
-- Writes DIR/gold/{classes.txt,masks/*.png} and DIR/vendor/{classes.txt,masks/*.png}.
-- Gold classes (pixel values): 0 background, 1 road, 2 car, 3 person, 4 tree,
-- 5 sky, 255 void (not a class). The vendor numbers its classes in another
-- order and has one the gold lacks (bicycle). Scenes: a sky band, a road band,
-- rectangles and ellipses of cars, people and trees on images of three sizes
-- (times --scale). The vendor shifts band edges and objects by a pixel or two,
-- misses some objects, calls some cars people, adds a bicycle now and then,
-- paints the void as background; it delivers the last image at another width
-- (a size mismatch) and not the one before it (not delivered).
-- Only integers and the splitmix64 PRNG: the same arguments give the same bytes
-- on any machine.
package.path = (arg[0]:match("^(.*)/") or ".") .. "/?.lua;" .. package.path   -- the tools' own modules
local pngwrite = require "pngwrite"

local opts = {seed = 1, images = 6, out = nil, scale = 1}
do
  local i = 1
  while i <= #arg do
    local k, v = arg[i]:match("^%-%-([%w-]+)$"), arg[i + 1]
    if not k or v == nil or opts[k] == nil and k ~= "out" then
      error("usage: gen_semantic.lua --out DIR [--seed S] [--images N] [--scale K]")
    end
    opts[k] = tonumber(v) or v
    i = i + 2
  end
  assert(opts.out, "--out DIR is required")
end

local rng = require("splitmix").new(opts.seed)
local randint = rng.randint
local function chance(pct) return randint(1, 100) <= pct end

-- ---- PNG (8-bit gray) ----

local function write_png(path, img)
  local rows = {}
  for y = 0, img.h - 1 do rows[y + 1] = table.move(img, y * img.w + 1, (y + 1) * img.w, 1, {}) end
  local f = assert(io.open(path, "wb"))
  f:write(pngwrite.encode {rows = rows})
  f:close()
end

-- ---- scenes ----

local GOLD_CLASSES = {"background", "road", "car", "person", "tree", "sky"}
local VENDOR_CLASSES = {"background", "sky", "tree", "person", "car", "road", "bicycle"}
local VENDOR_VALUE = {}
for v, name in ipairs(VENDOR_CLASSES) do VENDOR_VALUE[name] = v - 1 end

local function new_image(w, h)
  local img = {w = w, h = h}
  for k = 1, w * h do img[k] = 0 end
  return img
end
local function rect(img, x0, y0, x1, y1, v)
  for y = math.max(0, y0), math.min(img.h - 1, y1) do
    for x = math.max(0, x0), math.min(img.w - 1, x1) do img[y * img.w + x + 1] = v end
  end
end
-- An ellipse in the box x0..x1, y0..y1 (integer test, no floating point).
local function ellipse(img, x0, y0, x1, y1, v)
  local cx2, cy2, rx2, ry2 = x0 + x1, y0 + y1, x1 - x0 + 1, y1 - y0 + 1
  for y = math.max(0, y0), math.min(img.h - 1, y1) do
    for x = math.max(0, x0), math.min(img.w - 1, x1) do
      local dx, dy = 2 * x + 1 - cx2 - 1, 2 * y + 1 - cy2 - 1
      if dx * dx * ry2 * ry2 + dy * dy * rx2 * rx2 <= rx2 * rx2 * ry2 * ry2 then img[y * img.w + x + 1] = v end
    end
  end
end

-- A scene: bands and objects, in class names.
local function scene(w, h)
  local s = {w = w, h = h, sky = randint(h // 6, h // 3), road = randint(h * 2 // 3, h * 5 // 6), objs = {}}
  for _ = 1, randint(2, 5) do
    local cls = ({"car", "person", "tree"})[randint(1, 3)]
    local ow, oh = randint(w // 10, w // 4), randint(h // 8, h // 3)
    local x, y = randint(0, w - ow), randint(s.sky, h - oh)
    s.objs[#s.objs + 1] = {cls = cls, x = x, y = y, w = ow, h = oh, round = cls ~= "car"}
  end
  s.void = chance(50) and {randint(0, w - 4), randint(0, h - 3)} or nil
  return s
end

-- Paints scene s at width w with value(name) for each class; the vendor's copy
-- (vendor set) perturbed as the header says.
local function paint(s, w, value, vendor)
  local img = new_image(w, s.h)
  local sky, road = s.sky, s.road
  if vendor then
    sky, road = sky + randint(-2, 2), road + randint(-2, 2)
  end
  rect(img, 0, 0, w - 1, sky - 1, value("sky"))
  rect(img, 0, road, w - 1, s.h - 1, value("road"))
  for _, o in ipairs(s.objs) do
    local cls, x, y = o.cls, o.x, o.y
    local skip = false
    if vendor then
      x, y = x + randint(-2, 2), y + randint(-1, 1)
      skip = chance(15)
      if cls == "car" and chance(30) then cls = "person" end
    end
    if not skip then (o.round and ellipse or rect)(img, x, y, x + o.w - 1, y + o.h - 1, value(cls)) end
  end
  if s.void and not vendor then rect(img, s.void[1], s.void[2], s.void[1] + 3, s.void[2] + 2, 255) end
  if vendor and chance(40) then
    local bx, by = randint(0, w - 6), randint(sky, s.h - 4)
    rect(img, bx, by, bx + 5, by + 3, value("bicycle"))
  end
  return img
end

local function mkdir(p) assert(os.execute("mkdir -p '" .. p:gsub("'", "'\\''") .. "'")) end
local function write(path, text)
  local f = assert(io.open(path, "w"))
  f:write(text)
  f:close()
end

local out = opts.out
for _, side in ipairs {"gold", "vendor"} do mkdir(out .. "/" .. side .. "/masks") end
write(out .. "/gold/classes.txt", table.concat(GOLD_CLASSES, "\n") .. "\n")
write(out .. "/vendor/classes.txt", table.concat(VENDOR_CLASSES, "\n") .. "\n")
local SIZES = {{40, 30}, {32, 48}, {64, 24}}
local k = opts.scale
for i = 1, opts.images do
  local sz = SIZES[(i - 1) % #SIZES + 1]
  local s = scene(sz[1] * k, sz[2] * k)
  local name = string.format("img%03d.png", i)
  write_png(out .. "/gold/masks/" .. name, paint(s, s.w, function(c)
    for v, n in ipairs(GOLD_CLASSES) do if n == c then return v - 1 end end
  end))
  if i ~= opts.images - 1 then   -- the one before the last is not delivered
    local w = i == opts.images and s.w + 2 or s.w   -- the last at another width
    write_png(out .. "/vendor/masks/" .. name, paint(s, w, function(c) return VENDOR_VALUE[c] end, true))
  end
end
