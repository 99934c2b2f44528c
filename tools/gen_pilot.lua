-- Generates the bundled pilot example: a gold panel and three vendors' deliveries of
-- the same 40 driving images, as COCO instances JSON, plus a tag-agreement CSV.
-- Seeded, so the files are reproducible: lua5.4 tools/gen_pilot.lua examples/pilot
-- Vendor profiles (what the demo should find):
--   acme   careful: 2 px jitter, 2% missed, 1% wrong class
--   budget cheap:   5 px jitter, 9% missed, 6% wrong class, 4% extra boxes, attribute slips
--   rapid  fast:    loose boxes (12 px jitter: low overlap), 4% missed, 3% duplicates

local out = arg[1] or "examples/pilot"

local state = 20261128
local function rand()                         -- Park-Miller minimal standard
  state = (state * 48271) % 2147483647
  return state / 2147483647
end
local function randint(a, b) return a + math.floor(rand() * (b - a + 1)) end
local function gauss()                        -- Box-Muller
  local u, v = rand(), rand()
  return math.sqrt(-2 * math.log(u)) * math.cos(2 * math.pi * v)
end

local W, H = 640, 480
local CATS = {
  {id = 1, name = "car", w = {60, 180}, h = {40, 110}},
  {id = 2, name = "pedestrian", w = {18, 45}, h = {50, 130}},
  {id = 3, name = "cyclist", w = {30, 70}, h = {50, 120}},
  {id = 4, name = "traffic_light", w = {10, 22}, h = {25, 55}},
  {id = 5, name = "sign", w = {20, 50}, h = {20, 50}},
}
local OCCLUSION = {"none", "partial", "heavy"}

local function clamp(v, lo, hi) return math.max(lo, math.min(hi, v)) end
local function r2(v) return math.floor(v * 100 + 0.5) / 100 end

