#!/usr/bin/env python3
"""Times `metricat convert --from F --to influx` for every text input format but line protocol
(statsd, graphite, wavefront, json, csv) on 1,000,000-line files, best of R rounds, every format
once per round, and prints lines/s, by wall time and by CPU time. The inputs are the Telegraf-like benchmark lines
(generate_lp.py) written in each format by `metricat convert` itself, cut to N lines.
Usage: Benchmarks/convert-inputs.py [--lines N] [--repeat R] [--metricat PATH] [--compare PATH]"""
import argparse
import os
import subprocess
import sys
import time

FORMATS = ["statsd", "graphite", "wavefront", "json", "csv"]


def make_inputs(metricat, lines, folder):
    """One file per format with exactly `lines` lines, made once and reused."""
    os.makedirs(folder, exist_ok=True)
    here = os.path.dirname(os.path.abspath(__file__))
    lp = os.path.join(folder, f"source-{lines}.lp")
    if not os.path.exists(lp):
        with open(lp, "wb") as f:
            subprocess.run([sys.executable, os.path.join(here, "generate_lp.py"), str(lines)], stdout=f, check=True)
    paths = {}
    for fmt in FORMATS:
        path = os.path.join(folder, f"input-{lines}.{fmt}")
        if not os.path.exists(path):
            with open(lp, "rb") as src:
                out = subprocess.run([metricat, "convert", "--from", "influx", "--to", fmt], stdin=src,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout
            kept = out.split(b"\n")[:lines]
            if len(kept) < lines:
                sys.exit(f"{fmt}: only {len(kept)} lines from {lp}")
            with open(path, "wb") as f:
                f.write(b"\n".join(kept) + b"\n")
        paths[fmt] = path
    return paths


def run_once(cmd, path):
    """Wall seconds and CPU seconds (user + system) of one run; CPU time is the steadier of the two
    on a shared machine, where waiting for a core counts in wall time only."""
    with open(path, "rb") as f, open(os.devnull, "wb") as null:
        start = time.perf_counter()
        p = subprocess.Popen(cmd, stdin=f, stdout=null, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(p.pid, 0)
        elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(cmd)} exited {os.waitstatus_to_exitcode(status)}")
    return elapsed, usage.ru_utime + usage.ru_stime


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--metricat", default=".build/release/metricat")
    ap.add_argument("--compare", help="a second binary timed in the same rounds (say, a build of main)")
    ap.add_argument("--data", default="Benchmarks/data")
    args = ap.parse_args()
    paths = make_inputs(args.metricat, args.lines, args.data)
    binaries = [("metricat", args.metricat)] + ([("compare", args.compare)] if args.compare else [])
    best = {}
    best_cpu = {}
    for _ in range(args.repeat):
        for fmt in FORMATS:
            for name, binary in binaries:
                t, cpu = run_once([binary, "convert", "--from", fmt, "--to", "influx"], paths[fmt])
                key = (name, fmt)
                best[key] = min(best.get(key, t), t)
                best_cpu[key] = min(best_cpu.get(key, cpu), cpu)
    print(f"{args.lines:,} lines per input, best of {args.repeat} rounds, load average {os.getloadavg()[0]:.2f}")
    print(f"{'input':10} " + " ".join(f"{name + ' s':>14} {name + ' lines/s':>18} {name + ' CPU s':>14} {'lines/CPU s':>14}" for name, _ in binaries))
    for fmt in FORMATS:
        cells = []
        for name, _ in binaries:
            t = best[(name, fmt)]
            cpu = best_cpu[(name, fmt)]
            cells.append(f"{t:14.3f} {args.lines / t:18,.0f} {cpu:14.3f} {args.lines / cpu:14,.0f}")
        print(f"{fmt:10} " + " ".join(cells))


if __name__ == "__main__":
    main()
