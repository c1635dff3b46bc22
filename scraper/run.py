"""A scrape run: discover each source's article links, fetch the new ones, keep the relevant ones as files.

The library API behind ``scrape run``::

    summary = run_sources(load_sources().sources, "data")
    for line in summary.lines(): print(line)

Sources run in parallel threads (hosts in parallel; one host's requests are spaced by the shared
:class:`~scraper.fetch.Fetcher`). Each kept article is written atomically to
``OUT/<source-slug>/<YYYY>/<id>.txt``, where the id comes from the article's canonical URL, so the file name
never leaves OUT. The state file (:mod:`scraper.state`) makes runs incremental: a URL an earlier run settled is
not fetched again unless ``refetch``; discovery documents are fetched conditionally (ETag / Last-Modified).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import httpx
from filelock import FileLock, Timeout

from scraper.article_file import Article, ArticleFileError, content_hash, read_article, write_article
from scraper.discover import DiscoveredItem, DiscoveryError, discover_source
from scraper.extract import NotHtmlError, extract_page, page_to_article
from scraper.fetch import DOCUMENT_TYPES, FetchConfig, Fetcher, FetchError, FetchResult
from scraper.relevance import article_text, keyword_matcher
from scraper.run_summary import RunSummary, SourceSummary
from scraper.sources import Source
from scraper.state import STATE_FILE_NAME, ScrapeState, StateError
from scraper.urls import article_id, canonicalize

__all__ = ["run_sources", "RunError", "RunSummary", "SourceSummary", "LOCK_FILE_NAME", "PAGE_TYPES", "article_path"]

log = logging.getLogger(__name__)

#: Held during a run so two runs never write to one output directory at once.
LOCK_FILE_NAME = ".scrape-state.lock"
#: Media types of article pages.
PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml"})
ARTICLE_ID = re.compile(r"^[0-9a-f]{16}$")


class RunError(Exception):
    """The run as a whole cannot start (output directory locked, state file unusable). One line."""


ProgressCallback = Callable[[SourceSummary], None]


def article_path(out_dir: Path, source: Source, article: Article) -> Path:
    """Where an article of `source` goes: ``OUT/<source-slug>/<year>/<id>.txt``, always inside `out_dir`."""
    identifier = str(article.meta.get("id") or "")
    if not ARTICLE_ID.match(identifier):
        identifier = article_id(article.url or article.title or "")
    stamp = str(article.meta.get("publishedDateTime") or article.meta.get("scrapedDateTime") or "")
    year = stamp[:4] if re.match(r"^(19|20)\d\d", stamp) else "undated"
    path = out_dir / source.slug / year / f"{identifier}.txt"
    if out_dir.resolve() not in path.resolve().parents:
        raise ValueError(f"article path {path} would leave {out_dir}")
    return path


@dataclass
class _Run:
    """What every source's thread shares during one run."""

    out_dir: Path
    state: ScrapeState
    fetcher: Fetcher
    refetch: bool
    max_per_source: int | None
    since: str | None
    dry_run: bool
    default_keywords: tuple[str, ...] | None
    progress: ProgressCallback | None
    scraped_at: str
    #: Article ids of files already under the output directory (found by name), in case the state was lost.
    files: dict[str, Path] = field(default_factory=dict)
    claimed: set[str] = field(default_factory=set)
    claim_lock: threading.Lock = field(default_factory=threading.Lock)

    def claim(self, *ids: str) -> bool:
        """Reserve article ids for this thread; False when another thread (or URL) already has one."""
        with self.claim_lock:
            if any(i in self.claimed for i in ids):
                return False
            self.claimed.update(ids)
            return True

    def report(self, summary: SourceSummary) -> None:
        if self.progress is not None:
            self.progress(summary)


