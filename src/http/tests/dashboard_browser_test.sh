#!/usr/bin/env bash
# The dashboard in a real browser: runs `ibstream demo` (simulated gateway, accelerated clock, the
# scripted gateway restart) on a free port in a temporary directory, waits until the recorder has
# lost its session, reconnected, backfilled the gap and resolved the alert, then loads the page in
# headless Chromium. The page's script writes what it drew into data-* attributes of <body>
# (assets/dashboard.html, render()); this test checks them in the dumped DOM: every plot holds data,
# the timeline shows a gap, the alert history an alert, the session plot the reconnect, and nothing
# overflows 1280 px. Screenshots go to ARTIFACT_DIR (dashboard.png at 1280x900 and
# dashboard-full.png, the whole page).
#
# Usage: dashboard_browser_test.sh IBSTREAM ARTIFACT_DIR
# Exit status: 0 passed, 1 failed, 77 skipped (no chromium; under CI=true that is a failure).
set -uo pipefail

ibstream=${1:?usage: dashboard_browser_test.sh IBSTREAM ARTIFACT_DIR}
artifacts=${2:?usage: dashboard_browser_test.sh IBSTREAM ARTIFACT_DIR}
# The demo's own speed: at much higher speeds a loaded machine misses the liveness probe's 5
# virtual seconds and the session flaps. The fault comes 12 virtual minutes in (after the CME
# halt has begun), 12 real seconds.
speed=${DASHBOARD_TEST_SPEED:-60}
fault_after=${DASHBOARD_TEST_FAULT_AFTER:-12}

browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
  if [ "${CI:-}" = "true" ]; then
    echo "FAIL: chromium is not installed (scripts/setup.sh installs Debian's chromium)"
    exit 1
  fi
  echo "SKIP: chromium is not installed (scripts/setup.sh installs Debian's chromium)"
  exit 77
fi
command -v curl > /dev/null || { echo "FAIL: curl is not installed"; exit 1; }

work=$(mktemp -d)
demo_pid=""
cleanup() {
  if [ -n "$demo_pid" ] && kill -0 "$demo_pid" 2> /dev/null; then
    kill -INT "$demo_pid" 2> /dev/null
    for _ in $(seq 50); do kill -0 "$demo_pid" 2> /dev/null || break; sleep 0.1; done
    kill -KILL "$demo_pid" 2> /dev/null
  fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*"
  echo "--- demo output (last 40 lines)"
  tail -n 40 "$work/demo.out" 2> /dev/null
  exit 1
}

mkdir -p "$artifacts"
"$ibstream" demo --data "$work/demo" --port 0 --speed "$speed" --fault-after "$fault_after" \
  > "$work/demo.out" 2>&1 &
demo_pid=$!

# The dashboard's URL, once the recorder serves it.
url=""
for _ in $(seq 600); do
  url=$(sed -n 's/^  dashboard: //p' "$work/demo.out" | head -n 1)
  [ -n "$url" ] && break
  kill -0 "$demo_pid" 2> /dev/null || fail "the demo exited before serving"
  sleep 0.1
done
[ -n "$url" ] || fail "the demo printed no dashboard URL within 60 s"
echo "dashboard at $url (clock ${speed}x)"

# Until the fault has played out: a reconnect, a filled gap and a resolved alert (at most 300 s).
ready=""
for _ in $(seq 600); do
  kill -0 "$demo_pid" 2> /dev/null || fail "the demo exited"
  if curl -sf "${url}v1/dashboard" -o "$work/dashboard.json" &&
    python3 - "$work/dashboard.json" << 'EOF'; then
import json, sys
d = json.load(open(sys.argv[1]))
reconnected = any(e["kind"] == "reconnected" for e in d["connection_events"])
filled = any(g["state"] == "filled" for g in d["gaps"])
resolved = any(a["resolved_ms"] is not None for a in d["alert_history"])
sys.exit(0 if reconnected and filled and resolved else 1)
EOF
    ready=1
    break
  fi
  sleep 0.5
done
[ -n "$ready" ] || fail "no reconnect, filled gap and resolved alert within 300 s"

chrome() {
  "$browser" --headless --disable-gpu --no-sandbox --no-first-run --disable-extensions \
    --user-data-dir="$work/profile" --virtual-time-budget=8000 "$@" 2>> "$work/chromium.err"
}
chrome --window-size=1280,900 --dump-dom "$url" > "$work/dom.html" ||
  fail "chromium --dump-dom failed: $(tail -n 5 "$work/chromium.err")"
chrome --window-size=1280,900 --screenshot="$artifacts/dashboard.png" "$url" > /dev/null ||
  fail "chromium --screenshot failed: $(tail -n 5 "$work/chromium.err")"
# The whole page (taller than the window), for a reader of the CI artifacts.
chrome --window-size=1280,3200 --screenshot="$artifacts/dashboard-full.png" "$url" > /dev/null ||
  fail "chromium --screenshot (full page) failed"
cp "$work/dom.html" "$artifacts/dashboard-dom.html"
echo "screenshots: $artifacts/dashboard.png, $artifacts/dashboard-full.png"

python3 - "$work/dom.html" << 'EOF'
import re, sys
dom = open(sys.argv[1], encoding="utf-8").read()
body = re.search(r"<body([^>]*)>", dom)
if not body:
    sys.exit("FAIL: no <body> in the dumped DOM")
attrs = dict(re.findall(r'data-([a-z-]+)="([^"]*)"', body.group(1)))
print("page:", " ".join(f"{k}={v}" for k, v in sorted(attrs.items())))
def number(key):
    try:
        return int(attrs.get(key, "-1"))
    except ValueError:
        return -1
problems = []
if attrs.get("ready") != "1":
    problems.append("the page never drew (data-ready is not 1)")
if number("contracts") < 4 or number("streams") < 4:
    problems.append("not every contract and stream of the demo is shown")
if number("plots") < number("contracts") + number("streams") + 2:
    problems.append("fewer plots than contracts + streams + 2")
if number("empty-plots") != 0:
    empty = re.findall(r'<svg[^>]*data-plot="([a-z]+)"[^>]*data-points="0"', dom)
    problems.append(f"{number('empty-plots')} plots hold no data: {empty}")
if number("gap-marks") < 1:
    problems.append("no gap drawn on a timeline")
if number("alert-episodes") < 1:
    problems.append("no alert in the alert history")
if number("connection-events") < 1:
    problems.append("no session lost or reconnect plotted")
if attrs.get("overflow") != "0":
    problems.append("the page is wider than 1280 px (horizontal scrolling)")
error = re.search(r'<div id="error">([^<]*)</div>', dom)
if error is None or error.group(1).strip():
    problems.append("the page shows an error: " + (error.group(1) if error else "no error line"))
if not re.search(r'data-gap="filled"', dom):
    problems.append("no filled gap on a timeline")
if problems:
    print("FAIL: " + "; ".join(problems))
    sys.exit(1)
print("PASS")
EOF
