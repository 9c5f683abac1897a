#!/usr/bin/env python3
"""Chaos and completeness suite: the recorder against the simulator's ground truth.

For each scenario: `ibstream sim` (scenario file, truth file, accelerated clock, port 0, loopback)
and `ibstream record` on the same virtual clock with a generated configuration and a temporary
store; the scenario plays out; the run goes on (bounded) until the recorder has no interrupted
stream and no pending backfill; both get SIGTERM; then the store (`verify --truth --json`), the gap
ledger (`gaps --json`), the stored ticks (`query`), the recorder's log (event=... lines and alert
lines) and /proc are compared with the truth. Results: one JSON file per scenario in the results
directory, a summary, and (with --doc) the generated docs/RELIABILITY.md table.

  python3 scripts/chaos.py [--build DIR] [--set ci|full] [--scenario NAME ...] [--results DIR]
                           [--doc FILE] [--keep] [--list]

Targets (a miss fails the run, naming the scenario and the metric):
  recovered        every interruption recovered without intervention (live data after each fault)
  completeness     100% of the truth's ticks stored after backfill, per stream, and nothing extra
  recovery         first live tick stored within 2 s of the data being available again (the end
                   of every fault withholding the stream)
  detection        first recorder action within the configured threshold + 1 s of a fault
  false_critical   no critical alert without a real outage in trading hours
  missed_alerts    every outage of at least gap_detected's threshold in trading hours alerted
  cpu              recorder CPU per virtual second under 5% of one core
  expected         a scenario's own expectations hold (no gap in the ledger, a recorder log line)

Python 3 standard library only.
"""

import argparse
import bisect
import concurrent.futures
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import traceback
import time
import urllib.error
import urllib.request
from decimal import Decimal, InvalidOperation

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCENARIO_DIR = os.path.join(REPO, "src", "sim", "scenarios")
NS = 1_000_000_000

# Targets of the issue; the plan's (never measured) numbers are shown next to them in the doc.
TARGETS = {
    "recovered": ("100% of interruptions recovered without intervention",
                  "> 95 % automatic recovery"),
    "completeness": ("100% completeness after backfill, no extra ticks", "< 0.1 % data loss"),
    "recovery": ("live data within 2 s of the gateway/data being back", "< 30 s restart"),
    "detection": ("first action within the configured threshold + 1 s",
                  "< 2 min alert latency"),
    "false_critical": ("zero false critical alerts", "< 5 % false critical alerts"),
    "missed_alerts": ("every outage >= gap_detected threshold in trading hours alerted", "-"),
    "cpu": ("recorder CPU < 5% of one core per virtual (real-time) second", "< 5 % overhead"),
}
RECOVERY_TARGET_S = 2.0
# Real seconds between launching the recorder and its clock starting (config load); learned from
# each run's measured clock offset so that the recorder's virtual clock matches the simulator's.
STARTUP_LEAD = {"s": 0.05}
DETECTION_SLACK_S = 1.0
CPU_TARGET_PCT = 5.0

# Recorder configuration shared by every scenario (thresholds are what detection is held to).
STALENESS_S = 30
EXTENDED_STALENESS_S = 60
PROBE_INTERVAL_S = 5
PROBE_DEADLINE_S = 3
GAP_ALERT_THRESHOLD_S = 60
# After a scenario's span the run goes on until every backfill is done, at most this many virtual
# seconds (IB's pacing: 60 historical requests per 10 minutes, BID_ASK pages count double).
BACKFILL_WAIT_S = 30 * 60
BACKFILL_WAIT_WALL_S = 300
# The store is compared with the truth up to this long before the recorder's SIGTERM (virtual
# seconds, or wall seconds times the speed when that is more).
STOP_MARGIN_S = 2
STOP_MARGIN_WALL_S = 0.1

FARMS = {"MNQ": "usfuture", "ES": "usfuture", "AAPL": "usfarm", "EUR": "cashfarm",
         "ESTX50": "eufarm", "FESX": "eufarm"}
SIM_TYPES = {"BidAsk": "bid_ask", "Last": "last", "AllLast": "all_last", "MidPoint": "mid_point",
             "Quote": "quote", "Trade": "trade"}

MNQ = {"symbol": "MNQ", "sec_type": "FUT", "exchange": "CME", "currency": "USD"}
ES = {"symbol": "ES", "sec_type": "FUT", "exchange": "CME", "currency": "USD"}
AAPL = {"con_id": 265598, "symbol": "AAPL"}
# IDEALPRO FX has quotes only (IB gives no trades for CASH): a `last` stream would never tick.
EURUSD = {"con_id": 12087792, "symbol": "EUR", "tick_types": ["bid_ask", "mid_point"]}
# The streams recorded for a contract that names none.
DEFAULT_TICK_TYPES = ["bid_ask", "last"]
# The tick-by-tick kinds the scenarios configure, and the reqMktData fallback kinds that record a
# stream without a tick-by-tick slot (IB allows 3 at a time).
RECORDED_TYPES = ("bid_ask", "last", "mid_point", "quote", "trade")
FALLBACK_KIND = {"bid_ask": "quote", "mid_point": "quote", "last": "trade", "all_last": "trade"}

LIQUID = "2025-08-11T14:00:00Z"  # Monday 09:00 CT: every built-in market in liquid hours


def fault(at, kind, **keys):
    return dict(at=at, kind=kind, **keys)


