#!/bin/sh
# cocoeval benchmark: `annovet cocoeval` bbox, segm and keypoints on generated
# sets the size of COCO val2017 (5,000 images, about 36,000 gold objects with
# polygons or 17 keypoints, up to 100 results per image), whole process (load +
# evaluate + accumulate + summarize), against pycocotools and faster-coco-eval
# run the same way on the same files in the same run, when Python can import
# them (set PYTHONPATH to where they are built; PYTHON picks the interpreter,
# default /usr/bin/python3). Each command runs REPEAT times (default 3) and the
# best wall and the best CPU (user + sys) are kept, so a loaded machine (the
# load is printed) disturbs the ratio less. Prints wall and CPU time, peak
# memory, the ratios of both and whether the stats agree. Target (issues 5, 13):
# at least 20x faster than pycocotools for every iou type, memory linear in the
# input. Exits 1 when a measured target is missed.
cd "$(dirname "$0")/.." || exit 2
out=build/bench/cocoeval
kp=build/bench/cocoeval_kp
mkdir -p "$out" "$kp"
if [ ! -s "$out/done" ]; then
  lua5.4 tools/gen_cocoeval.lua --seed 1 --images 5000 --objects 7.9 --dets 100 --out "$out" || exit 2
  echo ok > "$out/done"
fi
if [ ! -s "$kp/done" ]; then
  lua5.4 tools/gen_cocoeval.lua --seed 1 --images 5000 --objects 7.9 --dets 100 --kind keypoints --out "$kp" || exit 2
  echo ok > "$kp/done"
fi
py=${PYTHON:-/usr/bin/python3}
[ -x "$py" ] || py=python3
REPEAT=${REPEAT:-3}
for d in "$out" "$kp"; do
  gold=$(grep -o '"iscrowd"' "$d/gt.json" | wc -l)
  f=$d/dt_bbox.json
  [ -f "$f" ] || f=$d/dt_keypoints.json
  results=$(grep -o '"score"' "$f" | wc -l)
  echo "data: $d (lua5.4 tools/gen_cocoeval.lua --seed 1 --images 5000 --objects 7.9 --dets 100$([ "$d" = "$kp" ] && echo ' --kind keypoints'))"
  echo "      5000 images, $gold gold objects, $results results; gt $(wc -c < "$d/gt.json") B," \
    "$(for x in "$d"/dt_*.json; do printf '%s %s B ' "$(basename "$x" .json)" "$(wc -c < "$x")"; done)"
done
echo "best of $REPEAT runs each; load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) processors"

# run NAME OUTFILE CMD...: runs CMD REPEAT times under GNU time; sets wall and
# cpu (the best of the runs, seconds) and rss (KiB, the largest).
run() {
  name=$1
  res=$2
  shift 2
  wall= cpu= rss=0
  i=0
  while [ $i -lt "$REPEAT" ]; do
    i=$((i + 1))
    if ! /usr/bin/time -f "%e %U %S %M" -o "$out/time.txt" "$@" > "$res" 2> "$out/err.txt"; then
      echo "$name failed:"
      cat "$out/err.txt"
      return 1
    fi
    read -r w u s m < "$out/time.txt"
    c=$(awk -v u="$u" -v s="$s" 'BEGIN { print u + s }')
    wall=$(awk -v a="$wall" -v b="$w" 'BEGIN { print (a == "" || b < a) ? b : a }')
    cpu=$(awk -v a="$cpu" -v b="$c" 'BEGIN { print (a == "" || b < a) ? b : a }')
    [ "$m" -gt "$rss" ] && rss=$m
  done
  return 0
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
for t in ${TYPES:-bbox segm keypoints}; do
  d=$out
  [ $t = keypoints ] && d=$kp
  dt=$d/dt_$t.json
  gt=$d/gt.json
  input=$(( $(wc -c < "$gt") + $(wc -c < "$dt") ))
  run annovet "$out/annovet_$t.json" ./annovet cocoeval --gt "$gt" --dt "$dt" --iou-type $t || exit 2
  a_wall=$wall a_cpu=$cpu a_rss=$rss
  "$py" -c 'import json, sys; print("\n".join(repr(float(s)) for s in json.load(open(sys.argv[1]))["stats"]))' \
    "$out/annovet_$t.json" > "$out/annovet_$t.txt" 2> /dev/null ||
    sed -n 's/.*"stats":[^[]*\[\(.*\)\].*/\1/p' "$out/annovet_$t.json" | tr ',' '\n' | tr -d ' \t' > "$out/annovet_$t.txt"
  awk -v t=$t -v w="$a_wall" -v c="$a_cpu" -v r="$a_rss" -v inp="$input" 'BEGIN {
    printf "%-9s annovet          wall %7.2f s  cpu %7.2f s  peak %6.0f MiB (%.1fx the input)\n", t, w, c, r / 1024, r * 1024 / inp }'
  for ref in pycocotools faster_coco_eval; do
    [ $ref = pycocotools ] && [ $pyc = no ] && continue
    [ $ref = faster_coco_eval ] && [ $fce = no ] && continue
    run $ref "$out/${ref}_$t.txt" "$py" -c "$py_eval" $ref "$gt" "$dt" $t || { fail=1; continue; }
    same=$(awk 'NR == FNR { a[FNR] = $1; n = FNR; next } { d = a[FNR] - $1; if (d < 0) d = -d; if (d > m) m = d; k++ }
      END { if (k != n) print "different counts"; else printf "max |diff| %g", m }' "$out/annovet_$t.txt" "$out/${ref}_$t.txt")
    awk -v t=$t -v n=$ref -v w="$wall" -v c="$cpu" -v r="$rss" -v aw="$a_wall" -v ac="$a_cpu" -v s="$same" 'BEGIN {
      printf "%-9s %-16s wall %7.2f s  cpu %7.2f s  peak %6.0f MiB  annovet %.1fx faster (cpu %.1fx); stats %s\n",
        t, n, w, c, r / 1024, w / aw, c / ac, s }'
    if [ $ref = pycocotools ]; then
      awk -v w="$wall" -v aw="$a_wall" 'BEGIN { exit (w / aw >= 20) ? 0 : 1 }' || { echo "          target 20x pycocotools (wall): MISSED"; fail=1; }
    fi
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
rm -f "$out/time.txt" "$out/err.txt"
exit $fail
