"""scraper.extract: metadata, encodings, selectors and the article built from a page, on small saved pages."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from scraper.article_file import dump_article, parse_article
from scraper.encoding import decode_html
from scraper.extract import ExtractedPage, NotHtmlError, extract_page, page_to_article
from scraper.metadata import parse_date, strip_site_name
from scraper.urls import article_id

PAGES = Path(__file__).parent / "fixtures" / "pages"
URL = "https://news.example.org/story?utm_source=rss"


def page(name: str, url: str = URL, **kwargs) -> ExtractedPage:
    return extract_page((PAGES / name).read_bytes(), url, **kwargs)


def test_jsonld_article_inside_graph_wins_over_webpage_and_opengraph():
    found = page("jsonld_graph.html")
    assert found.title == "Regulator fines Acme £2m over data breach"
    assert found.published == "2024-03-05T08:30:00Z"  # +01:00 converted to UTC
    assert found.updated == "2024-03-06T10:00:00Z"
    assert found.author == "Jane Doe, John Roe"
    assert found.publisher == "Example News"
    assert found.excerpt == "The data protection authority fined Acme for losing customer records."
    assert found.image == "https://news.example.org/img/acme.jpg"
    assert found.language == "en-GB"
    assert found.url == "https://news.example.org/news/2024/03/acme-fined"  # relative canonical made absolute


def test_jsonld_page_body_keeps_the_story_and_drops_furniture():
    body = page("jsonld_graph.html").body
    paragraphs = body.split("\n\n")
    assert paragraphs[0].startswith("The national data protection authority has fined Acme Ltd £2 million")
    assert "What happens next" in paragraphs
    assert paragraphs[-1].endswith("of their obligations under the law.")
    for furniture in ("Share on", "Advertisement", "Related stories", "All rights reserved", "Home", "By Jane"):
        assert furniture not in body
    assert "\n" not in paragraphs[0]  # source line breaks inside a paragraph collapse to spaces


def test_opengraph_only_page():
    found = page("opengraph_only.html")
    assert found.title == "Watchdog reprimands city council over CCTV"
    assert found.published == "2023-11-14T21:45:00Z"
    assert found.updated == "2023-11-15T08:00:00Z"
    assert found.author == "Marie Curie"
    assert found.publisher == "Watchdog Weekly"
    assert found.language == "fr-FR"
    assert found.image == "https://cdn.example.com/cctv.png"
    assert found.url == "https://watchdog.example.com/2023/11/council-cctv"
    assert found.body.startswith("The city council installed forty cameras")
    assert found.body.endswith("delete the recordings it still holds.")
    assert "Great article" not in found.body and "Accueil" not in found.body


def test_malformed_jsonld_block_is_skipped_and_the_good_one_used():
    found = page("malformed_jsonld.html")
    assert found.title == "Bußgeld gegen Versandhändler"
    assert found.published == "2022-07-01"
    assert found.author == "Max Mustermann"
    assert found.publisher == "Datenschutz Aktuell"
    assert found.language == "de"
    assert "1,2 Millionen Euro" in found.body


def test_title_with_quotes_and_colons_survives_the_article_file_round_trip():
    found = page("quoted_title.html")
    assert found.title == "\"Not our fault\": Bank disputes regulator's findings: a timeline"
    assert found.published == "2021-05-17"
    article = parse_article(dump_article(page_to_article(found, scraped_at="2024-01-01T00:00:00Z")))
    assert article.title == found.title


def test_gbk_page_declared_in_meta():
    found = page("gbk_meta.html")
    assert found.title == "网信办对某公司罚款"
    assert "人民币八十万元罚款" in found.body


def test_gbk_page_declared_only_in_the_content_type_header():
    data = (PAGES / "gbk_header_only.html").read_bytes()
    found = extract_page(data, URL, content_type="text/html; charset=GBK")
    assert found.title == "网信办对某公司罚款"
    assert "该公司表示接受处罚" in found.body
    # without the header nothing declares the encoding: detection must still not crash
    assert isinstance(extract_page(data, URL).body, str)


def test_gbk_declared_page_decodes_as_gb18030():
    text = '<html><head><meta charset="gb2312"></head><body><p>罕见字𠀀与欧元€</p></body></html>'
    assert "罕见字𠀀与欧元€" in decode_html(text.encode("gb18030"))


@pytest.mark.parametrize(("data", "content_type", "expected"), [
    ("café".encode("utf-8"), None, "café"),
    (b"\xef\xbb\xbf<p>caf\xc3\xa9</p>", "text/html; charset=iso-8859-1", "<p>café</p>"),  # BOM wins
    (b"<meta charset=latin1><p>caf\xe9 \x93q\x94</p>", None, "<meta charset=latin1><p>café “q”</p>"),
    (b"<p>caf\xe9</p>", 'text/html; charset="windows-1252"', "<p>café</p>"),
    ("<p>café</p>".encode("utf-8"), "text/html; charset=ISO-8859-1", "<p>café</p>"),  # server default, UTF-8 bytes
    (b"<meta charset=utf-8><p>caf\xe9 au lait, cr\xe8me br\xfbl\xe9e</p>", None,
     "<meta charset=utf-8><p>café au lait, crème brûlée</p>"),  # declared utf-8, really cp1252: re-detected
])
def test_decode_html(data, content_type, expected):
    assert decode_html(data, content_type=content_type) == expected


def test_per_source_selectors_override_the_generic_result():
    generic = page("selectors.html")
    assert "unrelated" in generic.body  # without selectors the long unrelated block is (part of) the body
    found = page("selectors.html", selectors={"title": "h1.press-title", "date": ".press-date",
                                             "body": ".press-text"})
    assert found.title == "Authority imposes €750,000 penalty on telecom operator"
    assert found.published == "2024-02-12"
    assert found.body_method == "selector"
    assert found.body.split("\n\n") == [
        "The authority has imposed a penalty of €750,000 on a telecom operator for keeping call records longer "
        "than the law allows.",
        "The operator has paid the penalty.",
    ]


def test_selectors_that_match_nothing_fall_back_to_the_generic_result():
    found = page("selectors.html", selectors={"title": ".nope", "date": ".nope", "body": ".nope"})
    assert found.title == "Press release 2024/17 - Authority"
    assert found.body_method == "generic" and found.body == page("selectors.html").body


def test_date_selector_reads_a_datetime_attribute():
    html = '<html><body><time class="d" datetime="2024-02-12T10:00:00+02:00">12 Feb</time><p>x</p></body></html>'
    assert extract_page(html, URL, selectors={"date": "time.d"}).published == "2024-02-12T08:00:00Z"


@pytest.mark.parametrize("data", [b"", b"   \n", (PAGES / "not_html.png").read_bytes(), b"just some plain text"])
def test_empty_or_non_html_input_is_a_clear_error(data):
    with pytest.raises(NotHtmlError) as raised:
        extract_page(data, URL)
    assert "\n" not in str(raised.value) and str(raised.value)


def test_page_without_article_text_gives_an_empty_body():
    found = extract_page("<html><head><title>Index</title></head><body><nav><a href=/>Home</a></nav></body></html>",
                         URL)
    assert found.title == "Index" and found.body == ""
    # the fallback ran (an empty body is unreliable) but its own few words were not taken
    assert found.fallback_reason == "short" and found.body_method == "generic"


STORY = [f"Paragraph {i} of the regulator's decision, which is long enough to count as real article text."
         for i in range(8)]
WIDGET = "See it now: Example Shop"


def story_page(widgets: int) -> str:
    """An article whose paragraphs are interleaved with `widgets` copies of a shopping button's label."""
    parts = []
    for i, paragraph in enumerate(STORY):
        parts.append(f"<p>{paragraph}</p>")
        if i < widgets:
            parts.append(f'<div><span class="cta">{WIDGET}</span></div>')
    return (f"<html><head><title>Decision</title></head><body><div class='story'>{''.join(parts)}</div>"
            f"</body></html>")


