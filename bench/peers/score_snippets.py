#!/usr/bin/env python3
"""Score extractor output on the trafilatura-dev snippet benchmark.

Usage:
    python score_snippets.py --eval /path/to/evaldata.json OUT.jsonl [OUT2.jsonl ...]

evaldata.json maps URL -> {"file": NAME, "with": [...], "without": [...]}.
For each entry the JSONL record whose path has file name NAME is used (a page
with no record counts as empty text).  Comparison: exact substring after
collapsing all whitespace runs to one space on both sides.
  "with" snippet found -> TP, missing -> FN
  "without" snippet found -> FP, absent -> TN
Prints P, R, F1, accuracy per output file.  No dependencies beyond stdlib.
"""

import argparse
import json
import os
import sys


def norm(s):
    return " ".join((s or "").split())


def load_records(path):
    recs = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            r = json.loads(line)
            recs[os.path.basename(r["path"])] = r
    return recs


def score(evaldata, recs):
    tp = fn = fp = tn = 0
    missing = errors = 0
    for _url, item in evaldata.items():
        r = recs.get(item["file"])
        if r is None:
            missing += 1
            text = ""
        else:
            if r.get("error"):
                errors += 1
            text = norm(r.get("text", ""))
        for s in item.get("with", []):
            if norm(s) in text:
                tp += 1
            else:
                fn += 1
        for s in item.get("without", []):
            if norm(s) in text:
                fp += 1
            else:
                tn += 1
    p = tp / (tp + fp) if tp + fp else 0.0
    r_ = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * p * r_ / (p + r_) if p + r_ else 0.0
    acc = (tp + tn) / (tp + tn + fp + fn) if tp + tn + fp + fn else 0.0
    return dict(pages=len(evaldata), missing=missing, errors=errors,
                tp=tp, fn=fn, fp=fp, tn=tn, precision=p, recall=r_, f1=f1, accuracy=acc)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--eval", required=True, help="evaldata.json")
    ap.add_argument("--json", action="store_true", help="print one JSON object per file")
    ap.add_argument("outputs", nargs="+", help="JSONL outputs of run_peer.py (or gleaner)")
    args = ap.parse_args()

    with open(args.eval, encoding="utf-8") as f:
        evaldata = json.load(f)

    if not args.json:
        print(f"{'output':40s} {'P':>6s} {'R':>6s} {'F1':>6s} {'acc':>6s} "
              f"{'TP':>5s} {'FN':>5s} {'FP':>5s} {'TN':>5s} missing errors")
    for out in args.outputs:
        s = score(evaldata, load_records(out))
        if args.json:
            print(json.dumps({"output": out, **s}))
        else:
            print(f"{os.path.basename(out):40s} {s['precision']:6.3f} {s['recall']:6.3f} "
                  f"{s['f1']:6.3f} {s['accuracy']:6.3f} {s['tp']:5d} {s['fn']:5d} "
                  f"{s['fp']:5d} {s['tn']:5d} {s['missing']:7d} {s['errors']:6d}")
        if s["missing"]:
            print(f"  warning: {s['missing']} evaldata pages had no record in {out}",
                  file=sys.stderr)


if __name__ == "__main__":
    main()
