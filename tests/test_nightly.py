"""The nightly job: lock, exit codes, the runs log and source_health, incremental builds, the workflow.

The end-to-end tests run `enrich nightly` against a real HTTP server on 127.0.0.1 serving a feed and article
pages made from the synthetic corpus of ``benchmarks.incremental``.
"""

from __future__ import annotations

import html
import io
import json
import logging
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlite_utils
import yaml
from click.testing import CliRunner

from benchmarks.incremental import synthetic_article, write_corpus
from enrich import schema
from enrich.build import build_database
from enrich.cli import cli
from enrich.nightly import (
    LOCK_FILE_NAME,
    ExitCode,
    configure_logging,
    log_event,
    remove_stale_temp_files,
    run_nightly,
    staging_path,
)
from enrich.runs import RUNS_LOG_NAME, SourceRun, append_run, empty_streaks, load_runs_log, new_run, read_runs
from scraper.article_file import read_article
from tests.site_server import SiteServer

REPO = Path(__file__).resolve().parent.parent
WORKFLOW = REPO / ".github" / "workflows" / "nightly.yml"


# --- helpers shared with test_kill_safety -----------------------------------------------------------------


def make_site(root: Path, count: int, *, seed: int = 11, start: int = 0) -> list[str]:
    """A site under `root`: ``feed.xml`` listing `count` article pages made from synthetic articles, and a
    robots.txt that allows everything. Returns the titles."""
    (root / "articles").mkdir(parents=True, exist_ok=True)
    (root / "robots.txt").write_text("User-agent: *\nAllow: /\n", encoding="utf-8")
    items, titles = [], []
    for index in range(start, start + count):
        article = synthetic_article(index, seed)
        title = html.escape(article.meta["title"])
        paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in article.body.split("\n\n") if p.strip())
        (root / "articles" / f"a{index}.html").write_text(
            f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
            f'<meta property="og:title" content="{title}">'
            f'<meta property="article:published_time" content="{article.meta["publishedDateTime"]}"></head>'
            f'<body><header><nav><a href="/">Home</a></nav></header><article><h1>{title}</h1>{paragraphs}'
            f"</article><footer>Contact us</footer></body></html>",
            encoding="utf-8",
        )
        items.append(f"<item><title>{title}</title><link>{{{{BASE}}}}/articles/a{index}.html</link></item>")
        titles.append(article.meta["title"])
    (root / "feed.xml").write_text(
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Synthetic news</title>'
        "<link>{{BASE}}/</link><description>Test feed</description>" + "".join(items) + "</channel></rss>",
        encoding="utf-8",
    )
    return titles


def write_sources(path: Path, base_url: str, *, broken: bool = False, delay: float = 0) -> Path:
    """A sources file with the synthetic feed (and, with `broken`, a feed that answers 404)."""
    entries = [f'  - {{name: Synthetic, kind: feed, url: "{base_url}/feed.xml", allow_private_hosts: true, '
               f"always_relevant: true, delay: {delay}}}"]
    if broken:
        entries.append(f'  - {{name: Gone, kind: feed, url: "{base_url}/moved-away.xml", allow_private_hosts: true, '
                       f"delay: 0}}")
    path.write_text("sources:\n" + "\n".join(entries) + "\n", encoding="utf-8")
    return path


def dump(db_path: Path) -> list[str]:
    db = sqlite_utils.Database(db_path)
    try:
        return list(db.iterdump())
    finally:
        db.close()


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def nightly(sources: Path, data: Path, db: Path, *extra: str):
    return CliRunner().invoke(cli, ["nightly", "--sources", str(sources), "--data", str(data), "--db", str(db),
                                    *extra])


@pytest.fixture
def site(tmp_path):
    root = tmp_path / "site"
    make_site(root, 4)
    with SiteServer(root=root) as server:
        yield server


@pytest.fixture
def corpus(tmp_path):
    data = tmp_path / "data"
    write_corpus(data, 5, seed=3)
    return data


def a_run(started: str, **sources: dict) -> "object":
    record = new_run(started)
    record.sources = [SourceRun(name, **counts) for name, counts in sources.items()]
    record.finished, record.status, record.exit_code = started, "ok", 0
    return record


# --- the runs log and source_health (no spaCy) ------------------------------------------------------------


def empty_database(tmp_path: Path) -> sqlite_utils.Database:
    db = sqlite_utils.Database(tmp_path / "runs.db")
    schema.create_tables(db)
    return db


