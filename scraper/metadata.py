"""A page's metadata: JSON-LD first, then OpenGraph and other <meta> tags, <link rel=canonical>, <time datetime>.

Every field has an ordered list of sources (:data:`META_KEYS`); the first that gives a usable value wins. JSON-LD
is read from every ``application/ld+json`` script: the article object is found among ``@graph`` entries, lists
and nested values by its ``@type`` (:data:`ARTICLE_TYPES`). A block of malformed JSON is skipped.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import warnings
from dataclasses import dataclass
from typing import Any, Iterator
from urllib.parse import urljoin, urlsplit

from dateutil import parser as dateparser
from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.raw_text import TIMEZONES

#: JSON-LD types whose object describes the article itself, most specific first.
ARTICLE_TYPES = (
    "NewsArticle", "ReportageNews", "AnalysisNewsArticle", "OpinionNewsArticle", "BackgroundNewsArticle",
    "Article", "BlogPosting", "LiveBlogPosting", "TechArticle", "ScholarlyArticle", "Report", "PressRelease",
    "SocialMediaPosting", "WebPage",
)
#: <meta> keys (name, property or itemprop, lower-cased) for each field, in order of preference.
META_KEYS = {
    "title": ("og:title", "twitter:title", "citation_title", "dc.title", "dcterms.title", "headline"),
    "published": ("article:published_time", "og:article:published_time", "datepublished", "article.published",
                  "citation_publication_date", "citation_date", "citation_online_date", "dc.date.issued",
                  "dcterms.issued", "dc.date", "dcterms.date", "dcterms.created", "date", "pubdate",
                  "publishdate", "publish-date", "parsely-pub-date", "sailthru.date", "og:published_time",
                  "article:published", "datecreated"),
    "updated": ("article:modified_time", "og:article:modified_time", "og:updated_time", "datemodified",
                "dcterms.modified", "last-modified", "article.updated"),
    "author": ("author", "article:author", "dc.creator", "dcterms.creator", "citation_author", "parsely-author",
               "sailthru.author", "byl"),
    "publisher": ("og:site_name", "publisher", "dc.publisher", "dcterms.publisher", "citation_publisher",
                  "citation_journal_title", "application-name", "twitter:site"),
    "excerpt": ("og:description", "description", "twitter:description", "dc.description",
                "dcterms.description"),
    "image": ("og:image", "og:image:url", "og:image:secure_url", "twitter:image", "twitter:image:src"),
    "language": ("og:locale", "content-language", "dc.language", "dcterms.language", "language"),
}
#: Elements that may carry a publication time in their datetime attribute or text.
TIME_SELECTORS = ("time[itemprop=datePublished]", "time[pubdate]", "[itemprop=datePublished][datetime]",
                  "[itemprop=datePublished][content]", "time[datetime]", "[itemprop=datePublished]",
                  '[class*="publish-date" i]', '[class*="date-published" i]', '[class*="published-date" i]',
                  '[class*="publishdate" i]', '[class*="pubdate" i]', '[class*="post-date" i]',
                  '[class*="entry-date" i]', '[class*="article-date" i]', '[class*="story-date" i]',
                  '[class*="storydate" i]', '[class*="dateline" i]')
#: Printed dates longer than this are not read (a class like "post-date" on a whole block of text).
MAX_PRINTED_DATE_CHARS = 80
#: Separators between a page title and the site name appended to it ("Story | Site", "Story - Site").
TITLE_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " · ", " » ")
#: Extra time zone names seen on news sites; US zones are read as standard time.
EXTRA_TIMEZONES = {"ET": -5 * 3600, "CT": -6 * 3600, "MT": -7 * 3600, "PT": -8 * 3600, "CDT": -5 * 3600,
                   "MST": -7 * 3600, "MDT": -6 * 3600, "AEST": 10 * 3600, "AEDT": 11 * 3600, "MSK": 3 * 3600}
DATE_ONLY = re.compile(r"^\s*\d{4}-\d{2}-\d{2}\s*$|^\s*\d{4}\d{2}\d{2}\s*$")
#: Year-month-day with any separator, Chinese and Japanese ones included ("2021年12月14日", "2021/12/14").
NUMERIC_DATE = re.compile(r"((?:19|20)\d{2})\s*[年/.\-]\s*(\d{1,2})\s*[月/.\-]\s*(\d{1,2})")
#: What dateutil fills in for parts a text lacks: year 1 is out of range, so a year-less text is no date,
#: and a missing day or month becomes the 1st (never today's, which would change from run to run).
NO_DEFAULT = dt.datetime(1, 1, 1)
HAS_TIME = re.compile(r"\d{1,2}[:h]\d{2}|\d\s*[ap]\.?m\b", re.IGNORECASE)
HANDLE_OR_URL = re.compile(r"^(@|https?://|www\.)", re.IGNORECASE)
LOCALE = re.compile(r"^([a-z]{2,3})(?:[_-]([a-z]{2}|\d{3}))?$", re.IGNORECASE)
WHITESPACE = re.compile(r"\s+")
NON_WORD = re.compile(r"\W+")


@dataclass
class PageMetadata:
    """What a page says about itself. Every field may be None."""

    url: str | None = None
    title: str | None = None
    published: str | None = None
    updated: str | None = None
    author: str | None = None
    publisher: str | None = None
    excerpt: str | None = None
    language: str | None = None
    image: str | None = None
    article_body: str | None = None


def extract_metadata(tree: LexborHTMLParser, url: str) -> PageMetadata:
    """Read the metadata of a parsed page whose address is `url`. Does not change the tree."""
    jsonld = find_article_object(jsonld_objects(tree))
    meta = meta_tags(tree)
    found = PageMetadata()
    if jsonld:
        found = metadata_from_jsonld(jsonld, url)
    for field, keys in META_KEYS.items():
        if getattr(found, field) is None:
            value = _first(meta, keys)
            if value is not None:
                setattr(found, field, _clean_field(field, value, url))
    found.url = canonical_url(tree, meta, url)
    if found.title is None:
        found.title = _text_of(tree.css_first("title")) or _text_of(tree.css_first("h1"))
    if found.title and found.publisher:
        found.title = strip_site_name(found.title, found.publisher)
    if found.published is None:
        found.published = _time_element_date(tree)
    html_lang = tree.root.attributes.get("lang") if tree.root is not None else None
    if html_lang and LOCALE.match(html_lang.strip()):
        found.language = _clean_field("language", html_lang, url)
    if found.image is None:
        link = tree.css_first('link[rel="image_src"]')
        found.image = _absolute(link.attributes.get("href"), url) if link is not None else None
    return found


# --- JSON-LD -------------------------------------------------------------------------------------------------

def jsonld_objects(tree: LexborHTMLParser) -> Iterator[dict[str, Any]]:
    """Every JSON object in the page's JSON-LD blocks, flattened out of lists and ``@graph``. Bad blocks skipped."""
    for script in tree.css("script[type]"):
        if "ld+json" not in (script.attributes.get("type") or "").lower():
            continue
        try:
            data = json.loads(script.text(), strict=False)
        except ValueError:
            continue
        yield from _flatten(data)


