#!/usr/bin/env bash
# Runs every Google Benchmark executable of a build, then the end-to-end benchmarks that have a
# script of their own. Figures go to stdout; BENCHMARKS.md records them with this command.
# Usage: scripts/bench.sh [BUILD_DIR]
set -euo pipefail
build=${1:-build}
mapfile -t benches < <(find "$build/src" -type f -name '*_bench' -perm -u+x | sort)
for b in "${benches[@]}"; do
  echo "== $(basename "$b")"
  "$b" --benchmark_min_time=0.5 2>&1 | grep -v "Library was built as DEBUG"
done
for s in scripts/bench_*.sh; do
  [ -e "$s" ] || continue
  echo "== $s"
  bash "$s" "$build"
done
