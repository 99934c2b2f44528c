#!/bin/sh
# XML and folder formats benchmark: inspect and convert-to-COCO of generated
# deliveries (lua5.4 tools/gen_delivery.lua, seed 1, 5,000 images each): a CVAT
# annotations.xml with every shape type, a VOC folder of 5,000 files, and a YOLO
# folder of 5,000 label files and BMP images. CPU time and peak memory from GNU
# time. No targets (issue 3 sets them for COCO): figures only.
cd "$(dirname "$0")/.." || exit 2
out=build/bench
mkdir -p "$out"
for f in cvat voc yolo; do
  [ -s "$out/gen_$f/expected.json" ] || lua5.4 tools/gen_delivery.lua --format "$f" --seed 1 --images 5000 "$out/gen_$f" || exit 2
done

# measure NAME CMD...: runs CMD under /usr/bin/time -v and prints CPU and peak RSS.
measure() {
  name=$1
  shift
  /usr/bin/time -v "$@" > /dev/null 2> "$out/time.txt" || { cat "$out/time.txt"; exit 2; }
  user=$(sed -n 's/^\tUser time (seconds): //p' "$out/time.txt")
  sys=$(sed -n 's/^\tSystem time (seconds): //p' "$out/time.txt")
  rss=$(sed -n 's/^\tMaximum resident set size (kbytes): //p' "$out/time.txt")
  awk -v n="$name" -v u="$user" -v s="$sys" -v r="$rss" 'BEGIN {
    printf "%-22s cpu %.2f s (user %.2f + sys %.2f)  peak RSS %.1f MiB\n", n, u + s, u, s, r / 1024 }'
}

ANNOVET_QUIET=1
export ANNOVET_QUIET
for f in cvat voc yolo; do
  size=$(du -sk --exclude=expected.json "$out/gen_$f" | cut -f1)
  anns=$(./annovet inspect "$out/gen_$f" | sed -n 's/^\t"annotations":\t\([0-9]*\),/\1/p')
  echo "$f: $out/gen_$f (${size} KiB without expected.json), $anns annotations"
  measure "inspect $f" ./annovet inspect "$out/gen_$f"
  rm -f "$out/gen_$f.json"
  measure "convert $f -> coco" ./annovet convert "$out/gen_$f" "$out/gen_$f.json" --to coco
  rm -f "$out/gen_$f.json" "$out/time.txt"
done
