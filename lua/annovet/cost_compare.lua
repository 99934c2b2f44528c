-- Per-asset against per-hour pricing for one delivery: cost per asset, cost per
-- accepted asset, the break-even monthly volume, and how both move with throughput,
-- rejection rate and volume. Money stays exact: every amount is integer minor units
-- (the break-even volume, a count of images, is searched with floats and then
-- checked exactly).
--
-- The model (README, "Comparing pricing models"):
--   per asset:  the card's lines on the delivery (PM fee included); under a rework
--               clause a rejected batch is free and its rework is paid once, so the
--               buyer pays once per accepted asset.
--   per hour:   hours x the card's hour rate, hours from timesheets or estimated as
--               work seconds / 3600 / utilisation x (1 + QA), rounded to 0.01 h;
--               the PM percent on top; rework is paid too, so per accepted asset the
--               cost is divided by (1 - rejection rate) (any number of rounds:
--               (1 + r + ... + r^N) / (1 - r^(N+1)) = 1 / (1 - r)).
--   monthly:    max(minimum, V x per-asset cost) against max(minimum_hours x rate,
--               V x per-hour cost); V in images of the delivery's mix.
local cm = require "annovet.c.money"
local money = require "annovet.money"

local M = {}

-- Throughput defaults (DOMAIN.md: 12 s a box in its worked example, ~3 s a COCO
-- keypoint derived from 40-60 s a pose; 3 s a polygon vertex assumed from 54-80 s
-- a polygon of ~20 points; utilisation 0.8 and QA +20% from its unit-cost formula).
M.DEFAULTS = {sec_box = "12", sec_vertex = "3", sec_keypoint = "3", sec_other = "10",
  utilisation = "0.8", qa = "0.2", rejection = "0.1"}

local function check(v, msg)
  if v == nil then error(msg, 2) end
  return v
end

-- Work seconds of counts under params (decimals).
local function work_seconds(counts, p)
  local s = money.decimal(0)
  for ty, t in pairs(counts.types) do
    if ty == "box" then s = s:add(p.sec_box:mul(t.annotations))
    elseif ty == "polygon" or ty == "polyline" then s = s:add(p.sec_vertex:mul(t.vertices))
    elseif ty == "keypoints" then s = s:add(p.sec_keypoint:mul(t.points))
    else s = s:add(p.sec_other:mul(t.annotations)) end
  end
  return s
end

-- seconds x (1 + qa) / (3600 x utilisation) hours, rounded half-up to 0.01 h.
local function estimated_hours(seconds, p)
  local num = seconds:mul(p.qa:add(1))
  local nu, ns = num:units()
  local uu, us = p.utilisation:units()
  -- hours x 100 = nu / 10^ns x 100 / (3600 x uu / 10^us) = nu x 100 x 10^us / (3600 x uu x 10^ns)
  local a = check(cm.round(nu, 0, 2 + us))
  local b = check(cm.round(check(cm.mul(3600, 0, uu, 0)), 0, ns))
  return money.decimal(cm.format(check(cm.div(a, b, "half-up")), 2))
end

-- x / (1 - r) for money x and a rejection rate r (decimal in [0, 1)).
local function per_accepted(x, r)
  local ru, rs = r:units()
  local one = check(cm.round(1, 0, rs))
  return x:scale(one, one - ru)
end

local function hour_rate(card)
  for _, l in ipairs(card.lines) do
    if l.task == "hour" and not l.role then return l end
  end
  for _, l in ipairs(card.lines) do
    if l.task == "hour" then return l end
  end
end

local function pm_fraction(card)
  for _, l in ipairs(card.lines) do
    if l.task == "pm" then return l.price:mul(money.decimal("0.01")) end
  end
end

-- One evaluation of both models: {asset_total, hour_total, hours, per_asset,
-- per_hour, accepted_asset, accepted_hour, images}.
local function evaluate(card, counts, hourly_card, p, hours_given, billed, factor)
  local res = assert(card:cost(counts))
  local n = counts.images
  local rate = hour_rate(hourly_card)
  local hours = hours_given or estimated_hours(work_seconds(counts, p), p)
  local hour_total = money.amount(hours, rate.price, card.currency, card.rounding)
  if billed then   -- the timesheets' own amounts, each role at its rate
    hour_total = factor and billed:times(factor, card.rounding) or billed
  end
  local pm = pm_fraction(card)
  if pm then hour_total = hour_total + hour_total:times(pm, card.rounding) end
  local accepted_hour = per_accepted(hour_total, p.rejection)
  return {images = n, asset_total = res.total, hour_total = hour_total, hours = hours, rate = rate,
    accepted_hour_total = accepted_hour,
    per_asset = n > 0 and res.total:per(n) or nil, per_hour = n > 0 and hour_total:per(n) or nil,
    accepted_asset = n > 0 and res.total:per(n) or nil, accepted_hour = n > 0 and accepted_hour:per(n) or nil}
