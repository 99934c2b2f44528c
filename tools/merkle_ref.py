#!/usr/bin/env python3
"""Reference RFC 6962 Merkle tree hashes and audit paths, written from section 2.1
of the RFC with hashlib only, for tests/merkle_spec.lua. Prints, for the test
leaves of certificate-transparency's merkle tree tests (D[0..7] below) and for
every tree size 0..8, the root and every leaf's audit path, as JSON."""
import hashlib, json

LEAVES = [b"", b"\x00", b"\x10", b"\x20\x21", b"\x30\x31", b"\x40\x41\x42\x43",
          b"\x50\x51\x52\x53\x54\x55\x56\x57",
          b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f"]

def h(b):
    return hashlib.sha256(b).digest()

def split(n):
    k = 1
    while k * 2 < n:
        k *= 2
    return k

def mth(d):
    if len(d) == 0:
        return h(b"")
    if len(d) == 1:
        return h(b"\x00" + d[0])
    k = split(len(d))
    return h(b"\x01" + mth(d[:k]) + mth(d[k:]))

def path(m, d):
    if len(d) <= 1:
        return []
    k = split(len(d))
    if m < k:
        return path(m, d[:k]) + [mth(d[k:])]
    return path(m - k, d[k:]) + [mth(d[:k])]

out = {"leaves": [x.hex() for x in LEAVES], "trees": []}
for n in range(0, len(LEAVES) + 1):
    d = LEAVES[:n]
    out["trees"].append({"size": n, "root": mth(d).hex(),
                         "paths": [[p.hex() for p in path(m, d)] for m in range(n)]})
print(json.dumps(out, indent=1))
