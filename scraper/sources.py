"""The sources file: which sites to scrape and how. Data, not code; this module loads and validates it.

The smallest file that works::

    sources:
      - {name: EDPB news, kind: feed, url: https://www.edpb.europa.eu/feed/news_en}

Every other field is optional (see ``scraper/sources.yml`` for all of them in use). A YAML syntax error or a
file without a ``sources:`` list fails the whole file (:class:`SourcesFileError`); a bad entry is skipped with a
one-line error naming the file, the entry (index and name) and the field, and the other entries still run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from scraper.article_file import describe_yaml_error
from selectolax.lexbor import LexborHTMLParser

__all__ = [
    "KINDS",
    "DEFAULT_SOURCES_FILE",
    "Provider",
    "ListingSelectors",
    "JsonFields",
    "Source",
    "SourcesFile",
    "SourcesFileError",
    "load_sources",
    "parse_sources",
    "slugify",
]

KINDS = ("feed", "sitemap", "listing", "json")
DEFAULT_SOURCES_FILE = Path(__file__).with_name("sources.yml")
PAGE_PLACEHOLDER = "{page}"
ENTRY_FIELDS = {
    "name", "kind", "url", "provider", "language", "selectors", "json", "keywords", "always_relevant",
    "allow_private_hosts", "delay", "max_items", "link_pattern", "pages", "first_page", "enabled",
}
LISTING_FIELDS = {"items", "link", "links", "title", "date"}
JSON_FIELDS = {"items", "link", "link_template", "title", "date", "summary", "html", "method", "body", "content_type",
               "base_url"}


_SELECTOR_CHECK = LexborHTMLParser("<p></p>")


class SourcesFileError(Exception):
    """The sources file as a whole cannot be used. ``str()`` is one line naming the file."""


class _EntryError(Exception):
    def __init__(self, field_name: str | None, problem: str):
        super().__init__(problem)
        self.field = field_name
        self.problem = problem


@dataclass(frozen=True)
class Provider:
    """Who publishes a source's articles (the article file's ``provider``)."""

    name: str
    domain: str


@dataclass(frozen=True)
class ListingSelectors:
    """CSS selectors for a listing page (or an HTML fragment in a JSON answer).

    With `items`, each item node gives one article: `link` (default ``a[href]``, or the item itself when it is a
    link), `title` and `date` are looked up inside it. Without `items`, every node matching `link` is an article.
    """

    items: str | None = None
    link: str = "a[href]"
    title: str | None = None
    date: str | None = None


@dataclass(frozen=True)
class JsonFields:
    """Where a JSON list API keeps its articles. Paths are dotted (``data.items``, ``results[].url``)."""

    items: str | None = None
    link: str | None = None
    #: Builds the article URL from item fields: ``https://site/detail/{refCode}`` (placeholders are item paths).
    link_template: str | None = None
    title: str | None = None
    date: str | None = None
    summary: str | None = None
    #: A path to an HTML fragment holding the links (read with the source's listing selectors).
    html: str | None = None
    method: str = "GET"
    body: Any = None
    content_type: str | None = None
    #: Relative links are resolved against this (default: the source URL).
    base_url: str | None = None


@dataclass(frozen=True)
class Source:
    """One validated entry of the sources file."""

    name: str
    kind: str
    url: str
    #: None when the entry names no provider: the article page's own publisher is used then.
    provider: Provider | None
    language: str | None = None
    listing: ListingSelectors | None = None
    page_selectors: dict[str, str] = field(default_factory=dict)
    json: JsonFields | None = None
    keywords: tuple[str, ...] | None = None
    always_relevant: bool = False
    allow_private_hosts: bool = False
    delay: float | None = None
    max_items: int | None = None
    link_pattern: re.Pattern[str] | None = None
    pages: int = 1
    first_page: int = 1
    enabled: bool = True

    @property
    def slug(self) -> str:
        """The name as a directory name: lower-case ASCII letters, digits and hyphens."""
        return slugify(self.name)

    def page_urls(self) -> list[str]:
        """The discovery URLs: the URL itself, or one per page when it holds ``{page}``."""
        if PAGE_PLACEHOLDER not in self.url:
            return [self.url]
        return [self.url.replace(PAGE_PLACEHOLDER, str(n)) for n in range(self.first_page, self.first_page + self.pages)]


@dataclass
class SourcesFile:
    """The usable sources of a file, the one-line errors of the entries that were skipped, and the file's
    default relevance keywords (None: the built-in list)."""

    path: str
    sources: list[Source]
    errors: list[str] = field(default_factory=list)
    keywords: tuple[str, ...] | None = None


def slugify(name: str) -> str:
    """``"CNIL (en)"`` -> ``"cnil-en"``; never empty, never a path."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug[:80].strip("-") or "source"