def _flatten(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for item in data:
            yield from _flatten(item)
    elif isinstance(data, dict):
        yield data
        graph = data.get("@graph")
        if graph is not None:
            yield from _flatten(graph)


def _types(obj: dict[str, Any]) -> list[str]:
    kind = obj.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return [k.rsplit("/", 1)[-1] for k in kinds if isinstance(k, str)]


def find_article_object(objects: Iterator[dict[str, Any]]) -> dict[str, Any] | None:
    """The JSON-LD object of the most specific article type (a WebPage only when there is no article)."""
    best, best_rank = None, len(ARTICLE_TYPES)
    for obj in objects:
        for kind in _types(obj):
            if kind in ARTICLE_TYPES:
                rank = ARTICLE_TYPES.index(kind)
                if kind != "WebPage":
                    rank = min(rank, ARTICLE_TYPES.index("Article"))  # every article type beats a WebPage
                if rank < best_rank or (rank == best_rank and best is not None and _richer(obj, best)):
                    best, best_rank = obj, rank
    return best


def _richer(candidate: dict[str, Any], current: dict[str, Any]) -> bool:
    return bool(candidate.get("articleBody")) and not current.get("articleBody")


def metadata_from_jsonld(obj: dict[str, Any], url: str) -> PageMetadata:
    """The fields of one JSON-LD article object."""
    return PageMetadata(
        title=_string(obj.get("headline")) or _string(obj.get("name")),
        published=parse_date(_string(obj.get("datePublished")) or _string(obj.get("dateCreated"))),
        updated=parse_date(_string(obj.get("dateModified"))),
        author=_names(obj.get("author") or obj.get("creator")),
        publisher=_names(obj.get("publisher") or obj.get("sourceOrganization")),
        excerpt=_string(obj.get("description")),
        language=_clean_field("language", _string(obj.get("inLanguage")) or "", url),
        image=_absolute(_image_url(obj.get("image") or obj.get("thumbnailUrl")), url),
        article_body=_string(obj.get("articleBody")),
    )


def _string(value: Any) -> str | None:
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, (str, int, float))), None)
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    value = WHITESPACE.sub(" ", _unescape(value)).strip()
    return value or None


def _unescape(text: str) -> str:
    if "&" in text:
        import html

        return html.unescape(text)
    return text


def _names(value: Any) -> str | None:
    """Names from a JSON-LD person/organisation: a string, an object with ``name``, or a list of either."""
    values = value if isinstance(value, list) else [value]
    names = []
    for item in values:
        name = _string(item.get("name") if isinstance(item, dict) else item)
        if name and not HANDLE_OR_URL.match(name) and name not in names:
            names.append(name)
    return ", ".join(names) or None


