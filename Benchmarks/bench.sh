#!/usr/bin/env bash
# Sets up and runs the convert benchmark: a release build, a venv with the Python peer
# (line-protocol-parser from PyPI), a generated 1,000,000-line Telegraf-like file, then run.py.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${BENCH_VENV:-.build-bench-venv}
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q line-protocol-parser
fi
swift build -c release --product metricat
exec "$venv/bin/python" Benchmarks/run.py "$@"
