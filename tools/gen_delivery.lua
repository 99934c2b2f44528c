-- Seeded generator of VOC, CVAT and YOLO deliveries (for tests and benchmarks),
-- with the answer: what annovet must read from them, worked out here from the
-- numbers before they were written, not by annovet. Run with lua5.4:
--   lua5.4 tools/gen_delivery.lua --format voc|cvat|yolo [--seed N] [--images N]
--                                 [--pose] OUT_DIR
-- writes the delivery into OUT_DIR (voc: Annotations/ + labelmap.txt; cvat:
-- annotations.xml; yolo: data.yaml, images/*.bmp, labels/*.txt) and
-- OUT_DIR/expected.json: {items = [{file, width, height, anns = [{type,
-- category, bbox, coords, parts, rle, attributes}]}], outside = boxes that leave
-- their image}. Coordinates in expected.json are pixels as the model holds them
-- (VOC boxes as datumaro reads them: x = xmin, w = xmax - xmin). --pose makes a
-- YOLO pose delivery (kpt_shape [4, 3]). The same seed gives the same bytes with
-- any Lua 5.4.

local opts = {seed = 1, images = 20}
local out_dir, flags = nil, {}
local i = 1
while i <= #arg do
  local a = arg[i]
  if a == "--pose" then
    flags.pose = true
  elseif a == "--format" or a == "--seed" or a == "--images" then
    opts[a:sub(3)] = a == "--format" and arg[i + 1] or tonumber(arg[i + 1])
    i = i + 1
  elseif not out_dir and a:sub(1, 2) ~= "--" then
    out_dir = a
  else
    io.stderr:write("gen_delivery.lua: bad argument '", a, "'\n")
    os.exit(2)
  end
  i = i + 1
end
if not out_dir or not ({voc = 1, cvat = 1, yolo = 1})[opts.format or ""] then
  io.stderr:write("usage: lua5.4 tools/gen_delivery.lua --format voc|cvat|yolo [--seed N] [--images N] [--pose] OUT_DIR\n")
  os.exit(2)
end
math.randomseed(opts.seed)

local function q(s) return "'" .. s:gsub("'", "'\\''") .. "'" end
assert(os.execute("mkdir -p " .. q(out_dir)))

local function write(rel, text)
  local f = assert(io.open(out_dir .. "/" .. rel, "wb"))
  f:write(text)
  f:close()
end

-- A minimal JSON encoder for expected.json (tables with [1] are arrays).
local function json(v, buf)
  local t = type(v)
  if t == "table" then
    if v[1] ~= nil or next(v) == nil and getmetatable(v) == "array" then
      buf[#buf + 1] = "["
      for k, x in ipairs(v) do
        if k > 1 then buf[#buf + 1] = "," end
        json(x, buf)
      end
      buf[#buf + 1] = "]"
    else
      local keys = {}
      for k in pairs(v) do keys[#keys + 1] = k end
      table.sort(keys)
      buf[#buf + 1] = "{"
      for k, key in ipairs(keys) do
        if k > 1 then buf[#buf + 1] = "," end
        buf[#buf + 1] = string.format("%q:", key)
        json(v[key], buf)
      end
      buf[#buf + 1] = "}"
    end
  elseif t == "string" then
    buf[#buf + 1] = '"' .. v:gsub('[%c"\\]', function(c) return string.format("\\u%04x", c:byte()) end) .. '"'
  elseif t == "number" then
    buf[#buf + 1] = math.type(v) == "integer" and tostring(v) or string.format("%.17g", v)
  else
    buf[#buf + 1] = tostring(v)
  end
  return buf
end

-- A number with d decimals as the file holds it, and its value.
local function dec(x, d)
  local s = string.format("%." .. d .. "f", x)
  return s, tonumber(s)
end

local function rnd(lo, hi) return lo + (hi - lo) * math.random() end

local expected = {items = {}, outside = 0}

-- ---- Pascal VOC ----
local function gen_voc()
  local labels = {"background", "cat", "dog", "person", "car", "bicycle"}
  local lm = {"# label:color_rgb:parts:actions"}
  for _, l in ipairs(labels) do lm[#lm + 1] = l .. "::" .. (l == "person" and "head" or "") .. ":" end
  write("labelmap.txt", table.concat(lm, "\n") .. "\n")
  assert(os.execute("mkdir -p " .. q(out_dir .. "/Annotations")))
  local poses = {"Left", "Right", "Frontal", "Unspecified"}
  local actions = {"jumping", "phoning", "reading", "walking", "other"}
  for n = 1, opts.images do
    local w, h = math.random(50, 640), math.random(50, 480)
    local sized = math.random() > 0.1
    local file = string.format("img_%04d.jpg", n)
    local item = {file = file, width = sized and w or 0, height = sized and h or 0, anns = {}}
    local x = {"<annotation>", "  <folder>VOC</folder>", "  <filename>" .. file .. "</filename>"}
    if sized then
      x[#x + 1] = string.format("  <size><width>%d</width><height>%d</height><depth>3</depth></size>", w, h)
    end
    for _ = 1, math.random(0, 5) do
      local cat = labels[math.random(2, #labels)]
      local d = math.random(0, 2)
      local s1, x1 = dec(rnd(0, w - 10), d)
      local s2, y1 = dec(rnd(0, h - 10), d)
      local out = math.random() < 0.05
      local s3, x2 = dec(x1 + rnd(1, out and w or (w - x1)), d)
      local s4, y2 = dec(y1 + rnd(1, h - y1), d)
      if sized and (x2 > w or y2 > h) then expected.outside = expected.outside + 1 end
      local attrs = {}
      x[#x + 1] = "  <object>"
      x[#x + 1] = "    <name>" .. cat .. "</name>"
      if math.random() < 0.5 then
        attrs.pose = poses[math.random(#poses)]
        x[#x + 1] = "    <pose>" .. attrs.pose .. "</pose>"
      end
      for _, flag in ipairs {"truncated", "difficult", "occluded"} do
        if math.random() < 0.7 then
          local v = math.random(0, 1)
          attrs[flag] = v == 1
          x[#x + 1] = string.format("    <%s>%d</%s>", flag, v, flag)
        end
      end
      x[#x + 1] = string.format("    <bndbox><xmin>%s</xmin><ymin>%s</ymin><xmax>%s</xmax><ymax>%s</ymax></bndbox>",
        s1, s2, s3, s4)
      local ann = {type = "box", category = cat, bbox = {x1, y1, x2 - x1, y2 - y1}, attributes = attrs}
      item.anns[#item.anns + 1] = ann
      if cat == "person" and math.random() < 0.6 then
        local a = {}
        x[#x + 1] = "    <actions>"
        for _, act in ipairs(actions) do
          local v = math.random(0, 1)
          a[act] = v == 1
          x[#x + 1] = string.format("      <%s>%d</%s>", act, v, act)
        end
        x[#x + 1] = "    </actions>"
        for k, v in pairs(a) do attrs[k] = v end
      end
      if cat == "person" and math.random() < 0.5 then
        local p1, px1 = dec(rnd(x1, x2), 1)
        local p2, py1 = dec(rnd(y1, y2), 1)
        local p3, px2 = dec(px1 + rnd(0, 5), 1)
        local p4, py2 = dec(py1 + rnd(0, 5), 1)
        if sized and (px2 > w or py2 > h) then expected.outside = expected.outside + 1 end
        x[#x + 1] = string.format("    <part><name>head</name><bndbox><xmin>%s</xmin><ymin>%s</ymin>" ..
          "<xmax>%s</xmax><ymax>%s</ymax></bndbox></part>", p1, p2, p3, p4)
        item.anns[#item.anns + 1] = {type = "box", category = "head", bbox = {px1, py1, px2 - px1, py2 - py1},
          attributes = {}, part_of = #item.anns}
      end
      x[#x + 1] = "  </object>"
    end
    x[#x + 1] = "</annotation>"
    write(string.format("Annotations/img_%04d.xml", n), table.concat(x, "\n") .. "\n")
    expected.items[#expected.items + 1] = item
  end
end

-- ---- CVAT for images 1.1 ----

-- COCO RLE (column-major runs from 0s) of the pixels set in a w x h bitmap.
local function coco_rle(bits, w, h)
  local cnts, cur, run = {}, 0, 0
  for xx = 0, w - 1 do
    for yy = 0, h - 1 do
      local v = bits[yy * w + xx] and 1 or 0
      if v ~= cur then
        cnts[#cnts + 1] = run
        run, cur = 0, v
      end
      run = run + 1
    end
  end
  cnts[#cnts + 1] = run
  return cnts
end

local function gen_cvat()
  local x = {'<?xml version="1.0" encoding="utf-8"?>', "<annotations>", "  <version>1.1</version>",
    "  <meta>", "    <task>", "      <mode>annotation</mode>", "      <labels>",
    "        <label><name>car</name><attributes>",
    "          <attribute><name>color</name><input_type>select</input_type><default_value>red</default_value><values>red\ngreen\nblue</values></attribute>",
    "          <attribute><name>parked</name><input_type>checkbox</input_type><default_value>false</default_value><values>false\ntrue</values></attribute>",
    "          <attribute><name>speed</name><input_type>number</input_type><default_value>0</default_value><values>0\n200\n1</values></attribute>",
    "        </attributes></label>",
    "        <label><name>person</name><attributes></attributes></label>",
    "        <label><name>lane</name><attributes></attributes></label>",
    "        <label><name>scene</name><attributes></attributes></label>",
    "        <label><name>pose</name><type>skeleton</type><attributes></attributes>" ..
      "<svg>&lt;line data-node-from=\"1\" data-node-to=\"2\"&gt;&lt;/line&gt;&lt;line data-node-from=\"1\" data-node-to=\"3\"&gt;&lt;/line&gt;" ..
      "&lt;circle data-node-id=\"1\" data-label-name=\"head\"&gt;&lt;/circle&gt;&lt;circle data-node-id=\"2\" data-label-name=\"lhand\"&gt;&lt;/circle&gt;" ..
      "&lt;circle data-node-id=\"3\" data-label-name=\"rhand\"&gt;&lt;/circle&gt;</svg></label>",
    "        <label><name>head</name><type>points</type><attributes></attributes><parent>pose</parent></label>",
    "        <label><name>lhand</name><type>points</type><attributes></attributes><parent>pose</parent></label>",
    "        <label><name>rhand</name><type>points</type><attributes></attributes><parent>pose</parent></label>",
    "      </labels>", "    </task>", "  </meta>"}
  local function pts(n, w, h)
    local s, c = {}, {}
    for k = 1, n do
      local sx, vx = dec(rnd(0, w), 2)
      local sy, vy = dec(rnd(0, h), 2)
      s[k] = sx .. "," .. sy
      c[2 * k - 1], c[2 * k] = vx, vy
    end
    return table.concat(s, ";"), c
  end
  for n = 1, opts.images do
    local w, h = math.random(20, 200), math.random(20, 200)
    local file = string.format("frame_%04d.png", n)
    local item = {file = file, width = w, height = h, anns = {}}
    x[#x + 1] = string.format('  <image id="%d" name="%s" width="%d" height="%d">', n - 1, file, w, h)
    for _ = 1, math.random(0, 7) do
      local kind = ({"box", "box", "polygon", "polyline", "points", "cuboid", "tag", "mask", "skeleton"})[math.random(9)]
      local occ, z = math.random(0, 1), math.random(0, 3)
      local common = string.format('occluded="%d" z_order="%d"', occ, z)
      local attrs = {occluded = occ == 1, z_order = z}
      local ann = {type = kind, attributes = attrs}
      if kind == "box" then
        ann.category = "car"
        local s1, x1 = dec(rnd(0, w - 5), 2)
        local s2, y1 = dec(rnd(0, h - 5), 2)
        local s3, x2 = dec(x1 + rnd(0.5, w - x1), 2)
        local s4, y2 = dec(y1 + rnd(0.5, h - y1), 2)
        local rot = ""
        if math.random() < 0.3 then
          local sr, r = dec(rnd(1, 359), 1)
          rot = ' rotation="' .. sr .. '"'
          ann.type = "rbox"
          ann.coords = {(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1, r}
          -- the turned box's extent: half-sizes projected on the axes
          local t = math.rad(r)
          local ex = (x2 - x1) / 2 * math.abs(math.cos(t)) + (y2 - y1) / 2 * math.abs(math.sin(t))
          local ey = (x2 - x1) / 2 * math.abs(math.sin(t)) + (y2 - y1) / 2 * math.abs(math.cos(t))
          local cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
          if cx - ex < -1e-6 or cy - ey < -1e-6 or cx + ex > w + 1e-6 or cy + ey > h + 1e-6 then
            expected.outside = expected.outside + 1
          end
        else
          ann.bbox = {x1, y1, x2 - x1, y2 - y1}
          if x2 > w or y2 > h then expected.outside = expected.outside + 1 end
        end
        local color = ({"red", "green", "blue"})[math.random(3)]
        local parked, speed = math.random() < 0.5, math.random(0, 200)
        attrs.color, attrs.parked, attrs.speed = color, parked, speed
        x[#x + 1] = string.format('    <box label="car" %s xtl="%s" ytl="%s" xbr="%s" ybr="%s"%s>', common, s1, s2, s3, s4, rot)
        x[#x + 1] = '      <attribute name="color">' .. color .. "</attribute>"
        x[#x + 1] = '      <attribute name="parked">' .. tostring(parked) .. "</attribute>"
        x[#x + 1] = '      <attribute name="speed">' .. speed .. "</attribute>"
        x[#x + 1] = "    </box>"
      elseif kind == "polygon" or kind == "polyline" or kind == "points" then
        local np = kind == "polygon" and math.random(3, 8) or kind == "polyline" and math.random(2, 6) or math.random(1, 5)
        local s, c = pts(np, w, h)
        ann.category = kind == "polyline" and "lane" or "person"
        if kind == "points" then
          local kp = {}
          for k = 1, #c, 2 do
            local at = (k - 1) // 2 * 3
            kp[at + 1], kp[at + 2], kp[at + 3] = c[k], c[k + 1], 2
          end
          ann.type, c = "keypoints", kp
        end
        ann.coords = c
        if kind == "polygon" then ann.parts = {np} end
        x[#x + 1] = string.format('    <%s label="%s" %s points="%s"/>', kind, ann.category, common, s)
      elseif kind == "cuboid" then
        ann.category = "car"
        local keys = {"xtl1", "ytl1", "xbl1", "ybl1", "xtr1", "ytr1", "xbr1", "ybr1",
                      "xtl2", "ytl2", "xbl2", "ybl2", "xtr2", "ytr2", "xbr2", "ybr2"}
        local parts, c = {}, {}
        for k, key in ipairs(keys) do
          local sv, v = dec(rnd(0, k % 2 == 1 and w or h), 2)
          parts[#parts + 1] = key .. '="' .. sv .. '"'
          c[k] = v
        end
        ann.coords = c
        x[#x + 1] = string.format('    <cuboid label="car" %s %s/>', common, table.concat(parts, " "))
      elseif kind == "tag" then
        ann.category, ann.attributes = "scene", {}
        x[#x + 1] = '    <tag label="scene" source="manual"/>'
        ann.attributes.source = "manual"
      elseif kind == "mask" then
        ann.category = "person"
        local left, top = math.random(0, w - 3), math.random(0, h - 3)
        local mw, mh = math.random(1, w - left), math.random(1, h - top)
        local bits, runs, cur, run = {}, {}, 0, 0
        for yy = 0, mh - 1 do
          for xx = 0, mw - 1 do
            local v = math.random() < 0.5 and 1 or 0
            if v == 1 then bits[(top + yy) * w + left + xx] = true end
            if v ~= cur then
              runs[#runs + 1] = run
              run, cur = 0, v
            end
            run = run + 1
          end
        end
        runs[#runs + 1] = run
        ann.rle = coco_rle(bits, w, h)
        ann.coords = {h, w}
        x[#x + 1] = string.format('    <mask label="person" %s rle="%s" left="%d" top="%d" width="%d" height="%d"/>',
          common, table.concat(runs, ", "), left, top, mw, mh)
      else
        ann.type, ann.category = "keypoints", "pose"
        x[#x + 1] = string.format('    <skeleton label="pose" z_order="%d">', z)
        ann.attributes = {z_order = z}
        local c = {}
        for k, name in ipairs {"head", "lhand", "rhand"} do
          local s, p = pts(1, w, h)
          local out, oc = math.random() < 0.2, math.random() < 0.3
          c[3 * k - 2], c[3 * k - 1], c[3 * k] = p[1], p[2], out and 0 or oc and 1 or 2
          x[#x + 1] = string.format('      <points label="%s" outside="%d" occluded="%d" points="%s"/>', name,
            out and 1 or 0, oc and 1 or 0, s)
        end
        ann.coords = c
        x[#x + 1] = "    </skeleton>"
      end
      item.anns[#item.anns + 1] = ann
    end
    x[#x + 1] = "  </image>"
    expected.items[#expected.items + 1] = item
  end
  x[#x + 1] = "</annotations>"
  write("annotations.xml", table.concat(x, "\n") .. "\n")
end

-- ---- YOLO (Ultralytics layout) ----

-- A w x h 24-bit BMP (black), which annovet reads the size of.
local function bmp(w, h)
  local row = (3 * w + 3) // 4 * 4
  local size = 54 + row * h
  return string.pack("<c2I4I2I2I4", "BM", size, 0, 0, 54) ..
    string.pack("<I4i4i4I2I2I4I4i4i4I4I4", 40, w, h, 1, 24, 0, row * h, 2835, 2835, 0, 0) ..
    string.rep("\0", row * h)
end

local function gen_yolo()
  local names = {"cat", "dog", "bird"}
  local y = {"# generated by tools/gen_delivery.lua", "path: .", "train: images", "val: images", "nc: 3",
    "names: ['cat', 'dog', 'bird']"}
  if flags.pose then y[#y + 1] = "kpt_shape: [4, 3]" end
  write("data.yaml", table.concat(y, "\n") .. "\n")
  assert(os.execute("mkdir -p " .. q(out_dir .. "/images") .. " " .. q(out_dir .. "/labels")))
  for n = 1, opts.images do
    local w, h = math.random(8, 64), math.random(8, 64)
    local stem = string.format("im_%04d", n)
    write("images/" .. stem .. ".bmp", bmp(w, h))
    local item = {file = "images/" .. stem .. ".bmp", width = w, height = h, anns = {}}
    local lines = {}
    if math.random() < 0.85 then   -- the rest are images without a label file (negatives)
      for _ = 1, math.random(0, 6) do
        local c = math.random(0, 2)
        local ann = {category = names[c + 1], attributes = {}}
        local bx, by = rnd(0, w - 1), rnd(0, h - 1)
        local bw, bh = rnd(0.5, w - bx), rnd(0.5, h - by)
        local line = {tostring(c)}
        local function norm(v, s) line[#line + 1] = string.format("%.6f", v / s) end
        if flags.pose or math.random() < 0.6 then
          norm(bx + bw / 2, w); norm(by + bh / 2, h); norm(bw, w); norm(bh, h)
          ann.type, ann.bbox = "box", {bx, by, bw, bh}
          if flags.pose then
            ann.type, ann.coords = "keypoints", {}
            for k = 1, 4 do
              local v = math.random(0, 2)
              local px, py = v == 0 and 0 or rnd(bx, bx + bw), v == 0 and 0 or rnd(by, by + bh)
              norm(px, w); norm(py, h)
              line[#line + 1] = tostring(v)
              ann.coords[3 * k - 2], ann.coords[3 * k - 1], ann.coords[3 * k] = px, py, v
            end
          end
        else
          ann.type, ann.coords = "polygon", {}
          local np = math.random(3, 7)
          for k = 1, np do
            local px, py = rnd(0, w), rnd(0, h)
            norm(px, w); norm(py, h)
            ann.coords[2 * k - 1], ann.coords[2 * k] = px, py
          end
          ann.parts = {np}
        end
        lines[#lines + 1] = table.concat(line, " ")
        item.anns[#item.anns + 1] = ann
      end
      write("labels/" .. stem .. ".txt", table.concat(lines, "\n") .. (#lines > 0 and "\n" or ""))
    end
    expected.items[#expected.items + 1] = item
  end
end

if opts.format == "voc" then gen_voc() elseif opts.format == "cvat" then gen_cvat() else gen_yolo() end
write("expected.json", table.concat(json(expected, {})) .. "\n")
