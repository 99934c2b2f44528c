-- Datasets in Lua: loading, and the methods composed from the C binding's counts
-- and iterators (summary, select). C reads, writes and counts; this file only
-- gathers what commands and scripts ask for.
local json = require "annovet.c.json"
local model = require "annovet.c.model"

local M = {}
local methods = model.methods

-- A summary of what the dataset holds, for `annovet inspect` and scripts:
-- {format, items, annotations, categories, annotators, by_type, by_class,
--  by_annotator, warnings = {{kind, count, example}, ...}}.
function methods:summary()
  local c = self:counts()
  return {
    format = self:format(),
    items = c.items,
    annotations = c.annotations,
    categories = c.categories,
    annotators = c.annotators,
    by_type = c.by_type,
    by_class = c.by_class,
    by_annotator = c.by_annotator,
    warnings = json.array(self:warnings()),
  }
end

-- A new dataset with the annotations for which keep(annotation) is true
-- (every item is kept, so empty images stay).
function methods:select(keep)
  local idx = {}
  for a in self:annotations() do
    if keep(a) then idx[#idx + 1] = a.index end
  end
  return self:subset(idx)
end

-- Checks a format name: true, or nil and a message listing the known ones.
-- With mode "write", the format must also be writable.
function M.check_format(name, mode)
  local names = {}
  for _, f in ipairs(model.formats()) do
    if f.name == name and (mode ~= "write" or f.write) then return true end
    if mode ~= "write" or f.write then names[#names + 1] = f.name end
  end
  return nil, string.format("annovet cannot %s '%s' (it %ss %s)", mode or "read", name,
    mode or "read", table.concat(names, ", "))
end

-- load(path [, {format = NAME, gt = Dataset, counts_only = bool}]) -> Dataset |
-- nil, message. counts_only checks every mask but keeps no runs: such a dataset
-- answers counts, format and warnings only.
M.load = model.load

-- summarize(path [, {format = NAME, gt = Dataset}]) -> the summary | nil, message,
-- option at fault:
-- the file read as load reads it (the same checks, the same warnings) for its
-- counts only, so a big mask delivery is not held in memory to be counted.
function M.summarize(path, opts)
  opts = opts or {}
  local ds, err, option = model.load(path, {format = opts.format, gt = opts.gt, counts_only = true})
  if not ds then return nil, err, option end
  local s = ds:summary()
  ds:close()
  return s
end
-- detect(path) -> format name | nil, message.
M.detect = model.detect
-- formats() -> {{name, description, read, write}, ...}.
M.formats = model.formats

return M
