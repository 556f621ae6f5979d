"""extract_many: input order, one result or one error per page, threads, and the GIL."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

import gleaner
from conftest import model_path


def page(i: int) -> str:
    body = "".join(
        f"<p>Story {i}: paragraph {j} of a long report on the harbour works, with enough words "
        f"to read as prose, marker-{i}-{j}.</p>"
        for j in range(4)
    )
    return f"<html><head><title>Story {i}</title></head><body><article>{body}</article></body></html>"


@pytest.mark.parametrize("threads", [1, 2, 3, 8, None])
def test_results_in_input_order(extractor, threads):
    pages = [page(i) for i in range(60)]
    results = extractor.extract_many(pages, threads=threads)
    assert len(results) == len(pages)
    for i, text in enumerate(results):
        assert f"marker-{i}-0" in text, (i, text[:80])
    assert results == [extractor.extract(p) for p in pages]


def test_generator_longer_than_a_chunk(extractor):
    n = 2600  # more than the 1,024 pages taken in at a time
    results = extractor.extract_many((page(i) if i % 97 else None for i in range(n)), threads=2)
    assert len(results) == n
    for i, result in enumerate(results):
        if i % 97 == 0:
            assert isinstance(result, gleaner.GleanerError) and result.kind == "type"
            assert f"page {i} " in str(result)
        else:
            assert f"marker-{i}-3" in result


def test_empty_input_gives_empty_list(extractor):
    assert extractor.extract_many([]) == []
    assert extractor.extract_many(iter(())) == []


def test_errors_are_returned_not_raised(json_extractor):
    results = json_extractor.extract_many(["", page(1), bytes(range(256)) * 12, page(3)], threads=2)
    assert [type(r).__name__ for r in results] == ["GleanerError", "dict", "GleanerError", "dict"]
    assert results[0].to_record() == {
        "title": "", "text": "", "error": str(results[0]), "error_kind": "empty"
    }


def test_bad_arguments(extractor):
    with pytest.raises(gleaner.GleanerTypeError, match="an iterable of pages"):
        extractor.extract_many("<p>one page</p>")
    with pytest.raises(gleaner.GleanerTypeError, match="not int"):
        extractor.extract_many(5)
    with pytest.raises(ValueError, match="threads must be at least 1"):
        extractor.extract_many([page(1)], threads=0)


def test_an_iterable_that_fails_raises(extractor):
    def pages():
        yield page(1)
        raise RuntimeError("the crawl reader broke")

    with pytest.raises(RuntimeError, match="the crawl reader broke"):
        extractor.extract_many(pages())


def test_a_panic_costs_one_page_not_the_interpreter():
    """The guard and thread pool of extract_many, fed pages that panic in Rust."""
    plan = [False, True, False, False, True] * 7
    for threads in (1, 2, 4):
        results = gleaner._gleaner._panic_guard_check(plan, threads)
        assert len(results) == len(plan)
        for panics, result in zip(plan, results):
            if panics:
                assert isinstance(result, gleaner.GleanerError) and result.kind == "panic"
                assert "deliberate panic" in str(result) and "please report it" in str(result)
            else:
                assert result == "ok"


def test_one_extractor_shared_by_threads(pages):
    """One Extractor (and the module-level functions) used from 4 threads at once."""
    shared = gleaner.Extractor(model_path(), output_format="json")
    htmls = [p.read_bytes() for p in pages]
    expected = [shared.extract(h) for h in htmls]

    def work(offset: int):
        order = list(range(len(htmls)))
        order = order[offset:] + order[:offset]
        return {i: shared.extract(htmls[i]) for i in order}

    with ThreadPoolExecutor(4) as pool:
        runs = list(pool.map(work, [0, 13, 29, 51, 7, 88]))
        many = list(pool.map(lambda t: shared.extract_many(htmls, threads=t), [1, 2, 2, 3]))
    for run in runs:
        assert [run[i] for i in range(len(htmls))] == expected
    for result in many:
        assert result == expected


def test_extraction_releases_the_gil(extractor):
    """While a thread extracts for a second or more, the main thread keeps running."""
    big = page(0).replace("</article>", "<p>" + "long prose words here " * 40_000 + "</p></article>")
    pages = [big] * 12
    start = time.perf_counter()
    extractor.extract_many(pages, threads=1)
    duration = time.perf_counter() - start

    worker = threading.Thread(target=extractor.extract_many, args=(pages,), kwargs={"threads": 1})
    worker.start()
    gaps, last = [], time.perf_counter()
    while worker.is_alive():
        now = time.perf_counter()
        gaps.append(now - last)
        last = now
    worker.join()
    # Holding the GIL, the call would stall this loop for its whole duration.
    assert max(gaps) < duration / 3, (max(gaps), duration)