def test_runs_log_is_appended_and_loaded_and_bad_lines_are_named(tmp_path):
    data = tmp_path / "data"
    first = a_run("2024-05-01T03:17:00.000000Z", A={"discovered": 4, "kept": 2, "failed": 1, "error_count": 1,
                                                     "errors": ["https://a.test/x: HTTP 500"]})
    first.add_error("a/2024/x.txt: not UTF-8 text")
    append_run(data, first)
    with (data / RUNS_LOG_NAME).open("a", encoding="utf-8") as log:
        log.write("{not json\n")
        log.write(first.to_json() + "\n")  # the same run twice (e.g. a bad merge)
        log.write('{"id": 5}\n')
    second = a_run("2024-05-02T03:17:00.000000Z", A={"discovered": 3})
    append_run(data, second)
    assert not list(data.glob(".tmp-*"))

    runs, warnings = read_runs(data)
    assert [r.id for r in runs] == [first.id, second.id]
    assert [w.split(": ")[0] for w in warnings] == ["runs.jsonl:2", "runs.jsonl:3", "runs.jsonl:4"]
    assert "not JSON" in warnings[0] and "appears twice" in warnings[1]

    db = empty_database(tmp_path)
    assert load_runs_log(db, data) == warnings
    rows = {row["id"]: row for row in db["runs"].rows}
    assert rows[first.id]["kept"] == 2 and rows[first.id]["errors"] == 2 and rows[second.id]["discovered"] == 3
    assert {(r["run_id"], r["source"], r["message"]) for r in db["run_errors"].rows} == {
        (first.id, None, "a/2024/x.txt: not UTF-8 text"), (first.id, "A", "https://a.test/x: HTTP 500")}
    # loading again replaces, never duplicates
    load_runs_log(db, data)
    assert db["runs"].count == 2 and db["run_sources"].count == 2


def test_source_health_flags_a_source_that_found_nothing_three_runs_in_a_row(tmp_path):
    data = tmp_path / "data"
    history = [
        # layout changed after the first run: 0 links for three runs
        {"Changed": {"discovered": 5, "kept": 5}, "Quiet": {"discovered": 2}, "Down": {"discovered": 1}},
        {"Changed": {"discovered": 0}, "Quiet": {"not_modified": 1}, "Down": {"discovery_failed": True}},
        {"Changed": {"discovered": 0}, "Quiet": {"not_modified": 1}, "Down": {"discovery_failed": True}},
    ]
    for day, sources in enumerate(history, start=1):
        append_run(data, a_run(f"2024-05-0{day}T03:17:00.000000Z", **sources))
    db = empty_database(tmp_path)

    def health() -> dict[str, dict]:
        load_runs_log(db, data)
        return {row["source"]: row for row in db.query("select * from source_health")}

    before = health()
    assert before["Changed"]["empty_runs_in_a_row"] == 2 and not before["Changed"]["flagged"]
    assert before["Down"]["status"] == "discovery failed in the last run"

    append_run(data, a_run("2024-05-04T03:17:00.000000Z", Changed={"discovered": 0}, Quiet={"not_modified": 1},
                           Down={"discovery_failed": True}))
    after = health()
    assert after["Changed"]["flagged"] and after["Changed"]["empty_runs_in_a_row"] == 3
    assert after["Changed"]["status"] == "found nothing in 3 runs"
    assert after["Changed"]["last_found"] == "2024-05-01T03:17:00.000000Z"
    assert after["Down"]["flagged"]  # a feed that fails every night finds nothing too
    assert not after["Quiet"]["flagged"] and after["Quiet"]["status"] == "ok"  # 304 Not Modified is not empty
    # the view lists flagged sources first, and the Python count used for the exit code agrees with it
    assert [row["source"] for row in db.query("select source from source_health")][:2] == ["Changed", "Down"]
    assert empty_streaks(read_runs(data)[0]) == {name: row["empty_runs_in_a_row"] for name, row in after.items()}


# --- builds: determinism, incremental cost, extractor version ----------------------------------------------


def test_two_builds_from_the_same_files_give_the_same_database_runs_included(corpus, tmp_path):
    append_run(corpus, a_run("2024-05-01T03:17:00.000000Z", A={"discovered": 3, "kept": 3}))
    first, second = tmp_path / "a.db", tmp_path / "b.db"
    build_database(corpus, first, progress=False)
    build_database(corpus, second, progress=False, use_cache=False)
    assert dump(first) == dump(second)
    assert first.read_bytes() == second.read_bytes()
    assert sqlite_utils.Database(first)["runs"].count == 1


def test_a_second_build_enriches_nothing_and_a_changed_file_only_itself(corpus, tmp_path):
    db = tmp_path / "tracker.db"
    first = build_database(corpus, db, progress=False)
    assert (first.enriched, first.reused, first.articles) == (5, 0, 5)
    second = build_database(corpus, db, progress=False)
    assert (second.enriched, second.reused) == (0, 5)

    path = sorted(corpus.rglob("*.txt"))[0]
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + " The regulator added a new paragraph.\n",
                    encoding="utf-8")
    third = build_database(corpus, db, progress=False)
    assert (third.enriched, third.reused) == (1, 4)


