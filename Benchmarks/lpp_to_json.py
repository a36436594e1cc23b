#!/usr/bin/env python3
"""The Python peer: line-protocol-parser (PyPI) plus json.dumps, writing Telegraf's JSON shape
(sorted keys, no spaces, timestamp in seconds) for every line of stdin."""
import json
import sys
from line_protocol_parser import parse_line

def main():
    out = sys.stdout
    dumps = json.dumps
    for line in sys.stdin:
        if not line.strip() or line.startswith("#"):
            continue
        m = parse_line(line)
        ts = m["time"]
        out.write(dumps({"fields": m["fields"], "name": m["measurement"], "tags": m["tags"],
                         "timestamp": (ts // 1_000_000_000) if ts is not None else 0},
                        sort_keys=True, separators=(",", ":")))
        out.write("\n")

if __name__ == "__main__":
    main()
