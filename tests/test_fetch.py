"""The HTTP client against a real server on 127.0.0.1: retries, timeouts, redirects, size caps, robots.txt,
conditional GET, address safety; plus narrow unit tests of its pieces."""

from __future__ import annotations

import gzip
import tracemalloc
import zlib

import pytest

from scraper.fetch import (
    USER_AGENT,
    BlockedAddressError,
    ContentTypeError,
    FetchConfig,
    Fetcher,
    FetchError,
    HostRateLimiter,
    RedirectError,
    ResponseTooLargeError,
    RobotsDisallowedError,
    parse_retry_after,
)
from scraper.http_safety import BoundedDecoder, GuardedTransport, UnsupportedEncodingError, address_problem
from tests.site_server import SiteServer, gzip_bomb


class SleepRecorder:
    """Stands in for time.sleep: records each wait instead of sleeping."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def site():
    with SiteServer() as server:
        yield server


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


def make_fetcher(sleeps: SleepRecorder, **overrides) -> Fetcher:
    settings = dict(timeout=0.5, max_duration=3, max_retries=2, backoff_base=0.01, default_delay=0,
                    max_retry_after=5, sleep=sleeps)
    settings.update(overrides)
    return Fetcher(FetchConfig(**settings))


def test_fetch_returns_the_page_and_names_the_project(site, sleeps):
    with make_fetcher(sleeps) as fetcher:
        result = fetcher.fetch(site.url("/articles/fine-acme.html"), allow_private=True)
    assert result.status == 200
    assert b"Regulator fines Acme" in result.content
    assert result.media_type == "text/html"
    page_requests = [r for r in site.log if r.path == "/articles/fine-acme.html"]
    assert page_requests[0].headers["user-agent"] == USER_AGENT
    assert "+https://" in USER_AGENT
    # robots.txt is read before the first page of a host, and only once
    assert site.paths()[0] == "/robots.txt"


def test_robots_txt_is_fetched_once_per_host(site, sleeps):
    with make_fetcher(sleeps) as fetcher:
        for name in ("fine-acme", "fine-beta", "fine-delta"):
            fetcher.fetch(site.url(f"/articles/{name}.html"), allow_private=True)
    assert site.paths().count("/robots.txt") == 1


def test_a_500_is_retried_after_a_backoff(site, sleeps):
    with make_fetcher(sleeps) as fetcher:
        result = fetcher.fetch(site.url("/flaky/articles/fine-flaky.html"), allow_private=True)
    assert b"Gamma fined" in result.content
    assert site.hits["/flaky/articles/fine-flaky.html"] == 2
    assert len(sleeps.waits) == 1 and 0.005 <= sleeps.waits[0] <= 0.01


def test_429_waits_as_long_as_retry_after_seconds_says(site, sleeps):
    with make_fetcher(sleeps) as fetcher:
        result = fetcher.fetch(site.url("/ratelimited/articles/fine-beta.html"), allow_private=True)
    assert b"Beta Corp" in result.content
    assert sleeps.waits == [1.0]


def test_429_retry_after_as_an_http_date(site, sleeps):
    with make_fetcher(sleeps) as fetcher:
        fetcher.fetch(site.url("/ratelimited-date/articles/fine-beta.html"), allow_private=True)
    assert len(sleeps.waits) == 1 and 0.5 < sleeps.waits[0] <= 2.0


def test_a_retry_after_longer_than_the_cap_gives_up(site, sleeps):
    with make_fetcher(sleeps, max_retry_after=0.5) as fetcher:
        with pytest.raises(FetchError, match="Retry-After 1 s is longer than"):
            fetcher.fetch(site.url("/ratelimited/articles/fine-beta.html"), allow_private=True)
    assert sleeps.waits == []


def test_a_server_slower_than_the_timeout_fails_after_the_retries(site, sleeps):
    with make_fetcher(sleeps, max_retries=1, timeout=0.3) as fetcher:
        with pytest.raises(FetchError, match=r"timed out after 0.3 s \(gave up after 2 attempts\)") as caught:
            fetcher.fetch(site.url("/slow/articles/fine-acme.html"), allow_private=True)
    assert caught.value.url.endswith("/slow/articles/fine-acme.html")
    assert site.hits["/slow/articles/fine-acme.html"] == 2


def test_a_redirect_loop_is_detected(site, sleeps):
    with make_fetcher(sleeps) as fetcher:
        with pytest.raises(RedirectError, match="redirect loop"):
            fetcher.fetch(site.url("/loop/a"), allow_private=True)
    assert site.hits["/loop/a"] == 1 and site.hits["/loop/b"] == 1


def test_redirects_are_followed_and_capped(site, sleeps):
    with make_fetcher(sleeps) as fetcher:
        result = fetcher.fetch(site.url("/redirect/articles/fine-beta.html"), allow_private=True)
        assert result.final_url == site.url("/articles/fine-beta.html")
    with make_fetcher(sleeps, max_redirects=0) as fetcher:
        with pytest.raises(RedirectError, match="more than 0 redirects"):
            fetcher.fetch(site.url("/redirect/articles/fine-beta.html"), allow_private=True)


def test_a_truncated_body_is_an_error_not_a_short_page(site, sleeps):
    with make_fetcher(sleeps, max_retries=1) as fetcher:
        with pytest.raises(FetchError, match="incomplete response"):
            fetcher.fetch(site.url("/truncated/articles/fine-acme.html"), allow_private=True)


def test_a_gzip_bomb_stops_at_the_cap_without_inflating_in_memory(site, sleeps):
    cap = 1024 * 1024
    with make_fetcher(sleeps, max_bytes=cap) as fetcher:
        fetcher.robots_rules(site.url("/"), allow_private=True)  # keep robots.txt out of the measurement
        gzip_bomb()  # and the server's one-time building of the bomb
        tracemalloc.start()
        try:
            with pytest.raises(ResponseTooLargeError, match="larger than 1 MB after decompression"):
                fetcher.fetch(site.url("/bomb"), allow_private=True)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    # 50 MB of zeros arrived compressed; the client held little more than the 1 MB cap
    assert peak < 4 * cap


def test_content_types_other_than_html_xml_json_are_refused(site, sleeps):
    with make_fetcher(sleeps) as fetcher:
        with pytest.raises(ContentTypeError, match="application/pdf"):
            fetcher.fetch(site.url("/pdf/decision.pdf"), allow_private=True)


def test_robots_txt_disallow_is_obeyed_without_requesting_the_page(site, sleeps):
    with make_fetcher(sleeps) as fetcher:
        with pytest.raises(RobotsDisallowedError):
            fetcher.fetch(site.url("/private/secret.html"), allow_private=True)
    assert "/private/secret.html" not in site.paths()


def test_robots_txt_4xx_allows_everything(site, sleeps):
    site.statuses["/robots.txt"] = 404
    with make_fetcher(sleeps) as fetcher:
        result = fetcher.fetch(site.url("/private/secret.html"), allow_private=True)
    assert b"never be fetched" in result.content


def test_robots_txt_5xx_blocks_the_host_for_the_run(site, sleeps):
    site.statuses["/robots.txt"] = 503
    with make_fetcher(sleeps, max_retries=0) as fetcher:
        with pytest.raises(RobotsDisallowedError, match="robots.txt answered HTTP 503"):
            fetcher.fetch(site.url("/articles/fine-acme.html"), allow_private=True)
        with pytest.raises(RobotsDisallowedError):
            fetcher.fetch(site.url("/articles/fine-beta.html"), allow_private=True)
    assert site.paths() == ["/robots.txt"]


def test_robots_crawl_delay_spaces_requests_to_the_host(site, sleeps):
    site.overrides["robots.txt"] = b"User-agent: regtracker\nCrawl-delay: 3\n"
    with make_fetcher(sleeps, max_crawl_delay=2) as fetcher:
        fetcher.fetch(site.url("/articles/fine-acme.html"), allow_private=True)
        fetcher.fetch(site.url("/articles/fine-beta.html"), allow_private=True)
    # the recorder does not really sleep, so the second request waits a whole (capped) delay
    assert len(sleeps.waits) == 1 and 1.9 < sleeps.waits[0] <= 2.0


def test_loopback_is_refused_unless_the_source_allows_private_hosts(site, sleeps):
    with make_fetcher(sleeps) as fetcher:
        with pytest.raises(BlockedAddressError, match=r"127\.0\.0\.1 is a loopback address"):
            fetcher.fetch(site.url("/articles/fine-acme.html"))
    assert site.log == []


def test_a_host_name_is_checked_by_the_addresses_it_resolves_to(site, sleeps):
    with make_fetcher(sleeps) as fetcher:
        with pytest.raises(BlockedAddressError, match="loopback address"):
            fetcher.fetch(f"http://localhost:{site.httpd.server_address[1]}/articles/fine-beta.html")
    assert site.log == []


def test_each_redirect_target_is_checked_again(site, sleeps):
    # a policy that admits the test server's address only: the redirect to another address must be refused
    def only_the_test_server(address: str) -> str | None:
        return None if address == "127.0.0.1" else "test-refused address"

    port = site.httpd.server_address[1]
    fetcher = Fetcher(FetchConfig(timeout=0.5, default_delay=0, sleep=sleeps),
                      transport_factory=lambda allow: GuardedTransport(policy=only_the_test_server))
    with fetcher:
        ok = fetcher.fetch(site.url("/articles/fine-beta.html"))
        assert ok.status == 200
        with pytest.raises(BlockedAddressError, match=r"127\.0\.0\.2 is a test-refused address"):
            fetcher.fetch(site.url(f"/redirect-to?to=http://127.0.0.2:{port}/articles/fine-beta.html"))
    assert site.paths().count("/redirect-to?to=http://127.0.0.2:%d/articles/fine-beta.html" % port) == 1


def test_conditional_get_gives_not_modified(site, sleeps):
    with make_fetcher(sleeps) as fetcher:
        first = fetcher.fetch(site.url("/feed.xml"), allow_private=True)
        assert first.etag
        second = fetcher.fetch(site.url("/feed.xml"), allow_private=True, etag=first.etag)
    assert second.not_modified and second.content == b""
    feed_requests = [r for r in site.log if r.path == "/feed.xml"]
    assert not feed_requests[0].conditional and feed_requests[1].headers["if-none-match"] == first.etag


def test_a_post_sends_its_body(site, sleeps):
    with make_fetcher(sleeps) as fetcher:
        result = fetcher.fetch(site.url("/api.json"), allow_private=True, method="POST", content=b'{"page": 1}',
                               headers={"Content-Type": "application/json"})
    assert result.media_type == "application/json"
    assert [r.body for r in site.log if r.path == "/api.json"] == [b'{"page": 1}']


# -- unit tests -----------------------------------------------------------------------------------------------


def test_rate_limiter_spaces_one_host_and_not_others():
    now = [100.0]
    waits: list[float] = []
    limiter = HostRateLimiter(clock=lambda: now[0], sleep=waits.append)
    assert limiter.wait("a.example", 2.0) == 0
    assert limiter.wait("b.example", 2.0) == 0
    assert limiter.wait("a.example", 2.0) == 2.0
    assert limiter.wait("a.example", 2.0) == 4.0  # slots are reserved, so concurrent callers queue up
    now[0] = 110.0
    assert limiter.wait("a.example", 2.0) == 0
    assert waits == [2.0, 4.0]


@pytest.mark.parametrize("value, expected", [
    ("120", 120.0),
    ("0", 0.0),
    ("Wed, 21 Oct 2015 07:28:00 GMT", 30.0),
    ("Wed, 21 Oct 2015 07:27:00 GMT", 0.0),  # in the past
    ("soon", None),
    (None, None),
])
def test_parse_retry_after(value, expected):
    now = 1445412450.0  # 2015-10-21 07:27:30 UTC
    assert parse_retry_after(value, now=now) == expected


def test_backoff_grows_exponentially_with_jitter_and_a_cap():
    fetcher = Fetcher(FetchConfig(backoff_base=1, backoff_max=10, random=lambda: 1.0))
    assert [fetcher.backoff(n) for n in (1, 2, 3, 4, 5)] == [1, 2, 4, 8, 10]
    low = Fetcher(FetchConfig(backoff_base=1, backoff_max=10, random=lambda: 0.0))
    assert [low.backoff(n) for n in (1, 2, 3)] == [0.5, 1, 2]


@pytest.mark.parametrize("address, problem", [
    ("127.0.0.1", "loopback address"),
    ("::1", "loopback address"),
    ("10.1.2.3", "private address"),
    ("192.168.0.10", "private address"),
    ("169.254.169.254", "link-local address"),
    ("224.0.0.1", "multicast address"),
    ("0.0.0.0", "unspecified address"),
    ("240.0.0.1", "reserved address"),
    ("100.64.0.1", "non-public address"),
    ("::ffff:127.0.0.1", "loopback address"),
    ("93.184.216.34", None),
    ("2606:4700::6810:85e5", None),
])
def test_address_problem(address, problem):
    assert address_problem(address) == problem


def test_bounded_decoder_handles_gzip_members_and_both_deflate_forms():
    data = b"regulator " * 1000
    two_members = gzip.compress(data[:5000]) + gzip.compress(data[5000:])
    decoder = BoundedDecoder("gzip", 10**6)
    out = b"".join(decoder.feed(two_members[i:i + 100]) for i in range(0, len(two_members), 100))
    assert out + decoder.flush() == data
    for compressed in (zlib.compress(data), zlib.compress(data)[2:-4]):  # zlib-wrapped and raw deflate
        decoder = BoundedDecoder("deflate", 10**6)
        assert decoder.feed(compressed) + decoder.flush() == data
    with pytest.raises(UnsupportedEncodingError):
        BoundedDecoder("br", 10)
