-- annovet cost: what deliveries (per asset) or timesheets (per hour) cost under a
-- rate card, exactly; with --compare, both models side by side and the break-even.
local output = require "annovet.output"
local system = require "annovet.system"
local compare = require "annovet.cost_compare"
local dataset = require "annovet.dataset"
local json = require("annovet").json
local pricing = require "annovet.pricing"

local USAGE = "annovet cost --rates CARD [DELIVERY...] [--timesheets H.csv [--period P]] [--compare] " ..
  "[--floor FILE] [--date D] [--format json|csv|table]"

local PARAMS = {
  {"--sec-box", "sec_box", "seconds per box (default 12)"},
  {"--sec-vertex", "sec_vertex", "seconds per polygon or polyline vertex (default 3)"},
  {"--sec-keypoint", "sec_keypoint", "seconds per labelled keypoint (default 3)"},
  {"--sec-other", "sec_other", "seconds per other annotation (default 10)"},
  {"--utilisation", "utilisation", "share of paid hours spent annotating (default 0.8)"},
  {"--qa", "qa", "vendor QA overhead on hours (default 0.2)"},
  {"--rejection", "rejection", "share of work rejected and reworked (default 0.1)"},
}

local options = {
  {name = "--rates", arg = "CARD", help = "the rate card (CSV or Lua; pricing/... bundled cards work too)"},
  {name = "--timesheets", arg = "H.csv", help = "hours worked: annotator,date,hours,task,batch[,role]"},
  {name = "--period", arg = "P", help = "the timesheets' period: YYYY-MM or YYYY-MM-DD..YYYY-MM-DD"},
  {name = "--compare", help = "per-asset against per-hour pricing, break-even and sensitivity"},
  {name = "--floor", arg = "FILE", help = "floor prices to flag (default pricing/floor.csv, DOMAIN.md's low column)"},
  {name = "--date", arg = "YYYY-MM-DD", help = "the day whose prices apply (valid_from/valid_to; default today)"},
  output.option({"json", "csv", "table"}, "output format: json (default), csv or table"),
  {name = "--svg", arg = "FILE", help = "with --compare: write the cost-against-volume plot here"},
  {name = "--from", arg = "FORMAT", help = "read the deliveries as this format"},
}
for _, p in ipairs(PARAMS) do options[#options + 1] = {name = p[1], arg = "N", help = p[3]} end

local function money_rows(j)
  local rows = {{"task", "unit", "quantity", "price", "amount", "tier", "vertices", "role", "rate_line"}}
  for _, l in ipairs(j.lines) do
    rows[#rows + 1] = {l.task, l.unit, l.quantity, l.price, l.amount.text, l.tier, l.vertices, l.role, l.rate_line,
      n = 9}
  end
  rows[#rows + 1] = {"total", nil, nil, nil, j.total.text, n = 9}
  return rows
end

local function lines_table(j, title)
  local out = {title}
  out[#out + 1] = string.format("  %-10s %-10s %12s %10s %14s  %s", "task", "unit", "quantity", "price", "amount", "tier")
  for _, l in ipairs(j.lines) do
    out[#out + 1] = string.format("  %-10s %-10s %12s %10s %14s  %s", l.task, l.unit, tostring(l.quantity), l.price,
      l.amount.text, l.tier or l.vertices or l.role or "")
  end
  out[#out + 1] = string.format("  %-10s %47s %s", "total", j.total.text, j.currency or "")
  return table.concat(out, "\n")
end

local function compare_table(r)
  local out = {
    string.format("%-28s %16s %16s", "", "per asset", "per hour"),
    string.format("%-28s %16s %16s", "total (" .. r.currency .. ")", r.per_asset.total.text, r.per_hour.total.text),
    string.format("%-28s %16s %16s", "per image", r.per_asset.per_asset or "-", r.per_hour.per_asset or "-"),
    string.format("%-28s %16s %16s", "per accepted image", r.per_asset.per_accepted_asset or "-",
      r.per_hour.per_accepted_asset or "-"),
    string.format("hours: %s (%s) at %s an hour; rejection %s", r.hours.value, r.hours.source, r.per_hour.rate,
      r.params.rejection),
  }
  local b = r.break_even
  if b.images then
    out[#out + 1] = string.format("break-even: %d images a month (%s cheaper below, %s from there on)", b.images,
      b.cheaper_below, b.cheaper_from)
  else
    out[#out + 1] = "break-even: " .. b.note
  end
  out[#out + 1] = ""
  out[#out + 1] = string.format("%-14s %8s %10s %16s %16s  %s", "sensitivity", "value", "images", "per asset", "per hour",
    "cheaper")
  for _, s in ipairs(r.sensitivity) do
    out[#out + 1] = string.format("%-14s %8s %10d %16s %16s  %s", s.param, s.value, s.images, s.per_asset, s.per_hour,
      s.cheaper)
  end
  return table.concat(out, "\n")
end

return {
  summary = "what deliveries or timesheets cost under a rate card, exactly; per asset against per hour",
  usage = USAGE,
  help = [[
Prices DELIVERY files (any format annovet reads) under the rate card CARD: the
card's lines times the delivery's counted units (annotations per type, polygon
vertices, labelled keypoints, images), each line rounded once to the currency's
minor unit by the card's rule, the total their exact sum. Counting follows the
card's rules for crowd regions, duplicates, empty images and nested classes,
and the JSON says how each was counted. Prices below the floor (--floor, by
default the low column of DOMAIN.md's table) are flagged on stderr and in
"below_floor". A blended rate on the card is compared with the itemised cost of
the actual task mix, task by task.

With --timesheets, hours times the card's hour rate for each row's role (the
per-hour cost). With --compare, both models side by side for the deliveries:
cost per image and per accepted image, the break-even monthly volume, and the
sensitivity to throughput, rejection rate and volume (--svg writes the plot).
Bad input (card, timesheet or delivery) stops with one line naming the file,
line and column, exit 2. See README, "Pricing".]],
  options = options,
  positional = {min = 0, max = math.huge},   -- the deliveries (none with --timesheets alone)
  run = function(opts, pos, cli)
    local usage = {usage = USAGE}
    if not opts.rates then cli.usage_error("cost needs --rates CARD", usage) end
    local fmt = opts.format
    if #pos == 0 and not opts.timesheets then cli.usage_error("cost needs a DELIVERY or --timesheets", usage) end
    if opts.compare and #pos == 0 then cli.usage_error("--compare needs a DELIVERY", usage) end
    if opts.svg and not opts.compare then cli.usage_error("--svg goes with --compare", usage) end
    if opts.period and not opts.timesheets then cli.usage_error("--period goes with --timesheets", usage) end
    local date = opts.date or os.date("!%Y-%m-%d")
    if not pricing.ratecard.iso_date(date) then cli.usage_error("--date: expected YYYY-MM-DD, got '" .. date .. "'", usage) end
    local params = {}
    for _, p in ipairs(PARAMS) do
      local v = opts[p[2]]
      if v ~= nil then
        if not pricing.money.decimal(v) or pricing.money.decimal(v):is_negative() then
          cli.usage_error(p[1] .. ": expected a decimal number >= 0, got '" .. v .. "'", usage)
        end
        params[p[2]] = v
      end
    end
    if next(params) and not opts.compare then cli.usage_error("the throughput options go with --compare", usage) end
    local card = cli.check(pricing.card(opts.rates))
    local floor = cli.check(pricing.card(opts.floor or "pricing/floor.csv"))
    local first, last
    if opts.period then first, last = cli.check(pricing.period(opts.period)) end
    local rows
    if opts.timesheets then
      rows = cli.check(pricing.read_timesheets(opts.timesheets, first, last))
    end
    if opts.from then
      local ok, msg = dataset.check_format(opts.from)
      if not ok then cli.usage_error("--from: " .. msg, usage) end
    end
    local counts, deliveries = {}, {}
    for _, path in ipairs(pos) do
      local ds = cli.check(dataset.load(path, {format = opts.from}))
      counts[#counts + 1] = pricing.count(ds, card.counting)
      local sha = system.kind(path) == "file" and system.sha256_file(path) or nil
      deliveries[#deliveries + 1] = {path = path, format = ds:format(), sha256 = sha}
      ds:close()
    end
    local out = {card = {path = card.path, sha256 = card.sha256, vendor = card.vendor}, currency = card.currency,
      date = date}
    local below, note = pricing.below_floor(card, floor)
    for _, b in ipairs(below) do
      cli.warn(string.format("%s: %s per %s at %s is below the floor %s (%s)", b.rate_line, b.task, b.unit, b.price,
        b.floor, b.floor_line))
    end
    out.below_floor = json.array(below)
    if note then out.floor_note = note end
    local total = #counts > 0 and pricing.add_counts(counts) or nil
    local hourly
    if rows then
      hourly = cli.check(card:hourly(rows))
    end
    if opts.compare then
      local res = cli.check(compare.compare(card, total, {params = params, hours = hourly and hourly.hours,
        billed = hourly and hourly.worked}))
      res.card, res.deliveries, res.below_floor = out.card, deliveries, out.below_floor
      if opts.svg then
        local f, err = io.open(opts.svg, "wb")
        if not f then cli.fail(opts.svg .. ": cannot write: " .. tostring(err)) end
        f:write(compare.svg(res, (card.vendor or card.path) .. ": monthly cost against volume"))
        f:close()
      end
      local curve = res.curve
      if fmt == "table" then
        io.stdout:write(compare_table(res), "\n")
      elseif fmt == "csv" then
        local t = {{"param", "value", "images", "per_asset", "per_hour", "cheaper"}}
        for _, s in ipairs(res.sensitivity) do t[#t + 1] = {s.param, s.value, s.images, s.per_asset, s.per_hour, s.cheaper} end
        cli.check(system.write_csv("-", t))
      else
        res.curve = json.array(curve)
        res.sensitivity = json.array(res.sensitivity)
        cli.print_json(res)
      end
      return 0
    end
    local per_asset = total and pricing.cost_json(cli.check(card:cost(total, {date = date})), card)
    local per_hour = hourly and pricing.hourly_json(hourly, card)
    if per_asset and per_hour then
      out.per_asset, out.per_hour = per_asset, per_hour
    else
      for k, v in pairs(per_asset or per_hour) do out[k] = v end
    end
    out.deliveries = #deliveries > 0 and deliveries or nil
    if fmt == "json" then
      for _, j in ipairs {out, out.per_asset or {}, out.per_hour or {}} do
        if j.lines then j.lines = json.array(j.lines) end
      end
      if out.blended then out.blended.tasks = json.array(out.blended.tasks) end
      cli.print_json(out)
    elseif fmt == "csv" then
      local rows_out = {}
      for _, j in ipairs {per_asset, per_hour} do
        for _, r in ipairs(money_rows(j)) do
          if #rows_out == 0 or r[1] ~= "task" then rows_out[#rows_out + 1] = r end
        end
      end
      cli.check(system.write_csv("-", rows_out))
    else
      local parts = {}
      if per_asset then
        per_asset.currency = card.currency
        parts[#parts + 1] = lines_table(per_asset, "per asset (" .. card.path .. ")")
        if per_asset.blended then
          local b = per_asset.blended
          parts[#parts + 1] = string.format("blended %s per annotation: %s against itemised %s (%s cheaper)", b.price,
            b.total.text, b.itemised_total.text, b.cheaper)
          for _, t in ipairs(b.tasks) do
            parts[#parts + 1] = string.format("  %-10s %8d  itemised %12s  blended %12s  %s %s", t.task, t.annotations,
              t.itemised.text, t.blended.text, t.role, t.difference.text)
          end
        end
      end
      if per_hour then
        per_hour.currency = card.currency
        parts[#parts + 1] = lines_table(per_hour, "per hour (" .. per_hour.hours .. " h)")
      end
      io.stdout:write(table.concat(parts, "\n"), "\n")
    end
    return 0
  end,
}
