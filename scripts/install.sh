#!/usr/bin/env bash
# Installs metricat, its man pages and its shell completions where the system looks for them, or removes
# exactly those files again.
#   ./install.sh              install (from an unpacked release tarball, or scripts/install.sh in a
#                             source tree after `swift build -c release`)
#   ./install.sh uninstall    remove what install puts
# PREFIX (default /usr/local) is where the files live; DESTDIR (default empty) is prepended to every
# path, for staging a package. METRICAT_BIN overrides the binary installed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ -f "$here/metricat" ] && [ -d "$here/man" ]; then
    root=$here                                                   # an unpacked release tarball
    bin=${METRICAT_BIN:-$root/metricat}
elif [ -f "$here/../Package.swift" ]; then
    root=$(cd "$here/.." && pwd)                                 # scripts/ of a source tree
    bin=${METRICAT_BIN:-$root/.build/release/metricat}
else
    echo "install.sh: neither a release folder (metricat, man/) nor a source tree around $here" >&2
    exit 1
fi

prefix=${PREFIX:-/usr/local}
dest=${DESTDIR:-}
case "$prefix" in
    /*) ;;
    *) echo "install.sh: PREFIX must be an absolute path (example: PREFIX=/usr), not '$prefix'" >&2; exit 2 ;;
esac
bindir="$dest$prefix/bin"
man1dir="$dest$prefix/share/man/man1"
bashdir="$dest$prefix/share/bash-completion/completions"
zshdir="$dest$prefix/share/zsh/site-functions"
fishdir="$dest$prefix/share/fish/vendor_completions.d"

pages=()
for page in "$root"/man/*.1; do
    pages+=("$(basename "$page")")
done
if [ ${#pages[@]} -eq 0 ] || [ ! -f "$root/man/${pages[0]}" ]; then
    echo "install.sh: no man pages in $root/man" >&2
    exit 1
fi

case "${1:-install}" in
install)
    if [ ! -x "$bin" ]; then
        echo "install.sh: $bin: no such executable (build it with: swift build -c release)" >&2
        exit 1
    fi
    install -D -m 755 "$bin" "$bindir/metricat"
    for page in "${pages[@]}"; do
        install -D -m 644 "$root/man/$page" "$man1dir/$page"
    done
    install -D -m 644 "$root/completions/metricat.bash" "$bashdir/metricat"
    install -D -m 644 "$root/completions/_metricat" "$zshdir/_metricat"
    install -D -m 644 "$root/completions/metricat.fish" "$fishdir/metricat.fish"
    echo "installed $bindir/metricat, ${#pages[@]} man pages in $man1dir, completions for bash, zsh and fish"
    ;;
uninstall)
    removed=0
    for f in "$bindir/metricat" "${pages[@]/#/$man1dir/}" "$bashdir/metricat" "$zshdir/_metricat" "$fishdir/metricat.fish"; do
        if [ -e "$f" ] || [ -L "$f" ]; then
            rm -f "$f"
            removed=$((removed + 1))
        fi
    done
    echo "removed $removed files under $dest$prefix"
    ;;
*)
    echo "install.sh: unknown action '$1' (install or uninstall)" >&2
    exit 2
    ;;
esac
