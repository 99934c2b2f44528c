#!/bin/sh
# cocoeval benchmark: `annovet cocoeval` bbox and segm on a generated set the size
# of COCO val2017 (5,000 images, about 36,000 gold objects with polygons, up to 100
# results per image), whole process (load + evaluate + accumulate + summarize),
# against pycocotools and faster-coco-eval run the same way on the same files in
# the same run, when Python can import them (set PYTHONPATH to where they are
# built; PYTHON picks the interpreter, default /usr/bin/python3). Prints wall and
# CPU time, peak memory, the ratios and whether the 12 stats agree. Target (issue
# 5): at least 20x faster than pycocotools, memory linear in the input. Exits 1
# when a measured target is missed.
cd "$(dirname "$0")/.." || exit 2
out=build/bench/cocoeval
mkdir -p "$out"
if [ ! -s "$out/done" ]; then
  lua5.4 tools/gen_cocoeval.lua --seed 1 --images 5000 --objects 7.9 --dets 100 --out "$out" || exit 2
  echo ok > "$out/done"
fi
py=${PYTHON:-/usr/bin/python3}
[ -x "$py" ] || py=python3
gold=$(grep -o '"iscrowd"' "$out/gt.json" | wc -l)
results=$(grep -o '"score"' "$out/dt_bbox.json" | wc -l)
echo "data: $out (lua5.4 tools/gen_cocoeval.lua --seed 1 --images 5000 --objects 7.9 --dets 100)"
echo "      5000 images, $gold gold objects, $results results; gt $(wc -c < "$out/gt.json") B," \
  "dt_bbox $(wc -c < "$out/dt_bbox.json") B, dt_segm $(wc -c < "$out/dt_segm.json") B"

# run NAME OUTFILE CMD...: runs CMD under GNU time; sets wall, cpu and rss (KiB).
run() {
  name=$1
  res=$2
  shift 2
  if ! /usr/bin/time -f "%e %U %S %M" -o "$out/time.txt" "$@" > "$res" 2> "$out/err.txt"; then
    echo "$name failed:"
    cat "$out/err.txt"
    return 1
  fi
  set -- $(cat "$out/time.txt")
  wall=$1
  cpu=$(awk -v u="$2" -v s="$3" 'BEGIN { print u + s }')
  rss=$4
}

# Python evaluator: prints the stats one per line; arguments MODULE (pycocotools
# or faster_coco_eval), GT, DT, TYPE.
py_eval='
import sys, io, contextlib
mod, gt_path, dt_path, typ = sys.argv[1:5]
if mod == "pycocotools":
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval as Eval
else:
    from faster_coco_eval import COCO, COCOeval_faster as Eval
with contextlib.redirect_stdout(io.StringIO()):
    gt = COCO(gt_path); dt = gt.loadRes(dt_path)
    E = Eval(gt, dt, typ); E.evaluate(); E.accumulate(); E.summarize()
print("\n".join(repr(float(s)) for s in E.stats))'


have() { "$py" -c "import $1" 2> /dev/null; }
have pycocotools.cocoeval && pyc=yes || pyc=no
have faster_coco_eval && fce=yes || fce=no
[ $pyc = yes ] || echo "pycocotools: not importable by $py (set PYTHONPATH): no comparison"
[ $fce = yes ] || echo "faster-coco-eval: not importable by $py (set PYTHONPATH): no comparison"

fail=0
ANNOVET_QUIET=1
export ANNOVET_QUIET
for t in bbox segm; do
  dt=$out/dt_$t.json
  input=$(( $(wc -c < "$out/gt.json") + $(wc -c < "$dt") ))
  run annovet "$out/annovet_$t.json" ./annovet cocoeval --gt "$out/gt.json" --dt "$dt" --iou-type $t || exit 2
  a_wall=$wall a_cpu=$cpu a_rss=$rss
  "$py" -c 'import json, sys; print("\n".join(repr(float(s)) for s in json.load(open(sys.argv[1]))["stats"]))' \
    "$out/annovet_$t.json" > "$out/annovet_$t.txt" 2> /dev/null ||
    sed -n 's/.*"stats":[^[]*\[\(.*\)\].*/\1/p' "$out/annovet_$t.json" | tr ',' '\n' | tr -d ' \t' > "$out/annovet_$t.txt"
  awk -v t=$t -v w="$a_wall" -v c="$a_cpu" -v r="$a_rss" -v inp="$input" 'BEGIN {
    printf "%-4s annovet          wall %7.2f s  cpu %7.2f s  peak %6.0f MiB (%.1fx the input)\n", t, w, c, r / 1024, r * 1024 / inp }'
  for ref in pycocotools faster_coco_eval; do
    [ $ref = pycocotools ] && [ $pyc = no ] && continue
    [ $ref = faster_coco_eval ] && [ $fce = no ] && continue
    run $ref "$out/${ref}_$t.txt" "$py" -c "$py_eval" $ref "$out/gt.json" "$dt" $t || { fail=1; continue; }
    same=$(awk 'NR == FNR { a[FNR] = $1; n = FNR; next } { d = a[FNR] - $1; if (d < 0) d = -d; if (d > m) m = d; k++ }
      END { if (k != n) print "different counts"; else printf "max |diff| %g", m }' "$out/annovet_$t.txt" "$out/${ref}_$t.txt")
    awk -v t=$t -v n=$ref -v w="$wall" -v c="$cpu" -v r="$rss" -v aw="$a_wall" -v s="$same" 'BEGIN {
      printf "%-4s %-16s wall %7.2f s  cpu %7.2f s  peak %6.0f MiB  annovet %.1fx faster; stats %s\n", t, n, w, c, r / 1024, w / aw, s }'
    if [ $ref = pycocotools ]; then
      awk -v w="$wall" -v aw="$a_wall" 'BEGIN { exit (w / aw >= 20) ? 0 : 1 }' || { echo "     target 20x pycocotools: MISSED"; fail=1; }
    fi
  done
done
rm -f "$out/time.txt" "$out/err.txt"
exit $fail
