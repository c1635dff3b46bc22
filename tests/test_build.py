"""`enrich build` in-process: the seeds load, bad files are reported and skipped, rebuilds are identical."""

from __future__ import annotations

import shutil

import pytest
import sqlite_utils
from click.testing import CliRunner

from enrich.cli import cli


@pytest.fixture
def seed_data(tmp_path, seeds):
    data = tmp_path / "data"
    data.mkdir()
    for path in seeds.glob("*.txt"):
        shutil.copy(path, data / path.name)
    return data


def build(data, db):
    return CliRunner().invoke(cli, ["build", "--data", str(data), "--db", str(db)])


def test_seeds_build_into_articles_fines_and_entities(seed_data, tmp_path):
    db_path = tmp_path / "tracker.db"
    result = build(seed_data, db_path)
    assert result.exit_code == 0, result.output
    db = sqlite_utils.Database(db_path)
    articles = {row["path"]: row for row in db["articles"].rows}
    assert len(articles) == 3
    gasgoo = next(row for path, row in articles.items() if path.startswith("001_"))
    assert gasgoo["provider"] == "Gasgoo"
    assert gasgoo["published_date"] == "2021-12-14"
    fines = list(db["fines"].rows)
    assert [(f["article_id"], f["amount"], f["currency"]) for f in fines] == [(gasgoo["id"], 100000.0, "CNY")]
    fine = fines[0]
    assert "fined 100,000 yuan ($15,720)" in fine["evidence"]
    assert gasgoo["text"][fine["start_char"]:fine["end_char"]] == fine["evidence"]
    assert 12_000 < fine["amount_eur"] < 15_000 and 15_000 < fine["amount_usd"] < 16_500
    pipl = next(row for path, row in articles.items() if path.startswith("004_"))
    assert db.execute("select count(*) from fines where article_id = ?", [pipl["id"]]).fetchone()[0] == 0
    assert db["entities"].count > 5
    assert db.execute("select count(*) from entities where label = 'ORG' and text like '%XPeng%'").fetchone()[0]
    # full-text search over title, excerpt and body
    hits = db.execute(
        "select articles.path from articles join articles_fts on articles.rowid = articles_fts.rowid "
        "where articles_fts match 'facial' order by path"
    ).fetchall()
    assert {path for (path,) in hits} >= {p for p in articles if p.startswith(("000_", "004_"))}


def test_bad_files_are_reported_and_the_rest_still_load(seed_data, tmp_path):
    (seed_data / "empty.txt").write_bytes(b"")
    (seed_data / "broken.txt").write_text("---\ntitle: [oops\n---\nbody\n", encoding="utf-8")
    (seed_data / "latin1.txt").write_bytes("---\ntitle: caf\xe9\n---\n".encode("latin-1"))
    nested = seed_data / "sub" / "deeper"
    nested.mkdir(parents=True)
    (nested / "ok.txt").write_text("---\ntitle: Nested fine\noriginalUrl: https://example.org/n\n---\n"
                                   "The regulator fined Foo Ltd €5,000.\n", encoding="utf-8")
    db_path = tmp_path / "tracker.db"
    result = build(seed_data, db_path)
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert sorted(line.split(":")[1].strip() for line in errors) == ["broken.txt", "empty.txt", "latin1.txt"]
    db = sqlite_utils.Database(db_path)
    assert db["articles"].count == 4
    assert db.execute("select path from articles where path like 'sub/%'").fetchone()[0] == "sub/deeper/ok.txt"
    assert {row["path"] for row in db["build_errors"].rows} == {"broken.txt", "empty.txt", "latin1.txt"}


def test_rebuilding_gives_the_same_database(seed_data, tmp_path):
    first, second = tmp_path / "a.db", tmp_path / "b.db"
    assert build(seed_data, first).exit_code == 0
    assert build(seed_data, second).exit_code == 0
    dump = lambda path: list(sqlite_utils.Database(path).iterdump())  # noqa: E731
    assert dump(first) == dump(second)
    assert first.read_bytes() == second.read_bytes()


def test_missing_data_directory_is_a_clear_error(tmp_path):
    result = build(tmp_path / "nope", tmp_path / "x.db")
    assert result.exit_code == 1
    assert "data directory not found" in result.output
    assert not (tmp_path / "x.db").exists()
