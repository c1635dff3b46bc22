"""What the browsing and citing layer adds after loading: the ``case_sources`` table, the ``legal_export`` view
and the indexes Datasette's facets and canned queries lean on.

``case_sources`` is one row per (case, source article), numbered in publication order, with the sentence that
supports the case. It is derived from the loaded tables like a view, but materialised: a view with a window
function and correlated subqueries costs seconds per page on a few thousand cases, a keyed table milliseconds.
``legal_export`` is one row per case with every column a citation needs, its sources flattened into numbered
lists (see :data:`SOURCE_SEPARATOR`). Both are deterministic: same database, same rows, same order.
Column names here are a contract with researchers' exports, like the tables': add, never rename.
"""

from __future__ import annotations

import sqlite_utils

#: Separates the sources of one case inside a ``legal_export`` cell. Every item is also numbered ("[1] ...")
#: so the n-th title, outlet, date and URL of a case line up even if a title itself contains the separator.
SOURCE_SEPARATOR = " | "

#: Extra indexes: (table, columns). The facet and filter columns of ``cases`` and ``fines`` are indexed in
#: ``enrich.schema``; these serve the article facets, the "new cases" query and the Atom feed.
INDEXES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("articles", ("jurisdiction",)),
    ("articles", ("authority",)),
    ("cases", ("decision_date", "id")),  # legal_export's order: pages of the view need not sort every case
    ("cases", ("first_reported",)),
    ("cases", ("last_reported",)),
    ("cases", ("amount_eur",)),
    ("fines", ("decision_date",)),
)

# The sentence that supports a source: the fine it states that matches the case (same amount and currency),
# else its first fine, else the violation it describes, else the law it cites. (Correlated references stay in
# WHERE clauses: SQLite 3.40 rejects them in the ORDER BY of a subquery beside a window function.)
CASE_SOURCES_SELECT = """
with sourced as (
  select
    ca.case_id,
    a.id as article_id, a.title, a.provider as outlet, a.published_date, a.published, a.url, a.kind,
    coalesce(
      (select f.id from fines f where f.article_id = a.id and f.amount = c.amount and f.currency = c.currency
       order by f.start_char, f.id limit 1),
      (select f.id from fines f where f.article_id = a.id order by f.start_char, f.id limit 1)
    ) as fine_id,
    (select v.evidence from violations v where v.article_id = a.id order by v.start_char, v.id limit 1)
      as violation_evidence,
    (select l.evidence from laws l where l.article_id = a.id order by l.start_char, l.id limit 1) as law_evidence
  from case_articles ca
  join articles a on a.id = ca.article_id
  join cases c on c.id = ca.case_id
)
select
  s.case_id,
  row_number() over (partition by s.case_id order by s.published_date, s.published, s.article_id)
    as source_number,
  s.article_id,
  s.title,
  s.outlet,
  s.published_date,
  s.url,
  s.kind,
  s.fine_id,
  f.amount as reported_amount,
  f.currency as reported_currency,
  coalesce(f.evidence, s.violation_evidence, s.law_evidence) as evidence
from sourced s
left join fines f on f.id = s.fine_id
order by s.case_id, source_number
"""


def _sources_list(expression: str) -> str:
    """A correlated subquery that joins one field of a case's sources, numbered, in source order."""
    return f"""(
    select group_concat('[' || s.source_number || '] ' || coalesce({expression}, ''), '{SOURCE_SEPARATOR}')
    from (select * from case_sources where case_id = c.id order by source_number) s
  )"""


LEGAL_EXPORT = f"""
select
  c.id as case_id,
  c.fined_party,
  c.authority,
  c.jurisdiction,
  c.amount,
  c.currency,
  c.amount_eur,
  c.amount_usd,
  c.status,
  c.decision_date,
  c.first_reported,
  c.last_reported,
  c.laws as law,
  c.violation_type,
  c.article_count as source_count,
  {_sources_list("s.title")} as source_titles,
  {_sources_list("s.outlet")} as source_outlets,
  {_sources_list("s.published_date")} as source_dates,
  {_sources_list("s.url")} as source_urls,
  (select s.evidence from case_sources s where s.case_id = c.id and s.evidence is not null
   order by s.source_number limit 1) as evidence
from cases c
order by c.decision_date desc, c.id
"""

#: The columns of the materialised ``case_sources`` table, in the order CASE_SOURCES_SELECT returns them.
CASE_SOURCES_COLUMNS: dict[str, type] = {
    "case_id": str, "source_number": int, "article_id": str, "title": str, "outlet": str, "published_date": str,
    "url": str, "kind": str, "fine_id": str, "reported_amount": float, "reported_currency": str, "evidence": str,
}

#: View name -> SQL, in creation order (later views may use earlier ones).
VIEWS: dict[str, str] = {
    "legal_export": LEGAL_EXPORT,
}


def create_views(db: sqlite_utils.Database) -> None:
    """Create (or replace) ``case_sources``, the views and their supporting indexes. Idempotent."""
    for table, columns in INDEXES:
        db[table].create_index(list(columns), if_not_exists=True)
    for name in VIEWS:
        db.execute(f"drop view if exists [{name}]")
    db["case_sources"].drop(ignore=True)
    db["case_sources"].create(
        CASE_SOURCES_COLUMNS, pk=("case_id", "source_number"),
        foreign_keys=[("case_id", "cases", "id"), ("article_id", "articles", "id"), ("fine_id", "fines", "id")],
    )
    db["case_sources"].create_index(["article_id"])
    db.analyze()  # without statistics the planner picks nested scans here: seconds instead of a fraction
    columns = ", ".join(f"[{name}]" for name in CASE_SOURCES_COLUMNS)
    with db.conn:
        db.execute(f"insert into case_sources ({columns}) {CASE_SOURCES_SELECT}")
    for name, sql in VIEWS.items():
        db.create_view(name, sql.strip(), replace=True)
