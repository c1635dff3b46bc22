"""One article page (HTML) to an :class:`ExtractedPage`, and that to an article file's :class:`Article`.

Order of evidence: JSON-LD, then OpenGraph and other <meta> tags, ``<link rel=canonical>``, ``<time datetime>``
(:mod:`scraper.metadata`); then a source's own CSS selectors, which override those for their field; then the
generic body extractor (:mod:`scraper.body`). The JSON-LD ``articleBody`` serves as the body when the generic
extractor finds much less text than it (see :func:`_choose_body`). When the body still looks unreliable
(:func:`scraper.body_fallback.unreliable_reason`), trafilatura extracts that page again (``body_method="fallback"``).

The page is parsed once (selectolax/Lexbor). Bytes are decoded by :func:`scraper.encoding.decode_html`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser

from scraper.article_file import Article, content_hash
from scraper.body import Body, collect_text, extract_body, remove_unwanted_tags
from scraper.body_fallback import MIN_RELIABLE_BODY_CHARS, fallback_body, unreliable_reason
from scraper.encoding import decode_html
from scraper.metadata import date_of_element, extract_metadata
from scraper.urls import article_id

__all__ = ["ExtractedPage", "NotHtmlError", "decode_html", "extract_page", "page_to_article"]

#: A JSON-LD articleBody replaces the generic body when it has at least this many characters ...
MIN_JSONLD_BODY_CHARS = 400
#: ... and the generic body is shorter than this share of it.
JSONLD_BODY_PREFERRED_BELOW = 0.5
MARKUP = re.compile(r"<\s*(html|head|body|div|p|meta|title|article|!doctype)\b", re.IGNORECASE)
#: Share of a decoded page that may be replacement or control characters before it counts as binary.
MAX_GARBAGE_SHARE = 0.05
GARBAGE = re.compile("[\ufffd\x01-\x08\x0e-\x1f]")
WHITESPACE = re.compile(r"[ \t\r\f\v\u00a0]+")


class NotHtmlError(ValueError):
    """The input is empty, binary or has no HTML markup. ``str()`` is a one-line reason."""


@dataclass
class ExtractedPage:
    """What a page says: its metadata and its article body as plain text (paragraphs separated by blank lines)."""

    url: str
    title: str | None
    published: str | None
    updated: str | None
    author: str | None
    publisher: str | None
    excerpt: str | None
    body: str
    language: str | None
    image: str | None
    body_method: str
    #: Why the fallback extractor ran on this page (see scraper.body_fallback), None when it did not.
    fallback_reason: str | None = None


def extract_page(html: str | bytes, url: str, *, content_type: str | None = None,
                 selectors: dict[str, str] | None = None, use_fallback: bool = True) -> ExtractedPage:
    """Extract the metadata and article text of one page fetched from `url`.

    `html` may be bytes (decoded with the charset of `content_type`, the page's own declaration, or detection).
    `selectors` are a source's own CSS selectors, ``{"title": ..., "date": ..., "body": ...}``; each that matches
    overrides the generic result for its field. With `use_fallback` (the default), a body that looks unreliable is
    extracted again by trafilatura. Raises :class:`NotHtmlError` for empty, binary or markup-less input.
    """
    text = decode_html(html, content_type=content_type) if isinstance(html, bytes) else html
    _check_is_html(text)
    tree = LexborHTMLParser(text)
    meta = extract_metadata(tree, url)
    selectors = selectors or {}
    title, published = meta.title, meta.published
    if selectors.get("title") and (node := tree.css_first(selectors["title"])) is not None:
        title = WHITESPACE.sub(" ", node.text(separator=" ")).strip() or title
    if selectors.get("date") and (node := tree.css_first(selectors["date"])) is not None:
        published = date_of_element(node) or published
    body = _selected_body(tree, selectors.get("body")) if selectors.get("body") else None
    if body is None or not body.text:
        body = _choose_body(extract_body(tree), meta.article_body)
    reason = unreliable_reason(body) if use_fallback else None
    if reason:
        body = _fallback_or_fast(body, fallback_body(text, url))
    return ExtractedPage(
        url=meta.url or url, title=title, published=published, updated=meta.updated, author=meta.author,
        publisher=meta.publisher, excerpt=meta.excerpt, body=body.text, language=meta.language, image=meta.image,
        body_method=body.method, fallback_reason=reason,
    )


def _check_is_html(text: str) -> None:
    if not text.strip():
        raise NotHtmlError("empty page")
    head = text[:4096]
    if len(GARBAGE.findall(head)) > MAX_GARBAGE_SHARE * len(head):
        raise NotHtmlError("binary data, not HTML")
    if not MARKUP.search(text[:65536]):
        raise NotHtmlError("no HTML markup")


def _selected_body(tree: LexborHTMLParser, selector: str) -> Body | None:
    nodes = tree.css(selector)
    if not nodes:
        return None
    remove_unwanted_tags(tree)
    blocks = [block for node in tree.css(selector) for block in collect_text(node)]
    return Body("\n\n".join(blocks), len(blocks), method="selector")


def _choose_body(generic: Body, jsonld_body: str | None) -> Body:
    """The generic body, unless the page's JSON-LD articleBody is long and the generic one much shorter."""
    if jsonld_body and len(jsonld_body) >= MIN_JSONLD_BODY_CHARS:
        if len(generic.text) < JSONLD_BODY_PREFERRED_BELOW * len(jsonld_body):
            paragraphs = [p.strip() for p in re.split(r"\n\s*\n|\r\n\s*\r\n", jsonld_body) if p.strip()]
            return Body("\n\n".join(paragraphs), len(paragraphs), method="jsonld")
    return generic


def _fallback_or_fast(fast: Body, fallback: Body | None) -> Body:
    """The fallback's body when it found enough text to be reliable itself, else the fast path's."""
    if fallback is None or len(fallback.text) < MIN_RELIABLE_BODY_CHARS:
        return fast
    return fallback


def page_to_article(page: ExtractedPage, *, source: str | None = None, provider_domain: str | None = None,
                    language: str | None = None, scraped_at: str | None = None) -> Article:
    """An article file's content for an extracted page, its front matter in the seed schema's order.

    `provider_domain` defaults to the page's host without ``www.``; `language` (a source's configured language)
    wins over the page's own; `scraped_at` defaults to now (UTC). Fields without a value are left out.
    """
    domain = provider_domain or _domain_of(page.url)
    meta = {
        "category": "news",
        "title": page.title,
        "excerpt": page.excerpt,
        "publishedDateTime": page.published,
        "updatedDateTime": page.updated,
        "originalUrl": page.url,
        "webUrl": page.url,
        "type": "article",
        "provider": {"name": page.publisher or domain, "domain": domain} if domain or page.publisher else None,
        "images": [{"url": page.image}] if page.image else None,
        "author": page.author,
        "id": article_id(page.url),
        "scrapedDateTime": scraped_at or dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "source": source,
        "language": language or page.language,
    }
    meta = {key: value for key, value in meta.items() if value is not None}
    if "provider" in meta:
        meta["provider"] = {key: value for key, value in meta["provider"].items() if value}
    article = Article(meta, page.body + "\n" if page.body else "")
    article.meta["contentHash"] = content_hash(article)
    return article


def _domain_of(url: str) -> str | None:
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host or None
