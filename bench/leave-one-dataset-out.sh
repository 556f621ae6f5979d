#!/usr/bin/env bash
# Leave one dataset out: for each shared set, train on every other set (training-data
# included) and score the left-out set as new pages; then score the peers' outputs of the
# same pages with the same scorer. The headline quality figure of the README.
#
#   bench/leave-one-dataset-out.sh [SET...]        (default: all four)
#   GLEANER=target/release/gleaner SHARED=../shared/data PEERS=/work/peer-out bench/leave-one-dataset-out.sh
#
# PEERS is a directory of peer outputs named <set>-<tool>.jsonl (wcxb for wcxb-dev, readability
# for readability-pages), as bench/peers/run_peer.py and bench/rs-peers write them; peers
# without an output file are skipped. About 3 minutes of training per set on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
gleaner=${GLEANER:-target/release/gleaner}
shared=${SHARED:-../shared/data}
peers=${PEERS:-/work/peer-out}
[ -x "$gleaner" ] || cargo build --release --quiet
if [ $# -gt 0 ]; then sets=("$@"); else sets=(trafilatura-dev readability-pages cleaneval wcxb-dev); fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for set in "${sets[@]}"; do
  echo "== $set left out"
  "$gleaner" train --data "$shared/trafilatura-dev" "$shared/readability-pages" "$shared/cleaneval" \
    "$shared/wcxb-dev" training-data --holdout-set "$set" --algorithm logistic \
    --out "$work/model.json" --cv-predictions "$work/$set.jsonl" 2>"$work/$set.log" |
    grep -v '^left out' | sed 's/^/gleaner        /'
  case $set in wcxb-dev) short=wcxb ;; readability-pages) short=readability ;; *) short=$set ;; esac
  for tool in trafilatura rs-trafilatura dom-smoothie resiliparse readability justext; do
    file="$peers/$short-$tool.jsonl"
    [ -f "$file" ] || continue
    "$gleaner" eval --data "$shared/$set" --predictions "$file" | grep -v '^  ' |
      sed "s/^/$(printf '%-14s' "$tool") /"
  done
done
