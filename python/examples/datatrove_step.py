"""gleaner as a datatrove extractor step.

A ``BaseExtractor`` subclass, used like datatrove's own ``Trafilatura`` step::

    pipeline = [
        WarcReader("s3://commoncrawl/crawl-data/CC-MAIN-2024-10/segments/", glob_pattern="*/warc/*"),
        GleanerExtractor(),          # instead of Trafilatura(favour_precision=True)
        ...filters, dedup...,
        JsonlWriter("out/"),
    ]

Run as a script, it extracts a JSON Lines file of ``{"url", "html"}`` objects (the input
``gleaner batch --input-format jsonl`` reads) into a JSONL folder::

    python examples/datatrove_step.py pages.jsonl out/

The texts are those of ``gleaner batch pages.jsonl`` (the test suite checks it).
Tested with datatrove 0.10.1.
"""

from __future__ import annotations

import os
import sys
from typing import Optional

from datatrove.data import DocumentsPipeline
from datatrove.pipeline.extractors.base import BaseExtractor

import gleaner


class GleanerExtractor(BaseExtractor):
    """Keeps the article of each document's HTML with gleaner.

    The document's ``metadata["url"]`` (set by ``WarcReader``, and by ``JsonlReader`` from a
    ``"url"`` key) is passed along: it helps gleaner tell the page type. Documents whose
    article is empty are dropped, as datatrove's other extractors drop them.

    Args:
        model: a model file from ``gleaner train``; None for the built-in model.
        include_comments: keep reader comments under articles.
        timeout: datatrove's per-document timeout in seconds (gleaner takes milliseconds).
    """

    name = "🌾 gleaner"
    _requires_dependencies = [("gleaner", "gleaner-extract")]

    def __init__(
        self,
        model: Optional[str] = None,
        include_comments: bool = False,
        timeout: float = 1,
    ):
        super().__init__(timeout)
        self.extractor = gleaner.Extractor(model, include_comments=include_comments)

    def extract(self, text: str, url: Optional[str] = None) -> str:
        """The article of one page (``text`` is its HTML)."""
        try:
            return self.extractor.extract(text, url)
        except gleaner.GleanerError as error:
            if error.kind == "empty":  # also datatrove's warm-up call with ""
                return ""
            raise

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        # datatrove's sandbox calls extract(*text) when text is a tuple: hand it the URL too.
        def with_url(documents: DocumentsPipeline) -> DocumentsPipeline:
            for document in documents:
                document.text = (document.text, document.metadata.get("url"))
                yield document

        return super().run(with_url(data), rank, world_size)


def main(argv: list) -> int:
    if len(argv) not in (3, 4):
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        print("usage: datatrove_step.py PAGES.jsonl OUTPUT_DIR [MODEL]", file=sys.stderr)
        return 2
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter

    source, output = os.path.abspath(argv[1]), os.path.abspath(argv[2])
    model = argv[3] if len(argv) == 4 else None
    LocalPipelineExecutor(
        pipeline=[
            JsonlReader(
                os.path.dirname(source),
                glob_pattern=os.path.basename(source),
                text_key="html",
            ),
            GleanerExtractor(model=model, timeout=30),
            JsonlWriter(output, output_filename="pages.jsonl", compression=None),
        ],
        tasks=1,
        logging_dir=os.path.join(output, "logs"),
        skip_completed=False,
    ).run()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
