"""Killing a run at any moment loses nothing: SIGKILL `enrich build` / `enrich nightly` (real subprocesses)
during scraping, during spaCy and while the database is written, then check that the previous database is still
servable (opens, same rows, full-text search works, integrity check passes), that every article file parses,
and that the next run completes the work.

The subprocesses run the real CLI with the extractor version pinned to the one this test process computed, so
a colleague saving a file in enrich/ mid-test cannot turn "facts cached" into "re-enrich everything".
"""

from __future__ import annotations

import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from filelock import FileLock

from benchmarks.incremental import write_corpus
from enrich.build import build_database, find_article_files
from enrich.cache import CACHE_FILE_NAME, FactsCache, extractor_version, facts_key
from enrich.cli import cli
from enrich.nightly import LOCK_FILE_NAME
from enrich.pipeline import analysed_text, published_date
from enrich.runs import RUNS_LOG_NAME, SourceRun, append_run, new_run, read_runs
from scraper.article_file import ArticleFileError, read_article
from tests.site_server import SiteServer
from tests.test_nightly import make_site, write_sources

pytestmark = pytest.mark.e2e

BASE_ARTICLES = 24
#: Runs the real `enrich` CLI with the extractor version given as the first argument.
PINNED_CLI = (
    "import sys, enrich.cache, enrich.build\n"
    "version = sys.argv.pop(1)\n"
    "enrich.cache.extractor_version = enrich.build.extractor_version = lambda: version\n"
    "from enrich.cli import cli\n"
    "cli(prog_name='enrich')\n"
)


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """A data directory of BASE_ARTICLES articles and one recorded run, its facts cache and its database."""
    root = tmp_path_factory.mktemp("template")
    data = root / "data"
    write_corpus(data, BASE_ARTICLES, seed=5)
    record = new_run("2024-05-01T03:17:00.000000Z")
    record.sources, record.status, record.exit_code = [SourceRun("Seed", discovered=24, kept=24)], "ok", 0
    append_run(data, record)
    build_database(data, root / "tracker.db", progress=False)
    return root


@pytest.fixture
def work(template, tmp_path) -> Path:
    shutil.copytree(template, tmp_path / "work")
    return tmp_path / "work"


def start(*args: str, stderr=subprocess.DEVNULL) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", PINNED_CLI, extractor_version(), *args],
                            stdout=subprocess.DEVNULL, stderr=stderr)


