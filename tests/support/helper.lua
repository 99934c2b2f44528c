-- Shared by the specs: run the real binary as a black box (Lua's testes/main.lua,
-- jq's tests/setup), temporary files, and the shared fixtures.
local H = {}

H.bin = os.getenv("ANNOVET") or "./annovet"
-- The shared fixtures of other people's tools, for the interoperability tests:
-- ANNOVET_SHARED names the folder holding fixtures/ (default ../shared, beside
-- the clone); ANNOVET_SHARED=/nonexistent runs the suite as a clone without it.
H.shared = os.getenv("ANNOVET_SHARED") or "../shared"

-- Shell-quotes one word.
function H.q(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

local function slurp(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s
end
H.slurp = slurp

function H.write(path, text)
  local f = assert(io.open(path, "wb"))
  f:write(text)
  f:close()
  return path
end

-- Runs `annovet ARGS` (a string, already quoted), with stdin text and in folder cwd
-- when given, and returns stdout, stderr, exit code.
function H.run(args, stdin, cwd)
  local errf = os.tmpname()
  local cmd = H.bin .. " " .. args .. " 2>" .. errf
  if cwd then cmd = "cd " .. H.q(cwd) .. " && " .. cmd end
  if stdin then
    local inf = os.tmpname()
    H.write(inf, stdin)
    cmd = cmd .. " <" .. inf
  end
  local p = assert(io.popen(cmd, "r"))
  local out = p:read("a")
  local _, _, code = p:close()
  local err = slurp(errf) or ""
  os.remove(errf)
  return out, err, code
end

-- A fresh temporary directory, removed by H.cleanup().
local dirs = {}
-- Runs query on the store db through the sqlite3 CLI (independent of annovet's
-- SQLite binding); returns what it printed.
function H.sql(db, query)
  local p = assert(io.popen("sqlite3 " .. H.q(db) .. " " .. H.q(query)))
  local out = p:read("a")
  p:close()
  return out
end

-- SHA-256 of a file by coreutils, independent of annovet's libsodium.
function H.sha256sum(path)
  local p = assert(io.popen("sha256sum " .. H.q(path)))
  local out = p:read("a")
  p:close()
  return out:match("^(%x+)")
end

function H.tmpdir()
  local name = os.tmpname()
  os.remove(name)
  assert(os.execute("mkdir -p " .. H.q(name)))
  dirs[#dirs + 1] = name
  return name
end

function H.cleanup()
  for _, d in ipairs(dirs) do os.execute("rm -rf " .. H.q(d)) end
  dirs = {}
end

-- Writes a Lua script into a temporary directory and returns its path.
function H.script(text, name)
  local dir = H.tmpdir()
  return H.write(dir .. "/" .. (name or "script.lua"), text)
end

-- Message of the interoperability tests that did not run; tests/support/summary.lua
-- counts the pending tests that give it and names them on a line of their own.
H.NO_SHARED = "shared fixtures not found (ANNOVET_SHARED, default ../shared)"

-- Path of a shared fixture, or nil when the shared folder is absent (the spec
-- then reports itself pending with H.NO_SHARED).
function H.fixture(rel)
  local path = H.shared .. "/fixtures/" .. rel
  local f = io.open(path, "rb")
  if not f then return nil end
  f:close()
  return path
end

-- The value a data file under tests/data/ returns (a Lua table of reference
-- values kept out of the spec, where lines of thousands of characters hid the
-- code); rel is relative to tests/data/.
function H.data(rel)
  return dofile("tests/data/" .. rel)
end

-- The path of a file under tests/data/.
function H.datafile(rel)
  return "tests/data/" .. rel
end

H.json = require "dkjson"

-- Decodes JSON text, failing the test with the text when it is not JSON.
function H.decode(text)
  local v, _, err = H.json.decode(text, 1, H.json.null)
  if err then error("not JSON (" .. err .. "): " .. text, 2) end
  return v
end

-- |a - b| <= tol, with a message naming both.
function H.near(a, b, tol, what)
  tol = tol or 1e-9
  assert(type(a) == "number" and type(b) == "number" and math.abs(a - b) <= tol,
    string.format("%s: expected %.17g, got %s (tolerance %g)", what or "value", b, tostring(a), tol))
end

-- Parses simple CSV text (quoted fields may hold commas and doubled quotes) into
-- rows of strings; with header, into tables keyed by the first row's names.
function H.csv_rows(text, header)
  local rows = {}
  for line in text:gmatch("([^\n]*)\n") do
    local row, pos = {}, 1
    while pos <= #line + 1 do
      if line:sub(pos, pos) == '"' then
        local s, i = "", pos + 1
        while true do
          local q = line:find('"', i, true)
          s = s .. line:sub(i, q - 1)
          if line:sub(q + 1, q + 1) == '"' then s, i = s .. '"', q + 2 else pos = q + 2 break end
        end
        row[#row + 1] = s
      else
        local c = line:find(",", pos, true) or #line + 1
        row[#row + 1] = line:sub(pos, c - 1)
        pos = c + 1
      end
    end
    rows[#rows + 1] = row
  end
  if not header then return rows end
  local keyed = {}
  for i = 2, #rows do
    local t = {}
    for j, name in ipairs(rows[1]) do t[name] = rows[i][j] end
    keyed[#keyed + 1] = t
  end
  return keyed
end

return H
