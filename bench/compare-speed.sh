#!/usr/bin/env bash
# Whole-process speed of gleaner against peer extractors, in one run, on one directory.
#   bench/compare-speed.sh DIR     (needs bench/peers/setup.sh run once; PEERS_VENV overrides the venv)
# The Rust peers (rs-trafilatura, dom_smoothie) run when bench/rs-peers is built
# (`cargo build --release --manifest-path bench/rs-peers/Cargo.toml`).
# Prints, per tool: wall seconds, pages/s, CPU seconds, peak RSS. Best wall time of REPEAT runs.
# BASELINE_GLEANER=/path/to/other/gleaner adds that build's --jobs 1 run (e.g. an older commit,
# built with `git worktree add /tmp/core COMMIT && cargo build --release` there).
set -euo pipefail
dir=${1:?usage: bench/compare-speed.sh DIR}
repeat=${REPEAT:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
venv=${PEERS_VENV:-/work/peers-venv}
(cd "$root" && cargo build --release --quiet --bin gleaner --example parse_only)
pages=$(find "$dir" -type f \( -iname '*.html' -o -iname '*.htm' -o -iname '*.html.gz' -o -iname '*.htm.gz' \) | wc -l)
find "$dir" -type f -exec cat {} + > /dev/null
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
run() { # label command...
  local label=$1 best=""; shift
  for ((i = 0; i < repeat; i++)); do
    /usr/bin/time -f "%e %U %S %M" -o "$tmp/t" "$@" > /dev/null 2>&1
    read -r wall user sys rss < "$tmp/t"
    if [[ -z $best ]] || awk "BEGIN{exit !($wall < ${best%% *})}"; then best="$wall $user $sys $rss"; fi
  done
  read -r wall user sys rss <<< "$best"
  awk -v l="$label" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" -v p="$pages" \
    'BEGIN{printf "%-26s %7.2f s %8.1f pages/s %7.2f s CPU %7.0f MB\n", l, w, p/w, u+s, r/1024}'
}
echo "$pages pages in $dir, best of $repeat"
run "parse-only (scraper)" "$root/target/release/examples/parse_only" "$dir"
run "gleaner --jobs 1" "$root/target/release/gleaner" batch "$dir" --output /dev/null --jobs 1 --no-progress
run "gleaner --jobs 2" "$root/target/release/gleaner" batch "$dir" --output /dev/null --jobs 2 --no-progress
if [[ -n ${BASELINE_GLEANER:-} ]]; then
  # Older builds may not know --no-progress; with no terminal there is no bar anyway.
  run "baseline gleaner --jobs 1" "$BASELINE_GLEANER" batch "$dir" --output /dev/null --jobs 1
fi
rs_peers="$root/bench/rs-peers/target/release/rs-peers"
if [[ -x $rs_peers ]]; then
  for tool in rs-trafilatura dom-smoothie; do
    run "$tool" "$rs_peers" --tool "$tool" --output "$tmp/out.jsonl" "$dir"
  done
fi
for tool in trafilatura resiliparse readability justext; do
  run "$tool" "$venv/bin/python" "$root/bench/peers/run_peer.py" --tool "$tool" --output "$tmp/out.jsonl" "$dir"
done
