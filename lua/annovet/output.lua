-- A command's result on stdout in the format --format chose: JSON (pretty), CSV
-- (through libcsv, formulas neutralised) or a table for people. Every command
-- with --format writes through M.write, so the formats behave alike.
local annovet = require "annovet"
local system = require "annovet.system"

local M = {}

-- The --format option a command declares: choices, the default first.
function M.option(choices, help)
  return {name = "--format", arg = "F", choices = choices, default = choices[1],
    help = help or (table.concat(choices, ", ") .. " (default " .. choices[1] .. ")")}
end

-- Writes the output in format; how = {json = value, csv = rows | fn, table = text | fn}.
-- A function is called only for its own format and returns what it stands for
-- (rows for csv, or its text; the text for table, without the last newline). Returns true, or nil and a message.
function M.write(format, how)
  local v = how[format]
  if v == nil then return nil, "no " .. format .. " output" end
  if type(v) == "function" then v = v() end
  if format == "json" then
    io.stdout:write(annovet.json.encode(v, {pretty = true}), "\n")
  elseif format == "csv" and type(v) == "table" then
    return system.write_csv("-", v)
  else
    io.stdout:write(v, "\n")
  end
  return true
end

return M
