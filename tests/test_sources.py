"""The sources file: the shipped one is valid, the minimal entry works, bad entries give one-line errors."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from scraper.cli import cli
from scraper.relevance import keyword_matcher
from scraper.sources import DEFAULT_SOURCES_FILE, KINDS, SourcesFileError, load_sources, parse_sources, slugify


def test_the_shipped_sources_file_is_valid_and_complete():
    loaded = load_sources()
    assert loaded.path == str(DEFAULT_SOURCES_FILE)
    assert loaded.errors == []
    assert len(loaded.sources) >= 20
    assert {s.kind for s in loaded.sources} == set(KINDS) - {"sitemap"}
    for source in loaded.sources:
        assert source.url.startswith("https://"), source.name
        assert source.provider is not None and source.language, source.name
        assert not source.allow_private_hosts, source.name
    slugs = [s.slug for s in loaded.sources]
    assert len(slugs) == len(set(slugs))


def test_the_shipped_sources_cover_the_regulators_and_outlets_asked_for():
    names = {s.name for s in load_sources().sources}
    for expected in ("EDPB news", "CNIL (en)", "ICO enforcement", "DPC Ireland", "FTC consumer protection",
                     "SAMR news", "CAC releases", "Shanghai AMR penalties", "TechNode", "SCMP China", "Caixin Global",
                     "noyb"):
        assert expected in names


def test_the_minimal_entry_works_with_defaults():
    loaded = parse_sources("sources:\n  - {name: EDPB news, kind: feed, url: 'https://www.edpb.europa.eu/feed/news_en'}\n")
    (source,) = loaded.sources
    assert loaded.errors == []
    assert source.provider is None and source.language is None
    assert source.keywords is None and not source.always_relevant and not source.allow_private_hosts
    assert source.page_urls() == ["https://www.edpb.europa.eu/feed/news_en"]
    assert source.slug == "edpb-news"


def test_a_full_json_entry():
    loaded = parse_sources("""
sources:
  - name: ICO
    kind: json
    url: https://ico.org.uk/api/search?p={page}
    pages: 2
    first_page: 0
    provider: {name: ICO, domain: ICO.org.uk}
    json: {method: post, body: {page: "{page}"}, items: results, link: url, title: title}
    keywords: [fine, reprimand]
    link_pattern: /action-weve-taken/
    delay: 2.5
    max_items: 10
