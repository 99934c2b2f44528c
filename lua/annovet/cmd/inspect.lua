-- annovet inspect: what a delivery holds (format, items, classes, counts, warnings).
local annovet = require "annovet"
local dataset = require "annovet.dataset"
local output = require "annovet.output"

local USAGE = "annovet inspect FILE|DIR [--format json|table] [--from FORMAT] [--gt FILE]"

-- name -> count table as a list sorted by count (descending), then name.
local function ranked(t)
  local list = {}
  for k, v in pairs(t) do list[#list + 1] = {k, v} end
  table.sort(list, function(a, b)
    if a[2] ~= b[2] then return a[2] > b[2] end
    return a[1] < b[1]
  end)
  return list
end

local function table_text(path, s)
  local out = {
    string.format("%s: %s", path, s.format),
    string.format("  items        %d", s.items),
    string.format("  annotations  %d", s.annotations),
    string.format("  categories   %d", s.categories),
    string.format("  annotators   %d", s.annotators),
  }
  for _, section in ipairs {{"by type", s.by_type}, {"by class", s.by_class}, {"by annotator", s.by_annotator}} do
    local list = ranked(section[2])
    if #list > 0 then
      out[#out + 1] = section[1] .. ":"
      for _, kv in ipairs(list) do out[#out + 1] = string.format("  %-24s %d", kv[1], kv[2]) end
    end
  end
  if #s.warnings > 0 then
    out[#out + 1] = "warnings:"
    for _, w in ipairs(s.warnings) do
      out[#out + 1] = string.format("  %s: %d (first: %s)", w.kind, w.count, w.example)
    end
  end
  return table.concat(out, "\n")
end

return {
  summary = "shows what a delivery holds: format, items, classes, counts, warnings",
  usage = USAGE,
  help = [[
Reads FILE (or a folder, for folder formats) in the format it detects (or the
one --from names) and prints what it holds: the format, the numbers of items,
annotations, categories and annotators, annotations by type, by class and by
annotator, and the warnings of the read with their counts (boxes outside the
image, 0-based skeletons, ...). Bad input stops with one line naming the file
and the line:column or JSON path, and exit status 2.]],
  options = {
    output.option({"json", "table"}, "output format: json (default) or table"),
    {name = "--gt", arg = "FILE", help = "ground truth a COCO results file refers to (names its images and categories)"},
    {name = "--from", arg = "FORMAT", help = "read as this format instead of detecting it"},
  },
  positional = {min = 1, max = 1, missing = "inspect needs a FILE or DIR"},
  run = function(opts, pos, cli)
    local path = pos[1]
    if opts.from then
      local ok, msg = dataset.check_format(opts.from)
      if not ok then cli.usage_error("--from: " .. msg, {usage = USAGE}) end
    end
    local gt = opts.gt and cli.check(annovet.load(opts.gt))
    local s = cli.check(dataset.summarize(path, {format = opts.from, gt = gt}))
    s.file = path
    output.write(opts.format, {json = s, table = function() return table_text(path, s) end})
    return 0
  end,
}
