-- The pilot's outputs: the JSON document, the CSV files (through libcsv, formulas
-- neutralised) and index.html, self-contained (inline CSS and SVG, no script, no
-- network) from the templates reports/pilot.html and reports/pilot.css (the copy
-- on disk when the current folder has one, else the one inside the binary).
-- Every text that came from a vendor or a buyer's file is escaped.
local annovet = require "annovet"
local compare = require "annovet.compare"
local system = require "annovet.system"

local M = {}

local COLORS = {"#3b6ea8", "#d98c1f", "#4d9a5a", "#9c4f96", "#8a6d3b", "#c0392b"}

local function esc(s)
  return (tostring(s):gsub("[&<>\"']", {["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;",
    ["'"] = "&#39;"}))
end
M.escape = esc

local function f3(x) return x and string.format("%.3f", x) or "–" end
local function f2(x) return x and string.format("%.2f", x) or "–" end
local function pct(x) return x and string.format("%.1f%%", 100 * x) or "–" end

local function template(name)
  local f = io.open("reports/" .. name, "rb")
  if f then
    local s = f:read("a")
    f:close()
    return s
  end
  return assert(system.embedded("reports/" .. name), "reports/" .. name .. " is not in the binary")
end

local function classes_of(result)
  local seen, out = {}, {}
  for _, x in ipairs(result.vendors) do
    for _, c in ipairs(x.res.class_order) do
      if not seen[c] then seen[c], out[#out + 1] = true, c end
    end
  end
  return out
end

-- ---- the words ----

local ORD = {"first", "second", "third", "fourth", "fifth", "sixth"}

-- The recommendation: a heading and the sentences that say why.
function M.recommendation(result)
  local o = result.order
  local top = o[1]
  local lines = {}
  local comps = {}
  for _, k in ipairs {"quality", "cost", "turnaround", "scorecard"} do
    if top.components[k] and result.weights[k] > 0 then comps[#comps + 1] = string.format("%s %.2f", k, top.components[k]) end
  end
  lines[#lines + 1] = string.format("%s ranks first with %.3f of 1 (%s), micro F1 %.3f on the gold panel with %d of %d " ..
    "gold items delivered.", top.name, top.total, table.concat(comps, ", "), top.micro.f1 or 0,
    top.delivery.gold_delivered, top.delivery.gold_sent)
  if #top.scorecard.red_flags > 0 then
    lines[#lines + 1] = string.format("Caution: %s has red flags (%s).", top.name, top.scorecard.red_flags[1].text)
  end
  for i = 2, #o do
    local x = o[i]
    local why = {}
    if x.cap and x.uncapped > x.cap then
      local texts = {}
      for _, r in ipairs(x.scorecard.red_flags) do texts[#texts + 1] = r.text end
      why[#why + 1] = string.format("capped at %.2f by red flags: %s (%.3f before the cap)", x.cap,
        table.concat(texts, "; "), x.uncapped)
    end
    if (x.micro.f1 or 0) < (top.micro.f1 or 0) then
      why[#why + 1] = string.format("F1 %.3f against %.3f", x.micro.f1 or 0, top.micro.f1 or 0)
    end
    for _, k in ipairs {"cost", "turnaround", "scorecard"} do
      local a, t = x.components[k], top.components[k]
      if a and t and result.weights[k] > 0 and a < t - 0.005 then
        why[#why + 1] = string.format("%s %.2f against %.2f", k, a, t)
      end
    end
    if x.delivery.gold_delivered < x.delivery.gold_sent then
      why[#why + 1] = string.format("%d of %d gold items not delivered (counted as missed)",
        x.delivery.gold_sent - x.delivery.gold_delivered, x.delivery.gold_sent)
    end
    lines[#lines + 1] = string.format("%s is %s at %.3f%s.", x.name, ORD[i] or ("#" .. i), x.total,
      #why > 0 and (": " .. table.concat(why, "; ")) or "")
  end
  for _, d in ipairs(result.differences) do
    if d.paired then
      lines[#lines + 1] = string.format("F1 %s vs %s: %s (difference %.3f, 95%% interval %.3f to %.3f)%s.", d.a, d.b,
        d.paired.verdict, d.paired.difference or 0, d.paired.low or 0, d.paired.high or 0,
        d.paired.more_items and string.format("; about %d more gold items would settle it", d.paired.more_items) or "")
    end
  end
  if not result.statistics and #o > 1 then
    lines[#lines + 1] = "Whether the F1 differences are more than sampling noise is not tested: " ..
      "the compare statistics are not in this build."
  end
  return "Recommendation: " .. top.name, lines
end

-- ---- the CSV files ----

function M.csv_files(result)
  local files = {}
  local rank = {{"rank", "vendor", "total", "before_cap", "cap", "quality", "cost", "turnaround", "scorecard",
    "micro_f1", "f1_low", "f1_high", "delivered", "sent", "gold_delivered", "gold_sent", "days", "red_flags"}}
  for _, x in ipairs(result.order) do
    local flags = {}
    for _, r in ipairs(x.scorecard.red_flags) do flags[#flags + 1] = r.text end
    rank[#rank + 1] = {x.rank, x.name, x.total, x.uncapped, x.cap, x.components.quality, x.components.cost,
      x.components.turnaround, x.components.scorecard, x.micro.f1, x.interval and x.interval.low,
      x.interval and x.interval.high, x.delivery.delivered, x.delivery.sent, x.delivery.gold_delivered,
      x.delivery.gold_sent, x.days, table.concat(flags, "; "), n = 18}
  end
  files[#files + 1] = {"ranking.csv", rank}
  local pc = {{"vendor", "class", "gold", "delivered", "tp", "fp", "fn", "precision", "recall", "f1", "f1_low",
    "f1_high", "mean_iou"}}
  for _, x in ipairs(result.vendors) do
    local r = x.res
    for _, c in ipairs(r.class_order) do
      local s = r.per_class[c]
      local ci = x.class_intervals and x.class_intervals[c]
      pc[#pc + 1] = {x.name, c, s.gold, s.vendor, s.tp, s.fp, s.fn, s.precision, s.recall, s.f1, ci and ci.low,
        ci and ci.high, s.mean_iou, n = 13}
    end
    local s = r.micro
    pc[#pc + 1] = {x.name, "(micro)", s.tp + s.fn, s.tp + s.fp, s.tp, s.fp, s.fn, s.precision, s.recall, s.f1,
      x.interval and x.interval.low, x.interval and x.interval.high, s.mean_iou, n = 13}
  end
  files[#files + 1] = {"per_class.csv", pc}
  local scr = {{"vendor", "area", "key", "weight", "status", "score", "source", "value", "evidence", "note", "measured"}}
  for _, x in ipairs(result.vendors) do
    for _, c in ipairs(x.scorecard.criteria) do
      local v = c.value
      if type(v) == "table" then v = table.concat(v, "; ") end
      scr[#scr + 1] = {x.name, c.area, c.key, c.weight, c.status, c.score, c.source, v ~= nil and tostring(v) or nil,
        c.evidence, c.note, c.measured, n = 11}
    end
    for _, a in ipairs(x.scorecard.areas) do
      scr[#scr + 1] = {x.name, a.name, "(area)", a.weight, a.score and "scored" or "not scored", a.score, n = 6}
    end
    scr[#scr + 1] = {x.name, "(total)", "(total)", 1, x.scorecard.cap and "capped" or "scored", x.scorecard.capped, n = 6}
    for _, r in ipairs(x.scorecard.red_flags) do
      scr[#scr + 1] = {x.name, "(red flag)", r.key, nil, "raised", r.cap, nil, r.detail, nil, r.text, n = 10}
    end
  end
  files[#files + 1] = {"scorecard.csv", scr}
  local costs = {{"vendor", "status", "currency", "per_unit_total", "per_unit_per_accepted", "per_hour_total",
    "per_hour_per_accepted", "hours", "accepted_assets", "delivered", "accepted_gold", "judged_gold"}}
  for _, x in ipairs(result.vendors) do
    local c = x.cost
    costs[#costs + 1] = {x.name, c and "priced" or ("not computed: " .. tostring(x.cost_missing)), c and c.currency,
      c and c.per_unit.total, c and c.per_unit.per_accepted, c and c.per_hour and c.per_hour.total,
      c and c.per_hour and c.per_hour.per_accepted, x.hours, x.acceptance.assets, x.delivery.delivered,
      x.acceptance.accepted, x.acceptance.judged, n = 12}
  end
  files[#files + 1] = {"costs.csv", costs}
  local sla = {{"vendor", "clause", "pass", "text", "detail"}}
  for _, x in ipairs(result.vendors) do
    if x.sla then
      for _, c in ipairs(x.sla.clauses) do
        sla[#sla + 1] = {x.name, c.name, c.pass == true and "pass" or (c.pass == false and "fail" or "not checked"),
          c.text, annovet.json.encode(c.detail)}
      end
    end
  end
  files[#files + 1] = {"sla.csv", sla}
  local conf = {{"vendor", "item", "kind", "gold_class", "vendor_class", "iou", "annotator", "attribute",
    "gold_value", "vendor_value"}}
  for _, x in ipairs(result.vendors) do
    for cf in x.res:conflicts() do
      conf[#conf + 1] = {x.name, cf.item, cf.kind, cf.gold_class, cf.vendor_class, cf.iou, cf.annotator, cf.attribute,
        cf.gold_value ~= nil and tostring(cf.gold_value) or nil, cf.vendor_value ~= nil and tostring(cf.vendor_value) or nil,
        n = 10}
    end
  end
  files[#files + 1] = {"conflicts.csv", conf}
  return files
end

-- ---- the charts ----

-- Per-class F1 as grouped bars, one colour a vendor, whiskers for intervals.
local function f1_bars(result, classes)
  local nv = #result.vendors
  local gw, bw = math.max(60, nv * 22 + 20), 20
  local W, H, L, B = 70 + #classes * gw + 20, 250, 50, 40
  local ph = H - B - 20
  local out = {string.format('<svg width="%d" height="%d" role="img" ' ..
    'aria-label="Per-class F1 by vendor" class="chart" id="f1-chart">', W, H)}
  for t = 0, 4 do
    local y = 20 + ph - ph * t / 4
    out[#out + 1] = string.format('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#e1e5ea"/>' ..
      '<text x="%d" y="%.1f" font-size="11" text-anchor="end" fill="#5b6775">%.2f</text>', L, W - 10, y, y, L - 6,
      y + 4, t / 4)
  end
  for ci, c in ipairs(classes) do
    local x0 = L + (ci - 1) * gw + 10
    for vi, x in ipairs(result.vendors) do
      local s = x.res.per_class[c]
      local f1 = s and s.f1
      local bx = x0 + (vi - 1) * (bw + 2)
      if f1 then
        local h = ph * f1
        out[#out + 1] = string.format('<rect class="bar-%s" data-vendor="%s" data-class="%s" x="%d" y="%.1f" width="%d" ' ..
          'height="%.1f" fill="%s"><title>%s %s F1 %.3f</title></rect>', esc(x.name), esc(x.name), esc(c), bx,
          20 + ph - h, bw, h, COLORS[(vi - 1) % #COLORS + 1], esc(x.name), esc(c), f1)
        local ci_ = x.class_intervals and x.class_intervals[c]
        if ci_ and ci_.low and ci_.high then
          local y1, y2 = 20 + ph - ph * ci_.low, 20 + ph - ph * ci_.high
          out[#out + 1] = string.format('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#1d2733" stroke-width="1.5"/>',
            bx + bw // 2, bx + bw // 2, y1, y2)
        end
      end
    end
    out[#out + 1] = string.format('<text x="%d" y="%d" font-size="12" text-anchor="middle">%s</text>',
      x0 + (nv * (bw + 2)) // 2, H - B + 16, esc(c))
  end
  out[#out + 1] = "</svg>"
  return table.concat(out)
end

local function legend(result)
  local out = {'<p class="legend">'}
  for vi, x in ipairs(result.vendors) do
    out[#out + 1] = string.format('<span><i style="background:%s"></i>%s</span>', COLORS[(vi - 1) % #COLORS + 1],
      esc(x.name))
  end
  out[#out + 1] = "</p>"
  return table.concat(out)
end

-- A confusion heat map: gold classes (and "(extra)") by vendor classes (and
-- "(missed)"), each cell shaded by its share of the row.
local function heat_map(x, classes)
  local rows = {}
  for _, c in ipairs(classes) do rows[#rows + 1] = c end
  rows[#rows + 1] = compare.EXTRA
  local cols = {}
  for _, c in ipairs(classes) do cols[#cols + 1] = c end
  cols[#cols + 1] = compare.MISSED
  local cw, ch, L, T = 62, 24, 100, 70
  local W, H = L + #cols * cw + 10, T + #rows * ch + 10
  local out = {string.format('<svg width="%d" height="%d" role="img" ' ..
    'aria-label="Confusion of %s" class="heatmap">', W, H, esc(x.name))}
  for j, c in ipairs(cols) do
    out[#out + 1] = string.format('<text font-size="11" transform="translate(%d,%d) rotate(-35)">%s</text>',
      L + (j - 1) * cw + 8, T - 6, esc(c))
  end
  local m = x.res.confusion
  for i, g in ipairs(rows) do
    local y = T + (i - 1) * ch
    out[#out + 1] = string.format('<text x="%d" y="%d" font-size="11" text-anchor="end">%s</text>', L - 6, y + 16, esc(g))
    local row = m[g] or {}
    local total = 0
    for _, n in pairs(row) do total = total + n end
    for j, c in ipairs(cols) do
      local n = row[c] or 0
      local share = total > 0 and n / total or 0
      local diag = g == c
      local color = diag and string.format("rgba(59,110,168,%.2f)", 0.1 + 0.9 * share) or
        string.format("rgba(179,38,30,%.2f)", n > 0 and (0.12 + 0.88 * math.min(1, share * 3)) or 0.03)
      out[#out + 1] = string.format('<rect x="%d" y="%d" width="%d" height="%d" fill="%s" stroke="#fff"/>' ..
        '<text x="%d" y="%d" font-size="11" text-anchor="middle" fill="%s">%s</text>', L + (j - 1) * cw, y, cw, ch,
        color, L + (j - 1) * cw + cw // 2, y + 16, share > 0.55 and "#fff" or "#1d2733", n > 0 and n or "")
    end
  end
  out[#out + 1] = "</svg>"
  return table.concat(out)
end

-- Cost per accepted asset against F1, one point a vendor.
local function cost_chart(result)
  local pts = {}
  for vi, x in ipairs(result.vendors) do
    if x.cost_per_accepted and x.micro.f1 then pts[#pts + 1] = {x = x.cost_per_accepted, y = x.micro.f1, v = x, i = vi} end
  end
  if #pts == 0 then return nil end
  local maxx, miny = 0, 1
  for _, p in ipairs(pts) do maxx, miny = math.max(maxx, p.x), math.min(miny, p.y) end
  local y0 = math.max(0, math.floor((miny - 0.05) * 10) / 10)   -- the F1 axis from a round floor under the lowest
  local W, H, L, B = 520, 260, 60, 40
  local out = {string.format('<svg width="%d" height="%d" role="img" ' ..
    'aria-label="Cost per accepted asset against F1" class="chart" id="cost-chart">', W, H),
    string.format('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#5b6775"/><line x1="%d" y1="10" x2="%d" y2="%d" ' ..
      'stroke="#5b6775"/>', L, H - B, W - 10, H - B, L, L, H - B),
    string.format('<text x="%d" y="%d" font-size="11" text-anchor="middle">cost per accepted asset (0 to %.4f)</text>',
      (L + W) // 2, H - 8, maxx * 1.1),
    string.format('<text x="14" y="%d" font-size="11" transform="rotate(-90 14 %d)" text-anchor="middle">F1</text>',
      H // 2, H // 2)}
  local function ypos(f1) return (H - B) - (H - B - 10) * (f1 - y0) / (1 - y0) end
  for _, t in ipairs {y0, (y0 + 1) / 2, 1} do
    out[#out + 1] = string.format('<text x="%d" y="%.1f" font-size="10" text-anchor="end">%.2f</text>', L - 4,
      ypos(t) + 3, t)
  end
  for _, p in ipairs(pts) do p.px, p.py = L + (W - L - 20) * p.x / (maxx * 1.1), ypos(p.y) end
  -- each label right of its point, else left, below or above: where it covers no
  -- other point and no label placed before it
  local boxes = {}
  local function free(x0, y0_, x1, y1)
    for _, b in ipairs(boxes) do
      if x0 < b[3] and b[1] < x1 and y0_ < b[4] and b[2] < y1 then return false end
    end
    return true
  end
  for _, p in ipairs(pts) do boxes[#boxes + 1] = {p.px - 7, p.py - 7, p.px + 7, p.py + 7} end
  for _, p in ipairs(pts) do
    local w = 8 * #p.v.name
    local spots = {{p.px + 9, p.py + 4, "start"}, {p.px - 9, p.py + 4, "end"}, {p.px + 9, p.py + 20, "start"},
      {p.px + 9, p.py - 10, "start"}}
    local pick = spots[1]
    for _, sp in ipairs(spots) do
      local x0 = sp[3] == "end" and sp[1] - w or sp[1]
      if free(x0, sp[2] - 11, x0 + w, sp[2] + 2) then pick = sp break end
    end
    local x0 = pick[3] == "end" and pick[1] - w or pick[1]
    boxes[#boxes + 1] = {x0, pick[2] - 11, x0 + w, pick[2] + 2}
    out[#out + 1] = string.format('<circle cx="%.1f" cy="%.1f" r="6" fill="%s"/><text x="%.1f" y="%.1f" ' ..
      'font-size="12" text-anchor="%s">%s</text>', p.px, p.py, COLORS[(p.i - 1) % #COLORS + 1], pick[1], pick[2],
      pick[3], esc(p.v.name))
  end
  out[#out + 1] = "</svg>"
  return table.concat(out)
end

local function bar(x)
  if not x then return '<span class="na">–</span>' end
  return string.format('<span class="bartrack"><span class="bar" style="width:%d%%"></span></span>%.2f',
    math.floor(100 * math.max(0, math.min(1, x)) + 0.5), x)
end

-- An SLA clause's detail for people: "key value" pairs, floats to 3 decimals.
local function detail_text(t)
  if type(t) ~= "table" then return tostring(t) end
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = tostring(k) end
  table.sort(keys)
  local out = {}
  for _, k in ipairs(keys) do
    local v = t[k]
    if type(v) == "number" then
      v = math.type(v) == "integer" and tostring(v) or string.format("%.3f", v)
    elseif type(v) == "table" then
      local list = {}
      for _, x in ipairs(v) do list[#list + 1] = tostring(x) end
      v = #list > 0 and table.concat(list, ", ") or "none"
    end
    out[#out + 1] = k:gsub("_", " ") .. " " .. tostring(v)
  end
  return table.concat(out, "; ")
end

local function unavailable(text)
  return '<p class="unavailable">' .. esc(text) .. "</p>"
end

-- ---- the page ----

function M.html(result)
  local b = {}
  local function add(s) b[#b + 1] = s end
  local head, lines = M.recommendation(result)
  add('<section id="recommendation"><h2>' .. esc(head) .. "</h2>")
  for i, l in ipairs(lines) do add((i == 1 and '<p class="lead">' or "<p>") .. esc(l) .. "</p>") end
  add("</section>")

  -- ranking
  add('<section id="ranking"><h2>Ranking</h2><table id="ranking-table"><thead><tr><th>rank</th><th>vendor</th>' ..
    '<th>total</th>')
  local comps = {"quality", "cost", "turnaround", "scorecard"}
  for _, k in ipairs(comps) do
    add(string.format('<th class="num">%s<br><span class="note">weight %.2f</span></th>', k, result.weights[k]))
  end
  add('<th class="num">micro F1</th><th class="num">delivered / sent</th><th class="num">gold delivered / sent</th>' ..
    '<th class="num">days</th><th>red flags</th></tr></thead><tbody>')
  for _, x in ipairs(result.order) do
    local flags = {}
    for _, r in ipairs(x.scorecard.red_flags) do flags[#flags + 1] = esc(r.text) .. string.format(" (cap %.2f)", r.cap) end
    add(string.format('<tr data-vendor="%s"><td class="num">%d</td><td><b>%s</b></td><td class="total">%s%s</td>', esc(x.name),
      x.rank, esc(x.name), bar(x.total), x.cap and x.uncapped > x.cap and
      string.format(' <span class="flag">capped (%.3f)</span>', x.uncapped) or ""))
    for _, k in ipairs(comps) do
      add('<td class="num">' .. (x.components[k] and f2(x.components[k]) or '<span class="na">not computed</span>') ..
        "</td>")
    end
    add(string.format('<td class="num">%s%s</td><td class="num">%d / %d</td><td class="num">%d / %d</td>' ..
      '<td class="num">%s</td><td class="flag">%s</td></tr>', f3(x.micro.f1),
      x.interval and string.format(" [%.3f, %.3f]", x.interval.low, x.interval.high) or "",
      x.delivery.delivered, x.delivery.sent, x.delivery.gold_delivered, x.delivery.gold_sent,
      x.days and tostring(x.days) or "–", table.concat(flags, "; ")))
  end
  add("</tbody></table>")
  add('<p class="note">Total = sum of weight × component over the components computed, divided by the sum of their ' ..
    'weights; each component is relative to the best vendor (quality: F1 / best F1; cost: lowest cost per accepted ' ..
    'asset / the vendor\'s; turnaround: fewest days / the vendor\'s), the scorecard is its total before the cap; ' ..
    'then the total is capped by the smallest cap of the vendor\'s red flags. Missing gold items are ' ..
    esc(result.missing_items) .. ".</p>")
  for _, n in ipairs(result.notes) do add(unavailable(n)) end
  add("</section>")

  -- per-class F1
  local classes = classes_of(result)
  add('<section id="per-class"><h2>Per-class F1 by vendor</h2>' .. legend(result) .. f1_bars(result, classes))
  if not result.statistics then add(unavailable("intervals: the compare statistics are not in this build")) end
  add('<table><thead><tr><th>class</th>')
  for _, x in ipairs(result.vendors) do add('<th class="num">' .. esc(x.name) .. " F1</th>") end
  add('<th class="num">gold objects</th></tr></thead><tbody>')
  for _, c in ipairs(classes) do
    local g
    add("<tr><td>" .. esc(c) .. "</td>")
    for _, x in ipairs(result.vendors) do
      local s = x.res.per_class[c]
      g = g or (s and s.gold)
      add('<td class="num">' .. f3(s and s.f1) .. "</td>")
    end
    add('<td class="num">' .. tostring(g or 0) .. "</td></tr>")
  end
  add("</tbody></table></section>")

  -- sizes
  add('<section id="sizes"><h2>F1 by object size</h2>')
  local any = false
  for _, x in ipairs(result.vendors) do
    if x.by_size then
      any = true
      add("<h3>" .. esc(x.name) .. "</h3><table><tr><th>size</th><th class=\"num\">F1</th></tr>")
      for _, sz in ipairs {"small", "medium", "large"} do
        local s = x.by_size[sz]
        add("<tr><td>" .. sz .. '</td><td class="num">' .. f3(s and s.f1) .. "</td></tr>")
      end
      add("</table>")
    end
  end
  if not any then add(unavailable("F1 by object size: " .. (result.vendors[1].by_size_missing or "not computed"))) end
  add("</section>")

  -- confusion
  add('<section id="confusion"><h2>Confusion by vendor</h2><p class="note">Rows: gold class; columns: what the vendor ' ..
    'drew. Blue: agreement; red: confusion, misses and extras, shaded by their share of the row.</p><div class="grid">')
  for _, x in ipairs(result.vendors) do
    add("<figure>" .. heat_map(x, classes) .. "<figcaption>" .. esc(x.name) .. "</figcaption></figure>")
  end
  add("</div></section>")

  -- cost
  add('<section id="cost"><h2>Cost against quality</h2>')
  local chart = cost_chart(result)
  if chart then add(chart) else add(unavailable("cost: " .. tostring(result.vendors[1].cost_missing))) end
  add('<table><thead><tr><th>vendor</th><th class="num">hours logged</th><th class="num">delivered</th>' ..
    '<th class="num">gold items accepted</th><th class="num">per-unit cost / accepted asset</th>' ..
    '<th class="num">hourly cost / accepted asset</th></tr></thead><tbody>')
  for _, x in ipairs(result.vendors) do
    local c = x.cost
    add(string.format('<tr><td>%s</td><td class="num">%s</td><td class="num">%d</td><td class="num">%d / %d ' ..
      '(F1 ≥ %.2f)</td><td class="num">%s</td><td class="num">%s</td></tr>', esc(x.name),
      x.hours and string.format("%.1f", x.hours) or "–", x.delivery.delivered, x.acceptance.accepted,
      x.acceptance.judged, x.acceptance.accept_f1,
      c and c.per_unit.per_accepted and string.format("%.4f %s", c.per_unit.per_accepted, esc(c.currency or "")) or
        '<span class="na">not computed</span>',
      c and c.per_hour and c.per_hour.per_accepted and string.format("%.4f %s", c.per_hour.per_accepted,
        esc(c.currency or "")) or '<span class="na">not computed</span>'))
  end
  add("</tbody></table></section>")

  -- scorecard
  add('<section id="scorecard"><h2>Scorecard by area</h2><p class="note">' .. esc(result.scorecard.description or "") ..
    " (" .. esc(result.scorecard_evidence.path) .. ", SHA-256 " .. esc(result.scorecard_evidence.sha256:sub(1, 12)) ..
    "…). A promise without evidence earns part of a criterion's score; a missing answer scores 0.</p>")
  add('<table id="scorecard-table"><thead><tr><th>area</th><th class="num">weight</th>')
  for _, x in ipairs(result.vendors) do add("<th>" .. esc(x.name) .. "</th>") end
  add("</tr></thead><tbody>")
  for ai, a in ipairs(result.scorecard.areas) do
    add("<tr><td>" .. esc(a.name) .. '</td><td class="num">' .. f2(a.weight) .. "</td>")
    for _, x in ipairs(result.vendors) do add("<td>" .. bar(x.scorecard.areas[ai].score) .. "</td>") end
    add("</tr>")
  end
  add("<tr><td><b>total</b></td><td></td>")
  for _, x in ipairs(result.vendors) do
    add("<td>" .. bar(x.scorecard.total) .. (x.scorecard.cap and
      string.format(' <span class="flag">cap %.2f</span>', x.scorecard.cap) or "") .. "</td>")
  end
  add("</tr></tbody></table>")
  for _, x in ipairs(result.vendors) do
    local missing, promised, measured = {}, {}, {}
    for _, c in ipairs(x.scorecard.criteria) do
      if c.status == "missing" and c.weight > 0 then missing[#missing + 1] = esc(c.key) end
      if c.status == "promised" then promised[#promised + 1] = esc(c.key) end
      if c.status == "measured" then measured[#measured + 1] = esc(c.key) .. " (" .. esc(c.measured or "") .. ")" end
    end
    add("<p><b>" .. esc(x.name) .. "</b>: " ..
      (x.questionnaire_missing and '<span class="missing">no questionnaire</span>; ' or "") ..
      "measured: " .. (#measured > 0 and table.concat(measured, ", ") or "none") ..
      "; promised, not shown: " .. (#promised > 0 and table.concat(promised, ", ") or "none") ..
      '; <span class="missing">missing answers: ' .. (#missing > 0 and table.concat(missing, ", ") or "none") ..
      "</span></p>")
  end
  -- vendor text: the notes of their answers
  add('<details open><summary>Vendors\' own notes</summary><table id="vendor-notes"><thead><tr><th>vendor</th>' ..
    "<th>question</th><th>answer</th><th>note</th></tr></thead><tbody>")
  for _, x in ipairs(result.vendors) do
    for _, c in ipairs(x.scorecard.criteria) do
      if c.note or (type(c.value) == "string") then
        add("<tr><td>" .. esc(x.name) .. "</td><td>" .. esc(c.key) .. "</td><td>" ..
          esc(type(c.value) == "table" and table.concat(c.value, "; ") or tostring(c.value)) .. "</td><td>" ..
          esc(c.note or "") .. "</td></tr>")
      end
    end
  end
  add("</tbody></table></details></section>")

  -- measured
  add('<section id="measured"><h2>Measured, not claimed</h2><table><thead><tr><th>vendor</th><th>agreement on ' ..
    'double-annotated items</th><th>annotator calibration (F1 on gold items, objects)</th></tr></thead><tbody>')
  for _, x in ipairs(result.vendors) do
    local ann = {}
    for _, a in ipairs(x.annotators) do ann[#ann + 1] = string.format("%s %s (%d)", esc(a.name), f3(a.f1), a.objects) end
    add("<tr><td>" .. esc(x.name) .. "</td><td>" .. (x.agreement and x.agreement.value and
      string.format("alpha %.3f on %d units (%d items)", x.agreement.value, x.agreement.units, x.agreement.items) or
      '<span class="missing">not measured: ' .. esc(x.agreement_missing or (x.agreement and x.agreement.undefined) or "") ..
      "</span>") .. "</td><td>" .. table.concat(ann, ", ") .. "</td></tr>")
  end
  local staged = {}
  for _, x in ipairs(result.vendors) do
    staged[#staged + 1] = x.review and string.format("%s: %d review stage%s beyond the annotators', %d of %d annotations " ..
      "adjudicated", esc(x.name), x.review.passes, x.review.passes == 1 and "" or "s", x.review.adjudicated,
      x.review.annotations) or (esc(x.name) .. ": the delivery records no review stages (its format carries none)")
  end
  add('</tbody></table><p class="note">Review stages and adjudication, read from each delivery where its format ' ..
    "records them (Label Studio: its annotations and the ground truth that adjudicates them; elsewhere the vendor's answer is used): " ..
    table.concat(staged, "; ") .. ".</p></section>")

  -- SLA
  add('<section id="sla"><h2>SLA results</h2>')
  local any_sla = false
  for _, x in ipairs(result.vendors) do any_sla = any_sla or x.sla ~= nil end
  if any_sla then
    add('<p class="note">' .. esc(result.vendors[1].sla.engine) .. "; rules " ..
      esc(result.sla_rules and result.sla_rules.path or "") .. "</p>")
    add('<table id="sla-table"><thead><tr><th>clause</th>')
    for _, x in ipairs(result.vendors) do add("<th>" .. esc(x.name) .. "</th>") end
    add("</tr></thead><tbody>")
    for ci, c in ipairs(result.vendors[1].sla.clauses) do
      add("<tr><td>" .. esc(c.name) .. '<br><span class="note">' .. esc(c.text) .. "</span></td>")
      for _, x in ipairs(result.vendors) do
        local r = x.sla.clauses[ci]
        local pass = r and r.pass
        add("<td>" .. (pass == true and '<span class="pass">pass</span>' or
          (pass == false and '<span class="fail">fail</span>' or '<span class="na">not checked</span>')) ..
          '<br><span class="note">' .. esc(detail_text(r and r.detail or {})) .. "</span></td>")
      end
      add("</tr>")
    end
    add("</tbody></table>")
  else
    add(unavailable("no SLA rules named in the pilot file"))
  end
  add("</section>")

  -- clusters
  add('<section id="clusters"><h2>Disagreement clusters</h2>')
  for _, x in ipairs(result.vendors) do
    local cl = x.res.clusters
    local pairs_, items = {}, {}
    for i, p in ipairs(cl.class_pairs) do
      if i > 3 then break end
      pairs_[#pairs_ + 1] = string.format("%s → %s (%d)", esc(p.gold), esc(p.vendor), p.count)
    end
    for i, it in ipairs(cl.items) do
      if i > 3 then break end
      local kinds = {}
      for k, n in pairs(it.kinds or {}) do kinds[#kinds + 1] = esc(k) .. " " .. n end
      table.sort(kinds)
      items[#items + 1] = string.format("%s (%d: %s)", esc(it.item), it.count, table.concat(kinds, ", "))
    end
    add("<p><b>" .. esc(x.name) .. "</b>: most confused " .. (#pairs_ > 0 and table.concat(pairs_, ", ") or "none") ..
      "; worst items " .. (#items > 0 and table.concat(items, "; ") or "none") .. "</p>")
  end
  add("</section>")

  -- red flags
  add('<section id="red-flags"><h2>Red flags</h2><ul>')
  local nflags = 0
  for _, x in ipairs(result.vendors) do
    for _, r in ipairs(x.scorecard.red_flags) do
      nflags = nflags + 1
      add(string.format('<li><b>%s</b>: <span class="flag">%s</span>%s — caps the total at %.2f</li>', esc(x.name),
        esc(r.text), r.detail and (" (" .. esc(r.detail) .. ")") or "", r.cap))
    end
  end
  if nflags == 0 then add("<li>none raised</li>") end
  add("</ul></section>")

  local meta = string.format("Gold panel %d items hidden in a sample of %d; %s IoU %.2f; missing gold items %s.",
    result.gold_n, result.sent, result.iou_type, result.iou, result.missing_items)
  local footer = string.format("annovet %s (commit %s). Pilot file %s, SHA-256 %s. Every table is also a CSV file " ..
    "beside this page.", annovet.version, annovet.commit, result.pilot_evidence.path, result.pilot_evidence.sha256)
  local page = template("pilot.html")
  local vals = {title = esc(result.name), css = template("pilot.css"), meta = esc(meta), body = table.concat(b, "\n"),
    footer = esc(footer)}
  return (page:gsub("{{(%w+)}}", function(k) return vals[k] or "" end))
end

-- ---- the JSON document ----

function M.document(result, files)
  local head, lines = M.recommendation(result)
  local null = annovet.json.null
  local function n(v) if v == nil then return null end return v end
  local ranking, vendors = {}, {}
  for _, x in ipairs(result.order) do
    local flags = {}
    for _, r in ipairs(x.scorecard.red_flags) do flags[#flags + 1] = {key = r.key, text = r.text, cap = r.cap} end
    ranking[#ranking + 1] = {rank = x.rank, vendor = x.name, total = x.total, before_cap = x.uncapped, cap = n(x.cap),
      components = {quality = n(x.components.quality), cost = n(x.components.cost),
        turnaround = n(x.components.turnaround), scorecard = n(x.components.scorecard)},
      f1 = n(x.micro.f1), f1_interval = n(x.interval), delivered = x.delivery.delivered, sent = x.delivery.sent,
      gold_delivered = x.delivery.gold_delivered, gold_sent = x.delivery.gold_sent, days = n(x.days),
      red_flags = annovet.json.array(flags)}
  end
  for _, x in ipairs(result.vendors) do
    local pc = {}
    for c, s in pairs(x.res.per_class) do
      pc[c] = {f1 = n(s.f1), precision = n(s.precision), recall = n(s.recall), tp = s.tp, fp = s.fp, fn = s.fn,
        gold = s.gold}
    end
    local areas = {}
    for _, a in ipairs(x.scorecard.areas) do areas[a.name] = n(a.score) end
    vendors[x.name] = {
      micro = {f1 = n(x.micro.f1), precision = n(x.micro.precision), recall = n(x.micro.recall), tp = x.micro.tp,
        fp = x.micro.fp, fn = x.micro.fn},
      per_class = pc, confusion = x.res.confusion, delivery = x.delivery, acceptance = x.acceptance,
      days = n(x.days), hours = n(x.hours),
      agreement = x.agreement or {missing = x.agreement_missing},
      annotators = annovet.json.array(x.annotators),
      cost = x.cost or {missing = x.cost_missing},
      interval = x.interval or {missing = x.interval_missing},
      by_size = x.by_size or {missing = x.by_size_missing},
      scorecard = {total = n(x.scorecard.total), cap = n(x.scorecard.cap), capped = n(x.scorecard.capped),
        areas = areas, missing = annovet.json.array(x.scorecard.missing)},
      sla = x.sla or {missing = "no SLA rules named"},
      review = x.review or {missing = "the delivery records no review stages"},
      turnaround = x.days_from or {missing = "no dates: PILOT.lua's sent and delivered, or --store"},
      files = x.files,
    }
  end
  local diffs = {}
  for _, d in ipairs(result.differences) do
    diffs[#diffs + 1] = {a = d.a, b = d.b, f1_a = n(d.f1_a), f1_b = n(d.f1_b), paired = n(d.paired),
      missing = n(d.missing)}
  end
  local left = {}
  for _, l in ipairs(result.left_out) do left[#left + 1] = l end
  return {
    name = result.name,
    recommendation = {heading = head, lines = lines, vendor = result.order[1].name},
    ranking = ranking,
    weights = result.weights,
    left_out = annovet.json.array(left),
    notes = annovet.json.array(result.notes),
    iou_type = result.iou_type, iou = result.iou, missing_items = result.missing_items,
    gold_items = result.gold_n, sample_items = result.sent,
    differences = annovet.json.array(diffs),
    vendors = vendors,
    evidence = {pilot = result.pilot_evidence, scorecard = result.scorecard_evidence, sla = n(result.sla_rules),
      tool_version = annovet.version, tool_commit = annovet.commit},
    files = files,
  }
end

-- Three lines for a terminal: the recommendation, the ranking, one key number each.
function M.summary(result)
  local head, lines = M.recommendation(result)
  local rank, keys = {}, {}
  for _, x in ipairs(result.order) do
    rank[#rank + 1] = string.format("%d %s %.3f%s", x.rank, x.name, x.total, x.cap and x.uncapped > x.cap and
      " (capped)" or "")
    keys[#keys + 1] = string.format("%s F1 %.3f (%d/%d gold delivered)", x.name, x.micro.f1 or 0,
      x.delivery.gold_delivered, x.delivery.gold_sent)
  end
  return head .. ": " .. lines[1] .. "\nRanking: " .. table.concat(rank, ", ") .. "\nKey numbers: " ..
    table.concat(keys, ", ") .. "\n"
end

-- Writes index.html, the CSV files, summary.txt and pilot.json into dir; returns the document.
function M.write(result, dir)
  local ok, err = system.mkdir(dir)
  if not ok then return nil, err end
  local files = {index = dir .. "/index.html", json = dir .. "/pilot.json", summary = dir .. "/summary.txt", csv = {}}
  for _, f in ipairs(M.csv_files(result)) do
    local path = dir .. "/" .. f[1]
    ok, err = system.write_csv(path, f[2])
    if not ok then return nil, err end
    files.csv[#files.csv + 1] = path
  end
  local doc = M.document(result, files)
  local function put(path, text)
    local fh = io.open(path .. ".tmp", "wb")
    if not fh then return nil, path .. ": cannot write" end
    fh:write(text)
    fh:close()
    local rok, rerr = os.rename(path .. ".tmp", path)
    if not rok then return nil, rerr end
    return true
  end
  ok, err = put(files.index, M.html(result))
  if not ok then return nil, err end
  ok, err = put(files.json, annovet.json.encode(doc, {pretty = true}) .. "\n")
  if not ok then return nil, err end
  ok, err = put(files.summary, M.summary(result))
  if not ok then return nil, err end
  return doc
end

return M
