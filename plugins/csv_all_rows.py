"""Every CSV link downloads every row: add ``_stream=on`` to CSV requests that do not say otherwise.

Datasette's "CSV" link on a table page gives one page of at most max_returned_rows (1,000) rows unless the
reader ticks "stream all rows" under "advanced"; a reader who downloads a table expects all of it. With
``_stream=on`` Datasette pages through the table or view itself. (Canned and custom SQL queries cannot be
paged by Datasette 0.65, so their CSV still stops at max_returned_rows: see the README.)
"""

from urllib.parse import parse_qsl, urlencode

from datasette import hookimpl


@hookimpl
def asgi_wrapper():
    def wrap(app):
        async def csv_all_rows(scope, receive, send):
            if scope["type"] == "http" and scope.get("path", "").endswith(".csv"):
                params = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
                names = {name for name, _ in params}
                if not names & {"_stream", "_next"}:
                    query = urlencode(params + [("_stream", "on")]).encode("latin-1")
                    scope = dict(scope, query_string=query)
            await app(scope, receive, send)

        return csv_all_rows

    return wrap
