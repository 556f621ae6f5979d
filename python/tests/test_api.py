"""The package's surface: signatures, options, pickling, stubs and docstrings."""

from __future__ import annotations

import inspect
import pickle
from pathlib import Path

import pytest

import gleaner
from conftest import model_path, outcome
from test_bad_input import ARTICLE

#: The metadata fields of a record, each present when the page has it (`src/metadata.rs`).
METADATA_FIELDS = {"author", "date_published", "date_modified", "site_name", "language",
                   "canonical_url", "description", "image", "tags"}


def test_module_functions_equal_the_built_in_extractor():
    """Module-level calls are Extractor() (the built-in model) with the same options; an
    error (a built-in model that does not load, say) is the same error."""

    def via_extractor(html, url=None, **options):
        return gleaner.Extractor(**options).extract(html, url)

    def blocks_via_extractor(html):
        return gleaner.Extractor().blocks(html)

    assert outcome(gleaner.extract, ARTICLE) == outcome(via_extractor, ARTICLE)
    options = {"output_format": "json", "include_comments": True}
    assert outcome(gleaner.extract, ARTICLE, "https://e.org/a", **options) == outcome(
        via_extractor, ARTICLE, "https://e.org/a", **options
    )
    assert outcome(gleaner.blocks, ARTICLE) == outcome(blocks_via_extractor, ARTICLE)


def test_json_record_fields(json_extractor):
    record = json_extractor.extract(ARTICLE.encode(), "https://news.example.org/harbour.html")
    assert record["title"].startswith("Harbour reopens")
    assert "harbour reopened on Monday" in record["text"] and "Privacy" not in record["text"]
    assert record["encoding"] == "UTF-8"
    assert 0 <= record["title_clickbait"] <= 1
    assert set(record) <= {"title", "title_clickbait", "text", "encoding", "truncated",
                           "page_type", "confidence", "blocks", *METADATA_FIELDS}
    if "confidence" in record:
        assert 0 <= record["confidence"] <= 1
    # The page names no language: it is detected from the article's text.
    assert record["language"] == "en"
    # with_metadata is accepted with JSON and changes nothing.
    assert gleaner.Extractor(model_path(), output_format="json", with_metadata=True).extract(
        ARTICLE.encode(), "https://news.example.org/harbour.html") == record


def test_blocks_records(extractor):
    blocks = extractor.blocks(ARTICLE)
    assert [b["index"] for b in blocks] == list(range(len(blocks)))
    assert {"text", "tag", "tag_path", "label", "score", "first_score", "features"} <= set(blocks[0])
    kept = [b["text"] for b in blocks if b["label"] == "content"]
    assert "\n\n".join(kept) == extractor.extract(ARTICLE)


def test_clickbait_score():
    one = gleaner.clickbait_score("You won't believe what happened next")
    assert isinstance(one, float) and 0 <= one <= 1
    assert gleaner.clickbait_score(["You won't believe what happened next", "Budget passed"])[0] == one
    assert gleaner.clickbait_score(h for h in ["a", "b"]) == gleaner.clickbait_score(["a", "b"])
    assert gleaner.clickbait_score([]) == []
    for bad in (None, b"bytes", 3):
        with pytest.raises(gleaner.GleanerTypeError):
            gleaner.clickbait_score(bad)
    with pytest.raises(gleaner.GleanerTypeError, match="headline 1 must be str"):
        gleaner.clickbait_score(["ok", 2])


def test_extractor_properties_repr_and_pickle(tmp_path):
    extractor = gleaner.Extractor(model_path(), output_format="json", include_comments=True,
                                  max_bytes=123456)
    assert extractor.output_format == "json" and extractor.include_comments
    assert extractor.max_bytes == 123456
    assert extractor.options == {"output_format": "json", "include_comments": True,
                                 "blocks": False, "max_bytes": 123456}
    assert "include_comments=True" in repr(extractor)
    copy = pickle.loads(pickle.dumps(extractor))
    assert copy.options == extractor.options and copy.model == extractor.model
    assert copy.extract(ARTICLE) == extractor.extract(ARTICLE)
    if model_path():
        assert gleaner.Extractor(model_path()).model == Path(model_path())


def test_errors_pickle_with_their_kind():
    error = gleaner.GleanerError("the input is empty", "empty")
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is gleaner.GleanerError and copy.kind == "empty" and str(copy) == str(error)
    type_error = pickle.loads(pickle.dumps(gleaner.GleanerTypeError("bad", "type")))
    assert isinstance(type_error, TypeError) and type_error.kind == "type"


def test_keyword_only_options():
    with pytest.raises(TypeError):
        gleaner.extract(ARTICLE, None, "json")  # output_format is keyword-only
    with pytest.raises(TypeError):
        gleaner.Extractor(None, "json")


def test_stubs_docstrings_and_typed_marker():
    package = Path(gleaner.__file__).parent
    assert (package / "py.typed").is_file()
    assert (package / "_gleaner.pyi").is_file()
    for name in gleaner.__all__:
        assert hasattr(gleaner, name), name
    for item in (gleaner, gleaner.extract, gleaner.Extractor, gleaner.Extractor.extract,
                 gleaner.Extractor.extract_many, gleaner.blocks, gleaner.clickbait_score,
                 gleaner.GleanerError):
        assert item.__doc__ and len(item.__doc__) > 40, item
    signature = inspect.signature(gleaner.extract)
    assert list(signature.parameters)[:2] == ["html", "url"]
    assert signature.parameters["output_format"].kind is inspect.Parameter.KEYWORD_ONLY
    assert signature.parameters["output_format"].default == "text"
    assert signature.parameters["include_comments"].default is False
    assert signature.parameters["with_metadata"].default is False
    assert "threads" in inspect.signature(gleaner.Extractor.extract_many).parameters
    assert gleaner.OUTPUT_FORMATS == ["text", "json"] and gleaner.DEFAULT_MAX_BYTES == 10 << 20


def test_a_str_page_is_left_as_it_was(extractor):
    """No UTF-8 copy is left cached inside a non-ASCII str page (it would double the memory
    of the pages a caller keeps); sys.getsizeof counts that cache."""
    import sys

    page = ARTICLE.replace("Monday", "lundi, café crème " * 20_000)
    size = sys.getsizeof(page)
    assert "café crème" in extractor.extract(page)
    extractor.extract_many([page, page], threads=2)
    assert sys.getsizeof(page) == size
    page.encode("utf-8")  # (encoding alone caches nothing either)
    assert sys.getsizeof(page) == size


def test_stubs_match_the_module(tmp_path):
    """mypy's stubtest: every signature of _gleaner.pyi matches the compiled module."""
    import subprocess
    import sys

    pytest.importorskip("mypy")
    done = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "gleaner._gleaner"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout.decode()[-3000:]
