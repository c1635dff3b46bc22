"""Whole scrape runs against the real loopback server: library API and the ``scrape run`` command.

The test site (tests/fixtures/site) has a feed, a sitemap index reached through robots.txt, a listing page and
two JSON APIs, pointing at overlapping articles: six relevant ones (one in GBK), one that is not relevant, and
one that robots.txt forbids.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner
from filelock import FileLock

from scraper.article_file import Article, read_article
from scraper.cli import cli
from scraper.fetch import FetchConfig
from scraper.run import LOCK_FILE_NAME, RunError, article_path, run_sources
from scraper.sources import load_sources, parse_sources
from scraper.state import STATE_FILE_NAME, ScrapeState
from tests.site_server import FIXTURES, SiteServer, gzip_bomb

FAST = FetchConfig(timeout=0.5, max_duration=3, max_retries=1, backoff_base=0.01, default_delay=0)
RELEVANT = {"fine-acme", "fine-beta", "fine-delta", "fine-epsilon", "fine-flaky", "gbk"}


@pytest.fixture
def site():
    with SiteServer() as server:
        yield server


def write_sources(site: SiteServer, directory: Path, text: str | None = None) -> Path:
    text = text if text is not None else (FIXTURES / "sources.yml").read_text(encoding="utf-8")
    path = directory / "sources.yml"
    path.write_text(text.replace("{{BASE}}", site.base_url), encoding="utf-8")
    return path


def sources_of(site: SiteServer, tmp_path: Path, text: str | None = None):
    loaded = load_sources(write_sources(site, tmp_path, text))
    assert loaded.errors == []
    return loaded.sources


def article_files(out: Path) -> dict[Path, tuple[float, bytes]]:
    return {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in out.rglob("*") if p.is_file() and p.suffix == ".txt"}


def leftovers(out: Path) -> list[Path]:
    return [p for p in out.rglob("*") if p.name.startswith(".tmp")]


def stored_pages(out: Path) -> dict[str, Article]:
    """The stored articles by the page name of their URL (``fine-acme``)."""
    articles = {}
    for path in out.rglob("*.txt"):
        article = read_article(path)
        articles[Path(article.url.split("?")[0]).stem] = article
    return articles


def test_first_run_keeps_each_relevant_article_once(site, tmp_path):
    out = tmp_path / "out"
    summary = run_sources(sources_of(site, tmp_path), out, fetch_config=FAST)
    assert summary.ok, summary.lines()
    articles = stored_pages(out)
    assert set(articles) == RELEVANT
    assert len(list(out.rglob("*.txt"))) == len(RELEVANT)  # acme came by two feed URLs and the API: one file
    for path in out.rglob("*.txt"):
        article = read_article(path)
        assert path.name == f"{article.id}.txt"
        assert path.relative_to(out).parts[1] == article.meta["publishedDateTime"][:4]
    assert leftovers(out) == []
    # the private page was never requested, the irrelevant page was fetched but dropped
    assert not any(p.startswith("/private/") for p in site.paths())
    assert "/articles/office-opening.html" in site.paths()


def test_first_run_summary_counts_and_errors(site, tmp_path):
    summary = run_sources(sources_of(site, tmp_path), tmp_path / "out", fetch_config=FAST)
    regulator = summary.sources[0]
    assert regulator.name == "Test Regulator"
    assert regulator.discovered == 5  # 7 items, one without a link, two URLs of one article
    assert regulator.dropped == 1 and regulator.failed == 1  # office opening; robots.txt-disallowed page
    assert any("item 3 (An item without a link): no link" in e for e in regulator.errors)
    assert any("/private/secret.html: disallowed by robots.txt" in e for e in regulator.errors)
    assert "1 dropped (not relevant)" in regulator.line() and "FAILED" not in regulator.line()
    api = summary.sources[3]
    assert api.name == "Test API" and api.dropped == 0
    assert sum(s.kept for s in summary.sources) == len(RELEVANT)
    # the feed's flaky page answered 500 first and was fetched on the retry
    assert site.hits["/flaky/articles/fine-flaky.html"] + site.hits["/articles/fine-flaky.html"] >= 2


def test_stored_articles_carry_source_provider_language_and_clean_utf8(site, tmp_path):
    out = tmp_path / "out"
    run_sources(sources_of(site, tmp_path), out, fetch_config=FAST, workers=1)
    articles = stored_pages(out)
    acme = articles["fine-acme"]
    assert acme.meta["source"] == "Test Regulator"  # with one worker, the feed (first source) gets it first
    assert acme.meta["provider"] == {"name": "Test Regulator", "domain": "regulator.test"}
    assert acme.meta["originalUrl"] == site.url("/articles/fine-acme.html")  # tracking parameters gone
    assert acme.meta["publishedDateTime"] == "2024-03-05T09:30:00Z"
    assert "EUR 2 million" in acme.body
    gbk = articles["gbk"]
    assert "罚款人民币10万元" in gbk.body and "个人信息" in gbk.body
    gbk_file = next(p for p in out.rglob("*.txt") if read_article(p).id == gbk.id)
    gbk_file.read_bytes().decode("utf-8")  # stored as UTF-8, not GBK


def test_second_run_fetches_nothing_new_and_writes_nothing(site, tmp_path):
    out = tmp_path / "out"
    sources = sources_of(site, tmp_path)
    run_sources(sources, out, fetch_config=FAST)
    before = article_files(out)
    first_run_requests = len(site.log)
    second = run_sources(sources, out, fetch_config=FAST)
    assert second.ok and sum(s.kept for s in second.sources) == 0
    assert article_files(out) == before
    requests = site.log[first_run_requests:]
    # only robots.txt (the politeness check, and the sitemap source's own discovery) and conditional requests
    assert {r.path for r in requests if not r.conditional} == {"/robots.txt"}
    conditional = {r.path for r in requests if r.conditional}
    assert conditional == {"/feed.xml", "/sitemap-index.xml", "/listing.html", "/api.json", "/api-html.json"}
    assert sum(s.not_modified for s in second.sources) == 5


def test_refetch_asks_again_conditionally_and_rewrites_nothing_unchanged(site, tmp_path):
    out = tmp_path / "out"
    sources = sources_of(site, tmp_path)
    run_sources(sources, out, fetch_config=FAST)
    before = article_files(out)
    start = len(site.log)
    summary = run_sources(sources, out, fetch_config=FAST, refetch=True)
    assert summary.ok
    assert article_files(out) == before
    page_requests = [r for r in site.log[start:] if r.path.startswith("/articles/")]
    assert page_requests and [r.path for r in page_requests if not r.conditional] == []


def test_a_new_feed_item_is_the_only_page_fetched(site, tmp_path):
    out = tmp_path / "out"
    sources = [s for s in sources_of(site, tmp_path) if s.name == "Test Regulator"]
    run_sources(sources, out, fetch_config=FAST)
    feed = (FIXTURES / "feed.xml").read_bytes().replace(b"{{BASE}}", site.base_url.encode())
    site.overrides["feed.xml"] = feed.replace(b"<channel>", b"""<channel><item><title>Zeta fined</title>
        <link>{{BASE}}/articles/zeta.html</link></item>""".replace(b"{{BASE}}", site.base_url.encode()))
    site.overrides["articles/zeta.html"] = (FIXTURES / "articles/fine-beta.html").read_bytes().replace(
        b"Beta Corp", b"Zeta Ltd")
    start = len(site.log)
    summary = run_sources(sources, out, fetch_config=FAST)
    article_requests = [r.path for r in site.log[start:] if r.path.startswith(("/articles/", "/flaky/"))]
    assert article_requests == ["/articles/zeta.html"]
    assert summary.sources[0].kept == 1 and summary.sources[0].known == 5
    assert "zeta" in stored_pages(out)


FAILING_FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>Failing</title>
<item><title>slow</title><link>{{BASE}}/slow/articles/fine-acme.html</link></item>
<item><title>truncated</title><link>{{BASE}}/truncated/articles/fine-beta.html</link></item>
<item><title>bomb</title><link>{{BASE}}/bomb</link></item>
<item><title>loop</title><link>{{BASE}}/loop/a</link></item>
<item><title>pdf</title><link>{{BASE}}/pdf/decision.pdf</link></item>
<item><title>missing</title><link>{{BASE}}/articles/missing.html</link></item>
</channel></rss>"""


