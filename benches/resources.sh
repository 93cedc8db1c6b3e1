#!/usr/bin/env bash
# benches/resources.sh: peak memory (resident set) of logveil as the input grows, in lines and in
# distinct keys. Speed is not measured here (see BENCHMARKS.md for that): peak RSS does not depend on the
# machine's load, so this can run on a busy machine.
#
# usage: benches/resources.sh [MB...]          (default sizes: 100 1000)
#
# For each size, builds a log of about MB megabytes with ../shared/scripts/make-bench-log (the real
# 10,000-line elastic/examples Apache log repeated, so lines grow with the size and distinct keys do not),
# then, for DISTINCT_MB (default 100) megabytes, logs of the same lines whose request paths are prefixed
# with a tag `/kN/` (N = line number modulo K, for each K in DISTINCT_K, default "1009 10007 100003 0";
# K = 0: the line number itself, every line its own path), so that lines stay the same and distinct keys
# grow. On each log it measures the peak RSS (`/usr/bin/time -f %M`, in KB, of logveil alone) of:
#
#   anonymize, stdin    cat LOG | logveil anonymize -q > /dev/null
#   anonymize, file     logveil anonymize -q LOG > /dev/null          (memory-mapped in 16 MiB windows)
#   report, file        logveil report LOG --csv DIR
#   report, stdin       cat LOG | logveil report --csv DIR
#
# and prints one table row per log: its lines, distinct request paths (field 7), the page views and
# downloads that report counted (report keeps each as a 40-byte event until it sessionises, at most
# --sort-events of them in memory, the rest in sorted runs in --temp-dir), and the four peak RSS figures.
# With ORDERED="42 422" (repetitions; default: none), it also measures time-ordered logs of many days
# built by benches/ordered-log.py (each repetition four days later: about 100 MB and 1 GB), where visitor
# keys and per-day rows grow with the days.
# The logs go to a temporary directory (under TMPDIR), removed at the end unless KEEP=1.
#
# Environment: LOGVEIL, the binary (default: target/release/logveil, built first with
# `cargo build --release`); THREADS, passed as --threads (default: logveil's own, all cores).
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
make_log="$repo/../shared/scripts/make-bench-log"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100 1000)
distinct_mb=${DISTINCT_MB:-100}
read -r -a distinct_k <<< "${DISTINCT_K-1009 10007 100003 0}"

if [ -z "${LOGVEIL:-}" ]; then
    (cd "$repo" && cargo build --release --quiet)
    LOGVEIL="$repo/target/release/logveil"
fi
[ -x /usr/bin/time ] || { echo "resources.sh: /usr/bin/time (GNU time) is needed" >&2; exit 1; }
threads=()
[ -z "${THREADS:-}" ] || threads=(--threads "$THREADS")

work="$(mktemp -d "${TMPDIR:-/tmp}/logveil-resources.XXXXXX")"
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT

# Runs "$@" (a logveil command line) under /usr/bin/time on the caller's $log: through a pipe when the
# caller's $from is stdin, as a file argument otherwise. Prints logveil's peak RSS in MB (one decimal).
peak() {
    if [ "$from" = stdin ]; then
        cat "$log" | /usr/bin/time -f %M -o "$work/time" "$@" > /dev/null
    else
        /usr/bin/time -f %M -o "$work/time" "$@" "$log" > /dev/null
    fi
    awk -v kb="$(tail -n 1 "$work/time")" 'BEGIN { printf "%.1f", kb / 1024 }'
}

# measure LABEL LOG: one table row.
measure() {
    local label=$1 log=$2 from lines distinct events a_stdin a_file r_file r_stdin
    lines=$(wc -l < "$log")
    distinct=$(awk '!seen[$7]++ { n++ } END { print n + 0 }' "$log")
    from=stdin a_stdin=$(peak "$LOGVEIL" anonymize -q "${threads[@]}")
    from=file a_file=$(peak "$LOGVEIL" anonymize -q "${threads[@]}")
    rm -rf "$work/csv"
    from=file r_file=$(peak "$LOGVEIL" report -q "${threads[@]}" --csv "$work/csv")
    # Page views and downloads: the events report keeps until it sessionises (in memory or spilled).
    events=$(awk -F, '$1 == "page_views" || $1 == "downloads" { n += $2 } END { print n + 0 }' \
        "$work/csv/summary.csv")
    rm -rf "$work/csv"
    from=stdin r_stdin=$(peak "$LOGVEIL" report -q "${threads[@]}" --csv "$work/csv")
    printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' \
        "$label" "$lines" "$distinct" "$events" "$a_stdin" "$a_file" "$r_file" "$r_stdin"
}

echo "logveil: $("$LOGVEIL" --version); threads: ${THREADS:-all cores ($(nproc))}"
echo
echo "Peak RSS in MB. anonymize: stdin = cat LOG | logveil anonymize -q, file = logveil anonymize -q LOG;"
echo "report: file = logveil report LOG --csv DIR, stdin = cat LOG | logveil report --csv DIR."
echo
echo "| log | lines | distinct paths | page views + downloads | anonymize, stdin | anonymize, file | report, file | report, stdin |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
for mb in "${sizes[@]}"; do
    "$make_log" "$mb" "$work/$mb.log" > /dev/null
    measure "${mb} MB, repeated corpus" "$work/$mb.log"
    [ "$mb" = "$distinct_mb" ] || rm -f "$work/$mb.log"
done
read -r -a ordered <<< "${ORDERED-}"
for reps in "${ordered[@]}"; do
    python3 "$repo/benches/ordered-log.py" "$reps" "$work/ordered.log"
    measure "$reps x 4 days in time order ($((reps * 4)) days)" "$work/ordered.log"
    rm -f "$work/ordered.log"
done
if [ ${#distinct_k[@]} -gt 0 ]; then
    base="$work/$distinct_mb.log"
    [ -f "$base" ] || "$make_log" "$distinct_mb" "$base" > /dev/null
    for k in "${distinct_k[@]}"; do
        # The request path gets a tag: "GET /x" becomes "GET /k17/x".
        awk -v k="$k" '{
            tag = (k == 0) ? NR : NR % k
            if (match($0, /"[A-Z]+ \//)) {
                cut = RSTART + RLENGTH - 1
                $0 = substr($0, 1, cut) "k" tag "/" substr($0, cut + 1)
            }
            print
        }' "$base" > "$work/distinct.log"
        if [ "$k" = 0 ]; then what="every line its own path"; else what="paths tagged mod $k"; fi
        measure "${distinct_mb} MB, $what" "$work/distinct.log"
        rm -f "$work/distinct.log"
    done
fi
