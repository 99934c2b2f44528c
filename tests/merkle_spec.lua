-- RFC 6962 Merkle trees and Ed25519 signatures (host/util/merkle.c, sign.c) against
-- published vectors and an independent reference (tools/merkle_ref.py, hashlib).
local H = require "tests.support.helper"

local function run_script(text, extra)
  local path = H.script(text)
  local out, err, code = H.run("run " .. H.q(path) .. (extra or ""))
  assert.are.equal(0, code, err)
  return out
end

-- The test leaves of certificate-transparency's merkle tree tests, as a Lua
-- list of strings (written here as escapes, the bytes the reference script uses).
local LEAVES = [[local L = {"", "\x00", "\x10", "\x20\x21", "\x30\x31", "\x40\x41\x42\x43",
  "\x50\x51\x52\x53\x54\x55\x56\x57",
  "\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f"}
]]

describe("Merkle trees (RFC 6962)", function()
  after_each(H.cleanup)

  -- Published in certificate-transparency (C++ merkletree tests, and carried
  -- into google/trillian's rfc6962 tests): MTH of the first n test leaves.
  local PUBLISHED = {
    [0] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
  }

  local function ours()
    return H.decode(run_script(LEAVES .. [[
local m = annovet.merkle
local out = {trees = {}}
for n = 0, 8 do
  local d = table.move(L, 1, n, 1, {})
  local t = {size = n, root = m.root(d), paths = {}}
  for i = 0, n - 1 do t.paths[i + 1] = annovet.json.array(m.path(d, i)) end
  t.paths = annovet.json.array(t.paths)
  out.trees[n + 1] = t
end
print(annovet.json.encode(out))
]]))
  end

  it("gives the published roots, the empty tree's SHA-256('') included", function()
    local got = ours()
    for n = 0, 8 do assert.are.equal(PUBLISHED[n], got.trees[n + 1].root, "size " .. n) end
  end)

  it("gives the roots and audit paths of an independent reference (python hashlib)", function()
    local p = io.popen("python3 tools/merkle_ref.py 2>&1")
    local ref = H.decode(p:read("a"))
    p:close()
    local got = ours()
    for n = 0, 8 do
      assert.are.equal(ref.trees[n + 1].root, got.trees[n + 1].root, "root of " .. n)
      assert.are.same(ref.trees[n + 1].paths, got.trees[n + 1].paths, "paths of " .. n)
    end
  end)

  it("verifies every inclusion proof, the published one for leaf 0 of 8 too, and refuses altered ones", function()
    local out = run_script(LEAVES .. [[
local m = annovet.merkle
local bad = 0
for n = 1, 8 do
  local d = table.move(L, 1, n, 1, {})
  local root = m.root(d)
  for i = 0, n - 1 do
    local path, leaf = m.path(d, i), m.leaf_hash(d[i + 1])
    assert(m.verify(leaf, i, n, path, root), "proof " .. i .. " of " .. n)
    -- the wrong index, a flipped hash in the path, a path one hash short: refused
    -- (the size is bound by the root, not by the proof: a proof can hold in a
    -- larger tree of the same shape, as RFC 9162's verification allows)
    if n > 1 and m.verify(leaf, (i + 1) % n, n, path, root) then bad = bad + 1 end
    if #path > 0 and m.verify(leaf, i, n, table.move(path, 1, #path - 1, 1, {}), root) then bad = bad + 1 end
    if #path > 0 then
      local p2 = table.move(path, 1, #path, 1, {})
      p2[1] = (p2[1]:sub(1, 1) == "0" and "1" or "0") .. p2[1]:sub(2)
      if m.verify(leaf, i, n, p2, root) then bad = bad + 1 end
    end
  end
end
-- certificate-transparency's inclusion proof of leaf 0 in the tree of 8
local published = {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
  "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
  "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}
local path = m.path(L, 0)
for i = 1, 3 do assert(path[i] == published[i], "published path " .. i .. ": " .. tostring(path[i])) end
assert(m.verify(m.leaf_hash(L[1]), 0, 8, published, m.root(L)))
print(bad)
]])
    assert.are.equal("0\n", out)
  end)
end)

describe("Ed25519 (RFC 8032)", function()
  after_each(H.cleanup)

  -- RFC 8032, section 7.1, TEST 1 (empty message).
  local SECRET = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
  local PUBLIC = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
  local SIG = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"

  it("gives test 1's public key and signature, verifies it, and refuses an altered one", function()
    local out = run_script(string.format([[
local e = annovet.ed25519
print(e.public_key(%q))
print(e.sign(%q, ""))
print(e.verify(%q, "", %q), e.verify(%q, "x", %q))
]], SECRET, SECRET, PUBLIC, SIG, PUBLIC, SIG))
    assert.are.equal(PUBLIC .. "\n" .. SIG .. "\ntrue\tfalse\n", out)
    local flipped = SIG:sub(1, 63) .. (SIG:sub(64, 64) == "0" and "1" or "0") .. SIG:sub(65)
    out = run_script(string.format("print(annovet.ed25519.verify(%q, '', %q))", PUBLIC, flipped))
    assert.are.equal("false\n", out)
  end)

  it("reads a signing key file: store sign gives test 1's public key and a signature it verifies", function()
    local dir = H.tmpdir()
    local key = H.write(dir .. "/k", SECRET .. "\n")
    local db = dir .. "/p.db"
    assert.are.equal(0, select(3, H.run("store init --store " .. H.q(db))))
    local out, err, code = H.run("store sign --store " .. H.q(db) .. " --sign-key " .. H.q(key))
    assert.are.equal(0, code, err)
    local s = H.decode(out)
    assert.are.equal(PUBLIC, s.public_key)
    assert.are.equal("annovet log\n0\n" .. string.rep("0", 64) .. "\n", s.checkpoint)
    out = run_script(string.format("print(annovet.ed25519.verify(%q, %q, %q))", PUBLIC, s.checkpoint, s.signature))
    assert.are.equal("true\n", out)
    -- a key file that is not one: one line, exit 2
    H.write(dir .. "/bad", "not a key\n")
    local _, err2, code2 = H.run("store sign --store " .. H.q(db) .. " --sign-key " .. H.q(dir .. "/bad"))
    assert.are.equal(2, code2)
    assert.truthy(err2:find("not an Ed25519 signing key file", 1, true), err2)
  end)

  it("keygen writes a key pair whose public key signs and verifies, and never overwrites", function()
    local dir = H.tmpdir()
    local out, err, code = H.run("store keygen --out " .. H.q(dir .. "/k"))
    assert.are.equal(0, code, err)
    local pub = H.decode(out).public_key
    assert.are.equal(pub .. "\n", H.slurp(dir .. "/k.pub"))
    local seed = H.slurp(dir .. "/k"):match("^(%x+)\n$")
    assert.are.equal(64, #seed)
    assert.are.equal(pub .. "\n", run_script(string.format("print(annovet.ed25519.public_key(%q))", seed)))
    local _, err2, code2 = H.run("store keygen --out " .. H.q(dir .. "/k"))
    assert.are.equal(2, code2)
    assert.truthy(err2:find("exists", 1, true), err2)
  end)
end)
