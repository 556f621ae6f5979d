"""Results equal the command line's for the same options: `gleaner extract`, `gleaner batch`
(HTML files and JSON Lines), `gleaner blocks` and `gleaner clickbait`."""

from __future__ import annotations

import json

import pytest

import gleaner
from conftest import TRAINING, without_path


def assert_same(python_result, cli_record):
    """A batch record against what Python gave for the same page."""
    if "error" in cli_record:
        assert isinstance(python_result, gleaner.GleanerError), cli_record
        assert python_result.kind == cli_record["error_kind"]
        assert str(python_result) == cli_record["error"]
        assert python_result.to_record() == without_path(cli_record)
    else:
        assert python_result == without_path(cli_record), cli_record["path"]


def run_one(extractor, page):
    try:
        return extractor.extract(page)
    except gleaner.GleanerError as error:
        return error


@pytest.mark.parametrize("include_comments", [False, True])
def test_batch_of_files_equals_extract(cli, model, pages, include_comments):
    extra = ("--include-comments",) if include_comments else ()
    records = cli.batch(str(TRAINING), extra=extra)
    assert sorted(r["path"] for r in records) == sorted(str(p) for p in pages)
    extractor = gleaner.Extractor(model, output_format="json", include_comments=include_comments)
    for record in records:
        with open(record["path"], "rb") as f:
            assert_same(run_one(extractor, f.read()), record)


def test_batch_with_blocks_equals_extract_with_blocks(cli, model, pages):
    records = cli.batch(str(TRAINING), extra=("--fields", "blocks"))
    extractor = gleaner.Extractor(model, output_format="json", blocks=True)
    for record in records:
        assert record["blocks"], record["path"]
        with open(record["path"], "rb") as f:
            assert_same(run_one(extractor, f.read()), record)


def test_batch_equals_extract_many(cli, json_extractor, pages):
    records = cli.batch(*map(str, pages))
    assert [r["path"] for r in records] == [str(p) for p in pages]
    results = json_extractor.extract_many([p.read_bytes() for p in pages], threads=2)
    assert len(results) == len(records)
    for result, record in zip(results, records):
        assert_same(result, record)


def test_jsonl_batch_equals_extract_of_str_with_url(cli, model, pages, tmp_path):
    """A str page is read as `gleaner batch` reads the "html" of a JSON line, URL included."""
    lines = []
    for i, page in enumerate(pages):
        html = page.read_bytes().decode("utf-8", errors="replace")
        lines.append({"url": f"https://news.example.org/2024/05/story-{i}.html", "html": html})
    lines.append({"url": "https://example.org/forum/thread/1", "html": "<p>Only a line.</p>"})
    lines.append({"url": "https://example.org/empty", "html": ""})
    lines.append({"url": "https://example.org/decl", "html": '<meta charset="latin-1"><p>Café crème, à côté.</p>'})
    source = tmp_path / "pages.jsonl"
    source.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    records = cli.batch(str(source))
    assert len(records) == len(lines)
    extractor = gleaner.Extractor(model, output_format="json")
    for line, record in zip(lines, records):
        assert record["url"] == line["url"]
        try:
            result = extractor.extract(line["html"], line["url"])
        except gleaner.GleanerError as error:
            result = error
        assert_same(result, record)
    many = extractor.extract_many([(line["html"], line["url"]) for line in lines], threads=2)
    for result, record in zip(many, records):
        assert_same(result, record)


def test_extract_command_equals_extract(cli, model, pages):
    text = gleaner.Extractor(model)
    record = gleaner.Extractor(model, output_format="json")
    with_blocks = gleaner.Extractor(model, output_format="json", blocks=True)
    for page in pages[::7]:
        html = page.read_bytes()
        # print() adds one newline after the text / JSON line.
        assert cli.run("extract", str(page)).decode("utf-8") == text.extract(html) + "\n"
        assert json.loads(cli.run("extract", str(page), "--format", "json")) == record.extract(html)
        assert json.loads(
            cli.run("extract", str(page), "--format", "json", "--blocks")
        ) == with_blocks.extract(html)
        assert cli.run("extract", "-", input=html).decode("utf-8") == text.extract(html) + "\n"


def test_blocks_command_equals_blocks(cli, model, pages):
    extractor = gleaner.Extractor(model)
    for page in pages[::9]:
        lines = cli.run("blocks", str(page)).decode("utf-8").splitlines()
        assert [json.loads(line) for line in lines] == extractor.blocks(page.read_bytes())


def test_clickbait_command_equals_clickbait_score(cli):
    headlines = [
        "You won't believe what this cat did next",
        "Parliament approves the 2025 budget after a late-night session",
        "10 tricks doctors don't want you to know",
        "Harbour reopens after storm repairs",
        "Ça va changer votre vie : la méthode simple",
    ]
    out = cli.run("clickbait", "--format", "json", *headlines).decode("utf-8").splitlines()
    expected = [json.loads(line)["score"] for line in out]
    assert gleaner.clickbait_score(headlines) == expected
    assert [gleaner.clickbait_score(h) for h in headlines] == expected


def test_wcxb_dev_batch_equals_extract_many(cli, json_extractor, wcxb):
    """Every wcxb-dev page (gzipped, as fetched): the batch's record and extract_many's."""
    files = sorted(wcxb.iterdir())
    assert len(files) > 1000
    records = cli.batch(str(wcxb))
    assert [r["path"] for r in records] == [str(f) for f in files]
    results = json_extractor.extract_many((f.read_bytes() for f in files), threads=2)
    assert len(results) == len(records)
    for result, record in zip(results, records):
        assert_same(result, record)
    # The text output is the record's text.
    texts = gleaner.Extractor(json_extractor.model).extract_many(
        [f.read_bytes() for f in files[:200]], threads=2
    )
    for text, record in zip(texts, records):
        assert text == record["text"] or isinstance(text, gleaner.GleanerError)
