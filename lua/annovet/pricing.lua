-- Pricing: what a delivery or a timesheet costs under a rate card, in exact money.
-- pricing.card(path_or_table) -> Card; card:cost(ds_or_counts [, opts]);
-- card:hourly(timesheets [, opts]); pricing.count(ds, rules); pricing.timesheets(path).
--
-- Rounding: each line's amount is quantity x price, computed exactly and rounded
-- once to the currency's minor unit by the card's rule (half-up unless the card
-- says "rounding: half-even"); the total is the exact sum of the rounded lines.
-- Tiers are graduated: units tier_from..tier_to of the period's volume are priced
-- at that tier's price, as tax brackets are.
local cm = require "annovet.c.money"
local money = require "annovet.money"
local ratecard = require "annovet.ratecard"

local M = {}

M.money = money
M.ratecard = ratecard

local BIG = math.maxinteger
local Card = {}
Card.__index = Card
Card.__metatable = "locked"

-- ---- counting ----

local function bbox_iou(a, b)
  local ix = math.min(a[1] + a[3], b[1] + b[3]) - math.max(a[1], b[1])
  local iy = math.min(a[2] + a[4], b[2] + b[4]) - math.max(a[2], b[2])
  if ix <= 0 or iy <= 0 then return 0 end
  local inter = ix * iy
  return inter / (a[3] * a[4] + b[3] * b[4] - inter)
end

-- Same image, class and type, and boxes overlapping at IoU >= 0.9 (or, without a
-- box, the same coordinates): the second of the two is a duplicate.
local DUP_IOU = 0.9
local function is_duplicate(a, b)
  if a.type ~= b.type or a.category ~= b.category then return false end
  if a.bbox and b.bbox then return bbox_iou(a.bbox, b.bbox) >= DUP_IOU end
  if a.coords and b.coords and #a.coords == #b.coords then
    for i = 1, #a.coords do if a.coords[i] ~= b.coords[i] then return false end end
    return true
  end
  return a.text ~= nil and a.text == b.text
end

local function nattrs(a)
  local n = 0
  for _ in pairs(a.attributes or {}) do n = n + 1 end
  return n
end

-- How each unit is counted, for the JSON (README, "Counting rules").
M.DEFINITIONS = {
  annotation = "one per shape of the type; with nested: bill, each attribute (nested classification) adds one",
  vertex = "polygon and polyline points, every ring counted",
  point = "labelled keypoints (visibility v > 0)",
  image = "items of the delivery; with empty_images: skip, only those with a billable annotation",
  crowd = "annotations marked iscrowd",
  duplicates = "a second annotation of the same image, class and type whose box overlaps the first at IoU >= 0.9",
  empty_images = "items without any annotation",
  nested = "attributes of an annotation (nested classifications)",
}

