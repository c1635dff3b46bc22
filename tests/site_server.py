"""A real HTTP server on 127.0.0.1 for the scraper tests: saved fixtures plus misbehaving endpoints.

Static files come from ``tests/fixtures/site/``; ``{{BASE}}`` in a text fixture becomes the server's base URL.
Every static response carries an ETag and honours If-None-Match with a 304. The request log records every
request so tests can check what a run asked for.

Misbehaving endpoints (the path decides the behaviour; the rest of the path names the fixture served on success):

    /flaky/<file>        HTTP 500 on the first request, then the file
    /ratelimited/<file>  HTTP 429 with ``Retry-After: 1`` on the first request, then the file
    /ratelimited-date/<file>  as above, Retry-After as an HTTP-date 2 s ahead
    /slow/<file>         sleeps ``SLOW_SECONDS`` before answering (longer than the tests' client timeout)
    /loop/a, /loop/b     redirect to each other forever
    /redirect/<file>     302 to /<file>
    /redirect-to?to=URL  302 to URL
    /truncated/<file>    Content-Length larger than the bytes sent, then the connection closes
    /bomb                gzip of ``BOMB_SIZE`` zero bytes (about 50 KB on the wire)
    /pdf/<name>          a PDF content type
"""

from __future__ import annotations

import email.utils
import gzip
import hashlib
import mimetypes
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).parent / "fixtures" / "site"
SLOW_SECONDS = 1.0
BOMB_SIZE = 50 * 1024 * 1024

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".xml": "application/xml",
    ".rss": "application/rss+xml; charset=utf-8",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
}
#: Fixtures with their own Content-Type (a GBK page says so in its header, as Chinese servers do).
SPECIAL_TYPES = {"articles/gbk.html": "text/html; charset=gbk"}


@dataclass
class RequestRecord:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes = b""

    @property
    def conditional(self) -> bool:
        return "if-none-match" in self.headers or "if-modified-since" in self.headers


@lru_cache(maxsize=1)
def gzip_bomb() -> bytes:
    """BOMB_SIZE zero bytes, gzip-compressed (built once per test session)."""
    return gzip.compress(b"\0" * BOMB_SIZE, compresslevel=9)


@dataclass
class SiteServer:
    """Serve `root` on 127.0.0.1 (a free port) in a background thread. Use as a context manager."""

    root: Path = FIXTURES
    log: list[RequestRecord] = field(default_factory=list)
    hits: Counter = field(default_factory=Counter)
    #: Paths whose content a test replaced (path -> bytes), e.g. to simulate a changed feed.
    overrides: dict[str, bytes] = field(default_factory=dict)
    #: Paths answered with a fixed status instead (path -> status), e.g. a robots.txt that gives 500.
    statuses: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        server = self

        class Handler(_Handler):
            site = server

        self.httpd = _QuietServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self) -> "SiteServer":
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def url(self, path: str) -> str:
        return self.base_url + path

    def record(self, record: RequestRecord) -> int:
        with self._lock:
            self.log.append(record)
            self.hits[record.path] += 1
            return self.hits[record.path]

    def paths(self) -> list[str]:
        return [r.path for r in self.log]

    def fixture_bytes(self, name: str) -> bytes | None:
        if name in self.overrides:
            return self.overrides[name]
        path = (self.root / name).resolve()
        if not path.is_file() or self.root.resolve() not in path.parents:
            return None
        data = path.read_bytes()
        if path.suffix in (".html", ".xml", ".rss", ".json", ".txt", ".yml"):
            data = data.replace(b"{{BASE}}", self.base_url.encode())
        return data


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):  # clients hanging up are expected
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    site: SiteServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # keep test output clean
        pass

    def do_POST(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        path = self.path.split("?", 1)[0]
        count = self.site.record(RequestRecord(self.command, self.path, {k.lower(): v for k, v in self.headers.items()},
                                               body))
        if path in self.site.statuses:
            return self._plain(self.site.statuses[path], b"forced status")
        kind, _, rest = path.lstrip("/").partition("/")
        if kind == "flaky" and count == 1:
            return self._plain(500, b"temporary failure")
        if kind == "ratelimited" and count == 1:
            return self._plain(429, b"slow down", {"Retry-After": "1"})
        if kind == "ratelimited-date" and count == 1:
            when = email.utils.formatdate(time.time() + 2, usegmt=True)
            return self._plain(429, b"slow down", {"Retry-After": when})
        if kind == "slow":
            time.sleep(SLOW_SECONDS)
        if kind == "loop":
            return self._plain(302, b"", {"Location": "/loop/b" if rest == "a" else "/loop/a"})
        if kind == "redirect-to":
            target = parse_qs(urlsplit(self.path).query).get("to", ["/"])[0]
            return self._plain(302, b"", {"Location": target})
        if kind == "redirect":
            return self._plain(302, b"", {"Location": "/" + rest})
        if kind == "bomb":
            return self._send(200, gzip_bomb(), {"Content-Type": "text/html", "Content-Encoding": "gzip"})
        if kind == "pdf":
            return self._send(200, b"%PDF-1.4 fake", {"Content-Type": "application/pdf"})
        if kind == "truncated":
            data = self.site.fixture_bytes(rest) or b"x" * 100
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(data) + 10_000))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        name = rest if kind in ("flaky", "ratelimited", "ratelimited-date", "slow") else path.lstrip("/")
        data = self.site.fixture_bytes(name)
        if data is None:
            return self._plain(404, b"not found")
        etag = '"' + hashlib.sha256(data).hexdigest()[:16] + '"'
        headers = {"Content-Type": SPECIAL_TYPES.get(name) or CONTENT_TYPES.get(Path(name).suffix)
                   or mimetypes.guess_type(name)[0] or "application/octet-stream", "ETag": etag}
        if self.headers.get("if-none-match") == etag:
            return self._send(304, b"", {"ETag": etag})
        self._send(200, data, headers)

    def _plain(self, status: int, data: bytes, headers: dict[str, str] | None = None) -> None:
        self._send(status, data, {"Content-Type": "text/plain", **(headers or {})})

    def _send(self, status: int, data: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        if status != 304:
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if status != 304 and self.command != "HEAD":
            try:
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass
