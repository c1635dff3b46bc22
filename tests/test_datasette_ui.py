"""What a reader sees: a real Datasette (`enrich serve`) over a realistic database, driven by headless Chromium.

Each test renders one page after its JavaScript ran and asserts on the DOM; screenshots are kept in
test-artifacts/ (gitignored). Skipped, with the reason, when Chromium is not installed.
"""

from __future__ import annotations

import csv
import io
import re
import sqlite3
from urllib.parse import urljoin

import httpx
import pytest

from tests.browser import chromium_path, render

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(chromium_path() is None,
                       reason="chromium is not installed (bash tests/run installs Debian's chromium as root)"),
]


def number(text: str) -> int:
    return int(text.replace(",", ""))


def test_home_page_says_what_the_data_is(served):
    page = render(served + "/", screenshot="home.png")
    assert page.text("h1") == "Regulatory enforcement tracker"
    body = page.text()
    for expected in ("Where it comes from", "How it is extracted", "How reliable each field is", "held-out",
                     "Data license: CC BY 4.0"):
        assert expected in body
    form = page.tree.css_first("form.tracker-search")
    assert form.attributes["action"] == "/tracker/search" and form.css_first("input[name=q]") is not None
    links = {a.attributes.get("href") for a in page.tree.css("a")}
    assert {"/-/dashboards/fines", "/tracker/cases", "/tracker/new_cases_feed.atom"} <= links
    assert page.screenshot is not None


def test_cases_table_with_a_facet_applied(served, db):
    page = render(served + "/tracker/cases?jurisdiction=IE", screenshot="cases-facet-IE.png")
    expected = db.execute("select count(*) from cases where jurisdiction = 'IE'").fetchone()[0]
    assert page.text("h3") == f'{expected} rows where jurisdiction = "IE" sorted by decision_date descending'
    facet = page.text("#facet-jurisdiction")
    assert re.search(rf"IE · {expected}\b", facet)  # the selected value, with its count
    assert [page.text(f"#facet-{name} strong").split()[0] for name in ("authority", "currency", "status",
                                                                       "violation_type", "year")]
    jurisdictions = set(page.texts("td.col-jurisdiction"))
    assert jurisdictions == {"IE"}
    first_decision = page.texts("td.col-decision_date")[0]
    assert first_decision == db.execute("select max(decision_date) from cases where jurisdiction = 'IE'").fetchone()[0]
    # Amounts are shown with thousands separators; the facet counts add up to the rows.
    assert all(re.fullmatch(r"[\d,]+(\.\d\d)?|", a) for a in page.texts("td.col-amount_eur"))
    status_counts = [number(li.split()[-1]) for li in page.texts("#facet-status li")]
    assert sum(status_counts) <= expected


def test_full_text_search_shows_highlighted_snippets_safely(served, db):
    page = render(served + "/tracker/search?q=clearview+fined", screenshot="search.png")
    marks = {m.lower() for m in page.texts("td mark")}
    assert {"clearview", "fined"} <= marks <= {"clearview", "fined", "fine"}  # porter stemming: fine ~ fined
    rows = page.count("table.rows-and-columns tbody tr")
    expected = db.execute("select count(*) from articles_fts where articles_fts match '\"clearview\" \"fined\"'"
                          ).fetchone()[0]
    assert rows == expected > 1
    # A headline holding markup is shown as text, never run or rendered.
    assert not any("alert" in (s.text() or "") for s in page.tree.css("script"))
    assert page.count("td b") == 0
    assert 'Clearview <script>alert("x")</script>' in page.text("table.rows-and-columns")


def test_table_search_box(served):
    page = render(served + "/tracker/articles?_search=xpeng", screenshot="articles-search.png")
    assert page.text("h3").startswith("1 row where search matches")
    assert page.texts("td.col-title") == ["Xpeng Motors fined CNY 100,000 by State Administration for Market "
                                          "Regulation"]


