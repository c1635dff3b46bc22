"""What an enforcement action was for: a small taxonomy of violation types, found from cue phrases and cited laws.

The taxonomy, its cue phrases and the laws and GDPR articles that imply each label are data in
``violations.yml`` beside this module. The labels, most specific first (that order is the precedence
:func:`primary_violation` uses):

=======================  ====================================================================================
biometric_data           facial images, fingerprints, voiceprints or other biometrics (usually without consent)
children                 children's data: parental consent, age checks, COPPA
international_transfer   personal data sent abroad without safeguards
direct_marketing         unsolicited calls, e-mails and texts, spam, cookies without consent
data_subject_rights      requests for access, erasure, objection ... ignored or refused
transparency             information duties: missing or misleading privacy notices
security_breach          insufficient security, breaches, leaks, hacks, late breach notification
retention_minimisation   data kept too long, more data than needed
dpo_cooperation          no data protection officer; failure to cooperate with the regulator
antitrust                abuse of dominance, cartels, unapproved mergers, gatekeeper rules
consumer_protection      unfair or deceptive commercial practices, misleading advertising, dark patterns
unlawful_processing      no legal basis: no (valid) consent, illegal collection or sharing
=======================  ====================================================================================

For labels marked ``negatable`` (security breaches, unlawful processing) a cue preceded within three words by a
negation ("has never leaked") does not count; for the others a negation usually states the failure itself
("never asked for parental consent").
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from spacy.tokens import Doc

from enrich.laws import sentence_spans
from enrich.spans import text_of
from enrich.records import Mention

__all__ = [
    "ViolationType",
    "ViolationsFileError",
    "load_taxonomy",
    "violation_labels",
    "find_violations",
    "find_violations_in_text",
    "primary_violation",
    "primary_label",
]

VIOLATIONS_FILE = Path(__file__).with_name("violations.yml")
#: Laws whose article numbers (``Mention.detail``) map to labels through the taxonomy's ``articles``.
GDPR_LIKE_LAWS = frozenset({"GDPR", "UK GDPR"})


class ViolationsFileError(ValueError):
    """``violations.yml`` is malformed. ``str()`` is one line naming the file and the entry."""


@dataclass(frozen=True)
class ViolationType:
    """One label of the taxonomy."""

    label: str
    title: str
    cues: re.Pattern[str]
    laws: frozenset[str]
    articles: tuple[str, ...]
    negatable: bool = False


@dataclass(frozen=True)
class _Taxonomy:
    types: tuple[ViolationType, ...]
    negation: re.Pattern[str]
    precedence: dict[str, int]


@lru_cache(maxsize=4)
def _taxonomy(path: str) -> _Taxonomy:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ViolationsFileError(f"{path}: {str(exc).splitlines()[0]}") from exc
    types = []
    for index, entry in enumerate(data.get("violations") or []):
        label = entry.get("label") if isinstance(entry, dict) else None
        if not label:
            raise ViolationsFileError(f"{path}: entry {index + 1} has no label")
        cues = entry.get("cues") or []
        try:
            pattern = re.compile(r"(?<!\w)(?:" + "|".join(f"(?:{c})" for c in cues) + r")(?!\w)", re.I) if cues else None
        except re.error as exc:
            raise ViolationsFileError(f"{path}: {label}: bad cue pattern: {exc}") from exc
        types.append(
            ViolationType(
                label=label,
                title=str(entry.get("title") or label),
                cues=pattern or re.compile(r"(?!)"),
                laws=frozenset(entry.get("laws") or ()),
                articles=tuple(entry.get("articles") or ()),
                negatable=bool(entry.get("negatable")),
            )
        )
    try:
        negation = re.compile(data.get("negation") or r"(?!)", re.I)
    except re.error as exc:
        raise ViolationsFileError(f"{path}: bad negation pattern: {exc}") from exc
    return _Taxonomy(tuple(types), negation, {t.label: i for i, t in enumerate(types)})


def load_taxonomy(path: str | Path | None = None) -> tuple[ViolationType, ...]:
    """The taxonomy of ``violations.yml`` (or `path`), in precedence order."""
    return _taxonomy(str(path or VIOLATIONS_FILE)).types


def violation_labels() -> tuple[str, ...]:
    """Every label, most specific first."""
    return tuple(t.label for t in load_taxonomy())


def find_violations(doc: Doc, laws: Sequence[Mention] = ()) -> list[Mention]:
    """Violation types in `doc`: one :class:`Mention` per label, in precedence order. ``name`` is the label,
    ``evidence`` the sentence of the first cue (or of the law citation that implies the label), the offsets
    those of the cue (or law), ``detail`` the cue's words or the law/article ("law: COPPA", "GDPR Art. 32").
    `laws` are :func:`enrich.laws.find_laws` mentions of the same doc."""
    return find_violations_in_text(text_of(doc), laws, sentence_spans(doc))


def find_violations_in_text(
    text: str,
    laws: Sequence[Mention] = (),
    sentences: Sequence[tuple[int, int]] | None = None,
    *,
    taxonomy_file: str | Path | None = None,
) -> list[Mention]:
    """:func:`find_violations` over plain text; `sentences` are character spans (default: the whole text)."""
    taxonomy = _taxonomy(str(taxonomy_file or VIOLATIONS_FILE))
    spans = list(sentences) if sentences else [(0, len(text))]
    starts = [s for s, _ in spans]
    found: list[Mention] = []
    for kind in taxonomy.types:
        mention = _first_cue(text, kind, taxonomy.negation, spans, starts) or _implied_by_law(kind, laws)
        if mention is not None:
            found.append(mention)
    return found


def _sentence(position: int, spans: Sequence[tuple[int, int]], starts: list[int]) -> tuple[int, int]:
    index = max(0, bisect.bisect_right(starts, position) - 1)
    return spans[index]


def _first_cue(
    text: str, kind: ViolationType, negation: re.Pattern[str], spans: Sequence[tuple[int, int]], starts: list[int]
) -> Mention | None:
    for match in kind.cues.finditer(text):
        begin, end = _sentence(match.start(), spans, starts)
        if kind.negatable and negation.search(text, max(begin, match.start() - 60), match.start()):
            continue
        evidence = text[begin:end] if begin <= match.start() < end else text[match.start() : match.end()]
        return Mention(kind.label, evidence, match.start(), match.end(), match.group())
    return None


def _implied_by_law(kind: ViolationType, laws: Sequence[Mention]) -> Mention | None:
    for law in laws:
        if law.name in kind.laws:
            return Mention(kind.label, law.evidence, law.start_char, law.end_char, f"law: {law.name}")
        if law.name in GDPR_LIKE_LAWS and law.detail and kind.articles:
            for cited in law.detail.split(", "):
                if any(cited == a or cited.startswith(a + "(") for a in kind.articles):
                    return Mention(kind.label, law.evidence, law.start_char, law.end_char, f"{law.name} {cited}")
    return None


def primary_violation(mentions: Iterable[Mention]) -> str | None:
    """One label for an article: the most specific label among `mentions` (taxonomy order), or None."""
    return primary_label([m.name for m in mentions], by_votes=False)


def primary_label(labels: Iterable[str | None], *, by_votes: bool = True) -> str | None:
    """One label for several articles' labels: with `by_votes`, the most frequent, ties going to the more
    specific; without, simply the most specific. Unknown labels rank after known ones; None is ignored."""
    precedence = _taxonomy(str(VIOLATIONS_FILE)).precedence
    counts = Counter(label for label in labels if label)
    if not counts:
        return None
    rank = len(precedence)
    return min(counts, key=lambda l: ((-counts[l] if by_votes else 0), precedence.get(l, rank), l))
