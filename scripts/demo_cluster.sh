#!/usr/bin/env bash
# make demo-cluster: redundant recording on one machine. A nats-server with JetStream, two
# simulated gateways of the same market (same seed, real time), two recorders publishing to
# NATS under their own recorder ids, and one continuous `ibstream merge --nats` serving its status
# page and read API (--http). Gateway A is restarted for 30 s after a minute; the merged store has
# no gap there (recorder B covered it).
#
#   scripts/demo_cluster.sh [BUILD_DIR (default build)] [DIR (default demo-cluster-data)]
#
# DEMO_CLUSTER_SECONDS (default 150) is how long it records. Needs nats-server (scripts/setup.sh).
set -euo pipefail

build=${1:-build}
dir=${2:-demo-cluster-data}
seconds=${DEMO_CLUSTER_SECONDS:-150}
ibstream="$build/ibstream"
nats_server=$(command -v nats-server || echo /usr/sbin/nats-server)
[[ -x "$ibstream" ]] || { echo "demo-cluster: $ibstream not built (make build)" >&2; exit 2; }
[[ -x "$nats_server" ]] || { echo "demo-cluster: nats-server missing (scripts/setup.sh)" >&2; exit 2; }

rm -rf "$dir"
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT
trap "exit 130" INT TERM

nats_port=$(free_port)
"$nats_server" -js -a 127.0.0.1 -p "$nats_port" -sd "$dir/jetstream" >"$dir/nats.log" 2>&1 &
pids+=($!)
url="nats://127.0.0.1:$nats_port"

declare -A control
for name in a b; do
  port=$(free_port)
  control[$name]=$(free_port)
  "$ibstream" sim --listen "127.0.0.1:$port" --control "127.0.0.1:${control[$name]}" \
    --seed 1 --truth "$dir/truth-$name.jsonl" >"$dir/sim-$name.out" \
    2>"$dir/sim-$name.log" &
  pids+=($!)
  cat >"$dir/recorder-$name.toml" <<TOML
profile = "development"
[gateway]
host = "127.0.0.1"
ports = [$port]
client_id = 851
[storage]
path = "$dir/store-$name"
[http]
listen = "127.0.0.1:$(free_port)"
[alerts]
enabled = false
[nats]
enabled = true
url = "$url"
recorder_id = "$name"
[[contracts]]
symbol = "MNQ"
sec_type = "FUT"
exchange = "CME"
currency = "USD"
tick_types = ["bid_ask", "last"]
TOML
done
sleep 1
for name in a b; do
  "$ibstream" record --config "$dir/recorder-$name.toml" >"$dir/recorder-$name.log" 2>&1 &
  pids+=($!)
done
merge_http="127.0.0.1:$(free_port)"
"$ibstream" merge --nats "$url" --recorders a,b --hold-back 10 --out "$dir/merged" \
  --http "$merge_http" >"$dir/merge.log" 2>&1 &
merge_pid=$!
pids+=($merge_pid)

echo "demo-cluster: NATS $url, gateways and recorders a and b, merging into $dir/merged"
echo "demo-cluster: the merger's status page: http://$merge_http/ (its state: /v1/status, \"merge\";"
echo "              gaps: /v1/gaps; live: /v2/stream/{conId}/live/bid_ask; /metrics)"
sleep 60
echo "demo-cluster: restarting gateway a for 30 s"
exec 3<>"/dev/tcp/127.0.0.1/${control[a]}"
printf 'fault gateway_restart duration=30s\nquit\n' >&3
head -n 1 <&3 || true
exec 3>&- 3<&-
sleep $((seconds > 60 ? seconds - 60 : 0))

# The merge stops first: it has decided every second up to --hold-back before the newest tick.
# (A recorder publishes its last ticks when it starts again, so a merge --until-caught-up after
# the recorders stop would decide their last seconds without those ticks.)
echo "demo-cluster: stopping the merge, then the recorders"
kill "$merge_pid" 2>/dev/null || true
wait "$merge_pid" 2>/dev/null || true
for pid in "${pids[@]:3:2}"; do kill "$pid" 2>/dev/null || true; done
wait "${pids[3]}" "${pids[4]}" 2>/dev/null || true
echo "--- gaps recorded by a (its gateway restarted):"
"$ibstream" gaps --data "$dir/store-a" || true
echo "--- gaps of the merged store (none expected around the restart):"
"$ibstream" gaps --data "$dir/merged" || true
echo "demo-cluster: the merged store is $dir/merged (ibstream query --data $dir/merged ...);"
echo "              logs and the recorders' stores are in $dir"
