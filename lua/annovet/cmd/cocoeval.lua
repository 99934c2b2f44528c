-- annovet cocoeval: COCO evaluation of a results file against a ground truth,
-- with pycocotools' numbers (COCOeval evaluate, accumulate, summarize).
local annovet = require "annovet"
local args = require "annovet.args"
local output = require "annovet.output"

local USAGE = "annovet cocoeval --gt GT.json --dt DT.json --iou-type bbox|segm|keypoints " ..
  "[--img-ids ID,...] [--cat-ids ID,...] [--per-class] [--kpt-sigmas S,...] [--no-cats] [--format json|table]"

-- The lines COCOeval.summarize prints, one per stat.
local DET_LINES = {
  {1, "0.50:0.95", "all", 100}, {1, "0.50", "all", 100}, {1, "0.75", "all", 100},
  {1, "0.50:0.95", "small", 100}, {1, "0.50:0.95", "medium", 100}, {1, "0.50:0.95", "large", 100},
  {0, "0.50:0.95", "all", 1}, {0, "0.50:0.95", "all", 10}, {0, "0.50:0.95", "all", 100},
  {0, "0.50:0.95", "small", 100}, {0, "0.50:0.95", "medium", 100}, {0, "0.50:0.95", "large", 100},
}
local KP_LINES = {
  {1, "0.50:0.95", "all", 20}, {1, "0.50", "all", 20}, {1, "0.75", "all", 20},
  {1, "0.50:0.95", "medium", 20}, {1, "0.50:0.95", "large", 20},
  {0, "0.50:0.95", "all", 20}, {0, "0.50", "all", 20}, {0, "0.75", "all", 20},
  {0, "0.50:0.95", "medium", 20}, {0, "0.50:0.95", "large", 20},
}

-- "1,2,3" (and repeated flags) -> {1, 2, 3}, or fail naming the flag.
local function parse_list(values, flag, cli, number)
  if not values then return nil end
  local out = {}
  for _, v in ipairs(values) do
    for _, item in ipairs(cli.check(args.split_list(v, flag, number and "number" or "id"))) do
      local x = number and tonumber(item) or math.tointeger(tonumber(item))
      if not x or (number and not (x > 0 and x < math.huge)) then
        cli.fail(string.format("%s: '%s' is not %s", flag, item, number and "a positive number" or "an integer id"))
      end
      out[#out + 1] = x
    end
  end
  return out
end

-- Reports a dataset's read warnings on stderr, one line per kind (but the kinds
-- in skip, which say nothing about a results file read without its ground truth).
local function report_warnings(path, ds, cli, skip)
  for _, w in ipairs(ds:warnings()) do
    if not (skip and skip[w.kind]) then
      cli.warn(string.format("%s: %s (%d; first: %s)", path, w.kind, w.count, w.example))
    end
  end
end

