"""Run gleaner over JSON Lines under Apache Spark with RDD.pipe.

Each input line is one page, {"url": ..., "html": ...}. Every partition of the input is
streamed through one `gleaner batch --input-format jsonl - --output -` process, which writes
one JSON record per input line (in the same order), so the output has exactly as many lines
as the input. Records carry "url" (from the input), "title", "text", and "error" /
"error_kind" for pages that failed. Their "path" is "-:N", N being the line number within
the partition, so join records to inputs by "url", not by "path".

    spark-submit gleaner_spark.py --gleaner /path/to/gleaner --input pages.jsonl --output out/

--output is a directory of part files (as RDD.saveAsTextFile writes them), or, with
--single-file, one JSONL file written by the driver (only for outputs that fit in memory).
"""

import argparse
import os
import shlex
import sys

from pyspark.sql import SparkSession


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gleaner", required=True, help="path of the gleaner binary on every worker")
    parser.add_argument("--input", required=True, help="JSONL file(s): a path, directory or glob")
    parser.add_argument("--output", required=True, help="output directory (or file with --single-file)")
    parser.add_argument("--partitions", type=int, default=0, help="minimum number of input partitions")
    parser.add_argument("--jobs", type=int, default=1, help="gleaner threads per partition (default 1: Spark parallelises)")
    parser.add_argument("--model", help="a gleaner model file, readable on every worker")
    parser.add_argument("--single-file", action="store_true", help="collect to the driver and write one JSONL file")
    args = parser.parse_args(argv)

    # "./gleaner" stays relative: it names the copy that `spark-submit --files` puts in each
    # task's working directory. Other paths are made absolute on the driver.
    gleaner = args.gleaner if args.gleaner.startswith("./") else os.path.abspath(args.gleaner)
    command = [gleaner, "batch", "--input-format", "jsonl", "-", "--output", "-",
               "--jobs", str(args.jobs), "--no-progress"]
    if args.model:
        command += ["--model", os.path.abspath(args.model)]

    spark = SparkSession.builder.appName("gleaner-extract").getOrCreate()
    sc = spark.sparkContext
    lines = sc.textFile(args.input, minPartitions=args.partitions or sc.defaultMinPartitions)
    # RDD.pipe splits the command with shlex; quote every part so paths with spaces survive.
    # checkCode: a gleaner process that exits non-zero (bad model, bad arguments) fails the
    # task instead of silently producing a short partition.
    records = lines.pipe(" ".join(shlex.quote(c) for c in command), checkCode=True)

    if args.single_file:
        with open(args.output, "w", encoding="utf-8") as out:
            for record in records.toLocalIterator():
                out.write(record)
                out.write("\n")
    else:
        records.saveAsTextFile(args.output)
    print(f"gleaner_spark: {lines.getNumPartitions()} partitions -> {args.output}", file=sys.stderr)
    spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
