"""The exceptions gleaner raises (and, from ``extract_many``, returns in place of a page)."""

from __future__ import annotations

from typing import Dict

__all__ = ["GleanerError", "GleanerTypeError"]


class GleanerError(Exception):
    """A page gleaner could not extract, or a model it could not load.

    ``kind`` is a short, stable word for the sort of failure, the ``error_kind`` of
    ``gleaner batch`` records:

    - ``"empty"``: the page is empty or only whitespace;
    - ``"decode"``: the bytes are binary data, or corrupt gzip;
    - ``"too_large"``: gzipped bytes that unpack to far more than ``max_bytes``;
    - ``"panic"``: an internal error of gleaner on this page (please report it); the
      interpreter and the other pages are not affected;
    - ``"type"``: the page is not ``str`` or ``bytes`` (also a ``TypeError``:
      :class:`GleanerTypeError`);
    - ``"model"`` / ``"io"``: a model file that is not a gleaner model, or cannot be read.

    ``str(error)`` is the message, which says what happened and what to do about it.
    """

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind

    def to_record(self) -> Dict[str, str]:
        """The error as ``gleaner batch`` writes a failed page: title and text empty, with
        ``error`` and ``error_kind`` (``path`` and ``url`` are the batch's own)."""
        return {"title": "", "text": "", "error": self.message, "error_kind": self.kind}

    def __reduce__(self):  # pickles with its kind (Spark, multiprocessing)
        return (type(self), (self.message, self.kind))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, kind={self.kind!r})"


class GleanerTypeError(GleanerError, TypeError):
    """A page (or url, charset) of the wrong type: ``kind`` is ``"type"``. Caught by
    ``except TypeError`` as well as ``except GleanerError``."""
