"""SQL function ``fts_query(text)``: a search box's words made safe for FTS5 MATCH.

Typed searches contain hyphens, colons and stray quotes that are FTS5 syntax errors ("data-protection" would
mean column "protection"). Each word becomes a quoted term, all required; "quoted phrases" stay phrases.
This is Datasette's own escaping for table search (``?_search=``), offered to the canned search queries.
"""

from datasette import hookimpl
from datasette.utils import escape_fts


@hookimpl
def prepare_connection(conn):
    conn.create_function("fts_query", 1, lambda text: escape_fts(text or ""), deterministic=True)
