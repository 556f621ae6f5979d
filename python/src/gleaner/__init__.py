"""gleaner: keep only the article.

Main-content extraction of web pages with small trained models, in Rust: each page is cut
into text blocks, every block is scored as content or noise (navigation, footers, cookie
banners, share bars, promos, teasers for other stories), and the article is kept.

    >>> import gleaner
    >>> text = gleaner.extract(html)                              # str or bytes in, text out
    >>> record = gleaner.extract(html, url, output_format="json")  # the CLI's JSON record, as a dict
    >>> extractor = gleaner.Extractor(include_comments=True)      # load once, use everywhere
    >>> results = extractor.extract_many(pages, threads=4)        # in parallel, GIL released

Results are those of the ``gleaner`` command line for the same options: ``str`` pages are read
as ``gleaner batch`` reads the ``"html"`` of a JSON line, ``bytes`` as ``gleaner extract FILE``
reads a file (gzip, byte-order marks, ``<meta charset>`` and charset detection). See
python/README.md in the repository.
"""

from ._errors import GleanerError, GleanerTypeError
from ._gleaner import (
    DEFAULT_MAX_BYTES,
    OUTPUT_FORMATS,
    Extractor,
    __version__,
    blocks,
    clickbait_score,
    extract,
)

__all__ = [
    "DEFAULT_MAX_BYTES",
    "OUTPUT_FORMATS",
    "Extractor",
    "GleanerError",
    "GleanerTypeError",
    "__version__",
    "blocks",
    "clickbait_score",
    "extract",
]