def load_sources(path: str | Path | None = None) -> SourcesFile:
    """Load and validate a sources file (default: the shipped ``scraper/sources.yml``).

    Raises :class:`SourcesFileError` when the file cannot be read or parsed as a whole.
    """
    path = Path(path) if path is not None else DEFAULT_SOURCES_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SourcesFileError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise SourcesFileError(f"{path}: not UTF-8 text (offset {exc.start})") from None
    return parse_sources(text, name=str(path))


def parse_sources(text: str, *, name: str = "<sources>") -> SourcesFile:
    """Validate the text of a sources file; `name` names it in error messages."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SourcesFileError(f"{name}: YAML syntax error{describe_yaml_error(exc)}") from None
    if not isinstance(document, dict) or "sources" not in document:
        raise SourcesFileError(f"{name}: expected a mapping with a 'sources:' list at the top")
    entries = document["sources"]
    if not isinstance(entries, list):
        raise SourcesFileError(f"{name}: 'sources' must be a list of entries")
    keywords = None
    if document.get("keywords") is not None:
        try:
            keywords = _keywords(document["keywords"], "keywords")
        except _EntryError as exc:
            raise SourcesFileError(f"{name}: field 'keywords': {exc.problem}") from None
    unknown = sorted(set(document) - {"sources", "keywords"})
    if unknown:
        raise SourcesFileError(f"{name}: unknown top-level field {unknown[0]!r} (expected 'sources', 'keywords')")
    result = SourcesFile(path=name, sources=[], keywords=keywords)
    seen_names: dict[str, int] = {}
    for index, entry in enumerate(entries, start=1):
        label = f"entry {index}"
        if isinstance(entry, dict) and isinstance(entry.get("name"), str) and entry["name"].strip():
            label += f" ({entry['name'].strip()})"
        try:
            source = _source(entry)
            slug = source.slug
            if slug in seen_names:
                raise _EntryError("name", f"same name (or directory {slug!r}) as entry {seen_names[slug]}")
            seen_names[slug] = index
        except _EntryError as exc:
            where = f"field {exc.field!r}: " if exc.field else ""
            result.errors.append(f"{name}: {label}: {where}{exc.problem}")
            continue
        result.sources.append(source)
    return result


def _source(entry: Any) -> Source:
    if not isinstance(entry, dict):
        raise _EntryError(None, "an entry must be a mapping with at least name, kind and url")
    unknown = sorted(set(entry) - ENTRY_FIELDS)
    if unknown:
        raise _EntryError(unknown[0], "unknown field (typo?)")
    name = _text(entry, "name", required=True)
    kind = _text(entry, "kind", required=True)
    if kind not in KINDS:
        raise _EntryError("kind", f"{kind!r} is not one of {', '.join(KINDS)}")
    url = _url(entry.get("url"), "url", required=True)
    host = (urlsplit(url).hostname or "").lower()
    provider = _provider(entry.get("provider"), host.removeprefix("www."))
    selectors = _mapping(entry, "selectors")
    unknown = sorted(set(selectors) - {"listing", "page"})
    if unknown:
        raise _EntryError(f"selectors.{unknown[0]}", "unknown field (expected 'listing' or 'page')")
    listing = _listing(selectors.get("listing")) if selectors.get("listing") is not None else None
    page_selectors = _string_map(selectors.get("page"), "selectors.page")
    json_fields = _json(entry.get("json"), kind)
    if kind == "listing" and listing is None:
        raise _EntryError("selectors.listing", "a listing source needs selectors.listing (items and/or link)")
    if kind == "json" and json_fields.html and listing is None:
        listing = ListingSelectors()
    pages = _integer(entry, "pages", minimum=1) or 1
    if pages > 1 and PAGE_PLACEHOLDER not in url:
        raise _EntryError("pages", f"pages > 1 needs a {PAGE_PLACEHOLDER} placeholder in the url")
    first_page = entry.get("first_page", 1)
    if not isinstance(first_page, int) or isinstance(first_page, bool) or first_page < 0:
        raise _EntryError("first_page", "must be a whole number >= 0")
    link_pattern = None
    if entry.get("link_pattern") is not None:
        try:
            link_pattern = re.compile(_text(entry, "link_pattern"))
        except re.error as exc:
            raise _EntryError("link_pattern", f"not a regular expression: {exc}") from None
    delay = entry.get("delay")
    if delay is not None and (isinstance(delay, bool) or not isinstance(delay, (int, float)) or delay < 0):
        raise _EntryError("delay", "must be a number of seconds >= 0")
    keywords = _keywords(entry["keywords"], "keywords") if entry.get("keywords") is not None else None
    return Source(
        name=name, kind=kind, url=url, provider=provider,
        language=_text(entry, "language"),
        listing=listing, page_selectors=page_selectors, json=json_fields if kind == "json" else None,
        keywords=keywords,
        always_relevant=_flag(entry, "always_relevant"),
        allow_private_hosts=_flag(entry, "allow_private_hosts"),
        delay=float(delay) if delay is not None else None,
        max_items=_integer(entry, "max_items", minimum=1),
        link_pattern=link_pattern, pages=pages, first_page=first_page,
        enabled=_flag(entry, "enabled", default=True),
    )


def _text(entry: dict[str, Any], key: str, *, required: bool = False, label: str | None = None) -> Any:
    value = entry.get(key)
    if value is None:
        if required:
            raise _EntryError(label or key, "missing")
        return None
    if not isinstance(value, str) or not value.strip():
        raise _EntryError(label or key, "must be a non-empty string")
    return value.strip()


def _url(value: Any, label: str, *, required: bool = False) -> Any:
    if value is None and not required:
        return None
    url = _text({"v": value}, "v", required=required, label=label)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _EntryError(label, f"{url!r} is not an http(s) URL")
    return url


def _flag(entry: dict[str, Any], key: str, *, default: bool = False) -> bool:
    value = entry.get(key, default)
    if not isinstance(value, bool):
        raise _EntryError(key, "must be true or false")
    return value


def _integer(entry: dict[str, Any], key: str, *, minimum: int) -> int | None:
    value = entry.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise _EntryError(key, f"must be a whole number >= {minimum}")
    return value


def _mapping(entry: dict[str, Any], key: str) -> dict[str, Any]:
    value = entry.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _EntryError(key, "must be a mapping")
    return value


def _string_map(value: Any, label: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _EntryError(label, "must be a mapping of field: CSS selector")
    for key, selector in value.items():
        if not isinstance(selector, str) or not selector.strip():
            raise _EntryError(f"{label}.{key}", "must be a non-empty string")
        try:
            _SELECTOR_CHECK.css(selector)
        except Exception:  # selectolax raises its own error type for a selector it cannot parse
            raise _EntryError(f"{label}.{key}", f"{selector!r} is not a CSS selector lexbor understands"
                                                " (jQuery's :eq()/:first are not CSS; use :nth-child())") from None
    return {str(k): v.strip() for k, v in value.items()}


def _keywords(value: Any, label: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(k, str) and k.strip() for k in value):
        raise _EntryError(label, "must be a non-empty list of words or phrases")
    return tuple(k.strip() for k in value)


def _provider(value: Any, default_domain: str) -> Provider | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise _EntryError("provider", "must be a mapping {name, domain}")
    unknown = sorted(set(value) - {"name", "domain"})
    if unknown:
        raise _EntryError(f"provider.{unknown[0]}", "unknown field (expected name, domain)")
    domain = _text(value, "domain", label="provider.domain") or default_domain
    name = _text(value, "name", label="provider.name") or domain
    return Provider(name=name, domain=domain.lower())


def _listing(value: Any) -> ListingSelectors:
    fields = _string_map(value, "selectors.listing")
    unknown = sorted(set(fields) - LISTING_FIELDS)
    if unknown:
        raise _EntryError(f"selectors.listing.{unknown[0]}", "unknown field (expected items, link, title, date)")
    link = fields.get("link") or fields.get("links")
    if not link and not fields.get("items"):
        raise _EntryError("selectors.listing", "needs items or link")
    return ListingSelectors(items=fields.get("items"), link=link or "a[href]", title=fields.get("title"),
                            date=fields.get("date"))


def _json(value: Any, kind: str) -> JsonFields:
    if value is None:
        if kind == "json":
            raise _EntryError("json", "a json source needs json: {items, link or link_template or html, ...}")
        return JsonFields()
    if kind != "json":
        raise _EntryError("json", f"only json sources take this field (kind is {kind})")
    if not isinstance(value, dict):
        raise _EntryError("json", "must be a mapping")
    unknown = sorted(set(value) - JSON_FIELDS)
    if unknown:
        raise _EntryError(f"json.{unknown[0]}", "unknown field")
    texts = {key: _text(value, key, label=f"json.{key}")
             for key in ("items", "link", "link_template", "title", "date", "summary", "html", "content_type")}
    if not (texts["link"] or texts["link_template"] or texts["html"]):
        raise _EntryError("json", "needs link, link_template or html")
    method = (_text(value, "method", label="json.method") or "GET").upper()
    if method not in ("GET", "POST"):
        raise _EntryError("json.method", "must be GET or POST")
    body = value.get("body")
    if body is not None and not isinstance(body, (dict, list, str)):
        raise _EntryError("json.body", "must be a mapping or list (sent as JSON) or a string (sent as is)")
    if body is not None and method != "POST":
        raise _EntryError("json.body", "a body needs method: POST")
    return JsonFields(method=method, body=body, base_url=_url(value.get("base_url"), "json.base_url"), **texts)
