#!/usr/bin/env python3
"""The shipped Grafana dashboard's queries and the alert rules, evaluated by a real Prometheus.

Grafana has no Debian package, so the dashboard cannot be loaded here; what Grafana does with it
is send each panel's queries to Prometheus. This test runs `ibstream demo`, starts Debian's
`prometheus` (loopback, a free port, a temporary database) scraping the demo's /metrics every
second, and once it holds some seconds of samples asks its query API for:

- the dashboard's template variable (`label_values(ibstream_build_info, instance)`): the demo's
  instance must be among its values;
- every panel's queries, with Grafana's variables replaced as Grafana would ($instance by the
  variable's regex, $__rate_interval and $__interval by a window of several scrapes): each must
  be accepted by Prometheus, and a panel may come back empty only when no metric it reads has a
  sample yet (a counter of something that has not happened), which is what "No data" means there;
- every alert rule's expression: each must be accepted and evaluated.

Without prometheus the test is skipped (exit 77), except under CI=true, where it fails:
scripts/setup.sh installs prometheus.

Usage: check_dashboard_queries.py --binary build/ibstream DASHBOARD.json RULES.yml
"""
import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

from check_metric_names import NAME, expressions, running_demo

DEMO_SECONDS = 150
SCRAPE_SECONDS = 1
# Grafana's $__rate_interval is at least four scrape intervals; 15 scrapes leave room for a late one.
WINDOW = "15s"
SAMPLES_WANTED = 20
DEADLINE_SECONDS = 90


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def query(base, expr):
    """(status, result or error text) of an instant query."""
    url = f"{base}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            body = json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as e:
        body = json.loads(e.read().decode("utf-8") or "{}")
    if body.get("status") != "success":
        return False, body.get("error", "no answer")
    return True, body["data"]["result"]


def grafana_expand(expr, instance_regex):
    return (expr.replace("$__rate_interval", WINDOW).replace("$__interval", WINDOW)
            .replace("$instance", instance_regex))


def panels(dashboard):
    for panel in dashboard.get("panels", []):
        if panel.get("type") == "row":
            continue
        yield panel.get("title", "?"), [t["expr"] for t in panel.get("targets", []) if t.get("expr")]


def wait_for_samples(base):
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        try:
            ok, result = query(base, 'count_over_time(ibstream_build_info[1m])')
            if ok and result and float(result[0]["value"][1]) >= SAMPLES_WANTED:
                return True
        except (urllib.error.URLError, ConnectionError, OSError):
            pass  # Prometheus still starting
        time.sleep(1)
    return False


def check(base, dashboard_path, rules_path):
    problems = []
    with open(dashboard_path, encoding="utf-8") as f:
        dashboard = json.load(f)

    # The template variable: Grafana fills its menu from this.
    ok, result = query(base, "ibstream_build_info")
    instances = sorted({r["metric"].get("instance", "") for r in result}) if ok else []
    if not instances or not all(instances):
        problems.append(f"variable instance: label_values(ibstream_build_info, instance) gave {instances}")
    # As Grafana formats a multi-value variable for Prometheus: regex-escaped values joined by
    # "|", the backslashes doubled inside PromQL's double-quoted string.
    instance_regex = "|".join(re.escape(i).replace("\\", "\\\\") for i in instances) or ".*"

    panels_with_data = 0
    for title, exprs in panels(dashboard):
        series = 0
        for expr in exprs:
            ok, result = query(base, grafana_expand(expr, instance_regex))
            if not ok:
                problems.append(f"panel {title!r}: Prometheus refused {expr!r}: {result}")
            else:
                series += len(result)
        if series:
            panels_with_data += 1
            continue
        # Empty: right only when nothing it reads has a sample yet.
        sampled = [name for expr in exprs for name in set(NAME.findall(expr))
                   if query(base, f'count({{__name__="{name}"}})')[1]]
        if sampled:
            problems.append(f"panel {title!r}: no data, though {sampled} have samples")

    rule_count = 0
    for expr in expressions(rules_path):
        rule_count += 1
        ok, result = query(base, expr)
        if not ok:
            problems.append(f"rule: Prometheus refused {expr!r}: {result}")
    return problems, panels_with_data, rule_count


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("dashboard")
    parser.add_argument("rules")
    args = parser.parse_args()

    prometheus = shutil.which("prometheus")
    if prometheus is None:
        if os.environ.get("CI") == "true":
            sys.exit("check_dashboard_queries: prometheus is not installed (CI=true): "
                     "run scripts/setup.sh")
        print("check_dashboard_queries: prometheus is not installed; skipped")
        return 77

    with running_demo(args.binary, DEMO_SECONDS) as metrics_url, \
            tempfile.TemporaryDirectory(prefix="ibstream-prometheus-") as work:
        target = urllib.parse.urlparse(metrics_url)
        config = os.path.join(work, "prometheus.yml")
        with open(config, "w", encoding="utf-8") as f:
            f.write(f"global:\n  scrape_interval: {SCRAPE_SECONDS}s\n"
                    f"  evaluation_interval: {SCRAPE_SECONDS}s\n"
                    "scrape_configs:\n  - job_name: ibstream\n"
                    f"    metrics_path: {target.path}\n"
                    f"    static_configs:\n      - targets: ['{target.netloc}']\n")
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log_path = os.path.join(work, "prometheus.log")
        with open(log_path, "w", encoding="utf-8") as log:
            proc = subprocess.Popen(
                [prometheus, f"--config.file={config}",
                 f"--storage.tsdb.path={os.path.join(work, 'data')}",
                 f"--web.listen-address=127.0.0.1:{port}", "--log.level=warn"],
                stdout=log, stderr=subprocess.STDOUT)
        try:
            if not wait_for_samples(base):
                with open(log_path, encoding="utf-8") as log:
                    sys.stderr.write(log.read()[-4000:])
                sys.exit(f"check_dashboard_queries: no {SAMPLES_WANTED} scrapes of "
                         f"{metrics_url} within {DEADLINE_SECONDS} s")
            problems, with_data, rules = check(base, args.dashboard, args.rules)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        return 1
    print(f"check_dashboard_queries: {with_data} panels with data, {rules} rule expressions "
          "accepted by Prometheus")
    return 0


if __name__ == "__main__":
    sys.exit(main())