def test_failing_pages_leave_no_partial_files_and_transient_ones_are_retried_next_run(site, tmp_path):
    site.overrides["failing.xml"] = FAILING_FEED.replace("{{BASE}}", site.base_url).encode()
    sources = sources_of(site, tmp_path, "sources:\n  - {name: Failing, kind: feed, url: '{{BASE}}/failing.xml',"
                                         " allow_private_hosts: true}\n")
    out = tmp_path / "out"
    gzip_bomb()  # built once per session; not within the client's timeout
    config = FetchConfig(timeout=0.3, max_duration=3, max_retries=0, default_delay=0, max_bytes=1024 * 1024)
    summary = run_sources(sources, out, fetch_config=config)
    failing = summary.sources[0]
    assert failing.failed == 6 and failing.kept == 0
    assert failing.failed_entirely and not summary.ok
    assert "FAILED: every fetch failed" in failing.line()
    problems = "\n".join(failing.errors)
    for expected in ("timed out", "incomplete response", "larger than 1 MB after decompression", "redirect loop",
                     "unexpected content type 'application/pdf'", "HTTP 404"):
        assert expected in problems
    assert article_files(out) == {} and leftovers(out) == []
    with ScrapeState(out / STATE_FILE_NAME) as state:
        retry = sorted(r.url.split("/")[3] for r in state.retry_queue("Failing"))
    assert retry == ["slow", "truncated"]  # transient; the others are refused for good
    start = len(site.log)
    again = run_sources(sources, out, fetch_config=config)
    assert again.sources[0].retried == 2
    assert sorted(r.path for r in site.log[start:] if "/articles/" in r.path) == [
        "/slow/articles/fine-acme.html", "/truncated/articles/fine-beta.html"]


