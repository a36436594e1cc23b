#!/usr/bin/env python3
"""The closest honest stand-in for Logster's SampleLogster run (Logster itself is not installable
here): the tail step (seek to a saved byte offset, read to the end, save the new offset) and, per
line, the same `re.match` and status bucketing SampleLogster does, then Logster's stdout lines.
Written from logster.md's description, not from Logster's code.
Usage: tail-log-logster-standin.py LOGFILE STATEFILE"""
import os
import re
import sys
import time

def main():
    path, state = sys.argv[1], sys.argv[2]
    start = time.time()
    offset, last = 0, start - 60
    if os.path.exists(state):
        with open(state) as f:
            offset = int(f.read().split()[1])
        last = os.path.getmtime(state)
    reg = re.compile(r'.*HTTP/1.\d" (?P<http_status_code>\d{3}) .*')
    counts = [0, 0, 0, 0, 0]
    with open(path, "r", encoding="utf-8") as f:
        f.seek(offset)
        for line in f:
            m = reg.match(line)
            if not m:
                continue
            status = int(m.group("http_status_code"))
            counts[0 if status < 200 else 1 if status < 300 else 2 if status < 400 else 3 if status < 500 else 4] += 1
        offset = f.tell()
    st = os.stat(path)
    with open(state, "w") as f:
        f.write(f"{st.st_ino}\n{offset}\n")
    duration = max(int(start) - int(last), 1)
    ts = int(start)
    for i, c in enumerate(counts):
        print(f"{ts} http_{i + 1}xx {c / duration}")

if __name__ == "__main__":
    main()
