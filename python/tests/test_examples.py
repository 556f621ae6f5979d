"""The examples run, and their records equal `gleaner batch`'s on the same pages."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import EXAMPLES, TRAINING, model_path


def run_example(name: str, *args: str) -> None:
    command = [sys.executable, str(EXAMPLES / name), *args]
    if model_path():
        command.append(model_path())
    done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=900)
    assert done.returncode == 0, done.stdout.decode("utf-8", "replace")[-4000:]


def test_datatrove_step_equals_batch(cli, pages, tmp_path):
    pytest.importorskip("datatrove")
    lines = [{"url": f"https://example.org/page/{i}", "html": p.read_bytes().decode("utf-8", "replace")}
             for i, p in enumerate(pages)]
    lines += [{"url": "https://example.org/empty", "html": ""},
              {"url": "https://example.org/bare", "html": "<html><body></body></html>"}]
    source = tmp_path / "pages.jsonl"
    source.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    run_example("datatrove_step.py", str(source), str(tmp_path / "out"))

    out = (tmp_path / "out" / "pages.jsonl").read_text(encoding="utf-8").splitlines()
    documents = {d["metadata"]["url"]: d["text"] for d in map(json.loads, out)}
    records = cli.batch(str(source))
    expected = {r["url"]: r["text"] for r in records if r["text"]}  # datatrove drops empty docs
    assert len(expected) >= len(pages) - 2
    assert documents == expected


def test_spark_udf_equals_batch(cli, pages, tmp_path):
    pytest.importorskip("pyspark")
    pytest.importorskip("pandas")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("pyspark needs Java (default-jre-headless)")
    crawl = tmp_path / "crawl"
    shutil.copytree(TRAINING, crawl, ignore=shutil.ignore_patterns("*.md"))
    (crawl / "odd").mkdir()
    (crawl / "odd" / "empty.html").write_bytes(b"")
    (crawl / "odd" / "binary.html").write_bytes(bytes(range(256)) * 40)
    (crawl / "odd" / "latin.html").write_bytes("<p>Café crème à côté, très bien servi.</p>".encode("latin-1"))
    out = tmp_path / "spark.jsonl"
    run_example("spark_udf.py", str(crawl), str(out))

    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    records = cli.batch(str(crawl))
    assert len(records) == len(pages) + 3
    # Spark's file sources never list empty files: the one page Spark loses before gleaner.
    empty = str(crawl / "odd" / "empty.html")
    assert [r["error_kind"] for r in records if r["path"] == empty] == ["empty"]
    records = [r for r in records if r["path"] != empty]
    assert sorted(rows, key=lambda r: r["path"]) == sorted(records, key=lambda r: r["path"])
    assert [r["error_kind"] for r in rows if "error" in r] == ["decode"]


def test_spark_udf_function_gives_one_row_per_page(cli, model, pages):
    """The mapInPandas function itself, on pandas frames: an empty page is an error row."""
    pd = pytest.importorskip("pandas")
    sys.path.insert(0, str(EXAMPLES))
    try:
        import spark_udf
    finally:
        sys.path.remove(str(EXAMPLES))
    chosen = pages[:5]
    frame = pd.DataFrame({
        "path": [str(p) for p in chosen] + ["empty.html", "binary.html"],
        "content": [p.read_bytes() for p in chosen] + [b"", bytes(range(256)) * 40],
    })
    out = pd.concat(list(spark_udf.extract_batches(model)(iter([frame[:3], frame[3:]]))))
    assert list(out["path"]) == list(frame["path"])
    assert list(out.columns) == spark_udf.FIELDS
    assert list(out["error_kind"][-2:]) == ["empty", "decode"]
    records = {r["path"]: r for r in cli.batch(*map(str, chosen))}
    for row in out.to_dict("records")[:5]:
        record = records[row["path"]]
        assert row["text"] == record["text"] and row["title"] == record["title"]
        assert row["confidence"] == record.get("confidence")
