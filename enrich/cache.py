"""A cache of extracted facts, so a rebuild only runs spaCy on new or changed articles.

Facts are keyed by what they depend on: the analysed text, the publication date (relative dates resolve
against it) and the *extractor version*, a hash of the enrichment code, its data files (gazetteers, laws,
taxonomies) and the spaCy model. Changing any of them changes every key, so everything is re-processed; the
version in use is recorded in the database's ``build_info`` table, which makes such a change visible.

The cache is a SQLite file beside the data (``data/.enrich-cache.sqlite``, ignored by git); SQLite's journal
makes each write atomic, and a build killed half-way keeps what it had committed.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import sqlite3
from collections.abc import Iterable
from pathlib import Path

import spacy

from enrich.records import ArticleFacts, Entity, Fine, Mention

ENRICH_DIR = Path(__file__).resolve().parent
#: Files whose content defines the extractor's behaviour.
EXTRACTOR_FILE_PATTERNS = ("*.py", "*.yml")
#: Modules that load, serve or evaluate, and never change what is extracted.
NOT_EXTRACTORS = frozenset({"__init__.py", "__main__.py", "build.py", "cache.py", "cli.py", "evaluate.py",
                            "nightly.py", "runs.py", "schema.py", "serve.py", "views.py"})
CACHE_FILE_NAME = ".enrich-cache.sqlite"


@functools.lru_cache(maxsize=1)
def extractor_version() -> str:
    """16 hex digits identifying the enrichment code, its data files and the spaCy model."""
    from enrich.nlp import model_name

    digest = hashlib.sha256()
    for pattern in EXTRACTOR_FILE_PATTERNS:
        for path in sorted(ENRICH_DIR.glob(pattern)):
            if path.name in NOT_EXTRACTORS:
                continue
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    name = model_name()
    digest.update(f"{name} {spacy.util.get_package_version(name)} spacy {spacy.__version__}".encode())
    return digest.hexdigest()[:16]


def facts_key(text: str, published: str | None, version: str) -> str:
    return hashlib.sha256(f"{version}\0{published or ''}\0{text}".encode("utf-8")).hexdigest()


def facts_to_json(facts: ArticleFacts) -> str:
    return json.dumps(dataclasses.asdict(facts), ensure_ascii=False, sort_keys=True)


def facts_from_json(text: str) -> ArticleFacts:
    data = json.loads(text)
    data["entities"] = [Entity(**e) for e in data["entities"]]
    data["fines"] = [Fine(**f) for f in data["fines"]]
    data["laws"] = [Mention(**m) for m in data["laws"]]
    data["violations"] = [Mention(**m) for m in data["violations"]]
    return ArticleFacts(**data)


class FactsCache:
    """Facts by key, in a SQLite file. Use as a context manager; :meth:`prune` keeps only the keys in use."""

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.connection = sqlite3.connect(path)
        self.connection.execute("create table if not exists facts (key text primary key, facts text not null)")

    def __enter__(self) -> "FactsCache":
        return self

    def __exit__(self, *exc_info) -> None:
        self.connection.close()

    def get_many(self, keys: Iterable[str]) -> dict[str, ArticleFacts]:
        found: dict[str, ArticleFacts] = {}
        keys = list(keys)
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            rows = self.connection.execute(
                f"select key, facts from facts where key in ({','.join('?' * len(chunk))})", chunk
            )
            for key, text in rows:
                try:
                    found[key] = facts_from_json(text)
                except (ValueError, TypeError, KeyError):
                    continue  # written by an older shape of the records: recompute
        return found

    def put_many(self, items: Iterable[tuple[str, ArticleFacts]]) -> None:
        with self.connection:
            self.connection.executemany(
                "insert or replace into facts (key, facts) values (?, ?)",
                ((key, facts_to_json(facts)) for key, facts in items),
            )

    def prune(self, keep: set[str]) -> int:
        """Delete every entry whose key is not in `keep`; returns how many were deleted."""
        with self.connection:
            self.connection.execute("create temp table keep (key text primary key)")
            self.connection.executemany("insert or ignore into keep values (?)", ((k,) for k in keep))
            deleted = self.connection.execute("delete from facts where key not in (select key from keep)").rowcount
            self.connection.execute("drop table keep")
        return deleted
