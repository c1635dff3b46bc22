"""Link the ids in query results and views to their rows: ``case_id`` to the case page, ``article_id`` to the
article, ``fine_id`` to the fine.

Tables link their foreign keys by themselves; canned queries and views do not, and an id is only useful to a
reader as a way to its page (``/tracker/cases/<id>`` shows the case, its sources and their evidence).
"""

from datasette import hookimpl
from datasette.utils import tilde_encode
from markupsafe import Markup, escape

#: Column name -> the table its value is the primary key of.
LINKED_COLUMNS = {"case_id": "cases", "article_id": "articles", "fine_id": "fines"}
#: Where to link: query results (table None) and views, which have no foreign keys of their own.
LINKED_IN = (None, "legal_export")


@hookimpl
def render_cell(value, column, table, database, datasette):
    target = LINKED_COLUMNS.get(column)
    if target is None or table not in LINKED_IN or not isinstance(value, str) or not value:
        return None
    href = datasette.urls.row(database, target, tilde_encode(value))
    return Markup(f'<a href="{escape(href)}">{escape(value)}</a>')
