"""Serving the database with Datasette: read-only, immutable, with our metadata."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

#: The repository's Datasette customisations: page templates and one-hook plugins (see each file's docstring).
REPO = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = REPO / "templates"
PLUGINS_DIR = REPO / "plugins"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8001
#: Datasette settings for a public, read-only tracker.
SETTINGS = {
    "sql_time_limit_ms": 3000,
    "allow_csv_stream": "on",
    "max_csv_mb": 0,
    "allow_download": "on",
    "default_page_size": 50,
    # Canned queries, custom SQL and CSV without _stream=on return at most this many rows (the table and view
    # pages paginate, and their CSV with _stream=on has every row).
    "max_returned_rows": 1000,
    "facet_time_limit_ms": 1000,
    # The facets that matter are configured per table in metadata.yml; suggestions were noise to readers.
    "suggest_facets": "off",
}


def datasette_command(
    db_path: Path, *, metadata: Path | None, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
    templates: Path | None = TEMPLATES_DIR, plugins: Path | None = PLUGINS_DIR,
) -> list[str]:
    """The argument list that serves `db_path` immutably (Datasette never writes to it and can cache counts),
    with our templates and plugins when those directories exist."""
    datasette = shutil.which("datasette") or sys.executable.replace("python", "datasette")
    command = [datasette, "serve", "--immutable", str(db_path), "--host", host, "--port", str(port)]
    if metadata is not None:
        command += ["--metadata", str(metadata)]
    if templates is not None and templates.is_dir():
        command += ["--template-dir", str(templates)]
    if plugins is not None and plugins.is_dir():
        command += ["--plugins-dir", str(plugins)]
    for name, value in SETTINGS.items():
        command += ["--setting", name, str(value)]
    return command
