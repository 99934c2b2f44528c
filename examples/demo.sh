#!/bin/sh
# make demo: annovet's most complete job on the bundled example, results under out/demo/.
set -e
cd "$(dirname "$0")/.."
out=out/demo
rm -rf "$out"
mkdir -p "$out"
./annovet store init --store "$out/demo.db" > "$out/store.json"
echo "demo: store created at $out/demo.db; its summary is in $out/store.json"
