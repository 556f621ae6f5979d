#!/usr/bin/env python3
"""Error listing of a batch JSONL against wcxb-dev, by page type, with WCXB's word metric.

    python3 bench/wcxb_errors.py PREDICTIONS.jsonl [PAGE_TYPE [N]] [--shared ../shared/data]

Per page type: mean word F1, pages with precision < 0.7 (too much kept), recall < 0.7 (too
much dropped), empty outputs and empty gold texts. With PAGE_TYPE, its N worst pages.
"""
import argparse
import glob
import json
import re
import statistics
from collections import Counter

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("predictions")
parser.add_argument("page_type", nargs="?")
parser.add_argument("n", nargs="?", type=int, default=15)
parser.add_argument("--shared", default="../shared/data")
args = parser.parse_args()

predicted = {}
for line in open(args.predictions, encoding="utf-8"):
    record = json.loads(line)
    match = re.search(r"(\d{4})\.html", record["path"])
    if match:
        predicted[match.group(1)] = record.get("text", "")


def tokens(text):
    return re.findall(r"\w+", (text or "").lower())


rows = []
for path in sorted(glob.glob(f"{args.shared}/wcxb-dev/ground-truth/*.json")):
    truth = json.load(open(path, encoding="utf-8"))
    file_id = truth["file_id"]
    gold = tokens(truth["ground_truth"].get("main_content"))
    out = tokens(predicted.get(file_id, ""))
    page_type = truth["_internal"]["page_type"]["primary"]
    if not gold:
        p = r = f1 = 1.0 if not out else 0.0
    elif not out:
        p = r = f1 = 0.0
    else:
        overlap = sum((Counter(out) & Counter(gold)).values())
        p, r = overlap / len(out), overlap / len(gold)
        f1 = 2 * p * r / (p + r) if p + r else 0.0
    rows.append((page_type, file_id, f1, p, r, len(out), len(gold), truth["url"]))

for page_type in sorted({row[0] for row in rows}):
    of_type = [row for row in rows if row[0] == page_type]
    print(
        f"{page_type:14} n={len(of_type)} F1={statistics.mean(r[2] for r in of_type):.3f}"
        f" P<.7:{sum(r[3] < 0.7 for r in of_type)} R<.7:{sum(r[4] < 0.7 for r in of_type)}"
        f" empty_out:{sum(r[5] == 0 for r in of_type)} empty_gold:{sum(r[6] == 0 for r in of_type)}"
    )
if args.page_type:
    worst = sorted((r for r in rows if r[0] == args.page_type), key=lambda r: r[2])[: args.n]
    for _, file_id, f1, p, r, out, gold, url in worst:
        print(f"  {file_id} F1={f1:.2f} P={p:.2f} R={r:.2f} out={out} gold={gold} {url[:90]}")
