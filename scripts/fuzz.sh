#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each one for TOTAL_SECONDS / targets (as many
# at once as there are cores), seeded with the conformance vectors (seeds and dictionaries come
# from $build/seeds/). Fails on any finding. Usage: scripts/fuzz.sh BUILD_DIR TOTAL_SECONDS
# FUZZ_STEP=build only builds, FUZZ_STEP=run only runs what was built (make test's two steps).
set -euo pipefail
build=${1:-build-fuzz}
total=${2:-60}
step=${FUZZ_STEP:-all}
case $step in
  all | build | run) ;;
  *) echo "fuzz: FUZZ_STEP must be all, build or run, not '$step'" >&2; exit 2 ;;
esac
# ccache, when installed, makes a repeated run recompile only what changed.
launcher=()
if command -v ccache >/dev/null 2>&1; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
# Unity batches (UNITY=OFF to compile source by source), as in the Makefile's other builds.
if [ "$step" != run ]; then
  CC=clang-14 CXX=clang++-14 cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DIBSTREAM_FUZZ=ON \
    -DIBSTREAM_UNITY="${UNITY:-ON}" "${launcher[@]}" >/dev/null
  cmake --build "$build" -j "$(nproc)"
fi
[ "$step" != build ] || exit 0
mapfile -t targets < <(find "$build" -maxdepth 3 -type f -name 'fuzz_*' -perm -u+x | sort)
if [ ${#targets[@]} -eq 0 ]; then
  echo "fuzz: no fuzz targets built" >&2
  exit 1
fi
per=$(( total / ${#targets[@]} ))
[ "$per" -ge 5 ] || per=5
mkdir -p "$build/crashes"

# One target for `per` seconds; its status is the fuzzer's (non-zero on a finding).
fuzz_one() {
  local t=$1 name corpus seeds dict
  name=$(basename "$t")
  corpus="$build/corpus/$name"
  seeds="$build/seeds/$name"
  dict="$build/seeds/$name.dict"
  mkdir -p "$corpus"
  "$t" -max_total_time="$per" -print_final_stats=1 -artifact_prefix="$build/crashes/$name-" \
    $( [ -f "$dict" ] && echo "-dict=$dict" ) \
    "$corpus" $( [ -d "$seeds" ] && echo "$seeds" ) 2>"$build/$name.log"
}

# Each fuzzer is one process on one core: as many run at once as there are cores, each for the
# same time, so the run takes TOTAL_SECONDS / cores.
parallel=$(nproc)
for ((i = 0; i < ${#targets[@]}; i += parallel)); do
  batch=("${targets[@]:i:parallel}")
  pids=()
  for t in "${batch[@]}"; do
    echo "fuzz: $(basename "$t") for ${per}s"
    fuzz_one "$t" &
    pids+=($!)
  done
  failed=0
  for j in "${!batch[@]}"; do
    name=$(basename "${batch[$j]}")
    if wait "${pids[$j]}"; then
      echo "fuzz: $name: $(grep -E "stat::number_of_executed_units" "$build/$name.log" | tail -1)"
    else
      tail -50 "$build/$name.log" >&2
      echo "fuzz: $name found a problem; reproducer in $build/crashes/" >&2
      failed=1
    fi
  done
  [ "$failed" -eq 0 ] || exit 1
done
