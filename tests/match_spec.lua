-- Matching: optimal assignment equal to scipy's linear_sum_assignment, greedy by
-- decreasing similarity, thresholds and edge cases.
local H = require "tests.support.helper"

-- Cases {seed, detections, gold, total similarity, matches}: the optimum that
-- scipy.optimize.linear_sum_assignment(w, maximize=True) finds on the matrices the
-- script below generates (same LCG, x = (1103515245 x + 12345) mod 2^31; entry
-- v/1000 kept when the next draw mod 10 < 4, else 0), with w = sim where
-- sim >= 0.5 else 0, counting pairs with w >= 0.5. Computed with Debian's
-- python3-scipy 1.10 while developing.
local CASES = {
  {1, 7, 4, 1.830000000000, 2},
  {2, 8, 5, 3.474000000000, 4},
  {3, 5, 10, 3.264000000000, 4},
  {4, 6, 11, 2.872000000000, 4},
  {5, 3, 4, 0.860000000000, 1},
  {6, 4, 5, 2.203000000000, 3},
  {7, 1, 10, 0.938000000000, 1},
  {8, 2, 11, 1.674000000000, 2},
  {9, 11, 4, 3.276000000000, 4},
  {10, 12, 5, 4.225000000000, 5},
  {11, 9, 10, 5.722000000000, 7},
  {12, 10, 11, 5.941000000000, 7},
  {13, 7, 4, 2.386000000000, 3},
  {14, 8, 5, 2.395000000000, 3},
  {15, 5, 10, 3.710000000000, 5},
  {16, 6, 11, 4.734000000000, 6},
  {17, 3, 4, 1.690000000000, 2},
  {18, 4, 9, 1.566000000000, 2},
  {19, 1, 10, 0.734000000000, 1},
  {20, 2, 3, 0.000000000000, 0},
  {21, 11, 4, 2.972000000000, 4},
  {22, 12, 9, 6.093000000000, 7},
  {23, 9, 10, 5.322000000000, 7},
  {24, 10, 3, 1.596000000000, 2},
  {25, 7, 4, 2.090000000000, 3},
  {26, 8, 9, 5.215000000000, 7},
  {27, 5, 10, 4.122000000000, 5},
  {28, 6, 3, 1.626000000000, 2},
  {29, 3, 4, 1.586000000000, 2},
  {30, 4, 9, 2.741000000000, 3},
  {31, 1, 10, 0.684000000000, 1},
  {32, 2, 3, 1.174000000000, 2},
  {33, 11, 4, 2.410000000000, 3},
  {34, 12, 9, 6.734000000000, 8},
  {35, 9, 10, 6.392000000000, 8},
  {36, 10, 3, 1.520000000000, 2},
  {37, 11, 4, 2.510000000000, 3},
  {38, 8, 9, 5.589000000000, 7},
  {39, 9, 10, 5.914000000000, 7},
  {40, 6, 3, 1.894000000000, 2},
}

local GEN = [==[
local seed, thr = tonumber(arg[1]), 0.5
local x = seed
local function draw() x = (1103515245 * x + 12345) % 2147483648 return x end
local nd, ng = draw() % 12 + 1, draw() % 12 + 1
local sim = {}
for i = 1, nd do
  sim[i] = {}
  for j = 1, ng do
    local v = draw() % 1000
    sim[i][j] = draw() % 10 < 4 and v / 1000 or 0.0
  end
end
local m, n = annovet.match.optimal(sim, thr)
local total, used = 0, {}
for i = 1, nd do
  if m[i] then
    assert(not used[m[i]], "gold matched twice")
    assert(sim[i][m[i]] >= thr, "pair below threshold")
    used[m[i]] = true
    total = total + sim[i][m[i]]
  end
end
print(nd, ng, string.format("%.12f", total), n)
]==]

describe("annovet.match", function()
  after_each(H.cleanup)

  it("finds the optimum scipy's linear_sum_assignment finds", function()
    local script = H.script(GEN)
    for _, c in ipairs(CASES) do
      local out, err, code = H.run("run " .. H.q(script) .. " " .. c[1])
      assert.are.equal(0, code, err)
      local nd, ng, total, n = out:match("^(%d+)\t(%d+)\t([%d.]+)\t(%d+)\n$")
      assert.are.equal(c[2], tonumber(nd))
      assert.are.equal(c[3], tonumber(ng))
      H.near(tonumber(total), c[4], 1e-9, "seed " .. c[1] .. " total")
      assert.are.equal(c[5], tonumber(n), "seed " .. c[1] .. " matches")
    end
  end)

  it("prefers the larger total over the single best pair, unlike greedy", function()
    -- Worked by hand: greedy takes (1,1)=0.9 and leaves row 2 with nothing above
    -- 0.5 (total 0.9); the optimum pairs (1,2)=0.8 and (2,1)=0.85 (total 1.65).
    local out, err, code = H.run("run " .. H.q(H.script [[
      local sim = {{0.9, 0.8}, {0.85, 0.1}}
      local o, n = annovet.match.optimal(sim, 0.5)
      local g, k = annovet.match.greedy(sim, 0.5)
      print(o[1], o[2], n, g[1], g[2], k)
    ]]))
    assert.are.equal(0, code, err)
    assert.are.equal("2\t1\t2\t1\tfalse\t1\n", out)
  end)

  it("matches nothing below the threshold, and counts a pair exactly at it", function()
    local out, err, code = H.run("run " .. H.q(H.script [[
      local a, n = annovet.match.optimal({{0.49, 0.3}, {0.2, 0.5}}, 0.5)
      local b, k = annovet.match.greedy({{0.49}}, 0.5)
      local c, z = annovet.match.optimal({}, 0.5)
      print(a[1], a[2], n, b[1], k, #c, z, (0/0 >= 0.5))
    ]]))
    assert.are.equal(0, code, err)
    assert.are.equal("false\t2\t1\tfalse\t0\t0\t0\tfalse\n", out)
  end)

  it("refuses a ragged matrix with a message naming the row", function()
    local _, err, code = H.run("run " .. H.q(H.script [[
      annovet.match.optimal({{0.9, 0.8}, {0.85}}, 0.5)
    ]]))
    assert.are.equal(2, code)
    assert.truthy(err:find("similarity row 2: expected a table of 2 numbers", 1, true), err)
  end)
end)
