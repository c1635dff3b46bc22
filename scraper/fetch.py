"""The scraper's HTTP client: polite (robots.txt, per-host spacing, backoff) and safe (addresses, sizes, types).

Exceptions::

    FetchError                 one line naming the URL; ``status`` holds the last HTTP status, if any
    ├── RobotsDisallowedError  robots.txt forbids the URL (or could not be read: 5xx/timeout)
    ├── BlockedAddressError    the host resolves to a private/loopback/... address
    ├── ContentTypeError       not HTML, XML or JSON
    ├── RedirectError          a redirect loop, too many redirects, or a redirect to a non-HTTP scheme
    └── ResponseTooLargeError  more than ``max_bytes`` after decompression

One :class:`Fetcher` serves a whole run from several threads: hosts are fetched in parallel, while requests to
one host are spaced by max(the source's delay, robots.txt Crawl-delay).
"""

from __future__ import annotations

import email.utils
import logging
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping
from urllib.parse import urljoin, urlsplit

import httpx

from scraper import http_safety
from scraper.robots import ROBOTS_AGENT, RobotsAnswer, RobotsCache, RobotsRules

__all__ = [
    "USER_AGENT",
    "DOCUMENT_TYPES",
    "FetchConfig",
    "FetchResult",
    "Fetcher",
    "HostRateLimiter",
    "FetchError",
    "RobotsDisallowedError",
    "BlockedAddressError",
    "ContentTypeError",
    "RedirectError",
    "ResponseTooLargeError",
    "parse_retry_after",
]

log = logging.getLogger(__name__)

#: Sent with every request: names the project and where to reach its maintainers.
USER_AGENT = "regtracker/0.1 (+https://github.com/regtracker/regtracker)"
#: Media types the scraper reads (besides any ``+xml`` / ``+json`` type). A missing Content-Type is accepted.
DOCUMENT_TYPES = frozenset({
    "text/html", "application/xhtml+xml", "application/xml", "text/xml", "application/rss+xml",
    "application/atom+xml", "application/rdf+xml", "application/json", "text/json", "application/feed+json",
})
#: Statuses worth retrying after a pause.
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
#: Google reads at most this much of a robots.txt.
ROBOTS_MAX_BYTES = 512 * 1024


@dataclass(frozen=True)
class FetchConfig:
    """Everything that decides how patient, polite and strict the client is. Defaults suit a nightly run."""

    user_agent: str = USER_AGENT
    #: Seconds to connect, and between two bytes received.
    timeout: float = 20.0
    #: Seconds a whole response may take to arrive (stops servers that trickle bytes).
    max_duration: float = 120.0
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    #: Retries after a 429/5xx or a network failure (so at most 1 + max_retries attempts).
    max_retries: int = 3
    #: Backoff before retry n is uniform in [b/2, b] with b = min(backoff_max, backoff_base * 2**(n-1)).
    backoff_base: float = 2.0
    backoff_max: float = 60.0
    #: A Retry-After longer than this makes the client give up on the URL instead of waiting.
    max_retry_after: float = 300.0
    #: Seconds between two requests to one host, unless the source or robots.txt asks for more.
    default_delay: float = 1.0
    #: The largest robots.txt Crawl-delay obeyed; longer ones are cut to this.
    max_crawl_delay: float = 60.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    random: Callable[[], float] = field(default=random.random, repr=False)


@dataclass
class FetchResult:
    """A response that arrived whole (or a 304)."""

    url: str
    final_url: str
    status: int
    headers: httpx.Headers
    content: bytes = b""
    not_modified: bool = False

    @property
    def content_type(self) -> str | None:
        """The full Content-Type header (with its charset), if sent."""
        return self.headers.get("content-type")

    @property
    def media_type(self) -> str:
        return _media_type(self.content_type)

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")


class FetchError(Exception):
    """A URL could not be fetched. ``str()`` is one line: the URL, then the problem."""

    def __init__(self, url: str, problem: str, *, status: int | None = None, transient: bool = False):
        self.url = url
        self.problem = problem
        self.status = status
        #: True when a later run may well succeed (timeouts, 5xx, robots.txt unreachable), False when not (404).
        self.transient = transient
        super().__init__(f"{url}: {problem}")


class RobotsDisallowedError(FetchError):
    """robots.txt does not let us fetch the URL."""


class BlockedAddressError(FetchError):
    """The URL's host resolves to an address we refuse to connect to."""


class ContentTypeError(FetchError):
    """The response is not a document type we read."""


class RedirectError(FetchError):
    """Redirect loop, too many redirects, or a redirect to a scheme other than http(s)."""


class ResponseTooLargeError(FetchError):
    """The body is larger than the cap after decompression."""


