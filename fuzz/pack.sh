#!/bin/sh
# Packs files into one fuzz input of a folder target: the files in the target's
# order (fuzz/README.md), joined by the line "--8<--"; "-" for a file left out.
#   sh fuzz/pack.sh OUT FILE|- ...
out=$1
shift
: > "$out"
first=1
for f in "$@"; do
  [ $first = 1 ] || printf '\n--8<--\n' >> "$out"
  first=0
  [ "$f" = - ] || cat "$f" >> "$out"
done
