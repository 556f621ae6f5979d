"""Headline-sized lines of the seed-style training pages, by label, for the clickbait check.

    python bench/seed_teaser_headlines.py teaser  > teasers.txt   # the teaser headlines
    python bench/seed_teaser_headlines.py content > content.txt   # article lines of 3-30 words

Reads `training-data/teasers/*-readable.html` (one markup per article, so an article's lines
count once): every element labelled `data-gleaner-label=LABEL`; a teaser element's links are
its headlines (a list of related stories is one element with a link per story), any other
element is one line. Lines of 3 to 30 words, each distinct line once, sorted. Standard
library only.
"""

import glob
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Labelled(HTMLParser):
    """Collects the text of each element with the wanted label (nested ones too), and of the
    links inside it."""

    def __init__(self, label):
        super().__init__(convert_charrefs=True)
        self.label = label
        self.stack = []  # per open element: (tag, its collector or None)
        self.open = []  # collectors of the open labelled elements: {"text", "links"}
        self.link_texts = []  # per open link: its text pieces
        self.lines = []

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        collector = None
        if dict(attrs).get("data-gleaner-label") == self.label:
            collector = {"text": [], "links": []}
            self.open.append(collector)
        self.stack.append((tag, collector))
        if tag == "a":
            self.link_texts.append([])

    def handle_endtag(self, tag):
        if tag in VOID or not self.stack:
            return
        open_tag, collector = self.stack.pop()
        if open_tag == "a" and self.link_texts:
            text = " ".join(self.link_texts.pop())
            for c in self.open:
                c["links"].append(text)
        if collector is not None:
            self.open.remove(collector)
            if self.label == "teaser" and collector["links"]:
                self.lines.extend(collector["links"])
            else:
                self.lines.append(" ".join(collector["text"]))

    def handle_data(self, data):
        for c in self.open:
            c["text"].append(data)
        for link in self.link_texts:
            link.append(data)


def main():
    label = sys.argv[1] if len(sys.argv) > 1 else "teaser"
    root = Path(__file__).resolve().parent.parent / "training-data" / "teasers"
    lines = set()
    for path in sorted(glob.glob(str(root / "*-readable.html"))):
        parser = Labelled(label)
        parser.feed(Path(path).read_text(encoding="utf-8"))
        for line in parser.lines:
            line = re.sub(r"\s+", " ", line).strip()
            if 3 <= len(line.split()) <= 30:
                lines.add(line)
    print("\n".join(sorted(lines)))


if __name__ == "__main__":
    main()
