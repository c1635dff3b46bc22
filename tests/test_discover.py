"""Discovery: feeds, sitemaps (indexes, news tags, robots.txt Sitemap lines), listing pages and JSON list APIs.

Parsers are tested on the saved fixtures; :func:`discover_source` against the real loopback server.
"""

from __future__ import annotations

import gzip
import json

import pytest

from scraper.discover import SITEMAP_TYPES, Discovery, DiscoveryError, discover_source
from scraper.discover_parse import (
    loose_date,
    parse_feed,
    parse_json_list,
    parse_listing,
    parse_sitemap,
    resolve_path,
)
from scraper.fetch import DOCUMENT_TYPES, FetchConfig, Fetcher
from scraper.sources import JsonFields, ListingSelectors, parse_sources
from tests.site_server import FIXTURES, SiteServer

BASE = "http://site.test"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes().replace(b"{{BASE}}", BASE.encode())


def source(entry: str):
    loaded = parse_sources("sources:\n  - " + entry, name="test.yml")
    assert not loaded.errors, loaded.errors
    return loaded.sources[0]


# -- feeds ------------------------------------------------------------------------------------------------------


def test_feed_items_keep_their_order_dates_and_summaries_and_skip_a_malformed_item():
    items, errors = parse_feed(fixture("feed.xml"), BASE + "/feed.xml", content_type="application/rss+xml")
    assert [i.url for i in items][:2] == [
        BASE + "/articles/fine-acme.html?utm_source=rss&utm_medium=feed",
        BASE + "/articles/office-opening.html",
    ]
    assert len(items) == 6
    assert items[0].title == "Regulator fines Acme EUR 2 million over GDPR breach"
    assert items[0].published == "2024-03-05T09:30:00Z"
    assert items[0].summary == "The data protection authority imposed a fine on Acme."
    assert errors == [f"{BASE}/feed.xml: item 3 (An item without a link): no link; skipped"]


def test_a_bozo_feed_that_still_parses_is_used():
    items, errors = parse_feed(fixture("bozo-feed.xml"), BASE + "/bozo-feed.xml")
    assert [i.url for i in items] == [BASE + "/articles/fine-beta.html"]
    assert len(errors) == 1 and "'javascript:alert(1)' is not an http(s) URL" in errors[0]


def test_a_page_that_is_no_feed_is_a_discovery_error():
    with pytest.raises(DiscoveryError, match="not an RSS or Atom feed"):
        parse_feed(fixture("articles/fine-acme.html"), BASE + "/articles/fine-acme.html")


def test_atom_feed_with_relative_links():
    atom = b"""<?xml version="1.0" encoding="utf-8"?>
    <feed xmlns="http://www.w3.org/2005/Atom" xml:base="http://site.test/news/">
      <title>Atom</title>
      <entry><title>One</title><link rel="alternate" href="one.html"/><updated>2024-01-02T03:04:05+01:00</updated></entry>
    </feed>"""
    items, errors = parse_feed(atom, BASE + "/atom.xml")
    assert [(i.url, i.published) for i in items] == [(BASE + "/news/one.html", "2024-01-02T02:04:05Z")]
    assert errors == []


# -- sitemaps ---------------------------------------------------------------------------------------------------


def test_news_sitemap_gives_titles_dates_newest_first_and_skips_bad_locs():
    document = parse_sitemap(fixture("news-sitemap.xml"), BASE + "/news-sitemap.xml")
    assert [(i.url, i.title, i.published) for i in document.items] == [
        (BASE + "/articles/fine-delta.html", "Delta receives penalty for tracking cookies", "2024-06-11T07:45:00Z"),
        (BASE + "/articles/fine-beta.html", None, "2024-04-10"),
    ]
    assert document.errors == [f"{BASE}/news-sitemap.xml: entry 3: <loc> 'not a url' is not an http(s) URL; skipped"]


def test_sitemap_index_lists_child_sitemaps_newest_first():
    document = parse_sitemap(fixture("sitemap-index.xml"), BASE + "/sitemap-index.xml")
    assert [i.url for i in document.sitemaps] == [BASE + "/news-sitemap.xml", BASE + "/pages-sitemap.xml"]
    assert document.items == []


def test_broken_xml_is_a_discovery_error_naming_the_url():
    with pytest.raises(DiscoveryError, match=r"http://site.test/s.xml: not a sitemap \(XML error"):
        parse_sitemap(b"<urlset><url><loc>x</loc></urlset>", BASE + "/s.xml")
    with pytest.raises(DiscoveryError, match="root element <rss>"):
        parse_sitemap(fixture("feed.xml"), BASE + "/s.xml")


