#!/bin/sh
# Agreement benchmark: annovet agree against fast-krippendorff, sklearn and
# statsmodels on the same generated CSV files (tools/agree_gen.c, fixed seeds),
# whole process from file to printed value, same machine, same run. Prints the
# best wall and CPU seconds of REPEAT runs (default 3), peak RSS and the ratios;
# target (issue 13): 5x the reference on every metric. Not a test: figures only.
cd "$(dirname "$0")/.." || exit 2
B=build/bench
mkdir -p "$B"
cc -O2 -o "$B/agree_gen" tools/agree_gen.c || exit 2
gen() {   # name units raters categories missing seed
  [ -s "$B/$1.csv" ] || "$B/agree_gen" "$2" "$3" "$4" "$5" "$6" > "$B/$1.csv"
}
gen alpha 200000 10 5 0.3 1
gen cohen 10000000 2 8 0 2
gen fleiss 1000000 10 5 0 3
gen boot 10000 10 5 0.3 4
[ -s "$B/alpha_long.csv" ] || awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[i] = $i; print "unit,rater,value"; next }
  { for (i = 1; i <= NF; i++) if ($i != "") print NR - 1 "," h[i] "," $i }' "$B/alpha.csv" > "$B/alpha_long.csv"
PY=/usr/bin/python3
: "${KRIPPENDORFF_PATH:=/tmp/ref/fast-krippendorff}"
export KRIPPENDORFF_PATH
have_k=1
[ -f "$KRIPPENDORFF_PATH/krippendorff/__init__.py" ] || have_k=0

# measure LABEL CMD...: runs REPEAT times (default 3), prints "best-wall-seconds
# peak-MiB best-cpu-seconds" (cpu = user + sys), keeps the last output
measure() {
  label=$1
  shift
  best= bcpu= peak=0 i=0
  while [ $i -lt "${REPEAT:-3}" ]; do
    i=$((i + 1))
    /usr/bin/time -f "%e %M %U %S" -o "$B/time.txt" "$@" > "$B/out.txt" 2>"$B/err.txt" || {
      echo "$label: failed: $(tail -n 1 "$B/err.txt")"
      return 1
    }
    read -r w m u s < "$B/time.txt"
    best=$(awk -v a="$best" -v b="$w" 'BEGIN { print (a == "" || b < a) ? b : a }')
    bcpu=$(awk -v a="$bcpu" -v u="$u" -v s="$s" 'BEGIN { b = u + s; print (a == "" || b < a) ? b : a }')
    [ "$m" -gt "$peak" ] && peak=$m
  done
  echo "$best $(( peak / 1024 )) $bcpu"
}

row() {   # title, annovet command, reference command
  title=$1
  a=$(measure annovet sh -c "$2") || { echo "$title: $a"; return; }
  aval=$(tr -d '\n' < "$B/out.txt" | sed 's/.*"value":[[:space:]]*\([^,}]*\).*/\1/')
  set -- "$title" "$2" "$3" $a
  if [ -z "$3" ]; then
    printf '%-34s annovet %6.2fs (cpu %6.2fs) %5d MiB  (reference not available)\n' "$title" "$4" "$6" "$5"
    return
  fi
  r=$(measure reference sh -c "$3") || { echo "$title: $r"; return; }
  rval=$(tr -d '\n' < "$B/out.txt")
  set -- "$@" $r
  printf '%-34s annovet %6.2fs (cpu %6.2fs) %5d MiB | reference %6.2fs (cpu %6.2fs) %5d MiB | %5.1fx faster (cpu %.1fx)\n' \
    "$title" "$4" "$6" "$5" "$7" "$9" "$8" "$(awk -v r="$7" -v a="$4" 'BEGIN { printf "%.1f", r / (a > 0 ? a : 0.01) }')" \
    "$(awk -v r="$9" -v a="$6" 'BEGIN { printf "%.1f", r / (a > 0 ? a : 0.01) }')"
  printf '%-34s   values: annovet %s, reference %s\n' "" "$aval" "$rval"
}

A=./annovet
K=""
[ $have_k = 1 ] && K=1
echo "agree bench ($(nproc) cores; data in $B; best of ${REPEAT:-3}; load $(cut -d' ' -f1-3 /proc/loadavg))"
row "alpha nominal 10x200k, 30% missing" "$A agree $B/alpha.csv --wide --metric krippendorff_alpha" \
  "${K:+$PY bench/agree_ref.py alpha $B/alpha.csv nominal}"
row "alpha interval 10x200k, 30% missing" "$A agree $B/alpha.csv --wide --metric krippendorff_alpha --level interval" \
  "${K:+$PY bench/agree_ref.py alpha $B/alpha.csv interval}"
row "cohen kappa 10M pairs, 8 classes" "$A agree $B/cohen.csv --wide --metric cohen_kappa" \
  "$PY bench/agree_ref.py cohen $B/cohen.csv"
row "fleiss 1M units x 10 raters" "$A agree $B/fleiss.csv --wide --metric fleiss_kappa" \
  "$PY bench/agree_ref.py fleiss $B/fleiss.csv"
row "alpha bootstrap 1000 x 10x10k" "$A agree $B/boot.csv --wide --metric krippendorff_alpha --ci 1000 --seed 7" \
  "${K:+$PY bench/agree_ref.py boot $B/boot.csv 1000 7}"
row "alpha nominal, long form (no ref)" "$A agree $B/alpha_long.csv --metric krippendorff_alpha" ""
