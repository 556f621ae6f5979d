"""Bad input gives a clear exception or a best-effort result, page by page."""

from __future__ import annotations

import gzip
import random

import pytest

import gleaner
from conftest import model_path

ARTICLE = (
    "<html><head><title>Harbour reopens</title></head><body><nav><a href='/'>Home</a></nav>"
    "<article><h1>Harbour reopens after storm repairs</h1>"
    + "<p>The harbour reopened on Monday after three months of repairs to the sea wall, which "
    "was badly damaged in the January storms, the port authority said.</p>" * 5
    + "</article><footer>© 2024 Coast News · Privacy · Terms</footer></body></html>"
)


@pytest.mark.parametrize(
    "value, name",
    [(None, "None"), (42, "int"), (4.2, "float"), (["<p>x</p>"], "list"),
     (bytearray(b"<p>x</p>"), "bytearray"), (memoryview(b"<p>x</p>"), "memoryview"),
     ({"html": "<p>x</p>"}, "dict")],
)
def test_wrong_types_raise_type_errors(extractor, value, name):
    for call in (extractor.extract, gleaner.extract, gleaner.blocks):
        with pytest.raises(TypeError) as caught:
            call(value)
        error = caught.value
        assert isinstance(error, gleaner.GleanerError) and isinstance(error, gleaner.GleanerTypeError)
        assert error.kind == "type"
        assert "must be str" in str(error) and name in str(error)


def test_wrong_url_and_charset_types(extractor):
    with pytest.raises(gleaner.GleanerTypeError, match="url must be str or None, not int"):
        extractor.extract(ARTICLE, 5)
    with pytest.raises(gleaner.GleanerTypeError, match="charset must be str or None, not bytes"):
        extractor.extract(ARTICLE.encode(), charset=b"utf-8")


def test_binary_bytes_are_a_decode_error(extractor):
    rng = random.Random(7)
    noise = bytes(rng.randrange(256) for _ in range(20_000))
    png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + noise
    for data in (noise, png):
        with pytest.raises(gleaner.GleanerError) as caught:
            extractor.extract(data)
        assert caught.value.kind == "decode"
        assert "binary" in str(caught.value)


def test_corrupt_gzip_is_a_decode_error(extractor):
    good = gzip.compress(ARTICLE.encode())
    assert "harbour reopened" in extractor.extract(good)
    with pytest.raises(gleaner.GleanerError) as caught:
        extractor.extract(good[: len(good) // 2] + b"\xff" * 40)
    assert caught.value.kind == "decode"


def test_empty_input(extractor):
    for data in ("", b""):
        with pytest.raises(gleaner.GleanerError) as caught:
            extractor.extract(data)
        assert caught.value.kind == "empty"
    # Markup without text is not an error: there is just no article.
    assert extractor.extract("<html><body><div></div></body></html>") == ""


def test_invalid_utf8_bytes_are_read_best_effort(extractor):
    # Latin-1 bytes with no declaration: detected, not mangled.
    latin = ARTICLE.replace("harbour", "café harbour").encode("latin-1")
    text = extractor.extract(latin)
    assert "café harbour reopened" in text
    record = gleaner.Extractor(model_path(), output_format="json").extract(latin)
    assert record["encoding"] != "UTF-8"
    # A few stray bytes in a UTF-8 page declared UTF-8: kept page, replacement characters.
    broken = ARTICLE.replace("repairs", "rep\xe9airs").encode("latin-1").replace(
        b"<head>", b'<head><meta charset="utf-8">'
    )
    assert "harbour reopened" in extractor.extract(broken)


def test_lone_surrogates_in_str_are_replaced(extractor):
    page = ARTICLE.replace("Monday", "Mon\udcffday")
    assert "Mon\ufffdday" in extractor.extract(page)


def test_50_mb_string_is_cut_and_marked_truncated():
    page = ARTICLE + "<p>" + ("filler words in a very long page " * 1_600_000) + "</p>"
    assert len(page) > 50_000_000
    extractor = gleaner.Extractor(model_path(), output_format="json")
    record = extractor.extract(page)
    assert record["truncated"] is True
    assert "harbour reopened" in record["text"]
    smaller = gleaner.Extractor(model_path(), output_format="json", max_bytes=1 << 20)
    assert smaller.extract(page.encode())["truncated"] is True


def test_bad_options_raise_value_errors():
    with pytest.raises(ValueError, match="output_format 'xml' is not supported; use one of: 'text', 'json'"):
        gleaner.Extractor(output_format="xml")
    with pytest.raises(ValueError, match="max_bytes must be a positive"):
        gleaner.extract(ARTICLE, max_bytes=0)
    with pytest.raises(ValueError, match="blocks=True"):
        gleaner.Extractor(blocks=True)
    with pytest.raises(ValueError, match="with_metadata=True needs output_format='json'"):
        gleaner.extract(ARTICLE, with_metadata=True)
    with pytest.raises(TypeError):
        gleaner.extract(ARTICLE, format="json")  # the CLI's flag is output_format here


def test_bad_model_files(tmp_path):
    with pytest.raises(gleaner.GleanerError) as caught:
        gleaner.Extractor(tmp_path / "missing.json")
    assert caught.value.kind == "io"
    junk = tmp_path / "junk.json"
    junk.write_text('{"not": "a model"}')
    with pytest.raises(gleaner.GleanerError) as caught:
        gleaner.Extractor(junk)
    assert caught.value.kind == "model"


def test_bad_pages_in_extract_many_cost_only_themselves(extractor):
    pages = [ARTICLE, None, bytes(range(256)) * 12, "", 7, ARTICLE.encode("utf-16"), (ARTICLE, "https://e.org/a"),
             (ARTICLE,), (ARTICLE, 3), ARTICLE]
    results = extractor.extract_many(pages, threads=2)
    assert len(results) == len(pages)
    kinds = [r.kind if isinstance(r, gleaner.GleanerError) else "ok" for r in results]
    assert kinds == ["ok", "type", "decode", "empty", "type", "ok", "ok", "type", "type", "ok"]
    assert "page 1 must be str" in str(results[1])
    assert "a tuple of 1 items" in str(results[7])
    assert "the url of page 8" in str(results[8])
    assert results[0] == results[5] == results[6] == results[9]
