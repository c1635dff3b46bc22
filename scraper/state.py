"""What earlier runs did, so a run fetches only what is new: a small SQLite file next to the data.

Two tables. ``urls``: every article URL a run settled, keyed by the id of its canonical URL, with its outcome:

* ``stored``: written to ``path`` (relative to the output directory) as article ``article_id``;
* ``dropped``: fetched, but not relevant (or older than ``--since`` at the page's own date);
* ``refused``: will not be fetched (robots.txt, content type, 4xx, size);
* ``failed``: a transient failure (5xx, timeout); retried by later runs up to :data:`MAX_ATTEMPTS` times.

``http_cache``: the ETag / Last-Modified of each URL, for conditional requests. Every write is its own
transaction, so a run that stops half-way leaves a consistent file.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

__all__ = ["STATE_FILE_NAME", "MAX_ATTEMPTS", "UrlRecord", "ScrapeState", "StateError"]

#: The default state file, inside the output directory; not ``.txt``, so article readers skip it.
STATE_FILE_NAME = ".scrape-state.sqlite"
#: A URL that failed this many times is not retried again (until ``--refetch``).
MAX_ATTEMPTS = 3
SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE IF NOT EXISTS urls (
    url_id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    source TEXT,
    status TEXT NOT NULL CHECK (status IN ('stored', 'dropped', 'refused', 'failed')),
    article_id TEXT,
    path TEXT,
    item TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS urls_by_source_status ON urls (source, status);
CREATE INDEX IF NOT EXISTS urls_by_article ON urls (article_id);
CREATE TABLE IF NOT EXISTS http_cache (
    url TEXT PRIMARY KEY,
    etag TEXT,
    last_modified TEXT,
    updated_at TEXT NOT NULL
);
"""
SETTLED = ("stored", "dropped", "refused")


class StateError(Exception):
    """The state file cannot be used. ``str()`` is one line naming it."""


@dataclass(frozen=True)
class UrlRecord:
    url_id: str
    url: str
    source: str | None
    status: str
    article_id: str | None
    path: str | None
    item: dict[str, Any] | None
    attempts: int
    last_error: str | None


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class ScrapeState:
    """The state of the runs writing to one output directory. Thread-safe.

    ``read_only=True`` (for dry runs) never creates or changes the file.
    """

    def __init__(self, path: str | Path, *, read_only: bool = False):
        self.path = Path(path)
        self.read_only = read_only
        self._lock = threading.Lock()
        try:
            if read_only:
                if self.path.exists():
                    self._db = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True,
                                               check_same_thread=False)
                else:
                    self._db = sqlite3.connect(":memory:", check_same_thread=False)
                    self._db.executescript(SCHEMA)
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._db = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
                version = self._db.execute("PRAGMA user_version").fetchone()[0]
                if version > SCHEMA_VERSION:
                    raise StateError(f"{self.path}: written by a newer version (schema {version})")
                with self._db:
                    self._db.executescript(SCHEMA)
                    self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            self._db.row_factory = sqlite3.Row
            self._db.execute("SELECT count(*) FROM urls").fetchone()
        except sqlite3.DatabaseError as exc:
            raise StateError(f"{self.path}: not a usable state file ({exc})") from None

    # -- reading ----------------------------------------------------------------------------------------------

    def record(self, url_id: str) -> UrlRecord | None:
        """What earlier runs did with the URL whose canonical id is `url_id`."""
        with self._lock:
            row = self._db.execute("SELECT * FROM urls WHERE url_id = ?", (url_id,)).fetchone()
        return _record(row) if row else None

    def is_settled(self, url_id: str) -> bool:
        """Whether the URL was stored, dropped or refused (so a run need not fetch it again)."""
        record = self.record(url_id)
        return record is not None and record.status in SETTLED

    def retry_queue(self, source: str, *, max_attempts: int = MAX_ATTEMPTS) -> list[UrlRecord]:
        """The source's URLs that failed transiently fewer than `max_attempts` times."""
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM urls WHERE source = ? AND status = 'failed' AND attempts < ? ORDER BY updated_at",
                (source, max_attempts)).fetchall()
        return [_record(row) for row in rows]

    def stored_path(self, article_id: str) -> str | None:
        """Where the article `article_id` was written (relative to the output directory), if it was."""
        with self._lock:
            row = self._db.execute("SELECT path FROM urls WHERE article_id = ? AND status = 'stored' AND path IS NOT NULL"
                                   " LIMIT 1", (article_id,)).fetchone()
        return row["path"] if row else None

    def validators(self, url: str) -> tuple[str | None, str | None]:
        """The ETag and Last-Modified last seen for `url`."""
        with self._lock:
            row = self._db.execute("SELECT etag, last_modified FROM http_cache WHERE url = ?", (url,)).fetchone()
        return (row["etag"], row["last_modified"]) if row else (None, None)

    def counts(self) -> dict[str, int]:
        """URLs per status."""
        with self._lock:
            rows = self._db.execute("SELECT status, count(*) AS n FROM urls GROUP BY status").fetchall()
        return {row["status"]: row["n"] for row in rows}

    # -- writing ----------------------------------------------------------------------------------------------

    def settle(self, url_ids: Iterable[str], *, url: str, source: str, status: str, article_id: str | None = None,
               path: str | None = None, item: dict[str, Any] | None = None, error: str | None = None) -> None:
        """Record the outcome for a URL and its aliases (the same article reached by other URLs).

        A ``failed`` outcome adds one to the attempts; the others reset them.
        """
        if self.read_only:
            return
        item_json = json.dumps(item, ensure_ascii=False, default=str) if item is not None else None
        now = _now()
        with self._lock, self._db:
            for url_id in dict.fromkeys(url_ids):
                old = self._db.execute("SELECT attempts, status FROM urls WHERE url_id = ?", (url_id,)).fetchone()
                if old is not None and old["status"] == "stored" and status != "stored":
                    continue  # another URL of a stored article does not unsettle it
                attempts = (old["attempts"] if old else 0) + 1 if status == "failed" else 0
                self._db.execute(
                    "INSERT OR REPLACE INTO urls (url_id, url, source, status, article_id, path, item, attempts,"
                    " last_error, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (url_id, url, source, status, article_id, path, item_json, attempts, error, now))

    def save_validators(self, url: str, etag: str | None, last_modified: str | None) -> None:
        """Remember the validators of `url` for the next conditional request."""
        if self.read_only or not (etag or last_modified):
            return
        with self._lock, self._db:
            self._db.execute("INSERT OR REPLACE INTO http_cache (url, etag, last_modified, updated_at)"
                             " VALUES (?, ?, ?, ?)", (url, etag, last_modified, _now()))

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> "ScrapeState":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _record(row: sqlite3.Row) -> UrlRecord:
    return UrlRecord(
        url_id=row["url_id"], url=row["url"], source=row["source"], status=row["status"],
        article_id=row["article_id"], path=row["path"], item=json.loads(row["item"]) if row["item"] else None,
        attempts=row["attempts"], last_error=row["last_error"],
    )
