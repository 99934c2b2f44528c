-- A stored delivery read back from the store's bytes, for the commands that judge
-- or bill a batch after it was ingested (invoice, sla sample, sla check): written
-- under a new temporary folder with its recorded name and read as a dataset, the
-- temporary files removed after. A folder delivery (VOC, YOLO, PNG label images)
-- is its manifest, one line "sha256  size  path" per file (see ingest.lua): each
-- file is written back below a folder of the delivery's name, from its own blob,
-- checked against its hash.
local dataset = require "annovet.dataset"
local sha256 = require("annovet").sha256
local store = require "annovet.store"
local system = require "annovet.system"

local M = {}

-- The formats a folder delivery can have.
local FOLDER = {voc = true, yolo = true, pngmask = true}

-- The files of a manifest: {{sha256, size, path}, ...}, or nil when bytes are not
-- one (a file delivery of a format that also comes as a folder, say one VOC XML).
local function manifest_files(bytes)
  if bytes == "" or bytes:sub(-1) ~= "\n" then return nil end
  local files = {}
  for line in bytes:gmatch("([^\n]*)\n") do
    local sha, size, path = line:match("^(%x+)  (%d+)  (.+)$")
    if not sha or #sha ~= 64 then return nil end
    files[#files + 1] = {sha256 = sha, size = tonumber(size), path = path}
  end
  return files
end

-- A manifest path that stays below the folder: relative, no empty, "." or ".."
-- part.
local function inside(path)
  if path:sub(1, 1) == "/" then return false end
  for part in (path .. "/"):gmatch("([^/]*)/") do
    if part == "" or part == "." or part == ".." then return false end
  end
  return true
end

local function write(path, bytes)
  local f, err = io.open(path, "wb")
  if not f then return nil, err end
  local ok, werr = f:write(bytes)
  f:close()
  if not ok then return nil, werr end
  return true
end

-- Writes delivery d ({id, path, format, sha256}) under a new temporary folder.
-- Returns the path to read (a file, or the delivery's folder) and a function that
-- removes everything written; or nil and a message (nothing left behind).
function M.materialize(db, d)
  local where = string.format("delivery %d (%s)", d.id, d.path)
  local bytes = store.blob(db, d.sha256)
  if not bytes then return nil, where .. ": its bytes are not in the store" end
  local tmp = os.tmpname()
  os.remove(tmp)
  local ok, err = system.mkdir(tmp)
  if not ok then return nil, err end
  local files, dirs = {}, {[tmp] = true}
  local function cleanup()
    for i = #files, 1, -1 do os.remove(files[i]) end
    local list = {}
    for dir in pairs(dirs) do list[#list + 1] = dir end
    table.sort(list, function(a, b) return #a > #b end)   -- the deepest first
    for _, dir in ipairs(list) do os.remove(dir) end
  end
  local function fail(msg)
    cleanup()
    return nil, msg
  end
  local name = d.path:gsub("/+$", ""):match("([^/]+)$") or "delivery"
  local manifest = FOLDER[d.format] and manifest_files(bytes)
  if not manifest then
    local path = tmp .. "/" .. name
    files[1] = path
    local wok, werr = write(path, bytes)
    if not wok then return fail(werr) end
    return path, cleanup
  end
  local root = tmp .. "/" .. name
  for _, f in ipairs(manifest) do
    if not inside(f.path) then return fail(string.format("%s: its manifest names '%s', outside the folder", where, f.path)) end
    local file = root .. "/" .. f.path
    local parent = root
    dirs[parent] = true
    for part in f.path:gmatch("([^/]+)/") do   -- the folders above the file
      parent = parent .. "/" .. part
      dirs[parent] = true
    end
    local mok, merr = system.mkdir(parent)
    if not mok then return fail(merr) end
    local fb = store.blob(db, f.sha256)
    if not fb or sha256(fb) ~= f.sha256 then
      return fail(string.format("%s: %s: its bytes are missing from the store or differ from its hash", where, f.path))
    end
    files[#files + 1] = file
    local wok, werr = write(file, fb)
    if not wok then return fail(werr) end
  end
  return root, cleanup
end

-- load(db, d) -> Dataset | nil, message: delivery d read back from the store as
-- ingest read it (its recorded format).
function M.load(db, d)
  local path, cleanup = M.materialize(db, d)
  if not path then return nil, cleanup end
  local ds, err = dataset.load(path, {format = d.format})
  cleanup()
  if not ds then return nil, string.format("delivery %d (%s): %s", d.id, d.path, err) end
  return ds
end

return M
