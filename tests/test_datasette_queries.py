"""The Datasette layer over HTTP: canned queries with parameters, full CSV exports, the legal_export view, the Atom
feed, robots.txt and read-only serving, against a real `enrich serve` over a realistic generated database."""

from __future__ import annotations

import csv
import io
import re
from functools import partial

import feedparser
import httpx
import pytest
import sqlite_utils

from enrich.serve import PLUGINS_DIR, TEMPLATES_DIR, datasette_command
from enrich.views import SOURCE_SEPARATOR, create_views

pytestmark = pytest.mark.e2e
#: Generous: the machine is shared, and Datasette answers slowly while other suites run.
get = partial(httpx.get, timeout=60)
post = partial(httpx.post, timeout=60)


def get_csv(url: str, **params) -> list[dict[str, str]]:
    response = get(url, params=params)
    assert response.status_code == 200, response.text[:500]
    return list(csv.DictReader(io.StringIO(response.text)))


def get_rows(url: str, **params) -> list[dict]:
    response = get(url, params={**params, "_shape": "array"})
    assert response.status_code == 200, response.text[:500]
    return response.json()


# Full exports ------------------------------------------------------------------------------------------------

def test_full_csv_export_returns_every_fine_beyond_the_page_limit(served, sample, db):
    assert sample.fines > 1000  # more than max_returned_rows: the export must page through all of them
    rows = get_csv(served + "/tracker/fines.csv", _stream="on")
    assert len(rows) == sample.fines
    assert {r["id"] for r in rows} == {r["id"] for r in db.execute("select id from fines")}
    assert {"amount", "currency", "amount_eur", "amount_usd", "evidence"} <= set(rows[0])


def test_plain_csv_link_streams_every_row_too(served, sample):
    """The table page's own CSV link (no _stream) gets every row too (plugins/csv_all_rows.py)."""
    assert len(get_csv(served + "/tracker/fines.csv")) == sample.fines
    assert len(get_csv(served + "/tracker/fines.csv", _size="max")) == sample.fines
    assert len(get_csv(served + "/tracker/fines.csv", _size="10", _next="10")) == 10  # explicit paging still pages


def test_full_csv_export_of_a_filtered_table(served, db):
    rows = get_csv(served + "/tracker/fines.csv", _stream="on", status__not="proposed")
    expected = db.execute("select count(*) from fines where status != 'proposed'").fetchone()[0]
    assert expected > 1000 and len(rows) == expected
    assert {r["status"] for r in rows} == {"imposed", "reduced", "overturned"}


def test_canned_query_csv_returns_every_row(served, db):
    """Datasette 0.65 does not page canned queries (their JSON stops at max_returned_rows); the CSV export
    (plugins/canned_query_csv.py) runs the query untruncated with the URL's parameters."""
    expected = db.execute("select count(*) from fines").fetchone()[0]
    assert expected > 1000
    page = get(served + "/tracker/company_fines.json", params={"company": "%"}).json()
    assert page["truncated"] is True and len(page["rows"]) == 1000
    rows = get_csv(served + "/tracker/company_fines.csv", company="%")  # % matches every party
    assert len(rows) == expected
    assert list(rows[0]) == page["columns"]
    some = db.execute("select fined_party from fines where fined_party is not null limit 1").fetchone()[0]
    narrowed = get_csv(served + "/tracker/company_fines.csv", company=some)
    assert 0 < len(narrowed) < expected
    assert all(some.lower() in (r["fined_party"] or "").lower() for r in narrowed)


