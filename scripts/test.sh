#!/usr/bin/env bash
# The test suite: unit tests in-process, command-line tests against a release build of the binary
# (a debug build of the argument parser takes about half a second to start, which adds up over
# hundreds of fixture runs). Pass swift test arguments through, e.g. scripts/test.sh --filter Fixture.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product metricat
export METRICAT_BIN="$(swift build -c release --show-bin-path)/metricat"
if [ -z "${METRICAT_CLIENTS_PYTHON:-}" ] && [ -x .build-clients-venv/bin/python ]; then
    export METRICAT_CLIENTS_PYTHON="$PWD/.build-clients-venv/bin/python"
fi
# Skipped tests are listed again at the end with what they need, so none goes unnoticed in a long log.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
swift test "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
skips=$(grep -E '^(➜|↷) Test .* skipped' "$log" || true)
if [ -n "$skips" ]; then
    echo
    echo "== skipped tests (each names what to install; .ci/run installs every peer as root):"
    echo "$skips"
    grep -E '^(✔|✘) Test run with' "$log" | tail -n 1
fi
exit "$status"
