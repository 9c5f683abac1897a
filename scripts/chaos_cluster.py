"""The redundant-recording scenarios of scripts/chaos.py: two recorders publishing to NATS.

Two simulators of the same market (same seed, same start: the same truth), the scenario's faults
on gateway A only; two recorders (ids a and b), each with its own store, publishing to one
nats-server (started here on a free port, JetStream in the run's directory). A scenario adds, on
top of its gateway faults:

  nats_outage     (offset s, down s): the NATS server stopped that long and started again while
                  both record
  recorder_kills  [(offset s, down s)]: recorder a killed with SIGKILL and started again later

Once both recorders have settled (their backfills done) and published everything, `ibstream merge
--nats --until-caught-up` writes a merged store. Judged with `ibstream verify --truth`:

  merged   every stream 100% complete against the truth from LIVE ticks alone (recorder b
           covered what a lost: no backfill needed) and no extra (duplicated) tick
  a, b     each recorder's own store 100% complete after its own backfill, no extra tick
  premises the two simulators' markets are the same; recorder a lost live ticks in its fault;
           with a NATS outage, both recorders logged it (nats_publish_failed) and its end; with
           a kill, recorder a started again (two event=started lines)

Called by chaos.py with the chaos module itself (its helpers: clocks, configs, processes).
Python 3 standard library only.
"""

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time

# The recorders' publish lag (receive-time age of the publisher's position, virtual seconds) under
# which everything up to the comparison's end is published: half the margin the comparison ends
# before the stop, and at least this (at 10x a durable batch alone is about 1 virtual s behind).
PUBLISH_LAG_OK_S = 1.0


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def nats_server_binary():
    return shutil.which("nats-server") or "/usr/sbin/nats-server"


def start_nats(port, store, log_path):
    log = open(log_path, "ab")
    proc = subprocess.Popen([nats_server_binary(), "-js", "-a", "127.0.0.1", "-p", str(port),
                             "-sd", store], stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL)
    log.close()
    return proc


def stop_process(proc, deadline_s=30):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=deadline_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def market_ticks(path, con_ids, to_ns):
    """The truth's ticks of these contracts before to_ns, without what depends on the simulator's
    clients (delivered, subscribers): the market itself, sorted."""
    wanted = set(con_ids)
    out = []
    with open(path) as f:
        for line in f:
            if not line.startswith('{"type":"tick"'):
                continue
            t = json.loads(line)
            if t["con_id"] in wanted and t["time_ns"] < to_ns:
                t.pop("delivered", None)
                t.pop("subscribers", None)
                out.append(json.dumps(t, sort_keys=True))
    out.sort()
    return out


def publish_lag(url):
    """ibstream_nats_publish_lag_seconds from the recorder's /metrics; None when unknown."""
    import urllib.request
    try:
        with urllib.request.urlopen(url.rstrip("/") + "/metrics", timeout=5) as r:
            text = r.read().decode(errors="replace")
    except OSError:
        return None
    total, seen = 0.0, False
    for line in text.splitlines():
        if line.startswith("ibstream_nats_publish_lag_seconds "):
            total += float(line.rsplit(None, 1)[1])
            seen = True
    return total if seen else None


def verify_streams(ch, binary, data, truth, to_iso):
    report, rc, err = ch.run_json([binary, "verify", "--data", data, "--truth", truth, "--json",
                                   "--to", to_iso])
    if not report or "completeness" not in report:
        return None, "verify %s: no completeness report (%s)" % (data, err[-300:])
    return [dict(stream=s["stream"], symbol=s["symbol"], expected=s["expected"],
                 live_completeness=round(s["live_completeness"], 4),
                 completeness=round(s["completeness"], 4), missing=s["missing"],
                 extra=s["extra"], first_missing=s.get("first_missing_seconds", []))
            for s in report["completeness"].get("streams", [])], None


