"""The runs log: one JSON object per nightly run, appended to ``<data>/runs.jsonl`` and kept in git.

The database is a throwaway build output, so the history of runs cannot live only there. Each run appends one
line to the log (read, append, write a temporary file, rename: a reader sees the old log or the new one), and
every build loads the whole log into the ``runs``, ``run_sources`` and ``run_errors`` tables and the
``source_health`` view (see :func:`enrich.schema.create_runs_views`). Two builds from the same files therefore
give the same database, runs included.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import sqlite_utils

from enrich import schema
from scraper.article_file import atomic_write_text

RUNS_LOG_NAME = "runs.jsonl"
#: At most this many error messages are kept per run and per source (the counts are always exact).
MAX_MESSAGES = 50


@dataclass
class SourceRun:
    """What one source gave in one run."""

    source: str
    discovered: int = 0  # article links found in the feed, sitemap, listing or API
    known: int = 0  # of those, links an earlier run already settled (skipped)
    not_modified: int = 0  # pages or discovery documents that answered 304 Not Modified
    fetched: int = 0  # pages downloaded
    kept: int = 0  # article files written
    failed: int = 0  # pages that could not be fetched
    dropped: int = 0  # pages fetched but not relevant
    duplicates: int = 0  # the same article already stored from another URL or source
    discovery_failed: bool = False  # every discovery document (feed, sitemap, listing, API) failed
    error_count: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass
class RunRecord:
    """One nightly run: when, what each source gave, what the build did, how it ended."""

    id: str
    started: str  # ISO 8601, UTC
    finished: str | None = None
    status: str = "running"  # ok | partial | failed
    exit_code: int | None = None
    sources: list[SourceRun] = field(default_factory=list)
    files: int = 0
    articles: int = 0
    enriched: int = 0
    reused: int = 0
    fines: int = 0
    cases: int = 0
    error_count: int = 0
    errors: list[str] = field(default_factory=list)  # run-level: files that failed to load, crashed stages

    def add_error(self, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_MESSAGES:
            self.errors.append(message)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "RunRecord":
        """Build a record from a decoded log line; unknown keys (written by a newer version) are ignored."""
        if not isinstance(data, dict) or not isinstance(data.get("id"), str) or not data.get("started"):
            raise ValueError("not a run record (needs an 'id' and a 'started' time)")
        sources = [SourceRun(**_known(SourceRun, s)) for s in data.get("sources") or []]
        return cls(**{**_known(cls, data), "sources": sources})


def _known(cls: type, data: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ValueError(f"expected an object, got {type(data).__name__}")
    names = {f.name for f in fields(cls)}
    return {key: value for key, value in data.items() if key in names}


def utc_now() -> str:
    """The current time as ``YYYY-MM-DDTHH:MM:SS.ffffffZ``."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def new_run(started: str | None = None) -> RunRecord:
    """A fresh record; its id is the start time (sortable) plus four random hex digits."""
    started = started or utc_now()
    compact = started[:19].replace("-", "").replace(":", "")
    return RunRecord(id=f"{compact}Z-{secrets.token_hex(2)}", started=started)


def runs_log_path(data_dir: str | os.PathLike[str]) -> Path:
    return Path(data_dir) / RUNS_LOG_NAME


def append_run(data_dir: str | os.PathLike[str], record: RunRecord) -> Path:
    """Append `record` to the runs log atomically (the whole log is rewritten to a temporary file and renamed)."""
    path = runs_log_path(data_dir)
    existing = path.read_text(encoding="utf-8") if path.exists() else ""
    if existing and not existing.endswith("\n"):
        existing += "\n"
    atomic_write_text(path, existing + record.to_json() + "\n")
    return path


