#!/usr/bin/env bash
# Whole-process throughput of gleaner on a directory of pages, against a parse-only baseline.
#
#   bench/throughput.sh DIR            # builds the release binaries first
#   REPEAT=5 bench/throughput.sh DIR   # runs per configuration (default 3; best is reported)
#   NO_BUILD=1 bench/throughput.sh DIR # use binaries already built
#   GLEANER_ARGS='--model m.json' bench/throughput.sh DIR   # extra arguments for gleaner batch
#
# Times, with /usr/bin/time -v, each of:
#   parse-only   examples/parse_only.rs: read + decode + scraper parse of every page, nothing else
#   jobs=1       gleaner batch DIR --output /dev/null --jobs 1
#   jobs=2       gleaner batch DIR --output /dev/null --jobs 2
# and prints wall seconds, pages/s, CPU seconds and peak RSS (best wall time of REPEAT runs,
# and the peak RSS of that run). Honours CARGO_TARGET_DIR.
set -euo pipefail

if [[ $# -ne 1 || ! -d $1 ]]; then
    sed -n '2,16p' "$0" >&2
    exit 2
fi
dir=$1
repeat=${REPEAT:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
[[ $target = /* ]] || target=$root/$target

if [[ -z ${NO_BUILD:-} ]]; then
    (cd "$root" && cargo build --release --quiet --bin gleaner --example parse_only)
fi
gleaner=$target/release/gleaner
parse_only=$target/release/examples/parse_only
for bin in "$gleaner" "$parse_only"; do
    [[ -x $bin ]] || { echo "missing $bin (build it or unset NO_BUILD)" >&2; exit 1; }
done

pages=$(find "$dir" -type f \( -iname '*.html' -o -iname '*.htm' -o -iname '*.html.gz' -o -iname '*.htm.gz' \) | wc -l)
bytes=$(find "$dir" -type f \( -iname '*.html' -o -iname '*.htm' -o -iname '*.html.gz' -o -iname '*.htm.gz' \) -exec cat {} + | wc -c)
# Warm the page cache so the first configuration is not penalised.
find "$dir" -type f -exec cat {} + > /dev/null

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

measure() { # label command...
    local label=$1 best_wall="" best_rss="" best_cpu=""
    shift
    for ((i = 0; i < repeat; i++)); do
        /usr/bin/time -v -o "$tmp/time" "$@" > /dev/null 2> "$tmp/stderr" || {
            echo "$label failed:" >&2
            cat "$tmp/stderr" "$tmp/time" >&2
            exit 1
        }
        local wall rss user sys
        wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {
                 n = split($2, t, ":"); s = 0
                 for (k = 1; k <= n; k++) s = s * 60 + t[k]
                 print s }' "$tmp/time")
        rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tmp/time")
        user=$(awk -F': ' '/User time/ {print $2}' "$tmp/time")
        sys=$(awk -F': ' '/System time/ {print $2}' "$tmp/time")
        if [[ -z $best_wall ]] || awk -v a="$wall" -v b="$best_wall" 'BEGIN {exit !(a < b)}'; then
            best_wall=$wall
            best_rss=$rss
            best_cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN {printf "%.2f", u + s}')
        fi
    done
    awk -v l="$label" -v w="$best_wall" -v p="$pages" -v c="$best_cpu" -v r="$best_rss" \
        'BEGIN {printf "%-12s %8.2f %10.1f %8.2f %10.1f\n", l, w, p / w, c, r / 1024}'
}

echo "$pages pages, $((bytes / 1024 / 1024)) MiB in $dir; best of $repeat runs each; $(nproc) cores"
printf '%-12s %8s %10s %8s %10s\n' config wall_s pages/s cpu_s peak_MiB
measure parse-only "$parse_only" "$dir"
read -r -a extra <<< "${GLEANER_ARGS:-}"
measure jobs=1 "$gleaner" batch "$dir" --output /dev/null --jobs 1 "${extra[@]}"
measure jobs=2 "$gleaner" batch "$dir" --output /dev/null --jobs 2 "${extra[@]}"