# -- listing pages ----------------------------------------------------------------------------------------------


def test_listing_items_with_link_title_and_printed_date():
    selectors = ListingSelectors(items="div.view-content li article", link="h2 a", title="h2", date="p.date")
    items, errors = parse_listing(fixture("listing.html"), BASE + "/news/listing.html", selectors)
    assert [(i.url, i.title, i.published) for i in items] == [
        (BASE + "/articles/fine-delta.html", "Delta receives penalty for tracking cookies", "2024-06-11"),
        (BASE + "/news/articles/fine-epsilon.html?utm_campaign=x", "Epsilon fined over children's privacy",
         "2024-07-01"),
    ]
    assert errors == [f"{BASE}/news/listing.html: item 3 (An item whose link is missing): no link; skipped"]


def test_listing_links_without_items():
    items, _ = parse_listing(fixture("listing.html"), BASE + "/listing.html", ListingSelectors(link="h2 a"))
    assert [i.title for i in items] == ["Delta receives penalty for tracking cookies",
                                        "Epsilon fined over children's privacy"]


def test_a_listing_selector_that_matches_nothing_is_a_discovery_error():
    with pytest.raises(DiscoveryError, match="no element matches 'ul.gone li'"):
        parse_listing(fixture("listing.html"), BASE + "/listing.html", ListingSelectors(items="ul.gone li"))


def test_gbk_listing_is_decoded():
    page = "<html><head><meta charset='gbk'></head><body><ul><li><a href='/a.html'>罚款决定书</a>" \
           "<span>2021年12月14日</span></li></ul></body></html>".encode("gbk")
    items, _ = parse_listing(page, BASE + "/", ListingSelectors(items="li", date="span"),
                             content_type="text/html; charset=gbk")
    assert [(i.title, i.published) for i in items] == [("罚款决定书", "2021-12-14")]


@pytest.mark.parametrize("text, expected", [
    ("12th May 2021", "2021-05-12"),
    ("Dec. 19 , 2025", "2025-12-19"),
    ("发布时间：2021年12月14日", "2021-12-14"),
    ("2021/12/14", "2021-12-14"),
    ("1639472000", "2021-12-14T08:53:20Z"),
    ("1639472000000", "2021-12-14T08:53:20Z"),
    ("12 comments", None),
    ("", None),
])
def test_loose_date(text, expected):
    assert loose_date(text) == expected


# -- JSON list APIs ---------------------------------------------------------------------------------------------


def test_resolve_path():
    data = {"data": {"items": [{"u": 1}, {"u": 2}, {"v": 3}]}, "n": [10, 20]}
    assert resolve_path(data, "data.items[].u") == [1, 2]
    assert resolve_path(data, "data.items.1.u") == 2
    assert resolve_path(data, "n.5") is None
    assert resolve_path(data, "missing.path") is None
    assert resolve_path(data, "missing[].x") == []


def test_json_items_with_relative_links_and_dates():
    fields = JsonFields(items="results", link="url", title="title", date="createdDateTime", summary="description")
    items, errors = parse_json_list(fixture("api.json"), BASE + "/api/search", fields)
    assert [(i.url, i.title, i.published) for i in items] == [
        (BASE + "/articles/fine-acme.html", "Regulator fines Acme EUR 2 million over GDPR breach",
         "2024-03-05T09:30:00"),
        (BASE + "/articles/fine-epsilon.html", "Epsilon fined over children's privacy", "2024-07-01T07:45:00"),
    ]
    assert items[0].summary == "A fine for Acme."
    assert errors == [f"{BASE}/api/search: item 3 (A result with no url): no link; skipped"]


def test_json_link_path_through_a_list_without_items():
    items, _ = parse_json_list(fixture("api.json"), BASE + "/api", JsonFields(link="results[].url",
                                                                              title="results[].title"))
    assert [i.title for i in items] == ["Regulator fines Acme EUR 2 million over GDPR breach",
                                        "Epsilon fined over children's privacy"]


def test_json_link_template():
    fields = JsonFields(items="datas", link_template=BASE + "/articles/{slug}.html", title="desc", date="time")
    items, errors = parse_json_list(fixture("api-template.json"), BASE + "/api", fields)
    assert [(i.url, i.published) for i in items] == [(BASE + "/articles/fine-beta.html", "2024-04-10T12:00:00"),
                                                     (BASE + "/articles/fine-delta.html", "2024-06-11T07:45:00")]
    assert errors == []