end

-- Monthly costs at volume v (images): per asset, per hour (per accepted asset).
local function monthly(e, card, v)
  local a = e.asset_total:scale(v, e.images)
  if card.minimum and a < card.minimum then a = card.minimum end
  local h = e.accepted_hour_total:scale(v, e.images)
  if card.minimum_hours then
    local floor = money.amount(card.minimum_hours, e.rate.price, card.currency, card.rounding)
    if h < floor then h = floor end
  end
  return a, h
end

local function sign(a, h) return a.minor < h.minor and -1 or a.minor > h.minor and 1 or 0 end

-- The smallest volume at which the cheaper model changes, or nil.
local function break_even(e, card)
  if e.images == 0 then return nil end
  local s1 = sign(monthly(e, card, 1))
  local cands = {}
  local A, H = e.asset_total.minor / e.images, e.accepted_hour_total.minor / e.images
  local Fa = card.minimum and card.minimum.minor or 0
  local Fh = card.minimum_hours and money.amount(card.minimum_hours, e.rate.price, card.currency, card.rounding).minor or 0
  if A > 0 then cands[#cands + 1] = Fh / A end
  if H > 0 then cands[#cands + 1] = Fa / H end
  if A ~= H then cands[#cands + 1] = (Fa - Fh) / (H - A) end
  table.sort(cands)
  for _, c in ipairs(cands) do
    if c == c and c > 0 and c < 1e12 then
      for v = math.max(2, math.floor(c) - 2), math.floor(c) + 3 do
        local sv = sign(monthly(e, card, v))
        if sv ~= s1 and sv ~= 0 then
          return v, s1, sv
        end
      end
    end
  end
  return nil, s1
end

local function name_of(s) return s < 0 and "per_asset" or s > 0 and "per_hour" or "equal" end

-- compare(card, counts, {params = {...decimal texts}, hours = Decimal | nil,
-- billed = Money | nil (the timesheets' amount before any minimum),
-- hourly_card = card | nil}) -> result table (JSON-ready).
function M.compare(card, counts, opts)
  opts = opts or {}
  local p = {}
  for k, v in pairs(M.DEFAULTS) do p[k] = money.decimal((opts.params or {})[k] or v) end
  local hourly_card = opts.hourly_card or card
  if not hour_rate(hourly_card) then return nil, (hourly_card.path or "card") .. ": no hour line to price the per-hour model" end
  if p.rejection:cmp(0) < 0 or p.rejection:cmp(1) >= 0 then return nil, "--rejection: a rate from 0 up to (not) 1" end
  if p.utilisation:cmp(0) <= 0 then return nil, "--utilisation: must be above 0" end
  local e = evaluate(card, counts, hourly_card, p, opts.hours, opts.billed)
  local v, below, above = break_even(e, card)
  local out = {
    currency = card.currency,
    images = e.images,
    params = {},
    hours = {value = e.hours:text(), source = opts.hours and "timesheets" or "estimated from throughput"},
    per_asset = {total = e.asset_total:json(), per_asset = e.per_asset, per_accepted_asset = e.accepted_asset},
    per_hour = {total = e.hour_total:json(), rate = e.rate.price:text(), rate_line = e.rate.where,
      per_asset = e.per_hour, per_accepted_asset = e.accepted_hour,
      total_with_rework = e.accepted_hour_total:json()},
    cheaper = name_of(sign(e.asset_total, e.accepted_hour_total)),
  }
  for k, d in pairs(p) do out.params[k] = d:text() end
  if v then
    local a, h = monthly(e, card, v)
    out.break_even = {images = v, cheaper_below = name_of(below), cheaper_from = name_of(above),
      per_asset = a:json(), per_hour = h:json()}
  else
    out.break_even = {images = nil, note = "no crossing: " .. name_of(below or 0) .. " is cheaper at every volume"}
  end
  -- sensitivity: one parameter at a time
  local rows = {}
  local function row(param, value, ev, vol)
    local a, h = monthly(ev, card, vol)
    rows[#rows + 1] = {param = param, value = value, images = vol,
      per_asset = a:per(math.max(vol, 1)), per_hour = h:per(math.max(vol, 1)), cheaper = name_of(sign(a, h))}
  end
  for _, f in ipairs {"0.5", "0.75", "1", "1.5", "2"} do
    local q = {}
    for k, d in pairs(p) do q[k] = d end
    for _, k in ipairs {"sec_box", "sec_vertex", "sec_keypoint", "sec_other"} do q[k] = p[k]:mul(money.decimal(f)) end
    local hrs = opts.hours and money.decimal(cm.format(opts.hours:mul(money.decimal(f)):scaled(2), 2))
    row("throughput x", f, evaluate(card, counts, hourly_card, q, hrs, opts.billed, money.decimal(f)), e.images)
  end
  for _, r in ipairs {"0", "0.05", "0.1", "0.2", "0.3"} do
    local q = {}
    for k, d in pairs(p) do q[k] = d end
    q.rejection = money.decimal(r)
    row("rejection", r, evaluate(card, counts, hourly_card, q, opts.hours, opts.billed), e.images)
  end
  for _, f in ipairs {1, 2, 4, 10, 40} do
    row("volume x", tostring(f), e, e.images * f)
  end
  out.sensitivity = rows
  out.curve = {}
  local vmax = math.max(e.images * 10, v and v * 2 or 0)
  for k = 0, 20 do
    local vol = math.max(1, vmax * k // 20)
    local a, h = monthly(e, card, vol)
    out.curve[#out.curve + 1] = {images = vol, per_asset = a.minor, per_hour = h.minor}
  end
  return out
end

local function esc(s)
  return (tostring(s):gsub("[&<>\"']", {["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;", ["'"] = "&#39;"}))
end

-- An SVG plot of monthly cost against volume for both models, the break-even marked.
function M.svg(res, title)
  local W, H, L, B = 640, 400, 70, 40
  local pts = res.curve
  local xmax, ymax = pts[#pts].images, 1
  for _, q in ipairs(pts) do ymax = math.max(ymax, q.per_asset, q.per_hour) end
  local digits = cm.digits(res.currency)
  local function x(v) return L + (W - L - 20) * v / xmax end
  local function y(v) return H - B - (H - B - 30) * v / ymax end
  local out = {string.format('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" ' ..
    'font-family="sans-serif" font-size="12">', W, H, W, H)}
  out[#out + 1] = string.format('<text x="%d" y="18">%s</text>', L, esc(title or "monthly cost against volume"))
  out[#out + 1] = string.format('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#000"/>', L, H - B, W - 20, H - B)
  out[#out + 1] = string.format('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#000"/>', L, 30, L, H - B)
  out[#out + 1] = string.format('<text x="%d" y="%d">images per month (0 to %d)</text>', L + 150, H - 8, xmax)
  out[#out + 1] = string.format('<text x="4" y="%d">%s</text>', 34, esc(cm.format(ymax, digits) .. " " .. res.currency))
  for _, s in ipairs {{"per_asset", "#1f77b4", "per asset"}, {"per_hour", "#d62728", "per hour (rework included)"}} do
    local d = {}
    for i, q in ipairs(pts) do d[#d + 1] = string.format("%s%.1f,%.1f", i == 1 and "M" or "L", x(q.images), y(q[s[1]])) end
    out[#out + 1] = string.format('<path d="%s" fill="none" stroke="%s" stroke-width="2"/>', table.concat(d, " "), s[2])
    out[#out + 1] = string.format('<text x="%d" y="%d" fill="%s">%s</text>', W - 220, s[1] == "per_asset" and 50 or 66,
      s[2], esc(s[3]))
  end
  if res.break_even.images then
    local bx = x(res.break_even.images)
    out[#out + 1] = string.format('<line x1="%.1f" y1="30" x2="%.1f" y2="%d" stroke="#555" stroke-dasharray="4 3"/>',
      bx, bx, H - B)
    out[#out + 1] = string.format('<text x="%.1f" y="44">break-even %d images</text>', bx + 4, res.break_even.images)
  end
  out[#out + 1] = "</svg>"
  return table.concat(out, "\n") .. "\n"
end

return M