def test_a_new_extractor_version_reprocesses_everything_and_shows_in_build_info(corpus, tmp_path, monkeypatch):
    db_path = tmp_path / "tracker.db"
    build_database(corpus, db_path, progress=False)
    original = sqlite_utils.Database(db_path)["build_info"].get("extractor_version")["value"]

    # build.py imported the function by name, so both bindings must change to simulate new extraction code
    monkeypatch.setattr("enrich.cache.extractor_version", lambda: "0000changed0000")
    monkeypatch.setattr("enrich.build.extractor_version", lambda: "0000changed0000")
    result = build_database(corpus, db_path, progress=False)
    assert (result.enriched, result.reused) == (5, 0)
    value = sqlite_utils.Database(db_path)["build_info"].get("extractor_version")["value"]
    assert value == "0000changed0000" != original
    assert build_database(corpus, db_path, progress=False).enriched == 0


# --- the nightly command end to end -----------------------------------------------------------------------


def test_nightly_end_to_end_scrapes_builds_records_and_flags(site, tmp_path):
    data, db = tmp_path / "data", tmp_path / "out" / "tracker.db"
    sources = write_sources(tmp_path / "sources.yml", site.base_url, broken=True)

    first = nightly(sources, data, db)
    assert first.exit_code == ExitCode.PARTIAL, first.output  # "Gone" answers 404
    files = sorted(data.rglob("*.txt"))
    assert len(files) == 4 and all(read_article(p).meta["source"] for p in files)
    database = sqlite_utils.Database(db)
    assert database["articles"].count == 4
    run = database.execute("select id, status, exit_code, kept, enriched, finished from runs").fetchall()
    assert [(status, code, kept, enriched) for _, status, code, kept, enriched, _ in run] == [("partial", 1, 4, 4)]
    by_source = {r["source"]: r for r in database["run_sources"].rows}
    assert by_source["Synthetic"]["discovered"] == 4 and by_source["Synthetic"]["kept"] == 4
    assert by_source["Gone"]["discovery_failed"] == 1
    assert any("404" in r["message"] for r in database["run_errors"].rows if r["source"] == "Gone")
    database.close()

    events = json_lines(first.stderr)
    assert all({"ts", "level", "event"} <= set(e) for e in events)
    names = [e["event"] for e in events]
    for expected in ("nightly.start", "scrape.start", "scrape.source", "build.start", "build.done", "nightly.done"):
        assert expected in names, names
    assert not any(e["level"] == "debug" for e in events)
    done = next(e for e in events if e["event"] == "nightly.done")
    assert done["exit_code"] == 1 and done["kept"] == 4

    for _ in range(2):  # nothing new: Synthetic answers 304, Gone still 404
        again = nightly(sources, data, db, "--verbose")
        assert again.exit_code == ExitCode.PARTIAL
    events = json_lines(again.stderr)
    assert any(e["level"] == "debug" for e in events)
    assert next(e for e in events if e["event"] == "build.done")["enriched"] == 0
    flagged = [e for e in events if e["event"] == "source.found_nothing"]
    assert [(e["source"], e["runs_in_a_row"]) for e in flagged] == [("Gone", 3)]
    database = sqlite_utils.Database(db)
    assert database["runs"].count == 3 and database["articles"].count == 4
    health = {r["source"]: r for r in database.query("select * from source_health")}
    assert health["Gone"]["flagged"] == 1 and health["Synthetic"]["flagged"] == 0
    database.close()
    assert len((data / RUNS_LOG_NAME).read_text(encoding="utf-8").splitlines()) == 3
    assert not staging_path(db).exists() and not list(db.parent.glob(".tmp-*"))

    # the served database is what `enrich build` makes from the same files, runs included
    rebuilt = tmp_path / "rebuilt.db"
    assert CliRunner().invoke(cli, ["build", "--data", str(data), "--db", str(rebuilt)]).exit_code == 0
    assert dump(rebuilt) == dump(db)


def test_a_second_nightly_exits_at_once_while_one_holds_the_lock(site, tmp_path):
    data, db = tmp_path / "data", tmp_path / "tracker.db"
    data.mkdir()
    sources = write_sources(tmp_path / "sources.yml", site.base_url)
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from filelock import FileLock; lock = FileLock(sys.argv[1]); lock.acquire(); "
         "print('held', flush=True); time.sleep(60)", str(data / LOCK_FILE_NAME)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        locked = nightly(sources, data, db)
        assert locked.exit_code == ExitCode.LOCKED == 3
        assert time.monotonic() - started < 5  # at once, not after waiting
        assert "another nightly run holds" in locked.stderr and LOCK_FILE_NAME in locked.stderr
        assert not (data / RUNS_LOG_NAME).exists() and not list(data.rglob("*.txt")) and not db.exists()
    finally:
        holder.kill()
        holder.wait()
    ok = nightly(sources, data, db)
    assert ok.exit_code == ExitCode.OK, ok.output
    assert len(list(data.rglob("*.txt"))) == 4 and db.exists()


