#!/bin/sh
# Replays through each fuzz target every input a crash was found with
# (tests/data/fuzz/<target>/) and its seeds (fuzz/corpus/<target>/), once each.
# Exit 1 when one still fails.   sh fuzz/regress.sh TARGET...
cd "$(dirname "$0")/.." || exit 2
mkdir -p build-fuzz/logs
# libFuzzer ends a run with _Exit, before the targets' atexit cleanup: their
# scratch folders go in build-fuzz/tmp, emptied here.
TMPDIR=$PWD/build-fuzz/tmp
export TMPDIR
rm -rf "$TMPDIR"
mkdir -p "$TMPDIR"
failed=0
for t in "$@"; do
  set -- $(ls -d tests/data/fuzz/$t/* fuzz/corpus/$t/* 2>/dev/null)
  [ $# -gt 0 ] || continue
  log=build-fuzz/logs/regress-$t.log
  if ./build-fuzz/fuzz_$t -runs=1 "$@" > "$log" 2>&1; then
    echo "fuzz-regress: $t: $# inputs ok"
  else
    echo "fuzz-regress: $t: FAILED (log: $log)"
    failed=1
  fi
done
rm -rf "$TMPDIR"
exit $failed
