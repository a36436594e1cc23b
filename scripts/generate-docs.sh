#!/usr/bin/env bash
# Regenerates completions/ and man/ from the argument parser, so they always match --help.
#   scripts/generate-docs.sh           write them into the repository
#   scripts/generate-docs.sh --check   fail (exit 1) if the committed copies are stale
set -euo pipefail
cd "$(dirname "$0")/.."
MAN_DATE=2026-11-22   # a fixed date keeps the pages reproducible; bump it with a release
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
swift build --product metricat >/dev/null
bin=$(swift build --show-bin-path)/metricat
mkdir -p "$out/completions" "$out/man"
"$bin" --generate-completion-script bash > "$out/completions/metricat.bash"
"$bin" --generate-completion-script zsh > "$out/completions/_metricat"
"$bin" --generate-completion-script fish > "$out/completions/metricat.fish"
swift package plugin generate-manual --configuration debug --multi-page --date "$MAN_DATE" \
    --authors 'metricat maintainers' >/dev/null
cp .build/plugins/GenerateManual/outputs/metricat/*.1 "$out/man/"
# The generator leaves the discussion's blank lines in, which mdoc warns about: a blank line becomes a
# paragraph break (.Pp). A paragraph that starts with "Exit status:" moves into the EXIT STATUS section
# in place of the generator's generic sentence (.Ex -std).
for page in "$out"/man/*.1; do
    awk '
        NR == FNR { if (index($0, "Exit status: ") == 1) exitText = substr($0, 14); next }
        index($0, "Exit status: ") == 1 { skipBlank = 1; next }
        /^$/ { if (skipBlank) { skipBlank = 0; next } print ".Pp"; next }
        /^\.Ex -std$/ && exitText != "" { print exitText; next }
        { skipBlank = 0; print }
    ' "$page" "$page" > "$page.tmp"
    mv "$page.tmp" "$page"
done
# Every page must format without a warning (groff from Debian's groff-base; CI installs it).
if command -v groff >/dev/null 2>&1; then
    for page in "$out"/man/*.1; do
        warnings=$(groff -mandoc -ww -z "$page" 2>&1)
        if [ -n "$warnings" ]; then
            echo "$(basename "$page"): $warnings" >&2
            exit 1
        fi
    done
elif [ -n "${CI:-}" ]; then
    echo "groff is not installed, so the man pages cannot be checked: apt-get install groff-base" >&2
    exit 1
fi
if [ "${1:-}" = "--check" ]; then
    if ! diff -ru completions "$out/completions" || ! diff -ru man "$out/man"; then
        echo "completions/ or man/ are stale: run scripts/generate-docs.sh and commit the result" >&2
        exit 1
    fi
    echo "completions/ and man/ are up to date"
else
    rm -rf completions man
    cp -r "$out/completions" "$out/man" .
    echo "wrote completions/ and man/"
fi
