"""The database schema, in one place: every table, its columns, keys, indexes and full-text search.

Column names of ``fines``, ``cases`` and ``case_articles`` are a contract with researchers' exports: add
columns freely, never rename or drop one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlite_utils


@dataclass(frozen=True)
class Table:
    name: str
    columns: dict[str, type]
    pk: str | tuple[str, ...]
    foreign_keys: tuple[tuple[str, str, str], ...] = ()
    indexes: tuple[tuple[str, ...], ...] = ()
    fts: tuple[str, ...] = ()
    not_null: frozenset[str] = field(default_factory=frozenset)


TABLES: tuple[Table, ...] = (
    Table(
        "articles",
        {
            "id": str, "title": str, "excerpt": str, "body": str, "text": str, "kind": str,
            "published": str, "published_date": str, "url": str, "provider": str, "provider_domain": str,
            "category": str, "type": str, "topics": str, "language": str, "source": str, "scraped": str,
            "fined_party": str, "authority": str, "jurisdiction": str, "content_hash": str, "path": str,
        },
        pk="id",
        indexes=(("published_date",), ("kind",), ("provider",), ("source",)),
        fts=("title", "excerpt", "body"),
        not_null=frozenset({"path"}),
    ),
    Table(
        "entities",
        {"id": str, "article_id": str, "text": str, "label": str, "start_char": int, "end_char": int},
        pk="id",
        foreign_keys=(("article_id", "articles", "id"),),
        indexes=(("article_id",), ("label", "text")),
    ),
    Table(
        "fines",
        {
            "id": str, "article_id": str, "amount": float, "currency": str, "amount_eur": float,
            "amount_usd": float, "status": str, "fined_party": str, "authority": str, "jurisdiction": str,
            "decision_date": str, "evidence": str, "start_char": int, "end_char": int,
        },
        pk="id",
        foreign_keys=(("article_id", "articles", "id"),),
        indexes=(("article_id",), ("currency",), ("jurisdiction",), ("authority",), ("status",), ("amount_eur",)),
    ),
    Table(
        "laws",
        {"id": str, "article_id": str, "law": str, "detail": str, "evidence": str, "start_char": int,
         "end_char": int},
        pk="id",
        foreign_keys=(("article_id", "articles", "id"),),
        indexes=(("article_id",), ("law",)),
    ),
    Table(
        "violations",
        {"id": str, "article_id": str, "violation_type": str, "evidence": str, "start_char": int,
         "end_char": int},
        pk="id",
        foreign_keys=(("article_id", "articles", "id"),),
        indexes=(("article_id",), ("violation_type",)),
    ),
    Table(
        "cases",
        {
            "id": str, "fined_party": str, "authority": str, "jurisdiction": str, "amount": float,
            "currency": str, "amount_eur": float, "amount_usd": float, "status": str, "decision_date": str,
            "first_reported": str, "last_reported": str, "article_count": int, "laws": str,
            "violation_type": str, "year": int,
        },
        pk="id",
        indexes=(("decision_date",), ("authority",), ("jurisdiction",), ("currency",), ("status",),
                 ("violation_type",), ("year",), ("fined_party",)),
        fts=("fined_party", "authority", "laws", "violation_type"),
    ),
    Table(
        "case_articles",
        {"case_id": str, "article_id": str},
        pk=("case_id", "article_id"),
        foreign_keys=(("case_id", "cases", "id"), ("article_id", "articles", "id")),
        indexes=(("article_id",),),
    ),
    Table(
        "build_info",
        {"key": str, "value": str},
        pk="key",
    ),
    Table(
        "build_errors",
        {"path": str, "error": str},
        pk="path",
    ),
)
TABLES_BY_NAME = {table.name: table for table in TABLES}


def create_tables(db: sqlite_utils.Database) -> None:
    """Create every table and index (on an empty database)."""
    for table in TABLES:
        db[table.name].create(
            table.columns, pk=table.pk, foreign_keys=list(table.foreign_keys), not_null=set(table.not_null)
        )
        for columns in table.indexes:
            db[table.name].create_index(list(columns))


def finish(db: sqlite_utils.Database) -> None:
    """After loading: full-text indexes and statistics for the query planner."""
    for table in TABLES:
        if table.fts:
            db[table.name].enable_fts(list(table.fts), tokenize="porter")
    db.analyze()