def test_usage_errors_exit_2_before_anything_is_written(tmp_path):
    data, db = tmp_path / "data", tmp_path / "tracker.db"
    missing = nightly(tmp_path / "nope.yml", data, db)
    assert missing.exit_code == ExitCode.USAGE
    assert "nope.yml" in missing.stderr
    bad = tmp_path / "bad.yml"
    bad.write_text("sources: [\n", encoding="utf-8")
    broken = nightly(bad, data, db)
    assert broken.exit_code == ExitCode.USAGE
    assert "bad.yml" in broken.stderr and "YAML" in broken.stderr
    assert CliRunner().invoke(cli, ["nightly", "--data", str(data)]).exit_code == 2  # --sources is required
    assert not data.exists() and not db.exists()


def test_a_crashed_build_exits_4_keeps_the_previous_database_and_is_recorded(site, tmp_path, monkeypatch):
    data, db = tmp_path / "data", tmp_path / "tracker.db"
    sources = write_sources(tmp_path / "sources.yml", site.base_url)
    assert nightly(sources, data, db).exit_code == ExitCode.OK
    before = db.read_bytes()

    def explode(*args, **kwargs):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr("enrich.build.build_database", explode)
    crashed = nightly(sources, data, db)
    assert crashed.exit_code == ExitCode.FAILED
    assert db.read_bytes() == before
    runs, _ = read_runs(data)
    assert [r.status for r in runs] == ["ok", "failed"]
    assert runs[-1].errors == ["build crashed: OperationalError: disk I/O error"]
    assert any(e["event"] == "build.crashed" and e["level"] == "error" for e in json_lines(crashed.stderr))


# --- small parts ------------------------------------------------------------------------------------------


def test_stale_temporary_files_are_removed_and_fresh_ones_kept(tmp_path):
    (tmp_path / "src" / "2024").mkdir(parents=True)
    old, fresh = tmp_path / "src" / "2024" / ".tmp-abc.txt", tmp_path / ".tmp-def.txt"
    article = tmp_path / "src" / "2024" / "0123456789abcdef.txt"
    for path in (old, fresh, article):
        path.write_text("x", encoding="utf-8")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    os.utime(article, (time.time() - 7200, time.time() - 7200))
    assert remove_stale_temp_files(tmp_path) == [old]
    assert fresh.exists() and article.exists() and not old.exists()


def test_log_lines_are_json_with_ts_level_event_and_fields():
    stream, root = io.StringIO(), logging.getLogger()
    level = root.level
    try:
        configure_logging(False, stream)
        log_event(logging.INFO, "build.done", articles=3, path=Path("x"))
        log_event(logging.DEBUG, "db.replaced", db="x.db")  # not shown without --verbose
        logging.getLogger("scraper.run").warning("%s: %s", "Gone", "HTTP 404")
        configure_logging(True, stream)  # replaces the handler: no line is written twice
        log_event(logging.DEBUG, "db.replaced", db="x.db")
    finally:
        for handler in [h for h in root.handlers if getattr(h, "_nightly", False)]:
            root.removeHandler(handler)
        root.setLevel(level)
    lines = json_lines(stream.getvalue())
    assert [(line["level"], line["event"]) for line in lines] == [
        ("info", "build.done"), ("warning", "scraper.run"), ("debug", "db.replaced")]
    assert lines[0]["articles"] == 3 and lines[0]["path"] == "x" and lines[0]["ts"].endswith("Z")
    assert lines[1]["message"] == "Gone: HTTP 404"


def test_the_workflow_runs_the_nightly_command_on_a_schedule_one_at_a_time():
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    cron = triggers["schedule"][0]["cron"]
    minute, hour = cron.split()[:2]
    assert minute not in ("0", "*") and hour.isdigit()
    assert "workflow_dispatch" in triggers
    assert workflow["concurrency"] == {"group": "nightly", "cancel-in-progress": False}
    steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
    commands = "\n".join(step.get("run", "") for step in steps)
    assert "enrich nightly --sources" in commands
    assert "pip install --no-deps -r requirements/model.txt" in commands
    assert 'git commit' in commands and "git diff --cached --quiet ||" in commands and "git push" in commands
    assert any(step.get("uses", "").startswith("actions/upload-artifact") and "tracker.db" in step["with"]["path"]
               for step in steps)
