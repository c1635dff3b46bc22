"""The `enrich` command: build the database from article files, serve it, evaluate the extractors."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from enrich.evaluate import evaluate_command
from enrich.nightly import nightly_command
from enrich.serve import DEFAULT_HOST, DEFAULT_PORT, datasette_command

DEFAULT_DATA = "data"
DEFAULT_DB = "data/tracker.db"


def data_and_db_options(function):
    function = click.option("--db", "db_path", default=DEFAULT_DB, show_default=True,
                            type=click.Path(dir_okay=False, path_type=Path), help="SQLite database to write")(function)
    function = click.option("--data", "data_dir", default=DEFAULT_DATA, show_default=True,
                            type=click.Path(file_okay=False, path_type=Path),
                            help="Directory of article files (read recursively)")(function)
    return function


@click.group()
@click.version_option(package_name="regtracker")
def cli() -> None:
    """Understand article files: extract entities, fines, authorities, laws and cases into SQLite."""


def run_build(data_dir: Path, db_path: Path, processes: int, use_cache: bool = True) -> int:
    from enrich.build import build_database

    try:
        result = build_database(data_dir, db_path, processes=processes, use_cache=use_cache,
                                on_error=lambda message: click.echo(f"error: {message}", err=True))
    except FileNotFoundError as exc:
        raise click.ClickException(str(exc)) from None
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(
        f"{db_path}: {result.articles} articles, {result.fines} fines, {result.cases} cases "
        f"from {result.files} files ({len(result.errors)} failed; "
        f"{result.enriched} enriched, {result.reused} unchanged)",
        err=True,
    )
    return 0 if result.ok else 1


@cli.command()
@data_and_db_options
@click.option("--processes", default=1, show_default=True, type=click.IntRange(1, os.cpu_count() or 1),
              help="spaCy worker processes")
@click.option("--no-cache", is_flag=True,
              help="Re-run spaCy on every article instead of reusing facts of unchanged articles")
def build(data_dir: Path, db_path: Path, processes: int, no_cache: bool) -> None:
    """Build the database from every article file under --data.

    A file that cannot be read is reported on one line and skipped; the exit code is 1 if any failed.
    The database is replaced atomically. Facts of articles whose text and date are unchanged since the
    last build, under the same extractor version, come from data/.enrich-cache.sqlite instead of spaCy.

    Example:

        enrich build --data data --db data/tracker.db
    """
    raise SystemExit(run_build(data_dir, db_path, processes, use_cache=not no_cache))


@cli.command()
@data_and_db_options
@click.option("--metadata", default="metadata.yml", show_default=True,
              type=click.Path(dir_okay=False, path_type=Path), help="Datasette metadata file")
@click.option("--host", default=DEFAULT_HOST, show_default=True)
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=int)
@click.option("--no-build", is_flag=True, help="Serve the existing database without rebuilding it")
def serve(data_dir: Path, db_path: Path, metadata: Path, host: str, port: int, no_build: bool) -> None:
    """Build the database (unless --no-build), then serve it with Datasette on HOST:PORT.

    Example:

        enrich serve --port 8001
    """
    if not no_build and run_build(data_dir, db_path, processes=1) != 0:
        click.echo("some files failed to load; serving the rest", err=True)
    if not db_path.exists():
        raise click.ClickException(f"{db_path}: database not found (run `enrich build` first)")
    click.echo(f"Serving {db_path} at http://{host}:{port}/", err=True)
    command = datasette_command(db_path, metadata=metadata if metadata.exists() else None, host=host, port=port)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(command[0], command)  # Datasette takes over this process, so signals reach it directly


# Commands that live beside the code they drive.
cli.add_command(evaluate_command, "evaluate")
cli.add_command(nightly_command, "nightly")
