#!/usr/bin/env python3
"""Times `metricat convert` on one very wide line per input format (about 1 MB: tens of thousands of
fields, tags, keys, labels or columns) to every output format, best of R runs. Wide lines must cost
linear time: each conversion should take well under 0.5 s in a release build.
Usage: Benchmarks/wide-lines.py [--metricat PATH] [--repeat R] [--to json,influx,...]"""
import argparse
import os
import subprocess
import sys
import tempfile
import time


def inputs():
    """(name, --from, text) of about 1 MB each; keys out of byte order, one key repeated. StatsD is
    not here: it takes at most 1,000 tags a line."""
    n = 80_000
    keys = [f"k{i}" for i in range(n)]
    keys.insert(n // 2, "k7")
    tags = keys[:30_000][::-1]
    yield ("influx fields", "influx", "m,host=a " + ",".join(f"{k}={i}i" for i, k in enumerate(keys)) + " 1700000000000000000\n")
    yield ("influx tags", "influx", "m," + ",".join(f"{k}=v{i}" for i, k in enumerate(tags * 2)) + " v=1 1700000000000000000\n")
    yield ("json keys", "json", "{" + ",".join(f'"{k}":{i}' for i, k in enumerate(keys[:60_000])) + "}\n")
    yield ("json metric", "json", '{"fields":{' + ",".join(f'"{k}":{i}' for i, k in enumerate(keys[:40_000]))
           + '},"name":"m","tags":{' + ",".join(f'"{k}":"v"' for k in tags) + '},"timestamp":1}\n')
    yield ("csv columns", "csv", ",".join(keys[:70_000]) + "\n" + ",".join(str(i) for i in range(70_001)) + "\n")
    yield ("prometheus labels", "prometheus", "m{" + ",".join(f'{k}="v"' for k in keys[:50_000][::-1] if k != "k7") + ',k7="v"} 1\n')
    yield ("wavefront tags", "wavefront", "m 1 1700000000 " + " ".join(f"{k}=v{i}" for i, k in enumerate(keys[:70_000])) + "\n")
    yield ("graphite tags", "graphite", "m;" + ";".join(f"{k}=v{i}" for i, k in enumerate(keys[:70_000])) + " 1 1700000000\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--metricat", default=".build/release/metricat")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--to", default="json,influx")
    ap.add_argument("--timeout", type=float, default=120)
    args = ap.parse_args()
    print(f"{'input':20} {'bytes':>9} {'--to':>10} {'seconds':>8}  exit")
    with tempfile.TemporaryDirectory() as d:
        for name, fmt, text in inputs():
            path = os.path.join(d, "line")
            with open(path, "w") as f:
                f.write(text)
            for to in args.to.split(","):
                best = None
                status = None
                for _ in range(args.repeat):
                    with open(path, "rb") as f:
                        start = time.perf_counter()
                        try:
                            status = subprocess.run([args.metricat, "convert", "--from", fmt, "--to", to, "--max-line", "4000000"],
                                                    stdin=f, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                                    timeout=args.timeout).returncode
                        except subprocess.TimeoutExpired:
                            status = "timeout"
                        t = time.perf_counter() - start
                    best = t if best is None else min(best, t)
                    if status == "timeout":
                        break
                print(f"{name:20} {len(text):9,} {to:>10} {best:8.3f}  {status}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
