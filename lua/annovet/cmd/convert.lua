-- annovet convert: a delivery from one format to another, saying what was dropped.
local annovet = require "annovet"
local dataset = require "annovet.dataset"
local system = require "annovet.system"

local USAGE = "annovet convert IN OUT [--to FORMAT] [--from FORMAT] [--gt FILE]"

-- The format OUT's name implies, given the format IN was read as: a .json file
-- keeps a JSON input's format (else COCO), .xml is CVAT, .csv the tags CSV, and a
-- folder (a name ending in /, or an existing one) keeps a folder format. nil when
-- the name says nothing.
local function implied_format(out, from)
  local ext = out:match("%.(%w+)$")
  ext = ext and ext:lower()
  if ext == "json" then
    return (from == "coco-results" or from == "labelstudio") and from or "coco"
  elseif ext == "xml" then
    return "cvat"
  elseif ext == "csv" then
    return "csv"
  end
  local folder = out:sub(-1) == "/" or system.kind(out) == "dir"
  if folder and (from == "voc" or from == "yolo" or from == "pngmask") then return from end
  return nil
end

return {
  summary = "converts a delivery between COCO, VOC, YOLO, CVAT, Label Studio and CSV",
  usage = USAGE,
  help = [[
Reads IN (format detected, or --from) and writes OUT in the format --to names.
Without --to, OUT's name says it: .json keeps a JSON input's format (COCO,
COCO results, Label Studio) and is COCO otherwise, .xml is CVAT, .csv the tags
CSV, and a folder (OUT ending in /) keeps a VOC, YOLO or PNG-mask input's format;
the choice is named on stderr.
What OUT's format cannot hold (a polyline in COCO, a box in the tags CSV, the
annotator names in COCO, ...) is dropped, and each kind dropped is named on
stderr with its count and first example. OUT appears whole or not at all: it is
written beside its final name and renamed when complete. Prints a JSON summary
(counts read, warnings) on stdout.]],
  options = {
    {name = "--to", arg = "FORMAT", help = "format of OUT (default: from OUT's name): " ..
      "coco, coco-results, labelstudio, csv, ..."},
    {name = "--gt", arg = "FILE", help = "ground truth a COCO results file refers to (names its images and categories)"},
    {name = "--from", arg = "FORMAT", help = "read IN as this format instead of detecting it"},
  },
  positional = {min = 2, max = 2, missing = "convert needs IN and OUT"},
  run = function(opts, pos, cli)
    local inp, out = pos[1], pos[2]
    local ok, msg
    if opts.to then
      ok, msg = dataset.check_format(opts.to, "write")
      if not ok then cli.usage_error("--to: " .. msg, {usage = USAGE}) end
    end
    if opts.from then
      ok, msg = dataset.check_format(opts.from)
      if not ok then cli.usage_error("--from: " .. msg, {usage = USAGE}) end
    end
    local gt = opts.gt and cli.check(annovet.load(opts.gt))
    local ds = cli.check(annovet.load(inp, {format = opts.from, gt = gt}))
    local s = ds:summary()
    if not opts.to then
      opts.to = implied_format(out, s.format)
      if not opts.to then
        ds:close()
        cli.usage_error(string.format("%s: its name does not say a format; give --to FORMAT", out), {usage = USAGE})
      end
      io.stderr:write(string.format("annovet: writing %s as %s (from its name; --to chooses)\n", out, opts.to))
    end
    local _, written = cli.check(ds:save(out, opts.to))
    ds:close()
    for _, w in ipairs(s.warnings) do
      cli.warn(string.format("%s: %s (%d; first: %s)", inp, w.kind, w.count, w.example))
    end
    for _, w in ipairs(written) do
      cli.warn(string.format("%s: %s (%d; first: %s)", out, w.kind, w.count, w.example))
    end
    cli.print_json({
      input = inp, output = out, from = s.format, to = opts.to,
      items = s.items, annotations = s.annotations, categories = s.categories,
      read_warnings = s.warnings, write_warnings = annovet.json.array(written),
    })
    return 0
  end,
}
