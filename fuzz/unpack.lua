-- Lays a fuzz input out as the target does, so `annovet` can read what a fuzz
-- target read: lua5.4 fuzz/unpack.lua TARGET INPUT DIR prints the path to give
-- `annovet inspect --from FORMAT`. The file names are those of fuzz/fuzz_<target>.c
-- (keep the two in step); pieces are cut at each line "--8<--", an empty piece
-- is no file, and PNG chunk CRCs are set right as fuzz/fuzz.c does.
local M = {}

M.layouts = {
  coco = {format = "coco", files = {"fuzz.json"}},
  cvat = {format = "cvat", files = {"annotations.xml"}},
  labelstudio = {format = "labelstudio", files = {"export.json"}},
  csv_tags = {format = "csv", files = {"tags.csv"}},
  voc = {format = "voc", dir = "d", files = {"d/Annotations/a.xml", "d/labelmap.txt",
    "d/ImageSets/Main/train.txt", "d/SegmentationClass/a.png", "d/Annotations/sub/b.xml"}},
  yolo = {format = "yolo", dir = "d", files = {"d/data.yaml", "d/labels/train/a.txt",
    "d/images/train/a.png", "d/obj.names", "d/classes.txt", "d/labels/val/b.txt",
    "d/images/val/b.jpg", "d/obj.data", "d/train.txt", "d/obj_train_data/c.txt",
    "d/obj_train_data/c.bmp"}},
  pngmask = {format = "pngmask", dir = "d", files = {"d/a.png", "d/classes.txt", "d/sub/b.png",
    "d/labelmap.txt"}},
}

local CRC = {}
for n = 0, 255 do
  local c = n
  for _ = 1, 8 do c = (c & 1) ~= 0 and (0xEDB88320 ~ (c >> 1)) or (c >> 1) end
  CRC[n] = c
end

local function crc32(s, i, j)
  local c = 0xFFFFFFFF
  for k = i, j do c = CRC[(c ~ s:byte(k)) & 0xFF] ~ (c >> 8) end
  return c ~ 0xFFFFFFFF
end

-- The PNG with every whole chunk's CRC recomputed (fuzz_png_fix).
function M.png_fix(s)
  if s:sub(1, 8) ~= "\x89PNG\r\n\x1a\n" then return s end
  local parts, at = {s:sub(1, 8)}, 9
  while at + 11 <= #s do
    local len = string.unpack(">I4", s, at)
    if len > #s - at + 1 - 12 then break end
    parts[#parts + 1] = s:sub(at, at + 7 + len) .. string.pack(">I4", crc32(s, at + 4, at + 7 + len))
    at = at + 12 + len
  end
  parts[#parts + 1] = s:sub(at)
  return table.concat(parts)
end

local function q(s) return "'" .. s:gsub("'", "'\\''") .. "'" end

-- Writes input's pieces under dir; returns the path to read and the format.
function M.unpack(target, input, dir)
  local l = assert(M.layouts[target], "unknown target " .. target)
  local cut, at, k = "\n--8<--\n", 1, 1
  while k <= #l.files do
    local s, e = nil, nil
    if k < #l.files then s, e = input:find(cut, at, true) end
    local piece = input:sub(at, s and s - 1 or #input)
    if #piece > 0 then
      local path = dir .. "/" .. l.files[k]
      assert(os.execute("mkdir -p " .. q(path:match("^(.*)/"))))
      if path:match("%.png$") then piece = M.png_fix(piece) end
      local f = assert(io.open(path, "wb"))
      f:write(piece)
      f:close()
    end
    k = k + 1
    if not s then break end
    at = e + 1
  end
  return dir .. "/" .. (l.dir or l.files[1]), l.format
end

if arg and arg[0] and arg[0]:match("unpack%.lua$") then
  local target, inp, dir = arg[1], arg[2], arg[3]
  if not (target and inp and dir) then
    io.stderr:write("usage: lua5.4 fuzz/unpack.lua TARGET INPUT DIR\n")
    os.exit(2)
  end
  local f = assert(io.open(inp, "rb"))
  local path, fmt = M.unpack(target, f:read("a"), dir)
  f:close()
  print(path, fmt)
end
return M
