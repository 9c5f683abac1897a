#!/usr/bin/env bash
# End-to-end benchmark of `ibstream stream --json`: a loopback burst server sends TICKS tick-by-tick
# BidAsk ticks; ibstream prints them as JSON lines into a pipe; we report ticks per second.
#
#   scripts/bench_stream.sh [BUILD_DIR] [TICKS] [RUNS]     (defaults: build 300000 5)
#
# Needs BUILD_DIR/ibstream and BUILD_DIR/tick_burst_server (targets ibstream, tick_burst_server).
# The time measured is the whole ibstream process: connect, handshake, contract lookup,
# subscription, decoding, formatting and writing every line into `wc -l`.
set -euo pipefail

build_dir=${1:-build}
ticks=${2:-300000}
runs=${3:-5}
ibstream="$build_dir/ibstream"
server="$build_dir/tick_burst_server"
for exe in "$ibstream" "$server"; do
  [[ -x "$exe" ]] || { echo "bench_stream: $exe not found (build it first)" >&2; exit 1; }
done

best=0
for run in $(seq 1 "$runs"); do
  port_file=$(mktemp)
  "$server" "$ticks" > "$port_file" &
  server_pid=$!
  for _ in $(seq 1 500); do
    [[ -s "$port_file" ]] && break
    sleep 0.01
  done
  port=$(awk '/^port/ {print $2}' "$port_file")
  rm -f "$port_file"
  [[ -n "$port" ]] || { echo "bench_stream: server did not start" >&2; kill "$server_pid"; exit 1; }

  start=$(date +%s%N)
  lines=$("$ibstream" stream 711280073 --type BidAsk --json -n "$ticks" --port "$port" | wc -l)
  end=$(date +%s%N)
  wait "$server_pid" || true

  if [[ "$lines" -ne "$ticks" ]]; then
    echo "bench_stream: expected $ticks lines, got $lines" >&2
    exit 1
  fi
  ns=$((end - start))
  rate=$((ticks * 1000000000 / ns))
  printf 'run %d: %d ticks in %d.%03d s = %d ticks/s\n' "$run" "$ticks" $((ns / 1000000000)) \
    $((ns / 1000000 % 1000)) "$rate"
  (( rate > best )) && best=$rate
done
echo "best: $best ticks/s (target >= 1000000; ib_async does about 300000)"