def run_sources(
    sources: Sequence[Source],
    out_dir: str | Path,
    *,
    refetch: bool = False,
    max_per_source: int | None = None,
    since: dt.date | None = None,
    dry_run: bool = False,
    state_path: str | Path | None = None,
    keywords: tuple[str, ...] | None = None,
    fetch_config: FetchConfig | None = None,
    workers: int = 4,
    progress: ProgressCallback | None = None,
    transport_factory: Callable[[bool], httpx.BaseTransport] | None = None,
) -> RunSummary:
    """Scrape `sources` into `out_dir` and say what happened per source.

    `refetch` fetches URLs earlier runs settled (still conditionally: a 304 skips the page); `max_per_source`
    caps the pages fetched per source; `since` skips articles dated before it; `dry_run` discovers only and
    writes nothing (not even state); `keywords` replace the built-in relevance keywords for sources without
    their own; `progress` is called from worker threads whenever a source's counts change.
    Raises :class:`RunError` when the output directory is locked by another run or the state is unusable.
    """
    out_dir = Path(out_dir)
    state_file = Path(state_path) if state_path else out_dir / STATE_FILE_NAME
    lock = None
    if not dry_run:
        lock = FileLock(str(out_dir / LOCK_FILE_NAME), timeout=0)
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
            lock.acquire()
        except Timeout:
            raise RunError(f"{out_dir}: another scrape run is writing here ({out_dir / LOCK_FILE_NAME} is locked)") from None
        except OSError as exc:
            raise RunError(f"{out_dir}: cannot write here: {exc.strerror or exc}") from None
    try:
        try:
            state = ScrapeState(state_file, read_only=dry_run)
        except StateError as exc:
            raise RunError(str(exc)) from None
        fetcher = Fetcher(fetch_config or FetchConfig(), transport_factory=transport_factory)
        run = _Run(out_dir=out_dir, state=state, fetcher=fetcher, refetch=refetch, max_per_source=max_per_source,
                   since=since.isoformat() if since else None, dry_run=dry_run, default_keywords=keywords,
                   progress=progress, scraped_at=dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                   files=_existing_files(out_dir))
        summaries = [SourceSummary(source.name) for source in sources]
        try:
            with ThreadPoolExecutor(max_workers=max(1, min(workers, len(sources) or 1)),
                                    thread_name_prefix="scrape") as pool:
                list(pool.map(lambda pair: _run_source(run, *pair), zip(sources, summaries)))
        finally:
            fetcher.close()
            state.close()
        return RunSummary(summaries)
    finally:
        if lock is not None:
            lock.release()


def _existing_files(out_dir: Path) -> dict[str, Path]:
    if not out_dir.is_dir():
        return {}
    return {path.stem: path for path in out_dir.rglob("*.txt") if ARTICLE_ID.match(path.stem)}


def _error(summary: SourceSummary, message: str) -> None:
    summary.errors.append(message)
    log.warning("%s: %s", summary.name, message)


def _run_source(run: _Run, source: Source, summary: SourceSummary) -> None:
    try:
        _scrape_source(run, source, summary)
    except Exception as exc:  # a bug must not take the other sources down
        log.debug("unexpected error in source %s", source.name, exc_info=True)
        summary.discovery_failed = summary.discovery_failed or summary.attempted == 0
        _error(summary, f"internal error: {type(exc).__name__}: {exc}")
    finally:
        summary.done = True
        run.report(summary)


def _scrape_source(run: _Run, source: Source, summary: SourceSummary) -> None:
    validators: dict[str, tuple[str | None, str | None]] = {}
    try:
        discovery = discover_source(source, _discovery_fetcher(run, source, validators))
    except DiscoveryError as exc:
        summary.discovery_failed = True
        _error(summary, str(exc))
        return
    summary.discovered = len(discovery.items)
    summary.not_modified += discovery.not_modified
    for message in discovery.errors:
        _error(summary, message)
    queue = _queue(run, source, discovery.items, summary)
    run.report(summary)
    if run.dry_run:
        summary.planned = [item.url for item in queue]
        for item in queue:
            log.info("%s: would fetch %s", source.name, item.url)
        return
    for item in queue:
        try:
            _scrape_article(run, source, item, summary)
        except Exception as exc:  # an extraction bug or a full disk must not stop the other articles
            log.debug("unexpected error for %s", item.url, exc_info=True)
            summary.failed += 1
            _error(summary, f"{item.url}: {type(exc).__name__}: {exc}")
        run.report(summary)
    if not summary.over_limit:  # else the next run must see the whole feed again, not a 304
        for url, (etag, last_modified) in validators.items():
            run.state.save_validators(url, etag, last_modified)


def _discovery_fetcher(run: _Run, source: Source, validators: dict[str, tuple[str | None, str | None]]):
    """The fetch function discovery uses: conditional unless --refetch; validators are kept for the end."""

    def fetch(url: str, *, method: str = "GET", content: bytes | None = None, headers: dict[str, str] | None = None,
              accept: Any = DOCUMENT_TYPES, conditional: bool = True) -> FetchResult:
        key = url if method == "GET" else f"{method} {url} {content!r}"
        etag, last_modified = run.state.validators(key) if conditional and not run.refetch else (None, None)
        result = run.fetcher.fetch(url, allow_private=source.allow_private_hosts, delay=source.delay, method=method,
                                   content=content, headers=headers, accept=accept, etag=etag,
                                   last_modified=last_modified)
        if conditional and not result.not_modified and (result.etag or result.last_modified):
            validators[key] = (result.etag, result.last_modified)
        return result

    return fetch


