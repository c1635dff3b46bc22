"""``scrape page``: extract saved HTML pages into article files or JSON lines (a thin layer over scraper.extract)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import click

from scraper.article_file import dump_article
from scraper.extract import NotHtmlError, extract_page, page_to_article

FORMATS = ("article", "jsonl")


@click.command("page")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--url", help="The address the page was fetched from (required for one file in article format).")
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="article", show_default=True,
              help="article: the article file text; jsonl: one JSON object per file "
                   '({"file", "url", "title", "published", "body"}).')
@click.option("--source", help="Source name to record in the article's front matter.")
def page_command(files: tuple[Path, ...], url: str | None, output_format: str, source: str | None) -> None:
    """Extract the article (metadata and body text) from saved HTML FILES (plain or .gz).

    A file that cannot be read or is not HTML prints one error line naming it on stderr; the other files still
    go through, and the exit code is 1 at the end.

    \b
    Example:
      scrape page saved/story.html --url https://example.org/news/story
      scrape page pages/*.html.gz --format jsonl > bodies.jsonl
    """
    if output_format == "article" and len(files) > 1:
        raise click.UsageError("--format article takes one file; use --format jsonl for several")
    if output_format == "article" and not url:
        raise click.UsageError("--url is required with --format article")
    failed = 0
    for path in files:
        try:
            data = _read_page(path)
            # Without --url, a page's own <link rel=canonical> (or og:url) still becomes its url.
            page = extract_page(data, url or path.resolve().as_uri())
        except (OSError, NotHtmlError, EOFError, gzip.BadGzipFile) as exc:
            click.echo(f"error: {path}: {_reason(exc)}", err=True)
            failed += 1
            continue
        if output_format == "article":
            click.echo(dump_article(page_to_article(page, source=source)), nl=False)
        else:
            record = {"file": str(path), "url": page.url, "title": page.title, "published": page.published,
                      "body": page.body}
            click.echo(json.dumps(record, ensure_ascii=False))
    if failed:
        raise SystemExit(1)


def _read_page(path: Path) -> bytes:
    data = path.read_bytes()
    if path.suffix == ".gz" or data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return data


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    if isinstance(exc, (EOFError, gzip.BadGzipFile)):
        return f"not a valid gzip file ({exc})"
    return str(exc)
