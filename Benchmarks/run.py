#!/usr/bin/env python3
"""Times `metricat convert` against Python's line-protocol-parser and `cat` on one generated file,
in one run on one machine, and prints lines/s, MB/s, peak memory and the ratios.
Every command runs once per round, R rounds, and its best time counts: on a shared machine whose
speed drifts, the ratios then compare runs made under the same conditions.
Usage: Benchmarks/run.py [--lines N] [--repeat R]   (run bench.sh to set everything up)"""
import argparse
import os
import subprocess
import sys
import time

def run_once(cmd, stdin_path):
    """Wall time and peak RSS (KiB) of one run of cmd with the file on stdin and stdout discarded."""
    with open(stdin_path, "rb") as f, open(os.devnull, "wb") as null:
        start = time.perf_counter()
        p = subprocess.Popen(cmd, stdin=f, stdout=null, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(p.pid, 0)
        elapsed = time.perf_counter() - start
        err = p.stderr.read().decode(errors="replace")
        p.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(cmd)} failed: {err[:500]}")
    return elapsed, usage.ru_maxrss


def measure_all(runs, stdin_path, repeat):
    """Best time and peak memory of every command over `repeat` rounds. Each round runs every
    command once, so all of them see the same spells of a shared machine's speed."""
    best = {name: None for name, _ in runs}
    peak = {name: 0 for name, _ in runs}
    rounds = []
    for _ in range(repeat):
        times = {}
        for name, cmd in runs:
            t, rss = run_once(cmd, stdin_path)
            times[name] = t
            best[name] = t if best[name] is None else min(best[name], t)
            peak[name] = max(peak[name], rss)
        rounds.append(times)
    return best, peak, rounds

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--metricat", default=".build/release/metricat")
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--data", default="Benchmarks/data/telegraf.lp")
    args = ap.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    os.makedirs(os.path.dirname(args.data), exist_ok=True)
    if not os.path.exists(args.data) or sum(1 for _ in open(args.data, "rb")) != args.lines:
        with open(args.data, "wb") as f:
            subprocess.run([sys.executable, os.path.join(here, "generate_lp.py"), str(args.lines)], stdout=f, check=True)
    size = os.path.getsize(args.data)
    runs = [
        ("cat > /dev/null (floor)", ["cat"]),
        ("metricat convert --to json", [args.metricat, "convert", "--from", "influx", "--to", "json"]),
        ("metricat convert --to influx", [args.metricat, "convert", "--from", "influx", "--to", "influx"]),
        ("python line-protocol-parser + json.dumps", [args.python, os.path.join(here, "lpp_to_json.py")]),
    ]
    print(f"input: {args.data}: {args.lines} lines, {size / 1e6:.1f} MB, {size / args.lines:.0f} bytes/line; "
          f"best of {args.repeat} rounds, every command once per round; load average {os.getloadavg()[0]:.2f}")
    print(f"{'command':44} {'seconds':>8} {'lines/s':>12} {'MB/s':>8} {'peak MB':>8}")
    results, peaks, rounds = measure_all(runs, args.data, args.repeat)
    for name, _ in runs:
        t = results[name]
        print(f"{name:44} {t:8.3f} {args.lines / t:12,.0f} {size / t / 1e6:8.1f} {peaks[name] / 1024:8.1f}")
    py = results["python line-protocol-parser + json.dumps"]
    mj = results["metricat convert --to json"]
    mi = results["metricat convert --to influx"]
    print()
    per_round = sorted(r["python line-protocol-parser + json.dumps"] / r["metricat convert --to json"] for r in rounds)
    print(f"ratio metricat --to json   vs python: {py / mj:6.1f}x faster (best against best); within each round "
          f"{per_round[0]:.1f}x to {per_round[-1]:.1f}x, median {per_round[len(per_round) // 2]:.1f}x")
    print(f"ratio metricat --to influx vs python: {py / mi:6.1f}x faster")
    print(f"ratio metricat --to json   vs cat:    {mj / results['cat > /dev/null (floor)']:6.1f}x slower than the floor")

if __name__ == "__main__":
    main()
