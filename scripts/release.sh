#!/usr/bin/env bash
# Builds the self-contained release: a stripped binary with the Swift runtime linked in (it needs only
# libc, libm, libstdc++, libgcc_s and zlib on the target host) and metricat-VERSION-linux-ARCH.tar.gz holding it,
# man/, completions/, README.md and install.sh, with a .sha256 file beside it.
#   scripts/release.sh [OUTDIR]    (default dist/)
# The commit reaches `metricat --version` through a header generated in .build-release/, so no tracked
# file is rewritten.
set -euo pipefail
out=${1:+$(realpath -m "$1")}   # a folder given is taken from where the script was called
cd "$(dirname "$0")/.."
out=${out:-$PWD/dist}
scratch=.build-release   # its own build folder: the static flags would otherwise rebuild .build/release

commit=$(git rev-parse --short=7 HEAD 2>/dev/null || echo unknown)
if [ "$commit" != unknown ] && ! git diff --quiet HEAD -- 2>/dev/null; then
    commit="$commit-dirty"
fi
# The commit goes into a header in the build folder, rewritten only when it changes; the include path
# that finds it stays the same, so a new commit recompiles one C file instead of every module.
mkdir -p "$scratch/commit"
define="#define METRICAT_COMMIT \"$commit\""
if [ "$(cat "$scratch/commit/metricat_commit.h" 2>/dev/null)" != "$define" ]; then
    echo "$define" > "$scratch/commit/metricat_commit.h"
fi
# --disable-local-rpath: an installed binary must not look for libraries in its own folder ($ORIGIN).
build=(swift build -c release --static-swift-stdlib --disable-local-rpath --product metricat --scratch-path "$scratch"
       -Xcc "-I$PWD/$scratch/commit")
"${build[@]}"
bin="$("${build[@]}" --show-bin-path)/metricat"

version_line=$("$bin" --version)
version=${version_line%% *}
if [ "$version_line" != "$version ($commit)" ]; then
    echo "release.sh: the binary says '$version_line', expected '$version ($commit)'" >&2
    exit 1
fi
arch=$(uname -m)
name="metricat-$version-linux-$arch"

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir "$stage/$name"
strip -o "$stage/$name/metricat" "$bin"
cp -r man completions README.md "$stage/$name/"
install -m 755 scripts/install.sh "$stage/$name/install.sh"

mkdir -p "$out"
# Fixed owner, order and times (those of the commit): the tarball depends only on the files in it.
mtime=$(git log -1 --format=%ct 2>/dev/null || date +%s)
tar -C "$stage" --owner=0 --group=0 --numeric-owner --sort=name --mtime="@$mtime" -cf - "$name" | gzip -9n > "$out/$name.tar.gz"
(cd "$out" && sha256sum "$name.tar.gz" > "$name.tar.gz.sha256")

size=$(stat -c %s "$stage/$name/metricat")
echo "$out/$name.tar.gz ($(stat -c %s "$out/$name.tar.gz") bytes; metricat $version_line, $size bytes stripped)"
echo "$out/$name.tar.gz.sha256"