def test_json_html_fragment_read_with_listing_selectors():
    fields = JsonFields(html="data.html")
    selectors = ListingSelectors(items="li", link="a", title="a", date="span")
    items, _ = parse_json_list(fixture("api-html.json"), BASE + "/api-gateway", fields, selectors)
    assert [(i.url, i.published) for i in items] == [(BASE + "/articles/gbk.html", "2021-12-14"),
                                                     (BASE + "/articles/fine-flaky.html", "2024-05-02")]
    # the anchors' text is cut short ("…"); their longer title attribute is the title
    assert [i.title for i in items] == ["上海市徐汇区市场监督管理局对小鹏汽车作出行政处罚", "Gamma fined for unlawful marketing calls"]


def test_json_errors_are_one_line_discovery_errors():
    with pytest.raises(DiscoveryError, match="not JSON"):
        parse_json_list(b"<html>", BASE + "/api", JsonFields(link="url"))
    with pytest.raises(DiscoveryError, match="no list of items at 'data.items'"):
        parse_json_list(b'{"data": {}}', BASE + "/api", JsonFields(items="data.items", link="url"))


# -- discover_source against the real server --------------------------------------------------------------------


@pytest.fixture
def site():
    with SiteServer() as server:
        yield server


@pytest.fixture
def fetch():
    fetcher = Fetcher(FetchConfig(timeout=0.5, max_retries=0, default_delay=0, backoff_base=0.01))

    def fetch(url, *, method="GET", content=None, headers=None, accept=DOCUMENT_TYPES, conditional=True):
        return fetcher.fetch(url, allow_private=True, method=method, content=content, headers=headers, accept=accept)

    yield fetch
    fetcher.close()


def test_discover_a_sitemap_through_robots_txt_and_an_index(site, fetch):
    src = source(f"{{name: s, kind: sitemap, url: '{site.url('/robots.txt')}', allow_private_hosts: true}}")
    discovery = discover_source(src, fetch)
    assert [i.url for i in discovery.items] == [site.url(p) for p in (
        "/articles/fine-delta.html", "/articles/fine-beta.html", "/articles/fine-epsilon.html", "/about.html")]
    assert discovery.documents == 3  # the index and its two sitemaps
    assert len(discovery.errors) == 1 and "not a url" in discovery.errors[0]


def test_discover_a_gzipped_sitemap_with_a_link_pattern(site, fetch):
    site.overrides["sitemap.xml.gz"] = gzip.compress(fixture("pages-sitemap.xml").replace(
        BASE.encode(), site.base_url.encode()))
    src = source(f"{{name: s, kind: sitemap, url: '{site.url('/sitemap.xml.gz')}', link_pattern: '/articles/'}}")
    discovery = discover_source(src, fetch)
    assert [i.url for i in discovery.items] == [site.url("/articles/fine-epsilon.html")]
    assert discovery.filtered == 1
    assert "application/gzip" in SITEMAP_TYPES


def test_discover_a_paged_listing_stops_at_the_first_missing_page(site, fetch):
    site.overrides["news/page-1.html"] = fixture("listing.html")
    src = source(f"{{name: l, kind: listing, url: '{site.url('/news/page-{page}.html')}', pages: 3,"
                 " selectors: {listing: {items: 'li article', link: 'h2 a', date: p.date}}}")
    discovery = discover_source(src, fetch)
    assert len(discovery.items) == 2
    assert discovery.documents == 1
    assert any("page-2.html: HTTP 404" in e for e in discovery.errors)
    assert "/news/page-3.html" not in site.paths()


def test_discover_a_json_api_by_post_with_a_page_number_in_the_body(site, fetch):
    src = source(f"{{name: j, kind: json, url: '{site.url('/api.json')}', json: {{method: POST, items: results,"
                 " link: url, title: title, body: {rootPageId: 2816, pageNumber: '{page}', order: newest}}}")
    discovery = discover_source(src, fetch)
    assert len(discovery.items) == 2
    posted = [r for r in site.log if r.path == "/api.json"][0]
    assert posted.method == "POST" and json.loads(posted.body) == {"rootPageId": 2816, "pageNumber": 1,
                                                                   "order": "newest"}
    assert posted.headers["content-type"] == "application/json"


def test_discovery_that_cannot_fetch_anything_fails_with_one_line(site, fetch):
    src = source(f"{{name: f, kind: feed, url: '{site.url('/missing.xml')}'}}")
    with pytest.raises(DiscoveryError, match=r"/missing.xml: HTTP 404$"):
        discover_source(src, fetch)


def test_discovery_dedupes_urls_that_canonicalise_alike(site, fetch):
    src = source(f"{{name: f, kind: feed, url: '{site.url('/feed.xml')}'}}")
    discovery = discover_source(src, fetch)
    acme = [i.url for i in discovery.items if "fine-acme" in i.url]
    assert len(acme) == 1 and isinstance(discovery, Discovery)
