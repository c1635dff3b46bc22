"""When the fast body extractor's result looks unreliable, and the slower extractor run for those pages only.

:func:`unreliable_reason` looks at a body found by :mod:`scraper.body` for the signs of its usual failures (the
signals and their thresholds are the data below); :func:`fallback_body` then extracts the page again with
trafilatura (imported lazily: it costs several times our extractor, so it must stay rare).

The signals were chosen on the benchmark's tuned half only (see benchmarks/extraction.py), checked against the
failures of older, less tuned versions of our extractor on that half (stand-ins for failures on unseen sites):
- a short line repeated like a widget or a teaser's date line ("See it now", "Advertisement") marked most of the
  pages where a too-large container took whole page columns;
- a scored container at odds with the page's known article container (trafilatura's class and id vocabulary, see
  :data:`scraper.body.KNOWN_CONTAINER_CLASS_FRAGMENTS`): around it and much larger, apart from it, or a small part
  of it;
- a very short body, a run of headlines, a container that is mostly not paragraphs.
On the tuned half they fire on 4 of 91 pages of the current extractor.
"""

from __future__ import annotations

import re
from collections import Counter

from scraper.body import APART, AROUND, INSIDE, Body, Scoring

#: Bodies found by these paths are checked; a source's own selector or the page's JSON-LD articleBody are trusted.
CHECKED_METHODS = frozenset({"generic", "microdata"})
#: A body shorter than this probably missed the article (trafilatura's own MIN_EXTRACTED_SIZE is 250).
MIN_RELIABLE_BODY_CHARS = 250
#: A block up to this long that appears more than MAX_LINE_REPEATS times is a repeated widget or teaser line.
REPEATED_LINE_MAX_CHARS = 80
MAX_LINE_REPEATS = 2
#: More than this many consecutive short blocks without closing punctuation is a list of headlines or links.
MAX_HEADLINE_RUN = 14
HEADLINE_MAX_CHARS = 80
#: A scored container with less than this share of its text in paragraphs was a doubtful choice.
MIN_CONTAINER_PARAGRAPH_SHARE = 0.25
#: When the page's known article container (see scraper.body.KNOWN_CONTAINER_CLASS_FRAGMENTS) holds more than this
#: many times the text of the scored container inside it, that container may be only part of the article ...
MAX_KNOWN_CONTAINER_EXCESS = 2.0
#: ... and when it holds less than this share of the text of a scored container around it, that one may hold much
#: besides the article.
MIN_KNOWN_CONTAINER_SHARE = 0.5

#: A line counts only if it has a word (two letters): not "0", "___" or ",".
HAS_WORD = re.compile(r"[^\W\d_]{2}")
CLOSING_PUNCTUATION = re.compile(r"[.!?:;…]['\"”’)\]]*$")

#: trafilatura's fast mode (no readability/jusText second pass); tables kept like our own extractor keeps them.
TRAFILATURA_OPTIONS = {"fast": True, "include_comments": False, "include_tables": True}
FALLBACK_METHOD = "fallback"


def unreliable_reason(body: Body) -> str | None:
    """Why `body` looks like a failed extraction ("short", "repeated lines", "headline list", "few paragraphs",
    "apart from the known container", "part of the known container", "beyond the known container"), or None when
    it looks fine or was found by a trusted path (selector, JSON-LD)."""
    if body.method not in CHECKED_METHODS:
        return None
    if len(body.text) < MIN_RELIABLE_BODY_CHARS:
        return "short"
    blocks = [block for block in body.text.split("\n\n") if block]
    repeats = Counter(block for block in blocks if len(block) <= REPEATED_LINE_MAX_CHARS and HAS_WORD.search(block))
    if repeats and max(repeats.values()) > MAX_LINE_REPEATS:
        return "repeated lines"
    if _longest_headline_run(blocks) > MAX_HEADLINE_RUN:
        return "headline list"
    return _doubtful_scoring(body.scoring) if body.scoring else None


def _doubtful_scoring(scoring: Scoring) -> str | None:
    if scoring.paragraph_chars < MIN_CONTAINER_PARAGRAPH_SHARE * scoring.text_chars:
        return "few paragraphs"
    if scoring.known_chars is None:
        return None
    if scoring.known_relation == APART:
        return "apart from the known container"
    if scoring.known_relation == INSIDE and scoring.known_chars > MAX_KNOWN_CONTAINER_EXCESS * scoring.text_chars:
        return "part of the known container"
    if scoring.known_relation == AROUND and scoring.known_chars < MIN_KNOWN_CONTAINER_SHARE * scoring.text_chars:
        return "beyond the known container"
    return None


def needs_fallback(body: Body) -> bool:
    """Whether `body` looks unreliable enough to extract the page again with the fallback (see
    :func:`unreliable_reason`)."""
    return unreliable_reason(body) is not None


def _longest_headline_run(blocks: list[str]) -> int:
    longest = run = 0
    for block in blocks:
        if len(block) <= HEADLINE_MAX_CHARS and HAS_WORD.search(block) and not CLOSING_PUNCTUATION.search(block):
            run += 1
            longest = max(longest, run)
        else:
            run = 0
    return longest


def fallback_body(html: str, url: str | None = None) -> Body | None:
    """The page's article text by trafilatura, as a :class:`Body` with method ``"fallback"``; None when trafilatura
    is not installed or finds no text."""
    try:
        import trafilatura  # lazy: a heavy import, needed only for the few pages that fall back
    except ImportError:
        return None
    text = trafilatura.extract(html, url=url, **TRAFILATURA_OPTIONS)
    if not text or not text.strip():
        return None
    paragraphs = [line.strip() for line in text.splitlines() if line.strip()]
    return Body("\n\n".join(paragraphs), len(paragraphs), FALLBACK_METHOD)