def test_a_source_without_allow_private_hosts_refuses_loopback(site, tmp_path):
    sources = sources_of(site, tmp_path, "sources:\n  - {name: Local, kind: feed, url: '{{BASE}}/feed.xml'}\n")
    summary = run_sources(sources, tmp_path / "out", fetch_config=FAST)
    local = summary.sources[0]
    assert local.discovery_failed and local.failed_entirely
    assert "127.0.0.1 is a loopback address" in local.errors[0]
    assert site.log == []


def test_since_and_max_per_source(site, tmp_path):
    sources = [s for s in sources_of(site, tmp_path) if s.name == "Test Regulator"]
    out = tmp_path / "out"
    summary = run_sources(sources, out, fetch_config=FAST, since=dt.date(2024, 3, 10), max_per_source=1)
    regulator = summary.sources[0]
    assert regulator.too_old == 2  # acme (5 March 2024) and the GBK page (2021)
    assert regulator.to_fetch == 1 and regulator.over_limit == 2
    # office opening (20 March), the flaky page and the private page are new enough; the first is taken
    assert [p for p in site.paths() if p.startswith(("/articles/", "/flaky/"))] == ["/articles/office-opening.html"]


def test_dry_run_lists_new_urls_and_writes_nothing(site, tmp_path):
    out = tmp_path / "out"
    summary = run_sources(sources_of(site, tmp_path), out, fetch_config=FAST, dry_run=True)
    assert not out.exists()
    regulator = summary.sources[0]
    assert site.url("/articles/office-opening.html") in regulator.planned
    assert not any(r.path.startswith(("/articles/", "/flaky/")) for r in site.log)


