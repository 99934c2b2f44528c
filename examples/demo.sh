#!/bin/sh
# make demo: annovet's main job on the bundled SYNTHETIC pilot (examples/pilot, made by
# tools/gen_pilot.lua): a 100-image gold panel hidden in a 500-image sample sent to
# three vendors, with their questionnaires, rate cards, timesheets and SLA rules.
# It records the deliveries in a store, runs the whole pilot verdict, and prints
# where the report is and a three-line summary.
set -e
cd "$(dirname "$0")/.."
src=examples/pilot
out=out/demo
db=$out/pilot.db
rm -rf "$out"
mkdir -p "$out"
export ANNOVET_QUIET=1

echo "== recording the gold panel and the deliveries in $db"
./annovet ingest --store "$db" --gold --name pilot "$src/gold.json" > "$out/ingest_gold.json"
for v in acme budget rapid; do
  ./annovet ingest --store "$db" --vendor "$v" --batch pilot-1 "$src/$v.json" > "$out/ingest_$v.json"
done

echo "== the pilot verdict (annovet pilot $src/pilot.lua --out $out/pilot)"
./annovet pilot "$src/pilot.lua" --out "$out/pilot" > "$out/pilot.json"

echo
echo "report: $(pwd)/$out/pilot/index.html"
cat "$out/pilot/summary.txt"
echo "(CSV files beside it: ranking, per_class, scorecard, costs, sla, conflicts; the data are synthetic)"