""")
    (source,) = loaded.sources
    assert loaded.errors == []
    assert source.json.method == "POST" and source.json.body == {"page": "{page}"}
    assert source.provider.domain == "ico.org.uk"
    assert source.page_urls() == ["https://ico.org.uk/api/search?p=0", "https://ico.org.uk/api/search?p=1"]
    assert source.keywords == ("fine", "reprimand") and source.delay == 2.5 and source.max_items == 10
    assert source.link_pattern.search("https://ico.org.uk/action-weve-taken/enforcement/x/")


BAD_ENTRIES = [
    ("{kind: feed, url: 'https://x.test/'}", "entry 1: field 'name': missing"),
    ("{name: A, kind: rss, url: 'https://x.test/'}", "entry 1 (A): field 'kind': 'rss' is not one of feed, sitemap"),
    ("{name: A, kind: feed, url: 'ftp://x.test/'}", "entry 1 (A): field 'url': 'ftp://x.test/' is not an http(s) URL"),
    ("{name: A, kind: feed}", "entry 1 (A): field 'url': missing"),
    ("{name: A, kind: feed, url: 'https://x.test/', selecters: {}}", "entry 1 (A): field 'selecters': unknown field"),
    ("{name: A, kind: listing, url: 'https://x.test/'}", "field 'selectors.listing': a listing source needs"),
    ("{name: A, kind: listing, url: 'https://x.test/', selectors: {listing: {items: 'td:eq(2)'}}}",
     "field 'selectors.listing.items': 'td:eq(2)' is not a CSS selector"),
    ("{name: A, kind: json, url: 'https://x.test/'}", "field 'json': a json source needs"),
    ("{name: A, kind: json, url: 'https://x.test/', json: {items: a}}", "field 'json': needs link"),
    ("{name: A, kind: json, url: 'https://x.test/', json: {link: a, method: PUT}}", "field 'json.method'"),
    ("{name: A, kind: json, url: 'https://x.test/', json: {link: a, body: {x: 1}}}", "a body needs method: POST"),
    ("{name: A, kind: feed, url: 'https://x.test/', json: {link: a}}", "only json sources take this field"),
    ("{name: A, kind: feed, url: 'https://x.test/', pages: 3}", "field 'pages': pages > 1 needs a {page}"),
    ("{name: A, kind: feed, url: 'https://x.test/', link_pattern: '(['}", "field 'link_pattern': not a regular"),
    ("{name: A, kind: feed, url: 'https://x.test/', delay: -1}", "field 'delay': must be a number"),
    ("{name: A, kind: feed, url: 'https://x.test/', max_items: 0}", "field 'max_items': must be a whole number >= 1"),
    ("{name: A, kind: feed, url: 'https://x.test/', keywords: fine}", "field 'keywords': must be a non-empty list"),
    ("{name: A, kind: feed, url: 'https://x.test/', always_relevant: 'yes'}", "field 'always_relevant': must be true"),
    ("{name: A, kind: feed, url: 'https://x.test/', provider: {nom: x}}", "field 'provider.nom': unknown field"),
    ("just a string", "entry 1: an entry must be a mapping"),
]


@pytest.mark.parametrize("entry, message", BAD_ENTRIES)
def test_a_bad_entry_is_skipped_with_one_line_naming_file_entry_and_field(entry, message):
    good = "  - {name: Good, kind: feed, url: 'https://good.test/feed'}\n"
    loaded = parse_sources(f"sources:\n  - {entry}\n{good}", name="my.yml")
    assert [s.name for s in loaded.sources] == ["Good"]  # the valid entry still runs
    assert len(loaded.errors) == 1
    error = loaded.errors[0]
    assert error.startswith("my.yml: entry 1") and message in error and "\n" not in error


def test_duplicate_names_are_reported_on_the_second_entry():
    loaded = parse_sources("sources:\n  - {name: CNIL, kind: feed, url: 'https://a.test/'}\n"
                           "  - {name: cnil!, kind: feed, url: 'https://b.test/'}\n", name="s.yml")
    assert [s.url for s in loaded.sources] == ["https://a.test/"]
    assert loaded.errors == ["s.yml: entry 2 (cnil!): field 'name': same name (or directory 'cnil') as entry 1"]


@pytest.mark.parametrize("text, message", [
    ("sources: [\n", "s.yml: YAML syntax error at line 2"),
    ("- {name: A}\n", "s.yml: expected a mapping with a 'sources:' list"),
    ("sources: {name: A}\n", "s.yml: 'sources' must be a list"),
    ("sources: []\nsorces: []\n", "s.yml: unknown top-level field 'sorces'"),
    ("sources: []\nkeywords: fine\n", "s.yml: field 'keywords': must be a non-empty list"),
])
def test_a_broken_file_fails_as_a_whole_with_one_line(text, message):
    with pytest.raises(SourcesFileError) as caught:
        parse_sources(text, name="s.yml")
    assert str(caught.value).startswith(message) and "\n" not in str(caught.value)


def test_unreadable_files(tmp_path):
    with pytest.raises(SourcesFileError, match="cannot read"):
        load_sources(tmp_path / "missing.yml")
    latin1 = tmp_path / "latin1.yml"
    latin1.write_bytes("sources: []  # caf\xe9".encode("latin-1"))
    with pytest.raises(SourcesFileError, match="not UTF-8"):
        load_sources(latin1)


def test_top_level_keywords_replace_the_defaults():
    loaded = parse_sources("keywords: [antitrust]\nsources: []\n")
    assert loaded.keywords == ("antitrust",)
    matcher = keyword_matcher(loaded.keywords)
    assert matcher.is_relevant("An antitrust probe") and not matcher.is_relevant("A GDPR fine")


@pytest.mark.parametrize("name, slug", [("CNIL (en)", "cnil-en"), ("../../etc", "etc"), ("市场监管", "source"),
                                        ("A" * 200, "a" * 80)])
def test_slugify_gives_safe_directory_names(name, slug):
    assert slugify(name) == slug


def test_scrape_sources_command_lists_and_checks(tmp_path):
    path = tmp_path / "s.yml"
    path.write_text("sources:\n  - {name: A, kind: feed, url: 'https://a.test/f', enabled: false}\n"
                    "  - {name: B, kind: rss, url: 'https://b.test/'}\n")
    result = CliRunner().invoke(cli, ["sources", "--sources", str(path)])
    assert result.exit_code == 1
    assert result.stdout == "A\tfeed\thttps://a.test/f\t(disabled)\n"
    assert f"error: {path}: entry 2 (B): field 'kind'" in result.stderr


# -- relevance (keywords are data; the matching rules are code) -------------------------------------------------


@pytest.mark.parametrize("text, relevant", [
    ("Regulator fines Acme", True),
    ("The finest wines defined", False),
    ("Company sanctioned by the authority", True),
    ("Acme opens a new office in Lyon", False),
    ("上海市场监管局对小鹏汽车罚款10万元", True),
    ("La CNIL prononce une amende", True),
    ("Bußgeld gegen Unternehmen verhängt", True),
    ("personal   data breach", True),
])
def test_default_keywords(text, relevant):
    assert keyword_matcher().is_relevant(text) is relevant


def test_matches_report_the_words_found():
    assert keyword_matcher(("fine*", "data protection")).matches("Fined under Data Protection law; fines") == [
        "fined", "data protection", "fines"]