def run_redundant_nats(ch, name, sc, binary, results_dir, keep):
    work = tempfile.mkdtemp(prefix="chaos-%s-" % name)
    speed, start = sc["speed"], sc["start"]
    result = dict(scenario=name, about=sc["about"], speed=speed, virtual_duration_s=sc["duration"],
                  errors=[], expect_failures=[], work_dir=work, start=start,
                  scenario_file="%s-a.toml, %s-b.toml (generated, in the results directory)" % (
                      name, name))
    nats_port = free_port()
    nats_url = "nats://127.0.0.1:%d" % nats_port
    nats_store = os.path.join(work, "jetstream")
    nats_log = os.path.join(work, "nats.log")
    sims, recs, logs = {}, {}, []
    killed = []  # recorder processes the scenario killed (a, before each restart)
    nats = None
    wall_start = time.time()
    try:
        nats = start_nats(nats_port, nats_store, nats_log)  # nats-server: scripts/setup.sh
        clocks, ports = {}, {}
        for rid in ("a", "b"):
            scn = dict(sc, faults=sc["faults"] if rid == "a" else [])
            path = os.path.join(work, "%s-%s.toml" % (name, rid))
            ch.write_scenario_file(path, "%s-%s" % (name, rid), scn)
            shutil.copy(path, results_dir)
            log = open(os.path.join(work, "sim-%s.log" % rid), "wb")
            logs.append(log)
            sims[rid] = subprocess.Popen(
                [binary, "sim", "--listen", "127.0.0.1:0", "--control", "127.0.0.1:0",
                 "--scenario", path, "--start", start, "--speed", str(speed), "--truth",
                 os.path.join(work, "truth-%s.jsonl" % rid)],
                stdout=subprocess.PIPE, stderr=log, stdin=subprocess.DEVNULL)
            ports[rid] = int(ch.read_line(sims[rid]))
            control_port = int(ch.read_line(sims[rid]).split()[1])
            w0 = time.time_ns()
            v = ch.parse_iso_ns(ch.control(control_port, "time"))
            clocks[rid] = ch.VirtualClock(v, (w0 + time.time_ns()) // 2, speed)
        configs = {}
        for rid in ("a", "b"):
            config = configs[rid] = os.path.join(work, "recorder-%s.toml" % rid)
            ch.write_recorder_config(config, ports[rid], os.path.join(work, "store-" + rid),
                                     sc["contracts"])
            with open(config, "a") as f:
                f.write('\n[nats]\nenabled = true\nurl = "%s"\nrecorder_id = "%s"\n' % (
                    nats_url, rid))
            recs[rid] = ch.Recorder(binary, config, os.path.join(work, "recorder-%s.log" % rid))
            recs[rid].start(clocks[rid].at(time.time_ns() + int(ch.STARTUP_LEAD["s"] * ch.NS)),
                            speed)
        vclock = clocks["b"]
        start_ns = ch.parse_iso_ns(start)
        end_ns = start_ns + int(sc["duration"] * ch.NS)
        nats_down_at, nats_down_s = sc.get("nats_outage") or (None, 0)
        nats_restarted = nats_down_at is None
        pending_kills = sorted(sc.get("recorder_kills", []))
        result["actions"] = []
        while vclock.now() < end_ns:
            time.sleep(0.2)
            for r in recs.values():
                r.sample()
            if pending_kills and vclock.now() >= start_ns + pending_kills[0][0] * ch.NS:
                _, down_s = pending_kills.pop(0)
                result["actions"].append(dict(action="recorder_a_kill9",
                                              at=ch.format_iso(vclock.now())))
                recs["a"].stop(signal.SIGKILL)
                recs["a"].exit = "killed (scenario)"
                killed.append(recs["a"])
                time.sleep(down_s / speed)
                recs["a"] = ch.Recorder(binary, configs["a"], recs["a"].log_path)
                recs["a"].start(
                    clocks["a"].at(time.time_ns() + int(ch.STARTUP_LEAD["s"] * ch.NS)), speed)
                result["actions"].append(dict(action="recorder_a_start",
                                              at=ch.format_iso(vclock.now())))
            if not nats_restarted and vclock.now() >= start_ns + nats_down_at * ch.NS:
                result["actions"].append(dict(action="nats_stop", at=ch.format_iso(vclock.now())))
                stop_process(nats)
                time.sleep(nats_down_s / speed)
                nats = start_nats(nats_port, nats_store, nats_log)
                result["actions"].append(dict(action="nats_start",
                                              at=ch.format_iso(vclock.now())))
                nats_restarted = True
            dead = [rid for rid, r in recs.items() if not r.alive()]
            if dead:
                result["errors"].append("recorder %s exited by itself at %s" % (
                    ",".join(dead), ch.format_iso(vclock.now())))
                break
        waits = {}
        for rid, r in recs.items():
            if r.alive():
                waits[rid] = ch.wait_for_backfills(r, clocks[rid], ch.BACKFILL_WAIT_S, speed)
                if not waits[rid]["settled"]:
                    result["errors"].append("recorder %s not settled: %s" % (
                        rid, "; ".join(waits[rid]["unsettled"])))
        result["backfill_waits"] = waits
        # Everything recorded so far published (lag well inside the margin on both), the
        # recorders stopped, then one merge that exits once the consumer has nothing more. The
        # comparison ends a margin before the stop (what they record while stopping may stay
        # unpublished).
        margin_s = max(ch.STOP_MARGIN_S, 1.0 * speed)
        lag_ok_s = max(PUBLISH_LAG_OK_S, margin_s / 2)
        wall0 = time.time()
        while time.time() - wall0 < 60:
            lags = {rid: publish_lag(ch.recorder_url(r.log_path)) for rid, r in recs.items()}
            if all(v is not None and v <= lag_ok_s for v in lags.values()):
                break
            time.sleep(0.2)
        result["publish_lag_before_merge"] = lags
        result["publish_lag_ok_s"] = lag_ok_s
        merge_v = vclock.now()
        stop_v = merge_v - int(margin_s * ch.NS)
        result["compared_to"] = ch.format_iso(stop_v // ch.NS * ch.NS)
        for r in recs.values():
            r.stop(signal.SIGTERM)
        merged = os.path.join(work, "merged")
        with open(os.path.join(work, "merge.log"), "wb") as mlog:
            mp = subprocess.run([binary, "merge", "--nats", nats_url, "--recorders", "a,b",
                                 "--out", merged, "--until-caught-up"], stdout=mlog,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, timeout=300)
        result["merge_exit"] = mp.returncode
        if mp.returncode != 0:
            result["errors"].append("merge --nats --until-caught-up exit %d" % mp.returncode)
    except Exception as exc:  # a broken run is reported, never hidden
        result["errors"].append("runner: %r" % (exc,))
        for r in recs.values():
            if r.proc and r.proc.poll() is None:
                r.stop(signal.SIGTERM)
    finally:
        for s in sims.values():
            stop_process(s, 60)
        if nats:
            stop_process(nats)
        for log in logs:
            log.close()
    result["wall_s"] = round(time.time() - wall_start, 1)
    every = [("a", r) for r in killed] + list(recs.items())
    result["recorders"] = [dict(id=rid, exit=r.exit) for rid, r in every]
    result["peak_rss_kb"] = max([s[2] for _, r in every for s in r.samples] + [0])
    if result.get("compared_to"):
        judge(ch, sc, result, binary, work)
    for f in ("nats.log", "merge.log", "sim-a.log", "sim-b.log", "recorder-a.log",
              "recorder-b.log"):
        src = os.path.join(work, f)
        if os.path.exists(src):
            shutil.copy(src, os.path.join(results_dir, "%s.%s" % (name, f)))
    result["failures"] = ch.check_targets(name, result)
    result["passed"] = not result["failures"]
    with open(os.path.join(results_dir, name + ".json"), "w") as f:
        json.dump(result, f, indent=1)
    if not keep:
        shutil.rmtree(work, ignore_errors=True)
    return result


def judge(ch, sc, result, binary, work):
    truth_a, truth_b = (os.path.join(work, "truth-%s.jsonl" % r) for r in ("a", "b"))
    to = result["compared_to"]
    merged, err = verify_streams(ch, binary, os.path.join(work, "merged"), truth_b, to)
    if err:
        result["errors"].append(err)
    result["streams"] = merged or []
    con_ids = sorted(set(int(s["stream"].split("/")[0]) for s in result["streams"]))
    a_ticks = market_ticks(truth_a, con_ids, ch.parse_iso_ns(to))
    if not a_ticks or a_ticks != market_ticks(truth_b, con_ids, ch.parse_iso_ns(to)):
        result["expect_failures"].append("the two simulators' markets differ (same seed)")
    for s in result["streams"]:
        if s["live_completeness"] < 100:
            result["expect_failures"].append(
                "merged %s: %.3f%% from live ticks (the other recorder did not cover it)" % (
                    s["stream"], s["live_completeness"]))
    result["recorder_streams"] = {}
    for rid, truth in (("a", truth_a), ("b", truth_b)):
        streams, err = verify_streams(ch, binary, os.path.join(work, "store-" + rid), truth, to)
        if err:
            result["errors"].append(err)
            continue
        result["recorder_streams"][rid] = streams
        for s in streams:
            if s["completeness"] < 100 or s["extra"]:
                result["expect_failures"].append(
                    "recorder %s %s: %.3f%% after backfill, %d extra" % (
                        rid, s["stream"], s["completeness"], s["extra"]))
    # The premises: recorder a's fault cost it live data (so the merged store's live ticks of
    # those seconds are b's); a killed recorder started again; both recorders saw a NATS outage
    # and resumed publishing.
    a_live = [s["live_completeness"] for s in result["recorder_streams"].get("a", [])]
    if a_live and min(a_live) >= 100:
        result["expect_failures"].append("recorder a lost no live tick in its fault")
    logs = {}
    for rid in ("a", "b"):
        with open(os.path.join(work, "recorder-%s.log" % rid), errors="replace") as f:
            logs[rid] = f.read()
    starts = logs["a"].count("event=started ")
    if sc.get("recorder_kills") and starts != 1 + len(sc["recorder_kills"]):
        result["expect_failures"].append("recorder a started %d time(s), not %d" % (
            starts, 1 + len(sc["recorder_kills"])))
    for rid in ("a", "b") if sc.get("nats_outage") else ():
        for event in ("event=nats_publish_failed", "event=nats_publish_resumed"):
            if event not in logs[rid]:
                result["expect_failures"].append("recorder %s logged no %s" % (rid, event))
    gaps, _, _ = ch.run_json([binary, "gaps", "--data", os.path.join(work, "merged"), "--json"])
    result["merged_gaps"] = gaps
