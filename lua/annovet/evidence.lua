-- Evidence packs for an invoice dispute: a folder a vendor can check without the
-- buyer's store. build() writes it from the store; verify() checks one from its
-- files alone.
--
-- A pack holds index.html (the summary a non-engineer reads), per_class.csv (the
-- evaluation's per-class results), failing_items.csv (every conflict on the
-- items the failures rest on), audit_sample.csv (the audit sample and its
-- defects; header only when none was recorded), delivery/ (the vendor's
-- delivery), rules/ (the SLA rule script), gold/ (the gold items disclosed:
-- those the failures rest on by default) and manifest.json: the SHA-256 and size
-- of every other file, the batch's log entries (canonical bodies and hashes, as
-- lua/annovet/log.lua defines them) with their RFC 6962 inclusion proofs under
-- the batch's Merkle root, the recomputable numbers (per class tp, fp, fn over
-- the failing items), the tool version and commit, parameters and timestamps.
-- manifest.sig, when signed, holds the Ed25519 signature of manifest.json's bytes.
local annovet = require "annovet"
local evaluations = require "annovet.evaluations"
local keys = require "annovet.keys"
local log = require "annovet.log"
local store = require "annovet.store"
local system = require "annovet.system"

local json = annovet.json

local M = {}

M.FORMAT = "annovet evidence pack 1"
M.DISCLOSE = {"failing", "sample", "all"}

local CONFLICT_COLS = {"item", "kind", "gold_class", "vendor_class", "iou", "annotator", "attribute"}
local CLASS_COLS = {"class", "gold", "vendor", "tp", "fp", "fn", "precision", "recall", "f1", "mean_iou"}

local function basename(p, default)
  local b = type(p) == "string" and p:match("([^/\\]+)$")
  if not b or b == "." or b == ".." then return default end
  return (b:gsub("[^%w_.%-]", "_"))
end

local function v(x)
  if x == json.null then return nil end
  return x
end

