-- Names a user types for things the store knows (vendors, batches): the nearest
-- known name to suggest when one is not known. A case-insensitive match first,
-- then the smallest edit distance (at most a third of the name's length, at least 1,
-- and less than the whole name).
local edit_distance = require("annovet").geom.edit_distance

local M = {}

-- The known name nearest to name, or nil when none is near.
function M.nearest(name, known)
  local lower = name:lower()
  for _, k in ipairs(known) do
    if k:lower() == lower then return k end
  end
  local best, bestd = nil, math.max(1, #name // 3) + 1
  for _, k in ipairs(known) do
    local d = edit_distance(lower, k:lower())
    if d < bestd and d < #name then best, bestd = k, d end
  end
  return best
end

-- "the store knows no vendor 'Budget' (did you mean 'budget'?)", with what
-- the user may do next.
function M.unknown(what, name, known, hint)
  local near = M.nearest(name, known)
  return string.format("the store knows no %s '%s'%s%s", what, name,
    near and string.format(" (did you mean '%s'?)", near) or
      (#known > 0 and string.format(" (it knows %s)", table.concat(known, ", ", 1, math.min(#known, 8))) or ""),
    hint and ("; " .. hint) or "")
end

return M
