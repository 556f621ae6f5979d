#!/usr/bin/env bash
# Seed-style pages out of sample: each article of training-data/teasers/ is held out in turn
# (all three markups), a model is trained on everything else, and the held-out pages' blocks
# are compared with their labels. Prints every misjudged block and the total.
#
#   bench/seed-style-holdout.sh [SLUG...]
#   GLEANER=target/release/gleaner SHARED=../shared/data bench/seed-style-holdout.sh
#
# About 20 s of training per article on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
gleaner=${GLEANER:-target/release/gleaner}
shared=${SHARED:-../shared/data}
[ -x "$gleaner" ] || cargo build --release --quiet
if [ $# -gt 0 ]; then
  slugs=("$@")
else
  mapfile -t slugs < <(ls training-data/teasers/*-readable.html | xargs -n1 basename | sed 's/-readable\.html$//')
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for slug in "${slugs[@]}"; do
  data="$work/$slug"
  mkdir -p "$data/teasers"
  cp -r training-data/pages "$data/pages"
  for page in training-data/teasers/*.html; do
    case $(basename "$page") in "$slug"-*) ;; *) cp "$page" "$data/teasers/" ;; esac
  done
  "$gleaner" train --data "$shared/trafilatura-dev" "$shared/readability-pages" "$shared/cleaneval" "$data" \
    --out "$work/$slug.json" --no-cv --algorithm logistic >"$work/$slug.log" 2>&1
  for markup in readable hashed plain; do
    "$gleaner" blocks --model "$work/$slug.json" "training-data/teasers/$slug-$markup.html" \
      >"$work/$slug-$markup.jsonl"
  done
done
python3 - "$work" "${slugs[@]}" <<'PY'
import json, sys
work, slugs = sys.argv[1], sys.argv[2:]
total = wrong = 0
for slug in slugs:
    for markup in ("readable", "hashed", "plain"):
        for line in open(f"{work}/{slug}-{markup}.jsonl"):
            block = json.loads(line)
            gold = block.get("gold_label")
            if gold is None:
                continue
            total += 1
            kept = block["label"] == "content"
            if (gold == "content") != kept:
                wrong += 1
                print(f"{slug}-{markup}: {'kept' if kept else 'dropped'} {gold} "
                      f"(score {block['score']:.3f}): {block['text'][:80]!r}")
print(f"held out: {wrong} of {total} labelled blocks misjudged")
PY
