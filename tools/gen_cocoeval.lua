-- Seeded generator of COCO ground truths and detection results, for cocoeval's
-- tests and benchmark. Run with plain Lua 5.4:
--   lua5.4 tools/gen_cocoeval.lua --seed 1 --images 5000 --out DIR [--kind instances|keypoints]
--     [--dets 100] [--objects 7.3]
-- instances: DIR/gt.json (polygons, some in two parts, ~1% crowd regions as
--   uncompressed RLE, images without annotations, 80 categories with COCO's
--   non-contiguous ids), DIR/dt_bbox.json and DIR/dt_segm.json (compressed RLE
--   ellipses), up to --dets results per image with many tied scores.
-- keypoints: DIR/gt.json (person with 17 keypoints, some with none labelled, crowd
--   regions) and DIR/dt_keypoints.json.
-- The same arguments give the same bytes on any machine: a 64-bit integer PRNG
-- (splitmix64) and only +, -, *, / and sqrt on the numbers written.
package.path = (arg[0]:match("^(.*)/") or ".") .. "/?.lua;" .. package.path   -- the tools' own modules

local opts = {seed = 1, images = 100, out = nil, kind = "instances", dets = 100, objects = 7.3}
do
  local i = 1
  while i <= #arg do
    local k, v = arg[i]:match("^%-%-([%w-]+)$"), arg[i + 1]
    if not k or v == nil then error("usage: gen_cocoeval.lua --seed S --images N --out DIR [--kind K] [--dets D] [--objects M]") end
    k = k:gsub("-", "_")
    opts[k] = tonumber(v) or v
    i = i + 2
  end
  assert(opts.out, "--out DIR is required")
end

