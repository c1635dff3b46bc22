"""Pure parsers that turn a discovery document into article links: feeds, sitemaps, listing pages, JSON lists.

Each returns the items it found and one-line errors for the entries it had to skip (an item without a usable
link, a sitemap ``<loc>`` that is no URL); a document that cannot be read at all raises :class:`DiscoveryError`.
"""

from __future__ import annotations

import calendar
import io
import json
import re
import time
import xml.etree.ElementTree as ElementTree
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser
from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.extract import decode_html
from scraper.metadata import parse_date
from scraper.sources import JsonFields, ListingSelectors

__all__ = [
    "DiscoveredItem",
    "SitemapDocument",
    "DiscoveryError",
    "parse_feed",
    "parse_sitemap",
    "parse_listing",
    "parse_json_list",
    "resolve_path",
    "loose_date",
]

#: Numeric dates as Chinese, Japanese and many government sites print them: 2021年12月14日, 2021/12/14, 2021.12.14.
EPOCH = re.compile(r"^\d{10}(\d{3})?$")
SUMMARY_CHARS = 500
WHITESPACE = re.compile(r"\s+")


class DiscoveryError(Exception):
    """A discovery document (feed, sitemap, listing, JSON) cannot be used at all. One line."""


@dataclass
class DiscoveredItem:
    """An article link found by discovery, with what the feed or listing said about it."""

    url: str
    title: str | None = None
    published: str | None = None
    summary: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "DiscoveredItem":
        return cls(**{k: data.get(k) for k in ("url", "title", "published", "summary")})


@dataclass
class SitemapDocument:
    """A parsed sitemap: article items (``<urlset>``) or child sitemaps (``<sitemapindex>``)."""

    items: list[DiscoveredItem] = field(default_factory=list)
    sitemaps: list[DiscoveredItem] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def loose_date(text: str | None) -> str | None:
    """A date printed in a listing or a JSON field, as ISO 8601 (see :func:`scraper.metadata.parse_date`).

    Fuzzy parsing is only trusted when the text holds a year, so "12 comments" never becomes a date.
    """
    if not text or not text.strip():
        return None
    text = WHITESPACE.sub(" ", text).strip()
    if EPOCH.match(text):  # seconds or milliseconds since 1970, as JSON APIs send them
        seconds = int(text) / (1000 if len(text) == 13 else 1)
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))
    return parse_date(text) or parse_date(text, fuzzy=True)


def _http_url(href: str | None, base: str) -> str | None:
    if not href or not href.strip():
        return None
    url = urljoin(base, href.strip())
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return parts._replace(fragment="").geturl()


def _clean(text: str | None, limit: int | None = None) -> str | None:
    if not text:
        return None
    text = WHITESPACE.sub(" ", text).strip()
    if limit and len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + "…"
    return text or None


def _strip_html(text: str | None) -> str | None:
    if not text:
        return None
    if "<" not in text:
        return _clean(text, SUMMARY_CHARS)
    return _clean(LexborHTMLParser(f"<div>{text}</div>").text(separator=" "), SUMMARY_CHARS)


def _label(index: int, title: str | None) -> str:
    return f"item {index}" + (f" ({_clean(title, 60)})" if title else "")


# -- feeds ------------------------------------------------------------------------------------------------------


def parse_feed(data: bytes, url: str, *, content_type: str | None = None) -> tuple[list[DiscoveredItem], list[str]]:
    """Items of an RSS or Atom feed. A feed with XML errors that still parses ("bozo") is used."""
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    parsed = feedparser.parse(io.BytesIO(data), response_headers=headers)
    if not parsed.entries and not parsed.version:
        reason = getattr(parsed, "bozo_exception", None)
        raise DiscoveryError(f"{url}: not an RSS or Atom feed" + (f" ({_clean(str(reason), 120)})" if reason else ""))
    items: list[DiscoveredItem] = []
    errors: list[str] = []
    for index, entry in enumerate(parsed.entries, start=1):
        title = _clean(entry.get("title"))
        link = entry.get("link")
        if not link:
            link = next((l.get("href") for l in entry.get("links", []) if l.get("rel") in (None, "alternate")), None)
        article_url = _http_url(link, url)
        if article_url is None:
            what = f"link {link!r} is not an http(s) URL" if link else "no link"
            errors.append(f"{url}: {_label(index, title)}: {what}; skipped")
            continue
        parsed_time = entry.get("published_parsed") or entry.get("updated_parsed")
        published = None
        if parsed_time:
            published = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(calendar.timegm(parsed_time)))
        items.append(DiscoveredItem(article_url, title, published, _strip_html(entry.get("summary"))))
    return items, errors


