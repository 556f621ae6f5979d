"""RSS over many calls: gleaner.extract in a loop over pages repeated.

    python bench/memory.py [--calls 100000] [--data training-data]

Prints the resident set size (VmRSS, Linux) after 1,000 calls and every 10,000 calls, and
the growth from 10,000 to the end. The pages (default: the repository's training pages, all
files under training-data/ and their gzipped forms) are read into memory first.
"""

from __future__ import annotations

import argparse
import gzip
import sys
import time
from pathlib import Path

import gleaner

REPO = Path(__file__).resolve().parents[2]


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--data", type=Path, default=REPO / "training-data")
    parser.add_argument("--model", help="a model file (default: the built-in model)")
    args = parser.parse_args()

    files = sorted(p for p in args.data.rglob("*") if p.is_file() and ".htm" in p.name)
    pages = []
    for path in files:
        data = path.read_bytes()
        pages.append(data)  # bytes, as fetched
        html = (gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data).decode("utf-8", "replace")
        pages.append(html)  # and str
    pages.append(b"")  # and a failing page
    text_extractor = gleaner.Extractor(args.model)
    json_extractor = gleaner.Extractor(args.model, output_format="json")
    print(f"{len(pages)} pages ({len(files)} files as bytes and as str, and an empty one); "
          f"RSS before the first call {rss_mb():.1f} MB", flush=True)
    start = time.perf_counter()
    at = {}
    for i in range(1, args.calls + 1):
        page = pages[i % len(pages)]
        try:
            if i % 2:
                text_extractor.extract(page)
            else:
                json_extractor.extract(page)
        except gleaner.GleanerError:
            pass
        if i == 1000 or i % 10_000 == 0:
            at[i] = rss_mb()
            print(f"{i:>7} calls  RSS {at[i]:7.1f} MB  ({time.perf_counter() - start:.0f} s)", flush=True)
    if 10_000 in at:
        print(f"RSS at 10,000 calls {at[10_000]:.1f} MB, at {args.calls:,} calls {at[args.calls]:.1f} MB: "
              f"{at[args.calls] - at[10_000]:+.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