local rng = require("splitmix").new(opts.seed)
local rand, randint = rng.rand, rng.randint
local function uniform(a, b) return a + (b - a) * rand() end
local function pick(t) return t[randint(1, #t)] end

-- unit vectors of 16 directions (literals, so no libm enters the output)
local DIRS = {
  {1, 0}, {0.92387953251128674, 0.38268343236508978}, {0.70710678118654757, 0.70710678118654757},
  {0.38268343236508978, 0.92387953251128674}, {0, 1}, {-0.38268343236508978, 0.92387953251128674},
  {-0.70710678118654757, 0.70710678118654757}, {-0.92387953251128674, 0.38268343236508978}, {-1, 0},
  {-0.92387953251128674, -0.38268343236508978}, {-0.70710678118654757, -0.70710678118654757},
  {-0.38268343236508978, -0.92387953251128674}, {0, -1}, {0.38268343236508978, -0.92387953251128674},
  {0.70710678118654757, -0.70710678118654757}, {0.92387953251128674, -0.38268343236508978},
}

local SIZES = {{640, 480}, {480, 640}, {640, 427}, {427, 640}, {500, 375}, {640, 360}, {612, 612}, {333, 500}}
-- COCO's 80 category ids
local CAT_IDS = {}
for id = 1, 90 do
  if not ({[12] = 1, [26] = 1, [29] = 1, [30] = 1, [45] = 1, [66] = 1, [68] = 1, [69] = 1, [71] = 1, [83] = 1})[id] then
    CAT_IDS[#CAT_IDS + 1] = id
  end
end
local KP_NAMES = {"nose", "left_eye", "right_eye", "left_ear", "right_ear", "left_shoulder", "right_shoulder",
  "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_hip", "right_hip", "left_knee", "right_knee",
  "left_ankle", "right_ankle"}
local SKELETON = "[[16,14],[14,12],[17,15],[15,13],[12,13],[6,12],[7,13],[6,7],[6,8],[7,9],[8,10],[9,11]," ..
  "[2,3],[1,2],[1,3],[2,4],[3,5],[4,6],[5,7]]"

local function f2(x) return string.format("%.2f", x) end

-- A category index skewed towards the first ones (person-like frequencies).
local function skewed_cat(n)
  local u = rand()
  return math.min(n, 1 + math.floor(n * u * u * u))
end

-- Object size: COCO's mix of small, medium and large, within the image.
local function object_box(W, H)
  local u, side = rand(), nil
  if u < 0.41 then side = uniform(4, 32) elseif u < 0.75 then side = uniform(32, 96)
  else side = uniform(96, math.min(W, H) * 0.95) end
  local aspect = uniform(0.5, 2)
  local w, h = side * aspect, side / aspect
  if w > W - 2 then w = W - 2 end
  if h > H - 2 then h = H - 2 end
  return uniform(0, W - w), uniform(0, H - h), w, h
end

-- A star-shaped polygon in the box: directions every 1, 2 or 4 steps, radii jittered.
local function star(x, y, w, h)
  local step, pts = pick {1, 2, 2, 4}, {}
  local cx, cy = x + w / 2, y + h / 2
  for d = 1, 16, step do
    local r = uniform(0.6, 1)
    pts[#pts + 1] = cx + DIRS[d][1] * r * w / 2
    pts[#pts + 1] = cy + DIRS[d][2] * r * h / 2
  end
  for i = 1, #pts do pts[i] = tonumber(f2(pts[i])) end
  return pts
end

local function shoelace(p)
  local s, n = 0, #p // 2
  for i = 1, n do
    local j = i % n + 1
    s = s + p[2 * i - 1] * p[2 * j] - p[2 * j - 1] * p[2 * i]
  end
  return math.abs(s) / 2
end

local function poly_bbox(parts)
  local x0, y0, x1, y1 = math.huge, math.huge, -math.huge, -math.huge
  for _, p in ipairs(parts) do
    for i = 1, #p, 2 do
      x0, x1 = math.min(x0, p[i]), math.max(x1, p[i])
      y0, y1 = math.min(y0, p[i + 1]), math.max(y1, p[i + 1])
    end
  end
  return x0, y0, x1 - x0, y1 - y0
end

-- Column-major runs of the ellipse inscribed in box (x, y, w, h) at W x H: a
-- pixel is in when its centre is; runs that touch across columns are joined.
local function ellipse_runs(x, y, w, h, W, H)
  local out, pos = {}, 0
  local cx, cy, rx, ry = x + w / 2, y + h / 2, w / 2, h / 2
  local c0, c1 = math.max(0, math.ceil(x - 0.5)), math.min(W - 1, math.floor(x + w - 0.5))
  for c = c0, c1 do
    local t = (c + 0.5 - cx) / rx
    if t * t < 1 then
      local hh = ry * math.sqrt(1 - t * t)
      local r0 = math.max(0, math.ceil(cy - hh - 0.5))
      local r1 = math.min(H - 1, math.floor(cy + hh - 0.5))
      if r0 <= r1 then
        local start, len = c * H + r0, r1 - r0 + 1
        if start == pos and #out >= 2 then
          out[#out] = out[#out] + len
        else
          out[#out + 1] = start - pos
          out[#out + 1] = len
        end
        pos = start + len
      end
    end
  end
  out[#out + 1] = W * H - pos
  return out
end

-- COCO's compressed counts string (pycocotools rleToString).
local function rle_string(cnts)
  local out = {}
  for i, v in ipairs(cnts) do
    local x = v
    if i > 3 then x = x - cnts[i - 2] end
    local more = true
    while more do
      local c = x & 0x1f
      x = x >> 5
      if x >= (1 << 58) then x = x | (-1 << 59) end   -- arithmetic shift
      if c & 0x10 ~= 0 then more = x ~= -1 else more = x ~= 0 end
      if more then c = c | 0x20 end
      out[#out + 1] = string.char(c + 48)
    end
  end
  return table.concat(out)
end

local function write(path, parts)
  local f = assert(io.open(path, "wb"))
  f:write(table.concat(parts))
  f:close()
end

local function join_numbers(t, fmt)
  local s = {}
  for i, v in ipairs(t) do s[i] = fmt and fmt(v) or tostring(v) end
  return table.concat(s, ",")
end

-- ---- the ground truth ----
local keypoints = opts.kind == "keypoints"
local ncat = keypoints and 1 or #CAT_IDS
local images, anns, objs = {}, {}, {}
local aid = 0
for i = 1, opts.images do
  local img_id = 1000 + 7 * i
  local sz = pick(SIZES)
  local W, H = sz[1], sz[2]
  images[#images + 1] = string.format('{"id":%d,"file_name":"%012d.jpg","width":%d,"height":%d}', img_id, img_id, W, H)
  local n = rand() < 0.03 and 0 or math.floor(uniform(0, 2 * opts.objects))
  objs[i] = {W = W, H = H, id = img_id, list = {}}
  for _ = 1, n do
    aid = aid + 1
    local cat = keypoints and 1 or CAT_IDS[skewed_cat(ncat)]
    local x, y, w, h = object_box(W, H)
    local o = {cat = cat, crowd = rand() < 0.01 and 1 or 0}
    local seg
    if o.crowd == 1 then
      local runs = ellipse_runs(x, y, w, h, W, H)
      local area = 0
      for k = 2, #runs, 2 do area = area + runs[k] end
      seg = string.format('{"counts":[%s],"size":[%d,%d]}', join_numbers(runs), H, W)
      o.area = area
      o.x, o.y, o.w, o.h = tonumber(f2(x)), tonumber(f2(y)), tonumber(f2(w)), tonumber(f2(h))
    else
      local parts = {star(x, y, w, h)}
      if rand() < 0.05 and w > 8 then
        parts[1] = star(x, y, w / 2, h)
        parts[2] = star(x + w / 2, y, w / 2, h)
      end
      local area = 0
      for _, p in ipairs(parts) do area = area + shoelace(p) end
      local ps = {}
      for k, p in ipairs(parts) do ps[k] = "[" .. join_numbers(p, f2) .. "]" end
      seg = "[" .. table.concat(ps, ",") .. "]"
      o.area = tonumber(f2(area))
      o.x, o.y, o.w, o.h = poly_bbox(parts)
    end
    local extra = ""
    if keypoints then
      local kp, nk = {}, 0
      local none = rand() < 0.1
      for k = 1, 17 do
        local v = none and 0 or pick {0, 1, 2, 2, 2}
        if v > 0 then
          kp[#kp + 1] = f2(o.x + uniform(0, o.w)); kp[#kp + 1] = f2(o.y + uniform(0, o.h)); nk = nk + 1
        else
          kp[#kp + 1] = "0"; kp[#kp + 1] = "0"
        end
        kp[#kp + 1] = tostring(v)
      end
      o.kp = kp
      extra = string.format(',"keypoints":[%s],"num_keypoints":%d', table.concat(kp, ","), nk)
    end
    anns[#anns + 1] = string.format('{"id":%d,"image_id":%d,"category_id":%d,"segmentation":%s,"area":%s,' ..
      '"bbox":[%s,%s,%s,%s],"iscrowd":%d%s}', aid, img_id, cat, seg, f2(o.area), f2(o.x), f2(o.y), f2(o.w),
      f2(o.h), o.crowd, extra)
    table.insert(objs[i].list, o)
  end
end
local cats = {}
if keypoints then
  local names = {}
  for k, nm in ipairs(KP_NAMES) do names[k] = '"' .. nm .. '"' end
  cats[1] = string.format('{"id":1,"name":"person","supercategory":"person","keypoints":[%s],"skeleton":%s}',
    table.concat(names, ","), SKELETON)
else
  for k, id in ipairs(CAT_IDS) do cats[k] = string.format('{"id":%d,"name":"class%02d","supercategory":"thing"}', id, id) end
end
write(opts.out .. "/gt.json", {'{"info":{"description":"annovet gen_coco.lua seed ', tostring(opts.seed),
  '"},"images":[', table.concat(images, ","), '],"annotations":[', table.concat(anns, ","),
  '],"categories":[', table.concat(cats, ","), "]}\n"})

-- ---- the results ----
local bbox_out, segm_out, kp_out = {}, {}, {}
for i = 1, opts.images do
  local im = objs[i]
  local W, H = im.W, im.H
  local dets = {}
  for _, o in ipairs(im.list) do
    if rand() < 0.85 then
      local s = uniform(0.8, 1.2)
      local w, h = o.w * s * uniform(0.9, 1.1), o.h * s * uniform(0.9, 1.1)
      local x = o.x + (o.w - w) / 2 + uniform(-0.15, 0.15) * o.w
      local y = o.y + (o.h - h) / 2 + uniform(-0.15, 0.15) * o.h
      local cat = o.cat
      if not keypoints and rand() < 0.05 then cat = CAT_IDS[skewed_cat(ncat)] end
      dets[#dets + 1] = {x = x, y = y, w = w, h = h, cat = cat, score = uniform(0.3, 1), src = o}
    end
  end
  local total = rand() < 0.5 and opts.dets or randint(math.min(#dets, opts.dets), opts.dets)
  while #dets < total do
    local x, y, w, h = object_box(W, H)
    dets[#dets + 1] = {x = x, y = y, w = w, h = h, cat = keypoints and 1 or CAT_IDS[skewed_cat(ncat)],
      score = uniform(0.01, 0.6)}
  end
  while #dets > opts.dets do table.remove(dets) end
  for _, d in ipairs(dets) do
    d.x, d.y = math.max(0, d.x), math.max(0, d.y)
    d.w, d.h = math.min(d.w, W - d.x), math.min(d.h, H - d.y)
    local score = string.format("%.3f", d.score)
    if keypoints then
      local kp = {}
      local noise = math.sqrt(d.w * d.h) * 0.05
      for k = 1, 17 do
        local sx, sy
        if d.src and d.src.kp[3 * k] ~= "0" then
          sx, sy = tonumber(d.src.kp[3 * k - 2]), tonumber(d.src.kp[3 * k - 1])
        else
          sx, sy = d.x + uniform(0, d.w), d.y + uniform(0, d.h)
        end
        kp[#kp + 1] = f2(sx + uniform(-noise, noise)); kp[#kp + 1] = f2(sy + uniform(-noise, noise)); kp[#kp + 1] = "1"
      end
      kp_out[#kp_out + 1] = string.format('{"image_id":%d,"category_id":1,"keypoints":[%s],"score":%s}',
        im.id, table.concat(kp, ","), score)
    else
      bbox_out[#bbox_out + 1] = string.format('{"image_id":%d,"category_id":%d,"bbox":[%s,%s,%s,%s],"score":%s}',
        im.id, d.cat, f2(d.x), f2(d.y), f2(d.w), f2(d.h), score)
      local runs = ellipse_runs(tonumber(f2(d.x)), tonumber(f2(d.y)), tonumber(f2(d.w)), tonumber(f2(d.h)), W, H)
      segm_out[#segm_out + 1] = string.format('{"image_id":%d,"category_id":%d,"segmentation":{"size":[%d,%d],' ..
        '"counts":"%s"},"score":%s}', im.id, d.cat, H, W, (rle_string(runs):gsub("\\", "\\\\")), score)
    end
  end
end
if keypoints then
  write(opts.out .. "/dt_keypoints.json", {"[", table.concat(kp_out, ","), "]\n"})
else
  write(opts.out .. "/dt_bbox.json", {"[", table.concat(bbox_out, ","), "]\n"})
  write(opts.out .. "/dt_segm.json", {"[", table.concat(segm_out, ","), "]\n"})
end