def test_a_second_run_cannot_write_while_one_is_running(site, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    with FileLock(str(out / LOCK_FILE_NAME)):
        with pytest.raises(RunError, match="another scrape run is writing here"):
            run_sources(sources_of(site, tmp_path), out, fetch_config=FAST)


def test_article_paths_never_leave_the_output_directory(tmp_path):
    source = parse_sources("sources:\n  - {name: '../../etc/passwd', kind: feed, url: 'https://x.test/f'}\n").sources[0]
    article = Article({"id": "../../../escape", "originalUrl": "https://x.test/a", "publishedDateTime": "../.."})
    path = article_path(tmp_path, source, article)
    assert tmp_path in path.parents
    assert path.relative_to(tmp_path).parts[0] == "etc-passwd" and path.parent.name == "undated"
    assert len(path.stem) == 16


# -- the command ------------------------------------------------------------------------------------------------


CLI_FAST = ["--delay", "0", "--timeout", "0.5", "--backoff", "0.01", "--retries", "1", "--no-progress"]


def test_scrape_run_command_end_to_end(site, tmp_path):
    sources_file = write_sources(site, tmp_path)
    out = tmp_path / "data"
    result = CliRunner().invoke(cli, ["run", "--sources", str(sources_file), "--out", str(out), *CLI_FAST])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Test Regulator: 5 discovered, 5 new,")
    assert len([line for line in lines if ": " in line and "discovered" in line]) == 5
    assert lines[-1] == f"{len(RELEVANT)} article(s) written to {out}"
    assert "error: Test Regulator: " in result.stderr and "no link" in result.stderr
    assert (out / STATE_FILE_NAME).is_file() and not STATE_FILE_NAME.endswith(".txt")
    again = CliRunner().invoke(cli, ["run", "--sources", str(sources_file), "--out", str(out), *CLI_FAST])
    assert again.exit_code == 0 and again.stdout.splitlines()[-1] == f"0 article(s) written to {out}"


def test_scrape_run_command_bad_entries_and_failed_sources_give_exit_status_1(site, tmp_path):
    text = ("sources:\n  - {name: Good, kind: feed, url: '{{BASE}}/feed.xml', allow_private_hosts: true}\n"
            "  - {name: Bad, kind: rss, url: '{{BASE}}/feed.xml'}\n"
            "  - {name: Gone, kind: feed, url: '{{BASE}}/gone.xml', allow_private_hosts: true}\n")
    sources_file = write_sources(site, tmp_path, text)
    result = CliRunner().invoke(cli, ["run", "--sources", str(sources_file), "--out", str(tmp_path / "o"), *CLI_FAST])
    assert result.exit_code == 1
    assert f"error: {sources_file}: entry 2 (Bad): field 'kind': 'rss' is not one of" in result.stderr
    assert "error: 1 source(s) failed entirely: Gone" in result.stderr
    assert "Good: 5 discovered" in result.stdout  # the good source still ran


def test_scrape_run_command_selects_sources_by_name(site, tmp_path):
    sources_file = write_sources(site, tmp_path)
    args = ["run", "--sources", str(sources_file), "--out", str(tmp_path / "o"), *CLI_FAST, "--dry-run"]
    result = CliRunner().invoke(cli, [*args, "--source", "test-api"])
    assert result.exit_code == 0, result.output
    assert [line.split(":")[0] for line in result.stdout.splitlines() if "discovered" in line] == ["Test API"]
    unknown = CliRunner().invoke(cli, [*args, "--source", "Nope"])
    assert unknown.exit_code == 2 and "no source named 'Nope'" in unknown.output


def test_scrape_run_command_one_line_error_for_a_broken_sources_file(tmp_path):
    broken = tmp_path / "sources.yml"
    broken.write_text("sources:\n  - {name: x, kind: feed\n")
    result = CliRunner().invoke(cli, ["run", "--sources", str(broken), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {broken}: YAML syntax error at line")
    assert len(result.output.strip().splitlines()) == 1


def test_every_command_has_help_with_an_example():
    runner = CliRunner()
    for name in ("run", "sources", "page"):
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0 and "Example:" in result.output, name


def test_verbose_logs_each_decision_and_restores_logging(site, tmp_path):
    import logging

    sources_file = write_sources(site, tmp_path)
    args = ["run", "--sources", str(sources_file), "--out", str(tmp_path / "o"), *CLI_FAST, "--source", "Test Regulator"]
    result = CliRunner().invoke(cli, [*args, "-v"])
    assert result.exit_code == 0, result.output
    assert "Test Regulator: dropped (not relevant) " + site.url("/articles/office-opening.html") in result.stderr
    assert "Test Regulator: kept " + site.url("/articles/fine-acme.html?utm_source=rss&utm_medium=feed") in result.stderr
    logger = logging.getLogger("scraper")
    assert logger.propagate and not logger.handlers


def test_progress_bars_count_per_source(tmp_path, capsys):
    from scraper.cli import _Progress
    from scraper.run_summary import SourceSummary

    sources = parse_sources("sources:\n  - {name: One, kind: feed, url: 'https://one.test/f'}\n").sources
    progress = _Progress(sources)
    progress.update(SourceSummary("One", discovered=7, to_fetch=4, fetched=3, kept=2, dropped=1, failed=1, done=True))
    progress.close()
    err = capsys.readouterr().err
    assert "4/4" in err and "found 7, kept 2, dropped 1, failed 1, done" in err


def test_an_unusable_state_file_is_a_one_line_error(site, tmp_path):
    sources_file = write_sources(site, tmp_path)
    out = tmp_path / "o"
    out.mkdir()
    (out / STATE_FILE_NAME).write_text("this is not SQLite" * 100)
    result = CliRunner().invoke(cli, ["run", "--sources", str(sources_file), "--out", str(out), *CLI_FAST])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {out / STATE_FILE_NAME}: not a usable state file")
    assert len(result.output.strip().splitlines()) == 1


def test_the_console_script_runs_in_a_subprocess(site, tmp_path):
    import subprocess
    import sys

    sources_file = write_sources(site, tmp_path, "sources:\n  - {name: API, kind: json, url: '{{BASE}}/api.json',"
                                                 " json: {items: results, link: url}, allow_private_hosts: true}\n")
    out = tmp_path / "o"
    done = subprocess.run([sys.executable, "-m", "scraper", "run", "--sources", str(sources_file), "--out", str(out),
                           *CLI_FAST], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == f"2 article(s) written to {out}"
    assert len(list(out.rglob("*.txt"))) == 2


def test_an_output_path_that_is_a_file_is_a_one_line_error(site, tmp_path):
    sources_file = write_sources(site, tmp_path)
    not_a_directory = tmp_path / "data"
    not_a_directory.write_text("x")
    result = CliRunner().invoke(cli, ["run", "--sources", str(sources_file), "--out", str(not_a_directory / "sub"),
                                      *CLI_FAST])
    assert result.exit_code == 1 and result.output.startswith("Error: ") and "cannot write here" in result.output
