"""Discovery: the article links a source offers right now, from its feed, sitemap, listing page or JSON API.

:func:`discover_source` fetches the source's discovery documents through the `fetch` function it is given
(the run's, which adds conditional requests and politeness) and parses them with :mod:`scraper.discover_parse`.
A document that answers 304 Not Modified gives no items. A source whose every discovery document failed raises
:class:`DiscoveryError`; skipped entries and later pages that failed become one-line errors.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable, Protocol
from urllib.parse import urlsplit

from protego import Protego

from scraper.discover_parse import (
    DiscoveredItem,
    DiscoveryError,
    parse_feed,
    parse_json_list,
    parse_listing,
    parse_sitemap,
)
from scraper.fetch import DOCUMENT_TYPES, FetchError, FetchResult
from scraper.http_safety import BoundedDecoder, ResponseTooLargeError
from scraper.sources import PAGE_PLACEHOLDER, Source
from scraper.urls import article_id

__all__ = ["Discovery", "DiscoveredItem", "DiscoveryError", "FetchFunction", "discover_source"]

#: Sitemap files may be gzip-compressed (``.xml.gz``); the protocol caps them at 50 MB uncompressed.
SITEMAP_TYPES = DOCUMENT_TYPES | {"application/gzip", "application/x-gzip", "text/plain"}
MAX_SITEMAP_BYTES = 50 * 1024 * 1024
#: How deep sitemap indexes are followed, and how many children (newest first) are read per index.
MAX_SITEMAP_DEPTH = 2
MAX_CHILD_SITEMAPS = 5


class FetchFunction(Protocol):
    """Fetch a discovery document; `conditional` lets the caller send the validators it remembers."""

    def __call__(self, url: str, *, method: str = "GET", content: bytes | None = None,
                 headers: dict[str, str] | None = None, accept: Any = DOCUMENT_TYPES,
                 conditional: bool = True) -> FetchResult: ...


@dataclass
class Discovery:
    """What discovery found for one source."""

    items: list[DiscoveredItem] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    #: Discovery documents read (200) and unchanged since the last run (304).
    documents: int = 0
    not_modified: int = 0
    #: Items left out because they do not match the source's link_pattern.
    filtered: int = 0


def discover_source(source: Source, fetch: FetchFunction) -> Discovery:
    """Find the source's current article links (deduplicated by canonical URL, in the source's order)."""
    discovery = Discovery()
    first_failure: str | None = None
    readers: dict[str, Callable[[Source, str, FetchFunction, Discovery], None]] = {
        "feed": _read_feed, "sitemap": _read_sitemap, "listing": _read_listing, "json": _read_json,
    }
    for page_number, url in enumerate(source.page_urls()):
        try:
            readers[source.kind](source, url, fetch, discovery)
        except (FetchError, DiscoveryError) as exc:
            first_failure = first_failure or str(exc)
            discovery.errors.append(str(exc))
            if page_number > 0:
                break  # later pages of a listing: stop paging at the first failure
    if discovery.documents == 0 and discovery.not_modified == 0:
        raise DiscoveryError(first_failure or f"{source.url}: nothing to read")
    discovery.items = _unique(source, discovery)
    return discovery


def _unique(source: Source, discovery: Discovery) -> list[DiscoveredItem]:
    seen: set[str] = set()
    kept: list[DiscoveredItem] = []
    for item in discovery.items:
        if source.link_pattern is not None and not source.link_pattern.search(item.url):
            discovery.filtered += 1
            continue
        key = article_id(item.url)
        if key not in seen:
            seen.add(key)
            kept.append(item)
    return kept


def _fetched(result: FetchResult, discovery: Discovery) -> bool:
    """Count a discovery response; False when it was a 304 (nothing new to parse)."""
    if result.not_modified:
        discovery.not_modified += 1
        return False
    discovery.documents += 1
    return True


def _read_feed(source: Source, url: str, fetch: FetchFunction, discovery: Discovery) -> None:
    result = fetch(url)
    if _fetched(result, discovery):
        items, errors = parse_feed(result.content, result.final_url, content_type=result.content_type)
        discovery.items.extend(items)
        discovery.errors.extend(errors)


def _read_listing(source: Source, url: str, fetch: FetchFunction, discovery: Discovery) -> None:
    assert source.listing is not None
    result = fetch(url)
    if _fetched(result, discovery):
        items, errors = parse_listing(result.content, result.final_url, source.listing,
                                      content_type=result.content_type)
        discovery.items.extend(items)
        discovery.errors.extend(errors)


def _read_json(source: Source, url: str, fetch: FetchFunction, discovery: Discovery) -> None:
    fields = source.json
    assert fields is not None
    content, headers = None, {"Accept": "application/json"}
    if fields.body is not None:
        page = url_page_number(source, url)
        if isinstance(fields.body, str):
            content = fields.body.replace(PAGE_PLACEHOLDER, page).encode("utf-8")
            headers["Content-Type"] = fields.content_type or "application/x-www-form-urlencoded"
        else:
            text = json.dumps(fields.body, ensure_ascii=False)
            text = text.replace(f'"{PAGE_PLACEHOLDER}"', page).replace(PAGE_PLACEHOLDER, page)
            content = text.encode("utf-8")
            headers["Content-Type"] = fields.content_type or "application/json"
    result = fetch(url, method=fields.method, content=content, headers=headers)
    if _fetched(result, discovery):
        base = fields.base_url or result.final_url
        items, errors = parse_json_list(result.content, base, fields, source.listing)
        discovery.items.extend(items)
        discovery.errors.extend(errors)


def url_page_number(source: Source, url: str) -> str:
    """The page number a discovery URL stands for (the first page when the URL has no placeholder)."""
    for number in range(source.first_page, source.first_page + source.pages):
        if source.url.replace(PAGE_PLACEHOLDER, str(number)) == url:
            return str(number)
    return str(source.first_page)


def _read_sitemap(source: Source, url: str, fetch: FetchFunction, discovery: Discovery) -> None:
    if urlsplit(url).path == "/robots.txt":
        # Always read robots.txt whole: its sitemaps may change while it does not.
        result = fetch(url, accept=None, conditional=False)
        if not _fetched(result, discovery):
            return
        sitemaps = list(Protego.parse(result.content.decode("utf-8", errors="replace")).sitemaps)
        if not sitemaps:
            raise DiscoveryError(f"{url}: robots.txt lists no Sitemap: lines")
        discovery.documents -= 1  # robots.txt itself is no sitemap: count only readable sitemaps
        _read_sitemaps(sitemaps, fetch, discovery, depth=0, required=True)
        return
    _read_sitemaps([url], fetch, discovery, depth=0, required=True)


def _read_sitemaps(urls: list[str], fetch: FetchFunction, discovery: Discovery, *, depth: int,
                   required: bool) -> None:
    """Read sitemaps, following indexes. With `required`, fail when none of `urls` could be read."""
    failures: list[str] = []
    for url in urls:
        try:
            result = fetch(url, accept=SITEMAP_TYPES)
            if not _fetched(result, discovery):
                continue
            document = parse_sitemap(_gunzip(result.content, url), result.final_url)
        except (FetchError, DiscoveryError) as exc:
            failures.append(str(exc))
            continue
        discovery.items.extend(document.items)
        discovery.errors.extend(document.errors)
        if document.sitemaps:
            if depth >= MAX_SITEMAP_DEPTH:
                discovery.errors.append(f"{url}: sitemap indexes nested deeper than {MAX_SITEMAP_DEPTH}; not followed")
                continue
            children = [item.url for item in document.sitemaps[:MAX_CHILD_SITEMAPS]]
            _read_sitemaps(children, fetch, discovery, depth=depth + 1, required=False)
    if required and failures and len(failures) == len(urls):
        raise DiscoveryError(failures[0])
    discovery.errors.extend(failures)


def _gunzip(data: bytes, url: str) -> bytes:
    if not data.startswith(b"\x1f\x8b"):
        return data
    decoder = BoundedDecoder("gzip", MAX_SITEMAP_BYTES)
    try:
        return decoder.feed(data) + decoder.flush()
    except ResponseTooLargeError as exc:
        raise DiscoveryError(f"{url}: {exc}") from None
    except ValueError as exc:
        raise DiscoveryError(f"{url}: {exc}") from None
