"""The values enrichment extracts from one article, before they become database rows.

Character offsets (``start_char``, ``end_char``) index into the article's analysed text: its title, excerpt and
body joined by blank lines (see :func:`enrich.pipeline.analysed_text`), which the database keeps as
``articles.text``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

#: Fine statuses, in the order a decision moves through them.
FINE_STATUSES = ("proposed", "imposed", "reduced", "overturned")
#: Kinds of article.
ARTICLE_KINDS = ("enforcement", "legislation", "other")


@dataclass
class Fine:
    """One fine stated in an article, with the sentence it came from."""

    amount: float
    currency: str  # ISO 4217
    evidence: str
    start_char: int
    end_char: int
    status: str = "imposed"
    amount_eur: float | None = None
    amount_usd: float | None = None
    fined_party: str | None = None
    authority: str | None = None
    jurisdiction: str | None = None  # ISO 3166-1 alpha-2, or "EU"
    decision_date: str | None = None  # ISO 8601 date
    #: The same amount as the text restates it in another currency ("100,000 yuan ($15,720)": 15720, "USD").
    equivalent_amount: float | None = None
    equivalent_currency: str | None = None

    def as_row(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Entity:
    """A named entity found by spaCy (statistical model or the authority ruler)."""

    text: str
    label: str
    start_char: int
    end_char: int


@dataclass
class Mention:
    """Something cited in the text (a law, a violation type) with its evidence sentence."""

    name: str
    evidence: str
    start_char: int
    end_char: int
    detail: str | None = None  # e.g. "Art. 5, Art. 6" for GDPR


@dataclass
class ArticleFacts:
    """Everything enrichment extracts from one article."""

    kind: str = "other"
    published: str | None = None  # ISO 8601 date
    entities: list[Entity] = field(default_factory=list)
    fines: list[Fine] = field(default_factory=list)
    laws: list[Mention] = field(default_factory=list)
    violations: list[Mention] = field(default_factory=list)
    fined_party: str | None = None  # for enforcement articles, even when no amount is stated
    authority: str | None = None
    jurisdiction: str | None = None
