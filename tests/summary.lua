-- busted output handler: the plain terminal output, then the line CI reads,
-- "N passed, N failed", alone on the last line (errors count as failures).
return function(options)
  local busted = require 'busted'
  local handler = require 'busted.outputHandlers.plainTerminal'(options)
  busted.subscribe({'suite', 'end'}, function()
    local failed = handler.failuresCount + handler.errorsCount
    if handler.pendingsCount > 0 then
      io.write(string.format("%d skipped (see 'Pending' above)\n", handler.pendingsCount))
    end
    io.write(string.format("%d passed, %d failed\n", handler.successesCount, failed))
    io.flush()
    return nil, true
  end)
  return handler
end
