"""``scrape page`` end to end through click's CliRunner, on saved pages."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from scraper.article_file import parse_article
from scraper.page_cli import page_command

PAGES = Path(__file__).parent / "fixtures" / "pages"
URL = "https://news.example.org/story"


def run(*args: str):
    return CliRunner().invoke(page_command, list(args))


def test_one_file_prints_an_article_file_that_reads_back():
    result = run(str(PAGES / "opengraph_only.html"), "--url", URL, "--source", "watchdog")
    assert result.exit_code == 0, result.output
    article = parse_article(result.stdout, name="stdout")
    assert article.title == "Watchdog reprimands city council over CCTV"
    assert article.meta["publishedDateTime"] == "2023-11-14T21:45:00Z"
    assert article.url == "https://watchdog.example.com/2023/11/council-cctv"  # the page's og:url
    assert article.meta["source"] == "watchdog"
    assert article.body.startswith("The city council installed forty cameras")


def test_several_files_as_json_lines_including_gzip(tmp_path):
    compressed = tmp_path / "story.html.gz"
    compressed.write_bytes(gzip.compress((PAGES / "opengraph_only.html").read_bytes()))
    plain = tmp_path / "quoted.html"
    shutil.copy(PAGES / "quoted_title.html", plain)
    result = run(str(compressed), str(plain), "--format", "jsonl")
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["file"] for line in lines] == [str(compressed), str(plain)]
    assert set(lines[0]) == {"file", "url", "title", "published", "body"}
    assert lines[0]["url"] == "https://watchdog.example.com/2023/11/council-cctv"  # the page's own, no --url
    assert lines[0]["published"] == "2023-11-14T21:45:00Z"
    assert "forty cameras" in lines[0]["body"]
    assert lines[1]["url"] == plain.resolve().as_uri()  # no canonical link: the file's own address
    assert lines[1]["title"].startswith('"Not our fault"')


def test_a_missing_or_bad_file_is_one_error_line_and_the_others_still_go_through(tmp_path):
    missing = tmp_path / "missing.html"
    result = run(str(missing), str(PAGES / "not_html.png"), str(PAGES / "malformed_jsonld.html"),
                 "--format", "jsonl")
    assert result.exit_code == 1
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 2
    assert str(missing) in errors[0] and "not_html.png" in errors[1]
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["title"] == "Bußgeld gegen Versandhändler"


def test_article_format_needs_a_url_and_one_file():
    assert run(str(PAGES / "opengraph_only.html")).exit_code == 2
    result = run(str(PAGES / "opengraph_only.html"), str(PAGES / "quoted_title.html"), "--url", URL)
    assert result.exit_code == 2 and "jsonl" in result.output


def test_help_has_an_example():
    result = run("--help")
    assert result.exit_code == 0 and "Example:" in result.output and "--format jsonl" in result.output
