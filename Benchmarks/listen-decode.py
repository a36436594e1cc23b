#!/usr/bin/env python3
"""`metricat listen --from F --to json` against raw `metricat listen`, side by side, in one run.

For each input format F (influx, statsd, graphite, json), `metricat load --format F` offers the same
rate of 64-byte datagrams (one line each) first to a raw `listen` (printing every line) and then to a
`listen --from F --to json` (decoding and printing JSON); both write to /dev/null. Each listener's
`--json` summary says how many lines it received; the bar is that decoding receives at least 0.9x
what raw listening receives at the same offered rate. Runs at 100k lines/s and at --rate max.

Usage: Benchmarks/listen-decode.py [--seconds 3] [--rates 100k,max] [--formats influx,statsd,graphite,json]
       [--bin .build/release/metricat]
"""
import argparse, json, os, socket, subprocess, sys, time

ap = argparse.ArgumentParser()
ap.add_argument("--seconds", type=float, default=3)
ap.add_argument("--rates", default="100k,max")
ap.add_argument("--formats", default="influx,statsd,graphite,json")
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


def run(fmt, rate, decode):
    """Offers `rate` lines/s of `fmt` to a listener; returns (received, sent, kernel drops)."""
    port = free_port()
    extra = ["--from", fmt, "--to", "json"] if decode else []
    sink = subprocess.Popen([args.bin, "listen", f"udp://127.0.0.1:{port}", "--json",
                             "--timeout", f"{args.seconds + 4}s"] + extra,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    time.sleep(0.5)
    load = subprocess.run([args.bin, "load", f"udp://127.0.0.1:{port}", "--format", fmt, "--rate", rate,
                           "--duration", f"{args.seconds}s", "--size", "64", "--json"],
                          capture_output=True, text=True)
    if load.returncode not in (0, 1):
        sys.exit(f"load failed ({load.returncode}): {load.stderr}")
    sent = json.loads(load.stdout)["sent"]
    time.sleep(0.7)
    sink.terminate()
    err = sink.communicate(timeout=10)[1]
    lines = [l for l in err.splitlines() if l.startswith("{")]
    if not lines:
        sys.exit(f"listen printed no summary: {err[-500:]}")
    summary = json.loads(lines[-1])
    return summary["received"], sent, summary["kernel_drops"], summary.get("parse_errors", 0)


print(f"{'format':<9} {'rate':>5} {'raw received':>14} {'decoded received':>17} {'ratio':>6}  (sent raw / decoded; parse errors)")
worst = None
for rate in args.rates.split(","):
    for fmt in args.formats.split(","):
        raw, raw_sent, _, _ = run(fmt, rate, False)
        dec, dec_sent, _, errors = run(fmt, rate, True)
        # Compare shares of what was offered, so a run that offered more is not favoured.
        ratio = (dec / max(1, dec_sent)) / max(1e-9, raw / max(1, raw_sent))
        worst = ratio if worst is None else min(worst, ratio)
        print(f"{fmt:<9} {rate:>5} {raw:>14,} {dec:>17,} {ratio:>6.2f}  ({raw_sent:,} / {dec_sent:,}; {errors})")
print(f"worst ratio {worst:.2f} (bar 0.90); load average {os.getloadavg()[0]:.2f}")
