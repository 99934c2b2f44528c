-- annovet run: a user script in the sandbox.
local args = require "annovet.args"
local sandbox = require "annovet.sandbox"
local system = require "annovet.system"

return {
  summary = "runs a user script in the sandbox",
  usage = "annovet run [--max-memory SIZE] [--max-steps N] [--max-cpu S] [--out DIR] [--read DIR]... SCRIPT.lua [ARGS...]",
  stop_at_positional = true,
  help = [[
Runs SCRIPT.lua with the annovet module and Lua's base, string, table, math, utf8
and coroutine libraries; nothing else. There is no os, io, debug or package;
load takes text only; require finds annovet modules and Lua files beside the
script. ARGS reach the script as `arg` (arg[0] is the script) and as `...`.
A script writes files (ds:save) only inside the folder given with --out, which
is created when missing; without --out it writes none. It reads deliveries
(annovet.load, annovet.agree.read_csv) only in the current folder, its own
folder, --out, the files and folders named among ARGS (a file: that file
alone), and --read folders. Every file opened for it, inside a delivery or by
require, is checked with its symbolic links resolved.

A script that returns a number exits with it (say 1 when a rule fails); a
number that is not a whole number from 0 to 255 is an error (exit 2), so a
rule's "return -1" never passes as success. Other return values are ignored.
A script error prints SCRIPT:LINE: message and a traceback and exits 2, as does
reaching a limit, even when the script catches it (pcall, xpcall and
coroutine.resume raise it again). --max-memory also caps, at the same size,
the C memory of the datasets and results the script holds (by resident
memory), and C code asks it before a large allocation (a mask, a label
image). Objects get no __gc: Lua runs finalizers outside the limits.]],
  options = {
    {name = "--max-memory", arg = "SIZE", help = "memory budget (default 1G; K, M, G suffixes)"},
    {name = "--max-steps", arg = "N", integer = true, min = 1, default = "1e10", help = "VM instruction budget (default 1e10)"},
    {name = "--max-cpu", arg = "SECONDS", integer = true, min = 1, max = 1000000000, default = "3600", help = "CPU time budget, time inside C included (default 3600)"},
    {name = "--out", arg = "DIR", help = "the only folder the script may write in"},
    {name = "--read", arg = "DIR", multi = true, help = "a further folder the script may read (repeatable)"},
  },
  positional = {min = 1, max = math.huge, missing = "run needs a SCRIPT.lua"},
  run = function(opts, pos, cli)
    local script = pos[1]
    local limits = {}
    limits.max_memory = cli.check(args.size(opts.max_memory or "1G", "--max-memory"))
    limits.max_steps = opts.max_steps
    limits.max_cpu = opts.max_cpu
    limits.name = script
    if opts.out then
      cli.check(system.mkdir(opts.out))
      limits.write_dir = opts.out
    end
    local script_args = table.move(pos, 2, #pos, 1, {})
    -- What the script may read: the current folder, its own, --out, each argument
    -- that names a file or folder, and --read folders.
    limits.read = {".", sandbox.dirname(script)}
    if opts.out then limits.read[#limits.read + 1] = opts.out end
    for _, a in ipairs(script_args) do
      if system.kind(a) then limits.read[#limits.read + 1] = a end
    end
    for _, d in ipairs(opts.read or {}) do
      if system.kind(d) ~= "dir" then cli.fail("--read " .. d .. ": not a folder") end
      limits.read[#limits.read + 1] = d
    end
    local res = table.pack(sandbox.run_file(script, script_args, limits))
    if res[1] then
      local ret = res[2]
      if type(ret) ~= "number" then return 0 end
      local code = math.tointeger(ret)
      if code and code >= 0 and code <= 255 then return code end
      io.stderr:write(string.format("annovet: %s returned %s; an exit status is a whole number from 0 to 255\n",
        script, tostring(ret)))
      return 2
    end
    local msg, kind = res[2], res[3]
    -- The traceback ends at the sandbox boundary: the host's own frames are noise.
    msg = tostring(msg):gsub("\n%s*%[C%]: in function 'annovet%.c%.sandbox%.call'.*$", "")
    if kind == "memory" then
      msg = string.format("%s: memory limit reached (--max-memory %s)", script,
        args.human_size(limits.max_memory))
    end
    io.stderr:write("annovet: ", tostring(msg), "\n")
    return 2
  end,
}
