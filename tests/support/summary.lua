-- busted output handler: the plain terminal output, then the line CI reads,
-- "N passed, N failed", alone on the last line (errors count as failures).
-- When the shared fixtures are absent, a line of its own before it says that
-- the interoperability tests over them did not run, and how many they are, so
-- they are not lost among the other pending tests.
local NO_SHARED = "shared fixtures not found (ANNOVET_SHARED, default ../shared)"   -- tests/support/helper.lua's H.NO_SHARED

local function shared_fixtures()
  local dir = (os.getenv("ANNOVET_SHARED") or "../shared") .. "/fixtures"
  local ok = os.rename(dir, dir)                     -- true when it exists
  return dir, ok
end

return function(options)
  local busted = require 'busted'
  local handler = require 'busted.outputHandlers.plainTerminal'(options)
  busted.subscribe({'suite', 'end'}, function()
    local failed = handler.failuresCount + handler.errorsCount
    local interop = 0
    for _, p in ipairs(handler.pendings) do
      if type(p.message) == "string" and p.message:find(NO_SHARED, 1, true) then interop = interop + 1 end
    end
    local dir, present = shared_fixtures()
    if not present or interop > 0 then
      io.write(string.format("interoperability tests over %s did not run: %s not found (%d tests pending)\n",
        dir, dir, interop))
    end
    if handler.pendingsCount > 0 then
      io.write(string.format("%d skipped (see 'Pending' above)\n", handler.pendingsCount))
    end
    io.write(string.format("%d passed, %d failed\n", handler.successesCount, failed))
    io.flush()
    return nil, true
  end)
  return handler
end
