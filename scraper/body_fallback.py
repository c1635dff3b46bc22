"""When the fast body extractor's result looks unreliable, and the slower extractor run for those pages only.

:func:`unreliable_reason` looks at a body found by :mod:`scraper.body` for the signs of its usual failures (the
signals and their thresholds are the data below); :func:`fallback_body` then extracts the page again with
trafilatura (imported lazily: it costs several times our extractor, so it must stay rare).

The signals were chosen on the benchmark's tuned half only (see benchmarks/extraction.py). Most telling was the
first: teaser lists and repeated widgets ("See it now", "Advertisement", a date line per teaser) pulled into the
body by a too-large container. On that half it fires on the pages of older, less tuned versions of our extractor
where they took whole page columns, and on 3 of 91 pages of the current one.
"""

from __future__ import annotations

import re
from collections import Counter

from scraper.body import Body

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

#: A line counts only if it has a word (two letters): not "0", "___" or ",".
HAS_WORD = re.compile(r"[^\W\d_]{2}")
CLOSING_PUNCTUATION = re.compile(r"[.!?:;…]['\"”’)\]]*$")

#: trafilatura's fast mode (no readability/jusText second pass); tables kept like our own extractor keeps them.
TRAFILATURA_OPTIONS = {"fast": True, "include_comments": False, "include_tables": True}
FALLBACK_METHOD = "fallback"


def unreliable_reason(body: Body) -> str | None:
    """Why `body` looks like a failed extraction ("short", "repeated lines", "headline list", "few paragraphs"), or
    None when it looks fine or was found by a trusted path (selector, JSON-LD)."""
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
    if body.container_chars and body.paragraph_chars < MIN_CONTAINER_PARAGRAPH_SHARE * body.container_chars:
        return "few paragraphs"
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
