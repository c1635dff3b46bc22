"""``scrape``: collect articles from the sources file into article files (a thin layer over scraper.run)."""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
from pathlib import Path
from typing import Iterator

import click

from scraper.fetch import FetchConfig
from scraper.page_cli import page_command
from scraper.run import RunError, run_sources
from scraper.run_summary import SourceSummary
from scraper.sources import DEFAULT_SOURCES_FILE, Source, SourcesFileError, load_sources, slugify
from scraper.state import STATE_FILE_NAME


@click.group()
@click.version_option(package_name="regtracker")
def cli() -> None:
    """Collect regulators' and news outlets' articles about enforcement, fines and privacy as text files.

    \b
    Example:
      scrape run --out data
      scrape sources
    """


cli.add_command(page_command, "page")


def sources_option(function):
    return click.option("--sources", "sources_file", type=click.Path(dir_okay=False, path_type=Path),
                        default=DEFAULT_SOURCES_FILE, show_default="the shipped scraper/sources.yml",
                        help="The sources file (YAML).")(function)


@cli.command("run")
@sources_option
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("data"),
              show_default=True, help="Directory for the article files (<source>/<year>/<id>.txt).")
@click.option("--source", "names", multiple=True, metavar="NAME",
              help="Run only this source (its name or directory name); repeat for several. Runs disabled ones too.")
@click.option("--refetch", is_flag=True, help="Fetch pages earlier runs already stored or dropped (conditionally).")
@click.option("--max-per-source", type=click.IntRange(min=1), metavar="N", help="Fetch at most N pages per source.")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="Skip articles published before this date.")
@click.option("--dry-run", is_flag=True, help="Discover and list what would be fetched; fetch no pages, write nothing.")
@click.option("--state", "state_path", type=click.Path(dir_okay=False, path_type=Path),
              help=f"State file (what earlier runs did) [default: OUT/{STATE_FILE_NAME}].")
@click.option("--workers", type=click.IntRange(min=1, max=32), default=4, metavar="N", show_default=True,
              help="Sources scraped at once (requests to one host are never parallel).")
@click.option("--delay", type=click.FloatRange(min=0), default=FetchConfig.default_delay, metavar="SECONDS", show_default=True,
              help="Seconds between requests to one host, unless the source or robots.txt asks for more.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=FetchConfig.timeout, metavar="SECONDS", show_default=True,
              help="Seconds to wait for a server to connect or send data.")
@click.option("--retries", type=click.IntRange(min=0, max=10), default=FetchConfig.max_retries, metavar="N", show_default=True,
              help="Retries after a 429, a 5xx or a network failure.")
@click.option("--backoff", type=click.FloatRange(min=0), default=FetchConfig.backoff_base, show_default=True,
              metavar="SECONDS", help="About how long the first retry waits; each further retry waits twice as long.")
@click.option("-v", "--verbose", count=True, help="Log each request and decision (-vv for HTTP details).")
@click.option("--no-progress", is_flag=True, help="No progress bars (they show only when stderr is a terminal, and not with -v).")
def run_command(sources_file: Path, out_dir: Path, names: tuple[str, ...], refetch: bool, max_per_source: int | None,
                since, dry_run: bool, state_path: Path | None, workers: int, delay: float, timeout: float,
                retries: int, backoff: float, verbose: int, no_progress: bool) -> None:
    """Scrape the sources: discover new article links, fetch them politely, keep the relevant ones.

    Each kept article becomes OUT/<source>/<year>/<id>.txt (YAML front matter, then the text). A second run
    fetches only what is new. Problems print one line each on stderr; the other sources and articles still go
    through. At the end one line per source says what happened. The exit status is 1 when a source failed
    entirely (discovery failed, or every page fetch failed) or an entry of the sources file was invalid.

    \b
    Example:
      scrape run --out data
      scrape run --source "EDPB news" --source "CNIL (en)" --since 2024-01-01 -v
      scrape run --sources my-sources.yml --out /tmp/articles --max-per-source 5 --dry-run
    """
    try:
        loaded = load_sources(sources_file)
    except SourcesFileError as exc:
        raise click.ClickException(str(exc)) from None
    for message in loaded.errors:
        click.echo(f"error: {message}", err=True)
    selected = _select(loaded.sources, names)
    if not selected:
        raise click.ClickException(f"{sources_file}: no usable sources to run")
    progress = _Progress(selected) if sys.stderr.isatty() and not no_progress and not verbose else None
    config = FetchConfig(default_delay=delay, timeout=timeout, max_retries=retries, backoff_base=backoff)
    try:
        with _logging_to_stderr(verbose, progress):
            summary = run_sources(selected, out_dir, refetch=refetch, max_per_source=max_per_source,
                                  since=since.date() if since else None, dry_run=dry_run, state_path=state_path,
                                  keywords=loaded.keywords, fetch_config=config, workers=workers,
                                  progress=progress.update if progress else None)
    except RunError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        if progress:
            progress.close()
    for source in summary.sources:
        if dry_run:
            for url in source.planned:
                click.echo(f"{source.name}\t{url}")
    for line in summary.lines():
        click.echo(line)
    totals = summary.totals()
    if not dry_run:
        click.echo(f"{totals['kept']} article(s) written to {out_dir}")
    failed = summary.failed_sources
    if failed:
        click.echo(f"error: {len(failed)} source(s) failed entirely: {', '.join(s.name for s in failed)}", err=True)
    if failed or loaded.errors:
        sys.exit(1)


