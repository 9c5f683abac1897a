"""Ticks per second into a pandas DataFrame, three ways, over the same ticks in the same run:

  module    ibstream.read(store, contract, types=[bid_ask, last]), hours read by every core,
            and with threads=1
  csv       `ibstream query --data store --format csv` piped into pandas.read_csv
  v3 json   pandas.read_json(lines=True) over the original's v3 JSON files of the same ticks
            (the recorder's v3 output, written by the same V3Writer), concatenated

    PYTHONPATH=build/python /usr/bin/python3 src/python/bench/bench_read.py \
        --ibstream build/ibstream --writer build/src/python/python_store_writer --ticks 1000000

python_store_writer writes the ticks (bid_ask and last alternately, 10 a second) once as closed
files and once as v3 JSON; each route is timed --repeat times and the best CPU time (this process and the `ibstream query`
child: steady on a loaded machine) and the best wall-clock time are reported.
"""

import argparse
import gc
import glob
import os
import resource
import shutil
import subprocess
import tempfile
import time

import pandas as pd

import ibstream

MNQ = 711280073


def cpu_seconds():
    """CPU time of this process and of its finished children (the `ibstream query` process)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def best(fn, repeat):
    """The best wall-clock and the best CPU time of `repeat` runs, and the rows of the last.

    The previous run's frame is freed before the clocks start: what is timed is reading the
    ticks into a frame, not returning the last frame's memory to the system.
    """
    walls, cpus, rows = [], [], 0
    for _ in range(repeat):
        gc.collect()
        wall, cpu = time.perf_counter(), cpu_seconds()
        result = fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(cpu_seconds() - cpu)
        rows = len(result)
        del result
    return min(walls), min(cpus), rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ibstream", default="build/ibstream")
    parser.add_argument("--writer", default="build/src/python/python_store_writer")
    parser.add_argument("--ticks", type=int, default=1000000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dir", help="work directory (default: a temporary one, removed)")
    args = parser.parse_args()

    work = args.dir or tempfile.mkdtemp(prefix="ibstream_bench_")
    store, v3 = os.path.join(work, "store"), os.path.join(work, "v3base")
    try:
        if not os.path.isdir(store):
            subprocess.run([args.writer, "bench", store, str(args.ticks), v3], check=True)
        types = ["bid_ask", "last"]

        def module():
            return ibstream.read(store, MNQ, types=types)

        def module_one_thread():
            return ibstream.read(store, MNQ, types=types, threads=1)

        def csv():
            query = subprocess.Popen(
                [args.ibstream, "query", "--data", store, "--contract", str(MNQ),
                 "--types", ",".join(types), "--format", "csv"],
                stdout=subprocess.PIPE)
            frame = pd.read_csv(query.stdout)
            if query.wait() != 0:
                raise SystemExit("ibstream query failed")
            return frame

        def v3_json():
            files = sorted(glob.glob(os.path.join(v3, "v3", "json", "**", "*.jsonl"),
                                     recursive=True))
            return pd.concat([pd.read_json(f, lines=True) for f in files], ignore_index=True)

        rows = []
        for name, fn in [("ibstream.read (module)", module),
                         ("ibstream.read(threads=1)", module_one_thread),
                         ("ibstream query --format csv \\| pandas.read_csv", csv),
                         ("pandas.read_json over the v3 JSON files", v3_json)]:
            wall, cpu, rows_read = best(fn, args.repeat)
            if rows_read != args.ticks:
                raise SystemExit(f"{name}: {rows_read} rows, expected {args.ticks}")
            rows.append((name, wall, cpu))
        _, base_wall, base_cpu = rows[0]
        print(f"{args.ticks} ticks (bid_ask and last), best of {args.repeat}\n")
        print("| route | CPU s | ticks/s (CPU) | module faster by (CPU) | wall s | "
              "module faster by (wall) |")
        print("|---|---|---|---|---|---|")
        for name, wall, cpu in rows:
            print(f"| {name} | {cpu:.3f} | {args.ticks / cpu / 1e6:.2f} M | {cpu / base_cpu:.1f}x "
                  f"| {wall:.3f} | {wall / base_wall:.1f}x |")
    finally:
        if not args.dir:
            shutil.rmtree(work)


if __name__ == "__main__":
    main()
