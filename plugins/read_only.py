"""Refuse every request that is not GET or HEAD with 405 Method Not Allowed, before Datasette sees it.

The database is served immutable and this Datasette has no write API, but POSTs to tables and read-only
canned queries still reach its views (and end in 500 errors). The tracker is read-only by design: say so at
the door.
"""

from datasette import hookimpl

ALLOWED_METHODS = frozenset({"GET", "HEAD"})


@hookimpl
def asgi_wrapper():
    def wrap(app):
        async def read_only(scope, receive, send):
            if scope["type"] == "http" and scope.get("method", "GET") not in ALLOWED_METHODS:
                await send({"type": "http.response.start", "status": 405,
                            "headers": [(b"allow", b"GET, HEAD"), (b"content-type", b"text/plain; charset=utf-8")]})
                await send({"type": "http.response.body", "body": b"This tracker is read-only.\n"})
                return
            await app(scope, receive, send)

        return read_only

    return wrap
