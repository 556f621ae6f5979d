#!/usr/bin/env bash
# Issue 20's comparison, in one run: gleaner's headline models (tfidf_logistic, shipped since
# 2026-12-07, and naive_bayes, shipped before) and scikit-learn's TF-IDF logistic regression,
# cross-validated on the same stratified folds of the same headlines; then, for each gleaner
# model fitted on all headlines, the share of the seed-style teaser headlines (and of the
# headline-sized article lines of the same pages) it scores >= 0.5.
#
#   GLEANER=target/release/gleaner bash bench/clickbait-compare.sh [DATA] [FOLDS] [SEED]
#
# DATA defaults to ../shared/data/clickbait-headlines. scikit-learn runs from a venv pinned by
# bench/clickbait-requirements.txt (made under $VENV, default /tmp/gleaner-clickbait-venv).
# linfa's dense logistic_regression is left out: it takes about an hour (`--algorithm all`).
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:-../shared/data/clickbait-headlines}"
folds="${2:-5}"
seed="${3:-42}"
gleaner="${GLEANER:-target/release/gleaner}"
venv="${VENV:-/tmp/gleaner-clickbait-venv}"

if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r bench/clickbait-requirements.txt
fi

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
python3 bench/seed_teaser_headlines.py teaser >"$scratch/teasers.txt"
python3 bench/seed_teaser_headlines.py content >"$scratch/content.txt"
share() { # MODEL FILE: "k of n (share)" scored >= 0.5
  "$gleaner" clickbait --model "$1" <"$2" | awk -F'\t' '$1 >= 0.5 {k++} END {printf "%d of %d (%.3f)", k, NR, k / NR}'
}

for algorithm in tfidf_logistic naive_bayes; do
  echo "== gleaner $algorithm"
  "$gleaner" train-clickbait --data "$data" --algorithm "$algorithm" --folds "$folds" \
    --seed "$seed" --out "$scratch/$algorithm.json" 2>/dev/null
  echo "seed-style teaser headlines scored >= 0.5: $(share "$scratch/$algorithm.json" "$scratch/teasers.txt");" \
    "article lines: $(share "$scratch/$algorithm.json" "$scratch/content.txt")"
done
echo "== scikit-learn, same folds"
"$venv/bin/python" bench/clickbait_baseline.py "$data" --folds "$folds" --seed "$seed"
