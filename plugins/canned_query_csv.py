"""Canned queries download as CSV with every row, not the first max_returned_rows (1,000).

Datasette 0.65 cannot page a canned query, so its own CSV export stops at max_returned_rows. For a request to
``/<database>/<canned query>.csv`` this hook runs the query itself, untruncated, with the parameters from the
URL, and answers with the whole result. Tables, views and every other URL go to Datasette unchanged.
"""

import csv
import io
import re

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.utils import derive_named_parameters
from datasette.utils.asgi import Request, Response

CSV_PATH = re.compile(r"^/(?P<database>[^/]+)/(?P<query>[^/]+)\.csv$")
#: A full export may take longer than an interactive page's sql_time_limit_ms.
EXPORT_TIME_LIMIT_MS = 60_000


def to_cell(value):
    if isinstance(value, bytes):
        return value.hex()
    return "" if value is None else value


async def export(datasette, request: Request, database: str, query: dict) -> Response:
    db = datasette.get_database(database)
    names = await derive_named_parameters(db, query["sql"])
    params = {name: request.args.get(name, "") for name in names}
    try:
        results = await db.execute(query["sql"], params, truncate=False, custom_time_limit=EXPORT_TIME_LIMIT_MS)
    except QueryInterrupted:
        return Response.text(f"{query['name']}: the export took longer than {EXPORT_TIME_LIMIT_MS // 1000} s", 400)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(results.columns)
    writer.writerows([to_cell(v) for v in row] for row in results.rows)
    headers = {}
    content_type = "text/plain; charset=utf-8"
    if request.args.get("_dl"):
        content_type = "text/csv; charset=utf-8"
        headers["content-disposition"] = f'attachment; filename="{query["name"]}.csv"'
    return Response(buffer.getvalue(), content_type=content_type, headers=headers)


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def canned_query_csv(scope, receive, send):
            match = CSV_PATH.match(scope.get("path", "")) if scope["type"] == "http" else None
            if match and match["database"] in datasette.databases:
                query = await datasette.get_canned_query(match["database"], match["query"], None)
                if query and not query.get("write"):
                    response = await export(datasette, Request(scope, receive), match["database"], query)
                    await response.asgi_send(send)
                    return
            await app(scope, receive, send)

        return canned_query_csv

    return wrap