# name -> definition. `file`: a scenario file in src/sim/scenarios; `faults`/`contracts_toml`:
# a scenario the runner writes; `duration`: virtual seconds to run; `kills`: (offset s, down s)
# recorder kill -9 + restart; `detect`: per-fault-kind detection threshold overrides (seconds);
# `untrack`: (offset s, contract id or key) DELETE /v1/contracts/{id} on the recorder's HTTP API;
# `expect_no_gaps`: the gap ledger must stay empty; `expect_log`: regexes a recorder log line must
# match; `expect_gaps`: cause prefix -> backfill state every gap of such a cause must end in (at
# least one such gap); `disk_full`: (offset s, duration s) the store's disk is full (writes under it fail
# with ENOSPC, scripts/chaos_enospc_shim.c); `damage`: at each kill, before the restart, the
# store is damaged ("sealed_hour": a data frame of a sealed hour's file corrupted, judged outside
# that hour; "torn_journal": the newest journal's last record cut short); `runner`:
# "redundant_nats" runs it with two recorders publishing to NATS (scripts/chaos_cluster.py: the
# faults hit gateway A only; `nats_outage`: (offset s, down s) the NATS server stopped;
# `recorder_kills`: (offset s, down s) recorder A killed -9 and started again).
SCENARIOS = {
    "mnq_daily_halt": dict(
        ci=True, file="mnq_daily_halt.toml", speed=120, duration=80 * 60,
        contracts=[MNQ], about="the original incident: MNQ through the 16:00-17:00 CT halt"),
    "gateway_restart": dict(
        ci=True, start=LIQUID, speed=10, duration=240, contracts=[MNQ, ES],
        faults=[fault("+1m", "gateway_restart", duration="30s")],
        about="gateway process restart mid-session: listener closed 30 s"),
    "connection_reset": dict(
        ci=True, start=LIQUID, speed=10, duration=180, contracts=[MNQ],
        faults=[fault("+1m", "close", mode="rst")],
        about="the API socket reset (RST) mid-session"),
    "farm_blip": dict(
        ci=True, file="farm_blip.toml", speed=10, duration=9 * 60, contracts=[MNQ],
        about="usfuture 2103->2104 for 3 s (data lost), then 2 min with the HMDS down too"),
    "connectivity_1102": dict(
        ci=True, start=LIQUID, speed=10, duration=180, contracts=[MNQ],
        faults=[fault("+1m", "connectivity_lost", duration="20s", restore="data_maintained")],
        about="1100 -> 1102 (data maintained) after 20 s"),
    "connectivity_1101": dict(
        ci=False, start=LIQUID, speed=10, duration=180, contracts=[MNQ],
        faults=[fault("+1m", "connectivity_lost", duration="45s", restore="data_lost")],
        about="1100 -> 1101 (data lost, subscriptions dropped) after 45 s"),
    "half_open": dict(
        ci=False, start=LIQUID, speed=10, duration=240, contracts=[MNQ],
        faults=[fault("+1m", "half_open", duration="60s")],
        about="half-open socket for 60 s (no bytes either way, then RST)"),
    "silent_subscription": dict(
        ci=False, file="silent_stream.toml", speed=10, duration=14 * 60, contracts=[MNQ, ES],
        about="MNQ BidAsk silent 5 min while the other streams flow; half-open socket later"),
    "competing_session": dict(
        ci=False, file="competing_session.toml", speed=20, duration=15 * 60, contracts=[MNQ],
        about="10197 and no data for 10 minutes"),
    "nightly_reset": dict(
        ci=False, file="nightly_reset.toml", speed=30, duration=60 * 60, contracts=[MNQ],
        detect={"nightly_reset": EXTENDED_STALENESS_S},
        about="3 min silent data stop at 00:20 ET, 90 s gateway restart at 01:00 ET"),
    "recorder_kill9": dict(
        ci=False, start=LIQUID, speed=10, duration=300, contracts=[MNQ, ES], faults=[],
        kills=[(120, 10)], about="recorder kill -9 mid-session, restarted 10 s later"),
    "client_id_in_use": dict(
        ci=False, start=LIQUID, speed=10, duration=360, contracts=[MNQ],
        faults=[fault("+1m", "half_open", duration="3m")],
        about="half-open 3 min: the reconnect meets 326 (client id still held by the dead session)"),
    "tick_burst": dict(
        ci=False, start=LIQUID, speed=2, duration=90, contracts=[{"con_id": 900777,
                                                                 "symbol": "BRST"}],
        contracts_toml="""
[[contract]]
con_id = 900777
symbol = "BRST"
exchange = "CME"
last_trade_date = "20251219"
min_tick = 0.25
farm = "usfuture"
time_zone = "US/Central"
trading = "17:00-16:00"
liquid = "08:30-16:00"
holidays = "cme"
base_price = 20000
quotes_per_second = 400
trades_per_second = 100
burst_probability = 0.5
burst_multiplier = 10
""", faults=[], about="bursts of 4,000 quotes + 1,000 trades per second on one contract"),
    "all_at_once": dict(
        ci=False, start=LIQUID, speed=10, duration=12 * 60, contracts=[MNQ, ES, AAPL, EURUSD],
        faults=[fault("+1m", "farm_down", farm="usfuture", duration="20s"),
                fault("+90s", "silence", con_id=265598, tick_type="BidAsk", duration="2m"),
                fault("+2m", "connectivity_lost", duration="30s", restore="data_lost"),
                fault("+4m", "gateway_restart", duration="20s"),
                fault("+6m", "competing_session", duration="90s"),
                fault("+8m", "close", mode="rst"),
                fault("+9m", "farm_down", farm="cashfarm", hmds=True, duration="40s")],
        about="four contracts; farm, silence, 1101, restart, 10197, reset, HMDS faults overlapping"),
    # IB's limits and loss-proof gaps (`make chaos` only).
    "tick_by_tick_allowance": dict(
        ci=False, start=LIQUID, speed=10, duration=300, contracts=[MNQ, ES, AAPL, EURUSD],
        faults=[fault("+2m", "gateway_restart", duration="20s")],
        about="8 streams on IB's default allowance of 3: 5 on the reqMktData fallback; a restart"),
    "depth_reset": dict(
        ci=False, start=LIQUID, speed=10, duration=180,
        contracts=[dict(MNQ, depth_rows=5)], faults=[fault("+1m", "close", mode="rst")],
        about="market depth on MNQ (5 rows) through an API socket reset: every depth update sent "
              "while subscribed is stored in order, the books match, updates lost with the "
              "connection are reported (IB keeps no depth history)"),
    "depth_1101": dict(
        ci=False, start=LIQUID, speed=10, duration=180,
        contracts=[dict(MNQ, depth_rows=5)],
        faults=[fault("+1m", "connectivity_lost", duration="30s", restore="data_lost")],
        about="market depth on MNQ (5 rows) through 1100 -> 1101 (data lost): IB drops the depth "
              "request with the socket up; it is asked again on the same connection, the book "
              "restarts, the stretch is a failed gap"),
    "depth_1102": dict(
        ci=False, start=LIQUID, speed=10, duration=180,
        contracts=[dict(MNQ, depth_rows=5)],
        faults=[fault("+1m", "connectivity_lost", duration="30s", restore="data_maintained")],
        about="market depth on MNQ (5 rows) through 1100 -> 1102 (data maintained): the request "
              "kept running but nothing came; the silence is a failed gap, the book goes on and "
              "matches the simulator's"),
    "untrack_upgrade": dict(
        ci=False, start=LIQUID, speed=10, duration=300, contracts=[MNQ, ES], faults=[],
        untrack=[(120, "sym_MNQ_FUT_CME_USD")], expect_no_gaps=True,
        expect_log=[r'event=stream_route change="ESU5 last: fallback -> tick_by_tick"'],
        about="4 streams on IB's 3 slots; MNQ untracked mid-run over the HTTP API: ES last is "
              "upgraded from the fallback to tick-by-tick with no gap"),
    "reset_under_pacing": dict(
        ci=False, start=LIQUID, speed=10, duration=12 * 60, contracts=[MNQ, ES],
        faults=[fault("+50s", "pacing", duration="6m"), fault("+1m", "close", mode="rst")],
        about="a reset while every historical request meets 162 pacing for 6 min"),
    "flapping_link": dict(
        ci=False, start=LIQUID, speed=10, duration=300, contracts=[MNQ],
        faults=[fault("+%ds" % t, "close", mode="rst") for t in (60, 80, 100, 120, 140)],
        about="five resets 20 s apart"),
    # Storage faults against the real process (`make chaos` only): a disk that fills up (an
    # LD_PRELOAD library refuses writes under the store with ENOSPC) and damage found at restart.
    "disk_full": dict(
        ci=False, start=LIQUID, speed=10, duration=7 * 60, contracts=[MNQ], faults=[],
        disk_full=[(90, 120)], expect_gaps={"storage_": "filled"},
        expect_log=[r"event=storage_write_failed", r"event=storage_resumed"],
        about="the disk fills up for 2 min mid-session and is freed: writes refused with ENOSPC, "
              "the refused window recorded as gaps and backfilled once the disk has room"),
    "damaged_at_restart": dict(
        ci=False, start="2025-08-11T14:57:00Z", speed=2, duration=9 * 60, contracts=[MNQ],
        faults=[], kills=[(6 * 60, 10)], damage=["sealed_hour", "torn_journal"],
        expect_log=[r"event=storage_torn_tail_truncated"],
        about="recorder kill -9 after an hour was sealed; before the restart a data frame of the "
              "sealed hour is corrupted and the journal's last record torn"),
    "restart_in_halt": dict(
        ci=False, start="2025-08-11T20:50:00Z", speed=120, duration=80 * 60, contracts=[MNQ],
        faults=[fault("+20m", "gateway_restart", duration="60s")],
        about="gateway restart at 16:10 CT inside the CME halt (16:00-17:00 CT)"),
    # Calendar scenarios (long virtual spans at high speed; `make chaos` only).
    "weekend": dict(
        ci=False, file="weekend.toml", speed=600, duration=50 * 3600 + 60, contracts=[MNQ, ES],
        about="CME Friday 15:30 CT to Sunday 17:30 CT"),
    "holiday_early_close": dict(
        ci=False, start="2025-11-27T17:00:00Z", speed=300, duration=7 * 3600, contracts=[MNQ],
        faults=[], about="Thanksgiving: CME halts 12:00 CT, reopens 17:00 CT"),
    "dst_sunday": dict(
        ci=False, start="2025-11-01T17:00:00Z", speed=900, duration=31 * 3600, contracts=[MNQ],
        faults=[], about="the daylight-saving change (Sunday 2025-11-02) and the Sunday 17:00 CT open"),
    # Two recorders publishing to NATS, merged (scripts/chaos_cluster.py; `make chaos` only).
    "redundant_nats": dict(
        ci=False, runner="redundant_nats", start=LIQUID, speed=10, duration=240,
        contracts=[MNQ], faults=[fault("+1m", "gateway_restart", duration="30s")],
        nats_outage=(120, 60),
        about="two recorders of the same market publishing to NATS: gateway A restarted 30 s, "
              "then the NATS server down 60 s; merge --nats --until-caught-up is complete from "
              "live ticks alone"),
    "redundant_kill9": dict(
        ci=False, runner="redundant_nats", start=LIQUID, speed=10, duration=240,
        contracts=[MNQ], faults=[], recorder_kills=[(60, 30)],
        about="two recorders of the same market publishing to NATS: recorder A killed -9, "
              "started again 30 s later (publishing from its cursor); merge --nats "
              "--until-caught-up is complete from live ticks alone, no tick twice"),
    "redundant_half_open": dict(
        ci=False, runner="redundant_nats", start=LIQUID, speed=10, duration=240,
        contracts=[MNQ], faults=[fault("+1m", "half_open", duration="60s")],
        about="two recorders of the same market publishing to NATS: gateway A's socket half-open "
              "60 s (no bytes either way, then RST); merge --nats --until-caught-up is complete "
              "from live ticks alone, no tick twice"),
}


# ----------------------------------------------------------------------------------------------
# Time

ISO = re.compile(r"(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|[+-]\d\d:?\d\d)?")


def parse_iso_ns(text):
    import calendar
    m = ISO.search(text)
    if not m:
        raise ValueError("not an ISO time: %r" % text)
    y, mo, d, h, mi, s, frac, zone = m.groups()
    secs = calendar.timegm((int(y), int(mo), int(d), int(h), int(mi), int(s), 0, 0, 0))
    if zone and zone != "Z":
        sign = -1 if zone[0] == "-" else 1
        z = zone[1:].replace(":", "")
        secs -= sign * (int(z[:2]) * 3600 + int(z[2:]) * 60)
    ns = int((frac or "0").ljust(9, "0")[:9])
    return secs * NS + ns


