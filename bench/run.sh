#!/bin/sh
# Runs every bench/*.sh and prints their figures (make bench).
cd "$(dirname "$0")/.." || exit 2
for b in bench/*.sh; do
  [ "$b" = bench/run.sh ] && continue
  echo "== $b"
  sh "$b"
done
