"""Cheap views of a parsed Doc shared by the extractors.

``Span.ents`` rebuilds the whole document's entity list on every call, and ``Doc.text`` joins every token
again; extractors that look at many sentences of one document use :func:`entities_in` and :func:`text_of`
instead, which build them once per Doc (kept in ``doc.user_data``).
"""

from __future__ import annotations

from bisect import bisect_left
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

__all__ = ["entities_in", "text_of"]

_CACHE_KEY = "enrich.entities"
_TEXT_KEY = "enrich.text"


def text_of(doc: "Doc") -> str:
    """``doc.text``, built once."""
    text = doc.user_data.get(_TEXT_KEY)
    if text is None:
        text = doc.user_data[_TEXT_KEY] = doc.text
    return text


def _entities(doc: "Doc") -> tuple[list[int], tuple["Span", ...]]:
    cached = doc.user_data.get(_CACHE_KEY)
    if cached is None:  # the pipeline has run: the entities no longer change
        ents = tuple(doc.ents)
        cached = ([e.start for e in ents], ents)
        doc.user_data[_CACHE_KEY] = cached
    return cached


def entities_in(span: "Span | Doc") -> list["Span"]:
    """The entities inside ``span`` (a Span or a whole Doc), in order, like ``span.ents``."""
    doc = span.doc if hasattr(span, "doc") and span.doc is not span else span
    starts, ents = _entities(doc)
    if span is doc:
        return list(ents)
    i = bisect_left(starts, span.start)
    found = []
    while i < len(ents) and ents[i].start < span.end:
        if ents[i].end <= span.end:
            found.append(ents[i])
        i += 1
    return found
