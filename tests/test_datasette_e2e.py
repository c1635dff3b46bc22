"""End to end: the real `enrich` CLI builds a database from the seeds and a real Datasette serves it over HTTP."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import REPO, free_port

pytestmark = pytest.mark.e2e
ENRICH = [sys.executable, "-m", "enrich"]


def wait_for(url: str, process: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited early: {process.stderr.read()}")
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {timeout}s")


@pytest.fixture(scope="module")
def served(tmp_path_factory, seeds):
    """`enrich serve` (build, then Datasette) on a free loopback port, as the README's run command does."""
    tmp = tmp_path_factory.mktemp("served")
    data = tmp / "data"
    data.mkdir()
    for path in seeds.glob("*.txt"):
        shutil.copy(path, data)
    port = free_port()
    process = subprocess.Popen(
        ENRICH + ["serve", "--data", str(data), "--db", str(data / "tracker.db"),
                  "--metadata", str(REPO / "metadata.yml"), "--port", str(port)],
        cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/-/versions.json", process)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


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