def _image_url(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("url") or value.get("contentUrl") or value.get("@id")
    return value if isinstance(value, str) and value.strip() else None


# --- <meta>, <link>, <time> ------------------------------------------------------------------------------

def meta_tags(tree: LexborHTMLParser) -> dict[str, str]:
    """``{key: content}`` of the page's <meta> tags; key = lower-cased name, property, itemprop or http-equiv.
    The first tag with a non-empty content wins for each key."""
    found: dict[str, str] = {}
    for node in tree.css("meta[content]"):
        attributes = node.attributes
        content = (attributes.get("content") or "").strip()
        if not content:
            continue
        for attribute in ("property", "name", "itemprop", "http-equiv"):
            key = attributes.get(attribute)
            if key:
                found.setdefault(key.strip().lower(), content)
    return found


def _first(meta: dict[str, str], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        if key in meta:
            return meta[key]
    return None


def _clean_field(field: str, value: str, url: str) -> str | None:
    value = WHITESPACE.sub(" ", _unescape(value)).strip()
    if not value:
        return None
    if field in ("published", "updated"):
        return parse_date(value)
    if field == "image":
        return _absolute(value, url)
    if field == "language":
        match = LOCALE.match(value.split(",")[0].strip())
        if not match:
            return None
        language, region = match.groups()
        return f"{language.lower()}-{region.upper()}" if region else language.lower()
    if field == "author" and HANDLE_OR_URL.match(value):
        return None
    if field == "publisher" and value.startswith("@"):
        return value[1:] or None
    return value


def canonical_url(tree: LexborHTMLParser, meta: dict[str, str], url: str) -> str:
    """``<link rel=canonical>``, else ``og:url``, made absolute against `url`; `url` itself if neither is usable."""
    for node in tree.css("link[rel][href]"):
        if "canonical" in (node.attributes.get("rel") or "").lower().split():
            found = _absolute(node.attributes.get("href"), url)
            if found:
                return found
    return _absolute(meta.get("og:url"), url) or url


def _absolute(href: str | None, base: str) -> str | None:
    if not href or not href.strip():
        return None
    absolute = urljoin(base, href.strip())
    return absolute if urlsplit(absolute).scheme in ("http", "https") else None


def _time_element_date(tree: LexborHTMLParser) -> str | None:
    for selector in TIME_SELECTORS:
        for node in tree.css(selector):
            found = date_of_element(node)
            if found:
                return found
    return None


def date_of_element(node: LexborNode) -> str | None:
    """The date an element carries: its ``datetime`` or ``content`` attribute, else its printed text."""
    for attribute in ("datetime", "content"):
        value = node.attributes.get(attribute)
        if value and (found := parse_date(value)):
            return found
    text = node.text(separator=" ").strip()
    return parse_date(text, fuzzy=True) if len(text) <= MAX_PRINTED_DATE_CHARS else None


def strip_site_name(title: str, site: str) -> str:
    """``"Story | Site"`` -> ``"Story"`` when `site` names the site (also ``"Site - Story"``); case, spaces and
    punctuation do not matter (``TheHill`` is ``The Hill``)."""
    def key(text: str) -> str:
        return NON_WORD.sub("", text.casefold())

    site_key = key(site)
    for separator in TITLE_SEPARATORS:
        head, _, tail = title.rpartition(separator)
        if head and key(tail) == site_key:
            return head.strip()
        head, _, tail = title.partition(separator)
        if tail and key(head) == site_key:
            return tail.strip()
    return title


def _text_of(node: LexborNode | None) -> str | None:
    if node is None:
        return None
    return WHITESPACE.sub(" ", node.text(separator=" ")).strip() or None


# --- dates -------------------------------------------------------------------------------------------------------

def parse_date(text: str | None, *, fuzzy: bool = False) -> str | None:
    """A printed or ISO date as ISO 8601: ``YYYY-MM-DDTHH:MM:SSZ`` (UTC) when the time zone is known,
    ``YYYY-MM-DDTHH:MM:SS`` when it is not, ``YYYY-MM-DD`` for a bare date; None when it is no date.

    >>> parse_date("2019-11-19T10:00:00+01:00")
    '2019-11-19T09:00:00Z'
    """
    if not text or not text.strip():
        return None
    text = text.strip()
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except ValueError:
        when = _parse_printed(text, fuzzy=fuzzy)
        numeric = NUMERIC_DATE.search(text)
        if numeric and (when is None or when.year != int(numeric.group(1))):
            year, month, day = (int(g) for g in numeric.groups())
            try:
                when = dt.datetime(year, month, day)
            except ValueError:
                when = None
    if when is None or not 1990 <= when.year <= 2100:
        return None
    if DATE_ONLY.match(text) or (not HAS_TIME.search(text) and when.time() == dt.time() and when.tzinfo is None):
        return when.date().isoformat()
    if when.tzinfo is None:
        return when.isoformat(timespec="seconds")
    return when.astimezone(dt.timezone.utc).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def _parse_printed(text: str, *, fuzzy: bool) -> dt.datetime | None:
    cleaned = re.sub(r"\b([ap])\.m\.", r"\1m", text, flags=re.IGNORECASE)
    cleaned = re.sub(r"\s+,", ",", cleaned)
    if len(cleaned) > 200:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return dateparser.parse(
                cleaned, tzinfos={**TIMEZONES, **EXTRA_TIMEZONES}, fuzzy=fuzzy, default=NO_DEFAULT
            )
    except (ValueError, OverflowError, TypeError):
        return None
