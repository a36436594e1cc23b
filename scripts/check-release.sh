#!/usr/bin/env bash
# Checks the self-contained release on this machine, which has the Swift toolchain installed: builds the
# tarball with scripts/release.sh, then shows that the binary loads nothing of the toolchain (ldd, the
# dynamic loader's own trace, /proc/PID/maps), runs with an empty environment, passes the command-line
# smoke tests, and that install.sh installs and uninstalls exactly its files.
set -euo pipefail
cd "$(dirname "$0")/.."
max_bytes=$((20 * 1024 * 1024))   # the stripped binary's size bound (README: Install)
work=$(mktemp -d)
listener=""
cleanup() {
    if [ -n "$listener" ]; then kill "$listener" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "check-release: $*" >&2; exit 1; }
clean() { env -i PATH=/usr/bin:/bin "$@"; }
toolchain=$(dirname "$(dirname "$(readlink -f "$(command -v swift)")")")   # e.g. /opt/swift/usr
# A library of the Swift runtime, Foundation or dispatch, or anything inside the toolchain.
swiftlib="libswift|libFoundation|lib_Foundation|libdispatch|libBlocksRuntime|$toolchain"

echo "-- no target of the executable imports Foundation"
if grep -rnE '^\s*(@[A-Za-z_]+\s+)*((public|package|internal|private|fileprivate)\s+)?import\s+(Foundation|FoundationNetworking|FoundationXML)\b' Sources; then
    fail "Sources/ import Foundation; the self-contained binary must not link it (use Glibc and MetricatKit)"
fi

echo "-- build the tarball"
scripts/release.sh "$work/dist"
tarball=$(ls "$work"/dist/metricat-*-linux-*.tar.gz)
(cd "$work/dist" && sha256sum -c --quiet "$(basename "$tarball").sha256") || fail "$tarball: SHA-256 does not match"
tar -C "$work" -xzf "$tarball"
dir="$work/$(basename "$tarball" .tar.gz)"
bin="$dir/metricat"
for f in metricat install.sh README.md man/metricat.1 completions/metricat.bash completions/_metricat completions/metricat.fish; do
    [ -e "$dir/$f" ] || fail "$(basename "$tarball") lacks $f"
done
commit=$(git rev-parse --short=7 HEAD)
version=$(clean "$bin" --version)
echo "$version" | grep -qE "^[0-9]+\.[0-9]+\.[0-9]+ \($commit(-dirty)?\)$" || fail "--version says '$version', not 'X.Y.Z ($commit)'"

echo "-- size and libraries ($version)"
size=$(stat -c %s "$bin")
echo "stripped binary: $size bytes"
[ "$size" -lt "$max_bytes" ] || fail "the stripped binary is $size bytes, over $max_bytes"
libs=$(ldd "$bin")
echo "$libs"
if echo "$libs" | grep -E "$swiftlib|not found"; then fail "ldd: the binary needs a library of the toolchain"; fi
if readelf -d "$bin" | grep -E 'RPATH|RUNPATH'; then fail "the binary carries a library search path"; fi
loaded=$(clean LD_DEBUG=libs "$bin" --version 2>&1 >/dev/null | grep 'calling init:' | sed 's/.*calling init: //')
[ -n "$loaded" ] || fail "LD_DEBUG=libs traced no library at all"
if echo "$loaded" | grep -E "$swiftlib"; then fail "the dynamic loader loaded a library of the toolchain"; fi

echo "-- commands in an empty environment (env -i PATH=/usr/bin:/bin)"
out=$(printf 'cpu,host=a usage=1.5 1700000000000000000\n' | clean "$bin" convert --from influx --to json)
[ "$out" = '{"fields":{"usage":1.5},"name":"cpu","tags":{"host":"a"},"timestamp":1700000000}' ] || fail "convert wrote '$out'"
out=$(clean "$bin" send - 'deploys:1|c')
[ "$out" = 'deploys:1|c' ] || fail "send - wrote '$out'"
# listen and send over a Unix socket; the running listener's mappings show what it loaded.
clean "$bin" listen "unix://$work/s.sock" --count 1 --timeout 20s > "$work/listen.out" 2> "$work/listen.err" &
listener=$!
for _ in $(seq 100); do [ -S "$work/s.sock" ] && break; sleep 0.1; done
[ -S "$work/s.sock" ] || fail "listen did not bind unix://$work/s.sock: $(cat "$work/listen.err")"
maps=$(grep -oE '/[^ ]+\.so[^ ]*' "/proc/$listener/maps" | sort -u)
if echo "$maps" | grep -E "$swiftlib"; then fail "the running listener mapped a library of the toolchain"; fi
clean "$bin" send "unix://$work/s.sock" 'deploys:1|c' || fail "send to unix://$work/s.sock failed"
wait "$listener" || fail "listen exited $?: $(cat "$work/listen.err")"
listener=""
[ "$(cat "$work/listen.out")" = 'deploys:1|c' ] || fail "listen printed '$(cat "$work/listen.out")'"

echo "-- command-line smoke tests against the tarball's binary, started with PATH=/usr/bin:/bin only"
env -u LD_LIBRARY_PATH METRICAT_BIN="$bin" METRICAT_BIN_ENV=clean swift test --filter 'CommandLineTests|FixtureTests'

echo "-- install.sh into a DESTDIR, then uninstall"
root="$work/root"
DESTDIR="$root" PREFIX=/usr "$dir/install.sh"
expected=$( (echo usr/bin/metricat
             echo usr/share/bash-completion/completions/metricat
             echo usr/share/zsh/site-functions/_metricat
             echo usr/share/fish/vendor_completions.d/metricat.fish
             for page in "$dir"/man/*.1; do echo "usr/share/man/man1/$(basename "$page")"; done) | sort)
got=$(cd "$root" && find . -type f | sed 's|^\./||' | sort)
[ "$got" = "$expected" ] || fail "install.sh put these files: $got; expected: $expected"
cmp "$bin" "$root/usr/bin/metricat" || fail "the installed binary differs from the tarball's"
[ "$(stat -c %a "$root/usr/bin/metricat")" = 755 ] || fail "the installed binary is not mode 755"
[ "$(clean "$root/usr/bin/metricat" --version)" = "$version" ] || fail "the installed binary does not run"
for f in $(echo "$expected" | grep -v '^usr/bin/'); do
    [ "$(stat -c %a "$root/$f")" = 644 ] || fail "$f is not mode 644"
done
DESTDIR="$root" PREFIX=/usr "$dir/install.sh" uninstall
left=$(cd "$root" && find . -type f)
[ -z "$left" ] || fail "uninstall left: $left"
DESTDIR="$work/default" "$dir/install.sh" >/dev/null
[ -x "$work/default/usr/local/bin/metricat" ] || fail "PREFIX does not default to /usr/local"
if PREFIX=usr DESTDIR="$work/relative" "$dir/install.sh" 2>/dev/null; then fail "a relative PREFIX was accepted"; fi
[ ! -e "$work/relative" ] || fail "a refused install wrote files"
echo "release checks passed: $(basename "$tarball"), $size bytes stripped"
