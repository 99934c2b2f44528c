#!/bin/sh
# Compare benchmark: a gold panel the size of COCO val2017 (5,000 images,
# 36,000 objects with polygons, ~24 MB of COCO JSON like instances_val2017)
# and three vendors (tools/gen_compare.lua, fixed seed), scored by the whole
# `annovet compare` command: reading the four files, rasterising every
# polygon, matching, composing and printing the JSON. Prints wall and CPU
# seconds and peak memory for 1 and 2 threads, for segm and bbox, and for half
# the panel (memory should scale with the input), the CPU 2 threads burn
# against 1 (issue 13: no wasted threads) and the size of the JSON printed by
# default. Not a test: figures only.
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

# run LABEL DIR THREADS IOU-TYPE: best of REPEAT runs (default 3); prints wall,
# CPU (user + sys), peak memory and the size of the JSON printed by default.
run() {   # label dir threads iou-type
  d=$B/$2
  cmd="./annovet compare --gold $d/gold.json --vendor acme=$d/acme.json --vendor budget=$d/budget.json --vendor rapid=$d/rapid.json --threads $3 --iou-type $4"
  rm -f "$B/times.txt"
  i=0
  while [ $i -lt "${REPEAT:-3}" ]; do
    i=$((i + 1))
    if ! /usr/bin/time -f "%e %U %S %M" -o "$B/time.txt" sh -c "ANNOVET_QUIET=1 $cmd > $B/compare.json 2>$B/compare.err"; then
      echo "$1: failed: $(tail -n 1 "$B/compare.err")"
      return
    fi
    cat "$B/time.txt" >> "$B/times.txt"
  done
  awk -v label="$1" -v size="$(wc -c < "$B/compare.json")" '
    NR == 1 || $1 < w { w = $1 } NR == 1 || $2 + $3 < c { c = $2 + $3 } $4 > m { m = $4 }
    END { printf "%-34s %6.2f s wall %6.2f s CPU %6d MiB peak  %9d B of JSON\n", label, w, c, m / 1024, size
          print c > "'"$B"'/cpu_" label_id ".txt" }' label_id="$3_$4" "$B/times.txt"
}

echo "best of ${REPEAT:-3} runs; load before $(cut -d' ' -f1-3 /proc/loadavg)"
run "segm, 2 threads (target < 2 s)" compare-full 2 segm
run "segm, 1 thread" compare-full 1 segm
run "bbox, 2 threads" compare-full 2 bbox
run "bbox, 1 thread" compare-full 1 bbox
for t in segm bbox; do
  [ -s "$B/cpu_2_$t.txt" ] && [ -s "$B/cpu_1_$t.txt" ] &&
    awk -v t=$t -v c2="$(cat "$B/cpu_2_$t.txt")" -v c1="$(cat "$B/cpu_1_$t.txt")" 'BEGIN {
      printf "%-34s %.2fx the CPU of 1 thread (target: at most 1.10x)\n", t ", 2 threads", c2 / c1 }'
done
rm -f "$B"/cpu_*.txt "$B/times.txt"
run "segm, half the panel, 2 threads" compare-half 2 segm
printf '%s\n' "(machine: $(nproc) processors, load $(cut -d' ' -f1-3 /proc/loadavg))"
