#!/usr/bin/python3
"""The reference side of bench/formats.sh's ingest row: what a plain Python
script does to record a delivery, from the same file to the same kind of store.

    ingest_ref.py FILE DB

json.load parses the file (so bad JSON stops it), hashlib.sha256 hashes its
bytes, and one sqlite3 transaction inserts the bytes as a blob keyed by the
hash and a delivery row naming it.
"""
import hashlib
import json
import os
import sqlite3
import sys

path, db_path = sys.argv[1], sys.argv[2]
with open(path, "rb") as f:
    data = f.read()
doc = json.loads(data)
n = len(doc) if isinstance(doc, list) else len(doc.get("annotations", []))
sha = hashlib.sha256(data).hexdigest()
db = sqlite3.connect(db_path)
db.execute("CREATE TABLE IF NOT EXISTS blobs (sha256 TEXT PRIMARY KEY, size INTEGER, data BLOB)")
db.execute("CREATE TABLE IF NOT EXISTS deliveries (id INTEGER PRIMARY KEY, path TEXT, sha256 TEXT, "
           "size INTEGER, annotations INTEGER)")
with db:
    db.execute("INSERT OR IGNORE INTO blobs VALUES (?, ?, ?)", (sha, len(data), data))
    db.execute("INSERT INTO deliveries (path, sha256, size, annotations) VALUES (?, ?, ?, ?)",
               (os.path.abspath(path), sha, len(data), n))
db.close()
print(json.dumps({"sha256": sha, "size": len(data), "annotations": n}))
