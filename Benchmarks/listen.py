#!/usr/bin/env python3
"""`metricat listen` on UDP against iperf3's own server, in one run on one machine.

iperf3 -u -l 64 -b 0 measures how many 64-byte datagrams/s its server receives on loopback and how
many it loses. Then `metricat load` offers the same rate of 64-byte lines to `metricat listen
--sequence` (a separate process, printing nothing but its --json summary), and listen's own sequence
accounting says what arrived. The issue's bar: listen sustains iperf3's receive rate without more loss
than iperf3's server. Prints both rates, both losses, the ratio and the load average.

Usage: Benchmarks/listen.py [--seconds 3] [--bin .build/release/metricat]
"""
import argparse, json, os, socket, subprocess, sys, time

ap = argparse.ArgumentParser()
ap.add_argument("--seconds", type=float, default=3)
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


def iperf3():
    port = free_port()
    server = subprocess.Popen(["iperf3", "-s", "-1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    out = subprocess.run(["iperf3", "-u", "-l", "64", "-b", "0", "-c", "127.0.0.1", "-p", str(port), "-t", str(int(args.seconds)), "-J"],
                         capture_output=True, text=True, check=True).stdout
    server.wait(timeout=10)
    s = json.loads(out)["end"]["sum"]
    received = s["packets"] - s.get("lost_packets", 0)
    return received / s["seconds"], s.get("lost_percent", 0.0)


def listen(rate):
    port = free_port()
    sink = subprocess.Popen([args.bin, "listen", f"udp://127.0.0.1:{port}", "--sequence", "--json", "-q",
                             "--timeout", f"{args.seconds + 3}s"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    time.sleep(0.5)
    load = subprocess.run([args.bin, "load", f"udp://127.0.0.1:{port}", "--rate", str(int(rate)), "--duration", f"{args.seconds}s",
                           "--size", "64", "--name", "m", "--field", "v=1", "--json"], capture_output=True, text=True)
    if load.returncode not in (0, 1):
        sys.exit(f"load failed ({load.returncode}): {load.stderr}")
    sent = json.loads(load.stdout)
    time.sleep(0.7)
    sink.terminate()
    err = sink.communicate(timeout=10)[1]
    summary = json.loads([l for l in err.splitlines() if l.startswith("{")][-1])
    received = summary["received"]
    lost = max(0, sent["sent"] - received)
    return received / sent["duration_s"], 100.0 * lost / max(1, sent["sent"]), sent, summary


ref, ref_loss = iperf3()
rate, loss, sent, summary = listen(ref)
print(f"{'':<44} {'received/s':>12} {'lost':>8}")
print(f"{'iperf3 server (-u -l 64 -b 0)':<44} {ref:>12,.0f} {ref_loss:>7.2f}%")
print(f"{'metricat listen --sequence, offered the same':<44} {rate:>12,.0f} {loss:>7.2f}%")
print(f"ratio: listen receives {rate / ref:.2f}x iperf3's rate; loss {loss:.2f}% vs iperf3's {ref_loss:.2f}% "
      f"(listen's own count: lost {summary.get('lost')}, kernel drops {summary.get('kernel_drops')})")
print(f"load average: {os.getloadavg()[0]:.2f}")
