"""Type stubs of the compiled module ``gleaner._gleaner`` (re-exported by ``gleaner``)."""

import os
import pathlib
from typing import Any, Dict, Iterable, List, Literal, Optional, Tuple, Union, final, overload

from ._errors import GleanerError

__all__ = [
    "DEFAULT_MAX_BYTES",
    "Extractor",
    "OUTPUT_FORMATS",
    "__version__",
    "_panic_guard_check",
    "_restore_extractor",
    "blocks",
    "clickbait_score",
    "extract",
]
__version__: str
#: Pages longer than this (after gzip) are cut there and marked ``truncated``: 10 MiB.
DEFAULT_MAX_BYTES: int
#: The values ``output_format`` accepts.
OUTPUT_FORMATS: List[str]

_Html = Union[str, bytes]
#: An item of ``extract_many``: a page, or a page with its URL (and HTTP charset, for bytes).
_PageItem = Union[_Html, Tuple[_Html, Optional[str]], Tuple[_Html, Optional[str], Optional[str]]]
#: A JSON record of ``gleaner extract --format json``: ``title``, ``text``, and when known
#: ``title_clickbait``, ``encoding``, ``truncated``, ``page_type``, ``confidence``, ``blocks``.
_Record = Dict[str, Any]
_OutputFormat = Literal["text", "json"]

@final
class Extractor:
    """Extracts the article of web pages with one model and one set of options.

    Load it once (the model takes about 10 ms to read) and call :meth:`extract` or
    :meth:`extract_many` for every page. It holds no mutable state: one instance can be shared
    by any number of threads, and it pickles (as its model path and options).

    :param model: a model file written by ``gleaner train``; ``None`` for the built-in model.
    :param output_format: ``"text"`` (the article, paragraphs separated by blank lines) or
        ``"json"`` (the record ``gleaner extract --format json`` prints, as a dict).
    :param include_comments: keep reader comments under an article (``--include-comments``).
    :param blocks: with ``output_format="json"``, add every block with its label, score and
        reasons to the record (``--blocks``).
    :param max_bytes: pages longer than this (after gzip) are cut and marked ``truncated``
        (``--max-bytes``; default :data:`DEFAULT_MAX_BYTES`).
    :param with_metadata: trafilatura's name, accepted with ``output_format="json"``, whose
        record carries the metadata gleaner finds (``title``, ``title_clickbait``,
        ``page_type``, ``confidence``, ``encoding``, and when the page has them ``author``,
        ``date_published``, ``date_modified``, ``site_name``, ``language``,
        ``canonical_url``, ``description``, ``image``, ``tags``); with ``"text"`` it raises
        ``ValueError``.
    :raises ValueError: an unsupported ``output_format``, ``blocks`` or ``with_metadata``
        without JSON, a bad ``max_bytes``.
    :raises GleanerError: the model file cannot be read (``kind`` ``"io"``) or is not a
        gleaner model for this version (``"model"``).
    """

    def __new__(
        cls,
        model: Union[str, "os.PathLike[str]", None] = None,
        *,
        output_format: _OutputFormat = "text",
        include_comments: bool = False,
        blocks: bool = False,
        max_bytes: Optional[int] = None,
        with_metadata: bool = False,
    ) -> "Extractor": ...
    def extract(
        self, html: _Html, url: Optional[str] = None, *, charset: Optional[str] = None
    ) -> Union[str, _Record]:
        """Extracts one page.

        :param html: ``str`` (decoded HTML, read as UTF-8 whatever the page declares) or
            ``bytes`` (the page as fetched: plain or gzip, any charset, decoded as
            ``gleaner extract FILE`` decodes it).
        :param url: where the page came from, when known; it helps tell the page type.
        :param charset: for bytes, a charset from outside the page (an HTTP ``Content-Type``
            header), which outranks the page's own declaration. Ignored for ``str``.
        :returns: the text (``"text"``) or the record (``"json"``).
        :raises GleanerError: the page is empty (``kind`` ``"empty"``), binary or corrupt gzip
            (``"decode"``), or gleaner failed on it (``"panic"``).
        :raises GleanerTypeError: ``html`` is not ``str`` or ``bytes`` (a ``TypeError`` too).
        """
    def extract_many(
        self, pages: Iterable[_PageItem], threads: Optional[int] = None
    ) -> List[Union[str, _Record, GleanerError]]:
        """Extracts many pages on ``threads`` threads (default: one per core) with the GIL
        released.

        :param pages: any iterable of pages: ``str`` or ``bytes``, or tuples
            ``(html, url)`` / ``(html, url, charset)``. A generator is read in chunks of 1,024
            pages, so it is never held in memory whole.
        :returns: one entry per page, in input order: the text or record, or, for a page that
            failed, the :class:`GleanerError` instance (not raised), so no page is lost.
        """
    def blocks(
        self, html: _Html, url: Optional[str] = None, *, charset: Optional[str] = None
    ) -> List[Dict[str, Any]]:
        """Every block of the page, as ``gleaner blocks FILE`` prints them: ``index``,
        ``text``, ``tag``, ``tag_path``, ``label``, ``score``, ``first_score``, ``reasons``,
        ``features`` (and ``gold_label`` on labelled pages). For debugging and labelling."""
    @property
    def output_format(self) -> str: ...
    @property
    def include_comments(self) -> bool: ...
    @property
    def max_bytes(self) -> int: ...
    @property
    def model(self) -> Optional[pathlib.Path]:
        """The model file, or ``None`` for the built-in model."""
    @property
    def options(self) -> Dict[str, Any]:
        """``output_format``, ``include_comments``, ``blocks`` and ``max_bytes``."""

