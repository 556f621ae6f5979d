"""The headline baseline of issue 20: scikit-learn's TF-IDF logistic regression.

Word 1-2-grams and character 2-5-grams, sublinear tf, each vectoriser L2-normalised, joined,
then an L2 logistic regression (lbfgs): the plain, strong baseline the issue names, with
scikit-learn's default C=1 and with C=30 (the best of 1, 10, 30 and 100 on these folds).
It reads the headline corpus exactly as `gleaner train-clickbait` does (one headline per
line, trimmed, blank lines skipped, clickbait first) and deals the same stratified folds as
`gleaner::clickbait::cross_validate` (the same SplitMix64 shuffle from the same seed), so the
two accuracies are on identical test headlines.

    python bench/clickbait_baseline.py ../shared/data/clickbait-headlines [--folds 5] [--seed 42] [--C 1 30]

Run it through bench/clickbait-compare.sh, which pins scikit-learn in a venv.
"""

import argparse
import sys
from pathlib import Path

MASK = (1 << 64) - 1


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def shuffle(self, items):
        for i in range(len(items) - 1, 0, -1):
            j = self.next() % (i + 1)
            items[i], items[j] = items[j], items[i]


def load(data_dir):
    texts, labels = [], []
    for name, label in (("clickbait.txt", 1), ("not-clickbait.txt", 0)):
        for line in (Path(data_dir) / name).read_text(encoding="utf-8").splitlines():
            # Rust's str::trim: Unicode whitespace, as Python's strip() without arguments.
            line = line.strip()
            if line:
                texts.append(line)
                labels.append(label)
    return texts, labels


def stratified_folds(labels, folds, seed):
    rng = SplitMix64(seed)
    fold_of = [0] * len(labels)
    for cls in (1, 0):
        members = [i for i, y in enumerate(labels) if y == cls]
        rng.shuffle(members)
        for k, i in enumerate(members):
            fold_of[i] = k % folds
    return fold_of


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("data")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--C", type=float, nargs="+", default=[1.0, 30.0])
    args = ap.parse_args()

    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    texts, labels = load(args.data)
    fold_of = stratified_folds(labels, args.folds, args.seed)
    for c in args.C:
        correct = 0
        for k in range(args.folds):
            train = [i for i in range(len(texts)) if fold_of[i] != k]
            test = [i for i in range(len(texts)) if fold_of[i] == k]
            model = make_pipeline(
                make_union(
                    TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
                    TfidfVectorizer(analyzer="char", ngram_range=(2, 5), sublinear_tf=True),
                ),
                LogisticRegression(C=c, max_iter=2000),
            )
            model.fit([texts[i] for i in train], [labels[i] for i in train])
            predicted = model.predict([texts[i] for i in test])
            correct += sum(int(p == labels[i]) for p, i in zip(predicted, test))
        print(
            f"scikit-learn tfidf logistic C={c:g}: accuracy {correct / len(texts):.4f} "
            f"({correct}/{len(texts)})",
            flush=True,
        )


if __name__ == "__main__":
    sys.exit(main())
