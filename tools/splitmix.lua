-- splitmix64 (Steele, Lea and Flood 2014): the seeded generator of the tools'
-- generators, the same numbers on any machine. new(seed) -> {next64, rand, randint}.
local M = {}

function M.new(seed)
  local state = math.tointeger(seed) * 0x9E3779B97F4A7C15
  local g = {}
  function g.next64()
    state = state + 0x9E3779B97F4A7C15
    local z = state
    z = (z ~ (z >> 30)) * 0xBF58476D1CE4E5B9
    z = (z ~ (z >> 27)) * 0x94D049BB133111EB
    return z ~ (z >> 31)
  end
  -- uniform in [0, 1) with 53 random bits
  function g.rand() return (g.next64() >> 11) * (1.0 / 9007199254740992) end
  -- an integer in [a, b]
  function g.randint(a, b) return a + (g.next64() >> 1) % (b - a + 1) end
  return g
end

return M
