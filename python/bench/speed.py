"""Speed of gleaner's Python package against trafilatura and resiliparse, in one process.

    python bench/speed.py [--data ../shared/data/wcxb-dev/html] [--runs 3] [--cli target/release/gleaner]

Every page is read into memory first (gunzipped, and decoded to str for the str runs), so only
extraction is timed. Each measurement is run --runs times and the best is reported, with the
load average beside it (the machine may be shared). Measured:

- gleaner.extract single-thread pages/s, on str pages and on the gzipped bytes as fetched;
- trafilatura.extract and resiliparse's extract_plain_text(main_content=True) on the same str
  pages, in the same run;
- Extractor.extract_many(threads=2) against threads=1;
- the `gleaner batch` command line (--jobs 1) on the same files, for the per-call overhead.

Needs: trafilatura, resiliparse (pip install -r bench/requirements.txt).
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


def load() -> str:
    return "load average %.2f %.2f %.2f" % os.getloadavg()


def best_of(runs: int, label: str, pages: int, work) -> float:
    """Runs `work` `runs` times; prints the best pages/s by the wall clock, and the best pages
    per CPU-second (this process's threads and its children's, all cores summed), which a
    busy machine disturbs less. Returns the best wall-clock pages/s."""
    rates, cpu_rates = [], []
    for _ in range(runs):
        before, start = os.times(), time.perf_counter()
        work()
        wall, after = time.perf_counter() - start, os.times()
        cpu = sum(after[:4]) - sum(before[:4])  # user + system, self and children
        rates.append(pages / wall)
        cpu_rates.append(pages / cpu if cpu > 0 else float("nan"))
    best = max(rates)
    shown = ", ".join(f"{r:.1f}" for r in rates)
    print(f"{label:<52} {best:7.1f} pages/s  {max(cpu_rates):7.1f} pages/CPU-s   "
          f"(runs: {shown}; {load()})", flush=True)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "wcxb-dev" / "html")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--limit", type=int, default=0, help="only the first N pages")
    parser.add_argument("--cli", type=Path, default=Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target")) / "release" / "gleaner")
    parser.add_argument("--skip-peers", action="store_true", help="gleaner only")
    parser.add_argument("--model", help="a model file (default: the built-in model)")
    args = parser.parse_args()

    files = sorted(p for p in args.data.iterdir() if ".htm" in p.name)
    if args.limit:
        files = files[: args.limit]
    raw = [p.read_bytes() for p in files]
    plain = [gzip.decompress(b) if b[:2] == b"\x1f\x8b" else b for b in raw]
    text = [b.decode("utf-8", errors="replace") for b in plain]
    n = len(files)
    megabytes = sum(map(len, plain)) / 1e6
    print(f"{n} pages from {args.data} ({megabytes:.1f} MB of HTML), {os.cpu_count()} cores, "
          f"gleaner {gleaner.__version__}, Python {sys.version.split()[0]}")
    print(f"start: {load()}")

    extractor = gleaner.Extractor(args.model)

    def extract_all(pages):
        def run():
            for page in pages:
                try:
                    extractor.extract(page)
                except gleaner.GleanerError:
                    pass
        return run

    extractor.extract(text[0])  # model loaded before timing
    rates = {}
    rates["gleaner_str"] = best_of(args.runs, "gleaner.extract, str pages, 1 thread", n, extract_all(text))
    rates["gleaner_bytes"] = best_of(args.runs, "gleaner.extract, gzipped bytes, 1 thread", n, extract_all(raw))

    if not args.skip_peers:
        import trafilatura
        from resiliparse.extract.html2text import extract_plain_text

        def trafilatura_all():
            for page in text:
                trafilatura.extract(page)

        def resiliparse_all():
            for page in text:
                extract_plain_text(page, main_content=True)

        rates["trafilatura"] = best_of(args.runs, "trafilatura.extract (2.0.0)", n, trafilatura_all)
        rates["resiliparse"] = best_of(
            args.runs, "resiliparse extract_plain_text(main_content=True)", n, resiliparse_all
        )
        print(f"gleaner / trafilatura: {rates['gleaner_str'] / rates['trafilatura']:.1f}x; "
              f"gleaner / resiliparse: {rates['gleaner_str'] / rates['resiliparse']:.2f}x")

    rates["many1"] = best_of(args.runs, "extract_many(threads=1), str pages", n,
                             lambda: extractor.extract_many(text, threads=1))
    rates["many2"] = best_of(args.runs, "extract_many(threads=2), str pages", n,
                             lambda: extractor.extract_many(text, threads=2))
    print(f"extract_many threads=2 / threads=1: {rates['many2'] / rates['many1']:.2f}x")

    if args.cli.is_file():
        for jobs in (1, 2):
            def batch():
                model = ["--model", args.model] if args.model else []
                subprocess.run([str(args.cli), "batch", *map(str, files), "--jobs", str(jobs),
                                "--output", os.devnull, "--no-progress", *model], check=True,
                               stderr=subprocess.DEVNULL)
            rates[f"cli{jobs}"] = best_of(args.runs, f"gleaner batch --jobs {jobs} (gzipped files)", n, batch)
        overhead_ms = (1 / rates["gleaner_bytes"] - 1 / rates["cli1"]) * 1e3
        print(f"per page: Python extract(bytes) {1e3 / rates['gleaner_bytes']:.3f} ms, CLI batch --jobs 1 "
              f"{1e3 / rates['cli1']:.3f} ms: Python's overhead {overhead_ms:+.3f} ms per call")
    else:
        print(f"no CLI at {args.cli}: build it with cargo build --release")

    start = time.perf_counter()
    calls = 20_000
    for _ in range(calls):
        extractor.extract("<p>x</p>")
    tiny = (time.perf_counter() - start) / calls * 1e6
    print(f"a call on a one-paragraph page: {tiny:.1f} µs")
    print(f"end: {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