def test_canned_query_csv_download_is_an_attachment(served):
    response = get(served + "/tracker/largest_fines.csv", params={"_dl": "1"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="largest_fines.csv"' in response.headers["content-disposition"]


def test_legal_export_view_one_row_per_case_with_aligned_sources(served, sample, db):
    rows = get_csv(served + "/tracker/legal_export.csv", _stream="on")
    assert len(rows) == sample.cases
    assert len({r["case_id"] for r in rows}) == sample.cases
    assert list(rows[0])[:10] == ["case_id", "fined_party", "authority", "jurisdiction", "amount", "currency",
                                  "amount_eur", "amount_usd", "status", "decision_date"]
    meta = next(r for r in rows if r["fined_party"] == "Meta Platforms Ireland")
    sources = db.execute("select * from case_sources where case_id = ? order by source_number",
                         [meta["case_id"]]).fetchall()
    assert int(meta["source_count"]) == len(sources) == 4
    for column, field in (("source_urls", "url"), ("source_outlets", "outlet"), ("source_dates", "published_date"),
                          ("source_titles", "title")):
        items = meta[column].split(SOURCE_SEPARATOR)
        assert items == [f"[{s['source_number']}] {s[field]}" for s in sources], column
    dates = [item.split("] ", 1)[1] for item in meta["source_dates"].split(SOURCE_SEPARATOR)]
    assert dates == sorted(dates)
    assert "€1.2 billion" in meta["evidence"]
    assert float(meta["amount_eur"]) == 1.2e9 and meta["currency"] == "EUR" and meta["law"] == "GDPR"
    # Newest decision first, undated cases last.
    decided = [r["decision_date"] for r in rows]
    dated = [d for d in decided if d]
    assert dated == sorted(dated, reverse=True) and decided[: len(dated)] == dated


def test_legal_export_matches_the_command_line_export(sample):
    """The README's server-less export gives the same rows as the view over HTTP would."""
    db = sqlite_utils.Database(sample.path)
    rows = list(db.query("select * from legal_export"))
    assert len(rows) == sample.cases
    assert all(r["source_urls"].startswith("[1] https://") for r in rows if r["source_count"])


def test_create_views_is_idempotent_and_deterministic(sample, tmp_path):
    copy = tmp_path / "copy.db"
    copy.write_bytes(sample.path.read_bytes())
    db = sqlite_utils.Database(copy)
    before = list(db.query("select * from legal_export"))
    create_views(db)
    assert list(db.query("select * from legal_export")) == before
    assert db["case_sources"].count == db["case_articles"].count


# Canned queries ----------------------------------------------------------------------------------------------

def test_search_highlights_matches_and_ranks_them(served):
    rows = get_rows(served + "/tracker/search.json", q="meta transfer")
    assert rows
    for row in rows:
        text = (row["title"] + " " + row["snippet"]).lower()
        assert "[[meta]]" in text and "[[transfer" in text
        assert row["url"].startswith("https://")


@pytest.mark.parametrize("query", ["data-protection", '"unbalanced', "GDPR: Art. 6", "o'brien", ""])
def test_search_survives_what_people_type(served, query):
    response = get(served + "/tracker/search.json", params={"q": query, "_shape": "array"})
    assert response.status_code == 200, response.text[:300]
    if not query:
        assert response.json() == []


def test_search_cases(served, db):
    rows = get_rows(served + "/tracker/search_cases.json", q="xpeng")
    assert [r["fined_party"] for r in rows] == ["[[Xpeng]] Motors"]


def test_company_query_is_case_insensitive_and_complete(served, db):
    expected = {r[0] for r in db.execute("select id from cases where lower(fined_party) like '%clearview%'")}
    rows = get_rows(served + "/tracker/company.json", company="CLEARVIEW")
    assert {r["case_id"] for r in rows} == expected and len(expected) > 3
    assert get_rows(served + "/tracker/company.json", company="") == []


def test_company_fines_give_each_statement_with_its_sentence(served, db):
    rows = get_rows(served + "/tracker/company_fines.json", company="xpeng")
    assert len(rows) == db.execute("select count(*) from fines where fined_party like '%xpeng%'").fetchone()[0]
    assert rows[0]["amount"] == 100000 and rows[0]["currency"] == "CNY"
    assert "Xpeng Motors" in rows[0]["evidence"] and rows[0]["outlet"] == "TechNode"


def test_authority_cases(served, db):
    rows = get_rows(served + "/tracker/authority_cases.json", authority="cnil")
    expected = db.execute("select count(*) from cases where authority = 'CNIL'").fetchone()[0]
    assert len(rows) == expected > 0 and {r["authority"] for r in rows} == {"CNIL"}


def test_law_cases_by_law_and_by_article(served, db):
    by_law = get_rows(served + "/tracker/law_cases.json", law="ftc act")
    assert by_law and all("FTC Act" in r["laws"] for r in by_law)
    by_article = get_rows(served + "/tracker/law_cases.json", law="Art. 46")
    assert by_article and all("Art. 46" in r["cited"] for r in by_article)
    expected = db.execute("""select count(distinct ca.case_id) from case_articles ca join laws l
                             on l.article_id = ca.article_id where l.detail like '%Art. 46%'""").fetchone()[0]
    assert len(by_article) == expected


def test_new_cases_since_a_date(served, db):
    rows = get_rows(served + "/tracker/new_cases.json", since="2025-01-01")
    expected = db.execute("select count(*) from cases where first_reported >= '2025-01-01'").fetchone()[0]
    assert len(rows) == expected > 0
    assert [r["first_reported"] for r in rows] == sorted((r["first_reported"] for r in rows), reverse=True)


def test_largest_fines_are_ordered_and_filterable(served, db):
    rows = get_rows(served + "/tracker/largest_fines.json")
    assert len(rows) == 100
    assert [r["amount_eur"] for r in rows] == sorted((r["amount_eur"] for r in rows), reverse=True)
    assert rows[0]["amount_eur"] == db.execute("select max(amount_eur) from cases").fetchone()[0]
    gb = get_rows(served + "/tracker/largest_fines.json", jurisdiction="gb", year="2020")
    assert gb and {(r["jurisdiction"], r["year"]) for r in gb} == {("GB", 2020)}


def test_fines_by_year_and_jurisdiction_adds_up(served, db):
    rows = get_rows(served + "/tracker/fines_by_year_and_jurisdiction.json")
    total = sum(r["total_eur"] or 0 for r in rows)
    expected = db.execute("select sum(amount_eur) from cases where status in ('imposed', 'reduced')").fetchone()[0]
    assert total == pytest.approx(expected)
    ie_2023 = next(r for r in rows if r["year"] == 2023 and r["jurisdiction"] == "IE")
    assert ie_2023["largest_eur"] >= 1.2e9


def test_case_query_lists_every_source_with_evidence(served, db):
    case_id = db.execute("select id from cases where fined_party = 'Meta Platforms Ireland'").fetchone()[0]
    rows = get_rows(served + "/tracker/case.json", case_id=case_id)
    assert [r["source_number"] for r in rows] == [1, 2, 3, 4]
    assert {r["outlet"] for r in rows} == {"Reuters", "Euractiv", "TechNode", "The Record"}
    assert all(r["url"].startswith("https://") and "€1.2 billion" in r["evidence"] for r in rows)


def test_case_without_amount_keeps_its_evidence(served, db):
    case_id = db.execute("select id from cases where fined_party = 'Worldcoin' and amount is null").fetchone()[0]
    rows = get_rows(served + "/tracker/case.json", case_id=case_id)
    assert len(rows) == 2 and all("ordered Worldcoin to stop processing" in r["evidence"] for r in rows)


# Feed, robots, read-only -------------------------------------------------------------------------------------

def test_atom_feed_of_new_cases(served, db):
    response = get(served + "/tracker/new_cases_feed.atom")
    assert response.status_code == 200 and "xml" in response.headers["content-type"]
    feed = feedparser.parse(response.content, response_headers={"content-location": str(response.url),
                                                                "content-type": response.headers["content-type"]})
    assert not feed.bozo, feed.bozo_exception
    assert feed.feed.title == "New enforcement cases"
    assert len(feed.entries) == min(100, db.execute("select count(*) from cases").fetchone()[0])
    latest = db.execute("""select * from cases order by coalesce(last_reported, first_reported) desc, id
                           limit 1""").fetchone()
    entry = next(e for e in feed.entries if e.id.endswith("case/" + latest["id"]))
    assert entry.title.startswith(latest["fined_party"]) and latest["authority"] in entry.title
    if latest["amount"] is not None:
        assert f"{latest['currency']} {int(latest['amount']):,}" in entry.title
    assert entry.updated.startswith(latest["last_reported"] or latest["first_reported"])
    assert "Evidence:" in entry.summary
    assert entry.link == f"{served}/tracker/cases/{latest['id']}"
    assert get(entry.link).status_code == 200


def test_robots_txt_blocks_every_crawler(served):
    response = get(served + "/robots.txt")
    assert response.status_code == 200
    assert response.text.splitlines() == ["User-agent: *", "Disallow: /"]


def test_no_write_endpoint(served, sample):
    for path in ("/tracker/cases", "/tracker/search", "/tracker/-/insert", "/tracker/cases/-/insert", "/"):
        response = post(served + path, data={"q": "x", "sql": "delete from cases"})
        assert response.status_code == 405 and response.headers["allow"] == "GET, HEAD", path
    for method in ("PUT", "DELETE", "PATCH"):
        assert httpx.request(method, served + "/tracker/cases", timeout=60).status_code == 405
    response = get(served + "/tracker.json", params={"sql": "delete from cases"})
    assert response.status_code == 400
    assert len(get_csv(served + "/tracker/cases.csv", _stream="on")) == sample.cases


def test_slow_queries_are_cut_off(served):
    """The SQL time limit stops a runaway custom query instead of tying up the server."""
    sql = "with recursive n(i) as (select 1 union all select i + 1 from n where i < 1e10) select count(*) from n"
    response = get(served + "/tracker.json", params={"sql": sql})
    assert response.status_code == 400 and "time limit" in response.text.lower()


# Metadata and wiring -----------------------------------------------------------------------------------------

def test_every_visible_table_view_and_column_is_described(served):
    metadata = get(served + "/-/metadata.json").json()
    described = metadata["databases"]["tracker"]["tables"]
    database = get(served + "/tracker.json").json()
    listed = [t for t in database["tables"] if not t["hidden"]] + [
        {"name": v["name"], "columns": None} for v in database["views"]]
    for table in listed:
        assert described.get(table["name"], {}).get("description"), table["name"]
        columns = table["columns"] or get(
            served + f"/tracker/{table['name']}.json", params={"_size": 1}).json()["columns"]
        missing = set(columns) - set(described[table["name"]].get("columns", {}))
        assert not missing, (table["name"], missing)
    assert metadata["license"] and metadata["source"]
    about = metadata["description_html"]
    assert "TODO" not in about
    assert re.search(r"fined party \d+\.\d%", about) and re.search(r"held-out", about)


def test_full_text_tables_are_hidden_and_build_errors_come_last(served):
    database = get(served + "/tracker.json").json()
    hidden = {t["name"] for t in database["tables"] if t["hidden"]}
    assert {"articles_fts", "cases_fts"} <= hidden
    page = get(served + "/tracker").text
    headings = [part.split('">', 1)[1].split("<", 1)[0] for part in page.split('<div class="db-table">\n    <h3><a href="')[1:]]
    assert headings[0] == "cases" and headings[-1] == "build_errors"
    assert not hidden & set(headings)


def test_cases_table_settings(served):
    data = get(served + "/tracker/cases.json", params={"_size": 5}).json()
    assert data["human_description_en"] == "sorted by decision_date descending"
    facets = set(data["facet_results"])
    assert facets == {"authority", "jurisdiction", "currency", "status", "violation_type", "year"}


def test_facet_columns_are_indexed(db):
    indexed = {row[0] for row in db.execute(
        "select il.name from pragma_index_list('cases') l join pragma_index_info(l.name) il where il.seqno = 0")}
    assert {"authority", "jurisdiction", "currency", "status", "violation_type", "year"} <= indexed


def test_datasette_command_serves_templates_and_plugins(tmp_path):
    command = datasette_command(tmp_path / "tracker.db", metadata=None)
    assert command[command.index("--template-dir") + 1] == str(TEMPLATES_DIR)
    assert command[command.index("--plugins-dir") + 1] == str(PLUGINS_DIR)
    assert "--immutable" in command
    bare = datasette_command(tmp_path / "tracker.db", metadata=None, templates=None, plugins=None)
    assert "--template-dir" not in bare and "--plugins-dir" not in bare


# Over a real build of the seed articles ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def seed_build(tmp_path_factory, seeds):
    from enrich.build import build_database

    data = tmp_path_factory.mktemp("seed-build") / "data"
    data.mkdir()
    for path in seeds.glob("*.txt"):
        (data / path.name).write_bytes(path.read_bytes())
    build_database(data, data / "tracker.db")
    return data / "tracker.db"


def test_every_table_view_and_column_of_a_real_build_is_described(seed_build, repo):
    import yaml

    described = yaml.safe_load((repo / "metadata.yml").read_text())["databases"]["tracker"]["tables"]
    db = sqlite_utils.Database(seed_build)
    names = [n for n in db.table_names() + db.view_names()
             if not n.startswith("sqlite_") and not any(n.startswith(f"{t}_fts") for t in ("articles", "cases"))]
    for name in names:
        assert described.get(name, {}).get("description"), name
        columns = [c.name for c in (db[name].columns if name in db.table_names() else db.view(name).columns)]
        assert not set(columns) - set(described[name].get("columns", {})), name


def test_case_page_of_a_real_build(seed_build, repo):
    """`datasette --get` with the same command line as `enrich serve`: the case page shows its sources."""
    import subprocess

    db = sqlite_utils.Database(seed_build)
    case = next(db.query("select id, article_count from cases order by article_count desc limit 1"))
    command = datasette_command(seed_build, metadata=repo / "metadata.yml") + ["--get", f"/tracker/cases/{case['id']}"]
    page = subprocess.run(command, capture_output=True, text=True, timeout=120).stdout
    assert f"Sources ({case['article_count']})" in page
    export = subprocess.run(datasette_command(seed_build, metadata=repo / "metadata.yml")
                            + ["--get", "/tracker/legal_export.csv"], capture_output=True, text=True, timeout=120)
    rows = list(csv.DictReader(io.StringIO(export.stdout)))
    assert sorted(r["case_id"] for r in rows) == sorted(r["id"] for r in db.query("select id from cases"))
    assert all(r["source_titles"].startswith("[1] ") for r in rows)


def test_atom_feed_of_a_real_build(seed_build, repo):
    import subprocess

    command = datasette_command(seed_build, metadata=repo / "metadata.yml") + ["--get", "/tracker/new_cases_feed.atom"]
    completed = subprocess.run(command, capture_output=True, timeout=120)
    feed = feedparser.parse(completed.stdout)
    assert not feed.bozo, completed.stderr[-500:]
    cases = sqlite_utils.Database(seed_build)["cases"].count
    assert len(feed.entries) == min(cases, 100) > 0
