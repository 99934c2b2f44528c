#!/bin/sh
# Runs every spec in tests/ against the built ./annovet with busted, and makes sure
# the output ends with "N passed, N failed" even if busted itself cannot start.
# ANNOVET overrides the binary, e.g. ANNOVET="valgrind -q --error-exitcode=99 $PWD/annovet".
# ANNOVET_SHARED names the folder holding the shared fixtures/ (default ../shared);
# when it is absent the interoperability tests pend and a line says they did not run.
cd "$(dirname "$0")/.." || exit 2
: "${ANNOVET:=$PWD/annovet}"
export ANNOVET
log=$(mktemp)
lua5.4 /usr/bin/busted -o tests/support/summary.lua -p '_spec' tests "$@" | tee "$log"
last=$(tail -n 1 "$log")
rm -f "$log"
case "$last" in
  *" passed, 0 failed") exit 0 ;;
  *" passed, "*" failed") exit 1 ;;
esac
echo "busted did not finish"
echo "0 passed, 1 failed"
exit 1
