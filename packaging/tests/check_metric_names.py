#!/usr/bin/env python3
"""Every metric the shipped Prometheus rules and Grafana dashboard use is one /metrics serves.

Runs `ibstream demo` (simulated gateway, temporary data directory, HTTP on port 0), reads its
/metrics, and checks each `ibstream_*` name in the given files (the rules' `expr`, the dashboard's
target `expr`s) against the families it declares, and each label a selector matches on against
the labels of the family's samples (or the target labels Prometheus adds: instance, job). A
renamed metric or label fails here.

Usage: check_metric_names.py --binary build/ibstream FILE...   (.yml rules or .json dashboards)
"""
import argparse
import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

NAME = re.compile(r"\bibstream_[a-z0-9_]+")
SELECTOR = re.compile(r"\b(ibstream_[a-z0-9_]+)\{([^}]*)\}")
MATCHER = re.compile(r"([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)")
SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s")
STARTUP_SECONDS = 60
# Added by Prometheus when it scrapes (target labels), not by /metrics.
TARGET_LABELS = {"instance", "job"}


def expressions(path):
    """The PromQL expressions of a rules file (.yml) or a Grafana dashboard (.json)."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if path.endswith(".json"):
        out = []

        def walk(node):
            if isinstance(node, dict):
                if isinstance(node.get("expr"), str):
                    out.append(node["expr"])
                for value in node.values():
                    walk(value)
            elif isinstance(node, list):
                for value in node:
                    walk(value)

        walk(json.loads(text))
        return out
    # Rules: `expr: ...` on one line, or `expr: |` followed by a more indented block.
    out, lines, i = [], text.splitlines(), 0
    while i < len(lines):
        m = re.match(r"^(\s*)(?:-\s+)?expr:\s*(.*)$", lines[i])
        i += 1
        if not m:
            continue
        if m.group(2).strip() not in ("|", ">", "|-", ">-"):
            out.append(m.group(2))
            continue
        indent, block = len(m.group(1)), []
        while i < len(lines) and (not lines[i].strip() or
                                  len(lines[i]) - len(lines[i].lstrip()) > indent):
            block.append(lines[i].strip())
            i += 1
        out.append(" ".join(block))
    return out


def dashboard_problems(path):
    """Panels Grafana would misplace or merge: duplicate ids, rows wider than 24 columns, a graph
    without a query."""
    with open(path, encoding="utf-8") as f:
        dashboard = json.load(f)
    problems, ids = [], set()
    for panel in dashboard.get("panels", []):
        title = panel.get("title", "?")
        if panel.get("id") in ids:
            problems.append(f"{path}: panel {title!r}: duplicate id {panel.get('id')}")
        ids.add(panel.get("id"))
        grid = panel.get("gridPos", {})
        if grid.get("x", 0) + grid.get("w", 0) > 24 or grid.get("w", 0) <= 0:
            problems.append(f"{path}: panel {title!r}: gridPos {grid} outside 24 columns")
        if panel.get("type") != "row" and not any(t.get("expr") for t in panel.get("targets", [])):
            problems.append(f"{path}: panel {title!r} has no query")
    return problems


@contextlib.contextmanager
def running_demo(binary, seconds, extra_args=()):
    """Runs `ibstream demo` (temporary data directory, HTTP on port 0) for at most `seconds` real
    seconds; yields its /metrics URL and stops it (SIGTERM) on leaving."""
    with tempfile.TemporaryDirectory(prefix="ibstream-demo-") as data:
        proc = subprocess.Popen(
            [binary, "demo", "--port", "0", "--duration", str(seconds), "--data",
             os.path.join(data, "demo"), *extra_args],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            url = None
            for line in proc.stdout:
                m = re.search(r"metrics:\s+(http://\S+)", line)
                if m:
                    url = m.group(1)
                    break
            if url is None:
                sys.exit(f"{os.path.basename(sys.argv[0])}: the demo printed no metrics URL")
            # Keep reading its log so that a full pipe never blocks the demo.
            threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()
            yield url
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def served_metrics(binary):
    """{family: set of label names seen on its samples} from a short demo's /metrics."""
    with running_demo(binary, STARTUP_SECONDS) as url:
        # The first ticks give the per-stream families their samples (and labels).
        families = {}
        deadline = time.monotonic() + 20
        while True:
            with urllib.request.urlopen(url, timeout=10) as response:
                body = response.read().decode("utf-8")
            families = parse(body)
            if families.get("ibstream_last_tick_timestamp_seconds") or \
                    time.monotonic() > deadline:
                return families
            time.sleep(0.5)


def parse(body):
    families = {}
    for line in body.splitlines():
        if line.startswith("# TYPE "):
            families.setdefault(line.split()[2], set())
        elif line and not line.startswith("#"):
            m = SAMPLE.match(line)
            if m and m.group(2):
                labels = set(re.findall(r'(\w+)="', m.group(2)))
                families.setdefault(m.group(1), set()).update(labels)
    return families


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()

    families = served_metrics(args.binary)
    problems, used = [], 0
    for path in args.files:
        if path.endswith(".json"):
            problems.extend(dashboard_problems(path))
        exprs = expressions(path)
        if not exprs:
            problems.append(f"{path}: no expressions found")
        for expr in exprs:
            for name in NAME.findall(expr):
                used += 1
                if name not in families:
                    problems.append(f"{path}: {name} is not served by /metrics (in: {expr})")
            for name, matchers in SELECTOR.findall(expr):
                labels = families.get(name)
                if not labels:  # unknown (reported above) or no samples yet: nothing to compare
                    continue
                for label in MATCHER.findall(matchers):
                    if label not in labels and label not in TARGET_LABELS:
                        problems.append(f"{path}: {name} has no label {label!r} "
                                        f"(it has {sorted(labels)}; in: {expr})")
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        return 1
    print(f"check_metric_names: {used} uses of {len(families)} served families, all served")
    return 0


if __name__ == "__main__":
    sys.exit(main())
