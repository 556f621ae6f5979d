#!/usr/bin/env bash
# gleaner builds against the parse-only baseline, run in turn round after round, so that a
# machine whose speed drifts slows them alike: the best wall time of each, and its share of the
# parse-only rate (issue 17's "≥ 75% of the parse-only rate").
#   bench/alternate-speed.sh DIR ROUNDS GLEANER [GLEANER...]   (each GLEANER a binary path)
# Whole process, `gleaner batch DIR --output /dev/null --jobs 1`; parse-only is
# examples/parse_only.rs (decode + scraper on the whole page), built here.
set -euo pipefail
dir=${1:?usage: bench/alternate-speed.sh DIR ROUNDS GLEANER...}
rounds=${2:?rounds}
shift 2
[[ $# -gt 0 ]] || { echo "name at least one gleaner binary" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
(cd "$root" && cargo build --release --quiet --example parse_only)
parse_only="$root/target/release/examples/parse_only"
find "$dir" -type f -exec cat {} + > /dev/null
tmp=$(mktemp); trap 'rm -f "$tmp"' EXIT
declare -A best
keep_best() { # name seconds
  if [[ -z ${best[$1]:-} ]] || awk "BEGIN{exit !($2 < ${best[$1]})}"; then best[$1]=$2; fi
}
for ((round = 0; round < rounds; round++)); do
  /usr/bin/time -f "%e" -o "$tmp" "$parse_only" "$dir" > /dev/null 2>&1
  keep_best parse-only "$(cat "$tmp")"
  for bin in "$@"; do
    /usr/bin/time -f "%e" -o "$tmp" "$bin" batch "$dir" --output /dev/null --jobs 1 > /dev/null 2>&1
    keep_best "$bin" "$(cat "$tmp")"
  done
done
echo "best of $rounds rounds, $dir"
printf "%-40s %7.2f s\n" parse-only "${best[parse-only]}"
for bin in "$@"; do
  awk -v b="$bin" -v s="${best[$bin]}" -v p="${best[parse-only]}" \
    'BEGIN{printf "%-40s %7.2f s  %5.1f%% of the parse-only rate\n", b, s, 100 * p / s}'
done