def format_iso(ns):
    secs, rem = divmod(int(ns), NS)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(secs)) + ".%06dZ" % (rem // 1000)


def parse_duration_s(text):
    m = re.fullmatch(r"(\d+)(ms|s|m|h|d)?", str(text))
    n, unit = int(m.group(1)), m.group(2) or "s"
    return n * {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}[unit]


class VirtualClock:
    """Maps wall time to the simulator's virtual time (anchored on its control port)."""

    def __init__(self, anchor_virtual_ns, anchor_wall_ns, speed):
        self.v0, self.w0, self.speed = anchor_virtual_ns, anchor_wall_ns, speed

    def at(self, wall_ns):
        return self.v0 + int((wall_ns - self.w0) * self.speed)

    def now(self):
        return self.at(time.time_ns())


# ----------------------------------------------------------------------------------------------
# Processes


def control(port, command):
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall((command + "\n").encode())
        data = b""
        while not data.endswith(b"\n"):
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    return data.decode().strip()


def read_line(proc, deadline_s=20):
    end = time.time() + deadline_s
    line = b""
    while time.time() < end:
        c = proc.stdout.read(1)
        if not c:
            if proc.poll() is not None:
                break
            continue
        if c == b"\n":
            return line.decode()
        line += c
    raise RuntimeError("no line from process %d" % proc.pid)


def proc_sample(pid):
    """(cpu seconds, VmHWM kB, VmRSS kB) from /proc, or None when the process is gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        cpu = (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
        hwm = rss = 0
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    hwm = int(line.split()[1])
                elif line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
        return cpu, hwm, rss
    except (OSError, IndexError, ValueError):
        return None


def toml_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v)
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    return json.dumps(str(v))


# The recorder's HTTP bearer token in scenarios that change its contracts at run time.
API_TOKEN = "chaos-untrack-token-2025"


def write_recorder_config(path, port, data_dir, contracts, token=None):
    lines = [
        "[gateway]", 'host = "127.0.0.1"', "ports = [%d]" % port, "client_id = 7",
        'connect_timeout = "2s"', 'probe_interval = "%ds"' % PROBE_INTERVAL_S,
        'probe_deadline = "%ds"' % PROBE_DEADLINE_S, "",
        "[storage]", "path = %s" % json.dumps(data_dir), "",
        "[http]", 'listen = "127.0.0.1:0"'] + (
            ["bearer_token = %s" % json.dumps(token)] if token else []) + ["",
        "[reliability]", 'data_staleness_threshold = "%ds"' % STALENESS_S,
        'extended_staleness_threshold = "%ds"' % EXTENDED_STALENESS_S, "",
        "[alerts.rules.gap_detected]", 'threshold = "%ds"' % GAP_ALERT_THRESHOLD_S, "",
        "[logging]", 'level = "info"', "",
    ]
    for c in contracts:
        lines.append("[[contracts]]")
        for k, v in c.items():
            lines.append("%s = %s" % (k, toml_value(v)))
        if "tick_types" not in c:
            lines.append("tick_types = %s" % toml_value(DEFAULT_TICK_TYPES))
        lines.append("")
    with open(path, "w") as f:
        f.write("\n".join(lines))


def write_scenario_file(path, name, sc):
    lines = ['name = "%s"' % name, 'description = %s' % json.dumps(sc["about"]), "",
             "[simulation]", 'start = "%s"' % sc["start"], "speed = %s" % sc["speed"],
             "seed = %d" % sc.get("seed", 101), ""]
    if sc.get("contracts_toml"):
        lines.append(sc["contracts_toml"])
    for f in sc.get("faults", []):
        lines.append("[[fault]]")
        for k, v in f.items():
            lines.append("%s = %s" % (k, toml_value(v)))
        lines.append("")
    with open(path, "w") as f:
        f.write("\n".join(lines))


def scenario_start(path):
    with open(path) as f:
        for line in f:
            m = re.match(r'\s*start\s*=\s*"([^"]+)"', line)
            if m:
                return m.group(1)
    raise ValueError("%s: no [simulation] start" % path)


class Recorder:
    def __init__(self, binary, config, log_path):
        self.binary, self.config, self.log_path = binary, config, log_path
        self.proc = None
        self.samples = []  # (wall ns, cpu s, hwm kB, rss kB)
        self.rusage = None
        self.exit = None

    def start(self, virtual_start_ns, speed, env=None):
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [self.binary, "record", "--config", self.config, "--start",
             format_iso(virtual_start_ns), "--speed", str(speed)],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env=dict(os.environ, **env) if env else None)
        log.close()

    def sample(self):
        s = proc_sample(self.proc.pid)
        if s:
            self.samples.append((time.time_ns(),) + s)

    def alive(self):
        return self.proc.poll() is None

    def stop(self, sig=signal.SIGTERM, deadline_s=30):
        self.sample()
        if self.proc.poll() is None:
            os.kill(self.proc.pid, sig)
        end = time.time() + deadline_s
        while time.time() < end:
            pid, status, rusage = os.wait4(self.proc.pid, os.WNOHANG)
            if pid:
                self.rusage = rusage
                self.exit = os.waitstatus_to_exitcode(status)
                self.proc.returncode = self.exit
                return
            time.sleep(0.02)
        os.kill(self.proc.pid, signal.SIGKILL)
        pid, status, rusage = os.wait4(self.proc.pid, 0)
        self.rusage, self.exit = rusage, "hung (killed after %ds)" % deadline_s


def recorder_url(log_path):
    """The HTTP address the last recorder process of the log announced (event=started)."""
    url = None
    with open(log_path, errors="replace") as f:
        for line in f:
            m = re.search(r"event=started http=(\S+)", line)
            if m:
                url = m.group(1)
    return url


def unsettled_streams(url):
    """Streams still interrupted or with a pending backfill, from the recorder's /v1/status;
    None when the recorder did not answer."""
    try:
        with urllib.request.urlopen(url.rstrip("/") + "/v1/status", timeout=5) as r:
            view = json.load(r)
    except (OSError, ValueError):
        return None
    out = []
    for c in view.get("contracts", []):
        for st in c.get("streams", []):
            name = "%s/%s" % (c.get("contract_id"), st.get("tick_type"))
            if st.get("interrupted_since"):
                out.append("%s interrupted since %s" % (name, st["interrupted_since"]))
            if st.get("gaps_pending"):
                out.append("%s %d gap(s) pending" % (name, st["gaps_pending"]))
    return out


def untrack(url, contract):
    """DELETE /v1/contracts/{contract} on the recorder; (HTTP status, body text)."""
    req = urllib.request.Request(url.rstrip("/") + "/v1/contracts/" + contract, method="DELETE",
                                 headers={"Authorization": "Bearer " + API_TOKEN})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read().decode(errors="replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")
    except OSError as e:
        return None, str(e)


SHIM_SOURCE = os.path.join(REPO, "scripts", "chaos_enospc_shim.c")


def build_enospc_shim(out_dir):
    """Compiles the full-disk LD_PRELOAD library (test artifact only); its path."""
    out = os.path.join(out_dir, "chaos_enospc_shim.so")
    cc = os.environ.get("CC", "cc")
    subprocess.run([cc, "-shared", "-fPIC", "-O2", "-Wall", "-Werror", "-o", out, SHIM_SOURCE,
                    "-ldl"], check=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    return out


CLOSED_NAME = re.compile(r"closed/(\d{4}-\d\d-\d\d)/(\d\d)/(\d+)_([a-z_]+)\.")


def damage_store(data_dir, kinds):
    """Damages the store of a stopped recorder; what was done, one dict per kind."""
    done = []
    for kind in kinds:
        if kind == "sealed_hour":
            files = []
            for dirpath, _, names in os.walk(os.path.join(data_dir, "closed")):
                files += [os.path.join(dirpath, n) for n in names if n.endswith(".tks.zst")]
            files = [f for f in files if os.path.getsize(f) > 1024]
            if not files:
                done.append(dict(kind=kind, error="no sealed hour file of more than 1 KiB"))
                continue
            path = max(files, key=os.path.getsize)
            m = CLOSED_NAME.search(path)
            hour = parse_iso_ns("%sT%s:00:00Z" % (m.group(1), m.group(2)))
            size = os.path.getsize(path)
            # Past the header frame (8 + 76 bytes), clear of the index and footer at the end:
            # inside the compressed data, whose frame checksum no longer matches.
            at = 84 + (size - 84 - 400) // 2
            with open(path, "r+b") as f:
                f.seek(at)
                chunk = bytearray(f.read(16))
                f.seek(at)
                f.write(bytes(b ^ 0x5A for b in chunk))
            done.append(dict(kind=kind, path=os.path.relpath(path, data_dir), offset=at,
                             contract_id=int(m.group(3)), tick_type=m.group(4),
                             hour_start=format_iso(hour), hour_end=format_iso(hour + 3600 * NS)))
        elif kind == "torn_journal":
            journals = []
            for dirpath, _, names in os.walk(os.path.join(data_dir, "journal")):
                journals += [os.path.join(dirpath, n) for n in names if n.endswith(".wal")]
            journals = [j for j in journals if os.path.getsize(j) > 256]
            if not journals:
                done.append(dict(kind=kind, error="no journal of more than 256 bytes"))
                continue
            path = max(journals, key=lambda j: (os.path.getmtime(j), j))
            size = os.path.getsize(path)
            with open(path, "r+b") as f:
                f.truncate(size - 5)  # the last record loses its end
            done.append(dict(kind=kind, path=os.path.relpath(path, data_dir), cut_bytes=5,
                             size=size))
    return done


def wait_for_backfills(rec, vclock, bound_s, speed):
    """Keeps the run going after the scenario's span until the recorder has settled: no stream
    interrupted and no gap with a pending backfill (IB's historical pacing can need more time
    than the scenario). Bounded by bound_s virtual seconds; returns what it waited."""
    start, wall0 = vclock.now(), time.time()
    settled_polls, last = 0, None
    while rec.alive():
        url = recorder_url(rec.log_path)
        last = unsettled_streams(url) if url else None
        settled_polls = settled_polls + 1 if last == [] else 0
        # Twice in a row, a virtual second apart: a gap is written when its stream resumes.
        if settled_polls >= 2:
            break
        if vclock.now() - start >= bound_s * NS or time.time() - wall0 >= BACKFILL_WAIT_WALL_S:
            break
        time.sleep(max(0.05, 1.0 / speed))
        rec.sample()
    waited = (vclock.now() - start) / NS
    return dict(waited_s=round(waited, 1), bound_s=bound_s, settled=settled_polls >= 2,
                unsettled=(last or ["no answer from the recorder's /v1/status"])[:10]
                if settled_polls < 2 else [])


# ----------------------------------------------------------------------------------------------
# Reading results

LOG_LINE = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z)\s+(\w+)\s+(.*)$")
KV = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|\S+)')


def parse_log(path, vclock_for_wall):
    events = []
    with open(path, errors="replace") as f:
        for raw in f:
            m = LOG_LINE.match(raw.rstrip("\n"))
            if not m:
                continue
            wall = parse_iso_ns(m.group(1))
            body = m.group(3)
            kv = {k: (v[1:-1] if v.startswith('"') else v) for k, v in KV.findall(body)}
            kind = "alert" if body.startswith("alert ") else kv.get("event", "")
            events.append(dict(wall=wall, virtual=vclock_for_wall(wall), level=m.group(2),
                               kind=kind, kv=kv, text=body))
    return events


def run_json(cmd):
    out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        return json.loads(out.stdout), out.returncode, out.stderr
    except json.JSONDecodeError:
        return None, out.returncode, out.stderr + out.stdout[:2000]


def dec(s):
    try:
        return str(Decimal(str(s)).normalize())
    except InvalidOperation:
        return str(s)


def content_key(tick_type, t):
    if tick_type in ("bid_ask", "quote"):
        return (float(t.get("bid", t.get("bid_price", 0)) or 0),
                float(t.get("ask", t.get("ask_price", 0)) or 0),
                dec(t.get("bid_size")), dec(t.get("ask_size")))
    if tick_type == "mid_point":
        return (float(t.get("price", t.get("mid_point", 0)) or 0),)
    return (float(t.get("price", 0) or 0), dec(t.get("size")))


def load_truth(path, con_ids):
    """Faults, and per (con_id, type): sorted release times and content -> release times."""
    faults, header, footer = [], None, None
    releases = {}
    index = {}
    wanted = set(str(c) for c in con_ids)
    with open(path) as f:
        for line in f:
            if line.startswith('{"type":"tick"'):
                m = re.match(r'\{"type":"tick","con_id":(\d+)', line)
                if not m or m.group(1) not in wanted:
                    continue
                t = json.loads(line)
                tt = SIM_TYPES.get(t["tick_type"])
                if tt not in RECORDED_TYPES:
                    continue
                key = (t["con_id"], tt)
                releases.setdefault(key, []).append(t["time_ns"])
                index.setdefault(key, {}).setdefault(
                    (t["time"],) + content_key(tt, t), []).append(t["time_ns"])
            else:
                t = json.loads(line)
                if t["type"] == "fault":
                    faults.append(t)
                elif t["type"] == "header":
                    header = t
                elif t["type"] == "footer":
                    footer = t
    for v in releases.values():
        v.sort()
    return dict(faults=faults, header=header, footer=footer, releases=releases, index=index)


def stored_ticks(binary, data_dir, con_id):
    out = subprocess.run([binary, "query", "--data", data_dir, "--contract", str(con_id),
                          "--types", ",".join(RECORDED_TYPES), "--from", "2000-01-01T00:00:00Z",
                          "--to", "2100-01-01T00:00:00Z"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ticks = []
    for line in out.stdout.splitlines():
        try:
            ticks.append(json.loads(line))
        except json.JSONDecodeError:
            pass
    return ticks


# ----------------------------------------------------------------------------------------------
# Analysis


def fault_affects(f, con_id, symbol, tick_type, farms):
    kind = f["kind"]
    detail = dict(re.findall(r"(\w+)=(\S+)", f.get("detail", "")))
    if kind in ("pacing", "tick_by_tick_limit", "error"):
        return False
    if kind == "farm_down":
        return farms.get(symbol) == detail.get("farm")
    if kind == "silence":
        if "con_id" in detail and int(detail["con_id"]) != con_id:
            return False
        if "tick_type" in detail and SIM_TYPES.get(detail["tick_type"]) != tick_type:
            return False
        return True
    return True


def blocked_until(t, faults):
    """The end of the chain of faults that covers instant t (t itself when none does).

    The data of a stream is available again when every fault withholding it has ended: the end
    of one fault may fall inside another (a silence that outlasts a connectivity loss)."""
    moved = True
    while moved:
        moved = False
        for g in faults:
            if g["start"] <= t < g["end"]:
                t, moved = g["end"], True
    return t


def detection_threshold_s(kind, overrides):
    if kind in overrides:
        return overrides[kind]
    if kind == "half_open":
        return PROBE_INTERVAL_S + PROBE_DEADLINE_S
    if kind in ("silence", "nightly_reset"):
        return STALENESS_S
    if kind in ("recorder_kill9", "pacing", "tick_by_tick_limit", "error"):
        return None
    return 0.0


ACTION_EVENTS = {"disconnected", "connect_attempt", "connect_failed", "stream_error", "gap",
                 "client_id_in_use", "alert", "protocol_error", "breaker", "storage_write_failed",
                 "journal_write_failed"}
NOTICE_CODES = {"1100", "1101", "1102", "2103", "2105", "2110", "10197", "1300"}


def is_action(e):
    if e["kind"] in ACTION_EVENTS:
        return True
    if e["kind"] == "subscribe" and e["kv"].get("reason") != "first_subscription":
        return True
    if e["kind"] == "ib_notice" and e["kv"].get("code") in NOTICE_CODES:
        return True
    return False


def closed_spans(releases, start, end, min_gap_ns=5 * 60 * NS):
    """Spans without any truth tick longer than min_gap: the market was closed (or halted)."""
    spans, prev = [], start
    for t in releases:
        if t - prev > min_gap_ns:
            spans.append((prev, t))
        prev = t
    if end - prev > min_gap_ns:
        spans.append((prev, end))
    return spans


def analyse(name, sc, work, binary, vclock, recorders, kills, result, storage_faults=()):
    data = os.path.join(work, "data")
    verify_cmd = [binary, "verify", "--data", data, "--truth", os.path.join(work, "truth.jsonl"),
                  "--json"]
    if result.get("compared_to"):
        verify_cmd += ["--to", result["compared_to"]]
    verify, verify_rc, verify_err = run_json(verify_cmd)
    gaps, _, _ = run_json([binary, "gaps", "--data", data, "--json"])
    result["verify_exit"] = verify_rc
    if verify is None or "completeness" not in (verify or {}):
        result["errors"].append("verify produced no completeness report: %s" % verify_err[-500:])
        verify = {"completeness": {"streams": []}}
    comp = verify["completeness"]
    streams = comp.get("streams", [])
    con_ids = sorted(set(s["contract_id"] for s in streams))
    symbols = {s["contract_id"]: s["symbol"] for s in streams}
    truth = load_truth(os.path.join(work, "truth.jsonl"), con_ids)
    farms = dict(FARMS)
    if sc.get("contracts_toml"):
        for block in sc["contracts_toml"].split("[[contract]]"):
            m1, m2 = re.search(r'symbol = "(\w+)"', block), re.search(r'farm = "(\w+)"', block)
            if m1 and m2:
                farms[m1.group(1)] = m2.group(1)

    run_start = truth["header"] and parse_iso_ns(truth["header"]["start"])
    run_end = truth["footer"] and parse_iso_ns(truth["footer"]["end"]) or vclock.now()
    faults = []
    for f in truth["faults"]:
        s = parse_iso_ns(f["start"])
        e = parse_iso_ns(f["end"]) if f.get("end") else run_end
        faults.append(dict(kind=f["kind"], detail=f.get("detail", ""), start=s, end=e,
                           open=f.get("open", False)))
    for k in kills:
        faults.append(dict(kind="recorder_kill9", detail="kill -9 and restart", start=k[0],
                           end=k[1], open=False))
    for f in storage_faults:
        faults.append(dict(f, end=f["end"] or run_end))
    faults.sort(key=lambda f: f["start"])

    # Completeness.
    result["streams"] = [dict(stream=s["stream"], symbol=s["symbol"], expected=s["expected"],
                              live_completeness=round(s["live_completeness"], 4),
                              completeness=round(s["completeness"], 4), missing=s["missing"],
                              extra=s["extra"], first_missing=s.get("first_missing_seconds", []),
                              judged_by=s.get("judged_by", "content"), lost=s.get("lost", 0),
                              books_checked=s.get("books_checked", 0),
                              books_differ=s.get("books_differ", 0))
                         for s in streams]

    # Stored ticks: live ticks -> their release time in the truth (sim clock).
    live_release = {}
    latencies = []
    quote_receipts = []
    for cid in con_ids:
        for t in stored_ticks(binary, data, cid):
            if t.get("source") != "live":
                continue
            tt = t["tick_type"]
            key = (cid, tt)
            if tt == "quote":
                # A stored quote is IB's top of book as its field updates arrived (a price and a
                # size are separate messages), not one of the simulator's published snapshots, so
                # its content rarely equals one: it counts at its receive time (the recorder's
                # clock), moved onto the simulator's clock below.
                quote_receipts.append((key, t["receive_time_ns"]))
                continue
            sec = t["exchange_time_ns"] // NS
            cands = truth["index"].get(key, {}).get((sec,) + content_key(tt, t))
            if not cands:
                continue
            rel = cands[0]
            live_release.setdefault(key, []).append(rel)
            latencies.append(t["receive_time_ns"] - rel)
    # Receive time (recorder clock) - release time (simulator clock): clock offset + latency.
    offset_ns = statistics.median(latencies) if latencies else 0
    result["clock_offset_ms"] = round(offset_ns / 1e6, 1)
    for key, received in quote_receipts:
        live_release.setdefault(key, []).append(received - offset_ns)
    for v in live_release.values():
        v.sort()

    # Recovery and detection per fault.
    events = []
    for r in recorders:
        events.extend(parse_log(r.log_path, vclock.at))
    events.sort(key=lambda e: e["wall"])
    # The same log file holds every recorder process of the run: dedupe on wall time + text.
    seen, uniq = set(), []
    for e in events:
        k = (e["wall"], e["text"])
        if k not in seen:
            seen.add(k)
            uniq.append(e)
    events = uniq
    fault_results = []
    for f in faults:
        fr = dict(kind=f["kind"], detail=f["detail"], start=format_iso(f["start"]),
                  end=format_iso(f["end"]), duration_s=round((f["end"] - f["start"]) / NS, 3),
                  recovery=[])
        thr = detection_threshold_s(f["kind"], sc.get("detect", {}))
        if thr is not None:
            first = next((e for e in events if e["virtual"] >= f["start"] - int(0.2 * NS)
                          and is_action(e)), None)
            fr["detection_threshold_s"] = thr
            if first:
                fr["detection_s"] = round(max(0, first["virtual"] - f["start"]) / NS, 3)
                fr["detection_event"] = first["text"][:160]
            else:
                fr["detection_s"] = None
        for s in streams:
            cid, tt = s["contract_id"], s["tick_type"]
            if not fault_affects(f, cid, s["symbol"], tt, farms):
                continue
            key = (cid, tt)
            # A stream another fault still holds (a silence outlasting a 1101) gets its data
            # back only when that fault ends too.
            back = blocked_until(f["end"], [g for g in faults if fault_affects(
                g, cid, s["symbol"], tt, farms)])
            rel = truth["releases"].get(key, [])
            i = bisect.bisect_right(rel, back)
            if i >= len(rel):
                continue  # no data after the fault in this run: nothing to recover
            available = rel[i]
            live = live_release.get(key, [])
            j = bisect.bisect_right(live, back)
            entry = dict(stream=s["stream"], data_back=format_iso(available))
            if back > f["end"]:
                entry["held_until"] = format_iso(back)
            if j >= len(live) and tt in FALLBACK_KIND:
                # Moved to the reqMktData fallback (IB refused the tick-by-tick request, e.g.
                # while a dead session still held its slots): its live ticks are the recovery.
                via = live_release.get((cid, FALLBACK_KIND[tt]), [])
                k = bisect.bisect_right(via, back)
                if k < len(via):
                    live, j = via, k
                    entry["via"] = FALLBACK_KIND[tt]
            if j < len(live):
                entry["recovery_s"] = round((live[j] - available) / NS, 3)
                entry["recovered"] = True
            else:
                entry["recovered"] = False
                entry["recovery_s"] = None
            fr["recovery"].append(entry)
        fault_results.append(fr)
    # The market reopening after a closure is a recovery the recorder must make too.
    for s in streams:
        key = (s["contract_id"], s["tick_type"])
        rel = truth["releases"].get(key, [])
        # From the run's start: a scenario that starts in a closed market has the opening to
        # make too (the Sunday open).
        for (a, b) in closed_spans(rel, run_start or (rel[0] if rel else 0),
                                   rel[-1] if rel else 0):
            live = live_release.get(key, [])
            j = bisect.bisect_left(live, b)
            fr = dict(kind="market_reopen", detail="no truth tick %s..%s" % (
                format_iso(a), format_iso(b)), start=format_iso(a), end=format_iso(b),
                duration_s=round((b - a) / NS, 1), recovery=[])
            entry = dict(stream=s["stream"], data_back=format_iso(b))
            if j < len(live):
                entry["recovery_s"] = round((live[j] - b) / NS, 3)
                entry["recovered"] = True
            else:
                entry["recovered"] = False
                entry["recovery_s"] = None
            fr["recovery"].append(entry)
            fault_results.append(fr)
    result["faults"] = fault_results

    # Gaps.
    gaps = gaps or []
    result["gaps"] = dict(
        count=len(gaps),
        total_s=round(sum(parse_iso_ns(g["end"]) - parse_iso_ns(g["start"]) for g in gaps) / NS,
                      3),
        by_cause={}, by_backfill={},
        list=[dict(stream="%s/%s" % (g["contract_id"], g["tick_type"]), start=g["start"],
                   end=g["end"], cause=g["cause"], backfill=g["backfill"], reason=g["reason"])
              for g in gaps][:50])
    for g in gaps:
        result["gaps"]["by_cause"][g["cause"]] = result["gaps"]["by_cause"].get(g["cause"], 0) + 1
        result["gaps"]["by_backfill"][g["backfill"]] = \
            result["gaps"]["by_backfill"].get(g["backfill"], 0) + 1

    # The scenario's own expectations.
    result["expect_failures"] = []
    if sc.get("expect_no_gaps") and gaps:
        result["expect_failures"].append("%d gap(s) in the ledger, none expected: %s" % (
            len(gaps), "; ".join("%s/%s %s..%s %s" % (g["contract_id"], g["tick_type"], g["start"],
                                                      g["end"], g["cause"]) for g in gaps[:5])))
    for pattern in sc.get("expect_log", []):
        if not any(re.search(pattern, e["text"]) for e in events):
            result["expect_failures"].append("no recorder log line matches %s" % pattern)
    for cause, state in sc.get("expect_gaps", {}).items():
        of_cause = [g for g in gaps if g["cause"].startswith(cause)]
        if not of_cause:
            result["expect_failures"].append("no gap with cause %s in the ledger" % cause)
        for g in of_cause:
            if g["backfill"] != state:
                result["expect_failures"].append("gap %s/%s %s..%s (%s) is %s, not %s" % (
                    g["contract_id"], g["tick_type"], g["start"], g["end"], cause, g["backfill"],
                    state))
    judge_damage(result, verify, verify_cmd, streams)

    # Reconnects, resubscribes, alerts.
    result["connects"] = sum(1 for e in events if e["kind"] == "connected")
    result["reconnects"] = max(0, result["connects"] - len(recorders))
    result["connect_attempts"] = sum(1 for e in events if e["kind"] == "connect_attempt")
    result["resubscribes"] = sum(1 for e in events if e["kind"] == "subscribe"
                                 and e["kv"].get("reason") != "first_subscription")
    result["subscribe_reasons"] = {}
    for e in events:
        if e["kind"] == "subscribe":
            r = e["kv"].get("reason", "?")
            result["subscribe_reasons"][r] = result["subscribe_reasons"].get(r, 0) + 1
    result["client_id_in_use"] = sum(1 for e in events if e["kind"] == "client_id_in_use")
    result["log_errors"] = [e["text"][:200] for e in events
                            if e["level"] in ("error", "critical") and e["kind"] != "alert"][:20]

    all_rel = sorted(t for v in truth["releases"].values() for t in v)
    closed_by_contract = {}
    for cid in con_ids:
        rel = sorted(t for (c, _), v in truth["releases"].items() if c == cid for t in v)
        closed_by_contract[cid] = closed_spans(rel, run_start or 0, run_end)
    alerts = []
    for e in events:
        if e["kind"] != "alert" or e["kv"].get("status") != "firing":
            continue
        kv = e["kv"]
        t = e["virtual"]
        cid = int(kv["contract_id"]) if kv.get("contract_id", "").isdigit() else None
        a = dict(rule=kv.get("rule"), severity=kv.get("severity"), contract_id=cid,
                 at=format_iso(t), summary=kv.get("summary", "")[:160])
        lookback = 10 * 60 * NS
        cause = next((f for f in faults if f["start"] - 2 * NS <= t <= f["end"] + lookback
                      and (cid is None or any(
                          fault_affects(f, cid, symbols.get(cid, ""), s["tick_type"], farms)
                          for s in streams if s["contract_id"] == cid))), None)
        closed = cid is not None and any(a0 <= t <= b0 for a0, b0 in closed_by_contract.get(cid, []))
        if cid is None and con_ids:
            closed = all(any(a0 <= t <= b0 for a0, b0 in closed_by_contract[c]) for c in con_ids)
        a["warranted"] = bool(cause) and not (closed and a["rule"] == "data_stale_during_trading")
        a["market_closed"] = closed
        a["cause"] = cause["kind"] if cause else None
        alerts.append(a)
    result["alerts"] = alerts
    result["false_critical"] = [a for a in alerts if a["severity"] == "critical"
                                and (not a["warranted"] or a["market_closed"])]
    missed = []
    for f in faults:
        if f["kind"] in ("pacing", "tick_by_tick_limit", "error", "garbage", "close"):
            continue
        if (f["end"] - f["start"]) < GAP_ALERT_THRESHOLD_S * NS:
            continue
        affected = [s for s in streams if fault_affects(f, s["contract_id"], s["symbol"],
                                                        s["tick_type"], farms)]
        # The outage the recorder actually had: the longest span without a live tick around the
        # fault, over the affected streams whose market had data then.
        outage = 0
        for s in affected:
            key = (s["contract_id"], s["tick_type"])
            rel = truth["releases"].get(key, [])
            i = bisect.bisect_left(rel, f["start"])
            if i >= len(rel) or rel[i] > f["start"] + 60 * NS:
                continue  # the market had no data then: not an outage in trading hours
            live = live_release.get(key, [])
            j = bisect.bisect_left(live, f["start"])
            before = live[j - 1] if j > 0 else f["start"]
            after = live[j] if j < len(live) else run_end
            outage = max(outage, after - before)
        if outage < GAP_ALERT_THRESHOLD_S * NS:
            continue
        fired = [e for e in events if e["kind"] == "alert" and e["kv"].get("status") == "firing"
                 and f["start"] - 2 * NS <= e["virtual"] <= f["end"] + 5 * 60 * NS]
        if not fired:
            missed.append(dict(kind=f["kind"], start=format_iso(f["start"]),
                               duration_s=round(outage / NS, 1)))
    result["missed_alerts"] = missed
    del all_rel


def judge_damage(result, verify, verify_cmd, streams):
    """A damaged sealed hour loses what verify reports and nothing else: verify names the file
    as an error, the stream is complete from the end of that hour, and its loss over the whole
    run stays within the hour (the other streams are judged over the whole run as usual)."""
    damage = result.get("damage", [])
    for d in damage:
        if d.get("error"):
            result["errors"].append("damage %s: %s" % (d["kind"], d["error"]))
    for d in damage:
        if d["kind"] != "sealed_hour" or d.get("error"):
            continue
        name = os.path.basename(d["path"])
        reported = [f for f in verify.get("files", []) if f.get("status") == "error"
                    and name in f.get("path", "")]
        d["verify_reported"] = [f.get("detail", "")[:200] for f in reported]
        if not reported:
            result["expect_failures"].append("verify does not report the damaged %s" % d["path"])
        # A query over the hour skips the damaged data, says so on stderr, and returns the rest.
        q = subprocess.run([verify_cmd[0], "query", "--data", verify_cmd[3], "--contract",
                            str(d["contract_id"]), "--types", d["tick_type"], "--from",
                            d["hour_start"], "--to", d["hour_end"]],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        d["query_ticks_in_hour"] = sum(1 for line in q.stdout.splitlines() if line.startswith("{"))
        d["query_reported"] = name in q.stderr
        if not d["query_reported"]:
            result["expect_failures"].append("a query of %s does not report the damage" % d["path"])
        if d["query_ticks_in_hour"] == 0:
            result["expect_failures"].append("nothing of the damaged hour readable")
        after, _, err = run_json(verify_cmd + ["--from", d["hour_end"]])
        after_streams = {(s["contract_id"], s["tick_type"]): s for s in
                         (after or {}).get("completeness", {}).get("streams", [])}
        for s, row in zip(streams, result["streams"]):
            if s["contract_id"] != d["contract_id"] or s["tick_type"] != d["tick_type"]:
                continue
            a = after_streams.get((s["contract_id"], s["tick_type"]))
            if a is None:
                result["errors"].append("verify --from %s: no result for %s (%s)" % (
                    d["hour_end"], row["stream"], err[-300:]))
                continue
            lost = s["expected"] - a["expected"]
            row.update(whole_run_completeness=row["completeness"], whole_run_missing=s["missing"],
                       judged_from=d["hour_end"], damaged_hour_expected=lost,
                       completeness=round(a["completeness"], 4), missing=a["missing"],
                       extra=a["extra"], first_missing=a.get("first_missing_seconds", []))
            d["lost_ticks"] = s["missing"] - a["missing"]
            d["hour_ticks_in_truth"] = lost
            if s["missing"] - a["missing"] > lost:
                result["expect_failures"].append("%s lost more than the damaged hour" % row["stream"])


def check_targets(name, result):
    failures = []

    def fail(metric, detail):
        failures.append(dict(scenario=name, metric=metric, detail=detail))

    for err in result["errors"]:
        fail("run", err)
    for e in result.get("expect_failures", []):
        fail("expected", e)
    for r in result.get("recorders", []):
        if r.get("exit") not in (0, "killed (scenario)"):
            fail("recovered", "recorder exit %s" % r.get("exit"))
    wait = result.get("backfill_wait")
    if wait and not wait["settled"]:
        fail("completeness", "recorder not settled %.0f virtual s after the scenario: %s" % (
            wait["waited_s"], "; ".join(wait["unsettled"])))
    for s in result.get("streams", []):
        if s.get("judged_by") == "sequence":
            # Market depth: every update sent while subscribed stored in order; updates lost with
            # a dropped connection are reported, not failed (IB keeps no depth history).
            if s["expected"] - s["missing"] + s["lost"] < s["expected"]:
                fail("completeness", "%s depth %.3f%% (%d missing, %d of them lost with the "
                     "connection, first %s)" % (s["stream"], s["completeness"], s["missing"],
                                                s["lost"], ",".join(s["first_missing"][:3])))
            if s["books_differ"] > 0:
                fail("completeness", "%s: %d of %d depth books differ from the simulator's" % (
                    s["stream"], s["books_differ"], s["books_checked"]))
            if s["extra"] > 0:
                fail("completeness", "%s: %d extra depth updates" % (s["stream"], s["extra"]))
            continue
        if s["completeness"] < 100:
            fail("completeness", "%s %.3f%% after backfill (%d missing, first %s)" % (
                s["stream"], s["completeness"], s["missing"], ",".join(s["first_missing"][:3])))
        if s["extra"] > 0:
            fail("completeness", "%s: %d extra ticks (not in the truth)" % (s["stream"], s["extra"]))
    if not result.get("streams"):
        fail("completeness", "no stream recorded")
    for f in result.get("faults", []):
        for r in f["recovery"]:
            if not r["recovered"]:
                fail("recovered", "%s at %s: no live tick for %s after it" % (
                    f["kind"], f["start"], r["stream"]))
            elif r["recovery_s"] > RECOVERY_TARGET_S:
                fail("recovery", "%s at %s: %s live again %.2f s after data was back (> %.0f s)" % (
                    f["kind"], f["start"], r["stream"], r["recovery_s"], RECOVERY_TARGET_S))
        thr = f.get("detection_threshold_s")
        if thr is not None and f["kind"] != "market_reopen":
            if f.get("detection_s") is None:
                # A fault shorter than its threshold needs no detection if nothing was lost.
                if f["duration_s"] > thr:
                    fail("detection", "%s at %s: no recorder action" % (f["kind"], f["start"]))
            elif f["detection_s"] > thr + DETECTION_SLACK_S and f["duration_s"] > thr:
                fail("detection", "%s at %s: first action after %.2f s (threshold %.0f s + 1 s)" % (
                    f["kind"], f["start"], f["detection_s"], thr))
    for a in result.get("false_critical", []):
        fail("false_critical", "%s %s at %s (cause %s, market closed %s)" % (
            a["rule"], a["contract_id"], a["at"], a["cause"], a["market_closed"]))
    for m in result.get("missed_alerts", []):
        fail("missed_alerts", "%s at %s: %.0f s without live data, no alert" % (
            m["kind"], m["start"], m["duration_s"]))
    cpu = result.get("cpu_pct_per_virtual_second")
    if cpu is not None and cpu >= CPU_TARGET_PCT:
        fail("cpu", "%.2f%% of a core per virtual second" % cpu)
    return failures


# ----------------------------------------------------------------------------------------------
# One scenario


def run_scenario(name, sc, binary, results_dir, keep):
    work = tempfile.mkdtemp(prefix="chaos-%s-" % name)
    result = dict(scenario=name, about=sc["about"], speed=sc["speed"],
                  virtual_duration_s=sc["duration"], errors=[], work_dir=work)
    if sc.get("file"):
        scenario_path = os.path.join(SCENARIO_DIR, sc["file"])
        start = scenario_start(scenario_path)
    else:
        scenario_path = os.path.join(work, name + ".toml")
        write_scenario_file(scenario_path, name, sc)
        start = sc["start"]
        shutil.copy(scenario_path, os.path.join(results_dir, name + ".toml"))
    result["scenario_file"] = os.path.relpath(scenario_path, REPO) if sc.get("file") else \
        name + ".toml (generated, in the results directory)"
    result["start"] = start
    speed = sc["speed"]
    sim_log = open(os.path.join(work, "sim.log"), "wb")
    sim = subprocess.Popen(
        [binary, "sim", "--listen", "127.0.0.1:0", "--control", "127.0.0.1:0", "--scenario",
         scenario_path, "--start", start, "--speed", str(speed), "--truth",
         os.path.join(work, "truth.jsonl")],
        stdout=subprocess.PIPE, stderr=sim_log, stdin=subprocess.DEVNULL)
    recorders, kills, storage_faults = [], [], []
    wall_start = time.time()
    try:
        port = int(read_line(sim))
        control_port = int(read_line(sim).split()[1])
        w0 = time.time_ns()
        v = parse_iso_ns(control(control_port, "time"))
        w1 = time.time_ns()
        vclock = VirtualClock(v, (w0 + w1) // 2, speed)
        start_ns = parse_iso_ns(start)
        end_ns = start_ns + int(sc["duration"] * NS)
        config = os.path.join(work, "recorder.toml")
        write_recorder_config(config, port, os.path.join(work, "data"), sc["contracts"],
                              token=API_TOKEN if sc.get("untrack") else None)
        log_path = os.path.join(work, "recorder.log")
        rec_env = None
        disk_full_flag = os.path.join(work, "disk_full")
        if sc.get("disk_full"):
            rec_env = dict(LD_PRELOAD=build_enospc_shim(work),
                           IBSTREAM_CHAOS_ENOSPC_ROOT=os.path.realpath(os.path.join(work, "data")),
                           IBSTREAM_CHAOS_ENOSPC_FLAG=disk_full_flag)
        rec = Recorder(binary, config, log_path)
        rec.start(vclock.at(time.time_ns() + int(STARTUP_LEAD["s"] * NS)), speed, rec_env)
        recorders.append(rec)
        pending_kills = sorted(sc.get("kills", []))
        # (virtual offset s, True: the disk fills up / False: freed)
        pending_disk = sorted([(a, True) for a, _ in sc.get("disk_full", [])] +
                              [(a + d, False) for a, d in sc.get("disk_full", [])])
        result["damage"] = []
        pending_untracks = sorted(sc.get("untrack", []))
        result["actions"] = []
        while vclock.now() < end_ns:
            time.sleep(0.2)
            rec.sample()
            if pending_untracks and vclock.now() >= start_ns + pending_untracks[0][0] * NS:
                at, contract = pending_untracks.pop(0)
                url = recorder_url(log_path)
                code, body = untrack(url, contract) if url else (None, "no recorder URL")
                result["actions"].append(dict(action="untrack", contract=contract,
                                              at=format_iso(vclock.now()), http_status=code,
                                              answer=body[:300]))
                if code != 200:
                    result["errors"].append("untrack %s: HTTP %s %s" % (contract, code, body[:200]))
            if pending_disk and vclock.now() >= start_ns + pending_disk[0][0] * NS:
                _, full = pending_disk.pop(0)
                if full:
                    open(disk_full_flag, "w").close()
                    storage_faults.append(dict(kind="disk_full", detail="ENOSPC under the store",
                                               start=vclock.now(), end=None, open=False))
                else:
                    os.unlink(disk_full_flag)
                    storage_faults[-1]["end"] = vclock.now()
                result["actions"].append(dict(action="disk_full" if full else "disk_freed",
                                              at=format_iso(vclock.now())))
            if pending_kills and vclock.now() >= start_ns + pending_kills[0][0] * NS:
                at, down = pending_kills.pop(0)
                kill_v = vclock.now()
                rec.stop(signal.SIGKILL)
                rec.exit = "killed (scenario)"
                if sc.get("damage"):
                    result["damage"] += damage_store(os.path.join(work, "data"), sc["damage"])
                time.sleep(down / speed)
                rec = Recorder(binary, config, log_path)
                restart_v = vclock.now()
                rec.start(vclock.at(time.time_ns() + int(STARTUP_LEAD["s"] * NS)), speed,
                          rec_env)
                recorders.append(rec)
                kills.append((kill_v, restart_v))
            if not rec.alive():
                result["errors"].append("recorder exited by itself (code %s) at %s" % (
                    rec.proc.returncode, format_iso(vclock.now())))
                break
        if rec.alive():
            result["backfill_wait"] = wait_for_backfills(
                rec, vclock, sc.get("backfill_wait_s", BACKFILL_WAIT_S), speed)
        # Ticks the simulator sends while the recorder is stopping stay unread in the socket:
        # the comparison ends a margin before the stop (whole seconds).
        stop_v = vclock.now() - int(max(STOP_MARGIN_S, STOP_MARGIN_WALL_S * speed) * NS)
        result["compared_to"] = format_iso(stop_v // NS * NS)
        rec.stop(signal.SIGTERM)
    except Exception as exc:  # a broken run is reported, never hidden
        result["errors"].append("runner: %r" % (exc,))
        vclock = locals().get("vclock") or VirtualClock(0, time.time_ns(), speed)
        for r in recorders:
            if r.proc and r.proc.poll() is None:
                r.stop(signal.SIGTERM)
    finally:
        if sim.poll() is None:
            sim.send_signal(signal.SIGTERM)
        try:
            sim.wait(timeout=60)
        except subprocess.TimeoutExpired:
            sim.kill()
            result["errors"].append("simulator did not stop on SIGTERM")
        sim_log.close()
    result["wall_s"] = round(time.time() - wall_start, 1)

    # Resources of the recorder processes.
    cpu = sum(r.rusage.ru_utime + r.rusage.ru_stime for r in recorders if r.rusage)
    proc_cpu = sum(r.samples[-1][1] for r in recorders if r.samples)
    # VmHWM only: ru_maxrss of a child survives execve, so it would include this script's size.
    hwm = max([s[2] for r in recorders for s in r.samples] + [0])
    result["recorders"] = [dict(exit=r.exit, log=os.path.relpath(r.log_path, work)) for r in
                           recorders]
    result["cpu_s"] = round(cpu, 3)
    result["cpu_s_proc"] = round(proc_cpu, 3)
    result["peak_rss_kb"] = hwm
    result["cpu_pct_of_wall"] = round(100 * cpu / max(result["wall_s"], 1e-9), 2)
    virtual_run_s = sc["duration"] + result.get("backfill_wait", {}).get("waited_s", 0)
    result["virtual_run_s"] = round(virtual_run_s, 1)
    result["cpu_pct_per_virtual_second"] = round(100 * cpu / virtual_run_s, 3)
    try:
        analyse(name, sc, work, binary, vclock, recorders, kills, result, storage_faults)
    except Exception:  # reported as a failed run
        result["errors"].append("analysis: %s" % traceback.format_exc()[-800:])
    if result.get("clock_offset_ms"):
        lag = -result["clock_offset_ms"] / 1000 / speed
        STARTUP_LEAD["s"] = min(0.5, max(0.0, STARTUP_LEAD["s"] + lag))
    for f in ("sim.log", "recorder.log"):
        src = os.path.join(work, f)
        if os.path.exists(src):
            shutil.copy(src, os.path.join(results_dir, "%s.%s" % (name, f)))
    result["failures"] = check_targets(name, result)
    result["passed"] = not result["failures"]
    with open(os.path.join(results_dir, name + ".json"), "w") as f:
        json.dump(result, f, indent=1)
    if not keep:
        shutil.rmtree(work, ignore_errors=True)
    return result


# ----------------------------------------------------------------------------------------------
# Report


def worst(values):
    values = [v for v in values if v is not None]
    return max(values) if values else None


def summary_row(r):
    recov = [x["recovery_s"] for f in r.get("faults", []) for x in f["recovery"]]
    n_int = sum(1 for f in r.get("faults", []) for x in f["recovery"])
    n_rec = sum(1 for f in r.get("faults", []) for x in f["recovery"] if x["recovered"])
    det = [f.get("detection_s") for f in r.get("faults", []) if "detection_threshold_s" in f]
    streams = r.get("streams", [])
    return dict(
        scenario=r["scenario"], passed=r["passed"],
        live=min([s["live_completeness"] for s in streams] or [0]),
        after=min([s["completeness"] for s in streams] or [0]),
        extra=sum(s["extra"] for s in streams),
        gaps=r.get("gaps", {}).get("count", 0), gap_s=r.get("gaps", {}).get("total_s", 0),
        backfill_wait=r.get("backfill_wait", {}).get("waited_s"),
        recovered="%d/%d" % (n_rec, n_int), recovery=worst(recov), detection=worst(det),
        reconnects=r.get("reconnects", 0), resubscribes=r.get("resubscribes", 0),
        alerts=len(r.get("alerts", [])), false_critical=len(r.get("false_critical", [])),
        missed_alerts=len(r.get("missed_alerts", [])),
        cpu=r.get("cpu_pct_per_virtual_second"), rss_mb=round(r["peak_rss_kb"] / 1024, 1) if r.get("peak_rss_kb") else None,
        failed_metrics=sorted(set(f["metric"] for f in r["failures"])))


def fmt(v, spec="%.2f"):
    return "–" if v is None else (spec % v if isinstance(v, float) else str(v))


def write_doc(path, results, command):
    rows = [summary_row(r) for r in results]
    out = ["# Reliability: measured against the simulator's ground truth", "",
           "Generated by `scripts/chaos.py` (`make chaos`) from its last full run; do not edit by "
           "hand. Each scenario runs `ibstream sim` (a scenario file, the truth file, an "
           "accelerated clock) and `ibstream record` on the same virtual clock, lets the recorder "
           "finish its backfills (bounded), stops both with SIGTERM, and compares the store, the "
           "gap ledger and the recorder's log with the truth.",
           "", "Command: `%s`" % command, "",
           "## Targets", "",
           "| metric | the plan (never measured) | our target | result |", "|---|---|---|---|"]
    for metric, (ours, plan) in TARGETS.items():
        failing = [r["scenario"] for r in rows if metric in r["failed_metrics"]]
        out.append("| %s | %s | %s | %s |" % (
            metric, plan, ours, "met in every scenario" if not failing else
            "**missed** in " + ", ".join(failing)))
    out += ["", "## Scenarios", "",
            "Completeness is the lowest stream of the scenario (percent of the truth's ticks); "
            "recovery is the worst time from the data being available again (fault end, or the "
            "market reopening) to the first live tick stored, in virtual seconds; backfill wait the "
            "virtual time the run went on after the scenario's span until the recorder had no "
            "stream interrupted and no backfill pending; detection the "
            "worst time from a fault's start to the recorder's first action (log event or alert); "
            "CPU is the recorder's CPU time per virtual second (percent of one core at real-time "
            "speed); RSS its peak resident set (VmHWM).", "",
            "| scenario | result | live % | after backfill % | extra | gaps (s) | backfill wait s | "
            "recovered | recovery s | detection s | reconnects | resubscribes | alerts | "
            "false critical | missed alerts | CPU % | RSS MB |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        out.append("| %s | %s | %.3f | %.3f | %d | %d (%s) | %s | %s | %s | %s | %d | %d | %d | "
                   "%d | %d | %s | %s |" % (
                       r["scenario"], "pass" if r["passed"] else "**FAIL** (" +
                       ", ".join(r["failed_metrics"]) + ")", r["live"], r["after"], r["extra"],
                       r["gaps"], fmt(r["gap_s"], "%.0f"), fmt(r["backfill_wait"], "%.0f"),
                       r["recovered"], fmt(r["recovery"]),
                       fmt(r["detection"]), r["reconnects"], r["resubscribes"], r["alerts"],
                       r["false_critical"], r["missed_alerts"], fmt(r["cpu"], "%.3f"),
                       fmt(r["rss_mb"], "%.1f")))
    missing = [n for n in SCENARIOS if n not in set(r["scenario"] for r in results)]
    if missing:
        out += ["", "Not in this run (no result): " + ", ".join(missing) + "."]
    out += ["", "## What each scenario does", ""]
    for r in results:
        out.append("* **%s** (%s, %sx, %s virtual s): %s" % (
            r["scenario"], r["scenario_file"], r["speed"], r["virtual_duration_s"], r["about"]))
    out += ["", "## Failures", ""]
    fails = [f for r in results for f in r["failures"]]
    if not fails:
        out.append("None.")
    for f in fails:
        out.append("* %s / %s: %s" % (f["scenario"], f["metric"], f["detail"]))
    out += ["", "## How it is measured", "",
            "* Clocks: the simulator and the recorder run `ScaledClock`s with the same speed; the "
            "recorder's `--start` is the simulator's virtual time read from its control port at "
            "launch, so both agree within milliseconds (the residual offset + latency is measured "
            "from matched live ticks and reported per scenario as `clock_offset_ms`).",
            "* Completeness: `ibstream verify --truth` per stream the recorder asked for (the "
            "truth's subscription records; a stream that stored nothing is 0%%, never absent), "
            "from the first full second after its first ask (closed market time has no truth "
            "tick and weighs nothing) to %d virtual s (or %.1f wall s times the speed, when more) "
            "before the recorder's SIGTERM: ticks sent while the recorder stops stay unread in "
            "the socket and say nothing about recording. Ticks are matched by exchange second "
            "and content; a stored tick the truth does not have is extra. The quote and trade "
            "streams of a reqMktData line (IB samples them) are judged by coverage instead: a "
            "truth second with data is covered by a stored tick of that kind in that second or "
            "the next, and stored fallback ticks are never extra." % (
                STOP_MARGIN_S, STOP_MARGIN_WALL_S),
            "* Recovery: live stored ticks are matched to their truth ticks (exchange second and "
            "content) to get their release instant; per fault and affected stream, the first "
            "truth tick after the fault end is when data was available again, and the first live "
            "stored tick after the fault end is when the recorder had it. When another fault "
            "affecting the same stream is still running at that end (a silenced subscription "
            "during a 1100/1101), the data is available only once that fault has ended too: the "
            "chain of overlapping faults is followed to its last end.",
            "* Backfill: the scenario's span is followed by a wait (at most %d virtual s, %d wall "
            "s) until the recorder's `/v1/status` shows no interrupted stream and no pending gap "
            "twice in a row; IB's historical pacing (60 requests per 10 minutes, BID_ASK pages "
            "counting double) can need more time than the scenario. A recorder still unsettled at "
            "the bound fails completeness. The time waited is in the table; CPU is divided by the "
            "whole virtual span, wait included." % (BACKFILL_WAIT_S, BACKFILL_WAIT_WALL_S),
            "* Detection: recorder log lines carry wall-clock times, mapped to virtual time with "
            "the control-port anchor (resolution: 1 ms x speed). Threshold: 0 s for faults the "
            "gateway signals (disconnect, 1100, 2103, 10197), probe interval + deadline "
            "(%d s + %d s) for a half-open socket, the staleness threshold (%d s; %d s in extended "
            "hours) for silent data." % (PROBE_INTERVAL_S, PROBE_DEADLINE_S, STALENESS_S,
                                         EXTENDED_STALENESS_S),
            "* Alerts: a critical alert is warranted when a fault affecting its contract was "
            "running (or ended less than 10 minutes earlier) and, for stale-data alerts, the "
            "market was open (the truth has ticks within 5 minutes). Every fault that left an "
            "open market's stream without live data for at least %d s (gap_detected's "
            "threshold) must fire an alert." %
            GAP_ALERT_THRESHOLD_S,
            "* Storage faults: a full disk is a small LD_PRELOAD library "
            "(scripts/chaos_enospc_shim.c, compiled by the suite, never linked into ibstream) "
            "that, while a flag file exists, fails writes and file creation under the store with "
            "ENOSPC and reports no free blocks; the window counts as a fault for every stream, "
            "and every gap of a `storage_` cause must end filled. Damage at restart is made while "
            "the recorder is killed: 16 bytes flipped inside a data frame of the largest sealed "
            "hour file, and 5 bytes cut off the newest journal. The damaged stream is judged from "
            "the end of that hour (its loss must stay within the hour), verify must name the file "
            "as an error, and a query of the hour must report it on stderr and return the rest.",
            "* CPU and memory: `wait4` rusage of the recorder processes (utime + stime, including "
            "shutdown) and /proc/<pid>/status VmHWM sampled every 200 ms (peak RSS).", ""]
    with open(path, "w") as f:
        f.write("\n".join(out))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(REPO, "build"))
    ap.add_argument("--binary", help="ibstream executable (default BUILD/ibstream)")
    ap.add_argument("--set", choices=["ci", "full"], default="ci")
    ap.add_argument("--scenario", action="append", default=[])
    ap.add_argument("--results", help="results directory (default BUILD/chaos-results)")
    ap.add_argument("--doc", help="write the RELIABILITY.md table here")
    ap.add_argument("--keep", action="store_true", help="keep each run's temporary directory")
    ap.add_argument("--jobs", type=int, default=1,
                    help="scenarios run at once (each runs its own simulator and recorder on free "
                         "ports and directories; default 1, as the documented figures are taken)")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--report-only", action="store_true",
                    help="write --doc from the JSON results already in the results directory")
    args = ap.parse_args()
    if args.list:
        for n, sc in SCENARIOS.items():
            print("%-22s %-4s %s" % (n, "ci" if sc.get("ci") else "full", sc["about"]))
        return 0
    binary = os.path.abspath(args.binary or os.path.join(args.build, "ibstream"))
    if not args.report_only and not os.access(binary, os.X_OK):
        print("chaos: no ibstream executable at %s (build first)" % binary, file=sys.stderr)
        return 2
    names = args.scenario or [n for n, sc in SCENARIOS.items()
                              if args.set == "full" or sc.get("ci")]
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        print("chaos: unknown scenario(s): %s" % ", ".join(unknown), file=sys.stderr)
        return 2
    results_dir = os.path.abspath(args.results or os.path.join(args.build, "chaos-results"))
    os.makedirs(results_dir, exist_ok=True)
    if args.report_only:
        results = []
        for n in names:
            path = os.path.join(results_dir, n + ".json")
            if os.path.exists(path):
                with open(path) as f:
                    results.append(json.load(f))
        write_doc(args.doc, results, "make chaos")
        return 0 if all(r["passed"] for r in results) else 1
    def run_one(n):
        print("chaos: %s ..." % n, flush=True)
        if SCENARIOS[n].get("runner") == "redundant_nats":
            import chaos_cluster
            return chaos_cluster.run_redundant_nats(sys.modules[__name__], n, SCENARIOS[n], binary,
                                                    results_dir, args.keep)
        return run_scenario(n, SCENARIOS[n], binary, results_dir, args.keep)

    # Scenarios are independent processes; with --jobs N they overlap, reported in order.
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs))
    pending = [pool.submit(run_one, n) for n in names]
    pool.shutdown(wait=False)
    results = []
    for n, future in zip(names, pending):
        r = future.result()
        results.append(r)
        row = summary_row(r)
        print("chaos: %s %s  completeness live %.3f%% after %.3f%%  backfill wait %s s  "
              "recovery %s s  detection %s s  reconnects %d  alerts %d  cpu %s%%  rss %s MB  "
              "(%.0f s)" % (
                  n, "PASS" if r["passed"] else "FAIL", row["live"], row["after"],
                  fmt(row["backfill_wait"], "%.0f"),
                  fmt(row["recovery"]), fmt(row["detection"]), row["reconnects"], row["alerts"],
                  fmt(row["cpu"], "%.3f"), fmt(row["rss_mb"], "%.1f"), r["wall_s"]), flush=True)
        for f in r["failures"]:
            print("chaos:   FAIL %s %s: %s" % (f["scenario"], f["metric"], f["detail"]),
                  flush=True)
    with open(os.path.join(results_dir, "summary.json"), "w") as f:
        json.dump(dict(rows=[summary_row(r) for r in results],
                       failures=[x for r in results for x in r["failures"]]), f, indent=1)
    if args.doc:
        write_doc(args.doc, results, "make chaos" if args.set == "full" and not args.scenario
                  else "scripts/chaos.py " + " ".join(sys.argv[1:]))
    failed = [r["scenario"] for r in results if not r["passed"]]
    print("chaos: %d scenario(s), %d failed%s; results in %s" % (
        len(results), len(failed), (": " + ", ".join(failed)) if failed else "", results_dir))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
