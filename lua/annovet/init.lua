-- The public annovet module: what user scripts see (read-only, through the sandbox)
-- and what commands build on. C does the work; this file only gathers it.
local dataset = require "annovet.dataset"
local json = require "annovet.c.json"
local util = require "annovet.c.util"

local M = {}

local version, commit = util.version()
M.version = version
M.commit = commit

-- JSON: decode(text [, name]) -> value | nil, msg; encode(value [, {pretty=true}]).
M.json = {
  decode = json.decode,
  encode = json.encode,
  array = json.array,
  null = json.null,
}

-- Datasets: load(path [, {format=, gt=}]) -> ds | nil, msg; ds:save(path, format);
-- ds:counts(), ds:summary(), ds:items(), ds:categories(), ds:annotations{...},
-- ds:filter{...}, ds:select(fn). See README, "Annotation datasets in Lua".
M.load = dataset.load
M.detect = dataset.detect
M.formats = dataset.formats

-- SHA-256 of a string, as hex.
M.sha256 = util.sha256

-- CPU seconds, for scripts that report their own timing.
M.clock = util.clock

return M