-- HTML-escapes text.
local function esc(s)
  return (tostring(s):gsub("[&<>\"']", {["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;",
    ["'"] = "&#39;"}))
end
M.escape = esc

-- ---- money ----

-- "0.05" -> 5 (minor units, 2 decimals), or nil.
local function minor_units(s)
  local whole, frac = tostring(s):match("^(%d+)%.?(%d*)$")
  if not whole or #frac > 2 or #whole > 12 then return nil end
  return math.tointeger(tonumber(whole) * 100 + tonumber((frac .. "00"):sub(1, 2)))
end
M.minor_units = minor_units

local function money_text(minor, currency)
  return string.format("%s %d.%02d", currency, minor // 100, minor % 100)
end

-- ---- the disclosed gold ----

local function item_set(items)
  local set = {}
  for _, it in ipairs(items) do
    set[it] = true
    set[basename(it, it)] = true
  end
  return set
end

local function in_set(set, file)
  return file ~= nil and (set[file] or set[basename(file, file)]) and true or false
end

-- The gold bytes restricted to items: a COCO file keeps only those images and
-- their annotations (every category); another format keeps every item but the
-- annotations of those items only. Returns bytes and a note.
local function disclose_gold(bytes, name, items)
  local set = item_set(items)
  local doc = json.decode(bytes)
  if type(doc) == "table" and type(doc.images) == "table" and type(doc.annotations) == "table" then
    local keep, images, anns = {}, {}, {}
    for _, im in ipairs(doc.images) do
      if in_set(set, im.file_name) then
        keep[im.id] = true
        images[#images + 1] = im
      end
    end
    for _, a in ipairs(doc.annotations) do
      if keep[a.image_id] then anns[#anns + 1] = a end
    end
    doc.images, doc.annotations = json.array(images), json.array(anns)
    return json.encode(doc, {pretty = true}) .. "\n", string.format("%d of the gold panel's items", #images)
  end
  local tmp = os.tmpname()
  local path = tmp .. "-" .. name
  local f = assert(io.open(path, "wb"))
  f:write(bytes)
  f:close()
  local ds, err = annovet.load(path)
  local out
  if ds then
    local sub = ds:select(function(a) return in_set(set, a.file) end)
    local target = tmp .. "-out-" .. name
    local ok, serr = sub:save(target, ds:summary().format)
    if ok then
      local g = io.open(target, "rb")
      out = g and g:read("a")
      if g then g:close() end
      os.remove(target)
    else
      err = serr
    end
  end
  os.remove(path)
  os.remove(tmp)
  if not out then error("cannot disclose the gold items: " .. tostring(err), 0) end
  return out, "the annotations of the failing items (every item listed)"
end

-- ---- CSV ----

-- Parses CSV text (RFC 4180: quoted fields, doubled quotes) into rows of strings.
local function parse_csv(text)
  local rows, row, field, i, n = {}, {}, {}, 1, #text
  local quoted = false
  while i <= n do
    local c = text:sub(i, i)
    if quoted then
      if c == '"' then
        if text:sub(i + 1, i + 1) == '"' then
          field[#field + 1] = '"'
          i = i + 1
        else
          quoted = false
        end
      else
        field[#field + 1] = c
      end
    elseif c == '"' then
      quoted = true
    elseif c == "," then
      row[#row + 1] = table.concat(field)
      field = {}
    elseif c == "\n" or c == "\r" then
      if c == "\r" and text:sub(i + 1, i + 1) == "\n" then i = i + 1 end
      row[#row + 1] = table.concat(field)
      rows[#rows + 1] = row
      row, field = {}, {}
    else
      field[#field + 1] = c
    end
    i = i + 1
  end
  if #field > 0 or #row > 0 then
    row[#row + 1] = table.concat(field)
    rows[#rows + 1] = row
  end
  return rows
end
M.parse_csv = parse_csv

-- A cell as it was before the writer neutralised it (a quote put in front of
-- a text starting with = + - @ tab or CR, so a spreadsheet reads no formula).
local function unneutral(cell)
  if cell:match("^'[=+%-@\t\r]") then return cell:sub(2) end
  return cell
end

-- Rows of a CSV with a header as tables keyed by column.
local function csv_records(text)
  local rows = parse_csv(text)
  for _, row in ipairs(rows) do
    for i, cell in ipairs(row) do row[i] = unneutral(cell) end
  end
  local header = rows[1] or {}
  local out = {}
  for r = 2, #rows do
    local rec = {}
    for c, name in ipairs(header) do rec[name] = rows[r][c] end
    out[#out + 1] = rec
  end
  return out, header
end

local function per_class_rows(result)
  local rows = {CLASS_COLS}
  local classes = {}
  for c in pairs(result.per_class or {}) do classes[#classes + 1] = c end
  table.sort(classes)
  for _, c in ipairs(classes) do
    local r = result.per_class[c]
    local row = {c}
    for i = 2, #CLASS_COLS do row[i] = v(r[CLASS_COLS[i]]) end
    row.n = #CLASS_COLS
    rows[#rows + 1] = row
  end
  return rows
end

local function conflict_rows(conflicts)
  local rows = {CONFLICT_COLS}
  for _, c in ipairs(conflicts) do
    local row = {}
    for i, k in ipairs(CONFLICT_COLS) do row[i] = v(c[k]) end
    row.n = #CONFLICT_COLS
    rows[#rows + 1] = row
  end
  return rows
end

local function failing_conflicts(result, items)
  local set, out = item_set(items), {}
  for _, c in ipairs(result.conflicts or {}) do
    if in_set(set, c.item) then out[#out + 1] = c end
  end
  return out
end

-- The per-class counts of a rescored result: {class = {tp, fp, fn}}.
local function counts(result)
  local out = {}
  for c, r in pairs(result.per_class or {}) do
    local tp, fp, fn = v(r.tp) or 0, v(r.fp) or 0, v(r.fn) or 0
    if tp + fp + fn > 0 then out[c] = {tp = tp, fp = fp, fn = fn} end
  end
  return out
end

-- ---- the HTML summary ----

local function details_text(d)
  if type(d) ~= "table" then return "" end
  local keys_, parts = {}, {}
  for k in pairs(d) do keys_[#keys_ + 1] = k end
  table.sort(keys_)
  for _, k in ipairs(keys_) do
    local x = d[k]
    local s = type(x) == "table" and json.encode(x) or tostring(x)
    if #s > 400 then s = s:sub(1, 397) .. "..." end
    parts[#parts + 1] = "<b>" .. esc(k) .. "</b>: " .. esc(s)
  end
  return table.concat(parts, "<br>")
end

local function html(t)
  local template = system.embedded("reports/evidence.html")
  local p = t.payload
  local outcome = t.decision.outcome
  local fill = {}
  fill.title = esc(string.format("Evidence pack: batch %s of vendor %s", p.batch.name, p.batch.vendor))
  fill.verdict = string.format("Decision: <span class=\"%s\">%s</span> on %s under %s.",
    outcome == "accepted" and "pass" or "fail", esc(outcome:upper()), esc(t.decision.created_at),
    esc(v(p.contract) or "the contract's SLA rules"))
  if t.money and t.money.card then
    local m = t.money
    fill.money = string.format("<p>%d items priced under the rate card %s (SHA-256 %s&hellip;): <b>%s %s</b>. %s</p>",
      m.items, esc(m.card.path), esc(m.card.sha256:sub(1, 12)), esc(m.currency), esc(m.amount_text), outcome == "rejected"
      and "The batch was rejected: under the rework clause it is owed nothing until its rework is accepted."
      or "The batch was accepted: it is owed in full.")
  elseif t.money then
    local m = t.money
    fill.money = string.format("<p>%d items at %s each: <b>%s</b>. %s</p>", m.items, esc(money_text(m.price_minor,
      m.currency)), esc(money_text(m.amount_minor, m.currency)), outcome == "rejected"
      and "The batch was rejected: under the rework clause it is owed nothing until its rework is accepted."
      or "The batch was accepted: it is owed in full.")
  else
    fill.money = string.format("<p>%d items; no price was given when the pack was made.</p>", t.items)
  end
  local g = p.gold or {}
  local gl = p.guidelines or {}
  local checked = {
    {"Delivery", t.delivery_file .. " (SHA-256 " .. t.delivery_sha .. ")"},
    {"Gold panel", string.format("%s version %s (SHA-256 %s); disclosed here: %s", v(g.name) or "gold",
      tostring(v(g.version) or "?"), tostring(v(g.sha256)), t.gold_note)},
    {"Guidelines", string.format("batch annotated under %s%s; gold panel made under %s%s%s",
      tostring(v(gl.batch) or "(none recorded)"), t.guidelines_sha.batch and (" (SHA-256 " .. t.guidelines_sha.batch .. ")") or "",
      tostring(v(gl.gold) or "(none recorded)"), t.guidelines_sha.gold and (" (SHA-256 " .. t.guidelines_sha.gold .. ")") or "",
      gl.mismatch and " — the versions differ" or "")},
    {"Rules", string.format("%s (SHA-256 %s)", t.rules_file, p.rules.sha256)},
    {"Comparison", string.format("%s at IoU %s, %s matching", tostring(t.params.iou_type), tostring(t.params.iou),
      tostring(t.params.matcher))},
    {"Tool", string.format("annovet %s (commit %s)", tostring(p.tool_version), tostring(p.tool_commit))},
  }
  local rows = {"<table>"}
  for _, r in ipairs(checked) do rows[#rows + 1] = "<tr><th>" .. esc(r[1]) .. "</th><td>" .. esc(r[2]) .. "</td></tr>" end
  rows[#rows + 1] = "</table>"
  fill.checked = table.concat(rows, "\n")
  rows = {"<table><tr><th>Clause</th><th>Contract text</th><th>Result</th><th>Numbers</th></tr>"}
  for _, c in ipairs(p.clauses or {}) do
    rows[#rows + 1] = string.format("<tr><td>%s</td><td>%s</td><td class=\"%s\">%s</td><td>%s</td></tr>",
      esc(c.name), esc(c.text), c.passed and "pass" or "fail", c.passed and "pass" or "FAIL",
      c.error and esc(c.error) or details_text(c.details))
  end
  rows[#rows + 1] = "</table>"
  fill.clauses = table.concat(rows, "\n")
  local fc, fi = p.failed_classes or {}, p.failed_items or {}
  if #fc == 0 and #fi == 0 then
    fill.failing = "<p>Nothing failed.</p>"
  else
    local list = {}
    for i = 1, math.min(#fi, 100) do list[i] = esc(fi[i]) end
    fill.failing = string.format("<p>Classes below the floor: %s.</p><p>%d items the failures rest on " ..
      "(failing_items.csv lists their conflicts): %s%s</p>", #fc > 0 and esc(table.concat(fc, ", ")) or "none",
      #fi, table.concat(list, ", "), #fi > 100 and ", ..." or "")
  end
  fill.howto = "<p>Each file's SHA-256 is in manifest.json. The decision and the evaluation are entries of the " ..
    "buyer's append-only log: each entry's hash is SHA-256 of the previous hash, a line break and the entry's " ..
    "JSON; manifest.json gives the batch's RFC 6962 Merkle root (" .. esc(t.root) .. ", " .. t.size ..
    " entries) and an inclusion proof per entry. <code>annovet evidence verify DIR [--public-key KEY]</code> " ..
    "checks all of it and recomputes the failing items' numbers from the delivery and the disclosed gold." ..
    (t.signed and " The manifest is signed (manifest.sig, Ed25519)." or "") .. "</p>"
  rows = {"<table><tr><th>File</th><th>Bytes</th><th>SHA-256</th></tr>"}
  for _, f in ipairs(t.files) do
    rows[#rows + 1] = string.format("<tr><td>%s</td><td>%d</td><td><code>%s</code></td></tr>", esc(f.path), f.size,
      esc(f.sha256))
  end
  rows[#rows + 1] = "</table>"
  fill.files = table.concat(rows, "\n")
  return (template:gsub("{{(%w+)}}", function(k) return fill[k] or "" end))
end

-- audit_sample.csv: the sampled items (lot, seed, plan) and, per grade, what the
-- audit found against the plan's Ac/Re; only the header when no sample was recorded.
local function audit_rows(a)
  local rows = {{"row", "item", "grade", "aql", "found", "accept", "reject", "verdict", "note"}}
  if not v(a) then return rows end
  for _, it in ipairs(a.items or {}) do
    rows[#rows + 1] = {"item", it, "", "", "", "", "", "", string.format("lot %s, seed %s, %s inspection", tostring(a.lot_id),
      tostring(a.seed), tostring(a.inspection))}
  end
  for _, g in ipairs(a.grades or {}) do
    rows[#rows + 1] = {"grade", "", g.grade, g.aql, g.found, g.accept, g.reject, g.verdict,
      string.format("sample of %s (MIL-STD-105E)", tostring(a.size))}
  end
  return rows
end

-- ---- building ----

local function write_file(path, bytes)
  local f, err = io.open(path, "wb")
  if not f then error(err, 0) end
  f:write(bytes)
  f:close()
end

-- Writes the pack of batch b into the new folder dir. opts: disclose, sign_key,
-- price (text, e.g. "0.05"), currency. Returns the manifest, or nil and a message.
function M.build(db, b, dir, opts)
  local d = store.latest_decision(db, b.id, "acceptance")
  if not d then
    return nil, string.format("batch '%s' of vendor '%s' has no acceptance decision: run annovet sla check first",
      b.name, b.vendor)
  end
  local payload = json.decode(d.payload)
  local ev = store.evaluation(db, d.evaluation_id)
  local result, params = json.decode(ev.result), json.decode(ev.params)
  local failing = {}
  for i, it in ipairs(payload.failed_items or {}) do failing[i] = it end
  local delivery = store.blob(db, ev.input_sha256 or "")
  local gold = store.blob(db, ev.gold_sha256 or "")
  local rules = store.blob(db, payload.rules.sha256 or "")
  if not delivery then return nil, "the evaluated delivery's bytes are not in the store" end
  if not gold then return nil, "the gold panel's bytes are not in the store" end
  if not rules then return nil, "the rule script's bytes are not in the store" end
  local seed, pub
  if opts.sign_key then
    seed, pub = keys.signing(opts.sign_key)
    if not seed then return nil, pub end
  end

  local kind = system.kind(dir)
  if kind and kind ~= "dir" then return nil, dir .. ": exists and is not a folder" end
  if kind == "dir" and #(system.walk(dir) or {}) > 0 then return nil, dir .. ": holds files; give a new folder" end
  local tmp = dir:gsub("/+$", "") .. ".partial"
  if system.kind(tmp) then return nil, tmp .. ": exists (a pack left half-written?); remove it" end

  local files = {}
  local function put(rel, bytes)
    write_file(tmp .. "/" .. rel, bytes)
    files[#files + 1] = {path = rel, size = #bytes, sha256 = annovet.sha256(bytes)}
  end
  local delivery_file = "delivery/" .. basename(ev.input_path, "delivery.json")
  local rules_file = "rules/" .. basename(payload.rules_file or payload.rules.path, "rules.lua")
  local gold_file = "gold/" .. basename(params.gold, "gold.json")
  local disclose = opts.disclose or "failing"
  local ok, err = pcall(function()
    for _, sub in ipairs {"", "/delivery", "/rules", "/gold"} do assert(system.mkdir(tmp .. sub)) end
    put(delivery_file, delivery)
    put(rules_file, rules)
    local gold_bytes, gold_note
    if disclose == "all" then
      gold_bytes, gold_note = gold, "the whole gold panel"
    else
      local audit = payload.inputs and v(payload.inputs.audit_sample)
      local shown = failing
      if disclose == "sample" and audit then
        shown = {}
        local seen = {}
        for _, list in ipairs {failing, audit.items} do
          for _, it in ipairs(list) do
            if not seen[it] then seen[it] = true; shown[#shown + 1] = it end
          end
        end
      end
      gold_bytes, gold_note = disclose_gold(gold, basename(params.gold, "gold.json"), shown)
      if disclose == "sample" then
        gold_note = gold_note .. (audit and " (the failing items and the audit sample)" or
          " (no audit sample is recorded: the failing items only)")
      end
    end
    put(gold_file, gold_bytes)
    local recomputed = {items = json.array(failing), per_class = {}}
    if #failing > 0 then
      local again, rerr = evaluations.rescore(gold_bytes, delivery, params, function(file)
        return in_set(item_set(failing), file)
      end)
      if not again then error("cannot rescore the failing items: " .. tostring(rerr), 0) end
      recomputed.per_class = counts(again)
    end
    local conflicts = failing_conflicts(result, failing)
    assert(system.write_csv(tmp .. "/per_class.csv", per_class_rows(result)))
    assert(system.write_csv(tmp .. "/failing_items.csv", conflict_rows(conflicts)))
    assert(system.write_csv(tmp .. "/audit_sample.csv", audit_rows(payload.inputs and payload.inputs.audit_sample)))
    for _, name in ipairs {"per_class.csv", "failing_items.csv", "audit_sample.csv"} do
      local f = assert(io.open(tmp .. "/" .. name, "rb"))
      local bytes = f:read("a")
      f:close()
      files[#files + 1] = {path = name, size = #bytes, sha256 = annovet.sha256(bytes)}
    end
    local tree = log.batch_tree(db, b.id)
    local entries = {}
    for i, e in ipairs(tree.entries) do
      entries[i] = {seq = e.seq, table = e.entry_table, row_id = e.row_id, body = e.body, prev_hash = e.prev_hash,
        hash = e.hash, proof = log.proof(tree, i)}
    end
    local items = 0
    for _, x in ipairs(store.deliveries_of(db, b.id)) do items = items + (x.items or 0) end
    local money
    if opts.card then
      local cost, cerr = require("annovet.invoice").batch_cost(db, b.id, opts.card)
      if not cost then error(cerr, 0) end
      money = {items = items, card = {path = opts.card.path, sha256 = opts.card.sha256}, currency = opts.card.currency,
        amount_minor = cost.total.minor, amount_text = cost.total:text(),
        owed_minor = d.outcome == "rejected" and 0 or cost.total.minor}
      assert(system.mkdir(tmp .. "/rates"))
      put("rates/" .. basename(opts.card.path, "rates.csv"), opts.card.bytes)
    elseif opts.price then
      local pm = minor_units(opts.price)
      money = {items = items, price = opts.price, price_minor = pm, currency = opts.currency or "USD",
        amount_minor = items * pm, owed_minor = d.outcome == "rejected" and 0 or items * pm}
    end
    local gl = payload.guidelines or {}
    local gsha = {}
    for _, side in ipairs {"batch", "gold"} do
      local g = v(gl[side]) and store.guidelines(db, gl[side])
      gsha[side] = g and g.sha256 or nil
    end
    local html_text = html({payload = payload, decision = d, money = money, items = items, params = params,
      delivery_file = delivery_file, delivery_sha = ev.input_sha256, rules_file = rules_file, gold_note = gold_note,
      guidelines_sha = gsha, root = tree.root, size = tree.size, files = files, signed = seed ~= nil})
    put("index.html", html_text)
    local manifest = {
      format = M.FORMAT, tool_version = annovet.version, tool_commit = annovet.commit,
      created_at = store.next_decision(db).now,
      batch = {id = b.id, name = b.name, vendor = b.vendor, state = b.state, rework_of = payload.batch.rework_of},
      decision = {id = d.id, outcome = d.outcome, created_at = d.created_at, hash = d.hash},
      evaluation = {id = ev.id, created_at = ev.created_at, params = params},
      disclose = disclose, gold_note = gold_note,
      gold = payload.gold, guidelines = {batch = v(gl.batch), gold = v(gl.gold), mismatch = gl.mismatch,
        batch_sha256 = gsha.batch, gold_sha256 = gsha.gold},
      rules = payload.rules,
      delivery = {file = delivery_file, sha256 = ev.input_sha256},
      rules_file = rules_file, gold_file = gold_file,
      money = money,
      recomputed = recomputed,
      log = {batch_id = b.id, size = tree.size, root = tree.root,
        checkpoint = log.batch_checkpoint(b.id, tree.size, tree.root), entries = json.array(entries)},
      files = json.array(files),
    }
    local mtext = json.encode(manifest, {pretty = true}) .. "\n"
    write_file(tmp .. "/manifest.json", mtext)
    if seed then
      write_file(tmp .. "/manifest.sig", json.encode({algorithm = "ed25519", public_key = pub,
        signature = annovet.ed25519.sign(seed, mtext), signed = "manifest.json"}, {pretty = true}) .. "\n")
    end
    if kind == "dir" then os.remove(dir) end
    local rok, rerr = os.rename(tmp, dir)
    if not rok then error(rerr, 0) end
    return manifest
  end)
  if not ok then
    os.execute("rm -rf '" .. tmp:gsub("'", "'\\''") .. "'")
    return nil, tostring(err)
  end
  return err
end

-- ---- verifying ----

local function read(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s
end

local function fail(file, message, extra)
  local r = {verified = false, file = file, message = file .. ": " .. message}
  for k, x in pairs(extra or {}) do r[k] = x end
  return r
end

local function safe_rel(p)
  return type(p) == "string" and p ~= "" and not p:find("^/") and not p:find("%.%.") and not p:find("\\", 1, true)
end

local function show(x)
  if x == nil or x == json.null then return "null" end
  if type(x) == "table" or type(x) == "number" then return json.encode(x) end
  return tostring(x)
end

-- Checks the pack in dir from its files alone; public_key (hex) checks the
-- signature. Returns {verified = true, ...} or {verified = false, file,
-- message, field, recorded, recomputed}.
function M.verify(dir, public_key)
  local mtext = read(dir .. "/manifest.json")
  if not mtext then return fail("manifest.json", "missing") end
  local m = json.decode(mtext)
  if type(m) ~= "table" or m.format ~= M.FORMAT then return fail("manifest.json", "not an annovet evidence manifest") end
  -- the signature first: it covers every hash below
  local signature = "absent"
  local stext = read(dir .. "/manifest.sig")
  if stext then
    local s = json.decode(stext)
    if type(s) ~= "table" or type(s.signature) ~= "string" then return fail("manifest.sig", "not a signature file") end
    if public_key then
      if not annovet.ed25519.verify(public_key, mtext, s.signature) then
        return fail("manifest.sig", "the signature of manifest.json does not verify with the public key given")
      end
      signature = "verified"
    else
      signature = "present, not checked (give --public-key)"
    end
  elseif public_key then
    return fail("manifest.sig", "missing: the pack is not signed")
  end
  -- every file's bytes
  local bytes = {}
  for _, f in ipairs(m.files or {}) do
    if not safe_rel(f.path) then return fail("manifest.json", "a file path leaves the pack: " .. show(f.path)) end
    local b = read(dir .. "/" .. f.path)
    if not b then return fail(f.path, "missing") end
    local h = annovet.sha256(b)
    if h ~= f.sha256 or #b ~= f.size then
      return fail(f.path, string.format("SHA-256 %s differs from the manifest's %s", h, tostring(f.sha256)),
        {field = "sha256", recorded = f.sha256, recomputed = h})
    end
    bytes[f.path] = b
  end
  for _, need in ipairs {m.delivery and m.delivery.file, m.rules_file, m.gold_file, "per_class.csv", "failing_items.csv"} do
    if not bytes[need] then return fail("manifest.json", "does not list " .. show(need)) end
  end
  -- the log entries: hashes, inclusion proofs under the batch's root
  local lg = m.log or {}
  local ev_body, dec_body
  for i, e in ipairs(lg.entries or {}) do
    local h = log.entry_hash(e.prev_hash or "", e.body or "")
    if h ~= e.hash then
      return fail("manifest.json", string.format("log entry %d: hash %s is not the SHA-256 of its entry (%s)", i,
        show(e.hash), h), {field = string.format("log.entries[%d].hash", i), recorded = e.hash, recomputed = h})
    end
    if not log.check_proof(e.hash, e.proof, lg.root) then
      return fail("manifest.json", string.format("log entry %d: its inclusion proof does not lead to the root %s",
        i, show(lg.root)), {field = string.format("log.entries[%d].proof", i)})
    end
    local body = json.decode(e.body)
    if type(body) == "table" and type(body.row) == "table" then
      if body.table == "evaluations" and body.id == m.evaluation.id then ev_body = body.row end
      if body.table == "decisions" and body.id == m.decision.id then dec_body = body.row end
    end
  end
  if lg.checkpoint ~= log.batch_checkpoint(lg.batch_id or 0, #(lg.entries or {}), lg.root or "") then
    return fail("manifest.json", "the checkpoint does not name the entries' root and count")
  end
  if not ev_body then return fail("manifest.json", "the evaluation's log entry is missing") end
  if not dec_body then return fail("manifest.json", "the decision's log entry is missing") end
  -- the files are the ones the log names
  local d = m.delivery.file
  if annovet.sha256(bytes[d]) ~= ev_body.input_sha256 then
    return fail(d, "is not the delivery the logged evaluation scored (SHA-256 " .. show(ev_body.input_sha256) .. ")")
  end
  local payload = json.decode(dec_body.payload or "") or {}
  if annovet.sha256(bytes[m.rules_file]) ~= (payload.rules or {}).sha256 then
    return fail(m.rules_file, "is not the rule script the logged decision ran")
  end
  if m.disclose == "all" and annovet.sha256(bytes[m.gold_file]) ~= ev_body.gold_sha256 then
    return fail(m.gold_file, "is not the gold panel the logged evaluation used")
  end
  if dec_body.outcome ~= m.decision.outcome then
    return fail("manifest.json", "decision.outcome differs from the logged decision")
  end
  -- per_class.csv holds the logged evaluation's numbers
  local result = json.decode(ev_body.result or "") or {}
  local recs = csv_records(bytes["per_class.csv"])
  for r, rec in ipairs(recs) do
    local logged = (result.per_class or {})[rec.class]
    if not logged then return fail("per_class.csv", string.format("row %d: class '%s' is not in the logged evaluation", r + 1, tostring(rec.class))) end
    for i = 2, #CLASS_COLS do
      local k = CLASS_COLS[i]
      local want = v(logged[k])
      local got = tonumber(rec[k])
      if got ~= want then
        return fail("per_class.csv", string.format("row %d (%s): %s is %s, the logged evaluation has %s", r + 1,
          rec.class, k, show(rec[k]), show(want)), {field = k, recorded = rec[k], recomputed = want == nil and json.null or want})
      end
    end
  end
  -- recompute the failing items from the delivery and the disclosed gold
  local items = {}
  for i, it in ipairs(m.recomputed and m.recomputed.items or {}) do items[i] = it end
  local n_conflicts = 0
  if #items > 0 then
    local set = item_set(items)
    local again, err = evaluations.rescore(bytes[m.gold_file], bytes[d], m.evaluation.params,
      function(file) return in_set(set, file) end)
    if not again then return fail(m.gold_file, "the failing items cannot be rescored: " .. tostring(err)) end
    local path, x, y = evaluations.number_difference(m.recomputed.per_class, counts(again))
    if path then
      return fail("manifest.json", string.format("recomputed.per_class%s is %s, recomputed from %s and %s: %s",
        path, show(x), d, m.gold_file, show(y)), {field = "recomputed.per_class" .. path, recorded = x == nil and json.null or x,
        recomputed = y == nil and json.null or y})
    end
    -- failing_items.csv: the same conflicts, with the same IoU
    local want = failing_conflicts(again, items)
    local got = csv_records(bytes["failing_items.csv"])
    local function key(c)
      return table.concat({tostring(v(c.item) or ""), tostring(v(c.kind) or ""), tostring(v(c.gold_class) or ""),
        tostring(v(c.vendor_class) or "")}, "|")
    end
    local pool = {}
    for _, c in ipairs(want) do
      local k = key(c)
      pool[k] = pool[k] or {}
      table.insert(pool[k], v(c.iou) or false)
    end
    for r, rec in ipairs(got) do
      local k = key(rec)
      local list = pool[k]
      local iou = rec.iou ~= "" and tonumber(rec.iou) or false
      local found
      for i, x in ipairs(list or {}) do
        if x == iou then found = i break end
      end
      if not found then
        return fail("failing_items.csv", string.format("row %d (%s %s on %s): %s not found when %s is scored " ..
          "against %s again", r + 1, tostring(rec.kind), tostring(rec.gold_class ~= "" and rec.gold_class or rec.vendor_class),
          tostring(rec.item), list and ("iou " .. show(rec.iou) .. " is") or "this conflict is", d, m.gold_file),
          {field = "iou", recorded = rec.iou, recomputed = list and list[1] or json.null})
      end
      table.remove(list, found)
      n_conflicts = n_conflicts + 1
    end
    for k, list in pairs(pool) do
      if #list > 0 then
        return fail("failing_items.csv", "lacks a conflict found when the delivery is scored again: " .. k)
      end
    end
  end
  return {verified = true, pack = dir, files = #(m.files or {}), log_entries = #(lg.entries or {}), root = lg.root,
    signature = signature, recomputed = {items = #items, conflicts = n_conflicts}}
end

return M
