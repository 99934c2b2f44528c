#!/bin/sh
# The pilot verdict tested by simulation (tools/sim_pilot.lua): coverage of the
# 95% F1 interval, the rate at which a 3-point gap is found at 500 gold items,
# and the rate of "not distinguishable" without a gap. A few minutes on one
# core. Runs a copy of the binary, so a rebuild meanwhile does not disturb it.
cd "$(dirname "$0")/.." || exit 2
bin=$(mktemp) && cp annovet "$bin" && chmod +x "$bin" || exit 2
lua5.4 tools/sim_pilot.lua --pilots 400 --items 500 --resamples 1000 --seed 2026 --bin "$bin"
rc=$?
rm -f "$bin"
exit $rc
