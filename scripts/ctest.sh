#!/usr/bin/env bash
# Runs every test of a build directory with CTest, JOBS at a time. A test that fails is run once
# more: many tests drive the simulated gateway and the recorder on an accelerated wall clock, and
# on a loaded 2-core machine (the sanitized build, two tests at a time) a starved thread can jump
# virtual time past a window a test allows. A test that fails twice fails the run. Every test that
# failed and then passed is listed at the end (its first attempt's output is in the log above), so
# a flaky test is seen, not hidden. Usage: scripts/ctest.sh BUILD_DIR [JOBS]
set -uo pipefail
build=$1
jobs=${2:-$(nproc)}
log="$build/Testing/ctest-output.log"
mkdir -p "$build/Testing"
(cd "$build" && ctest --output-on-failure -j "$jobs" --repeat until-pass:2) 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
# A result line: "12/345 Test #67: Name ....***Failed  1.23 sec" (a retry's has no "12/345"; a
# parameterized test's name is followed by "  # GetParam() = ..."). A test is flaky when it has
# both a failed and a passed result.
mapfile -t retried < <(awk '
  match($0, /Test +#[0-9]+: [^ ]+/) {
    name = substr($0, RSTART, RLENGTH); sub(/^Test +#[0-9]+: /, "", name)
    if ($0 ~ /\*\*\*(Failed|Exception|Timeout)/) failed[name] = 1
    else if ($0 ~ / Passed +[0-9.]+ sec/) passed[name] = 1
  }
  END { for (n in failed) if (n in passed) print n }' "$log" | sort)
if [ ${#retried[@]} -gt 0 ]; then
  echo "ctest: ${#retried[@]} test(s) failed once and passed when run again (flaky):"
  printf '  %s\n' "${retried[@]}"
else
  echo "ctest: no test needed a second run"
fi
exit "$status"
