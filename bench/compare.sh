#!/bin/sh
# Compare benchmark: a gold panel the size of COCO val2017 (5,000 images,
# 36,000 objects with polygons, ~24 MB of COCO JSON like instances_val2017)
# and three vendors (tools/gen_compare.lua, fixed seed), scored by the whole
# `annovet compare` command: reading the four files, rasterising every
# polygon, matching, composing and printing the JSON. Prints wall and CPU
# seconds and peak memory for 1 and 2 threads, for segm and bbox, and for half
# the panel (memory should scale with the input). Not a test: figures only.
cd "$(dirname "$0")/.." || exit 2
B=build/bench
mkdir -p "$B"

gen() {   # dir images objects
  [ -s "$B/$1/rapid.json" ] && return
  mkdir -p "$B/$1"
  lua5.4 tools/gen_compare.lua --out "$B/$1" --images "$2" --objects "$3" --seed 1 --points 64 || exit 2
}
gen compare-full 5000 36000
gen compare-half 2500 18000

run() {   # label dir threads iou-type
  d=$B/$2
  cmd="./annovet compare --gold $d/gold.json --vendor acme=$d/acme.json --vendor budget=$d/budget.json --vendor rapid=$d/rapid.json --threads $3 --iou-type $4"
  if ! /usr/bin/time -f "%e %U %S %M" -o "$B/time.txt" sh -c "ANNOVET_QUIET=1 $cmd > $B/compare.json 2>$B/compare.err"; then
    echo "$1: failed: $(tail -n 1 "$B/compare.err")"
    return
  fi
  awk -v label="$1" '{ printf "%-34s %6.2f s wall %6.2f s CPU %6d MiB peak\n", label, $1, $2 + $3, $4 / 1024 }' "$B/time.txt"
}

ls -l "$B"/compare-full/*.json | awk '{ printf "%s %d bytes\n", $NF, $5 }'
echo "command: ./annovet compare --gold $B/compare-full/gold.json --vendor acme=$B/compare-full/acme.json --vendor budget=$B/compare-full/budget.json --vendor rapid=$B/compare-full/rapid.json --threads N --iou-type T"
run "segm, 2 threads (target < 2 s)" compare-full 2 segm
run "segm, 1 thread" compare-full 1 segm
run "bbox, 2 threads" compare-full 2 bbox
run "bbox, 1 thread" compare-full 1 bbox
run "segm, half the panel, 2 threads" compare-half 2 segm
printf '%s\n' "(machine: $(nproc) processors, load $(cut -d' ' -f1-3 /proc/loadavg))"
