-- Tests the pilot verdict as a statistician would: many seeded simulated pilots
-- of two vendors whose per-object error rates are known, each scored by the real
-- ./annovet compare --ci, and three figures:
--   coverage  how often the 95% interval of a vendor's micro F1 holds its true F1
--             (target 0.95);
--   power     how often the paired verdict names the better vendor when the true
--             gap is 3 F1 points (at --items gold items);
--   null      how often it says "not distinguishable" when there is no gap
--             (target 0.95).
--
-- A pilot: --items gold items, each with 1 to 7 objects (uniform) of one class,
-- a quarter of the items hard (both vendors detect less there: the items are
-- what the vendors share, so the pairing matters). A vendor finds each gold
-- object with probability d (d + 0.2/3 on easy items, d - 0.2 on hard ones: d
-- on average) and draws f false boxes per gold object on average (each object
-- slot adds one with probability f). So E[TP] = d G, E[FN] = (1 - d) G, E[FP] =
-- f G for G gold objects and the true F1 = 2d / (2d + f + 1 - d); a vendor of
-- F1 t and false-box rate f has d = t (1 + f) / (2 - t). A found object is an
-- exact copy of the gold box, a false box lies away from every gold box, so the
-- counts are exactly what the rates drew.
--
--   lua5.4 tools/sim_pilot.lua [--pilots 400] [--items 500] [--resamples 1000]
--                              [--seed 2026] [--bin ./annovet]
local args = {pilots = 400, items = 500, resamples = 1000, seed = 2026, bin = "./annovet"}
do
  local i = 1
  while arg[i] do
    local k = arg[i]:match("^%-%-(.+)$")
    if not k or args[k] == nil or not arg[i + 1] then
      io.stderr:write("usage: lua5.4 tools/sim_pilot.lua [--pilots N] [--items N] [--resamples N] [--seed S] [--bin PATH]\n")
      os.exit(2)
    end
    args[k] = k == "bin" and arg[i + 1] or assert(tonumber(arg[i + 1]), k)
    i = i + 2
  end
end

local F_TRUE, GAP, FP_RATE, HARD, HARD_DROP = 0.85, 0.03, 0.10, 0.25, 0.20

-- The detection rate of a vendor of true F1 t.
local function detection(t, f) return t * (1 + f) / (2 - t) end
local function true_f1(d, f) return 2 * d / (2 * d + f + 1 - d) end

local tmp = os.tmpname()
os.remove(tmp)
assert(os.execute("mkdir -p " .. tmp))

local function write(path, parts)
  local fh = assert(io.open(path, "w"))
  fh:write(table.concat(parts))
  fh:close()
end

-- Writes one pilot's gold and two vendors' COCO files.
local function pilot(vendors)
  local images, gold = {}, {}
  local vend = {{}, {}}
  local id = 0
  local function box(list, item, x, y)
    id = id + 1
    list[#list + 1] = string.format(
      '{"id":%d,"image_id":%d,"category_id":1,"bbox":[%d,%d,20,20],"area":400,"iscrowd":0}', id, item, x, y)
  end
  for i = 1, args.items do
    images[i] = string.format('{"id":%d,"file_name":"f%d.jpg","width":400,"height":400}', i, i)
    local hard = math.random() < HARD
    for k = 1, math.random(1, 7) do
      box(gold, i, 40 * k, 40)
      for v, rates in ipairs(vendors) do
        local d = hard and rates.d - HARD_DROP or rates.d + HARD_DROP * HARD / (1 - HARD)
        if math.random() < d then box(vend[v], i, 40 * k, 40) end
        if math.random() < rates.f then box(vend[v], i, 40 * k, 240) end
      end
    end
  end
  local head = '{"categories":[{"id":1,"name":"obj"}],"images":[' .. table.concat(images, ",") .. '],"annotations":['
  write(tmp .. "/g.json", {head, table.concat(gold, ","), "]}"})
  for v = 1, 2 do write(tmp .. "/v" .. v .. ".json", {head, table.concat(vend[v], ","), "]}"}) end
end

local function lines(path)
  local out = {}
  for l in io.lines(path) do out[#out + 1] = l end
  return out
end

-- Runs compare on the pilot: each vendor's F1 interval, and the pair's verdict.
local function score(seed)
  local cmd = string.format("ANNOVET_QUIET=1 %s compare --gold %s/g.json --vendor A=%s/v1.json --vendor B=%s/v2.json " ..
    "--iou-type bbox --threads 1 --ci %d --seed %d --out %s/r", args.bin, tmp, tmp, tmp, args.resamples, seed, tmp)
  assert(os.execute(cmd), "annovet compare failed")
  local ci = {}
  for _, l in ipairs(lines(tmp .. "/r/intervals.csv")) do
    local v, row, sc, est, lo, hi = l:match("^([^,]*),([^,]*),[^,]*,([^,]*),([^,]*),([^,]*),([^,]*),")
    if row == "micro" and sc == "f1" then ci[v] = {tonumber(est), tonumber(lo), tonumber(hi)} end
  end
  local verdict
  for _, l in ipairs(lines(tmp .. "/r/pairs.csv")) do
    local row, v = l:match("^A,B,([^,]*),[^,]*,[^,]*,[^,]*,[^,]*,[^,]*,([^,]*),")
    if row == "micro" then verdict = v end
  end
  return ci, verdict
end

math.randomseed(args.seed)
local t0 = os.clock()
local wall = os.time()
local dA = detection(F_TRUE, FP_RATE)
local dB = detection(F_TRUE - GAP, FP_RATE)
local scenarios = {
  {name = "gap", vendors = {{d = dA, f = FP_RATE}, {d = dB, f = FP_RATE}}},
  {name = "null", vendors = {{d = dA, f = FP_RATE}, {d = dA, f = FP_RATE}}},
}
local covered, intervals, right, null_nd = 0, 0, 0, 0
for _, sc in ipairs(scenarios) do
  local truth = {A = true_f1(sc.vendors[1].d, FP_RATE), B = true_f1(sc.vendors[2].d, FP_RATE)}
  for p = 1, args.pilots do
    pilot(sc.vendors)
    local ci, verdict = score(args.seed * 1000 + p)
    for v, t in pairs(truth) do
      intervals = intervals + 1
      if ci[v][2] <= t and t <= ci[v][3] then covered = covered + 1 end
    end
    if sc.name == "gap" and verdict == "A better" then right = right + 1 end
    if sc.name == "null" and verdict == "not distinguishable" then null_nd = null_nd + 1 end
  end
end
os.execute("rm -rf " .. tmp)
print(string.format("sim_pilot: %d pilots per scenario, %d gold items each (1-7 objects, %d%% hard), %d resamples, seed %d",
  args.pilots, args.items, HARD * 100, args.resamples, args.seed))
print(string.format("  vendors: true F1 %.3f and %.3f (gap %.0f points), %.2f false boxes per gold object",
  F_TRUE, F_TRUE - GAP, GAP * 100, FP_RATE))
print(string.format("  coverage of the 95%% F1 interval:               %.3f (%d of %d intervals)",
  covered / intervals, covered, intervals))
print(string.format("  better vendor named at a gap of 3 F1 points:    %.3f (%d of %d pilots)",
  right / args.pilots, right, args.pilots))
print(string.format("  \"not distinguishable\" with no gap:              %.3f (%d of %d pilots)",
  null_nd / args.pilots, null_nd, args.pilots))
print(string.format("  %.0f s wall, %.1f s of CPU in Lua", os.time() - wall, os.clock() - t0))
