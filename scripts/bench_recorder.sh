#!/usr/bin/env bash
# Process-level benchmark of `ibstream record` against `ibstream sim`: resident memory with 50
# streams and CPU at about 1,000 ticks per second, read from /proc.
#
#   scripts/bench_recorder.sh [BUILD_DIR] [SECONDS]      (defaults: build 45)
#
# The simulator serves 25 extra contracts (a scenario written here: UTC, trading around the
# clock, 30 quotes and 10 trades per second each, no bursts, no unreported trades); the recorder
# tracks each with BidAsk and Last (50 tick-by-tick streams, about 1,000 ticks per second), fsync
# policy "batch" (1 s). After a warm-up the script samples the recorder's utime+stime
# (/proc/PID/stat) and the simulator's delivered-tick counter (its control port) over SECONDS of
# wall time, then reads VmRSS and VmHWM (/proc/PID/status).
#
# Needs BUILD_DIR/ibstream. The end-to-end throughput figure is recorder_bench (Google Benchmark).
set -euo pipefail

build_dir=${1:-build}
seconds=${2:-45}
warmup=${WARMUP_SECONDS:-15}
ibstream="$build_dir/ibstream"
[[ -x "$ibstream" ]] || { echo "bench_recorder: $ibstream not found (build it first)" >&2; exit 1; }

work=$(mktemp -d)
sim_pid=""
rec_pid=""
cleanup() {
  [[ -n "$rec_pid" ]] && kill "$rec_pid" 2>/dev/null && wait "$rec_pid" 2>/dev/null
  [[ -n "$sim_pid" ]] && kill "$sim_pid" 2>/dev/null && wait "$sim_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

contracts=25
first_id=910001

{
  echo 'name = "bench_recorder"'
  echo '[limits]'
  echo 'max_tick_by_tick = 50'
  for i in $(seq 0 $((contracts - 1))); do
    cat <<EOF
[[contract]]
con_id = $((first_id + i))
symbol = "B$i"
sec_type = "FUT"
exchange = "CME"
currency = "USD"
last_trade_date = "20301231"
min_tick = 0.25
farm = "usfuture"
time_zone = "UTC"
trading = "00:00-24:00"
weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
holidays = "none"
base_price = $((1000 + 100 * i))
quotes_per_second = 30
quotes_per_second_extended = 30
trades_per_second = 10
trades_per_second_extended = 10
burst_probability = 0
unreported_fraction = 0
EOF
  done
} > "$work/scenario.toml"

"$ibstream" sim --listen 127.0.0.1:0 --control 127.0.0.1:0 --scenario "$work/scenario.toml" \
  > "$work/sim.out" 2> "$work/sim.err" &
sim_pid=$!
for _ in $(seq 1 500); do
  [[ $(wc -l < "$work/sim.out") -ge 2 ]] && break
  sleep 0.01
done
port=$(sed -n 1p "$work/sim.out")
control=$(awk '/^control/ {print $2}' "$work/sim.out")
[[ -n "$port" && -n "$control" ]] || { echo "bench_recorder: simulator did not start" >&2; cat "$work/sim.err" >&2; exit 1; }

{
  cat <<EOF
[gateway]
host = "127.0.0.1"
ports = [$port]

[storage]
path = "$work/store"
fsync = "batch"
batch_interval = "1s"

[http]
listen = "127.0.0.1:0"

[backfill]
enabled = false

[logging]
level = "info"
EOF
  for i in $(seq 0 $((contracts - 1))); do
    cat <<EOF

[[contracts]]
con_id = $((first_id + i))
symbol = "B$i"
sec_type = "FUT"
exchange = "CME"
currency = "USD"
tick_types = ["BidAsk", "Last"]
EOF
  done
} > "$work/record.toml"

"$ibstream" record --config "$work/record.toml" > "$work/record.out" 2> "$work/record.err" &
rec_pid=$!

# The simulator's counters (one JSON line after "ok ").
sim_stat() {
  local reply
  reply=$(exec 3<>"/dev/tcp/127.0.0.1/$control"; printf 'stats\n' >&3; head -n1 <&3; exec 3>&-)
  sed -E "s/.*\"$1\":([0-9]+).*/\\1/" <<< "$reply"
}
# utime + stime of a process, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
status_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }
now_ns() { date +%s%N; }

sleep "$warmup"
kill -0 "$rec_pid" 2>/dev/null || { echo "bench_recorder: recorder exited" >&2; cat "$work/record.err" >&2; exit 1; }
active=$(sim_stat clients)
hz=$(getconf CLK_TCK)

t0=$(now_ns); c0=$(cpu_ticks "$rec_pid"); s0=$(cpu_ticks "$sim_pid"); d0=$(sim_stat ticks_delivered)
sleep "$seconds"
t1=$(now_ns); c1=$(cpu_ticks "$rec_pid"); s1=$(cpu_ticks "$sim_pid"); d1=$(sim_stat ticks_delivered)
rss=$(status_kb "$rec_pid" VmRSS)
hwm=$(status_kb "$rec_pid" VmHWM)
threads=$(status_kb "$rec_pid" Threads)
slow=$(sim_stat slow_consumer_disconnects)

kill -TERM "$rec_pid"
wait "$rec_pid" || true
rec_pid=""
streams=$(cat "$work/record.out" "$work/record.err" | grep -o "event=subscribe stream=[^ ]*" | sort -u | wc -l)

awk -v t0="$t0" -v t1="$t1" -v c0="$c0" -v c1="$c1" -v s0="$s0" -v s1="$s1" -v d0="$d0" \
    -v d1="$d1" -v hz="$hz" -v rss="$rss" -v hwm="$hwm" -v thr="$threads" -v slow="$slow" \
    -v active="$active" -v streams="$streams" 'BEGIN {
  wall = (t1 - t0) / 1e9
  rate = (d1 - d0) / wall
  cpu = (c1 - c0) / hz / wall * 100
  simcpu = (s1 - s0) / hz / wall * 100
  printf "window: %.1f s wall, %d streams subscribed, simulator clients %d, slow-consumer disconnects %d\n", wall, streams, active, slow
  printf "ticks delivered to the recorder: %d (%.0f ticks/s)\n", d1 - d0, rate
  printf "recorder CPU: %.2f%% of one core (utime+stime %d ticks at %d Hz; target <= 2%%)\n", cpu, c1 - c0, hz
  printf "recorder CPU per 1,000 ticks/s: %.2f%% of one core\n", cpu / rate * 1000
  printf "simulator CPU (reference): %.2f%% of one core\n", simcpu
  printf "recorder RSS: %.1f MB now, %.1f MB peak (VmRSS/VmHWM; target <= 50 MB), %d threads\n", rss / 1024, hwm / 1024, thr
}'
