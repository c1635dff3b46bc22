"""Recover an article from a raw copy of a page's text (no front matter, no HTML).

Such a copy starts with site navigation, then the headline, then a byline ("Monika From Gasgoo| December 14 ,
2021 16:53 BJT"), then the story, and ends with the site's own promotion and copyright lines. The patterns
below are data: add a publisher's byline or boilerplate shape here, not code.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scraper.article_file import Article

#: Navigation lines before the headline ("Home / China News / News detail").
BREADCRUMB = re.compile(r"^\s*(home|首页|start|accueil)\s*[/>»›|]", re.IGNORECASE)

#: Bylines, tried in order. Groups: author (optional), publisher (optional), date.
BYLINES = [
    re.compile(r"^(?P<author>[^|]{1,80}?)\s+from\s+(?P<publisher>[^|]{1,60}?)\s*\|\s*(?P<date>.{6,60})$", re.I),
    re.compile(r"^by\s+(?P<author>[^|]{1,80}?)\s*\|\s*(?P<publisher>[^|]{1,60}?)\s*\|\s*(?P<date>.{6,60})$", re.I),
    re.compile(r"^(?:by\s+)?(?P<author>[^|]{1,80}?)\s*\|\s*(?P<date>.{6,60})$", re.I),
    re.compile(r"^(?:published|posted|updated)(?:\s+on)?:?\s+(?P<date>.{6,60})$", re.I),
]

#: Lines that are never part of a story, wherever they stand.
BOILERPLATE = [
    re.compile(r"all rights reserved", re.I),
    re.compile(r"do not (reproduce|copy|republish)", re.I),
    re.compile(r"^\s*(copyright|©|\(c\))\s", re.I),
    re.compile(r"^\s*(share|share this|tags|related( articles| news)?|read more|advertisement)\s*:?\s*$", re.I),
]
#: Paragraphs at the end of the page that are the site's own promotion: they give contact addresses.
TRAILING_PROMOTION = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+|subscribe to our|follow us on", re.I)

#: Time-zone abbreviations news sites print, as UTC offsets in seconds.
TIMEZONES = {
    "BJT": 8 * 3600, "CST": 8 * 3600, "HKT": 8 * 3600, "SGT": 8 * 3600, "JST": 9 * 3600, "KST": 9 * 3600,
    "UTC": 0, "GMT": 0, "BST": 3600, "CET": 3600, "CEST": 7200, "EST": -5 * 3600, "EDT": -4 * 3600,
    "PST": -8 * 3600, "PDT": -7 * 3600, "IST": 19800,
}
EMAIL_DOMAIN = re.compile(r"[\w.+-]+@((?:[\w-]+\.)+[a-z]{2,})")
HEADER_LINES = 8


def parse_date(text: str) -> str | None:
    """Parse a printed date ("December 14 , 2021 16:53 BJT") into ISO 8601 (UTC when a zone is given), or None."""
    from scraper.metadata import parse_date as parse_printed_date  # metadata imports TIMEZONES from here

    return parse_printed_date(text, fuzzy=True)


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _match_byline(line: str) -> dict[str, str] | None:
    for pattern in BYLINES:
        match = pattern.match(line)
        if match and parse_date(match.group("date")):
            return {k: v.strip() for k, v in match.groupdict().items() if v}
    return None


def _publisher_domain(publisher: str, text: str) -> str | None:
    """The publisher's domain, when the page gives a contact address at a domain carrying its name."""
    key = re.sub(r"\W", "", publisher).lower()
    for domain in EMAIL_DOMAIN.findall(text):
        if key and key in domain.lower().replace("-", ""):
            return domain.lower()
    return None


def parse_raw_page_text(text: str) -> "Article":
    """Turn raw page text into an :class:`~scraper.article_file.Article` with title, provider, date, body."""
    from scraper.article_file import Article

    lines = _paragraphs(text)
    meta: dict[str, Any] = {"category": "news", "type": "article"}
    start = 0
    while start < len(lines) and BREADCRUMB.match(lines[start]):
        start += 1
    title = lines[start] if start < len(lines) else ""
    meta["title"] = title
    body_start = start + 1
    for index in range(start + 1, min(start + 1 + HEADER_LINES, len(lines))):
        byline = _match_byline(lines[index])
        if byline:
            if "author" in byline:
                meta["author"] = byline["author"]
            meta["publishedDateTime"] = parse_date(byline["date"])
            if "publisher" in byline:
                provider = {"name": byline["publisher"]}
                domain = _publisher_domain(byline["publisher"], text)
                if domain:
                    provider["domain"] = domain
                meta["provider"] = provider
            body_start = index + 1
            break

    body = [line for line in lines[body_start:] if line != title and not any(p.search(line) for p in BOILERPLATE)]
    while body and TRAILING_PROMOTION.search(body[-1]):
        body.pop()
    return Article(meta, "\n\n".join(body) + "\n" if body else "")