def read_runs(data_dir: str | os.PathLike[str]) -> tuple[list[RunRecord], list[str]]:
    """Every run in the log, in log order, and one warning (``runs.jsonl:LINE: problem``) per line that is not a
    valid record or repeats an earlier run id. A missing log is an empty history."""
    path = runs_log_path(data_dir)
    if not path.exists():
        return [], []
    runs: list[RunRecord] = []
    warnings: list[str] = []
    seen: set[str] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = RunRecord.from_dict(json.loads(line))
        except json.JSONDecodeError as exc:
            warnings.append(f"{RUNS_LOG_NAME}:{number}: not JSON ({exc.msg} at column {exc.colno})")
            continue
        except (ValueError, TypeError) as exc:
            warnings.append(f"{RUNS_LOG_NAME}:{number}: {str(exc).splitlines()[0]}")
            continue
        if record.id in seen:
            warnings.append(f"{RUNS_LOG_NAME}:{number}: run {record.id} appears twice; the first is kept")
            continue
        seen.add(record.id)
        runs.append(record)
    return runs, warnings


def run_rows(runs: list[RunRecord]) -> dict[str, list[dict[str, Any]]]:
    """Rows for the ``runs``, ``run_sources`` and ``run_errors`` tables."""
    rows: dict[str, list[dict[str, Any]]] = {"runs": [], "run_sources": [], "run_errors": []}
    for run in runs:
        totals = {name: sum(getattr(s, name) for s in run.sources)
                  for name in ("discovered", "fetched", "kept", "failed", "dropped")}
        rows["runs"].append({
            "id": run.id, "started": run.started, "finished": run.finished,
            "duration_s": _duration(run.started, run.finished), "status": run.status, "exit_code": run.exit_code,
            "sources": len(run.sources), **totals, "files": run.files, "articles": run.articles,
            "enriched": run.enriched, "reused": run.reused, "fines": run.fines, "cases": run.cases,
            "errors": run.error_count + sum(s.error_count for s in run.sources),
        })
        messages = [(None, m) for m in run.errors]
        for source in run.sources:
            rows["run_sources"].append({
                "run_id": run.id, "source": source.source, "started": run.started,
                "discovered": source.discovered, "known": source.known, "not_modified": source.not_modified,
                "fetched": source.fetched, "kept": source.kept, "failed": source.failed,
                "dropped": source.dropped, "duplicates": source.duplicates,
                "discovery_failed": int(source.discovery_failed), "errors": source.error_count,
            })
            messages.extend((source.source, m) for m in source.errors)
        rows["run_errors"].extend(
            {"id": f"{run.id}-{n}", "run_id": run.id, "source": source, "message": message}
            for n, (source, message) in enumerate(messages)
        )
    return rows


def _duration(started: str, finished: str | None) -> float | None:
    if not finished:
        return None
    try:
        start, end = (datetime.fromisoformat(t.replace("Z", "+00:00")) for t in (started, finished))
    except ValueError:
        return None
    return round((end - start).total_seconds(), 3)


def load_runs_log(db: sqlite_utils.Database, data_dir: str | os.PathLike[str]) -> list[str]:
    """(Re)load the runs log of `data_dir` into `db`'s runs tables (created by :func:`enrich.schema.create_tables`),
    create the ``source_health`` view, and return one warning per bad log line."""
    runs, warnings = read_runs(data_dir)
    rows = run_rows(runs)
    for table in ("run_errors", "run_sources", "runs"):
        db.execute(f"delete from [{table}]")
    for table in ("runs", "run_sources", "run_errors"):
        db[table].insert_all(rows[table], batch_size=500)
    schema.create_runs_views(db)
    db.conn.commit()
    return warnings


def empty_streaks(runs: list[RunRecord]) -> dict[str, int]:
    """For each source, how many of its latest runs in a row found nothing: no link discovered and no
    discovery document answered 304 Not Modified (the same count as ``source_health.empty_runs_in_a_row``)."""
    streaks: dict[str, int] = {}
    finished: set[str] = set()
    for run in sorted(runs, key=lambda r: (r.started, r.id), reverse=True):
        for source in run.sources:
            if source.source in finished:
                continue
            if source.discovered > 0 or source.not_modified > 0:
                finished.add(source.source)
                streaks.setdefault(source.source, 0)
            else:
                streaks[source.source] = streaks.get(source.source, 0) + 1
    return streaks
