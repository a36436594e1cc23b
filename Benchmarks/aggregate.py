#!/usr/bin/env python3
"""`metricat listen --aggregate` (the StatsD server) against raw `metricat listen`, side by side.

`metricat load --format statsd` offers the same rate of StatsD lines (default 100k lines/s, a fixed
number of series, no sequence numbers) to raw `listen -q --json` and then to `listen --aggregate 1s
-q --json`; each receiver's own exact line count says what arrived. Both runs send the same count of lines (rate x seconds). Prints both, the ratio (the bar:
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


def rate_number(text):
    scale = {"k": 1_000, "M": 1_000_000}.get(text[-1], 1)
    return int(float(text.rstrip("kM")) * scale)


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


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(extra, seconds):
    port = free_port()
    receiver = subprocess.Popen([args.bin, "listen", f"udp://127.0.0.1:{port}", "-q", "--json", "--rcvbuf", "8388608"] + extra,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    time.sleep(0.5)
    load = subprocess.run([args.bin, "load", f"udp://127.0.0.1:{port}", "--format", "statsd", "--no-seq", "--rate", args.rate,
                           "--count", str(int(rate_number(args.rate) * seconds)), "--series", str(args.series), "--name", "bench", "--field", "v=1", "--json"],
                          capture_output=True, text=True)
    if load.returncode not in (0, 1):
        sys.exit(f"load failed ({load.returncode}): {load.stderr}")
    sent = json.loads(load.stdout)
    time.sleep(1.0)
    peak = peak_kib(receiver.pid)
    cpu = cpu_seconds(receiver.pid)
    receiver.terminate()
    err = receiver.communicate(timeout=20)[1]
    summary = json.loads([l for l in err.splitlines() if l.startswith("{")][-1])
    return sent, summary, peak, cpu


raw_sent, raw, raw_peak, raw_cpu = run([], args.seconds)
agg_sent, agg, agg_peak, agg_cpu = run(["--aggregate", "1s"], args.seconds)
_, agg_long, agg_long_peak, _ = run(["--aggregate", "1s"], args.seconds * 2)
raw_lines = raw["received"]
agg_lines = agg["lines"]
print(f"offered {args.rate} StatsD lines/s for {args.seconds:g} s, {args.series} series, UDP on loopback")
print(f"{'':<34} {'sent':>10} {'sent/s':>10} {'received':>10} {'peak RSS':>10} {'CPU/line':>10}")
for label, sent, got, peak, cpu in [("listen (raw, -q)", raw_sent, raw_lines, raw_peak, raw_cpu), ("listen --aggregate 1s", agg_sent, agg_lines, agg_peak, agg_cpu)]:
    print(f"{label:<34} {sent['sent']:>10} {sent['sent'] / sent['duration_s']:>10,.0f} {got:>10} {peak / 1024:>8.1f} MB {cpu * 1e6 / max(1, got):>7.2f} us")
print(f"ratio: --aggregate receives {agg_lines / max(1, raw_lines):.2f}x what raw listen receives (bar: >= 0.90x); "
      f"aggregate bad_lines {agg['bad_lines']}, refused {agg['refused']}, max_series {agg['max_series']}, flushes {agg['flushes']}")
print(f"memory at {args.series} series: peak {agg_peak / 1024:.1f} MB after {args.seconds:g} s, "
      f"{agg_long_peak / 1024:.1f} MB after {args.seconds * 2:g} s ({agg_long['lines']} lines)")
print(f"load average: {os.getloadavg()[0]:.2f}")
