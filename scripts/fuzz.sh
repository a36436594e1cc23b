#!/usr/bin/env bash
# Coverage-guided fuzzing with libFuzzer and AddressSanitizer.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#
# Targets: formats (every parser, the first input byte picks it), http (HTTPResponseReader), and
# influx, json, wavefront, statsd, graphite, prometheus, csv (the formats target with that parser
# fixed). Default: formats and http, SECONDS (default 30) each. Every metric parsed is also written in
# all seven formats, and StatsD input is aggregated twice (full parser, and listen --aggregate's line
# cache), which must agree. The seed corpus is made from Tests/Fixtures/*/*/input at each run; what the fuzzer
# finds new is kept in .build-fuzz/corpus/TARGET/ for the next run. A crash, a trap or a sanitizer
# report is saved under .build-fuzz/crashes/TARGET/ and the script exits 1 after printing how to rerun
# it; a parse error in the input is not a finding. An input that runs longer than 10 s or a process
# past 2 GiB of memory is a finding too (libFuzzer's -timeout and -rss_limit_mb).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=30
if [ $# -gt 0 ]; then
    case "$1" in
        ''|*[!0-9]*|0*) echo "fuzz.sh: SECONDS: '$1' is not a whole number of seconds from 1 (example: scripts/fuzz.sh 3600 influx)" >&2; exit 2 ;;
    esac
    seconds=$1
    shift
fi
formats=(influx json wavefront statsd graphite prometheus csv)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(formats http)
for t in "${targets[@]}"; do
    case " formats http ${formats[*]} " in
        *" $t "*) ;;
        *) echo "fuzz.sh: unknown target '$t' (expected formats, http, or one of: ${formats[*]})" >&2; exit 2 ;;
    esac
done

out=.build-fuzz
# Swift's own crash handler reads memory ASan has poisoned and hides the report behind its own.
export SWIFT_BACKTRACE=enable=no
mkdir -p "$out/bin"
# One module per target: METRICAT_ONE_MODULE drops the imports of the targets compiled into it
# (MetricCore's PCRE2 patterns, whose C module map is on the include path).
flags=(-swift-version 6 -sanitize=fuzzer,address -parse-as-library -O -g -use-ld=lld -D METRICAT_ONE_MODULE -I Sources/CPCRE2)

# Builds $1 from the remaining sources unless the binary is newer than all of them.
build() {
    local name=$1 bin="$out/bin/$1" module=$2
    shift 2
    if [ -x "$bin" ] && [ -z "$(find "$@" -newer "$bin" 2>/dev/null)" ]; then
        return
    fi
    echo "== fuzz: building $name"
    local t0=$SECONDS
    swiftc "${flags[@]}" -module-name "$module" "$@" -o "$bin.tmp"
    mv "$bin.tmp" "$bin"
    echo "== fuzz: built $name in $(( SECONDS - t0 )) s"
}

# Index of a format name in MetricFormat.allCases, which is the selector byte that picks it.
format_byte() {
    local i=0 f
    for f in "${formats[@]}"; do
        if [ "$f" = "$1" ]; then echo "$i"; return; fi
        i=$((i + 1))
    done
    return 1
}

