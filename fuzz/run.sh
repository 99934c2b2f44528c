#!/bin/sh
# Runs each fuzz target for TIME seconds, one after another, and prints a table
# of executions and coverage (libFuzzer's final stat::number_of_executed_units and
# its last cov:/ft: line). Exit 1 when a target found a crash, a leak or a
# sanitizer report: its input is left in build-fuzz/artifacts/<target>/.
#   sh fuzz/run.sh TIME TARGET...
# New inputs go to build-fuzz/corpus/<target>/; the seeds are fuzz/corpus/<target>/
# and, when ../shared/fixtures/formats exists, its files (read in place; packed
# into build-fuzz/seeds/ for the folder targets). FUZZ_ARGS adds libFuzzer flags.
cd "$(dirname "$0")/.." || exit 2
time=$1
shift
fx=../shared/fixtures/formats
pack() {   # pack OUT FILE|- ...: as fuzz/pack.sh, skipped when a file is missing
  o=$1; shift
  for f in "$@"; do [ "$f" = - ] || [ -f "$f" ] || return 0; done
  sh fuzz/pack.sh "$o" "$@"
}
extra() {   # the shared fixtures a target starts from, if any
  [ -d "$fx" ] || return 0
  case $1 in
    coco) echo "$fx/coco" ;;
    cvat) echo "$fx/cvat" ;;
    labelstudio) echo "$fx/label_studio" ;;
    voc)
      s=build-fuzz/seeds/voc; mkdir -p $s
      pack $s/a "$fx/voc/a.xml" "$fx/voc/labelmap.txt"
      pack $s/2007_000001 "$fx/voc/2007_000001.xml"
      echo $s ;;
    yolo)
      s=build-fuzz/seeds/yolo; mkdir -p $s; u=$fx/yolo/ultralytics; d=$fx/yolo/darknet
      pack $s/ultralytics "$u/data.yaml" "$u/labels/val_001.txt" "$u/images/val_001.jpg"
      pack $s/darknet - - - "$d/obj.names" - - - "$d/obj.data" "$d/train.txt" "$d/obj_train_data/1.txt" "$d/obj_train_data/1.jpg"
      echo $s ;;
  esac
}
dict() {
  case $1 in
    coco|labelstudio) echo "-dict=fuzz/json.dict" ;;
    voc|cvat) echo "-dict=fuzz/xml.dict" ;;
    yolo) echo "-dict=fuzz/yolo.dict" ;;
    pngmask) echo "-dict=fuzz/pngmask.dict" ;;
  esac
}
mkdir -p build-fuzz/logs
# libFuzzer ends a run with _Exit, before the targets' atexit cleanup: their
# scratch folders go in build-fuzz/tmp, emptied here.
TMPDIR=$PWD/build-fuzz/tmp
export TMPDIR
rm -rf "$TMPDIR"
mkdir -p "$TMPDIR"
table=build-fuzz/logs/table.txt
printf '%-12s %6s %12s %10s %7s %7s %6s  %s\n' target secs executions exec/s cov ft corpus result > $table
failed=0
for t in "$@"; do
  mkdir -p build-fuzz/corpus/$t build-fuzz/artifacts/$t
  log=build-fuzz/logs/$t.log
  echo "fuzz: $t for ${time}s (log: $log)"
  # shellcheck disable=SC2046
  ./build-fuzz/fuzz_$t -max_total_time="$time" -print_final_stats=1 -timeout=25 -rss_limit_mb=2560 \
    -artifact_prefix=build-fuzz/artifacts/$t/ $(dict $t) $FUZZ_ARGS \
    build-fuzz/corpus/$t fuzz/corpus/$t $(extra $t) > "$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  last=$(grep -E '^#[0-9]+' "$log" | grep ' cov: ' | tail -n 1)
  cov=$(printf '%s' "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
  ft=$(printf '%s' "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
  corp=$(printf '%s' "$last" | sed -n 's/.* corp: \([0-9]*\).*/\1/p')
  secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log")
  [ -n "$secs" ] || secs=$time
  if [ $rc = 0 ]; then
    result=ok
  else
    failed=1
    art=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
    kind=$(grep -m1 -oE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer|UndefinedBehaviorSanitizer)[^ ]*( [a-z-]+)?|runtime error: [^,]*|deadly signal' "$log" | head -n 1)
    result="FAILED ($kind) $art"
  fi
  [ -n "$execs" ] && [ "$secs" -gt 0 ] && rate=$((execs / secs)) || rate=-
  printf '%-12s %6s %12s %10s %7s %7s %6s  %s\n' "$t" "$secs" "${execs:--}" "$rate" "${cov:--}" "${ft:--}" "${corp:--}" "$result" >> $table
done
echo
cat $table
rm -rf "$TMPDIR"
exit $failed
