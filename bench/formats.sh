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

# Ingest of a large RLE results file (bench/cocoeval.sh's dt_segm.json, made
# here when missing) against a plain Python stand-in (bench/ingest_ref.py:
# json.load + hashlib.sha256 + one sqlite3 insert of the bytes), side by side,
# taking turns, best of REPEAT runs each (default 3). Target (issue 13): at least
# 2x the stand-in.
res=$out/cocoeval/dt_segm.json
if [ ! -s "$res" ]; then
  mkdir -p "$out/cocoeval"
  lua5.4 tools/gen_cocoeval.lua --seed 1 --images 5000 --objects 7.9 --dets 100 --out "$out/cocoeval" || exit 2
fi
py=${PYTHON:-/usr/bin/python3}
# once NAME CMD...: one run on a new store; its wall and CPU (user + sys) into
# wall and cpu.
once() {
  name=$1
  shift
  rm -f "$out/ingest.db" "$out/ingest.db-wal" "$out/ingest.db-shm" "$out/ingest.db-journal"
  /usr/bin/time -f "%e %U %S" -o "$out/time.txt" "$@" > /dev/null 2> "$out/err.txt" || { echo "$name failed:"; cat "$out/err.txt"; exit 2; }
  read -r wall u s < "$out/time.txt"
  cpu=$(awk -v u="$u" -v s="$s" 'BEGIN { print u + s }')
}
# min A B: the smaller number (A empty: B).
min() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b < a) ? b : a }'; }
echo "ingest of $res ($(wc -c < "$res") bytes, RLE results), best of ${REPEAT:-3}, load $(cut -d' ' -f1-3 /proc/loadavg)"
# the two take turns, so a machine whose speed drifts (a shared one) slows both alike
a_wall= a_cpu= r_wall= r_cpu= i=0
while [ $i -lt "${REPEAT:-3}" ]; do
  i=$((i + 1))
  once annovet ./annovet ingest --store "$out/ingest.db" --vendor bench --batch b1 "$res"
  a_wall=$(min "$a_wall" "$wall") a_cpu=$(min "$a_cpu" "$cpu")
  once stand-in "$py" bench/ingest_ref.py "$res" "$out/ingest.db"
  r_wall=$(min "$r_wall" "$wall") r_cpu=$(min "$r_cpu" "$cpu")
done
awk -v aw="$a_wall" -v ac="$a_cpu" -v rw="$r_wall" -v rc="$r_cpu" 'BEGIN {
  printf "ingest   annovet wall %.2f s cpu %.2f s | python stand-in wall %.2f s cpu %.2f s | %.1fx faster (cpu %.1fx)", aw, ac, rw, rc, rw / aw, rc / ac
  ok = rw / aw >= 2; printf "  [target 2x: %s]\n", ok ? "ok" : "MISSED"; exit ok ? 0 : 1 }' || fail=1
rm -f "$out/ingest.db" "$out/ingest.db-wal" "$out/ingest.db-shm" "$out/ingest.db-journal" "$out/time.txt" "$out/err.txt"
exit $fail