def wait_for(condition, process: subprocess.Popen, timeout: float = 120) -> bool:
    """Poll `condition` every 2 ms until it holds (True) or the process ends or time runs out (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        if process.poll() is not None:
            return False
        time.sleep(0.002)
    return False


def kill(process: subprocess.Popen) -> bool:
    """SIGKILL the process; True when it was still running (the kill really interrupted it)."""
    alive = process.poll() is None
    process.send_signal(signal.SIGKILL)
    process.wait()
    return alive


def file_identity(path: Path):
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return stat.st_ino, stat.st_mtime_ns


def assert_servable(db_path: Path, articles: int) -> None:
    """The database opens read-only, holds `articles` articles and a run, passes the integrity check, and its
    full-text index answers."""
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as db:
        assert db.execute("pragma integrity_check").fetchone() == ("ok",)
        assert db.execute("select count(*) from articles").fetchone() == (articles,)
        assert db.execute("select count(*) from runs").fetchone()[0] >= 1
        hits = db.execute("select count(*) from articles_fts where articles_fts match 'regulator OR company'")
        assert hits.fetchone()[0] > 0


def assert_every_article_file_parses(data: Path) -> int:
    """Every article file parses (temporary ``.tmp-*`` files are hidden and never read as articles)."""
    paths = find_article_files(data)
    for path in paths:
        try:
            read_article(path)
        except ArticleFileError as exc:  # pragma: no cover - the failure message is the point
            pytest.fail(f"truncated or broken article file after a kill: {exc}")
    return len(paths)


def new_facts_cached(data: Path, paths: list[Path]) -> int:
    with FactsCache(data / CACHE_FILE_NAME) as cache:
        keys = []
        for path in paths:
            article = read_article(path)
            day = published_date(article)
            keys.append(facts_key(analysed_text(article), day.isoformat() if day else None, extractor_version()))
        return len(cache.get_many(keys))


def test_build_killed_during_spacy_keeps_the_previous_database_and_the_next_build_finishes(work):
    data, db = work / "data", work / "tracker.db"
    before = db.read_bytes()
    new = write_corpus(data, 40, seed=5, start=BASE_ARTICLES)
    tmp = db.with_name(f".tmp-{db.name}")
    during_extraction = 0
    for delay in (0.3, 1.5):
        previous = file_identity(tmp)
        process = start("build", "--data", str(data), "--db", str(db))
        assert wait_for(lambda: file_identity(tmp) not in (None, previous), process), "the build never started"
        time.sleep(delay)
        assert kill(process), "the build finished before the kill"
        during_extraction += new_facts_cached(data, new) == 0  # nothing new extracted and saved yet
        assert db.read_bytes() == before
        assert_servable(db, BASE_ARTICLES)
    assert during_extraction >= 1, "no kill landed while the new articles were being enriched"

    result = build_database(data, db, progress=False)
    assert result.ok and result.articles == BASE_ARTICLES + 40
    assert result.enriched <= 40 and result.reused >= BASE_ARTICLES
    assert_servable(db, BASE_ARTICLES + 40)
    assert not tmp.exists() and not tmp.with_name(tmp.name + "-journal").exists()


def test_build_killed_while_writing_the_database_leaves_the_previous_one(work, template):
    data, db = work / "data", work / "tracker.db"
    before = db.read_bytes()
    tmp = db.with_name(f".tmp-{db.name}")
    interrupted = 0
    # Every fact is cached, so once the temporary database exists the build only writes it.
    for delay in (0.0, 0.15, 0.4):
        previous = file_identity(tmp)
        process = start("build", "--data", str(data), "--db", str(db))
        assert wait_for(lambda: file_identity(tmp) not in (None, previous), process), "the build never started"
        time.sleep(delay)
        interrupted += kill(process)
        assert db.read_bytes() == before
        assert_servable(db, BASE_ARTICLES)
    assert interrupted >= 2, "the kills came too late to interrupt the database write"

    result = build_database(data, db, progress=False)
    assert (result.enriched, result.reused) == (0, BASE_ARTICLES)
    assert db.read_bytes() == (template / "tracker.db").read_bytes()  # complete and deterministic
    assert not tmp.exists() and not tmp.with_name(tmp.name + "-journal").exists()


@pytest.fixture
def big_site(tmp_path):
    root = tmp_path / "site"
    make_site(root, 30)
    with SiteServer(root=root) as server:
        yield server


def scraped_files(data: Path) -> list[Path]:
    return [p for p in find_article_files(data) if p.relative_to(data).parts[0] == "synthetic"]


def test_nightly_killed_while_scraping_loses_nothing_and_the_next_run_completes(work, big_site, tmp_path):
    data, db = work / "data", work / "tracker.db"
    before, runs_log = db.read_bytes(), (data / RUNS_LOG_NAME).read_bytes()
    sources = write_sources(tmp_path / "sources.yml", big_site.base_url, delay=0.1)
    process = start("nightly", "--sources", str(sources), "--data", str(data), "--db", str(db))
    assert wait_for(lambda: len(scraped_files(data)) >= 3, process), "no article was scraped"
    assert kill(process)
    kept = len(scraped_files(data))
    assert 3 <= kept < 30  # killed half-way through the scrape
    assert assert_every_article_file_parses(data) == BASE_ARTICLES + kept
    assert db.read_bytes() == before and (data / RUNS_LOG_NAME).read_bytes() == runs_log
    assert_servable(db, BASE_ARTICLES)
    lock = FileLock(data / LOCK_FILE_NAME, timeout=0)
    lock.acquire()  # the kernel dropped the dead run's lock
    lock.release()

    result = CliRunner().invoke(cli, ["nightly", "--sources", str(sources), "--data", str(data), "--db", str(db)])
    assert result.exit_code == 0, result.stderr
    assert len(scraped_files(data)) == 30
    assert_every_article_file_parses(data)
    assert_servable(db, BASE_ARTICLES + 30)
    assert [run.status for run in read_runs(data)[0]] == ["ok", "ok"]


def test_nightly_killed_or_stopped_during_the_build_keeps_the_previous_database(work, tmp_path):
    data, db = work / "data", work / "tracker.db"
    before = db.read_bytes()
    root = tmp_path / "site"
    make_site(root, 12, seed=23)
    with SiteServer(root=root) as site:
        sources = write_sources(tmp_path / "sources.yml", site.base_url)
        log = tmp_path / "nightly.log"

        def nightly_until_build(signum: int, delay: float) -> int:
            with log.open("wb") as stderr:
                process = start("nightly", "--sources", str(sources), "--data", str(data), "--db", str(db),
                                "--verbose", stderr=stderr)
                assert wait_for(lambda: b'"build.start"' in log.read_bytes(), process), log.read_text()
                time.sleep(delay)
                assert process.poll() is None, "the nightly finished before the signal"
                process.send_signal(signum)
                return process.wait()

        assert nightly_until_build(signal.SIGKILL, 1.0) == -signal.SIGKILL
        assert db.read_bytes() == before
        assert_servable(db, BASE_ARTICLES)
        assert len(read_runs(data)[0]) == 1  # a killed run cannot record itself
        assert assert_every_article_file_parses(data) == BASE_ARTICLES + 12

        # SIGTERM (what systemd and CI send first) stops cleanly: the run is recorded as interrupted
        assert nightly_until_build(signal.SIGTERM, 0.5) == 128 + signal.SIGTERM
        assert db.read_bytes() == before
        runs = read_runs(data)[0]
        assert [r.status for r in runs] == ["ok", "interrupted"]
        assert '"nightly.interrupted"' in log.read_text()

        result = CliRunner().invoke(cli, ["nightly", "--sources", str(sources), "--data", str(data), "--db", str(db)])
        assert result.exit_code == 0, result.stderr
    assert_servable(db, BASE_ARTICLES + 12)
    staging = db.with_name(f".nightly-{db.name}")
    assert not staging.exists() and not list(work.glob(".tmp-*"))
    assert [r.status for r in read_runs(data)[0]] == ["ok", "interrupted", "ok"]


def hot_journal(db_path: Path) -> Path:
    """Kill a process in the middle of a write transaction on `db_path`: its rollback journal stays behind, hot."""
    script = (
        "import sqlite3, sys, time\n"
        "db = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "db.execute('pragma cache_size = 1')\n"
        "db.execute('create table if not exists t (x)')\n"
        "db.execute('insert into t select zeroblob(4000) from (select 1 union all select 2 union all select 3)')\n"
        "db.execute('begin immediate')\n"
        "db.execute('update t set x = zeroblob(8000)')\n"
        "print('ready', flush=True)\n"
        "time.sleep(60)\n"
    )
    process = subprocess.Popen([sys.executable, "-c", script, str(db_path)], stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "ready"
    kill(process)
    journal = db_path.with_name(db_path.name + "-journal")
    assert journal.exists() and journal.stat().st_size > 0
    return journal


def test_a_journal_left_by_a_killed_run_is_never_replayed_onto_the_new_database(work, tmp_path):
    """A run killed while loading the runs log into the staged database leaves it with a hot journal; the
    next run must not let SQLite roll that journal back onto the database it builds there."""
    data, db = work / "data", work / "tracker.db"
    staging = db.with_name(f".nightly-{db.name}")
    hot_journal(staging)
    (tmp_path / "empty.yml").write_text("sources: []\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["nightly", "--sources", str(tmp_path / "empty.yml"), "--data", str(data),
                                      "--db", str(db)])
    assert result.exit_code == 0, result.stderr
    assert_servable(db, BASE_ARTICLES)
    assert not staging.exists() and not staging.with_name(staging.name + "-journal").exists()


def test_enrich_build_ignores_a_journal_left_beside_its_temporary_database(work):
    data, db = work / "data", work / "tracker.db"
    tmp = db.with_name(f".tmp-{db.name}")
    hot_journal(tmp)
    result = build_database(data, db, progress=False)
    assert result.ok and result.enriched == 0
    assert_servable(db, BASE_ARTICLES)
    assert not tmp.exists() and not tmp.with_name(tmp.name + "-journal").exists()