def _queue(run: _Run, source: Source, items: list[DiscoveredItem], summary: SourceSummary) -> list[DiscoveredItem]:
    """The links to fetch this run: new ones (not too old), then earlier transient failures, up to the limit."""
    queue: list[DiscoveredItem] = []
    queued: set[str] = set()
    for item in items:
        url_id = article_id(item.url)
        if not run.refetch and (run.state.is_settled(url_id) or url_id in run.files):
            summary.known += 1
            continue
        if run.since and item.published and item.published[:10] < run.since:
            summary.too_old += 1
            continue
        queue.append(item)
        queued.add(url_id)
    for record in run.state.retry_queue(source.name):
        if record.url_id not in queued:
            queue.append(DiscoveredItem.from_dict(record.item) if record.item else DiscoveredItem(record.url))
            queued.add(record.url_id)
            summary.retried += 1
    limits = [n for n in (source.max_items, run.max_per_source) if n]
    if limits and len(queue) > min(limits):
        summary.over_limit = len(queue) - min(limits)
        queue = queue[: min(limits)]
    summary.to_fetch = len(queue)
    return queue


def _scrape_article(run: _Run, source: Source, item: DiscoveredItem, summary: SourceSummary) -> None:
    url_id = article_id(item.url)
    if not run.claim(url_id):
        summary.duplicates += 1
        return
    etag, last_modified = run.state.validators(canonicalize(item.url)) if run.refetch else (None, None)
    try:
        result = run.fetcher.fetch(item.url, allow_private=source.allow_private_hosts, delay=source.delay,
                                   accept=PAGE_TYPES, etag=etag, last_modified=last_modified)
    except FetchError as exc:
        status = "failed" if exc.transient else "refused"
        run.state.settle([url_id], url=item.url, source=source.name, status=status, item=item.to_dict(),
                         error=exc.problem)
        summary.failed += 1
        _error(summary, str(exc))
        return
    if result.not_modified:
        summary.not_modified += 1
        log.info("%s: not modified %s", source.name, item.url)
        return
    summary.fetched += 1
    try:
        page = extract_page(result.content, result.final_url, content_type=result.content_type,
                            selectors=source.page_selectors or None)
    except NotHtmlError as exc:
        run.state.settle([url_id], url=item.url, source=source.name, status="refused", error=str(exc))
        summary.failed += 1
        _error(summary, f"{item.url}: {exc}")
        return
    article = _article(run, source, item, page_to_article(
        page, source=source.name, provider_domain=source.provider.domain if source.provider else None,
        language=source.language, scraped_at=run.scraped_at))
    aliases = list(dict.fromkeys([url_id, article_id(result.final_url), article.id]))
    settle = dict(url=item.url, source=source.name, article_id=article.id, item=item.to_dict())
    # Remember the validators under every address of the page, for conditional requests by --refetch.
    for address in {canonicalize(u) for u in (item.url, result.final_url, article.meta.get("originalUrl") or item.url)}:
        run.state.save_validators(address, result.etag, result.last_modified)
    if not _relevant(run, source, article):
        run.state.settle(aliases, status="dropped", **settle)
        summary.dropped += 1
        log.info("%s: dropped (not relevant) %s", source.name, item.url)
        return
    published = str(article.meta.get("publishedDateTime") or "")
    if run.since and published and published[:10] < run.since:
        summary.too_old += 1
        return
    if article.id != url_id and not run.claim(article.id):
        summary.duplicates += 1
        return
    stored = run.state.stored_path(article.id)
    existing = run.out_dir / stored if stored else run.files.get(article.id)
    if existing is not None and existing.exists() and not run.refetch:
        run.state.settle(aliases, status="stored", path=_relative(run, existing), **settle)
        summary.duplicates += 1
        return
    path = existing if existing is not None else article_path(run.out_dir, source, article)
    if existing is not None and _same_content(existing, article):
        summary.unchanged += 1
        log.info("%s: unchanged %s", source.name, path)
    else:
        write_article(article, path)
        summary.kept += 1
        log.info("%s: kept %s -> %s", source.name, item.url, path)
    run.state.settle(aliases, status="stored", path=_relative(run, path), **settle)


def _article(run: _Run, source: Source, item: DiscoveredItem, article: Article) -> Article:
    """Fill what the page did not say from the feed or listing, and the source's own provider."""
    meta = dict(article.meta)
    if source.provider is not None:
        meta["provider"] = {"name": source.provider.name, "domain": source.provider.domain}
    for key, value in (("title", item.title), ("publishedDateTime", item.published), ("excerpt", item.summary)):
        if value and not meta.get(key):
            meta[key] = value
    if not ARTICLE_ID.match(str(meta.get("id") or "")):
        meta["id"] = article_id(str(meta.get("originalUrl") or item.url))
    completed = Article(meta, article.body)
    completed.meta["contentHash"] = content_hash(completed)
    return completed


def _relevant(run: _Run, source: Source, article: Article) -> bool:
    if source.always_relevant:
        return True
    matcher = keyword_matcher(source.keywords or run.default_keywords)
    return matcher.is_relevant(article_text(article.title, article.meta.get("excerpt"), article.body))


def _same_content(path: Path, article: Article) -> bool:
    try:
        return read_article(path).meta.get("contentHash") == article.meta.get("contentHash")
    except ArticleFileError:
        return False


def _relative(run: _Run, path: Path) -> str:
    return path.resolve().relative_to(run.out_dir.resolve()).as_posix()
