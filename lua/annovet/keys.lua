-- Ed25519 key files: a signing key file holds the 32-byte seed (RFC 8032's
-- "secret key") as 64 hex digits on one line; a public key file the 32-byte
-- public key the same way.
local annovet = require "annovet"

local M = {}

local function read_hex(path, what)
  local f, err = io.open(path, "rb")
  if not f then return nil, err end
  local text = f:read("a") or ""
  f:close()
  local hex = text:match("^%s*(%x+)%s*$")
  if not hex or #hex ~= 64 then
    return nil, string.format("%s: not %s key file (one line of 64 hex digits)", path, what)
  end
  return hex:lower()
end

-- The seed of a signing key file and its public key, or nil and a message.
function M.signing(path)
  local seed, err = read_hex(path, "an Ed25519 signing")
  if not seed then return nil, err end
  return seed, annovet.ed25519.public_key(seed)
end

-- The public key of a public key file, or nil and a message.
function M.public(path)
  return read_hex(path, "an Ed25519 public")
end

return M