@overload
def extract(
    html: _Html,
    url: Optional[str] = None,
    *,
    output_format: Literal["text"] = "text",
    include_comments: bool = False,
    blocks: bool = False,
    max_bytes: Optional[int] = None,
    charset: Optional[str] = None,
    with_metadata: bool = False,
) -> str:
    """Extracts the article of one page with the built-in model.

    The same as ``Extractor(**options).extract(html, url, charset=charset)``; the extractor
    for each set of options is made once per process and reused.

    :param html: ``str`` (decoded HTML: read as UTF-8, as ``gleaner batch`` reads the
        ``"html"`` of a JSON line) or ``bytes`` (the page as fetched: plain or gzip, any
        charset, decoded as ``gleaner extract FILE`` decodes a file).
    :param url: where the page came from, when known (it helps tell the page type).
    :param output_format: ``"text"`` (the article) or ``"json"`` (the record of
        ``gleaner extract --format json`` as a dict).
    :param include_comments: keep reader comments (``--include-comments``).
    :param blocks: with JSON, every block with its label and score (``--blocks``).
    :param max_bytes: pages longer than this are cut and marked ``truncated``.
    :param charset: for bytes, the charset of an HTTP header (outranks the page's own).
    :param with_metadata: accepted with ``output_format="json"`` only (see :class:`Extractor`).
    :raises GleanerError: with ``kind`` ``"empty"``, ``"decode"``, ``"panic"`` …
    :raises GleanerTypeError: ``html`` is neither ``str`` nor ``bytes``.
    """
@overload
def extract(
    html: _Html,
    url: Optional[str] = None,
    *,
    output_format: Literal["json"],
    include_comments: bool = False,
    blocks: bool = False,
    max_bytes: Optional[int] = None,
    charset: Optional[str] = None,
    with_metadata: bool = False,
) -> _Record: ...
def blocks(
    html: _Html,
    url: Optional[str] = None,
    *,
    charset: Optional[str] = None,
    max_bytes: Optional[int] = None,
) -> List[Dict[str, Any]]:
    """Every block of the page with the built-in model: see :meth:`Extractor.blocks`."""

@overload
def clickbait_score(text: str) -> float: ...  # type: ignore[overload-overlap]
@overload
def clickbait_score(text: Iterable[str]) -> List[float]:
    """Clickbait probability (0 to 1) of a headline, as ``gleaner clickbait`` scores it; for
    an iterable of headlines, the list of their scores in order (scored with the GIL
    released)."""
def _restore_extractor(
    model: Optional[str],
    output_format: str,
    include_comments: bool,
    blocks: bool,
    max_bytes: int,
) -> Extractor: ...
def _panic_guard_check(panics: List[bool], threads: int = 1) -> List[Union[str, GleanerError]]: ...
