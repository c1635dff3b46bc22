"""The article file format: round trips, derived fields, and clear errors for bad files."""

from __future__ import annotations

import pytest

from scraper.article_file import (
    Article,
    ArticleFileError,
    dump_article,
    parse_article,
    read_article,
    write_article,
)
from scraper.urls import article_id, canonicalize

TRICKY_TITLES = [
    'Regulator: "We will act" — fine of €1.2m: a first',
    "It's the 'biggest' fine: yes",
    "中国网信办: 对滴滴处以80.26亿元罚款",
    "- starts with a dash",
    "#hash and @at and {braces} and [brackets]",
    "--- three dashes ---",
    "yes",
    "2021-12-15",
]


@pytest.mark.parametrize("title", TRICKY_TITLES)
def test_round_trip_keeps_tricky_titles(title):
    article = Article({"title": title, "originalUrl": "https://example.org/a"}, "Body with ünïcödé.\n")
    text = dump_article(article.with_derived_fields())
    back = parse_article(text)
    assert back.meta["title"] == title
    assert back.body == "Body with ünïcödé.\n"
    assert parse_article(dump_article(back)).meta == back.meta


def test_unknown_fields_survive_a_rewrite(tmp_path):
    text = "---\ntitle: A\nsecured: 'abc=='\ncustom:\n  nested: [1, 2]\nquality: 59\n---\n\nBody\n"
    path = tmp_path / "a.txt"
    path.write_text(text, encoding="utf-8")
    article = read_article(path)
    write_article(article, path)
    again = read_article(path)
    assert again.meta["custom"] == {"nested": [1, 2]}
    assert again.meta["secured"] == "abc=="
    assert again.meta["quality"] == 59
    assert again.body == "Body\n"


def test_timestamps_become_iso_strings():
    article = parse_article("---\ntitle: A\npublishedDateTime: 2021-12-15T08:27:00Z\n---\n")
    assert article.meta["publishedDateTime"] == "2021-12-15T08:27:00Z"


def test_derived_id_comes_from_canonical_url():
    a = parse_article("---\ntitle: A\noriginalUrl: https://Example.org/x?utm_source=rss&b=1#top\n---\n")
    b = parse_article("---\ntitle: B\nwebUrl: https://example.org:443/x?b=1\n---\n")
    assert a.id == b.id == article_id("https://example.org/x?b=1")
    assert len(a.id) == 16


def test_canonicalize_drops_tracking_and_sorts():
    assert canonicalize("HTTPS://Example.com:443/a?utm_medium=x&z=1&a=2#f") == "https://example.com/a?a=2&z=1"
    assert canonicalize("http://example.com:8080") == "http://example.com:8080/"


def test_content_hash_changes_with_text():
    a = parse_article("---\ntitle: A\n---\nOne\n")
    b = parse_article("---\ntitle: A\n---\nTwo\n")
    assert a.meta["contentHash"] != b.meta["contentHash"]


def test_write_is_atomic_and_leaves_no_temporary_files(tmp_path):
    path = tmp_path / "sub" / "a.txt"
    write_article(Article({"title": "A"}, "x\n").with_derived_fields(), path)
    assert [p.name for p in path.parent.iterdir()] == ["a.txt"]


BAD_FILES = [
    (b"", "empty file"),
    (b"   \n\n", "empty file"),
    (b"---\ntitle: [unclosed\n---\nbody\n", "malformed front matter"),
    (b"---\n- a\n- b\n---\nbody\n", "not a mapping"),
    (b"---\ntitle: caf\xe9\n---\n", "not UTF-8"),
]


@pytest.mark.parametrize("content,problem", BAD_FILES)
def test_bad_files_give_one_line_errors_naming_the_file(tmp_path, content, problem):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(ArticleFileError) as info:
        read_article(path)
    message = str(info.value)
    assert message.startswith(str(path))
    assert problem in message
    assert "\n" not in message


def test_unreadable_file(tmp_path):
    with pytest.raises(ArticleFileError, match="cannot read"):
        read_article(tmp_path / "missing.txt")


def test_seeds_read_unchanged(seeds):
    for path in sorted(seeds.glob("*.txt")):
        article = read_article(path)
        assert article.title
        assert article.id


def test_front_matter_without_closing_delimiter(tmp_path):
    path = tmp_path / "open.txt"
    path.write_text("---\ntitle: A\nbody without end\n", encoding="utf-8")
    with pytest.raises(ArticleFileError, match="no closing"):
        read_article(path)
