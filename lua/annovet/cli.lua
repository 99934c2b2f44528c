-- The command line: global options, dispatch to lua/annovet/cmd/<name>.lua, and the
-- conventions every command shares (exit status, messages, JSON output).
-- A command module returns {summary, usage, help, options, positional, run =
-- function(opts, args, cli)}: options and positional as lua/annovet/args.lua reads them.
local annovet = require "annovet"
local args = require "annovet.args"
local system = require "annovet.system"

local M = {}

-- Raised by M.fail: carries the exit status, so commands stop with one line.
local Failure = {}
Failure.__index = Failure
Failure.__tostring = function(f) return f.msg end

-- Stops the command: prints "annovet: msg" and exits with code (default 2: bad input).
function M.fail(msg, code)
  error(setmetatable({msg = msg, code = code or 2}, Failure), 0)
end

-- Like fail, but shows the command's usage line too.
function M.usage_error(msg, cmd)
  error(setmetatable({msg = msg, code = 2, usage = cmd}, Failure), 0)
end

-- value, msg -> value, or fail with msg (for `nil, message` returns).
-- The running command's flags by the API name of the option each sets: "--level"
-- for level, or what an option spec's `api` field names ("--kpt-sigmas" sets sigmas;
-- a list when a flag sets several: "--iou" sets iou and iou_by_class).
local flags = {}

