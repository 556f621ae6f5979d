"""gleaner in Spark: ``mapInPandas`` over a DataFrame of HTML.

Every partition loads one ``gleaner.Extractor`` and runs ``extract_many`` over each Arrow
batch of pages; the result is a DataFrame with one row per page, the fields of a
``gleaner batch`` record (a failed page has ``error`` and ``error_kind`` and an empty
``text``; no page is lost). Run as a script, in Spark local mode::

    python examples/spark_udf.py crawl/ pages.jsonl [MODEL]

reads every *.html / *.html.gz under crawl/ (Spark's ``binaryFile`` source: raw bytes, so
gzip and charsets are handled as ``gleaner batch`` handles files) and writes JSONL records
equal to those of ``gleaner batch crawl/`` (the test suite checks it). Tested with
pyspark 4.0.1 (Java 17), pandas 2.3.3, pyarrow 21.0.0.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Iterator, Optional

import pandas as pd

import gleaner

#: The columns of a record (``path`` first); a field a page lacks is null (``truncated``: false).
SCHEMA = (
    "path string, title string, title_clickbait double, text string, error string, "
    "error_kind string, encoding string, truncated boolean, page_type string, confidence double, "
    "author array<string>, date_published string, date_modified string, site_name string, "
    "language string, canonical_url string, description string, image string, tags array<string>"
)
FIELDS = [column.split()[0] for column in SCHEMA.split(", ")]


def extract_batches(
    model: Optional[str] = None, threads: int = 1, **options
) -> "callable[[Iterator[pd.DataFrame]], Iterator[pd.DataFrame]]":
    """The function for ``df.mapInPandas(..., SCHEMA)``: ``df`` has a ``content`` column of
    bytes (or ``html`` of str) and a ``path`` column, and optionally ``url``. Spark already runs
    one task per core, hence one thread per task by default."""

    def run(frames: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        extractor = gleaner.Extractor(model, output_format="json", **options)
        for frame in frames:
            pages = frame["content"] if "content" in frame else frame["html"]
            urls = frame["url"] if "url" in frame else [None] * len(frame)
            results = extractor.extract_many(
                [(bytes(p) if isinstance(p, bytearray) else p, u) for p, u in zip(pages, urls)],
                threads=threads,
            )
            rows = []
            for path, result in zip(frame["path"], results):
                record = result.to_record() if isinstance(result, gleaner.GleanerError) else result
                row = {field: record.get(field) for field in FIELDS}
                row["path"] = path
                row["truncated"] = bool(record.get("truncated", False))
                rows.append(row)
            yield pd.DataFrame(rows, columns=FIELDS)

    return run


def local_path(uri: str) -> str:
    """Spark's ``file:/dir/page.html`` as the plain path ``gleaner batch`` prints."""
    for prefix in ("file://", "file:"):
        if uri.startswith(prefix):
            return uri[len(prefix):]
    return uri


def main(argv: list) -> int:
    if len(argv) not in (3, 4):
        print("usage: spark_udf.py INPUT_DIR OUTPUT.jsonl [MODEL]", file=sys.stderr)
        return 2
    from pyspark.sql import SparkSession

    # The executors' Python is this one (the one gleaner is installed in).
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    source, output = argv[1], argv[2]
    model = argv[3] if len(argv) == 4 else None
    spark = (
        SparkSession.builder.master("local[2]")
        .appName("gleaner")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    try:
        pages = (
            spark.read.format("binaryFile")
            .option("recursiveFileLookup", "true")
            .option("pathGlobFilter", "*.{html,htm,html.gz,htm.gz}")
            .load(source)
            .select("path", "content")
        )
        records = pages.mapInPandas(extract_batches(model), SCHEMA).orderBy("path")
        with open(output, "w", encoding="utf-8") as out:
            for row in records.toLocalIterator():
                record = {k: v for k, v in row.asDict().items() if v is not None}
                record["path"] = local_path(record["path"])
                if not record.get("truncated"):
                    record.pop("truncated", None)
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
    finally:
        spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