def test_a_reliable_page_does_not_fall_back():
    found = extract_page(story_page(widgets=0), URL)
    assert found.fallback_reason is None and found.body_method == "generic"
    assert found.body.split("\n\n") == STORY


def test_an_unreliable_page_falls_back_to_trafilatura():
    pytest.importorskip("trafilatura")
    found = extract_page(story_page(widgets=4), URL)
    assert found.fallback_reason == "repeated lines" and found.body_method == "fallback"
    assert all(paragraph in found.body.split("\n\n") for paragraph in STORY)
    fast = extract_page(story_page(widgets=4), URL, use_fallback=False)
    assert fast.fallback_reason is None and fast.body_method == "generic" and WIDGET in fast.body


def test_without_trafilatura_an_unreliable_page_keeps_the_fast_body(monkeypatch):
    monkeypatch.setitem(sys.modules, "trafilatura", None)  # makes `import trafilatura` raise ImportError
    found = extract_page(story_page(widgets=4), URL)
    assert found.fallback_reason == "repeated lines" and found.body_method == "generic" and WIDGET in found.body


@pytest.mark.parametrize(("text", "expected"), [
    ("2019-11-19T10:00:00.000Z", "2019-11-19T10:00:00Z"),
    ("2019-11-19T10:00:00+05:30", "2019-11-19T04:30:00Z"),
    ("2019-11-19", "2019-11-19"),
    ("Tuesday, 19 November 2019 10:02 GMT", "2019-11-19T10:02:00Z"),
    ("Nov. 19, 2019 at 5:02 p.m. ET", "2019-11-19T22:02:00Z"),
    ("19 November 2019, 14:30", "2019-11-19T14:30:00"),
    ("not a date", None),
    ("", None),
])
def test_parse_date(text, expected):
    assert parse_date(text) == expected