# -- sitemaps ---------------------------------------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower()


def _child_text(node: ElementTree.Element, *path: str) -> str | None:
    current: ElementTree.Element | None = node
    for name in path:
        current = next((child for child in current if _local(child.tag) == name), None) if current is not None else None
    return current.text.strip() if current is not None and current.text and current.text.strip() else None


def parse_sitemap(data: bytes, url: str) -> SitemapDocument:
    """A sitemap (``<urlset>``, with Google News tags when present) or a sitemap index (``<sitemapindex>``).

    Parsed with the standard library (expat >= 2.4 refuses entity-expansion bombs); the caller has already
    capped the size. Entries are returned newest first when they carry dates.
    """
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise DiscoveryError(f"{url}: not a sitemap (XML error: {exc})") from None
    kind = _local(root.tag)
    if kind not in ("urlset", "sitemapindex"):
        raise DiscoveryError(f"{url}: not a sitemap (root element <{kind}>)")
    document = SitemapDocument()
    entry_tag = "url" if kind == "urlset" else "sitemap"
    entries = [child for child in root if _local(child.tag) == entry_tag]
    for index, entry in enumerate(entries, start=1):
        loc = _child_text(entry, "loc")
        target = _http_url(loc, url) if loc and "://" in loc else None
        if target is None:
            document.errors.append(f"{url}: entry {index}: <loc> {loc!r} is not an http(s) URL; skipped")
            continue
        news_date = _child_text(entry, "news", "publication_date")
        published = parse_date(news_date) or parse_date(_child_text(entry, "lastmod"))
        item = DiscoveredItem(target, _clean(_child_text(entry, "news", "title")), published)
        (document.items if kind == "urlset" else document.sitemaps).append(item)
    for items in (document.items, document.sitemaps):
        items.sort(key=lambda item: item.published or "", reverse=True)
    return document


# -- listing pages ----------------------------------------------------------------------------------------------


def _node_date(node: LexborNode | None) -> str | None:
    if node is None:
        return None
    for attribute in ("datetime", "content", "data-date"):
        if (value := node.attributes.get(attribute)) and (found := loose_date(value)):
            return found
    return loose_date(node.text(separator=" "))


def _node_title(node: LexborNode | None) -> str | None:
    """An element's text, or its ``title`` attribute when that is longer (listings cut long titles short)."""
    if node is None:
        return None
    text = _clean(node.text(separator=" ")) or ""
    attribute = _clean(node.attributes.get("title")) or ""
    return max(text, attribute, key=len) or None


def parse_listing(page: str | bytes, url: str, selectors: ListingSelectors, *,
                  content_type: str | None = None) -> tuple[list[DiscoveredItem], list[str]]:
    """Article links of a listing page (or HTML fragment), found with the source's CSS selectors."""
    text = decode_html(page, content_type=content_type) if isinstance(page, bytes) else page
    tree = LexborHTMLParser(text)
    items: list[DiscoveredItem] = []
    errors: list[str] = []
    if selectors.items:
        nodes = tree.css(selectors.items)
    else:
        nodes = tree.css(selectors.link)
    if not nodes:
        raise DiscoveryError(f"{url}: no element matches {selectors.items or selectors.link!r}")
    for index, node in enumerate(nodes, start=1):
        if selectors.items:
            link_node = node.css_first(selectors.link)
            if link_node is None and node.tag == "a":
                link_node = node
            title_node = node.css_first(selectors.title) if selectors.title else None
            date_node = node.css_first(selectors.date) if selectors.date else None
        else:
            link_node, title_node, date_node = node, None, None
        title = _node_title(title_node) or _node_title(link_node)
        if title is None:
            title = _clean(node.text(separator=" "), 60)
        href = link_node.attributes.get("href") if link_node is not None else None
        article_url = _http_url(href, url)
        if article_url is None:
            what = f"link {href!r} is not an http(s) URL" if href else "no link"
            errors.append(f"{url}: {_label(index, title)}: {what}; skipped")
            continue
        items.append(DiscoveredItem(article_url, title, _node_date(date_node)))
    return items, errors


