-- What the trusted engine (cli, commands, ingest, the policy loader) needs from the
-- host beyond the public annovet module: the file system outside the sandbox's
-- walls (file kinds, folder walks, stamps, file hashes, folders, CSV files), wall
-- time and the files embedded in the binary. These C functions check no sandbox
-- path, so this module is never part of the public annovet module: a sandboxed
-- script's require finds only annovet's public keys, and it cannot reach this.
local crypto = require "annovet.c.crypto"
local csv = require "annovet.c.csv"
local util = require "annovet.c.util"

local M = {}

-- kind(path) -> "file" | "dir" | "other" | nil: what path is (symbolic links followed).
M.kind = util.kind
-- walk(dir) -> {{path, ...}, ...} the regular files below dir, bytewise sorted | nil, msg.
M.walk = util.walk
-- stamp(path) -> text that changes when the file does (inode, size, times to the ns).
M.stamp = util.stamp
-- sha256_file(path) -> hex, size | nil, msg.
M.sha256_file = util.sha256_file
-- map_file(path) -> bytes (mapped, not copied; bytes:sha256(), hashed on a thread
-- meanwhile, waits for it; bytes:size()) | nil, msg.
M.map_file = util.map_file
-- embedded(path) -> the bytes of a file compiled into the binary ("lua/...",
-- "scorecards/...") | nil; embedded_list(prefix) -> the paths under prefix.
M.embedded = util.embedded
M.embedded_list = util.embedded_list
-- Wall-clock seconds (for progress lines); CPU seconds are annovet.clock.
M.now = util.now
-- mkdir(path) -> true | nil, msg: the folder, created with its parents when
-- missing. can_mkdir(path) -> true | nil, msg: whether mkdir could, creating nothing.
M.mkdir = csv.mkdir
function M.can_mkdir(path) return csv.mkdir(path, true) end
-- write_csv(path, rows) -> true | nil, msg: rows through libcsv, formulas
-- neutralised, the file whole or not at all; path "-" is stdout.
M.write_csv = csv.write
-- ed25519_seed() -> 64 hex digits of a fresh random signing seed (libsodium's RNG).
M.ed25519_seed = crypto.ed25519_seed
-- write_private(path, bytes) -> true | nil, msg: a new file (never an existing one)
-- that only its owner may read (0600), for signing keys.
M.write_private = util.write_private

return M
