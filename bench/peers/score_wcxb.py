#!/usr/bin/env python3
"""Score extractor JSONL output on WCXB (dev split) with the benchmark's word metric.

Usage:
    python3 score_wcxb.py [--data DIR] [--json] [LABEL=]OUT.jsonl ...

DIR is the WCXB copy holding ground-truth/NNNN.json (default
/work/shared/data/wcxb-dev).  Each OUT.jsonl holds one record per page with at
least "path" and "text" (run_peer.py, rs-peers and gleaner output all do); a
record is matched to a ground-truth page by file id, the 4-digit stem of its
path ("…/0001.html.gz" -> "0001").  A page without a record scores as empty
output.  The label of a file is LABEL if given, else the file name without
".jsonl".

Metric, per page (ref = ground_truth.main_content, pred = the record's text):
    tokens    = re.findall(r'\\w+', text.lower())
    overlap   = size of the multiset intersection of pred and ref tokens
    precision = overlap / len(pred), recall = overlap / len(ref)
    ref empty  -> (P, R, F1) = (1, 1, 1) if pred is empty else (0, 0, 0)
    pred empty -> (0, 0, 0)
    F1 = 2PR / (P + R)  (0 when P + R = 0)
Reported: the mean of the per-page P, R and F1, overall and per page type
(_internal.page_type.primary; "category" counts as "collection").

Snippets: per page, the share of ground_truth.with snippets found in pred and
the share of ground_truth.without snippets found in pred (case-insensitive
substring), averaged over the pages that have snippets of that kind
(with: higher is better; without: lower is better).

Standard library only.
"""

import argparse
import collections
import json
import os
import re
import sys

DEFAULT_DATA = "/work/shared/data/wcxb-dev"
TYPE_ORDER = ["article", "service", "forum", "listing", "product", "collection", "documentation"]
TYPE_ALIASES = {"category": "collection"}
_TOKEN_RE = re.compile(r"\w+")
_ID_RE = re.compile(r"^(\d{4})(?:\.[^/]*)?$")


def tokens(text):
    return _TOKEN_RE.findall((text or "").lower())


def prf(pred_text, ref_text):
    pred = tokens(pred_text)
    ref = tokens(ref_text)
    if not ref:
        return (1.0, 1.0, 1.0) if not pred else (0.0, 0.0, 0.0)
    if not pred:
        return (0.0, 0.0, 0.0)
    overlap = sum((collections.Counter(pred) & collections.Counter(ref)).values())
    p = overlap / len(pred)
    r = overlap / len(ref)
    f = 2 * p * r / (p + r) if p + r > 0 else 0.0
    return (p, r, f)


def snippet_share(snippets, pred_lower):
    snippets = [s for s in (snippets or []) if isinstance(s, str) and s.strip()]
    if not snippets:
        return None
    return sum(1 for s in snippets if s.lower() in pred_lower) / len(snippets)


def file_id(path):
    base = os.path.basename(path or "")
    m = _ID_RE.match(base)
    return m.group(1) if m else None


def load_ground_truth(data_dir):
    gt_dir = os.path.join(data_dir, "ground-truth")
    pages = {}
    for fn in sorted(os.listdir(gt_dir)):
        if not fn.endswith(".json"):
            continue
        with open(os.path.join(gt_dir, fn), encoding="utf-8") as f:
            d = json.load(f)
        fid = str(d.get("file_id") or fn[:-5])
        g = d.get("ground_truth") or {}
        ptype = (((d.get("_internal") or {}).get("page_type") or {}).get("primary")) or "unknown"
        ptype = TYPE_ALIASES.get(ptype, ptype)
        pages[fid] = {
            "type": ptype,
            "ref": g.get("main_content") or "",
            "with": g.get("with") or [],
            "without": g.get("without") or [],
        }
    if not pages:
        sys.exit(f"error: no ground-truth/*.json under {data_dir}")
    return pages


def load_predictions(path):
    preds = {}
    stats = {"records": 0, "errors": 0, "unmatched": 0, "duplicates": 0}
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as e:
                print(f"warning: {path}:{lineno}: bad JSON ({e})", file=sys.stderr)
                continue
            stats["records"] += 1
            if rec.get("error"):
                stats["errors"] += 1
            fid = file_id(rec.get("path", ""))
            if fid is None:
                stats["unmatched"] += 1
                continue
            if fid in preds:
                stats["duplicates"] += 1
                continue  # first record wins
            preds[fid] = rec.get("text") or ""
    return preds, stats


