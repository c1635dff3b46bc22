"""Building the SQLite database from a directory of article files.

The database is a build output: it is written to a temporary file beside the target and renamed over it at
the end, so a reader (or Datasette) always sees the previous complete database or the new one. Building twice
from the same files gives the same database: rows are inserted in path order and every id is derived from
content, never from time or chance.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlite_utils
from tqdm import tqdm

from enrich import schema
from enrich.cache import CACHE_FILE_NAME, FactsCache, extractor_version, facts_key
from enrich.cases import CaseInput, group_cases
from enrich.pipeline import analysed_text, enrich_articles, published_date
from enrich.records import ArticleFacts
from enrich.runs import load_runs_log
from enrich.violations import primary_violation
from scraper.article_file import Article, ArticleFileError, read_article

#: Article files are ``*.txt``; names starting with a dot (temporary files, state) are never articles.
ARTICLE_SUFFIXES = (".txt",)
#: Freshly extracted facts are written to the cache every this many articles.
CACHE_BATCH = 200


@dataclass
class BuildResult:
    """What a build did. ``errors`` holds one line per file that could not be loaded."""

    files: int = 0
    articles: int = 0
    enriched: int = 0  # articles run through spaCy this time
    reused: int = 0  # articles whose facts came from the cache
    fines: int = 0
    cases: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def find_article_files(data_dir: Path) -> list[Path]:
    """Every article file under `data_dir`, recursively, in sorted relative-path order; hidden files and
    directories are skipped."""
    found = []
    for path in data_dir.rglob("*"):
        relative = path.relative_to(data_dir)
        if any(part.startswith(".") for part in relative.parts):
            continue
        if path.suffix in ARTICLE_SUFFIXES and path.is_file():
            found.append(path)
    return sorted(found, key=lambda p: p.relative_to(data_dir).as_posix())


def read_articles(paths: Iterable[Path], data_dir: Path, result: BuildResult) -> list[tuple[str, Article]]:
    """Read each file; a bad file becomes one line in ``result.errors`` and the rest go on. When two files hold
    the same article id, the first in path order wins and the other is reported as a warning."""
    loaded: list[tuple[str, Article]] = []
    seen: dict[str, str] = {}
    for path in paths:
        result.files += 1
        relative = path.relative_to(data_dir).as_posix()
        try:
            article = read_article(path)
        except ArticleFileError as exc:
            result.errors.append(f"{relative}: {exc.problem}")
            continue
        if article.id in seen:
            result.warnings.append(f"{relative}: same article id {article.id} as {seen[article.id]}; skipped")
            continue
        seen[article.id] = relative
        loaded.append((relative, article))
    return loaded


def article_row(relative_path: str, article: Article, facts: ArticleFacts) -> dict[str, Any]:
    meta = article.meta
    provider = meta.get("provider") if isinstance(meta.get("provider"), dict) else {}
    topics = meta.get("topics")
    return {
        "id": article.id,
        "title": meta.get("title"),
        "excerpt": meta.get("excerpt"),
        "body": article.body,
        "text": analysed_text(article),
        "kind": facts.kind,
        "published": meta.get("publishedDateTime"),
        "published_date": facts.published,
        "url": article.url,
        "provider": provider.get("name"),
        "provider_domain": provider.get("domain"),
        "category": meta.get("category"),
        "type": meta.get("type"),
        "topics": json.dumps(topics, ensure_ascii=False) if topics else None,
        "language": meta.get("language"),
        "source": meta.get("source"),
        "scraped": meta.get("scrapedDateTime"),
        "fined_party": facts.fined_party,
        "authority": facts.authority,
        "jurisdiction": facts.jurisdiction,
        "content_hash": meta.get("contentHash"),
        "path": relative_path,
    }


def fact_rows(article_id: str, facts: ArticleFacts) -> dict[str, list[dict[str, Any]]]:
    """Rows for the per-article tables, with ids derived from the article id and position."""
    return {
        "entities": [
            {"id": f"{article_id}-e{n}", "article_id": article_id, "text": e.text, "label": e.label,
             "start_char": e.start_char, "end_char": e.end_char}
            for n, e in enumerate(facts.entities)
        ],
        "fines": [
            {"id": f"{article_id}-f{n}", "article_id": article_id, **fine.as_row()}
            for n, fine in enumerate(facts.fines)
        ],
        "laws": [
            {"id": f"{article_id}-l{n}", "article_id": article_id, "law": m.name, "detail": m.detail,
             "evidence": m.evidence, "start_char": m.start_char, "end_char": m.end_char}
            for n, m in enumerate(facts.laws)
        ],
        "violations": [
            {"id": f"{article_id}-v{n}", "article_id": article_id, "violation_type": m.name,
             "evidence": m.evidence, "start_char": m.start_char, "end_char": m.end_char}
            for n, m in enumerate(facts.violations)
        ],
    }


def case_input(article: Article, facts: ArticleFacts) -> CaseInput:
    provider = article.meta.get("provider") if isinstance(article.meta.get("provider"), dict) else {}
    return CaseInput(
        article_id=article.id,
        published=facts.published,
        provider=provider.get("name"),
        kind=facts.kind,
        fined_party=facts.fined_party,
        authority=facts.authority,
        jurisdiction=facts.jurisdiction,
        fines=facts.fines,
        laws=sorted({m.name for m in facts.laws}),
        violation=primary_violation(facts.violations),
    )


def extract_facts(
    articles: list[Article],
    cache: FactsCache | None,
    result: BuildResult,
    *,
    processes: int,
    progress: bool,
) -> list[ArticleFacts]:
    """Facts for each article, in order: from the cache when the text, date and extractor are unchanged, else
    from spaCy and the extractors (and then stored in the cache, in batches, so a killed build keeps them)."""
    version = extractor_version()
    keys = [
        facts_key(analysed_text(a), (d.isoformat() if (d := published_date(a)) else None), version)
        for a in articles
    ]
    facts: dict[str, ArticleFacts] = cache.get_many(keys) if cache else {}
    todo = [(key, article) for key, article in zip(keys, articles) if key not in facts]
    result.reused, result.enriched = len(articles) - len(todo), len(todo)
    fresh: list[tuple[str, ArticleFacts]] = []
    enriched = enrich_articles((article for _, article in todo), processes=processes)
    bar = tqdm(enriched, total=len(todo), disable=not progress, desc="enrich", unit="article")
    for (key, _), (_, article_facts) in zip(todo, bar):
        facts[key] = article_facts
        fresh.append((key, article_facts))
        if cache and len(fresh) >= CACHE_BATCH:
            cache.put_many(fresh)
            fresh = []
    if cache:
        cache.put_many(fresh)
        cache.prune(set(keys))
    return [facts[key] for key in keys]


def build_database(
    data_dir: str | os.PathLike[str],
    db_path: str | os.PathLike[str],
    *,
    processes: int = 1,
    progress: bool | None = None,
    use_cache: bool = True,
    on_error: Callable[[str], None] | None = None,
) -> BuildResult:
    """Read every article file under `data_dir`, enrich it, group cases, and write the database to `db_path`
    atomically. Bad files are reported (``on_error`` is called with each one-line message) and skipped.

    With `use_cache`, facts of unchanged articles come from ``<data_dir>/.enrich-cache.sqlite`` instead of
    spaCy, so the cost of a rebuild grows with the number of new or changed articles."""
    data_dir, db_path = Path(data_dir), Path(db_path)
    if not data_dir.is_dir():
        raise FileNotFoundError(f"{data_dir}: data directory not found")
    result = BuildResult()
    loaded = read_articles(find_article_files(data_dir), data_dir, result)
    for message in result.errors:
        if on_error:
            on_error(message)

    db_path.parent.mkdir(parents=True, exist_ok=True)
    tmp_path = db_path.with_name(f".tmp-{db_path.name}")
    tmp_path.unlink(missing_ok=True)
    db = sqlite_utils.Database(tmp_path)
    try:
        schema.create_tables(db)
        show = progress if progress is not None else sys.stderr.isatty()
        articles = [article for _, article in loaded]
        if use_cache:
            with FactsCache(data_dir / CACHE_FILE_NAME) as cache:
                all_facts = extract_facts(articles, cache, result, processes=processes, progress=show)
        else:
            all_facts = extract_facts(articles, None, result, processes=processes, progress=show)
        rows: dict[str, list[dict[str, Any]]] = {"articles": [], "entities": [], "fines": [], "laws": [],
                                                 "violations": []}
        inputs = []
        for (relative, article), facts in zip(loaded, all_facts):
            rows["articles"].append(article_row(relative, article, facts))
            for table, table_rows in fact_rows(article.id, facts).items():
                rows[table].extend(table_rows)
            inputs.append(case_input(article, facts))
        for table, table_rows in rows.items():
            db[table].insert_all(table_rows, batch_size=500)
        write_cases(db, group_cases(inputs))
        result.warnings.extend(load_runs_log(db, data_dir))
        db["build_errors"].insert_all(
            [{"path": m.split(": ", 1)[0], "error": m.split(": ", 1)[1]} for m in result.errors + result.warnings]
        )
        db["build_info"].insert_all([{"key": "extractor_version", "value": extractor_version()}])
        schema.finish(db)
        result.articles = len(rows["articles"])
        result.fines = len(rows["fines"])
        result.cases = db["cases"].count
        db.close()
        os.replace(tmp_path, db_path)
    except BaseException:
        db.close()
        tmp_path.unlink(missing_ok=True)
        raise
    return result


def write_cases(db: sqlite_utils.Database, cases: list) -> None:
    case_columns = schema.TABLES_BY_NAME["cases"].columns
    case_rows, links = [], []
    for case in cases:
        row = {name: getattr(case, name, None) for name in case_columns}
        row["year"] = int(case.decision_date[:4]) if case.decision_date else (
            int(case.first_reported[:4]) if case.first_reported else None)
        case_rows.append(row)
        links.extend({"case_id": case.id, "article_id": a} for a in case.article_ids)
    db["cases"].insert_all(case_rows)
    db["case_articles"].insert_all(links)
