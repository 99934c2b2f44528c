#!/bin/sh
# Formats benchmark: inspect and ingest of a generated COCO file the size of COCO
# val2017 instances (5,000 images, 36,781 objects with polygons, about 1% crowd
# RLE), CPU time and peak memory from GNU time. Targets (issue 3): under 1 s of
# CPU each, peak memory under 8x the file size. Prints figures; exits 1 when a
# target is missed.
cd "$(dirname "$0")/.." || exit 2
out=build/bench
mkdir -p "$out"
file=$out/coco_val2017_like.json
[ -s "$file" ] || lua5.4 tools/gen_coco.lua --seed 1 > "$file" || exit 2
size=$(wc -c < "$file")
echo "file: $file, $size bytes (lua5.4 tools/gen_coco.lua --seed 1: 5000 images, 36781 objects)"

fail=0
# measure NAME TARGET CMD...: runs CMD under /usr/bin/time -v, prints CPU and peak
# RSS, and checks the targets when TARGET is "yes".
measure() {
  name=$1
  target=$2
  shift 2
  /usr/bin/time -v "$@" > /dev/null 2> "$out/time.txt" || { cat "$out/time.txt"; exit 2; }
  user=$(sed -n 's/^\tUser time (seconds): //p' "$out/time.txt")
  sys=$(sed -n 's/^\tSystem time (seconds): //p' "$out/time.txt")
  rss=$(sed -n 's/^\tMaximum resident set size (kbytes): //p' "$out/time.txt")
  awk -v n="$name" -v t="$target" -v u="$user" -v s="$sys" -v r="$rss" -v f="$size" 'BEGIN {
    cpu = u + s; ratio = r * 1024 / f
    ok = (cpu < 1 && ratio < 8) ? "ok" : "MISSED"
    printf "%-8s cpu %.2f s (user %.2f + sys %.2f)  peak RSS %.1f MiB = %.2fx the file", n, cpu, u, s, r / 1024, ratio
    if (t == "yes") printf "  [targets < 1 s, < 8x: %s]", ok
    printf "\n"
    exit (t != "yes" || ok == "ok") ? 0 : 1 }' || fail=1
}

ANNOVET_QUIET=1
export ANNOVET_QUIET
measure inspect yes ./annovet inspect "$file"
rm -f "$out/bench.db" "$out/bench.db-wal" "$out/bench.db-shm"
measure ingest yes ./annovet ingest --store "$out/bench.db" --vendor bench --batch b1 "$file"
measure convert no ./annovet convert "$file" "$out/roundtrip.json" --to coco
rm -f "$out/bench.db" "$out/bench.db-wal" "$out/bench.db-shm" "$out/roundtrip.json" "$out/time.txt"
echo "(convert COCO -> COCO, for reference: no target)"
exit $fail
