#!/usr/bin/env bash
# Runs make targets one after the other and prints how long each took, one line per phase
# (`phase=asan-tests seconds=412 status=0`) and a total, so that a CI log shows where the time goes.
# Stops at the first phase that fails.
#
# A phase written `bg:TARGET` is started in the background at the idle CPU priority (SCHED_IDLE:
# it gets only the CPU time the foreground phases leave unused) with its output in
# $PHASE_LOGS/TARGET.log; `wait:TARGET` waits for it, prints its phase line (`background=1`, and
# how long the foreground waited for it) and, if it failed, its output. The tests wait on sockets
# and accelerated clocks for much of their run, so the next build uses those idle cores without
# taking a cycle the tests want.
#
# Usage: scripts/phases.sh PHASE...   (PHASE: TARGET, bg:TARGET or wait:TARGET)
set -uo pipefail
make_cmd=${MAKE:-make}
logs=${PHASE_LOGS:-phase-logs}
total_start=$SECONDS
declare -A bg_pid bg_start

# The idle scheduling class when the system allows it, the lowest nice value otherwise.
idle_prefix=(nice -n 19)
if chrt --idle 0 true 2>/dev/null; then idle_prefix=(chrt --idle 0); fi

finish() {
  local status=$1
  # A background phase still running when a foreground one fails is stopped with it.
  for target in "${!bg_pid[@]}"; do
    kill -- "-${bg_pid[$target]}" 2>/dev/null
  done
  echo "phase=total seconds=$((SECONDS - total_start)) status=$status"
  exit "$status"
}

for phase in "$@"; do
  case $phase in
    bg:*)
      target=${phase#bg:}
      mkdir -p "$logs"
      bg_start[$target]=$SECONDS
      # Its own process group, so that `finish` stops the whole build.
      setsid --wait "${idle_prefix[@]}" "$make_cmd" --no-print-directory "$target" </dev/null \
        >"$logs/$target.log" 2>&1 &
      bg_pid[$target]=$!
      echo "phase=$target started in the background (${idle_prefix[*]}; output in $logs/$target.log)"
      ;;
    wait:*)
      target=${phase#wait:}
      waited=$SECONDS
      wait "${bg_pid[$target]}"
      status=$?
      unset "bg_pid[$target]"
      if [ "$status" -ne 0 ]; then
        cat "$logs/$target.log"
      else
        tail -n 3 "$logs/$target.log"
      fi
      echo "phase=$target seconds=$((SECONDS - bg_start[$target])) status=$status" \
        "background=1 waited=$((SECONDS - waited))"
      [ "$status" -eq 0 ] || finish "$status"
      ;;
    *)
      start=$SECONDS
      "$make_cmd" --no-print-directory "$phase"
      status=$?
      echo "phase=$phase seconds=$((SECONDS - start)) status=$status"
      [ "$status" -eq 0 ] || finish "$status"
      ;;
  esac
done
finish 0