def test_canned_query_with_a_parameter_links_to_case_pages(served, db):
    page = render(served + "/tracker/company?company=meta", screenshot="company-meta.png")
    assert page.tree.css_first("input[name=company]").attributes["value"] == "meta"
    case_id = db.execute("select id from cases where fined_party = 'Meta Platforms Ireland'").fetchone()[0]
    links = [a.attributes["href"] for a in page.tree.css("td.col-case_id a")]
    assert links == [f"/tracker/cases/{case_id}"]
    assert page.texts("td.col-amount_eur") == ["1,200,000,000"]


def test_case_page_lists_sources_with_evidence(served, db):
    case_id = db.execute("select id from cases where fined_party = 'Meta Platforms Ireland'").fetchone()[0]
    page = render(served + f"/tracker/cases/{case_id}", screenshot="case-page.png")
    assert page.text("h1") == "Meta Platforms Ireland · Irish Data Protection Commission"
    assert page.text("h2#sources") == "Sources (4)"
    rows = page.tree.css("table.case-sources tbody tr")
    outlets = [row.css("td")[1].text(strip=True) for row in rows]
    assert sorted(outlets) == ["Euractiv", "Reuters", "TechNode", "The Record"]
    expected_urls = [r[0] for r in db.execute(
        "select url from case_sources where case_id = ? order by source_number", [case_id])]
    assert [row.css_first("td a").attributes["href"] for row in rows] == expected_urls
    assert all("€1.2 billion" in row.css_first("q").text() for row in rows)


def test_chart_page_renders_bars_from_local_assets(served, db):
    page = render(served + "/-/dashboards/fines", screenshot="dashboard.png")
    years = db.execute("""select count(distinct year) from cases
                          where status in ('imposed', 'reduced') and amount_eur is not null""").fetchone()[0]
    countries = db.execute("""select count(distinct jurisdiction) from cases
                              where status in ('imposed', 'reduced') and amount_eur is not null""").fetchone()[0]
    assert page.count("#chart-by_year svg") == 1
    assert page.count("#chart-by_year g.mark-rect path") == years
    assert page.count("#chart-by_jurisdiction g.mark-rect path") == countries
    assert page.count("#chart-by_authority g.mark-rect path") == min(15, db.execute(
        "select count(distinct authority) from cases where status in ('imposed', 'reduced')").fetchone()[0])
    final = db.execute("select count(*) from cases where status in ('imposed', 'reduced') and amount_eur is not null"
                       ).fetchone()[0]
    assert number(page.text("#chart-cases_count")) == final
    # Every script, stylesheet and image comes from this server: the browser has no internet.
    assets = [n.attributes.get("src") for n in page.tree.css("script[src], img[src]")] + [
        n.attributes.get("href") for n in page.tree.css("link[rel=stylesheet]")]
    assert assets and all(urljoin(served + "/", a).startswith(served + "/") for a in assets), assets


def test_chart_filter_by_country(served, db):
    page = render(served + "/-/dashboards/fines?jurisdiction=CN", screenshot="dashboard-CN.png")
    expected = db.execute("""select count(*) from cases where jurisdiction = 'CN'
                             and status in ('imposed', 'reduced') and amount_eur is not null""").fetchone()[0]
    assert number(page.text("#chart-cases_count")) == expected
    assert page.count("#chart-by_jurisdiction g.mark-rect path") == 1
    assert page.text("#chart-by_jurisdiction").count("CN") == 1


def test_csv_link_on_the_page_downloads_every_row(served, sample):
    page = render(served + "/tracker/fines?status__not=proposed")
    link = next(a.attributes["href"] for a in page.tree.css("p.export-links a") if a.text() == "CSV")
    assert "_stream" not in link  # Datasette's own link: plugins/csv_all_rows.py makes it stream every row
    response = httpx.get(urljoin(served + "/", link), timeout=60)
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.text)))
    expected = sqlite3.connect(sample.path).execute("select count(*) from fines where status != 'proposed'"
                                                    ).fetchone()[0]
    assert expected > 1000 and len(rows) == expected
    assert "proposed" not in {r["status"] for r in rows}


def test_database_page_orders_tables_for_readers(served):
    page = render(served + "/tracker", screenshot="database.png")
    tables = page.texts("div.db-table h3")
    assert tables[0] == "cases" and tables[-1] == "build_errors"
    assert "Search articles" in page.texts("ul.bullets li")
