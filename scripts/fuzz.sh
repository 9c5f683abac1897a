#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each one for a bounded time, seeded with the
# conformance vectors (seeds and dictionaries come from $build/seeds/). Fails on any finding. Usage: scripts/fuzz.sh BUILD_DIR TOTAL_SECONDS
set -euo pipefail
build=${1:-build-fuzz}
total=${2:-60}
# ccache, when installed, makes a repeated run recompile only what changed.
launcher=()
if command -v ccache >/dev/null 2>&1; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
# Unity batches (UNITY=OFF to compile source by source), as in the Makefile's other builds.
CC=clang-14 CXX=clang++-14 cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DIBSTREAM_FUZZ=ON \
  -DIBSTREAM_UNITY="${UNITY:-ON}" "${launcher[@]}" >/dev/null
cmake --build "$build" -j "$(nproc)"
mapfile -t targets < <(find "$build" -maxdepth 3 -type f -name 'fuzz_*' -perm -u+x | sort)
if [ ${#targets[@]} -eq 0 ]; then
  echo "fuzz: no fuzz targets built" >&2
  exit 1
fi
per=$(( total / ${#targets[@]} ))
[ "$per" -ge 5 ] || per=5
for t in "${targets[@]}"; do
  name=$(basename "$t")
  corpus="$build/corpus/$name"
  mkdir -p "$corpus" "$build/crashes"
  seeds="$build/seeds/$name"
  dict="$build/seeds/$name.dict"
  echo "fuzz: $name for ${per}s"
  "$t" -max_total_time="$per" -print_final_stats=1 -artifact_prefix="$build/crashes/$name-" \
    $( [ -f "$dict" ] && echo "-dict=$dict" ) \
    "$corpus" $( [ -d "$seeds" ] && echo "$seeds" ) 2>"$build/$name.log" || {
      tail -50 "$build/$name.log" >&2
      echo "fuzz: $name found a problem; reproducer in $build/crashes/" >&2
      exit 1
    }
  grep -E "stat::number_of_executed_runs|cov:" "$build/$name.log" | tail -2
done
