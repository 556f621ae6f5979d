#!/usr/bin/env bash
# Seed-style pages out of sample: the articles of training-data/teasers/ are held out (all three
# markups of an article together), a model is trained on everything else, and the held-out
# pages' blocks are compared with their labels. Prints every misjudged block and the total.
#
#   bench/seed-style-holdout.sh [SLUG...]
#   HOLDOUT_GROUPS=5 bench/seed-style-holdout.sh   # 5 models, each leaving ~4 articles out
#   GLEANER=target/release/gleaner SHARED=../shared/data bench/seed-style-holdout.sh
#
# By default each article is left out alone (one model per article, ~3 min each on 2 cores with
# wcxb-dev in the training data). HOLDOUT_GROUPS=k trains k models instead, each without a k-th of the
# articles: fewer seed-style pages to learn from, so a stricter test that costs far less time.
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
groups=${HOLDOUT_GROUPS:-${#slugs[@]}}  # (not GROUPS: bash keeps that name for the user's group ids)
sets=("$shared/trafilatura-dev" "$shared/readability-pages" "$shared/cleaneval")
[ -d "$shared/wcxb-dev" ] && sets+=("$shared/wcxb-dev")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for ((group = 0; group < groups; group++)); do
  held=()
  for i in "${!slugs[@]}"; do
    ((i % groups == group)) && held+=("${slugs[$i]}")
  done
  [ ${#held[@]} -gt 0 ] || continue
  data="$work/group-$group"
  mkdir -p "$data/teasers"
  cp -r training-data/pages "$data/pages"
  for page in training-data/teasers/*.html; do
    keep=1
    for slug in "${held[@]}"; do
      case $(basename "$page") in "$slug"-*) keep=0 ;; esac
    done
    ((keep)) && cp "$page" "$data/teasers/"
  done
  "$gleaner" train --data "${sets[@]}" "$data" \
    --out "$work/group-$group.json" --no-cv --algorithm logistic >"$work/group-$group.log" 2>&1
  for slug in "${held[@]}"; do
    for markup in readable hashed plain; do
      "$gleaner" blocks --model "$work/group-$group.json" "training-data/teasers/$slug-$markup.html" \
        >"$work/$slug-$markup.jsonl"
    done
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