class _Retryable(Exception):
    def __init__(self, problem: str, status: int | None = None, retry_after: float | None = None):
        super().__init__(problem)
        self.problem = problem
        self.status = status
        self.retry_after = retry_after


class HostRateLimiter:
    """Spaces requests to each host: a caller reserves the next free slot, then sleeps until it comes."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep):
        self._clock = clock
        self._sleep = sleep
        self._next_free: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, host: str, interval: float) -> float:
        """Block until a request to `host` may go; return the seconds waited."""
        with self._lock:
            now = self._clock()
            start = max(now, self._next_free.get(host, now))
            self._next_free[host] = start + max(interval, 0.0)
        waited = start - now
        if waited > 0:
            self._sleep(waited)
        return waited


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP-date. None when absent/unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def _acceptable(media_type: str, accept: Iterable[str] | None) -> bool:
    if accept is None or not media_type:
        return True
    return media_type in accept or media_type.endswith(("+xml", "+json"))


def _host_key(url: str) -> str:
    return urlsplit(url).netloc.lower()


class Fetcher:
    """Fetches URLs for a run. Thread-safe; use as a context manager or call :meth:`close`.

    `limiter` and robots rules are shared by every caller, so two sources on one host share its spacing.
    """

    def __init__(self, config: FetchConfig | None = None, *, limiter: HostRateLimiter | None = None,
                 transport_factory: Callable[[bool], httpx.BaseTransport] | None = None):
        self.config = config or FetchConfig()
        self.limiter = limiter or HostRateLimiter(sleep=self.config.sleep)
        self._transport_factory = transport_factory or (lambda allow: http_safety.GuardedTransport(allow_private=allow))
        self._clients: dict[bool, httpx.Client] = {}
        self._clients_lock = threading.Lock()
        self._robots = RobotsCache()

    # -- public API -------------------------------------------------------------------------------------------

    def fetch(
        self,
        url: str,
        *,
        allow_private: bool = False,
        delay: float | None = None,
        method: str = "GET",
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: Iterable[str] | None = DOCUMENT_TYPES,
        obey_robots: bool = True,
        max_bytes: int | None = None,
    ) -> FetchResult:
        """Fetch `url` politely and safely, following redirects and retrying transient failures.

        `etag` / `last_modified` make the request conditional; a 304 gives ``not_modified=True`` and no body.
        `accept` lists acceptable media types (None accepts any). Raises :class:`FetchError` (one line).
        """
        attempt = 0
        while True:
            try:
                return self._follow(url, allow_private=allow_private, delay=delay, method=method, content=content,
                                    headers=headers, etag=etag, last_modified=last_modified, accept=accept,
                                    obey_robots=obey_robots, max_bytes=max_bytes or self.config.max_bytes)
            except _Retryable as retry:
                attempt += 1
                if attempt > self.config.max_retries:
                    tries = "attempt" if attempt == 1 else "attempts"
                    raise FetchError(url, f"{retry.problem} (gave up after {attempt} {tries})",
                                     status=retry.status, transient=True) from None
                if retry.retry_after is not None:
                    wait = retry.retry_after
                    if wait > self.config.max_retry_after:
                        raise FetchError(url, f"{retry.problem}; Retry-After {wait:g} s is longer than the "
                                              f"{self.config.max_retry_after:g} s we wait", status=retry.status,
                                     transient=True) from None
                else:
                    wait = self.backoff(attempt)
                log.debug("retrying %s in %.2f s after %s", url, wait, retry.problem)
                self.config.sleep(wait)

    def backoff(self, attempt: int) -> float:
        """Seconds to wait before retry number `attempt` (1-based): exponential with jitter."""
        ceiling = min(self.config.backoff_max, self.config.backoff_base * 2 ** (attempt - 1))
        return ceiling / 2 + self.config.random() * ceiling / 2

    def robots_rules(self, url: str, *, allow_private: bool = False) -> RobotsRules:
        """The robots.txt rules for `url`'s host (fetched once per run and cached)."""
        key = "private" if allow_private else "public"
        return self._robots.rules_for(url, lambda address: self._load_robots(address, allow_private), key_extra=key)

    def close(self) -> None:
        with self._clients_lock:
            for client in self._clients.values():
                client.close()
            self._clients.clear()

    def __enter__(self) -> "Fetcher":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- internals --------------------------------------------------------------------------------------------

    def _client(self, allow_private: bool) -> httpx.Client:
        with self._clients_lock:
            client = self._clients.get(allow_private)
            if client is None:
                timeout = httpx.Timeout(self.config.timeout)
                client = httpx.Client(transport=self._transport_factory(allow_private), timeout=timeout,
                                      follow_redirects=False, trust_env=False,
                                      headers={"User-Agent": self.config.user_agent,
                                               "Accept-Encoding": "gzip, deflate"})
                self._clients[allow_private] = client
            return client

    def _load_robots(self, address: str, allow_private: bool) -> RobotsAnswer:
        try:
            result = self.fetch(address, allow_private=allow_private, accept=None, obey_robots=False,
                                max_bytes=ROBOTS_MAX_BYTES)
        except BlockedAddressError:
            raise
        except FetchError as exc:
            if exc.status is not None:
                return RobotsAnswer(status=exc.status)
            return RobotsAnswer(status=None, problem=exc.problem)
        return RobotsAnswer(status=result.status, text=result.content.decode("utf-8", errors="replace"))

    def _follow(self, url: str, *, allow_private: bool, delay: float | None, method: str, content: bytes | None,
                headers: Mapping[str, str] | None, etag: str | None, last_modified: str | None,
                accept: Iterable[str] | None, obey_robots: bool, max_bytes: int) -> FetchResult:
        seen = [url]
        current = url
        for _hop in range(self.config.max_redirects + 1):
            if urlsplit(current).scheme not in ("http", "https"):
                raise RedirectError(url, f"will not follow a redirect to {current}")
            interval = self.config.default_delay if delay is None else delay
            if obey_robots:
                rules = self.robots_rules(current, allow_private=allow_private)
                if not rules.can_fetch(current):
                    reason = rules.reason or "disallowed by robots.txt"
                    raise RobotsDisallowedError(url, reason if current == url else f"{current}: {reason}",
                                                transient=rules.parser is None)
                crawl_delay = rules.crawl_delay()
                if crawl_delay:
                    interval = max(interval, min(crawl_delay, self.config.max_crawl_delay))
            request_headers = dict(headers or {})
            if current == url:
                if etag:
                    request_headers["If-None-Match"] = etag
                if last_modified:
                    request_headers["If-Modified-Since"] = last_modified
            self.limiter.wait(_host_key(current), interval)
            log.debug("%s %s", method, current)
            client = self._client(allow_private)
            request = client.build_request(method, current, content=content, headers=request_headers)
            try:
                response = client.send(request, stream=True)
            except http_safety.BlockedAddressError as exc:
                raise BlockedAddressError(url, str(exc)) from None
            except httpx.TimeoutException:
                raise _Retryable(f"timed out after {self.config.timeout:g} s") from None
            except httpx.TransportError as exc:
                raise _Retryable(f"network error: {exc or type(exc).__name__}") from None
            try:
                status = response.status_code
                if status in REDIRECT_STATUSES and response.headers.get("location"):
                    target = urljoin(current, response.headers["location"])
                    if target in seen:
                        chain = " -> ".join(seen[seen.index(target):] + [target])
                        raise RedirectError(url, f"redirect loop: {chain}", status=status)
                    seen.append(target)
                    if status == 303 or (status in (301, 302) and method == "POST"):
                        method, content = "GET", None
                    current = target
                    continue
                if status == 304:
                    return FetchResult(url, current, status, response.headers, not_modified=True)
                if status in RETRY_STATUSES:
                    raise _Retryable(f"HTTP {status}", status=status,
                                     retry_after=parse_retry_after(response.headers.get("retry-after")))
                if status >= 400 or status < 200:
                    raise FetchError(url, f"HTTP {status}", status=status)
                media_type = _media_type(response.headers.get("content-type"))
                if not _acceptable(media_type, accept):
                    raise ContentTypeError(url, f"unexpected content type {media_type!r}", status=status)
                body = self._read_body(url, response, max_bytes)
                return FetchResult(url, current, status, response.headers, body)
            finally:
                response.close()
        raise RedirectError(url, f"more than {self.config.max_redirects} redirects")

    def _read_body(self, url: str, response: httpx.Response, max_bytes: int) -> bytes:
        started = time.monotonic()
        try:
            decoder = http_safety.BoundedDecoder(response.headers.get("content-encoding"), max_bytes)
            parts = []
            for raw in response.iter_raw():
                parts.append(decoder.feed(raw))
                if time.monotonic() - started > self.config.max_duration:
                    raise _Retryable(f"response took longer than {self.config.max_duration:g} s")
            parts.append(decoder.flush())
        except http_safety.ResponseTooLargeError as exc:
            raise ResponseTooLargeError(url, str(exc), status=response.status_code) from None
        except (http_safety.UnsupportedEncodingError, ValueError) as exc:
            raise FetchError(url, str(exc), status=response.status_code) from None
        except httpx.TimeoutException:
            raise _Retryable(f"timed out reading the body after {self.config.timeout:g} s") from None
        except httpx.TransportError as exc:
            raise _Retryable(f"incomplete response: {exc or type(exc).__name__}") from None
        return b"".join(parts)

