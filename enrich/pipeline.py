"""Running spaCy and the extractors over articles: article in, :class:`~enrich.records.ArticleFacts` out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc

from enrich.classify import classify_article
from enrich.dates import iso_date
from enrich.fines import extract_fines
from enrich.laws import find_laws
from enrich.nlp import load_nlp
from enrich.records import ArticleFacts, Entity
from enrich.violations import find_violations
from scraper.article_file import Article

#: Entity labels kept per article; bare numbers (CARDINAL, ORDINAL) are noise for our readers.
KEPT_ENTITY_LABELS = frozenset(
    {"ORG", "PERSON", "GPE", "LOC", "NORP", "LAW", "DATE", "MONEY", "EVENT", "PRODUCT", "FAC", "AUTHORITY"}
)
DEFAULT_BATCH_SIZE = 32


def analysed_text(article: Article) -> str:
    """The text enrichment reads: title, excerpt and body joined by blank lines (empty parts and an excerpt
    that merely repeats the body's opening are left out). Extracted offsets index into this text."""
    title = (article.meta.get("title") or "").strip()
    excerpt = (article.meta.get("excerpt") or "").strip()
    body = article.body.strip()
    if excerpt and body.startswith(excerpt.rstrip(".… ")):
        excerpt = ""
    return "\n\n".join(part for part in (title, excerpt, body) if part)


def published_date(article: Article) -> dt.date | None:
    """The article's publication date, from ``publishedDateTime``."""
    return iso_date(article.meta.get("publishedDateTime"))


def facts_from_doc(doc: Doc, article: Article) -> ArticleFacts:
    """Every extractor over one parsed article."""
    published = published_date(article)
    fines = extract_fines(doc, published=published)
    classification = classify_article(doc, fines)
    laws = find_laws(doc)
    return ArticleFacts(
        kind=classification.kind,
        published=published.isoformat() if published else None,
        entities=[
            Entity(ent.text, ent.label_, ent.start_char, ent.end_char)
            for ent in doc.ents
            if ent.label_ in KEPT_ENTITY_LABELS
        ],
        fines=fines,
        laws=laws,
        violations=find_violations(doc, laws),
        fined_party=classification.fined_party,
        authority=classification.authority,
        jurisdiction=classification.jurisdiction,
    )


def enrich_articles(
    articles: Iterable[Article],
    *,
    nlp: Language | None = None,
    processes: int = 1,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> Iterator[tuple[Article, ArticleFacts]]:
    """Parse articles with ``nlp.pipe`` (batched, optionally over several processes) and extract their facts,
    yielding ``(article, facts)`` in input order."""
    articles = list(articles)
    if not articles:
        return
    nlp = nlp or load_nlp()
    docs = nlp.pipe((analysed_text(a) for a in articles), batch_size=batch_size, n_process=processes)
    for article, doc in zip(articles, docs):
        yield article, facts_from_doc(doc, article)
