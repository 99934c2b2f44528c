-- annovet run, hardened (issue 13): every file opened for a script passes the
-- read check after its links are resolved, names inside a delivery open nothing
-- outside it, writes stay inside --out however the path is spelt, and C memory
-- is asked of the budget before it is allocated.
local H = require "tests.support.helper"

local function run_cmd(text, flags, args)
  local path = H.script(text)
  return H.run("run " .. (flags or "") .. " " .. H.q(path) .. " " .. (args or ""))
end

local function sh(cmd)
  assert(os.execute(cmd), cmd)
end

-- The bytes of a gray 8-bit PNG of w x h zeros, deflated with fixed Huffman
-- codes (a literal 0, then matches of 258 bytes at distance 1), so a picture of
-- hundreds of megabytes is a file of a few megabytes.
local function zero_png(w, h)
  local chunk = require("tools.pngwrite").chunk
  -- Bits go into bytes from the least significant end; Huffman codes are sent
  -- from their most significant bit.
  local out, acc, nbits = {}, 0, 0
  local function bits(v, n)          -- n bits of v, the lowest first
    acc = acc | (v << nbits)
    nbits = nbits + n
    while nbits >= 8 do
      out[#out + 1] = string.char(acc & 0xFF)
      acc, nbits = acc >> 8, nbits - 8
    end
  end
  local function code(c, n)          -- a Huffman code, its highest bit first
    for k = n - 1, 0, -1 do bits((c >> k) & 1, 1) end
  end
  local function literal0() code(0x30, 8) end
  local function match258() code(0xC5, 8); code(0, 5) end
  local total = (w + 1) * h          -- each row: filter byte 0, then w zeros
  local matches, rest = (total - 1) // 258, (total - 1) % 258
  assert(rest < 3 and matches >= 1)
  bits(1, 1); bits(1, 2)             -- the final block, fixed codes
  literal0()
  match258()                         -- 3 + 8 + 13 bits: byte-aligned here
  assert(nbits == 0)
  local group = {}
  local saved = out
  out = group
  for _ = 1, 8 do match258() end     -- 104 bits: 13 whole bytes
  assert(nbits == 0 and #group == 13)
  out = saved
  local left = matches - 1
  out[#out + 1] = string.rep(table.concat(group), left // 8)
  for _ = 1, left % 8 do match258() end
  for _ = 1, rest do literal0() end
  code(0, 7)                         -- end of block
  if nbits > 0 then bits(0, 8 - nbits) end
  local adler = ((total % 65521) << 16) | 1   -- every byte 0: a stays 1, b counts
  local idat = "\x78\x01" .. table.concat(out) .. string.pack(">I4", adler)
  return "\x89PNG\r\n\x1a\n" .. chunk("IHDR", string.pack(">I4I4BBBBB", w, h, 8, 0, 0, 0, 0)) ..
    chunk("IDAT", idat) .. chunk("IEND", "")
end

-- The peak resident memory, in kB, of `annovet ARGS` run by /usr/bin/time; nil
-- where it cannot be measured (no /usr/bin/time, or under valgrind).
local function peak_kb(args, cwd)
  if H.bin:find("valgrind", 1, true) or not io.open("/usr/bin/time", "rb") then return nil end
  local tf = os.tmpname()
  local cmd = "/usr/bin/time -o " .. H.q(tf) .. " -f %M " .. H.bin .. " " .. args .. " >/dev/null 2>&1"
  if cwd then cmd = "cd " .. H.q(cwd) .. " && " .. cmd end
  os.execute(cmd)
  local kb = tonumber((H.slurp(tf) or ""):match("(%d+)%s*$"))
  os.remove(tf)
  return kb
end

describe("annovet run, hardened", function()
  after_each(H.cleanup)

  describe("reads", function()
    it("follows no link out of a delivery folder (a YOLO labels folder pointing elsewhere)", function()
      local secret = H.tmpdir()
      sh("mkdir -p " .. H.q(secret .. "/labels"))
      H.write(secret .. "/labels/a.txt", "0 0.123456 0.5 0.25 0.25\n")
      local base = H.tmpdir()
      local deliv = base .. "/delivery"
      sh("mkdir -p " .. H.q(deliv))
      H.write(deliv .. "/classes.txt", "car\n")
      sh("ln -s " .. H.q(secret .. "/labels") .. " " .. H.q(deliv .. "/labels"))
      local out, err, code = run_cmd([[
        local ds, msg = annovet.load(arg[1], {format = "yolo"})
        if not ds then print("refused: " .. msg) return end
        for a in ds:annotations() do print(table.concat(a.bbox, " ")) end
      ]], "", H.q(deliv))
      assert.are.equal(0, code, err)
      assert.falsy(out:find("0.123456", 1, true), out)
      assert.truthy(out:find("^refused: .*outside what the script may read"), out)
      -- The same folder, given with --read: the labels load.
      out, err, code = run_cmd([[
        local ds = assert(annovet.load(arg[1], {format = "yolo"}))
        print(ds:counts().annotations)
      ]], "--read " .. H.q(secret), H.q(deliv))
      assert.are.equal(0, code, err)
      assert.are.equal("1\n", out)
    end)

    it("runs no file that a link beside the script points at (require)", function()
      local secret = H.tmpdir()
      H.write(secret .. "/cfg.lua", 'return "password=hunter2"\n')
      local dir = H.tmpdir()
      H.write(dir .. "/s.lua", 'print(require "cfg")\n')
      H.write(dir .. "/own.lua", 'return "own module"\n')
      H.write(dir .. "/t.lua", 'print(require "own")\n')
      sh("ln -s " .. H.q(secret .. "/cfg.lua") .. " " .. H.q(dir .. "/cfg.lua"))
      local out, err, code = H.run("run s.lua", nil, dir)
      assert.are.equal(2, code)
      assert.falsy(out:find("hunter2", 1, true), out)
      assert.truthy(err:find("cfg.lua: outside what the script may read", 1, true), err)
      out, err, code = H.run("run t.lua", nil, dir)
      assert.are.equal(0, code, err)
      assert.are.equal("own module\n", out)
    end)

    it("opens no image outside the delivery's folder for a VOC <filename>", function()
      local base = H.tmpdir()
      local deliv = base .. "/delivery"
      sh("mkdir -p " .. H.q(deliv) .. " " .. H.q(base .. "/other"))
      -- A PNG header of 7 x 9, outside the delivery but inside what the script may read.
      local png = "\x89PNG\r\n\x1a\n\0\0\0\13IHDR" .. string.pack(">I4I4", 7, 9) .. "\8\0\0\0\0"
      H.write(base .. "/other/img.png", png)
      H.write(deliv .. "/inside.png", png)
      sh("ln -s " .. H.q(base .. "/other/img.png") .. " " .. H.q(deliv .. "/link.png"))
      local function xml(name)
        return "<annotation><filename>" .. name .. "</filename><object><name>car</name>" ..
          "<bndbox><xmin>1</xmin><ymin>1</ymin><xmax>3</xmax><ymax>3</ymax></bndbox></object></annotation>"
      end
      H.write(deliv .. "/a.xml", xml("../other/img.png"))
      H.write(deliv .. "/b.xml", xml(base .. "/other/img.png"))
      H.write(deliv .. "/c.xml", xml("link.png"))
      H.write(deliv .. "/d.xml", xml("inside.png"))
      local out, err, code = run_cmd([[
        local ds = assert(annovet.load(arg[1], {format = "voc"}))
        for it in ds:items() do print(it.file, it.width, it.height) end
        for _, w in ipairs(ds:warnings()) do print("warning", w.kind, w.count) end
      ]], "--read " .. H.q(base), H.q(deliv))
      assert.are.equal(0, code, err)
      assert.truthy(out:find("../other/img.png\t0\t0\n", 1, true), out)
      assert.truthy(out:find(base .. "/other/img.png\t0\t0\n", 1, true), out)
      assert.truthy(out:find("link.png\t0\t0\n", 1, true), out)
      assert.truthy(out:find("inside.png\t7\t9\n", 1, true), out)
      assert.truthy(out:find("warning\timage outside the delivery\t3\n", 1, true), out)
    end)
  end)

  describe("writes", function()
    local coco = '{"images":[{"id":1,"file_name":"a.jpg","width":10,"height":10}],' ..
      '"categories":[{"id":1,"name":"car"}],' ..
      '"annotations":[{"id":1,"image_id":1,"category_id":1,"bbox":[1,1,2,2],"area":4,"iscrowd":0}]}'

    local function inode(path)
      local p = io.popen("stat -c %i " .. H.q(path))
      local s = p:read("a")
      p:close()
      return s
    end

    it("saves into --out itself without staging beside it or replacing it", function()
      for _, spelling in ipairs {"out/", "out", "out/.", "out//", "./out/./"} do
        local dir = H.tmpdir()
        H.write(dir .. "/in.json", coco)
        sh("mkdir " .. H.q(dir .. "/out"))
        H.write(dir .. "/s.lua", [[
          local ds = assert(annovet.load(arg[1]))
          assert(ds:save(arg[2], "yolo"))
          print("saved")
        ]])
        local before = inode(dir .. "/out")
        local out, err, code = H.run("run --out out s.lua in.json " .. H.q(spelling), nil, dir)
        assert.are.equal(0, code, spelling .. ": " .. err)
        assert.are.equal("saved\n", out)
        assert.are.equal(before, inode(dir .. "/out"), spelling .. ": --out was replaced")
        assert.truthy(io.open(dir .. "/out/data.yaml", "rb"), spelling)
        -- Nothing was staged beside --out: the folder holds only what it held.
        local p = io.popen("ls -A " .. H.q(dir))
        assert.are.equal("in.json\nout\ns.lua\n", p:read("a"))
        p:close()
      end
    end)

    it("saves inside --out however the path is spelt", function()
      local dir = H.tmpdir()
      H.write(dir .. "/in.json", coco)
      H.write(dir .. "/s.lua", [[
        local ds = assert(annovet.load(arg[1]))
        assert(ds:save(arg[2], arg[3]))
        print("saved")
      ]])
      for _, case in ipairs {{"out/./a.json", "coco", "out/a.json"}, {"out//b/", "yolo", "out/b/data.yaml"},
                             {"./out/c/.", "yolo", "out/c/data.yaml"}} do
        local out, err, code = H.run("run --out out s.lua in.json " .. H.q(case[1]) .. " " .. case[2], nil, dir)
        assert.are.equal(0, code, case[1] .. ": " .. err)
        assert.are.equal("saved\n", out)
        assert.truthy(io.open(dir .. "/" .. case[3], "rb"), case[1])
      end
      local p = io.popen("ls -A " .. H.q(dir .. "/out"))
      assert.are.equal("a.json\nb\nc\n", p:read("a"))
      p:close()
    end)
  end)

  describe("C memory", function()
    it("asks the budget before geom.decode fills a 65535 x 65535 mask", function()
      local script = H.script([[
        local n = 65535 * 65535
        print(#annovet.geom.decode({size = {65535, 65535}, counts = {n}}))
      ]])
      local out, err, code = H.run("run --max-memory 50M " .. H.q(script))
      assert.are.equal(2, code, err)
      assert.are.equal("", out)
      assert.truthy(err:find("memory limit reached (--max-memory 50 MiB)", 1, true), err)
      local kb = peak_kb("run --max-memory 50M " .. H.q(script))
      if kb then assert.is_true(kb < 200 * 1024, "peak " .. kb .. " kB") end
    end)

    it("asks the budget before it decodes a PNG label image", function()
      local dir = H.tmpdir()
      local masks = dir .. "/masks"
      sh("mkdir -p " .. H.q(masks))
      local png = zero_png(16384, 16384)
      assert.is_true(#png < 4 * 1024 * 1024, #png)
      for k = 1, 3 do H.write(masks .. "/m" .. k .. ".png", png) end
      H.write(dir .. "/classes.txt", "background\ncar\n")
      local script = H.script([[
        local ds, msg = annovet.load(arg[1], {format = "pngmask"})
        print(ds and ds:counts().items or msg)
      ]])
      local args = "run --max-memory 100M " .. H.q(script) .. " " .. H.q(dir)
      local out, err, code = H.run(args)
      assert.are.equal(2, code, out .. err)
      assert.are.equal("", out)
      assert.truthy(err:find("memory limit reached (--max-memory 100 MiB)", 1, true), err)
      local kb = peak_kb(args)
      if kb then assert.is_true(kb < 200 * 1024, "peak " .. kb .. " kB") end
    end)
    it("asks the budget before it decodes a Label Studio brush mask", function()
      -- label-studio-converter's RLE of a 16384 x 16384 mask, every pixel set: a
      -- 32-bit count of values (w * h * 4), 5 bits of value width - 1 (0: 1 bit),
      -- four 4-bit run-length widths - 1 (15: 16 bits); then runs of 65536
      -- repeated values, each 1 (repeat) 11 (the 16-bit width) 65535 (count - 1)
      -- and the value 1.
      local bytes, acc, nbits = {}, 0, 0
      local function bits(v, n)
        for k = n - 1, 0, -1 do
          acc = (acc << 1) | ((v >> k) & 1)
          nbits = nbits + 1
          if nbits == 8 then bytes[#bytes + 1] = tostring(acc); acc, nbits = 0, 0 end
        end
      end
      local side = 16384
      bits(side * side * 4, 32); bits(0, 5)
      for _ = 1, 4 do bits(15, 4) end
      for _ = 1, side * side * 4 // 65536 do bits(1, 1); bits(3, 2); bits(65535, 16); bits(1, 1) end
      if nbits > 0 then bits(0, 8 - nbits) end
      local dir = H.tmpdir()
      local path = H.write(dir .. "/brush.json", '[{"id": 1, "data": {"image": "m.png"}, "annotations": [' ..
        '{"result": [{"id": "b1", "type": "brushlabels", "from_name": "tag", "to_name": "image", ' ..
        '"original_width": ' .. side .. ', "original_height": ' .. side .. ', "value": {"format": "rle", ' ..
        '"rle": [' .. table.concat(bytes, ",") .. '], "brushlabels": ["car"]}}]}]}]')
      local script = H.script([[
        local ds, msg = annovet.load(arg[1])
        print(ds and ds:counts().annotations or msg)
      ]])
      local out, err, code = H.run("run " .. H.q(script) .. " " .. H.q(path))
      assert.are.equal(0, code, err)
      assert.are.equal("1\n", out)     -- the stream is a valid mask
      out, err, code = H.run("run --max-memory 50M " .. H.q(script) .. " " .. H.q(path))
      assert.are.equal(2, code, out .. err)
      assert.truthy(err:find("memory limit reached (--max-memory 50 MiB)", 1, true), err)
    end)
    it("asks the budget before it paints a label image to save", function()
      local side = 16384
      local dir = H.tmpdir()
      local coco = H.write(dir .. "/in.json", string.format('{"images":[{"id":1,"file_name":"a.png",' ..
        '"width":%d,"height":%d}],"categories":[{"id":1,"name":"car"}],"annotations":[{"id":1,"image_id":1,' ..
        '"category_id":1,"iscrowd":1,"area":%d,"bbox":[0,0,%d,%d],' ..
        '"segmentation":{"size":[%d,%d],"counts":[0,%d]}}]}', side, side, side * side, side, side,
        side, side, side * side))
      H.write(dir .. "/s.lua", [[
        local ds = assert(annovet.load(arg[1]))
        print(ds:save(arg[2], "pngmask"))
      ]])
      local out, err, code = H.run("run --max-memory 50M --out out s.lua in.json out/masks", nil, dir)
      assert.are.equal(2, code, out .. err)
      assert.are.equal("", out)
      assert.truthy(err:find("memory limit reached (--max-memory 50 MiB)", 1, true), err)
      assert.is_nil(io.open(dir .. "/out/masks/classes.txt", "rb"))
      local kb = peak_kb("run --max-memory 50M --out out s.lua in.json out/masks2", dir)
      if kb then assert.is_true(kb < 200 * 1024, "peak " .. kb .. " kB") end
    end)
    it("asks the budget before weighted agreement makes its q x q weights", function()
      -- 4096 categories (the most weights take): 128 MiB of weights.
      local script = H.script([[
        local units = {}
        for i = 1, 4096 do units[i] = {a = i, b = i} end
        local r, msg = annovet.agree.cohen_kappa({units = units}, {weights = "linear"})
        print(r and r.value or msg)
      ]])
      local out, err, code = H.run("run --max-memory 50M " .. H.q(script))
      assert.are.equal(2, code, out .. err)
      assert.truthy(err:find("memory limit reached (--max-memory 50 MiB)", 1, true), err)
      out, err, code = H.run("run --max-memory 200M " .. H.q(script))
      assert.are.equal(0, code, err)
      assert.are.equal("1.0\n", out)
    end)
  end)

  describe("smaller", function()
    it("names the line once when the step limit stops code inside coroutine.wrap", function()
      local _, err, code = run_cmd("local f = coroutine.wrap(function()\n  while true do end\nend)\nf()\n",
        "--max-steps 100000")
      assert.are.equal(2, code)
      local first = err:match("^[^\n]*")
      assert.truthy(first:find("script.lua:2: instruction limit reached", 1, true), first)
      local _, n = first:gsub("script%.lua:%d+:", "")
      assert.are.equal(1, n, first)
    end)

    it("runs a script saved with a UTF-8 byte-order mark, as lua does", function()
      local out, err, code = run_cmd("\xEF\xBB\xBFprint('bom ok')\n")
      assert.are.equal(0, code, err)
      assert.are.equal("bom ok\n", out)
      local dir = H.tmpdir()
      H.write(dir .. "/m.lua", "\xEF\xBB\xBFreturn 'module ok'\n")
      H.write(dir .. "/s.lua", "\xEF\xBB\xBF#!/usr/bin/env annovet\nprint(require 'm')\n")
      out, err, code = H.run("run s.lua", nil, dir)
      assert.are.equal(0, code, err)
      assert.are.equal("module ok\n", out)
    end)
  end)
end)