def test_page_to_article_follows_the_seed_schema():
    found = page("jsonld_graph.html")
    article = page_to_article(found, source="example-news", scraped_at="2024-03-07T12:00:00Z")
    meta = article.meta
    assert list(meta)[:3] == ["category", "title", "excerpt"]
    assert meta["category"] == "news" and meta["type"] == "article"
    assert meta["publishedDateTime"] == "2024-03-05T08:30:00Z"
    assert meta["originalUrl"] == meta["webUrl"] == found.url
    assert meta["provider"] == {"name": "Example News", "domain": "news.example.org"}
    assert meta["images"] == [{"url": "https://news.example.org/img/acme.jpg"}]
    assert meta["id"] == article_id(found.url)
    assert meta["scrapedDateTime"] == "2024-03-07T12:00:00Z"
    assert meta["source"] == "example-news" and meta["language"] == "en-GB"
    assert len(meta["contentHash"]) == 16
    read_back = parse_article(dump_article(article))
    assert read_back.meta == meta
    assert read_back.body.strip() == found.body


def test_page_to_article_omits_missing_fields_and_prefers_the_configured_language():
    found = page("quoted_title.html", url="https://www.bank-news.example.com/a")
    meta = page_to_article(found, language="en").meta
    for missing in ("excerpt", "images", "author", "source", "updatedDateTime"):
        assert missing not in meta
    assert meta["provider"] == {"name": "bank-news.example.com", "domain": "bank-news.example.com"}
    assert meta["language"] == "en"
    assert meta["scrapedDateTime"].endswith("Z")


@pytest.mark.parametrize(("title", "site", "expected"), [
    ("New York man pleads guilty | TheHill", "The Hill", "New York man pleads guilty"),
    ("Example News - Regulator fines Acme", "Example News", "Regulator fines Acme"),
    ("Milan Design Week 2018 | Anastassiades' light", "Inexhibit", "Milan Design Week 2018 | Anastassiades' light"),
    ("Fines - a guide", "Guide", "Fines - a guide"),
])
def test_strip_site_name(title, site, expected):
    assert strip_site_name(title, site) == expected


def test_printed_date_in_a_publish_date_element():
    html = ('<html><head><title>T</title></head><body><div class="publish-date">Published 11:11 PM EST Nov 19, 2019'
            '</div><div class="post-date">' + "long text " * 20 + '</div><p>Body text.</p></body></html>')
    assert extract_page(html, URL).published == "2019-11-20T04:11:00Z"
