#!/usr/bin/env bash
# benches/paired.sh: wall time, throughput, CPU and peak memory of logveil (and, with PEERS=1, GoAccess
# and rhit) on several logs in one run, each command on each log in turn, so that the figures of the
# realistic log and of the repeated log of the same size are paired against the same machine load.
#
# usage: benches/paired.sh LOG...
#
# For each round (ROUNDS, default 2), each command, each LOG (page cache warmed first):
#
#   anonymize, file     logveil anonymize -q LOG > /dev/null
#   anonymize, stdin    logveil anonymize -q < LOG > /dev/null
#   report, file        logveil report LOG --csv DIR
#   report, stdin       logveil report --csv DIR < LOG
#   goaccess            goaccess LOG --log-format=COMBINED --no-progress -o OUT.csv   (PEERS=1)
#   rhit                rhit LOG > /dev/null                                     (PEERS=1)
#
# measured with /usr/bin/time (GNU time). Prints one tab-separated row per run (round, command, log,
# wall s, MB/s, user s, sys s, peak RSS MB) and then the best (least wall) run of each command and log.
# Environment: LOGVEIL (default: target/release/logveil, built first), THREADS (passed as --threads),
# ROUNDS, PEERS, ONLY (a regular expression the command names must match, e.g. ONLY=report).
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
[ $# -gt 0 ] || { echo "usage: benches/paired.sh LOG..." >&2; exit 2; }
if [ -z "${LOGVEIL:-}" ]; then
    (cd "$repo" && cargo build --release --quiet)
    LOGVEIL="$repo/target/release/logveil"
fi
[ -x /usr/bin/time ] || { echo "paired.sh: /usr/bin/time (GNU time) is needed" >&2; exit 1; }
threads=()
[ -z "${THREADS:-}" ] || threads=(--threads "$THREADS")
work="$(mktemp -d "${TMPDIR:-/tmp}/logveil-paired.XXXXXX")"
trap 'rm -rf "$work"' EXIT

commands=("anonymize, file" "anonymize, stdin" "report, file" "report, stdin")
[ "${PEERS:-0}" != 1 ] || commands+=(goaccess rhit)

# Runs command $1 on log $2 under /usr/bin/time; prints its row.
run() {
    local name=$1 log=$2
    rm -rf "$work/csv" "$work/out.csv"
    case $name in
    "anonymize, file") set -- "$LOGVEIL" anonymize -q "${threads[@]}" "$log" ;;
    "anonymize, stdin") set -- "$LOGVEIL" anonymize -q "${threads[@]}" ;;
    "report, file") set -- "$LOGVEIL" report "${threads[@]}" "$log" --csv "$work/csv" ;;
    "report, stdin") set -- "$LOGVEIL" report "${threads[@]}" --csv "$work/csv" ;;
    goaccess) set -- goaccess "$log" --log-format=COMBINED --no-progress -o "$work/out.csv" ;;
    rhit) set -- rhit "$log" ;;
    esac
    if [[ $name == *stdin ]]; then
        /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" < "$log" > /dev/null 2> "$work/err"
    else
        /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" < /dev/null > /dev/null 2> "$work/err"
    fi || { echo "paired.sh: $name on $log failed:" >&2; tail -n 3 "$work/err" >&2; return 1; }
    read -r wall user sys rss < <(tail -n 1 "$work/time")
    awk -v r="$round" -v n="$name" -v l="$(basename "$log")" -v w="$wall" -v u="$user" -v s="$sys" \
        -v m="$rss" -v b="$(stat -c %s "$log")" \
        'BEGIN { printf "%s\t%s\t%s\t%.2f\t%.0f\t%.2f\t%.2f\t%.0f\n", r, n, l, w, b / 1e6 / w, u, s, m / 1024 }'
}

printf "round\tcommand\tlog\twall s\tMB/s\tuser s\tsys s\tpeak RSS MB\n" | tee "$work/rows"
for round in $(seq "${ROUNDS:-2}"); do
    for name in "${commands[@]}"; do
        [[ $name =~ ${ONLY:-.} ]] || continue
        for log in "$@"; do
            cat "$log" > /dev/null
            run "$name" "$log" | tee -a "$work/rows"
        done
    done
done
echo
echo "best of ${ROUNDS:-2}:"
printf "command\tlog\twall s\tMB/s\tuser s\tsys s\tpeak RSS MB\n"
tail -n +2 "$work/rows" | sort -t$'\t' -k2,2 -k3,3 -k4,4g \
    | awk -F'\t' -v OFS='\t' '!seen[$2 FS $3]++ { print $2, $3, $4, $5, $6, $7, $8 }'