local function table_text(res)
  local out = {}
  for i, l in ipairs(res.iou_type == "keypoints" and KP_LINES or DET_LINES) do
    out[#out + 1] = string.format(" %-18s %s @[ IoU=%-9s | area=%6s | maxDets=%3d ] = %0.3f",
      l[1] == 1 and "Average Precision" or "Average Recall", l[1] == 1 and "(AP)" or "(AR)",
      l[2], l[3], l[4], res.stats[i])
  end
  if res.per_class then
    local names = {}
    for name in pairs(res.per_class) do names[#names + 1] = name end
    table.sort(names)
    out[#out + 1] = string.format("%-24s %8s %8s %8s", "category", "AP", "AP50", "AP75")
    for _, name in ipairs(names) do
      local c = res.per_class[name]
      local function f(v) return type(v) == "number" and string.format("%8.3f", v) or "       -" end
      out[#out + 1] = string.format("%-24s %s %s %s", name, f(c.ap), f(c.ap50), f(c.ap75))
    end
  end
  return table.concat(out, "\n")
end

return {
  summary = "COCO evaluation (AP/AR) of a results file against a ground truth, as pycocotools",
  usage = USAGE,
  help = [[
Evaluates the detections of DT.json (a COCO results array: image_id,
category_id, score and bbox, segmentation or keypoints) against the ground
truth GT.json exactly as pycocotools' COCOeval does (evaluate, accumulate,
summarize; results loaded by COCO.loadRes' rules), and prints JSON:
  {"iou_type", "stats": [the 12 numbers of summarize (10 for keypoints)],
   "per_class": {name: {"id", "ap", "ap50", "ap75"}} (with --per-class),
   "images", "categories", "gt", "dt"}
stats keep pycocotools' -1 where a number is undefined (no gold in that area
range); per-class AP is the mean precision over IoU thresholds and recall at
area "all" and the largest maxDets (null for a category with no gold).
Keypoint evaluation uses COCO's 17 person sigmas unless --kpt-sigmas gives one
per keypoint. A gold object with num_keypoints 0 is ignored, as pycocotools
does, even when keypoints are labelled (the reader warns of the mismatch);
without num_keypoints its labelled keypoints are counted.]],
  options = {
    {name = "--gt", arg = "GT.json", help = "ground truth, a COCO dataset file"},
    {name = "--dt", arg = "DT.json", help = "detections, a COCO results array"},
    {name = "--iou-type", arg = "TYPE", choices = {"bbox", "segm", "keypoints"}, help = "bbox, segm or keypoints"},
    {name = "--img-ids", arg = "ID,...", multi = true, help = "evaluate only these images"},
    {name = "--cat-ids", arg = "ID,...", multi = true, help = "evaluate only these categories"},
    {name = "--per-class", help = "add AP per category"},
    {name = "--kpt-sigmas", api = "sigmas", arg = "S,...", help = "keypoint sigmas, one per keypoint"},
    {name = "--no-cats", help = "match across categories (useCats=0)"},
    output.option({"json", "table"}, "output format: json (default) or table"),
  },
  run = function(opts, pos, cli)
    for _, k in ipairs {"gt", "dt", "iou_type"} do
      if not opts[k] then cli.usage_error("cocoeval needs --" .. k:gsub("_", "-"), {usage = USAGE}) end
    end
    local t = opts.iou_type
    local eval_opts = {
      iou_type = t,
      img_ids = parse_list(opts.img_ids, "--img-ids", cli),
      cat_ids = parse_list(opts.cat_ids, "--cat-ids", cli),
      sigmas = opts.kpt_sigmas and parse_list({opts.kpt_sigmas}, "--kpt-sigmas", cli, true),
      use_cats = not opts.no_cats,
    }
    local gt = cli.check(annovet.load(opts.gt, {format = "coco"}))
    report_warnings(opts.gt, gt, cli)
    -- read on its own, so results of categories the ground truth lacks can be left
    -- out as pycocotools does (ids are matched in C)
    local dt = cli.check(annovet.load(opts.dt, {format = "coco"}))
    if dt:format() ~= "coco-results" then
      cli.fail(opts.dt .. ": expected a COCO results array [{image_id, category_id, score, ...}]")
    end
    report_warnings(opts.dt, dt, cli, {["categories named by id"] = true, ["image size unknown"] = true})
    local res = cli.check(annovet.cocoeval(gt, dt, eval_opts))
    if res.unknown_img_ids > 0 then cli.warn(res.unknown_img_ids .. " --img-ids not in the ground truth (no effect)") end
    if res.unknown_cat_ids > 0 then cli.warn(res.unknown_cat_ids .. " --cat-ids not in the ground truth (no effect)") end
    if res.unknown_dt_categories > 0 then
      cli.warn(res.unknown_dt_categories .. " results of categories not in the ground truth (left out, as pycocotools does)")
    end
    local out = {
      iou_type = res.iou_type,
      stats = annovet.json.array(res.stats),
      images = res.images, categories = res.categories, gt = res.gt, dt = res.dt,
    }
    if opts.per_class and res.per_class then
      out.per_class = res.per_class
      for _, c in pairs(out.per_class) do
        for _, k in ipairs {"ap", "ap50", "ap75"} do
          if c[k] == nil then c[k] = annovet.json.null end
        end
      end
    end
    output.write(opts.format, {json = out, table = function() return table_text(out) end})
    gt:close()
    dt:close()
    return 0
  end,
}
