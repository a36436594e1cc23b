#!/usr/bin/env python3
"""Times `metricat tail-log` on a generated 1,000,000-line combined access log (about 121 bytes a
line, about 1.5% HTTP/2.0 lines that Logster's sample regex does not match) against a stand-in for
Logster's SampleLogster in the same run (tail-log-logster-standin.py: seek + per-line re.match),
and a user --count rule against Debian's mtail running the same rule (`--one_shot`: read the log
from the start, print the counters, exit) in the same run. Prints lines/s, peak memory, ratios, and
Logster's own documented figure.
Usage: Benchmarks/tail-log.py [--lines N] [--repeat R] [--metricat PATH]"""
import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

LOGSTER_DOC = (400_000, 22)  # lines/s and peak MB, from docs/logster.md (Python 3.11, logtail tailer)

def generate(path, lines):
    rng = random.Random(42)
    statuses = [200] * 80 + [301, 302, 304] * 3 + [404] * 6 + [403, 500, 502, 503, 101]
    paths = ["/", "/index.html", "/api/v1/items?page=2", "/static/app.js", "/img/logo.png", "/login"]
    agents = ["Mozilla/5.0 (X11; Linux x86_64)", "curl/8.5.0 (x86_64-linux)", "Mozilla/5.0 (Macintosh) Safari/6"]
    with open(path, "w") as f:
        for i in range(lines):
            proto = "HTTP/2.0" if rng.random() < 0.015 else "HTTP/1.1"
            line = (f'10.{i % 256}.{(i >> 8) % 256}.{rng.randrange(256)} - - [22/Nov/2026:01:{(i // 60000) % 60:02d}:{(i // 1000) % 60:02d} +0000] '
                    f'"GET {rng.choice(paths)} {proto}" {rng.choice(statuses)} {rng.randrange(100, 99999)} "-" "{rng.choice(agents)}"\n')
            f.write(line)

def measure(cmd, repeat, setup):
    best, peak, out = None, 0, b""
    for _ in range(repeat):
        setup()
        start = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out, err = p.communicate()
        _, status, usage = os.wait4(p.pid, 0) if False else (None, p.returncode, None)
        elapsed = time.perf_counter() - start
        if status != 0:
            sys.exit(f"{' '.join(cmd)} failed ({status}): {err.decode(errors='replace')[:500]}")
        best = elapsed if best is None else min(best, elapsed)
    return best, out

def peak_mb(cmd, setup):
    setup()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(p.pid, 0)
    return usage.ru_maxrss / 1024

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--metricat", default=".build/release/metricat")
    args = ap.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    work = tempfile.mkdtemp(prefix="tail-log-bench-")
    try:
        log = os.path.join(work, "access.log")
        generate(log, args.lines)
        size = os.path.getsize(log)
        state_dir = os.path.join(work, "state")
        py_state = os.path.join(work, "standin.state")

        def fresh():
            shutil.rmtree(state_dir, ignore_errors=True)
            if os.path.exists(py_state):
                os.remove(py_state)

        progs = os.path.join(work, "mtail")
        os.mkdir(progs)
        with open(os.path.join(progs, "requests.mtail"), "w") as f:
            # The rule of "--count regex, every line", in mtail's language.
            f.write('counter requests by status\n/HTTP\\/1\\.1" (?P<status>\\d{3}) / {\n  requests[$status]++\n}\n')
        mtail = shutil.which("mtail")
        runs = [
            ("metricat tail-log --parser sample", [args.metricat, "tail-log", "--parser", "sample", "--from-start", "--totals", "-s", state_dir, log]),
            ("metricat tail-log --count literal (user rule)", [args.metricat, "tail-log", "--count", "notfound=\" 404 ", "--from-start", "--totals", "-s", state_dir, log]),
            ("metricat tail-log --count regex, rare match", [args.metricat, "tail-log", "--count", 'errors=HTTP/1\\.1" (?<status>5\\d\\d) ', "--from-start", "--totals", "-s", state_dir, log]),
            ("metricat tail-log --count regex, every line", [args.metricat, "tail-log", "--count", 'requests=HTTP/1\\.1" (?<status>\\d{3}) ', "--from-start", "--totals", "-s", state_dir, log]),
            ("python re.match stand-in for SampleLogster", [sys.executable, os.path.join(here, "tail-log-logster-standin.py"), log, py_state]),
        ]
        if mtail:
            runs.insert(-1, ("mtail --one_shot, the same rule", [mtail, "--progs", progs, "--logs", log, "--one_shot",
                                                                 "--one_shot_format", "prometheus", "--logtostderr"]))
        else:
            print("mtail is not installed (Debian: apt-get install mtail): its row is left out")
        print(f"input: {args.lines} lines, {size / 1e6:.1f} MB, {size / args.lines:.0f} bytes/line; best of {args.repeat}; load average {os.getloadavg()[0]:.2f}")
        print(f"{'command':46} {'seconds':>8} {'lines/s':>12} {'peak MB':>8}")
        rates = {}
        for name, cmd in runs:
            t, out = measure(cmd, args.repeat, fresh)
            mb = peak_mb(cmd, fresh)
            rates[name] = args.lines / t
            print(f"{name:46} {t:8.3f} {args.lines / t:12,.0f} {mb:8.1f}")
        fresh()
        a = subprocess.run(runs[0][1], capture_output=True, text=True).stdout.split("\n")
        fresh()
        b = subprocess.run(runs[-1][1], capture_output=True, text=True).stdout.split("\n")
        counts_m = [l.split()[2] for l in a if l]
        counts_p = [str(int(float(l.split()[2]) * 60)) for l in b if l]  # stand-in divides by its 60 s first-run duration
        print(f"\ncounts agree with the stand-in: {counts_m == counts_p} ({' '.join(counts_m)})")
        if mtail:
            fresh()
            rule_cmd = [c for n, c in runs if n == "metricat tail-log --count regex, every line"][0]
            ours = sorted(l.split()[1].split("_")[-1] + " " + l.split()[2] for l in subprocess.run(rule_cmd, capture_output=True, text=True).stdout.splitlines() if l)
            theirs = sorted(l.split('status="')[1].split('"')[0] + " " + l.split()[-1] for l in subprocess.run([c for n, c in runs if n.startswith("mtail")][0], capture_output=True, text=True).stdout.splitlines() if l.startswith("requests{"))
            print(f"counts agree with mtail: {ours == theirs} ({', '.join(ours)})")
        p = rates["python re.match stand-in for SampleLogster"]
        if mtail:
            rule = "metricat tail-log --count regex, every line"
            m = rates["mtail --one_shot, the same rule"]
            print(f"ratio {rule} vs mtail: {rates[rule] / m:6.1f}x")
        for name, _ in [r for r in runs if r[0].startswith("metricat")]:
            print(f"ratio {name:46} vs stand-in: {rates[name] / p:6.1f}x   vs Logster's documented {LOGSTER_DOC[0]:,} lines/s: {rates[name] / LOGSTER_DOC[0]:6.1f}x")
        print(f"(Logster's documented peak memory: {LOGSTER_DOC[1]} MB)")
    finally:
        shutil.rmtree(work, ignore_errors=True)

if __name__ == "__main__":
    main()