-- An octagon inside the box: the polygon a careful annotator would draw.
local function octagon(x, y, w, h)
  local p = {}
  for k = 0, 7 do
    local a = (k + 0.5) * math.pi / 4
    p[#p + 1] = r2(x + w / 2 + w / 2 * math.cos(a))
    p[#p + 1] = r2(y + h / 2 + h / 2 * math.sin(a))
  end
  return p
end

local function shape(cat, x, y, w, h, attrs, extra)
  local a = {category_id = cat, bbox = {r2(x), r2(y), r2(w), r2(h)},
    segmentation = {octagon(x, y, w, h)}, area = r2(w * h * 0.9), iscrowd = 0,
    attributes = attrs}
  for k, v in pairs(extra or {}) do a[k] = v end
  return a
end

-- Gold: 3 to 9 objects an image, one crowd region of pedestrians in every eighth image.
local images, gold = {}, {}
for i = 1, 40 do
  images[i] = {id = i, file_name = string.format("frame_%04d.jpg", i), width = W, height = H}
  gold[i] = {}
  for _ = 1, randint(3, 9) do
    local c = CATS[randint(1, #CATS)]
    local w, h = randint(c.w[1], c.w[2]), randint(c.h[1], c.h[2])
    local x, y = randint(0, W - w), randint(0, H - h)
    table.insert(gold[i], shape(c.id, x, y, w, h,
      {occlusion = OCCLUSION[randint(1, 3)], truncated = rand() < 0.1}))
  end
  if i % 8 == 0 then
    local crowd = shape(2, 400, 200, 200, 140, {occlusion = "heavy", truncated = false})
    crowd.iscrowd = 1
    table.insert(gold[i], crowd)
  end
end

local PROFILES = {
  acme = {jitter = 2, miss = 0.02, wrong = 0.01, extra = 0, dup = 0, attr = 0.01},
  budget = {jitter = 5, miss = 0.09, wrong = 0.06, extra = 0.04, dup = 0, attr = 0.08},
  rapid = {jitter = 12, miss = 0.04, wrong = 0.02, extra = 0, dup = 0.03, attr = 0.03},
}

local function vendor(p, annotators)
  local anns = {}
  for i = 1, #images do
    local who = annotators[(i - 1) % #annotators + 1]
    for _, g in ipairs(gold[i]) do
      if g.iscrowd == 0 and rand() >= p.miss then
        local x, y, w, h = g.bbox[1], g.bbox[2], g.bbox[3], g.bbox[4]
        x, y = x + gauss() * p.jitter, y + gauss() * p.jitter
        w, h = math.max(4, w + gauss() * p.jitter), math.max(4, h + gauss() * p.jitter)
        x, y = clamp(x, 0, W - w), clamp(y, 0, H - h)
        local cat = g.category_id
        if rand() < p.wrong then cat = cat % #CATS + 1 end
        local attrs = {occlusion = g.attributes.occlusion, truncated = g.attributes.truncated}
        if rand() < p.attr then attrs.occlusion = OCCLUSION[randint(1, 3)] end
        table.insert(anns, shape(cat, x, y, w, h, attrs, {image_id = i, annotator = who}))
        if rand() < p.dup then
          table.insert(anns, shape(cat, x + 3, y + 3, w, h, attrs, {image_id = i, annotator = who}))
        end
      end
    end
    if rand() < p.extra * 10 then
      local c = CATS[randint(1, #CATS)]
      local w, h = randint(c.w[1], c.w[2]), randint(c.h[1], c.h[2])
      table.insert(anns, shape(c.id, randint(0, W - w), randint(0, H - h), w, h,
        {occlusion = "none", truncated = false}, {image_id = i, annotator = who}))
    end
  end
  return anns
end

-- A small JSON writer: sorted keys, numbers as %.14g (the values are 2-decimal).
local function encode(v, ind)
  ind = ind or ""
  local t = type(v)
  if t == "table" then
    if #v > 0 or next(v) == nil then
      local parts = {}
      for _, x in ipairs(v) do parts[#parts + 1] = encode(x, ind .. "  ") end
      if #parts > 0 and type(v[1]) ~= "table" then return "[" .. table.concat(parts, ", ") .. "]" end
      return "[\n" .. ind .. "  " .. table.concat(parts, ",\n" .. ind .. "  ") .. "\n" .. ind .. "]"
    end
    local keys = {}
    for k in pairs(v) do keys[#keys + 1] = k end
    table.sort(keys)
    local parts = {}
    for _, k in ipairs(keys) do
      parts[#parts + 1] = string.format("%q: %s", k, encode(v[k], ind .. "  "))
    end
    return "{" .. table.concat(parts, ", ") .. "}"
  elseif t == "number" then
    return math.type(v) == "integer" and tostring(v) or string.format("%.14g", v)
  elseif t == "string" then
    return string.format("%q", v)
  end
  return tostring(v)
end

local function write(name, anns)
  for k, a in ipairs(anns) do a.id = k end
  local cats = {}
  for _, c in ipairs(CATS) do cats[#cats + 1] = {id = c.id, name = c.name, supercategory = "road"} end
  local f = assert(io.open(out .. "/" .. name, "w"))
  f:write(encode({images = images, annotations = anns, categories = cats}), "\n")
  f:close()
end

local all = {}
for i = 1, #images do
  for _, g in ipairs(gold[i]) do
    g.image_id = i
    all[#all + 1] = g
  end
end
write("gold.json", all)
write("acme.json", vendor(PROFILES.acme, {"acme-01", "acme-02"}))
write("budget.json", vendor(PROFILES.budget, {"bud-01", "bud-02", "bud-03"}))
write("rapid.json", vendor(PROFILES.rapid, {"rap-01", "rap-02"}))

-- Tag agreement: three annotators label the weather of each image; one is careless.
local WEATHER = {"clear", "rain", "fog", "snow"}
local f = assert(io.open(out .. "/weather_tags.csv", "w"))
f:write("unit,rater,value\n")
for i = 1, #images do
  local truth = WEATHER[randint(1, 3) == 1 and randint(1, 4) or 1]
  for r, noise in ipairs {0.05, 0.1, 0.3} do
    local v = rand() < noise and WEATHER[randint(1, 4)] or truth
    if not (r == 3 and rand() < 0.1) then
      f:write(string.format("%s,annotator_%d,%s\n", images[i].file_name, r, v))
    end
  end
end
f:close()