@cli.command("sources")
@sources_option
def sources_command(sources_file: Path) -> None:
    """Check the sources file and list its sources (name, kind, URL); invalid entries print one error line each.

    \b
    Example:
      scrape sources
      scrape sources --sources my-sources.yml
    """
    try:
        loaded = load_sources(sources_file)
    except SourcesFileError as exc:
        raise click.ClickException(str(exc)) from None
    for source in loaded.sources:
        flags = "" if source.enabled else "\t(disabled)"
        click.echo(f"{source.name}\t{source.kind}\t{source.url}{flags}")
    for message in loaded.errors:
        click.echo(f"error: {message}", err=True)
    if loaded.errors:
        sys.exit(1)


def _select(sources: list[Source], names: tuple[str, ...]) -> list[Source]:
    if not names:
        return [s for s in sources if s.enabled]
    by_key = {key: s for s in sources for key in (s.name.lower(), s.slug)}
    unknown = [n for n in names if n.lower() not in by_key and slugify(n) not in by_key]
    if unknown:
        available = ", ".join(s.name for s in sources)
        raise click.BadParameter(f"no source named {unknown[0]!r} (sources: {available})", param_hint="--source")
    chosen = {}
    for n in names:
        source = by_key.get(n.lower()) or by_key[slugify(n)]
        chosen.setdefault(source.name, source)
    return list(chosen.values())


class _Progress:
    """One tqdm bar per source: pages handled out of pages to fetch, with kept/dropped/failed counts."""

    def __init__(self, sources: list[Source]):
        from tqdm import tqdm

        self._lock = threading.Lock()
        width = min(30, max(len(s.name) for s in sources))
        self._bars = {s.name: tqdm(total=0, desc=s.name[:width].ljust(width), position=i, leave=True, unit="page",
                                   file=sys.stderr, dynamic_ncols=True) for i, s in enumerate(sources)}

    def update(self, summary: SourceSummary) -> None:
        with self._lock:
            bar = self._bars[summary.name]
            bar.total = summary.to_fetch
            bar.n = summary.fetched + summary.not_modified + summary.failed
            state = "discovery failed" if summary.discovery_failed else ("done" if summary.done else "")
            bar.set_postfix_str(f"found {summary.discovered}, kept {summary.kept}, dropped {summary.dropped}, "
                                f"failed {summary.failed}{', ' + state if state else ''}", refresh=False)
            bar.refresh()

    def write(self, message: str) -> None:
        from tqdm import tqdm

        tqdm.write(message, file=sys.stderr)

    def close(self) -> None:
        for bar in self._bars.values():
            bar.close()


class _EchoHandler(logging.Handler):
    def __init__(self, progress: _Progress | None):
        super().__init__()
        self.progress = progress

    def emit(self, record: logging.LogRecord) -> None:
        prefix = "error: " if record.levelno >= logging.WARNING else ""
        message = prefix + record.getMessage()
        if self.progress is not None:
            self.progress.write(message)
        else:
            click.echo(message, err=True)


@contextlib.contextmanager
def _logging_to_stderr(verbose: int, progress: _Progress | None) -> Iterator[None]:
    """Send the scraper's log records to stderr (through tqdm when bars show) for the duration of a command."""
    logger = logging.getLogger("scraper")
    handler = _EchoHandler(progress)
    saved = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING if not verbose else logging.INFO if verbose == 1 else logging.DEBUG)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(saved[0])
        logger.propagate = saved[1]
