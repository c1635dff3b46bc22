"""Give the row page of a case (``/tracker/cases/<id>``) the case and its sources, for
templates/row-tracker-cases.html.

Each source: number, outlet, date, title linked to the original URL, and the evidence sentence (the fine it
states, else the violation or law it describes), from the ``case_sources`` table.
"""

from datasette import hookimpl
from datasette.utils import tilde_decode

CASE_SQL = "select * from cases where id = :case_id"
SOURCES_SQL = """
select source_number, outlet, published_date, title, url, evidence, reported_amount, reported_currency, article_id
from case_sources where case_id = :case_id order by source_number
"""


@hookimpl
def extra_template_vars(view_name, table, request, datasette, database):
    if view_name != "row" or table != "cases" or request is None:
        return {}

    async def case_and_sources():
        case_id = tilde_decode(request.url_vars.get("pks", ""))
        db = datasette.get_database(database)
        case = (await db.execute(CASE_SQL, {"case_id": case_id})).first()
        sources = await db.execute(SOURCES_SQL, {"case_id": case_id})
        return {"case_id": case_id, "case": dict(case) if case else {},
                "case_sources": [dict(row) for row in sources.rows]}

    return case_and_sources
