"""Show the ``[[``/``]]`` match markers of the search queries as highlighted text, safely.

The canned search queries wrap matches with FTS5 ``snippet()``/``highlight()`` in ``[[`` and ``]]`` (plain
text, so CSV and JSON stay plain). Only in the HTML of query results, and only in the columns named below, the
cell is HTML-escaped first and the markers then become ``<mark>``: article text can never inject markup.
"""

import re

from datasette import hookimpl
from markupsafe import Markup, escape

#: Columns of canned-query results that carry match markers.
HIGHLIGHTED_COLUMNS = frozenset({"title", "snippet", "fined_party", "authority", "laws", "violation_type"})
MARKED = re.compile(r"\[\[(.*?)\]\]", re.DOTALL)


@hookimpl
def render_cell(value, column, table):
    if table is not None or column not in HIGHLIGHTED_COLUMNS or not isinstance(value, str) or "[[" not in value:
        return None
    return Markup(MARKED.sub(lambda m: f"<mark>{m.group(1)}</mark>", str(escape(value))))
