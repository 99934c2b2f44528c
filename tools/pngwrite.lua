-- A small PNG writer, independent of annovet's libpng code, for generated
-- fixtures: stored (uncompressed) deflate blocks, gray, RGB or palette.
local M = {}

local CRC = {}
for n = 0, 255 do
  local c = n
  for _ = 1, 8 do c = (c & 1) ~= 0 and (0xEDB88320 ~ (c >> 1)) or (c >> 1) end
  CRC[n] = c
end

local function crc32(s)
  local c = 0xFFFFFFFF
  for k = 1, #s do c = CRC[(c ~ s:byte(k)) & 0xFF] ~ (c >> 8) end
  return c ~ 0xFFFFFFFF
end

-- A PNG chunk: length, kind, data and the CRC-32 of kind and data.
local function chunk(kind, data)
  return string.pack(">I4", #data) .. kind .. data .. string.pack(">I4", crc32(kind .. data))
end
M.chunk = chunk

-- zlib with stored (uncompressed) deflate blocks.
local function zlib_stored(raw)
  local out, a, b = {"\x78\x01"}, 1, 0
  for k = 1, #raw do
    a = (a + raw:byte(k)) % 65521
    b = (b + a) % 65521
  end
  local pos = 1
  repeat
    local piece = raw:sub(pos, pos + 65534)
    pos = pos + #piece
    out[#out + 1] = string.pack("<BI2I2", pos > #raw and 1 or 0, #piece, #piece ~ 0xFFFF) .. piece
  until pos > #raw
  out[#out + 1] = string.pack(">I4", (b << 16) | a)
  return table.concat(out)
end

-- The bytes of a PNG: opts.rows (a list of rows of values; for colour 2 each
-- value is {r, g, b}), opts.depth (1, 8 or 16), opts.color (0 gray, 2 RGB,
-- 3 palette), opts.palette (a count of entries for colour 3).
function M.encode(opts)
  local rows, depth, color = opts.rows, opts.depth or 8, opts.color or 0
  local h, w = #rows, #rows[1]
  local raw = {}
  for y = 1, h do
    local r = {"\0"}
    if depth == 1 then
      for x = 1, w, 8 do
        local byte = 0
        for k = 0, 7 do byte = byte | ((rows[y][x + k] or 0) << (7 - k)) end
        r[#r + 1] = string.char(byte)
      end
    else
      for x = 1, w do
        local v = rows[y][x]
        if color == 2 then r[#r + 1] = string.char(v[1], v[2], v[3])
        elseif depth == 16 then r[#r + 1] = string.pack(">I2", v)
        else r[#r + 1] = string.char(v) end
      end
    end
    raw[#raw + 1] = table.concat(r)
  end
  local parts = {"\x89PNG\r\n\x1a\n", chunk("IHDR", string.pack(">I4I4BBBBB", w, h, depth, color, 0, 0, 0))}
  if color == 3 then
    local pal = {}
    for k = 0, (opts.palette or 256) - 1 do pal[#pal + 1] = string.char(k, 255 - k, k // 2) end
    parts[#parts + 1] = chunk("PLTE", table.concat(pal))
  end
  parts[#parts + 1] = chunk("IDAT", zlib_stored(table.concat(raw)))
  parts[#parts + 1] = chunk("IEND", "")
  return table.concat(parts)
end

return M
