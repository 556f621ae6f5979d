"""extract_many(threads=2) against threads=1, and `gleaner batch --jobs 2` against --jobs 1,
alternated round by round so that a load that comes and goes hits all four alike.

    python bench/threads.py [--data ../shared/data/wcxb-dev/html] [--limit 400] [--rounds 5]

Prints each round's pages/s and the two speed-ups of that round, then the best of each.
"""

from __future__ import annotations

import argparse
import gzip
import os
import subprocess
import sys
import time
from pathlib import Path

import gleaner

REPO = Path(__file__).resolve().parents[2]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "wcxb-dev" / "html")
    parser.add_argument("--limit", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--model", help="a model file (default: the built-in model)")
    parser.add_argument("--cli", type=Path, default=Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target")) / "release" / "gleaner")
    args = parser.parse_args()

    files = sorted(p for p in args.data.iterdir() if ".htm" in p.name)[: args.limit]
    pages = [(gzip.decompress(b) if b[:2] == b"\x1f\x8b" else b).decode("utf-8", "replace")
             for b in (p.read_bytes() for p in files)]
    n = len(pages)
    extractor = gleaner.Extractor(args.model)
    extractor.extract(pages[0])
    model = ["--model", args.model] if args.model else []

    def python(threads):
        return lambda: extractor.extract_many(pages, threads=threads)

    def cli(jobs):
        return lambda: subprocess.run(
            [str(args.cli), "batch", *map(str, files), "--jobs", str(jobs), "--output", os.devnull,
             "--no-progress", *model], check=True, stderr=subprocess.DEVNULL)

    runs = {"many1": python(1), "many2": python(2), "cli1": cli(1), "cli2": cli(2)}
    best = {k: 0.0 for k in runs}
    print(f"{n} pages, {os.cpu_count()} cores; pages/s per round")
    for r in range(args.rounds):
        rate = {}
        for name, work in runs.items():
            start = time.perf_counter()
            work()
            rate[name] = n / (time.perf_counter() - start)
            best[name] = max(best[name], rate[name])
        print(f"round {r + 1}: extract_many 1 thread {rate['many1']:6.1f}, 2 threads {rate['many2']:6.1f} "
              f"({rate['many2'] / rate['many1']:.2f}x); batch --jobs 1 {rate['cli1']:6.1f}, --jobs 2 "
              f"{rate['cli2']:6.1f} ({rate['cli2'] / rate['cli1']:.2f}x); load average "
              + " ".join(f"{x:.2f}" for x in os.getloadavg()), flush=True)
    print(f"best: extract_many 2/1 threads {best['many2'] / best['many1']:.2f}x "
          f"({best['many1']:.1f} -> {best['many2']:.1f}); batch 2/1 jobs {best['cli2'] / best['cli1']:.2f}x "
          f"({best['cli1']:.1f} -> {best['cli2']:.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
