"""The nightly job: take the lock, scrape every source, rebuild the database, record the run.

One run at a time: ``<data>/.nightly.lock`` is taken without waiting, and a second run exits at once with
:attr:`ExitCode.LOCKED`. Nothing is lost when a run is killed at any moment: article files and the runs log
are written atomically, facts already extracted stay in the enrichment cache, and the database is built
beside the served one and renamed over it only when complete (the runs tables included). The next run
finishes the work.

The exit status tells a scheduler what to do (:class:`ExitCode`); the log is one JSON object per line on
stderr (``ts``, ``level``, ``event`` and the event's fields), debug events with ``--verbose``.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import sqlite_utils
from filelock import FileLock, Timeout

from enrich.runs import (
    MAX_MESSAGES,
    RunRecord,
    SourceRun,
    append_run,
    empty_streaks,
    load_runs_log,
    new_run,
    read_runs,
    utc_now,
)
from enrich.schema import EMPTY_RUNS_THRESHOLD

if TYPE_CHECKING:
    from scraper.fetch import FetchConfig
    from scraper.sources import SourcesFile

LOCK_FILE_NAME = ".nightly.lock"
#: Temporary files (``.tmp-*``) left by a killed run are removed once they are this old (seconds); younger
#: ones may belong to a `scrape run` or `enrich build` started by hand beside us.
STALE_TEMP_AGE = 3600.0

logger = logging.getLogger("enrich.nightly")


class ExitCode(IntEnum):
    """The exit status of `enrich nightly`."""

    OK = 0  # every source and every file went through
    PARTIAL = 1  # some source, page or file failed, or a source found nothing N runs in a row; the rest is kept
    USAGE = 2  # bad arguments or an unusable sources file; nothing was done
    LOCKED = 3  # another nightly run holds the lock; nothing was done
    FAILED = 4  # scraping or the build crashed; the previous database is still served


#: The ``status`` recorded in the runs log for each exit code.
STATUS = {ExitCode.OK: "ok", ExitCode.PARTIAL: "partial", ExitCode.FAILED: "failed"}


class NightlyLocked(Exception):
    """Another nightly run holds the lock on the data directory."""


class NightlyUsageError(Exception):
    """The run cannot start: e.g. the sources file cannot be read. ``str()`` is one line naming the input."""


@dataclass
class NightlyResult:
    """What a nightly run did: its exit code, the record appended to the runs log, and the sources found
    nothing in `threshold` runs in a row (name -> runs)."""

    exit_code: ExitCode
    run: RunRecord
    flagged_sources: dict[str, int] = field(default_factory=dict)


# --- structured logging -----------------------------------------------------------------------------------


class JsonLinesFormatter(logging.Formatter):
    """One JSON object per record: ``ts`` (UTC), ``level``, ``event`` and fields. Our events pass their fields as
    ``extra={"fields": {...}}``; other libraries' records become ``event`` = logger name plus ``message``."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z",
            "level": record.levelname.lower(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            line["event"] = record.getMessage()
            line.update(fields)
        else:
            line["event"] = record.name
            line["message"] = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            line["exception"] = f"{type(exc).__name__}: {exc}".splitlines()[0]
        return json.dumps(line, ensure_ascii=False, default=str)


def configure_logging(verbose: bool = False, stream: Any = None) -> logging.Handler:
    """Send every log record to `stream` (default: stderr) as JSON lines, at DEBUG with `verbose` else INFO.
    Calling it again replaces the handler it installed before."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_nightly", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(JsonLinesFormatter())
    handler._nightly = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for noisy in ("httpx", "httpcore", "filelock"):  # one line per request / lock poll: debug only
        logging.getLogger(noisy).setLevel(logging.INFO if verbose else logging.WARNING)
    return handler


def log_event(level: int, event: str, **fields: Any) -> None:
    """Log one event with its fields (see :class:`JsonLinesFormatter`)."""
    logger.log(level, event, extra={"fields": fields})


# --- the run ----------------------------------------------------------------------------------------------


def staging_path(db_path: Path) -> Path:
    """Where the new database is built before it replaces `db_path` (same directory, so the rename is atomic)."""
    return db_path.with_name(f".nightly-{db_path.name}")


def remove_database(path: Path) -> None:
    """Delete an SQLite file and its journal, WAL and shared-memory files, if present."""
    for leftover in (path, *(path.with_name(path.name + suffix) for suffix in ("-journal", "-wal", "-shm"))):
        leftover.unlink(missing_ok=True)


def remove_stale_temp_files(data_dir: Path, *, older_than: float = STALE_TEMP_AGE) -> list[Path]:
    """Delete ``.tmp-*`` files under `data_dir` (left by killed atomic writes) older than `older_than` s."""
    removed = []
    cutoff = time.time() - older_than
    for path in data_dir.rglob(".tmp-*"):
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed.append(path)
        except OSError:
            continue
    return removed


def scrape_sources(loaded: SourcesFile, data_dir: Path, record: RunRecord, *, refetch: bool,
                   fetch_config: FetchConfig | None = None) -> bool:
    """Run every enabled source of `loaded` into `data_dir` and fill ``record.sources``; returns False when the
    scrape as a whole could not run or crashed (the files already written are kept)."""
    for message in loaded.errors:
        record.add_error(message)
        log_event(logging.ERROR, "sources.entry_skipped", message=message)
    enabled = [source for source in loaded.sources if source.enabled]
    log_event(logging.INFO, "scrape.start", sources=len(enabled), refetch=refetch)
    try:
        from scraper.run import run_sources

        summary = run_sources(enabled, data_dir, refetch=refetch, keywords=loaded.keywords,
                              fetch_config=fetch_config)
    except Exception as exc:  # noqa: BLE001 - RunError (scrape lock, state) or a bug: record it, still build
        logger.error("scrape.crashed", exc_info=True, extra={"fields": {"error": _one_line(exc)}})
        record.add_error(f"scrape crashed: {_one_line(exc)}")
        return False
    record.sources = source_runs(summary)
    for source in record.sources:
        level = logging.WARNING if source.failed or source.error_count or source.discovery_failed else logging.INFO
        log_event(level, "scrape.source", source=source.source, discovered=source.discovered, known=source.known,
                  not_modified=source.not_modified, fetched=source.fetched, kept=source.kept, failed=source.failed,
                  dropped=source.dropped, discovery_failed=source.discovery_failed, errors=source.errors[:5])
    return True


def _load_sources(sources_file: Path) -> SourcesFile:
    from scraper.sources import SourcesFileError, load_sources

    try:
        return load_sources(sources_file)
    except SourcesFileError as exc:
        raise NightlyUsageError(str(exc)) from None


def source_runs(summary: Any) -> list[SourceRun]:
    """The per-source counts of a scraper :class:`~scraper.run_summary.RunSummary`, in source order."""
    return [
        SourceRun(
            source=counts.name, discovered=counts.discovered, known=counts.known,
            not_modified=counts.not_modified, fetched=counts.fetched, kept=counts.kept, failed=counts.failed,
            dropped=counts.dropped, duplicates=counts.duplicates, discovery_failed=counts.discovery_failed,
            error_count=len(counts.errors), errors=[str(e) for e in counts.errors[:MAX_MESSAGES]],
        )
        for counts in summary.sources
    ]


def build_staging(data_dir: Path, staging: Path, record: RunRecord, *, processes: int) -> bool:
    """Build the database from `data_dir` into `staging` and put the build's counts and failed files in
    `record`. Returns False when the build crashed (nothing is left at `staging` then)."""
    log_event(logging.INFO, "build.start", data=str(data_dir), db=str(staging))
    started = time.monotonic()
    try:
        from enrich.build import build_database  # imports spaCy and every extractor: a broken one is a crash too

        remove_database(staging)  # with the journal a killed run may have left, which SQLite would replay onto it
        result = build_database(
            data_dir, staging, processes=processes, progress=False,
            on_error=lambda message: log_event(logging.WARNING, "build.file_error", message=message),
        )
    except Exception as exc:  # noqa: BLE001 - recorded in the runs log; the previous database stays
        logger.error("build.crashed", exc_info=True, extra={"fields": {"error": _one_line(exc)}})
        record.add_error(f"build crashed: {_one_line(exc)}")
        return False
    for message in result.errors:
        record.add_error(message)
    for message in result.warnings:
        log_event(logging.WARNING, "build.warning", message=message)
    record.files, record.articles, record.fines, record.cases = (result.files, result.articles, result.fines,
                                                                 result.cases)
    record.enriched, record.reused = result.enriched, result.reused
    log_event(logging.INFO, "build.done", seconds=round(time.monotonic() - started, 2), files=result.files,
              articles=result.articles, enriched=result.enriched, reused=result.reused, fines=result.fines,
              cases=result.cases, errors=len(result.errors))
    return True


def publish(staging: Path, data_dir: Path, db_path: Path) -> None:
    """Load the runs log (now holding this run) into the staged database and rename it over `db_path`."""
    db = sqlite_utils.Database(staging)
    try:
        load_runs_log(db, data_dir)
        db.analyze()  # statistics as a fresh build would compute them
    finally:
        db.close()
    os.replace(staging, db_path)
    log_event(logging.DEBUG, "db.replaced", db=str(db_path))


def run_nightly(
    sources_file: str | os.PathLike[str],
    data_dir: str | os.PathLike[str],
    db_path: str | os.PathLike[str],
    *,
    processes: int = 1,
    refetch: bool = False,
    fetch_config: FetchConfig | None = None,
    empty_runs_threshold: int = EMPTY_RUNS_THRESHOLD,
) -> NightlyResult:
    """Scrape every source of `sources_file` into `data_dir`, rebuild `db_path`, and append the run to
    ``<data_dir>/runs.jsonl``, holding ``<data_dir>/.nightly.lock`` throughout.

    Raises :class:`NightlyLocked` when another run holds the lock and :class:`NightlyUsageError` when the
    sources file cannot be used. `fetch_config` tunes the HTTP client (default: polite nightly settings).
    Everything else (failed sources, bad files, a crashed stage) is recorded in the run and reflected in the
    returned exit code."""
    sources_file, data_dir, db_path = Path(sources_file), Path(data_dir), Path(db_path)
    loaded = _load_sources(sources_file)  # a usage error must come before the lock and any write
    data_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(data_dir / LOCK_FILE_NAME, blocking=False)
    try:
        lock.acquire()
    except Timeout:
        raise NightlyLocked(f"another nightly run holds {data_dir / LOCK_FILE_NAME}; this one does nothing") from None
    try:
        return _run_locked(loaded, data_dir, db_path, processes=processes, refetch=refetch,
                           fetch_config=fetch_config, threshold=empty_runs_threshold)
    finally:
        lock.release()


def _run_locked(loaded: SourcesFile, data_dir: Path, db_path: Path, *, processes: int, refetch: bool,
                fetch_config: FetchConfig | None, threshold: int) -> NightlyResult:
    record = new_run()
    log_event(logging.INFO, "nightly.start", run=record.id, sources_file=loaded.path, data=str(data_dir),
              db=str(db_path), pid=os.getpid())
    for path in remove_stale_temp_files(data_dir):
        log_event(logging.DEBUG, "cleanup.stale_temp_file", path=str(path))
    try:
        scraped = scrape_sources(loaded, data_dir, record, refetch=refetch, fetch_config=fetch_config)
        staging = staging_path(db_path)
        built = build_staging(data_dir, staging, record, processes=processes)
    except (KeyboardInterrupt, SystemExit) as exc:  # SIGINT, or SIGTERM via the CLI's handler
        record.status, record.finished = "interrupted", utc_now()
        record.add_error(f"interrupted: {_one_line(exc)}")
        append_run(data_dir, record)
        log_event(logging.WARNING, "nightly.interrupted", run=record.id)
        raise

    previous, _ = read_runs(data_dir)
    current = {s.source for s in record.sources}
    flagged = {name: runs for name, runs in empty_streaks(previous + [record]).items()
               if runs >= threshold and name in current}
    code = exit_code(record, scraped=scraped, built=built, flagged=flagged)
    record.exit_code, record.status = int(code), STATUS[code]
    record.finished = utc_now()
    append_run(data_dir, record)
    if built:
        publish(staging, data_dir, db_path)

    for name, runs in flagged.items():
        log_event(logging.WARNING, "source.found_nothing", source=name, runs_in_a_row=runs,
                  hint="the site may have changed its layout or moved its feed")
    log_event(logging.INFO if code == ExitCode.OK else logging.WARNING, "nightly.done", run=record.id,
              exit_code=int(code), status=record.status, kept=sum(s.kept for s in record.sources),
              failed=sum(s.failed for s in record.sources), enriched=record.enriched, errors=record.error_count)
    return NightlyResult(code, record, flagged)


def exit_code(record: RunRecord, *, scraped: bool, built: bool, flagged: dict[str, int]) -> ExitCode:
    """FAILED when a stage crashed, PARTIAL when anything failed or a source keeps finding nothing, else OK."""
    if not scraped or not built:
        return ExitCode.FAILED
    if record.error_count or flagged or any(s.failed or s.error_count or s.discovery_failed
                                            for s in record.sources):
        return ExitCode.PARTIAL
    return ExitCode.OK


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


# --- the command ------------------------------------------------------------------------------------------


class _ExitWith(click.ClickException):
    """A one-line error with a chosen exit status."""

    def __init__(self, message: str, code: ExitCode):
        super().__init__(message)
        self.exit_code = int(code)


def _terminate(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


@click.command("nightly")
@click.option("--sources", "sources_file", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Sources file (YAML), e.g. scraper/sources.yml")
@click.option("--data", "data_dir", default="data", show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="Directory of article files")
@click.option("--db", "db_path", default="data/tracker.db", show_default=True,
              type=click.Path(dir_okay=False, path_type=Path), help="SQLite database to (re)build")
@click.option("--processes", default=1, show_default=True, type=click.IntRange(1, os.cpu_count() or 1),
              help="spaCy worker processes")
@click.option("--refetch", is_flag=True, help="Fetch every discovered article again, even ones already stored")
@click.option("--verbose", "-v", is_flag=True, help="Log debug events too")
def nightly_command(sources_file: Path, data_dir: Path, db_path: Path, processes: int, refetch: bool,
                    verbose: bool) -> None:
    """Scrape every source, then rebuild the database, one run at a time; log JSON lines on stderr.

    Each run is appended to DATA/runs.jsonl (loaded into the runs, run_sources, run_errors tables and the
    source_health view). A second run while one holds DATA/.nightly.lock exits at once.

    \b
    Exit status:
      0  every source and file went through
      1  some source, page or file failed, or a source found nothing 3 runs in a row; the rest was kept
      2  usage: bad option or unusable sources file; nothing done
      3  another nightly run holds the lock; nothing done
      4  scraping or the build crashed; the previous database is still in place

    \b
    Example:
      enrich nightly --sources scraper/sources.yml --data data --db data/tracker.db
    """
    handler = configure_logging(verbose)
    previous_handler = signal.signal(signal.SIGTERM, _terminate)  # so the lock is released and the run logged
    try:
        result = run_nightly(sources_file, data_dir, db_path, processes=processes, refetch=refetch)
    except NightlyUsageError as exc:
        log_event(logging.ERROR, "nightly.usage_error", message=str(exc))
        raise _ExitWith(str(exc), ExitCode.USAGE) from None
    except NightlyLocked as exc:
        log_event(logging.WARNING, "nightly.locked", message=str(exc))
        raise _ExitWith(str(exc), ExitCode.LOCKED) from None
    finally:
        signal.signal(signal.SIGTERM, previous_handler)
        logging.getLogger().removeHandler(handler)
    raise SystemExit(int(result.exit_code))
