-- Seeded generator of COCO instances files shaped like COCO val2017 (for tests and
-- bench/formats.sh). Run with lua5.4; writes JSON to stdout.
--   lua5.4 tools/gen_coco.lua [--seed N] [--images N] [--objects N] [--crowd F]
--                             [--compressed F] [--results] [--keypoints]
-- Defaults give a file like instances_val2017.json: 5,000 images, 36,781 objects
-- with polygons (some with several parts), about 1% crowd regions as RLE (a
-- fraction --compressed of them as compressed strings), 80 categories with COCO's
-- non-contiguous ids, coordinates with two decimals and areas at full precision.
-- --results writes a results array (bbox, score) instead; --keypoints gives every
-- object 17 keypoints and the category a skeleton (COCO's 1-based).
-- The same seed gives the same bytes with any Lua 5.4.

local opts = {seed = 1, images = 5000, objects = 36781, crowd = 0.012, compressed = 0.25}
local i = 1
while i <= #arg do
  local a = arg[i]
  if a == "--results" or a == "--keypoints" then
    opts[a:sub(3)] = true
  else
    local key = a:match("^%-%-(%w+)$")
    if not key or opts[key] == nil or arg[i + 1] == nil then
      io.stderr:write("gen_coco.lua: bad argument '", a, "'\n")
      os.exit(2)
    end
    opts[key] = tonumber(arg[i + 1])
    i = i + 1
  end
  i = i + 1
end
math.randomseed(opts.seed)

local out = io.stdout
local buf, nbuf = {}, 0
local function put(s)
  nbuf = nbuf + 1
  buf[nbuf] = s
  if nbuf >= 4096 then
    out:write(table.concat(buf, "", 1, nbuf))
    nbuf = 0
  end
end

-- COCO's 80 category ids (1..90 with gaps).
local CAT_IDS = {}
for id = 1, 90 do
  if not ({[12] = 1, [26] = 1, [29] = 1, [30] = 1, [45] = 1, [66] = 1, [68] = 1, [69] = 1,
           [71] = 1, [83] = 1})[id] then
    CAT_IDS[#CAT_IDS + 1] = id
  end
end

local function f2(x) return string.format("%.2f", x) end

-- pycocotools' rleToString: runs as a compressed counts string.
local function rle_string(cnts)
  local s = {}
  for k = 1, #cnts do
    local x = cnts[k]
    if k > 3 then x = x - cnts[k - 2] end
    local more = true
    while more do
      local c = x & 0x1f
      x = x // 32
      if c & 0x10 ~= 0 then more = x ~= -1 else more = x ~= 0 end
      if more then c = c | 0x20 end
      s[#s + 1] = string.char(c + 48)
    end
  end
  return table.concat(s)
end

-- Image sizes as in COCO: mostly 640 wide.
local images = {}
for k = 1, opts.images do
  local w, h = 640, ({480, 427, 425, 640, 360, 512})[math.random(6)]
  if math.random() < 0.3 then w, h = h, w end
  images[k] = {id = 100000 + k * 7, w = w, h = h}
end

-- Objects spread over the images (each image at least one when there are enough).
local per = {}
for k = 1, opts.images do per[k] = 0 end
for k = 1, opts.objects do
  local img = k <= opts.images and k or math.random(opts.images)
  per[img] = per[img] + 1
end

if not opts.results then
  put('{"info":{"description":"annovet generated COCO (seed ' .. opts.seed .. ')","version":"1.0","year":2017},\n')
  put('"licenses":[{"url":"http://example.org/license","id":1,"name":"Example License"}],\n')
  put('"images":[')
  for k, im in ipairs(images) do
    put(string.format('%s\n{"license":1,"file_name":"%012d.jpg","coco_url":"http://images.example.org/val2017/%012d.jpg",' ..
      '"height":%d,"width":%d,"date_captured":"2013-11-14 16:28:13","flickr_url":"http://farm.example.org/%d.jpg","id":%d}',
      k > 1 and "," or "", im.id, im.id, im.h, im.w, im.id, im.id))
  end
  put('\n],\n"annotations":[')
else
  put('[')
end

local SKELETON = "[[16,14],[14,12],[17,15],[15,13],[12,13],[6,12],[7,13],[6,7],[6,8],[7,9],[8,10],[9,11],[2,3],[1,2],[1,3],[2,4],[3,5],[4,6],[5,7]]"

local ann_id, first = 1, true
for k, im in ipairs(images) do
  for _ = 1, per[k] do
    local cat = opts.keypoints and 1 or CAT_IDS[math.random(#CAT_IDS)]
    local bw = math.random() * im.w * 0.6 + 2
    local bh = math.random() * im.h * 0.6 + 2
    local bx = math.random() * (im.w - bw)
    local by = math.random() * (im.h - bh)
    local sep = first and "\n" or ",\n"
    first = false
    if opts.results then
      put(string.format('%s{"image_id":%d,"category_id":%d,"bbox":[%s,%s,%s,%s],"score":%.17g}', sep, im.id, cat,
        f2(bx), f2(by), f2(bw), f2(bh), math.random()))
    else
      local seg, iscrowd
      if math.random() < opts.crowd then
        iscrowd = 1
        local total, runs, left = im.w * im.h, {}, im.w * im.h
        local n = math.random(50, 400) * 2 + 1
        for r = 1, n - 1 do
          local len = math.random(0, math.max(0, (left // (n - r + 1)) * 2))
          runs[r] = len
          left = left - len
        end
        runs[n] = left
        assert(left >= 0 and total > 0)
        if math.random() < opts.compressed then
          seg = string.format('{"size":[%d,%d],"counts":"%s"}', im.h, im.w,
            (rle_string(runs):gsub("\\", "\\\\")))
        else
          seg = string.format('{"size":[%d,%d],"counts":[%s]}', im.h, im.w, table.concat(runs, ","))
        end
      else
        iscrowd = 0
        local parts = {}
        local nparts = math.random() < 0.1 and math.random(2, 3) or 1
        for p = 1, nparts do
          local npts = math.random(8, 60)
          local cx, cy = bx + bw / 2, by + bh / 2
          local pts = {}
          for q = 1, npts do
            local t = 2 * math.pi * (q - 1) / npts
            local r = 0.5 + math.random() * 0.5
            pts[#pts + 1] = f2(cx + math.cos(t) * r * bw / 2 / p)
            pts[#pts + 1] = f2(cy + math.sin(t) * r * bh / 2 / p)
          end
          parts[p] = "[" .. table.concat(pts, ",") .. "]"
        end
        seg = "[" .. table.concat(parts, ",") .. "]"
      end
      local extra = ""
      if opts.keypoints then
        local kp = {}
        for _ = 1, 17 do
          local v = math.random(0, 2)
          if v == 0 then
            kp[#kp + 1] = "0,0,0"
          else
            kp[#kp + 1] = string.format("%d,%d,%d", math.floor(bx + math.random() * bw),
              math.floor(by + math.random() * bh), v)
          end
        end
        local nk = 0
        for _, t in ipairs(kp) do if t ~= "0,0,0" then nk = nk + 1 end end
        extra = string.format(',"num_keypoints":%d,"keypoints":[%s]', nk, table.concat(kp, ","))
      end
      put(string.format('%s{"segmentation":%s,"area":%.17g,"iscrowd":%d,"image_id":%d,"bbox":[%s,%s,%s,%s],' ..
        '"category_id":%d,"id":%d%s}', sep, seg, bw * bh * (0.5 + math.random() * 0.3), iscrowd, im.id,
        f2(bx), f2(by), f2(bw), f2(bh), cat, ann_id, extra))
    end
    ann_id = ann_id + 1
  end
end

if opts.results then
  put('\n]\n')
else
  put('\n],\n"categories":[')
  for k, id in ipairs(opts.keypoints and {1} or CAT_IDS) do
    if opts.keypoints then
      put('\n{"supercategory":"person","id":1,"name":"person","keypoints":["nose","left_eye","right_eye",' ..
        '"left_ear","right_ear","left_shoulder","right_shoulder","left_elbow","right_elbow","left_wrist",' ..
        '"right_wrist","left_hip","right_hip","left_knee","right_knee","left_ankle","right_ankle"],' ..
        '"skeleton":' .. SKELETON .. '}')
    else
      put(string.format('%s\n{"supercategory":"group%d","id":%d,"name":"class%d"}', k > 1 and "," or "",
        (id - 1) // 10, id, id))
    end
  end
  put('\n]}\n')
end
out:write(table.concat(buf, "", 1, nbuf))