-- Counts what a card can bill in a dataset under rules {crowd, duplicates,
-- empty_images, nested} ("bill" | "skip"). Returns {images, items, annotations,
-- types = {<model type> = {annotations, vertices, points, images, by_vertices}},
-- found = {crowd, duplicates, empty_images, nested}, rules}.
function M.count(ds, rules)
  rules = rules or ratecard.COUNTING_DEFAULTS
  local c = {images = 0, items = 0, annotations = 0, types = {},
    found = {crowd = 0, duplicates = 0, empty_images = 0, nested = 0}, rules = {}}
  for k, v in pairs(ratecard.COUNTING_DEFAULTS) do c.rules[k] = rules[k] or v end
  local per_item, order = {}, {}
  for it in ds:items() do
    c.items = c.items + 1
    per_item[it.id] = {}
    order[#order + 1] = it.id
  end
  for a in ds:annotations() do
    local list = per_item[a.item]
    if not list then
      list = {}
      per_item[a.item] = list
      order[#order + 1] = a.item
    end
    list[#list + 1] = a
  end
  for _, id in ipairs(order) do
    local list, billed, seen_types = per_item[id], 0, {}
    if #list == 0 then c.found.empty_images = c.found.empty_images + 1 end
    for i, a in ipairs(list) do
      local dup = false
      for j = 1, i - 1 do
        if is_duplicate(list[j], a) then dup = true break end
      end
      local extra = nattrs(a)
      if a.iscrowd then c.found.crowd = c.found.crowd + 1 end
      if dup then c.found.duplicates = c.found.duplicates + 1 end
      c.found.nested = c.found.nested + extra
      if (not a.iscrowd or c.rules.crowd == "bill") and (not dup or c.rules.duplicates == "bill") then
        local t = c.types[a.type]
        if not t then
          t = {annotations = 0, vertices = 0, points = 0, images = 0, by_vertices = {}}
          c.types[a.type] = t
        end
        local n = 1 + (c.rules.nested == "bill" and extra or 0)
        t.annotations = t.annotations + n
        c.annotations = c.annotations + n
        billed = billed + 1
        if a.type == "polygon" or a.type == "polyline" then
          local nv = #(a.coords or {}) // 2
          t.vertices = t.vertices + nv
          local bv = t.by_vertices[nv] or {annotations = 0, count = 0}
          bv.annotations, bv.count = bv.annotations + n, bv.count + 1
          t.by_vertices[nv] = bv
        elseif a.type == "keypoints" then
          local k = a.coords or {}
          for j = 3, #k, 3 do if k[j] > 0 then t.points = t.points + 1 end end
        end
        if not seen_types[a.type] then
          seen_types[a.type] = true
          t.images = t.images + 1
        end
      end
    end
    if billed > 0 or c.rules.empty_images == "bill" then c.images = c.images + 1 end
  end
  return c
end

-- A script's own counts: {box = 1234, images = 40} or the shape M.count returns.
local function normalize_counts(c)
  if c.types then return c end
  local out = {images = c.images or 0, items = c.images or 0, annotations = 0, types = {},
    found = {}, rules = {}}
  for task, v in pairs(c) do
    if task ~= "images" then
      local mt = ratecard.ANNOTATION_TASKS[task] or task
      local t = type(v) == "table" and v or {annotations = v}
      local e = {annotations = t.annotations or 0, vertices = t.vertices or 0, points = t.points or 0,
        images = t.images or 0, by_vertices = {}}
      for _, k in ipairs {"annotations", "vertices", "points", "images"} do
        if math.type(e[k]) ~= "integer" or e[k] < 0 then
          error(string.format("counts.%s.%s: a whole number >= 0", task, k), 3)
        end
      end
      out.types[mt] = e
      out.annotations = out.annotations + e.annotations
    end
  end
  return out
end

-- Sums several counts (several deliveries of one batch).
function M.add_counts(list)
  local out = {images = 0, items = 0, annotations = 0, types = {}, found = {}, rules = list[1] and list[1].rules or {}}
  for _, c in ipairs(list) do
    out.images, out.items, out.annotations = out.images + c.images, out.items + c.items, out.annotations + c.annotations
    for k, v in pairs(c.found or {}) do out.found[k] = (out.found[k] or 0) + v end
    for ty, t in pairs(c.types) do
      local o = out.types[ty] or {annotations = 0, vertices = 0, points = 0, images = 0, by_vertices = {}}
      for _, k in ipairs {"annotations", "vertices", "points", "images"} do o[k] = o[k] + t[k] end
      for nv, bv in pairs(t.by_vertices) do
        local ob = o.by_vertices[nv] or {annotations = 0, count = 0}
        ob.annotations, ob.count = ob.annotations + bv.annotations, ob.count + bv.count
        o.by_vertices[nv] = ob
      end
      out.types[ty] = o
    end
  end
  return out
end

-- ---- pricing ----

-- The quantity a line bills in counts (before tiers).
local function quantity(line, c)
  local mt = ratecard.ANNOTATION_TASKS[line.task]
  if mt then
    local t = c.types[mt]
    if not t then return 0 end
    if line.unit == "image" then return t.images end
    if line.unit == "point" then return t.points end
    if line.min_vertices or line.max_vertices or line.unit == "vertex" then
      local q = 0
      for nv, bv in pairs(t.by_vertices) do
        if nv >= (line.min_vertices or 0) and nv <= (line.max_vertices or BIG) then
          q = q + (line.unit == "vertex" and nv * bv.count or bv.annotations)
        end
      end
      if line.unit == "vertex" and not next(t.by_vertices) then q = t.vertices end
      return q
    end
    return t.annotations
  end
  if line.task == "image" then return c.images end
  if line.task == "review" then return line.unit == "image" and c.images or c.annotations end
  return 0
end

local function valid_on(line, date)
  if not date then return true end
  return (not line.valid_from or line.valid_from <= date) and (not line.valid_to or date <= line.valid_to)
end

local function group_key(l)
  return table.concat({l.task, l.unit, l.min_vertices or "", l.max_vertices or "", l.role or ""}, "|")
end

local function range_text(a, b)
  if b == nil or b == BIG then return a .. "+" end
  return a .. "-" .. b
end

local function qty_json(q)
  if money.is_decimal(q) then return q:text() end
  return q
end

-- The priced lines of one group (same task, unit, vertex range, role) for q units
-- after `prior` units of the period: graduated tiers. Returns lines or nil, msg.
local function price_group(card, group, q, prior)
  table.sort(group, function(a, b) return (a.tier_from or 1) < (b.tier_from or 1) end)
  local out, covered = {}, 0
  local first, last = prior + 1, prior + q
  for _, l in ipairs(group) do
    local lo, hi = math.max(first, l.tier_from or 1), math.min(last, l.tier_to or BIG)
    if hi >= lo then
      local n = hi - lo + 1
      covered = covered + n
      out[#out + 1] = {line = l, quantity = n, amount = money.amount(n, l.price, card.currency, card.rounding),
        tier = l.tier_from and range_text(l.tier_from, l.tier_to) or nil}
    end
  end
  if covered ~= q then
    local g = group[1]
    return nil, string.format("%s: no price for some of units %d-%d of %s per %s (the tiers leave a gap)",
      g.where, first, last, g.task, g.unit)
  end
  return out
end

local function line_json(p, card)
  local l = p.line
  return {task = l.task, unit = l.unit, quantity = qty_json(p.quantity), price = l.price:text(),
    amount = p.amount:json(), tier = p.tier, role = l.role, region = l.region,
    vertices = (l.min_vertices or l.max_vertices) and range_text(l.min_vertices or 3, l.max_vertices) or nil,
    note = l.note, rate_line = l.where, currency = card.currency}
end

-- card:cost(ds_or_counts [, {date = "YYYY-MM-DD", prior = {[group key] = units}}])
-- -> {currency, rounding, total, subtotal, lines, counts, blended, minimum} with
-- Money values (see M.cost_json), or nil and a message.
function Card:cost(src, opts)
  opts = opts or {}
  local c = type(src) == "table" and normalize_counts(src) or M.count(src, self.counting)
  local groups, keys = {}, {}
  local blended, pm = {}, {}
  for _, l in ipairs(self.lines) do
    if valid_on(l, opts.date) then
      if l.task == "blended" then blended[#blended + 1] = l
      elseif l.task == "pm" then pm[#pm + 1] = l
      elseif l.task ~= "hour" then
        local k = group_key(l)
        if not groups[k] then groups[k] = {} keys[#keys + 1] = k end
        table.insert(groups[k], l)
      end
    end
  end
  local lines, subtotal = {}, money.minor(0, self.currency)
  local by_task = {}
  for _, k in ipairs(keys) do
    local q = quantity(groups[k][1], c)
    if q > 0 then
      local priced, msg = price_group(self, groups[k], q, (opts.prior or {})[k] or 0)
      if not priced then return nil, msg end
      for _, p in ipairs(priced) do
        p.key = k
        lines[#lines + 1] = p
        subtotal = subtotal + p.amount
        local t = p.line.task
        by_task[t] = (by_task[t] or money.minor(0, self.currency)) + p.amount
      end
    end
  end
  local total = subtotal
  for _, l in ipairs(pm) do
    local fraction = l.price:mul(money.decimal("0.01"))
    local amount = subtotal:times(fraction, self.rounding)
    lines[#lines + 1] = {line = l, quantity = money.decimal(subtotal:text()), amount = amount, percent = true}
    total = total + amount
  end
  local res = {currency = self.currency, rounding = self.rounding, subtotal = subtotal, total = total,
    lines = lines, counts = c, by_task = by_task}
  if #blended > 0 then
    local b = blended[1]
    local itemised, tasks = money.minor(0, self.currency), {}
    local btotal = money.amount(c.annotations, b.price, self.currency, self.rounding)
    for task, mt in pairs(ratecard.ANNOTATION_TASKS) do
      local t = c.types[mt]
      if t and t.annotations > 0 then
        local own = by_task[task] or money.minor(0, self.currency)
        local share = money.amount(t.annotations, b.price, self.currency, self.rounding)
        itemised = itemised + own
        local diff = share - own
        tasks[#tasks + 1] = {task = task, annotations = t.annotations, itemised = own, blended = share,
          difference = diff, itemised_priced = by_task[task] ~= nil,
          role = diff.minor > 0 and "subsidises" or diff.minor < 0 and "subsidised" or "even"}
      end
    end
    table.sort(tasks, function(x, y) return x.task < y.task end)
    res.blended = {price = b.price:text(), rate_line = b.where, annotations = c.annotations, total = btotal,
      itemised_total = itemised, difference = btotal - itemised, tasks = tasks,
      cheaper = btotal < itemised and "blended" or itemised < btotal and "itemised" or "equal"}
  end
  return res
end

-- The JSON form of a cost result (money as {minor, text}).
function M.cost_json(res, card)
  local lines = {}
  for _, p in ipairs(res.lines) do lines[#lines + 1] = line_json(p, card) end
  local c = res.counts
  local types = {}
  for ty, t in pairs(c.types) do
    types[ty] = {annotations = t.annotations, vertices = t.vertices, points = t.points, images = t.images}
  end
  local out = {
    currency = res.currency, rounding = res.rounding, total = res.total:json(), subtotal = res.subtotal:json(),
    lines = lines,
    counted = {images = c.images, items = c.items, annotations = c.annotations, by_type = types},
    counting = {},
  }
  for _, k in ipairs {"crowd", "duplicates", "empty_images", "nested"} do
    out.counting[k] = {rule = c.rules[k], found = c.found[k], definition = M.DEFINITIONS[k]}
  end
  out.counting.units = {annotation = M.DEFINITIONS.annotation, vertex = M.DEFINITIONS.vertex,
    point = M.DEFINITIONS.point, image = M.DEFINITIONS.image}
  if res.blended then
    local b = res.blended
    local tasks = {}
    for _, t in ipairs(b.tasks) do
      tasks[#tasks + 1] = {task = t.task, annotations = t.annotations, itemised = t.itemised:json(),
        blended = t.blended:json(), difference = t.difference:json(), role = t.role,
        itemised_priced = t.itemised_priced}
    end
    out.blended = {price = b.price, rate_line = b.rate_line, annotations = b.annotations, total = b.total:json(),
      itemised_total = b.itemised_total:json(), difference = b.difference:json(), cheaper = b.cheaper, tasks = tasks}
  end
  if card.minimum then out.minimum_monthly = card.minimum:json() end
  return out
end

-- ---- floors ----

-- Lines of card priced below the floor card's line for the same task and unit
-- (same currency): {{task, unit, price, floor, rate_line, floor_line}}.
function M.below_floor(card, floor)
  local out = {}
  if floor.currency ~= card.currency then return out, "the floor is in " .. floor.currency .. ", not compared" end
  for _, l in ipairs(card.lines) do
    for _, f in ipairs(floor.lines) do
      if f.task == l.task and f.unit == l.unit and (f.role == nil or f.role == l.role) and l.price < f.price then
        out[#out + 1] = {task = l.task, unit = l.unit, price = l.price:text(), floor = f.price:text(),
          rate_line = l.where, floor_line = f.where, role = l.role}
        break
      end
    end
  end
  return out
end

-- ---- timesheets and hours ----

local TS_REQUIRED = {"annotator", "date", "hours", "task", "batch"}
local TS_COLUMNS = {annotator = true, date = true, hours = true, task = true, batch = true, role = true}

-- Checks a period "2026-11" or "2026-11-01..2026-11-15" -> first, last date.
function M.period(p)
  local y, m = tostring(p):match("^(%d%d%d%d)%-(%d%d)$")
  if y then
    local first = string.format("%s-%s-01", y, m)
    if not ratecard.iso_date(first) then return nil, "--period " .. p .. ": no such month" end
    local last
    for d = 31, 28, -1 do
      last = string.format("%s-%s-%02d", y, m, d)
      if ratecard.iso_date(last) then break end
    end
    return first, last
  end
  local a, b = tostring(p):match("^(%d%d%d%d%-%d%d%-%d%d)%.%.(%d%d%d%d%-%d%d%-%d%d)$")
  if a and ratecard.iso_date(a) and ratecard.iso_date(b) and a <= b then return a, b end
  return nil, "--period " .. tostring(p) .. ": expected a month YYYY-MM or FROM..TO as YYYY-MM-DD..YYYY-MM-DD"
end

-- Reads timesheet CSV rows (annotator,date,hours,task,batch[,role]), each checked:
-- hours a decimal >= 0, a real date inside [first, last] when given. Returns
-- {{annotator, date, hours (Decimal), task, batch, role, where}, ...} or nil, msg.
function M.read_timesheets(path, first, last)
  local recs, err = cm.read_csv(path)
  if not recs then return nil, err end
  local header, cols, rows = nil, nil, {}
  for _, r in ipairs(recs) do
    if r.comment then goto continue end
    if not header then
      header, cols = r, {}
      for i, name in ipairs(r.cells) do
        name = name:match("^%s*(.-)%s*$")
        if not TS_COLUMNS[name] then
          return nil, string.format("%s:%d:%d: unknown column '%s' (annotator, date, hours, task, batch, role)",
            path, r.lines[i], r.cols[i], name)
        end
        cols[name] = i
      end
      for _, req in ipairs(TS_REQUIRED) do
        if not cols[req] then
          return nil, string.format("%s:%d:1: the header has no '%s' column (annotator,date,hours,task,batch[,role])",
            path, r.line, req)
        end
      end
      goto continue
    end
    do
      if #r.cells ~= #header.cells then
        return nil, string.format("%s:%d:1: row has %d cells, the header %d", path, r.line, #r.cells, #header.cells)
      end
      local function at(col) return string.format("%s:%d:%d", path, r.lines[cols[col]], r.cols[cols[col]]) end
      local function cell(col) return cols[col] and r.cells[cols[col]]:match("^%s*(.-)%s*$") or nil end
      local h = money.decimal(cell("hours"))
      if not h then return nil, at("hours") .. ": hours '" .. cell("hours") .. "' is not a number" end
      if h:is_negative() then return nil, at("hours") .. ": hours " .. cell("hours") .. " is negative" end
      local date = cell("date")
      if not ratecard.iso_date(date) then return nil, at("date") .. ": date '" .. date .. "': expected YYYY-MM-DD" end
      if first and (date < first or date > last) then
        return nil, string.format("%s: date %s is outside the period %s..%s", at("date"), date, first, last)
      end
      local role = cell("role")
      rows[#rows + 1] = {annotator = cell("annotator"), date = date, hours = h, task = cell("task"),
        batch = cell("batch"), role = role ~= "" and role or nil, where = at(cols.role and "role" or "hours")}
    end
    ::continue::
  end
  if not header then return nil, path .. ": no header line (annotator,date,hours,task,batch[,role])" end
  return rows
end

-- The hour line of card for a row's role on its date, or nil and a message.
local function hour_line(card, row)
  local roles = {}
  for _, l in ipairs(card.lines) do
    if l.task == "hour" and valid_on(l, row.date) then
      if l.role == row.role then return l end
      if l.role then roles[#roles + 1] = l.role end
    end
  end
  if row.role then
    return nil, string.format("%s: unknown role '%s' (the card prices %s)", row.where, row.role,
      #roles > 0 and table.concat(roles, ", ") or "hours without a role")
  end
  return nil, string.format("%s: no role given and the card has no hour line without one (roles: %s)",
    row.where, table.concat(roles, ", "))
end

-- card:hourly(rows) -> {currency, total, hours, lines, by_batch, by_task} or nil,
-- msg. Hours are summed exactly per hour line (role), then multiplied and rounded
-- once per line.
function Card:hourly(rows)
  local per, order = {}, {}
  local hours = money.decimal(0)
  local by_batch, by_task = {}, {}
  for _, r in ipairs(rows) do
    local l, msg = hour_line(self, r)
    if not l then return nil, msg end
    if not per[l] then per[l] = money.decimal(0) order[#order + 1] = l end
    per[l] = per[l]:add(r.hours)
    hours = hours:add(r.hours)
    if r.batch then by_batch[r.batch] = (by_batch[r.batch] or money.decimal(0)):add(r.hours) end
    if r.task then by_task[r.task] = (by_task[r.task] or money.decimal(0)):add(r.hours) end
  end
  local lines, total = {}, money.minor(0, self.currency)
  for _, l in ipairs(order) do
    local amount = money.amount(per[l], l.price, self.currency, self.rounding)
    lines[#lines + 1] = {line = l, quantity = per[l], amount = amount}
    total = total + amount
  end
  local worked = total
  if self.minimum_hours and hours < self.minimum_hours and #order > 0 then
    local short = money.decimal(self.minimum_hours:text()):add(money.decimal("-" .. hours:text()))
    local l = order[1]
    local amount = money.amount(short, l.price, self.currency, self.rounding)
    lines[#lines + 1] = {line = l, quantity = short, amount = amount, minimum = true}
    total = total + amount
  end
  return {currency = self.currency, total = total, worked = worked, hours = hours, lines = lines, by_batch = by_batch,
    by_task = by_task}
end

function M.hourly_json(res, card)
  local lines = {}
  for _, p in ipairs(res.lines) do
    local j = line_json(p, card)
    if p.minimum then j.note = "minimum hours not worked (" .. card.minimum_hours:text() .. " h committed)" end
    lines[#lines + 1] = j
  end
  local batches, tasks = {}, {}
  for b, h in pairs(res.by_batch) do batches[b] = h:text() end
  for t, h in pairs(res.by_task) do tasks[t] = h:text() end
  return {currency = res.currency, rounding = card.rounding, total = res.total:json(), hours = res.hours:text(),
    lines = lines, hours_by_batch = batches, hours_by_task = tasks}
end

-- ---- cards ----

local function wrap(card)
  return setmetatable(card, Card)
end

-- Runs a Lua rate card through the policy loader (the sandbox, its budgets, the
-- fields a card must return) and returns a plain copy of the table it returns.
function M.run_policy(path)
  local policy = require "annovet.policy"
  local p, err = policy.load(path, {currency = "string", lines = "table"},
    {max_steps = 10 ^ 8, max_memory = 64 * 2 ^ 20, bundled = true})
  if not p then return nil, err end
  local t, perr = policy.plain(p.fields, path)
  if t and type(t.params) == "table" and next(t.params) == nil then t.params = nil end   -- the loader's, when none
  return t, perr
end

-- card(path_or_table [, name]) -> Card | nil, message.
function M.card(src, name)
  if type(src) == "table" then
    local c, msg = ratecard.from_table(src, name or "card")
    if not c then return nil, msg end
    return wrap(c)
  end
  local c, msg = ratecard.read(src, M.run_policy)
  if not c then return nil, msg end
  return wrap(c)
end

-- card:floor_check(floor_card) -> list of lines below the floor.
function Card:below(floor) return M.below_floor(self, floor) end

return M
