"""End to end: the real `enrich` CLI builds a database from the seeds and a real Datasette serves it over HTTP."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.sample_tracker import serve

pytestmark = pytest.mark.e2e
ENRICH = [sys.executable, "-m", "enrich"]


@pytest.fixture(scope="module")
def served(tmp_path_factory, seeds):
    """`enrich serve` (build from the seeds, then Datasette) on a free loopback port: the README's run command."""
    data = tmp_path_factory.mktemp("served") / "data"
    data.mkdir()
    for path in seeds.glob("*.txt"):
        shutil.copy(path, data)
    with serve(data / "tracker.db", data_dir=data) as base:
        yield base


def test_json_api_lists_the_xpeng_fine(served):
    rows = httpx.get(served + "/tracker/fines.json", params={"_shape": "array"}).json()
    assert [(row["amount"], row["currency"]) for row in rows] == [(100000.0, "CNY")]
    assert "Xuhui District Administration for Market Regulation" in rows[0]["evidence"]


def test_full_csv_export_of_fines(served):
    response = httpx.get(served + "/tracker/fines.csv", params={"_stream": "on", "_size": "max"})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 1
    assert rows[0]["currency"] == "CNY" and float(rows[0]["amount"]) == 100000
    assert {"amount_eur", "amount_usd", "status", "fined_party", "authority", "evidence"} <= set(rows[0])


def test_metadata_describes_every_table(served):
    metadata = httpx.get(served + "/-/metadata.json").json()
    tables = httpx.get(served + "/tracker.json").json()["tables"]
    described = metadata["databases"]["tracker"]["tables"]
    for table in tables:
        if table["hidden"]:
            continue
        assert described.get(table["name"], {}).get("description"), table["name"]


def test_database_is_served_read_only(served):
    response = httpx.post(served + "/tracker/-/query", data={"sql": "delete from fines"})
    assert response.status_code in (400, 403, 404, 405)
    assert len(httpx.get(served + "/tracker/fines.json", params={"_shape": "array"}).json()) == 1


def test_build_cli_exit_code_and_message(tmp_path, seeds):
    data = tmp_path / "data"
    data.mkdir()
    for path in seeds.glob("*.txt"):
        shutil.copy(path, data)
    (data / "bad.txt").write_bytes(b"\xff\xfe not utf-8")
    completed = subprocess.run(ENRICH + ["build", "--data", str(data), "--db", str(tmp_path / "t.db")],
                               capture_output=True, text=True)
    assert completed.returncode == 1
    assert "error: bad.txt: not UTF-8" in completed.stderr
    assert "3 articles" in completed.stderr
    assert Path(tmp_path / "t.db").exists()
