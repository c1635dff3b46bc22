"""The article file format: YAML front matter, then the body text. This module alone reads and writes it.

An article file looks like ``../shared/seeds/000_*.txt``::

    ---
    title: "Xpeng Motors fined by Chinese watchdog for facial recognition breach"
    publishedDateTime: 2021-12-15T08:27:00Z
    originalUrl: https://technode.com/...
    provider: {name: TechNode, domain: technode.com}
    ...
    ---
    Body text.

Besides the fields of that schema (category, title, excerpt, publishedDateTime, originalUrl, webUrl, type,
provider, topics, images, related, ...) the tracker adds ``id`` (from the canonical URL), ``scrapedDateTime``,
``source``, ``language`` and ``contentHash``. Unknown fields are kept as they are on rewrite.

A file without front matter is a raw copy of a page's text; :mod:`scraper.raw_text` recovers its title,
publisher and date.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import frontmatter
import yaml

from scraper import raw_text
from scraper.urls import article_id

__all__ = [
    "Article",
    "ArticleFileError",
    "parse_article",
    "read_article",
    "dump_article",
    "write_article",
    "content_hash",
]

FRONT_MATTER_DELIMITER = "---"
#: Fields holding timestamps; YAML parses unquoted ones into datetimes, we keep them as ISO 8601 strings.
DATETIME_FIELDS = ("publishedDateTime", "scrapedDateTime", "updatedDateTime")
#: python-frontmatter's YAML handler: splits on the delimiters and loads with yaml.SafeLoader.
FRONT_MATTER = frontmatter.YAMLHandler()


class ArticleFileError(Exception):
    """An article file could not be read. ``str()`` is one line naming the file."""

    def __init__(self, path: str | os.PathLike[str], problem: str):
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


@dataclass
class Article:
    """One article: its front matter (every field, known or not) and its body text."""

    meta: dict[str, Any] = field(default_factory=dict)
    body: str = ""

    @property
    def url(self) -> str | None:
        """The article's own address: ``originalUrl``, else ``webUrl``."""
        return self.meta.get("originalUrl") or self.meta.get("webUrl") or None

    @property
    def id(self) -> str:
        return self.meta["id"]

    @property
    def title(self) -> str:
        return self.meta.get("title") or ""

    def with_derived_fields(self) -> "Article":
        """Fill ``id`` and ``contentHash`` when missing (the seeds have neither) and normalise timestamps."""
        meta = dict(self.meta)
        for key in DATETIME_FIELDS:
            if key in meta:
                meta[key] = _iso_datetime(meta[key])
        if not meta.get("id"):
            meta["id"] = article_id(self.url) if self.url else _fallback_id(meta, self.body)
        if not meta.get("contentHash"):
            meta["contentHash"] = content_hash(self)
        return Article(meta, self.body)


def content_hash(article: Article) -> str:
    """SHA-256 (16 hex digits) of what enrichment reads: title, excerpt and body."""
    text = "\n".join([article.meta.get("title") or "", article.meta.get("excerpt") or "", article.body])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _fallback_id(meta: dict[str, Any], body: str) -> str:
    """An id for an article with no URL: from its publisher, title and date, else its text."""
    provider = meta.get("provider") or {}
    key = "|".join(
        str(x) for x in (provider.get("name") if isinstance(provider, dict) else provider, meta.get("title"),
                         meta.get("publishedDateTime"))
    )
    if key == "None|None|None":
        key = body
    return hashlib.sha256(("nourl:" + key).encode("utf-8")).hexdigest()[:16]


def _iso_datetime(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
            return value.isoformat(timespec="seconds") + "Z"
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def describe_yaml_error(exc: yaml.YAMLError) -> str:
    """Where and what a YAML error is, for a one-line message: `` at line 3: expected ',' or ']'``."""
    mark = getattr(exc, "problem_mark", None)
    where = f" at line {mark.line + 1}" if mark is not None else ""
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return f"{where}: {problem}"


def parse_article(text: str, *, name: str = "<string>") -> Article:
    """Parse the text of an article file. ``name`` is used in error messages.

    Raises :class:`ArticleFileError` for empty text, malformed YAML or front matter that is not a mapping.
    """
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise ArticleFileError(name, "empty file")
    if not text.startswith(FRONT_MATTER_DELIMITER):
        return raw_text.parse_raw_page_text(text).with_derived_fields()
    try:
        front, body = FRONT_MATTER.split(text)
    except ValueError:
        raise ArticleFileError(name, "front matter has no closing '---' line") from None
    try:
        meta = FRONT_MATTER.load(front)
    except yaml.YAMLError as exc:
        raise ArticleFileError(name, f"malformed front matter{describe_yaml_error(exc)}") from None
    if meta is not None and not isinstance(meta, dict):
        raise ArticleFileError(name, "front matter is not a mapping of fields")
    if not meta:
        raise ArticleFileError(name, "front matter is empty")
    body = body.strip()
    return Article(dict(meta), body + "\n" if body else "").with_derived_fields()


def read_article(path: str | os.PathLike[str]) -> Article:
    """Read one article file. Raises :class:`ArticleFileError` naming the file on any problem."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ArticleFileError(path, f"cannot read: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ArticleFileError(path, f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})") from None
    return parse_article(text, name=str(path))


def dump_article(article: Article) -> str:
    """Serialise an article: ``---``, the front matter as YAML (safe_dump, key order kept), ``---``, the body."""
    meta = yaml.safe_dump(article.meta, sort_keys=False, allow_unicode=True, width=120, default_flow_style=False)
    body = article.body if article.body.endswith("\n") or not article.body else article.body + "\n"
    return f"{FRONT_MATTER_DELIMITER}\n{meta}{FRONT_MATTER_DELIMITER}\n\n{body}"


def write_article(article: Article, path: str | os.PathLike[str]) -> Path:
    """Write an article file atomically: a temporary file in the same directory, fsync, then rename."""
    path = Path(path)
    atomic_write_text(path, dump_article(article))
    return path


def atomic_write_text(path: Path, text: str) -> None:
    """Write `text` to `path` so that readers see the old file or the new one, never a partial file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=path.suffix, dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
