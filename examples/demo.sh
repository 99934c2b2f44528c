#!/bin/sh
# make demo: annovet's most complete job on the bundled pilot (examples/pilot, made by
# tools/gen_pilot.lua): a gold panel and three vendors' deliveries of the same 40
# images. It records everything in a store, scores each vendor against the gold
# panel, measures the tag agreement of three annotators, and says where it all is.
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

vendors="--vendor acme=$src/acme.json --vendor budget=$src/budget.json --vendor rapid=$src/rapid.json"
echo "== scoring each vendor against the gold panel (segm IoU 0.5, optimal matching)"
# shellcheck disable=SC2086
./annovet compare --gold "$src/gold.json" $vendors --store "$db" --out "$out/compare"
# shellcheck disable=SC2086
./annovet compare --gold "$src/gold.json" $vendors --format table | tee "$out/compare.txt"

echo
echo "== weather tags: how far the three annotators agree"
./annovet agree "$src/weather_tags.csv" --metric krippendorff_alpha --per-category \
  --ci 1000 --seed 1 > "$out/weather_alpha.json"
./annovet agree "$src/weather_tags.csv" --metric krippendorff_alpha --per-category \
  --ci 1000 --seed 1 --format table
./annovet store info --store "$db" > "$out/store.json"

echo
echo "== pricing (synthetic rate cards, pricing/pilot/): per asset against per hour, and the break-even"
for v in acme budget rapid; do
  echo "-- $v"
  ./annovet cost --rates "pricing/pilot/$v.csv" "$src/$v.json" --timesheets "$src/timesheets/$v.csv" \
    --period 2026-11 --compare --date 2026-11-15 --svg "$out/cost_$v.svg" --format table | sed -n '1,6p'
done

echo
echo "demo: results are in $out/"
echo "  compare/        per_class.csv, conflicts.csv, confusion.csv, annotators.csv, clusters.csv, compare.json"
echo "  compare.txt     the summary above"
echo "  weather_alpha.json  Krippendorff's alpha of the weather tags, with a bootstrap interval"
echo "  pilot.db        the store: deliveries with their SHA-256 and bytes, the gold panel, the evaluations"
echo "  store.json      what the store holds (annovet store info --store $db)"
echo "  cost_*.svg      each vendor's monthly cost against volume, per asset and per hour"
