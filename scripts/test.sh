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
exec swift test "$@"
