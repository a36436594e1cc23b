#!/usr/bin/env python3
"""`metricat listen --aggregate` (the StatsD server) against raw `metricat listen`, side by side.

`metricat load --format statsd` offers the same rate of StatsD lines (default 100k lines/s, a fixed
number of series, no sequence numbers) to raw `listen -q --json` and then to `listen --aggregate 1s
-q --json`; each receiver's own exact line count says what arrived. Prints both, the ratio (the bar:
>= 0.9x) and the aggregating receiver's peak memory (VmHWM) after a short and a twice-as-long run at
the same series count: flat memory means the two peaks are about equal.

Usage: Benchmarks/aggregate.py [--rate 100k] [--seconds 4] [--series 1000] [--bin .build/release/metricat]
"""
import argparse, json, os, socket, subprocess, sys, time

ap = argparse.ArgumentParser()
ap.add_argument("--rate", default="100k")
ap.add_argument("--seconds", type=float, default=4)
ap.add_argument("--series", type=int, default=1000)
ap.add_argument("--bin", default=".build/release/metricat")
args = ap.parse_args()
os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
if not os.path.exists(args.bin):
    subprocess.check_call(["swift", "build", "-c", "release", "--product", "metricat"])


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def peak_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def run(extra, seconds):
    port = free_port()
    receiver = subprocess.Popen([args.bin, "listen", f"udp://127.0.0.1:{port}", "-q", "--json", "--rcvbuf", "8388608"] + extra,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    time.sleep(0.5)
    load = subprocess.run([args.bin, "load", f"udp://127.0.0.1:{port}", "--format", "statsd", "--no-seq", "--rate", args.rate,
                           "--duration", f"{seconds}s", "--series", str(args.series), "--name", "bench", "--field", "v=1", "--json"],
                          capture_output=True, text=True)
    if load.returncode not in (0, 1):
        sys.exit(f"load failed ({load.returncode}): {load.stderr}")
    sent = json.loads(load.stdout)
    time.sleep(1.0)
    peak = peak_kib(receiver.pid)
    receiver.terminate()
    err = receiver.communicate(timeout=20)[1]
    summary = json.loads([l for l in err.splitlines() if l.startswith("{")][-1])
    return sent, summary, peak


raw_sent, raw, raw_peak = run([], args.seconds)
agg_sent, agg, agg_peak = run(["--aggregate", "1s"], args.seconds)
_, agg_long, agg_long_peak = run(["--aggregate", "1s"], args.seconds * 2)
raw_lines = raw["received"]
agg_lines = agg["lines"]
print(f"offered {args.rate} StatsD lines/s for {args.seconds:g} s, {args.series} series, UDP on loopback")
print(f"{'':<34} {'sent':>10} {'received':>10} {'peak RSS':>10}")
print(f"{'listen (raw, -q)':<34} {raw_sent['sent']:>10} {raw_lines:>10} {raw_peak / 1024:>8.1f} MB")
print(f"{'listen --aggregate 1s':<34} {agg_sent['sent']:>10} {agg_lines:>10} {agg_peak / 1024:>8.1f} MB")
print(f"ratio: --aggregate receives {agg_lines / max(1, raw_lines):.2f}x what raw listen receives (bar: >= 0.90x); "
      f"aggregate bad_lines {agg['bad_lines']}, refused {agg['refused']}, max_series {agg['max_series']}, flushes {agg['flushes']}")
print(f"memory at {args.series} series: peak {agg_peak / 1024:.1f} MB after {args.seconds:g} s, "
      f"{agg_long_peak / 1024:.1f} MB after {args.seconds * 2:g} s ({agg_long['lines']} lines)")
print(f"load average: {os.getloadavg()[0]:.2f}")