def mean(xs):
    return sum(xs) / len(xs) if xs else None


def score(pages, preds):
    per_type = collections.defaultdict(lambda: {"p": [], "r": [], "f": [], "with": [], "without": []})
    missing = 0
    for fid, page in pages.items():
        if fid not in preds:
            missing += 1
        pred = preds.get(fid, "")
        p, r, f = prf(pred, page["ref"])
        low = pred.lower()
        w = snippet_share(page["with"], low)
        wo = snippet_share(page["without"], low)
        for key in ("all", page["type"]):
            acc = per_type[key]
            acc["p"].append(p)
            acc["r"].append(r)
            acc["f"].append(f)
            if w is not None:
                acc["with"].append(w)
            if wo is not None:
                acc["without"].append(wo)
    out = {}
    for key, acc in per_type.items():
        out[key] = {
            "pages": len(acc["f"]),
            "precision": mean(acc["p"]),
            "recall": mean(acc["r"]),
            "f1": mean(acc["f"]),
            "with_found": mean(acc["with"]),
            "without_found": mean(acc["without"]),
        }
    return out, missing


def fmt(x, width=6):
    return f"{x:.3f}".rjust(width) if x is not None else "-".rjust(width)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=DEFAULT_DATA, help=f"WCXB directory (default {DEFAULT_DATA})")
    ap.add_argument("--json", action="store_true", help="machine-readable output")
    ap.add_argument("outputs", nargs="+", metavar="[LABEL=]OUT.jsonl")
    args = ap.parse_args()

    pages = load_ground_truth(args.data)
    types = [t for t in TYPE_ORDER if any(p["type"] == t for p in pages.values())]
    types += sorted({p["type"] for p in pages.values()} - set(types))

    results = []
    for spec in args.outputs:
        label, sep, path = spec.partition("=")
        if not sep or not os.path.exists(path):
            label, path = None, spec
        if label is None:
            label = os.path.basename(path)
            if label.endswith(".jsonl"):
                label = label[: -len(".jsonl")]
        preds, stats = load_predictions(path)
        scores, missing = score(pages, preds)
        stats["missing"] = missing
        results.append({"label": label, "path": path, "stats": stats, "scores": scores})

    if args.json:
        json.dump({"data": args.data, "pages": len(pages), "types": types, "results": results},
                  sys.stdout, indent=2)
        print()
        return

    type_counts = collections.Counter(p["type"] for p in pages.values())
    print(f"WCXB word metric, {len(pages)} pages ({args.data}); mean of per-page values")
    print("types: " + ", ".join(f"{t} {type_counts[t]}" for t in types))
    print()
    lw = max([len("tool")] + [len(r["label"]) for r in results])
    head = f"{'tool'.ljust(lw)}  {'F1':>6}  {'P':>6}  {'R':>6}  {'with':>6}  {'w/out':>6}  {'missing':>7}  {'errors':>6}"
    print(head)
    print("-" * len(head))
    for r in results:
        s = r["scores"]["all"]
        print(f"{r['label'].ljust(lw)}  {fmt(s['f1'])}  {fmt(s['precision'])}  {fmt(s['recall'])}  "
              f"{fmt(s['with_found'])}  {fmt(s['without_found'])}  {r['stats']['missing']:>7}  "
              f"{r['stats']['errors']:>6}")
    for metric, name in (("f1", "F1"), ("precision", "P"), ("recall", "R")):
        print()
        print(f"per page type: {name}")
        cols = [t[:13] for t in types]
        cw = [max(6, len(c)) for c in cols]
        head = f"{'tool'.ljust(lw)}  " + "  ".join(c.rjust(w) for c, w in zip(cols, cw))
        print(head)
        print("-" * len(head))
        for r in results:
            cells = [fmt(r["scores"].get(t, {}).get(metric), w) for t, w in zip(types, cw)]
            print(f"{r['label'].ljust(lw)}  " + "  ".join(cells))


if __name__ == "__main__":
    main()