# Seeds for the formats targets: each fixture input with the selector byte of the format it is read as
# (its `--from`; detection fixtures without one are skipped). $1: the only format to take, or empty.
seed_formats() {
    local dir=$1 only=$2 input args from byte name
    mkdir -p "$dir"
    for input in Tests/Fixtures/*/*/input; do
        args=$(dirname "$input")/args
        [ -f "$args" ] || continue
        from=$(grep -o -- '--from [a-z]*' "$args" | head -n 1 | cut -d' ' -f2 || true)
        [ -n "$from" ] || continue
        [ -z "$only" ] || [ "$from" = "$only" ] || continue
        byte=$(format_byte "$from") || continue
        name=$(basename "$(dirname "$(dirname "$input")")")-$(basename "$(dirname "$input")")
        { printf "\\$(printf '%03o' "$byte")"; cat "$input"; } > "$dir/seed-$name"
    done
    # Hand-written seeds for what the fixtures cover thinly (Fuzz/corpus/<format>-<what>).
    for input in Fuzz/corpus/*; do
        name=$(basename "$input")
        [ -z "$only" ] || [ "${name%%-*}" = "$only" ] || continue
        cp "$input" "$dir/seed-$name"
    done
}

# Seeds for the HTTP reader: a few whole responses, with byte 0 (one byte per read, 1 MiB body limit).
seed_http() {
    local dir=$1
    mkdir -p "$dir"
    printf '\000HTTP/1.1 204 No Content\r\nDate: x\r\n\r\n' > "$dir/seed-204"
    printf '\000HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello' > "$dir/seed-length"
    printf '\000HTTP/1.1 400 Bad Request\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5;x=1\r\nhello\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\n\r\n' > "$dir/seed-chunked"
    printf '\000HTTP/1.0 500 Internal Server Error\r\n\r\nto the end' > "$dir/seed-to-end"
    printf '\100HTTP/1.1 200 OK\r\nContent-Length: 65\r\n\r\n' > "$dir/seed-too-large"
}

need_formats=false need_http=false
for t in "${targets[@]}"; do
    if [ "$t" = http ]; then need_http=true; else need_formats=true; fi
done
if $need_formats; then
    # MetricCore (user regexes on PCRE2) joins the one module; its import is compiled out there.
    mapfile -t sources < <(find Sources/MetricFormats Sources/MetricCore -name '*.swift' | sort)
    build formats FuzzFormats Fuzz/FormatsTarget.swift "${sources[@]}"
fi
if $need_http; then
    build http FuzzHTTP Fuzz/HTTPTarget.swift Sources/MetricTransport/HTTPResponseReader.swift Sources/MetricTransport/String+Trimming.swift
fi

found=0
for t in "${targets[@]}"; do
    corpus="$out/corpus/$t" seeds="$out/seeds/$t" crashes="$out/crashes/$t"
    rm -rf "$seeds"
    mkdir -p "$corpus" "$crashes"
    env=()
    case $t in
        http) bin=$out/bin/http dict=Fuzz/http.dict; seed_http "$seeds" ;;
        formats) bin=$out/bin/formats dict=Fuzz/formats.dict; seed_formats "$seeds" "" ;;
        *) bin=$out/bin/formats dict=Fuzz/formats.dict env=(METRICAT_FUZZ_FORMAT="$t"); seed_formats "$seeds" "$t" ;;
    esac
    echo "== fuzz: $t for $seconds s ($(ls "$seeds" | wc -l) seeds, corpus $corpus)"
    marker="$out/.started-$t"
    touch "$marker"
    status=0
    env "${env[@]}" "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -dict="$dict" -artifact_prefix="$crashes/" "$corpus" "$seeds" > "$out/$t.log" 2>&1 || status=$?
    grep -E '^(Done|stat::number_of_executed_units|stat::new_units_added)|^#[0-9]+ +DONE' "$out/$t.log" || true
    if [ "$status" -ne 0 ]; then
        found=1
        echo "== fuzz: $t FOUND A CRASH, TIMEOUT OR OOM (libFuzzer exit $status); log: $out/$t.log"
        grep -E 'ERROR:|Fatal error|SUMMARY:' "$out/$t.log" | head -n 5 || true
        grep -E '\.swift:[0-9]+' "$out/$t.log" | head -n 4 || true
        find "$crashes" -type f -newer "$marker" | while read -r file; do
            echo "   reproducer: $file"
            echo "   rerun:      SWIFT_BACKTRACE=enable=no ${env[*]:+${env[*]} }$bin $file"
        done
    fi
    rm -f "$marker"
done
exit $found
