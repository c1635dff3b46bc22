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
            "equivalent_amount": float, "equivalent_currency": str,
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
    # The nightly runs log (data/runs.jsonl), loaded at every build by enrich.runs.load_runs_log.
    Table(
        "runs",
        {
            "id": str, "started": str, "finished": str, "duration_s": float, "status": str, "exit_code": int,
            "sources": int, "discovered": int, "fetched": int, "kept": int, "failed": int, "dropped": int,
            "files": int, "articles": int, "enriched": int, "reused": int, "fines": int, "cases": int,
            "errors": int,
        },
        pk="id",
        indexes=(("started",), ("status",)),
    ),
    Table(
        "run_sources",
        {"run_id": str, "source": str, "started": str, "discovered": int, "known": int, "not_modified": int,
         "fetched": int, "kept": int, "failed": int, "dropped": int, "duplicates": int, "discovery_failed": int,
         "errors": int},
        pk=("run_id", "source"),
        foreign_keys=(("run_id", "runs", "id"),),
        indexes=(("source", "started"),),
    ),
    Table(
        "run_errors",
        {"id": str, "run_id": str, "source": str, "message": str},
        pk="id",
        foreign_keys=(("run_id", "runs", "id"),),
        indexes=(("run_id",), ("source",)),
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
    from enrich.views import create_views

    create_views(db)
    db.analyze()


#: A source is flagged when it has discovered nothing in this many of its latest runs in a row.
EMPTY_RUNS_THRESHOLD = 3

SOURCE_HEALTH = """
create view source_health as
with history as (
  select rs.source, r.started, rs.discovered, rs.kept, rs.failed, rs.errors, rs.discovery_failed,
    rs.discovered > 0 or rs.not_modified > 0 as found,
    row_number() over (partition by rs.source order by r.started desc, r.id desc) as recency
  from run_sources rs join runs r on r.id = rs.run_id
),
summary as (
  select source, count(*) as runs, max(started) as last_run,
    max(case when found then started end) as last_found, sum(kept) as kept_total,
    coalesce(min(case when found then recency end) - 1, count(*)) as empty_runs_in_a_row
  from history group by source
)
select s.source,
  case
    when s.empty_runs_in_a_row >= {threshold} then 'found nothing in ' || s.empty_runs_in_a_row || ' runs'
    when h.discovery_failed then 'discovery failed in the last run'
    when h.failed > 0 or h.errors > 0 then 'errors in the last run'
    else 'ok'
  end as status,
  s.empty_runs_in_a_row >= {threshold} as flagged,
  s.empty_runs_in_a_row, {threshold} as threshold, s.runs, s.last_run, s.last_found,
  h.discovered as last_discovered, h.kept as last_kept, h.failed as last_failed, h.errors as last_errors,
  s.kept_total,
  s.last_run = (select max(started) from runs) as in_latest_run
from summary s join history h on h.source = s.source and h.recency = 1
order by flagged desc, s.source
"""


def create_runs_views(db: sqlite_utils.Database, empty_runs_threshold: int = EMPTY_RUNS_THRESHOLD) -> None:
    """The ``source_health`` view: one row per source seen in the runs log, flagged when its latest
    `empty_runs_threshold` runs in a row found nothing (no link discovered and no 304 Not Modified answer: the
    usual sign that a site changed its layout or moved its feed)."""
    sql = SOURCE_HEALTH.format(threshold=int(empty_runs_threshold)).strip()
    existing = db.execute("select sql from sqlite_master where type = 'view' and name = 'source_health'").fetchone()
    if existing and existing[0].lower() == sql.lower():  # SQLite stores "CREATE VIEW" upper-cased
        return  # unchanged: keep its place in the schema, so a reload gives the same dump as a fresh build
    db.execute("drop view if exists source_health")
    db.execute(sql)
