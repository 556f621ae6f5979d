#!/usr/bin/env python3
"""Title, author and publication date: gleaner against trafilatura on the same pages.

Runs `gleaner batch` over a WCXB-style folder (html/NNNN.html.gz beside ground-truth/NNNN.json
holding title, author, publish_date) and trafilatura's `bare_extraction(html,
with_metadata=True)` on the same pages (neither is told the page's URL), and prints, per field:

  gold     pages whose ground truth has the field
  found    of those, pages where the tool gave a value (coverage)
  correct  of those, pages where the value matches (accuracy = correct / gold)
  prec     correct / found
  extra    pages without the field in the ground truth where the tool gave one anyway

Matching, after normalisation (Unicode NFKC, case, whitespace, typographic quotes and dashes):
  title   equal strings
  author  any name the tool lists equals any name the ground truth lists ("By " ignored;
          lists split at commas, semicolons, "&" and "and")
  date    the same calendar day

Usage:
  bench/metadata_eval.py [--data ../shared/data/wcxb-dev] [--gleaner target/release/gleaner]
      [--python /path/to/venv/bin/python] [--errors title|author|date] [--limit N]

--python names the interpreter that has trafilatura (default: this one); its results are
cached in --cache (default /tmp/trafilatura-metadata-<data>.json) keyed by trafilatura's version,
since it takes minutes. --no-peer skips it.
"""

import argparse
import glob
import gzip
import json
import os
import re
import subprocess
import sys
import tempfile
import unicodedata

PEER_SCRIPT = r"""
import gzip, json, sys, warnings
warnings.filterwarnings("ignore")
import logging
logging.disable(logging.CRITICAL)
import trafilatura
out = {"version": trafilatura.__version__, "pages": {}}
for path in sys.argv[1:]:
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    html = raw.decode("utf-8", errors="replace")
    try:
        doc = trafilatura.bare_extraction(html, with_metadata=True)
    except Exception as e:  # a peer failing on a page counts as nothing found
        doc = None
    if doc is not None and hasattr(doc, "as_dict"):
        doc = doc.as_dict()
    doc = doc or {}
    out["pages"][path] = {k: doc.get(k) for k in ("title", "author", "date")}
json.dump(out, sys.stdout)
"""


def norm(text):
    text = unicodedata.normalize("NFKC", text or "")
    text = text.translate(
        str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
                       "\u2013": "-", "\u2014": "-", "\u00a0": " "}))
    return " ".join(text.casefold().split())


def names(value):
    if not value:
        return set()
    if isinstance(value, list):
        value = "; ".join(v for v in value if isinstance(v, str))
    out = set()
    whole = norm(value)
    parts = re.split(r"[,;&|]| and ", whole)
    for part in [whole] + parts:
        part = re.sub(r"^(written by|posted by|by)\s+", "", part.strip())
        part = part.strip(" .:-")
        if part:
            out.add(part)
    return out


def day(value):
    if not value:
        return None
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", str(value).strip())
    return m.groups() if m else None


def match(field, gold, got):
    if field == "title":
        return norm(gold) == norm(got)
    if field == "author":
        return bool(names(gold) & names(got))
    return day(gold) is not None and day(gold) == day(got)


def run_gleaner(binary, files, jobs):
    with tempfile.TemporaryDirectory() as tmp:
        listing = os.path.join(tmp, "files.txt")
        with open(listing, "w") as f:
            f.write("\n".join(files) + "\n")
        out = os.path.join(tmp, "out.jsonl")
        subprocess.run([binary, "batch", "--files-from", listing, "--output", out,
                        "--jobs", str(jobs), "--no-progress"], check=True,
                       stderr=subprocess.DEVNULL)
        records = {}
        with open(out) as f:
            for line in f:
                r = json.loads(line)
                records[r["path"]] = {"title": r.get("title"), "author": r.get("author"),
                                      "date": r.get("date_published")}
        return records


def run_peer(python, files, cache):
    version = subprocess.run([python, "-c", "import trafilatura; print(trafilatura.__version__)"],
                             check=True, capture_output=True, text=True).stdout.strip()
    if cache and os.path.exists(cache):
        with open(cache) as f:
            cached = json.load(f)
        if cached.get("version") == version and all(p in cached["pages"] for p in files):
            return cached["pages"], version
    result = subprocess.run([python, "-c", PEER_SCRIPT] + files, check=True,
                            capture_output=True, text=True)
    data = json.loads(result.stdout)
    if cache:
        with open(cache, "w") as f:
            json.dump(data, f)
    return data["pages"], data["version"]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=os.path.join(here, "..", "..", "shared", "data", "wcxb-dev"))
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(here, "..", "target"))
    ap.add_argument("--gleaner", default=os.path.join(target, "release", "gleaner"))
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--cache")
    ap.add_argument("--no-peer", action="store_true")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--limit", type=int)
    ap.add_argument("--errors", choices=["title", "author", "date"])
    args = ap.parse_args()

    data = os.path.abspath(args.data)
    files = sorted(glob.glob(os.path.join(data, "html", "*.html*")))[: args.limit]
    gold = {}
    for path in files:
        file_id = os.path.basename(path).split(".")[0]
        with open(os.path.join(data, "ground-truth", file_id + ".json")) as f:
            g = json.load(f)["ground_truth"]
        gold[path] = {"title": g.get("title"), "author": g.get("author"),
                      "date": g.get("publish_date")}

    tools = {"gleaner": run_gleaner(args.gleaner, files, args.jobs)}
    if not args.no_peer:
        cache = args.cache or os.path.join(
            tempfile.gettempdir(), "trafilatura-metadata-%s.json" % os.path.basename(data))
        peer, version = run_peer(args.python, files, cache)
        tools["trafilatura " + version] = peer

    print(f"{len(files)} pages from {data}")
    print(f"{'field':8} {'tool':22} {'gold':>5} {'found':>6} {'correct':>8} "
          f"{'coverage':>9} {'accuracy':>9} {'prec':>6} {'extra':>6}")
    for field in ("title", "author", "date"):
        for tool, results in tools.items():
            n = found = correct = extra = 0
            for path in files:
                g = gold[path][field]
                got = (results.get(path) or {}).get(field)
                if not g:
                    extra += bool(got)
                    continue
                n += 1
                found += bool(got)
                correct += bool(got) and match(field, g, got)
            print(f"{field:8} {tool:22} {n:5} {found:6} {correct:8} "
                  f"{found / max(n, 1):9.1%} {correct / max(n, 1):9.1%} "
                  f"{correct / max(found, 1):6.1%} {extra:6}")

    if args.errors:
        field = args.errors
        print(f"\n{field} errors of gleaner (id | gold | gleaner | others)")
        for path in files:
            g = gold[path][field]
            got = tools["gleaner"].get(path, {}).get(field)
            if g and not (got and match(field, g, got)):
                others = [str((r.get(path) or {}).get(field)) for t, r in tools.items()
                          if t != "gleaner"]
                print(" | ".join([os.path.basename(path).split(".")[0], str(g), str(got)] + others))


if __name__ == "__main__":
    main()
