#!/usr/bin/env bash
# Runs make targets one after the other and prints how long each took, one line per phase
# (`phase=asan seconds=412 status=0`) and a total, so that a CI log shows where the time goes.
# Stops at the first phase that fails. Usage: scripts/phases.sh TARGET...
set -uo pipefail
make_cmd=${MAKE:-make}
total_start=$SECONDS
for phase in "$@"; do
  start=$SECONDS
  "$make_cmd" --no-print-directory "$phase"
  status=$?
  echo "phase=$phase seconds=$((SECONDS - start)) status=$status"
  if [ "$status" -ne 0 ]; then
    echo "phase=total seconds=$((SECONDS - total_start)) status=$status"
    exit "$status"
  fi
done
echo "phase=total seconds=$((SECONDS - total_start)) status=0"