-- msg with the command-line flag in place of option, the API name by which the
-- engine named the option at fault (its third result after nil and the message):
-- "level: ..." becomes "--level: ...", and another message gets "(--level)".
function M.flagged(msg, option)
  if type(option) ~= "string" or type(msg) ~= "string" then return msg end
  local flag = flags[option] or "--" .. option:gsub("_", "-")
  if msg:sub(1, #option + 2) == option .. ": " then return flag .. msg:sub(#option + 1) end
  return msg .. " (" .. flag .. ")"
end

-- v, or the failure's message (with its flag) and exit 2 when v is nil or false.
function M.check(v, msg, option, ...)
  if v == nil or v == false then M.fail(M.flagged(msg, option)) end
  return v, msg, option, ...
end

function M.print_json(value)
  io.stdout:write(annovet.json.encode(value, {pretty = true}), "\n")
end

function M.warn(msg)
  io.stderr:write("annovet: warning: ", msg, "\n")
end

-- Progress of long work, on stderr; ANNOVET_QUIET=1 silences it.
function M.progress(msg)
  if os.getenv("ANNOVET_QUIET") then return end
  io.stderr:write("annovet: ", msg, "\n")
end

local function command_names()
  local names = {}
  for _, path in ipairs(system.embedded_list("lua/annovet/cmd/")) do
    local name = path:match("^lua/annovet/cmd/([%w_]+)%.lua$")
    if name then names[#names + 1] = name end
  end
  table.sort(names)
  return names
end

-- The command's module, or nil when no searcher finds it. The searchers are asked
-- as require asks them, so a command that exists but fails to load raises its own
-- error instead of reading as "unknown command".
local function load_command(name)
  if not name:match("^[%a][%w_]*$") then return nil end
  local modname = "annovet.cmd." .. name
  if package.loaded[modname] ~= nil then return package.loaded[modname] end
  for _, searcher in ipairs(package.searchers) do
    local loader, extra = searcher(modname)
    if type(loader) == "function" then
      local mod = loader(modname, extra)
      package.loaded[modname] = mod
      return mod
    end
  end
  return nil
end

local function version_line()
  return string.format("annovet %s (commit %s, %s)", annovet.version, annovet.commit, _VERSION)
end

function M.main_usage()
  local out = {
    "usage: annovet [--help] [--version] COMMAND [ARGS...]",
    "",
    "annovet scores image-annotation vendors against a gold panel, checks their",
    "agreement, and keeps the evidence in a SQLite store.",
    "",
    "commands:",
  }
  for _, name in ipairs(command_names()) do
    local cmd = load_command(name)
    out[#out + 1] = string.format("  %-10s %s", name, cmd.summary)
  end
  out[#out + 1] = ""
  out[#out + 1] = "'annovet help COMMAND' or 'annovet COMMAND --help' describes one command."
  out[#out + 1] = "Exit status: 0 success, 1 a check failed, 2 bad usage or bad input, 3 internal error."
  return table.concat(out, "\n")
end

-- The full help of one command: usage, description, options.
function M.command_help(name, cmd)
  local out = {"usage: " .. cmd.usage, ""}
  if cmd.help then out[#out + 1] = cmd.help:gsub("%s+$", "") out[#out + 1] = "" end
  local opts = cmd.options or {}
  if #opts > 0 then
    out[#out + 1] = "options:"
    for _, o in ipairs(opts) do
      local left = o.name .. (o.arg and (" " .. o.arg) or "")
      out[#out + 1] = string.format("  %-24s %s", left, o.help or "")
    end
    out[#out + 1] = string.format("  %-24s %s", "-h, --help", "show this help")
  end
  return (table.concat(out, "\n"):gsub("\n+$", ""))
end

local function dispatch(argv)
  local first = argv[1]
  if first == nil then
    io.stderr:write(M.main_usage(), "\n")
    return 2
  end
  if first == "--help" or first == "-h" then
    io.stdout:write(M.main_usage(), "\n")
    return 0
  end
  if first == "--version" or first == "-V" then
    io.stdout:write(version_line(), "\n")
    return 0
  end
  if first == "help" then
    if argv[2] == nil then
      io.stdout:write(M.main_usage(), "\n")
      return 0
    end
    local cmd = load_command(argv[2])
    if not cmd then M.usage_error("unknown command '" .. argv[2] .. "'", "main") end
    io.stdout:write(M.command_help(argv[2], cmd), "\n")
    return 0
  end
  if first:sub(1, 1) == "-" then M.usage_error("unknown option " .. first, "main") end
  local cmd = load_command(first)
  if not cmd then M.usage_error("unknown command '" .. first .. "'", "main") end
  local rest = table.move(argv, 2, #argv, 1, {})
  for _, a in ipairs(rest) do
    if a == "--help" or a == "-h" then
      io.stdout:write(M.command_help(first, cmd), "\n")
      return 0
    end
    if a == "--" or (cmd.stop_at_positional and a:sub(1, 1) ~= "-") then break end
  end
  for _, spec in ipairs(cmd.options or {}) do
    local api = spec.api or spec.name:sub(3):gsub("-", "_")
    for _, name in ipairs(type(api) == "table" and api or {api}) do flags[name] = spec.name end
  end
  local opts, pos, kind = args.parse(cmd.options or {}, rest, cmd.stop_at_positional)
  if not opts then
    if kind == "value" then M.fail(pos) end
    M.usage_error(pos, cmd)
  end
  local ok, msg = args.positional(cmd.positional, pos)
  if not ok then M.usage_error(msg, cmd) end
  return cmd.run(opts, pos, M) or 0
end

-- Entry point from host/main.c: returns the exit status.
function M.main(argv)
  local ok, res = xpcall(dispatch, function(e)
    if getmetatable(e) == Failure then return e end
    return debug.traceback(tostring(e), 2)
  end, argv)
  if ok then return math.tointeger(res) or 0 end
  if getmetatable(res) == Failure then
    io.stderr:write("annovet: ", res.msg, "\n")
    if res.usage == "main" then
      io.stderr:write(M.main_usage(), "\n")
    elseif res.usage ~= nil then
      local usage = type(res.usage) == "table" and res.usage.usage
      io.stderr:write(usage and ("usage: " .. usage .. "\n") or "",
        "run 'annovet --help' for the list of commands\n")
    end
    return res.code
  end
  io.stderr:write("annovet: internal error: ", tostring(res), "\n")
  return 3
end

return M
