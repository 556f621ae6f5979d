#!/usr/bin/env python3
"""How much of a gold page's structure gleaner's Markdown keeps.

For every page directory with source.html and expected.html (the readability test pages:
../shared/data/readability-pages), the headings, list items, table rows and code blocks of
expected.html whose words gleaner keeps (they appear, in order, in `gleaner extract` text)
are looked up in gleaner's `--format markdown` output: a heading must come out as a heading
of the same level +-1, an item as a list item, a row as a pipe-table row, a <pre> as fenced
code. Prints the share per construct and the misses by cause.

    python3 bench/markdown_structure.py [--gleaner target/release/gleaner] [DATA_DIR] [-v]

Standard library only (html.parser); runs gleaner twice per page set (text, markdown) through
`gleaner batch --files-from`.
"""

import argparse
import collections
import json
import os
import re
import subprocess
import sys
import tempfile
from html.parser import HTMLParser

WORD = re.compile(r"\w+")


def words(text):
    return " ".join(w.lower() for w in WORD.findall(text))


class Constructs(HTMLParser):
    """Headings, list items (own text, nested lists left out), table rows and <pre>s."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []  # (kind, level, text)
        self.open = []  # stack of [kind, level, parts]
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self.open.append(["heading", int(tag[1]), []])
        elif tag == "li":
            self.open.append(["item", 0, []])
        elif tag == "tr":
            self.open.append(["row", 0, []])
        elif tag == "pre":
            self.open.append(["code", 0, []])
        elif tag in ("br", "td", "th", "p", "div") and self.open:
            self.open[-1][2].append(" ")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
        kind = {"li": "item", "tr": "row", "pre": "code"}.get(tag)
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            kind = "heading"
        if kind is None:
            return
        for i in range(len(self.open) - 1, -1, -1):
            if self.open[i][0] == kind:
                entry = self.open.pop(i)
                del self.open[i:]
                text = "".join(entry[2])
                self.found.append((kind, entry[1], text))
                # The text also belongs to enclosing constructs, except nested items and
                # rows, which are their own.
                if self.open and kind not in ("item", "row"):
                    self.open[-1][2].append(text)
                elif self.open and kind in ("item", "row") and self.open[-1][0] not in ("item", "row"):
                    self.open[-1][2].append(text)
                return

    def handle_data(self, data):
        if self.skip == 0 and self.open:
            self.open[-1][2].append(data)


def markdown_constructs(markdown):
    """(kind, level, words) of the Markdown's headings, items, table rows and code blocks,
    and the words of its paragraphs, for telling causes apart."""
    out = []
    fence = None
    code = []
    item = None
    for line in markdown.split("\n"):
        stripped = line.lstrip("> ").rstrip() if not fence else line
        if fence is not None:
            if stripped.strip().startswith(fence):
                out.append(("code", 0, words("\n".join(code))))
                fence, code = None, []
            else:
                code.append(line)
            continue
        m = re.match(r"(`{3,})", stripped)
        if m:
            fence, code = m.group(1), []
            item = None
            continue
        m = re.match(r"(#{1,6}) (.*)", stripped)
        if m:
            out.append(("heading", len(m.group(1)), words(m.group(2))))
            item = None
            continue
        m = re.match(r"\s*(?:[-+*]|\d+\.) (.*)", stripped)
        if m:
            item = ["item", 0, words(m.group(1))]
            out.append(item)
            # A heading as an item's text (`- ## Text`) is both.
            h = re.match(r"(#{1,6}) (.*)", m.group(1))
            if h:
                out.append(("heading", len(h.group(1)), words(h.group(2))))
            continue
        if stripped.startswith("|"):
            if not re.fullmatch(r"\|( --- \|)+", stripped):
                out.append(("row", 0, words(stripped)))
            item = None
            continue
        if not stripped:
            continue
        if item is not None and line.startswith(" "):
            item[2] = (item[2] + " " + words(stripped)).strip()
            continue
        item = None
        out.append(("paragraph", 0, words(stripped)))
    return out


def run_batch(gleaner, sources, fmt):
    with tempfile.TemporaryDirectory() as tmp:
        listing = os.path.join(tmp, "list")
        with open(listing, "w") as f:
            f.write("\n".join(sources) + "\n")
        out = os.path.join(tmp, "out.jsonl")
        subprocess.run(
            [gleaner, "batch", "--files-from", listing, "--output", out, "--format", fmt,
             "--no-progress"],
            check=True, stderr=subprocess.DEVNULL)
        records = {}
        with open(out) as f:
            for line in f:
                r = json.loads(line)
                records[r["path"]] = r.get("text", "")
        return records


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("data", nargs="?", default="../shared/data/readability-pages")
    ap.add_argument("--gleaner", default="target/release/gleaner")
    ap.add_argument("-v", "--verbose", action="store_true", help="list every miss")
    args = ap.parse_args()
    pages = sorted(
        d for d in os.listdir(args.data)
        if os.path.isfile(os.path.join(args.data, d, "source.html"))
        and os.path.isfile(os.path.join(args.data, d, "expected.html")))
    sources = [os.path.join(args.data, d, "source.html") for d in pages]
    texts = run_batch(args.gleaner, sources, "text")
    markdowns = run_batch(args.gleaner, sources, "markdown")
    totals = collections.Counter()
    hits = collections.Counter()
    causes = collections.Counter()
    misses = []
    for page, source in zip(pages, sources):
        parser = Constructs()
        with open(os.path.join(args.data, page, "expected.html"), encoding="utf-8",
                  errors="replace") as f:
            parser.feed(f.read())
        kept = " " + words(texts.get(source, "")) + " "
        md = markdown_constructs(markdowns.get(source, ""))
        for kind, level, text in parser.found:
            w = words(text)
            if not w or " " + w + " " not in kept:
                continue
            totals[kind] += 1
            padded = " " + w + " "

            def holds(entry):
                return padded in " " + entry[2] + " " if kind != "heading" else entry[2] == w

            same = [e for e in md if e[0] == kind and holds(e)]
            if kind == "heading":
                same = [e for e in same if abs(e[1] - level) <= 1]
            if same:
                hits[kind] += 1
                continue
            where = [e for e in md if w and (padded in " " + e[2] + " ")]
            if kind == "heading" and any(e[0] == "heading" for e in where):
                cause = "heading level off by more than 1"
            elif where:
                cause = f"written as {where[0][0]}"
            else:
                cause = "split across constructs"
            causes[(kind, cause)] += 1
            misses.append((page, kind, cause, w[:80]))
    all_total = sum(totals.values())
    all_hits = sum(hits.values())
    print(f"pages: {len(pages)}")
    for kind in ("heading", "item", "row", "code"):
        t = totals[kind]
        share = 100.0 * hits[kind] / t if t else 0.0
        print(f"{kind:8} {hits[kind]:5}/{t:<5} {share:5.1f}%")
    print(f"{'all':8} {all_hits:5}/{all_total:<5} {100.0 * all_hits / max(all_total, 1):5.1f}%")
    print("misses by cause:")
    for (kind, cause), n in causes.most_common():
        print(f"  {n:4}  {kind}: {cause}")
    if args.verbose:
        for page, kind, cause, w in misses:
            print(f"  {page}: {kind}: {cause}: {w}")


if __name__ == "__main__":
    sys.exit(main())
