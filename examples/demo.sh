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
# the dates the pilot's turnaround is read from (sent 2 November; each vendor's delivery)
for vd in acme:2026-11-12 budget:2026-11-07 rapid:2026-11-06; do
  v=${vd%%:*}
  ./annovet ingest --store "$db" --vendor "$v" --batch pilot-1 --sent-at 2026-11-02 --received-at "${vd#*:}" \
    "$src/$v.json" > "$out/ingest_$v.json"
done

echo "== the pilot verdict (annovet pilot $src/pilot.lua --out $out/pilot --store $db)"
./annovet pilot "$src/pilot.lua" --out "$out/pilot" --store "$db" > "$out/pilot.json"

echo
echo "== pricing (the synthetic rate cards in pricing/pilot/): per asset against per hour, and the break-even"
for v in acme budget rapid; do
  ./annovet cost --rates "pricing/pilot/$v.csv" "$src/$v.json" --timesheets "$src/timesheets/$v.csv" \
    --period 2026-11 --compare --date 2026-11-15 --svg "$out/cost_$v.svg" --format json > "$out/cost_$v.json"
  ./annovet cost --rates "pricing/pilot/$v.csv" "$src/$v.json" --timesheets "$src/timesheets/$v.csv" \
    --period 2026-11 --compare --date 2026-11-15 --format table | sed -n 's/^total (\([A-Z]*\)) *\([0-9.]*\) *\([0-9.]*\)$/  '"$v"': per asset \2 \1, per hour \3 \1/p; s/^break-even: /  '"$v"': break-even: /p'
done

echo
echo "report: $(pwd)/$out/pilot/index.html"
cat "$out/pilot/summary.txt"
echo "(CSV files beside it: ranking, per_class, scorecard, costs, sla, conflicts; cost_*.json and cost_*.svg in $out; the data are synthetic)"