# -- JSON list APIs ---------------------------------------------------------------------------------------------


def resolve_path(data: Any, path: str | None) -> Any:
    """Follow a dotted path: ``data.items``, ``results[].url`` (``[]`` maps over a list), ``datas.0.title``.

    Returns None when the path is missing; a list when it crossed a ``[]``.
    """
    if path is None:
        return data
    values = [data]
    crossed_list = False
    for segment in path.split("."):
        many = segment.endswith("[]")
        name = segment[:-2] if many else segment
        found = []
        for value in values:
            if name:
                if isinstance(value, dict) and name in value:
                    value = value[name]
                elif isinstance(value, list) and name.isdigit() and int(name) < len(value):
                    value = value[int(name)]
                else:
                    continue
            if many:
                if isinstance(value, list):
                    found.extend(value)
            else:
                found.append(value)
        values = found
        crossed_list = crossed_list or many
    if crossed_list:
        return values
    return values[0] if values else None


def _split_list_path(fields: JsonFields) -> tuple[str | None, dict[str, str | None]]:
    """``items`` and item-relative paths; ``link: results[].url`` without ``items`` means items ``results[]``."""
    paths = {"link": fields.link, "title": fields.title, "date": fields.date, "summary": fields.summary}
    items = fields.items
    if items is None and fields.link and "[]" in fields.link:
        items = fields.link[: fields.link.rindex("[]") + 2]
        prefix = items + "."
        paths = {key: (value[len(prefix):] if value and value.startswith(prefix) else value)
                 for key, value in paths.items()}
    return items, paths


TEMPLATE_FIELD = re.compile(r"\{([^{}]+)\}")


def _scalar(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    return str(value)


def parse_json_list(data: bytes, url: str, fields: JsonFields, listing: ListingSelectors | None = None
                    ) -> tuple[list[DiscoveredItem], list[str]]:
    """Article links of a JSON list API, read through the source's field paths (see :class:`JsonFields`)."""
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise DiscoveryError(f"{url}: not JSON ({exc})") from None
    base = fields.base_url or url
    if fields.html:
        fragment = resolve_path(document, fields.html)
        if not isinstance(fragment, str):
            raise DiscoveryError(f"{url}: no HTML fragment at {fields.html!r}")
        return parse_listing(fragment, base, listing or ListingSelectors())
    items_path, paths = _split_list_path(fields)
    entries = resolve_path(document, items_path)
    if not isinstance(entries, list):
        where = f"at {items_path!r}" if items_path else "at the top level"
        raise DiscoveryError(f"{url}: no list of items {where}")
    items: list[DiscoveredItem] = []
    errors: list[str] = []
    for index, entry in enumerate(entries, start=1):
        title = _clean(_scalar(resolve_path(entry, paths["title"]))) if paths["title"] else None
        if fields.link_template:
            values = {m: _scalar(resolve_path(entry, m)) for m in TEMPLATE_FIELD.findall(fields.link_template)}
            missing = [name for name, value in values.items() if value is None]
            link = None if missing else TEMPLATE_FIELD.sub(lambda m: values[m.group(1)], fields.link_template)
        else:
            link = _scalar(resolve_path(entry, paths["link"]))
        article_url = _http_url(link, base)
        if article_url is None:
            what = f"link {link!r} is not an http(s) URL" if link else f"no {'link' if not fields.link_template else 'value for the link template'}"
            errors.append(f"{url}: {_label(index, title)}: {what}; skipped")
            continue
        date = loose_date(_scalar(resolve_path(entry, paths["date"]))) if paths["date"] else None
        summary = _strip_html(_scalar(resolve_path(entry, paths["summary"]))) if paths["summary"] else None
        items.append(DiscoveredItem(article_url, title, date, summary))
    return items, errors
