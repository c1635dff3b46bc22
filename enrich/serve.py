"""Serving the database with Datasette: read-only, immutable, with our metadata."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8001
#: Datasette settings for a public, read-only tracker.
SETTINGS = {
    "sql_time_limit_ms": 3000,
    "allow_csv_stream": "on",
    "max_csv_mb": 0,
    "allow_download": "on",
    "default_page_size": 50,
}


def datasette_command(
    db_path: Path, *, metadata: Path | None, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT
) -> list[str]:
    """The argument list that serves `db_path` immutably (Datasette never writes to it and can cache counts)."""
    datasette = shutil.which("datasette") or sys.executable.replace("python", "datasette")
    command = [datasette, "serve", "--immutable", str(db_path), "--host", host, "--port", str(port)]
    if metadata is not None:
        command += ["--metadata", str(metadata)]
    for name, value in SETTINGS.items():
        command += ["--setting", name, str(value)]
    return command
