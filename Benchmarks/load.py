#!/usr/bin/env python3
"""`metricat load` against iperf3 on loopback, in one run on one machine.

iperf3 -u -l 64 -b 0 gives the reference datagrams/s for 64-byte UDP payloads. Then metricat load
--rate max sends 64-byte lines to its embedded sink: one line per datagram (UDP GSO: up to 64
datagrams per send message, sendmmsg of 8 messages; and again with --no-gso: sendmmsg of 32
datagrams), packed into 1432-byte datagrams (--batch max), and over Unix stream and TCP sockets in
64 KiB writes. Prints datagrams/s sent and received, lines/s, the ratios against iperf3, peak memory
(max RSS) and the load average.

Usage: Benchmarks/load.py [--seconds 5] [--bin .build/release/metricat] [--long 60]
"""
import argparse, json, os, re, socket, subprocess, sys, time

ap = argparse.ArgumentParser()
ap.add_argument("--seconds", type=float, default=5)
ap.add_argument("--bin", default=".build/release/metricat")
ap.add_argument("--long", type=float, default=0, help="also run this many seconds at --rate max to show memory stays flat")
args = ap.parse_args()
os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
if not os.path.exists(args.bin):
    subprocess.check_call(["swift", "build", "-c", "release", "--product", "metricat"])


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def iperf3():
    port = free_port()
    server = subprocess.Popen(["iperf3", "-s", "-1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    out = subprocess.run(["iperf3", "-u", "-l", "64", "-b", "0", "-c", "127.0.0.1", "-p", str(port), "-t", str(int(args.seconds)), "-J"],
                         capture_output=True, text=True, check=True).stdout
    server.wait(timeout=10)
    j = json.loads(out)
    s = j["end"]["sum"]
    return s["packets"] / s["seconds"], s.get("lost_percent", 0.0)


def load(extra, seconds=None):
    cmd = ["/usr/bin/time", "-f", "MAXRSS %M", args.bin, "load", "--rate", "max", "--duration", f"{seconds or args.seconds}s",
           "--size", "64", "--name", "m", "--field", "v=1", "--json"] + extra
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed ({p.returncode}): {p.stderr}")
    r = json.loads(p.stdout)
    rss = int(re.search(r"MAXRSS (\d+)", p.stderr).group(1))
    return r, rss


def show(name, r, rss, ref):
    lost = 100.0 * r["lost"] / r["sent"] if r["sent"] else 0.0
    if r["transport"].startswith("udp"):
        d = r["datagrams"] / r["duration_s"]
        got = (r.get("received_datagrams") or 0) / r["duration_s"]
        dgrams = f"{d:>12,.0f} {got:>12,.0f}"
        ratios = f"{d / ref:>5.2f}x sent {got / ref:>5.2f}x recv  "
    else:  # streams: 64 KiB writes, no datagrams
        dgrams = f"{'-':>12} {'-':>12}"
        ratios = " " * 26
    print(f"{name:<40} {dgrams} {r['rate_sent']:>14,.0f} {r['rate_received'] or 0:>14,.0f} {lost:>7.2f}% {rss / 1024:>8.1f}"
          f"   {ratios}{r['rate_sent'] / ref:>6.2f}x lines")


print(f"load average before: {open('/proc/loadavg').read().split()[:3]}")
ref, iperf_loss = iperf3()
print(f"{'':<40} {'dgrams/s':>12} {'dgrams/s':>12} {'lines/s':>14} {'lines/s':>14} {'lost':>8} {'MiB peak':>8}   vs iperf3's sent datagrams/s")
print(f"{'':<40} {'sent':>12} {'received':>12} {'sent':>14} {'received':>14}")
print(f"{'iperf3 -u -l 64 -b 0':<40} {ref:>12,.0f} {ref * (1 - iperf_loss / 100):>12,.0f} {ref:>14,.0f} {'':>14} {iperf_loss:>7.2f}%")
udp, rss1 = load([])
show("load udp, 1 line/datagram" + (", GSO" if udp.get("gso") else ""), udp, rss1, ref)
plain, rss0 = load(["--no-gso"])
show("load udp, 1 line/datagram, --no-gso", plain, rss0, ref)
packed, rss2 = load(["--batch", "max"])
show("load udp, packed 1432 B (--batch max)", packed, rss2, ref)
unix, rss3 = load(["--transport", "unix"])
show("load unix stream, 64 KiB writes", unix, rss3, ref)
tcp, rss4 = load(["--transport", "tcp"])
show("load tcp, 64 KiB writes", tcp, rss4, ref)
print()
print(f"targets: udp >= 0.9x iperf3 datagrams/s: {udp['datagrams'] / udp['duration_s'] / ref:.2f}x "
      f"({plain['datagrams'] / plain['duration_s'] / ref:.2f}x with --no-gso); "
      f"packed >= 10x iperf3 in lines/s: {packed['rate_sent'] / ref:.2f}x; "
      f"unix stream >= 20M lines/s: {unix['rate_sent'] / 1e6:.1f}M")
if args.long:
    short, _ = load([], seconds=2)
    long, rss_long = load([], seconds=args.long)
    print(f"memory: peak {rss1 / 1024:.1f} MiB over {args.seconds:g} s, {rss_long / 1024:.1f} MiB over {args.long:g} s")
print(f"load average after: {open('/proc/loadavg').read().split()[:3]}")
