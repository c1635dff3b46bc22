"""Laws cited in an article: "GDPR", "Articles 6 and 32 of the GDPR", "China's Personal Information Protection Law".

The laws and their spellings are data (``laws.yml`` beside this module); this module only matches them:

- full names ("Personal Information Protection Law") match case-insensitively, acronyms ("PIPL") case-sensitively,
  both on word boundaries, so "PIPL" never matches "PIPA";
- where two matches overlap the longest wins ("UK GDPR" over "GDPR");
- laws sharing a name are told apart by a `requires` pattern that must occur in the article (Singapore's and
  Thailand's "PDPA");
- acronyms that are also ordinary abbreviations ("DSA", "DMA") count only next to a law-like cue ("the EU's DSA",
  "DSA obligations") or when the law's full name is in the article too.

Article references ("Art. 5(1)(f)", "Articles 6 and 32", "Art. 5 (1) f)", "Section 5", "§ 22") are attached to the
law they cite ("... of the GDPR", "GDPR Article 6"), else to the nearest law in the same sentence, else to the
last law cited earlier in the same paragraph; a reference followed by a law we do not know ("Art. 11 Law
3471/2006") is dropped. They become the mention's ``detail``: "Art. 5(1)(f), Art. 6, Art. 32".
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from spacy.tokens import Doc

from enrich.records import Mention
from enrich.spans import text_of

_SENTENCE_SPANS_KEY = "enrich.sentence_spans"

__all__ = ["Law", "LawsFileError", "load_laws", "law_by_name", "find_laws", "find_laws_in_text", "sentence_spans"]

LAWS_FILE = Path(__file__).with_name("laws.yml")

#: A paragraph break: sentences never span one (spaCy's parser sometimes joins a title to the next line).
PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")

_WORD_BEFORE = r"(?<!\w)"
_WORD_AFTER = r"(?!\w)"

# --- article references -------------------------------------------------------------------------------------
_KEYWORD = r"(?i:Articles?|Arts?\.?|Sections?|Sec\.|§§?)"
_NUMBER = (
    r"\d+(?:\.\d+)?[a-z]?"  # 5, 1798.150, 6a
    r"(?:\s?\(\s?[0-9a-z]{1,4}\s?\))*"  # (1)(f)
    r"(?:\s?[a-z]\)(?!\w))?"  # " f)" as in "Art. 5 (1) f)"
    r"(?:\s?(?i:para(?:graph)?\.?|para\.|§)\s?\d+)?"  # para. 1
    r"(?:\s?(?i:lit(?:era)?\.?|letter|point)\s?\(?[a-z]\)?(?!\w))?"  # lit. f
)
_SEPARATOR = r"\s*(?:,\s*(?:and\s+)?|and|&|or|to|through|-|–)\s*"
ARTICLE_REFERENCE = re.compile(
    rf"(?<!\w)(?P<keyword>{_KEYWORD})\s*(?P<numbers>{_NUMBER}(?:{_SEPARATOR}(?:{_KEYWORD}\s*)?{_NUMBER})*)(?!\w)"
)
_ONE_NUMBER = re.compile(rf"(?:{_KEYWORD}\s*)?(?P<number>{_NUMBER})")
_RANGE = re.compile(r"^\s*(?:to|through|-|–)\s*$")
#: Words inside a reference that only introduce a subdivision.
_SUBDIVISION_WORDS = re.compile(r"(?i)paragraph|para|litera|lit|letter|point")
#: After a reference, "of the" and a qualifier may stand before the law's name.
_LAW_FOLLOWS = re.compile(r"\s*(?:of\s+)?(?:the\s+)?(?:(?:EU|EU's|EU’s|European|new)\s+)?")
#: After a reference: the name of a law we do not know, so the reference is not ours to attach.
_OTHER_LAW_FOLLOWS = re.compile(
    r"\s*(?:of\s+)?(?:the\s+)?(?:[A-Z]{2,}[A-Za-z]*\b|(?:[A-Z][\w'’-]*\s+){0,6}"
    r"(?:Law|Act|Code|Decree|Directive|Regulations?|Ordinance|Working Party)\b|Law\s+(?:No\.?\s*)?\d)"
)
_LAW_PRECEDES = re.compile(r"(?:['’]s)?\s*$")


class LawsFileError(ValueError):
    """``laws.yml`` is malformed. ``str()`` is one line naming the file and the entry."""


@dataclass(frozen=True)
class Law:
    """One entry of ``laws.yml``."""

    name: str
    title: str
    jurisdiction: str | None
    names: tuple[str, ...]
    acronyms: tuple[str, ...]
    ambiguous: frozenset[str]
    requires: re.Pattern[str] | None


@dataclass(frozen=True)
class _Catalogue:
    laws: tuple[Law, ...]
    names_pattern: re.Pattern[str] | None
    acronyms_pattern: re.Pattern[str] | None
    by_name_key: dict[str, tuple[Law, ...]]
    by_acronym: dict[str, tuple[Law, ...]]
    context_before: re.Pattern[str]
    context_after: re.Pattern[str]


def _name_key(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("’", "'")).strip().lower()


def _alias_regex(alias: str) -> str:
    parts = [re.escape(word).replace("'", "['’]").replace("’", "['’]") for word in alias.split()]
    return r"\s+".join(parts)


def _alternation(aliases: Sequence[str]) -> str:
    ordered = sorted(set(aliases), key=lambda a: (-len(a), a))
    return _WORD_BEFORE + "(?:" + "|".join(_alias_regex(a) for a in ordered) + ")" + _WORD_AFTER


@lru_cache(maxsize=4)
def _catalogue(path: str) -> _Catalogue:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise LawsFileError(f"{path}: {str(exc).splitlines()[0]}") from exc
    laws: list[Law] = []
    for index, entry in enumerate(data.get("laws") or []):
        if not isinstance(entry, dict) or not entry.get("name"):
            raise LawsFileError(f"{path}: entry {index + 1} has no name")
        names = tuple(entry.get("names") or ())
        acronyms = tuple(entry.get("acronyms") or ())
        if not names and not acronyms:
            raise LawsFileError(f"{path}: law {entry['name']!r} has neither names nor acronyms")
        try:
            requires = re.compile(entry["requires"], re.I) if entry.get("requires") else None
        except re.error as exc:
            raise LawsFileError(f"{path}: law {entry['name']!r}: bad requires pattern: {exc}") from exc
        laws.append(
            Law(
                name=str(entry["name"]),
                title=str(entry.get("title") or entry["name"]),
                jurisdiction=entry.get("jurisdiction"),
                names=names,
                acronyms=acronyms,
                ambiguous=frozenset(entry.get("ambiguous") or ()),
                requires=requires,
            )
        )
    by_name_key: dict[str, list[Law]] = {}
    by_acronym: dict[str, list[Law]] = {}
    for law in laws:
        for name in law.names:
            by_name_key.setdefault(_name_key(name), []).append(law)
        for acronym in law.acronyms:
            by_acronym.setdefault(acronym, []).append(law)
    all_names = [n for law in laws for n in law.names]
    all_acronyms = [a for law in laws for a in law.acronyms]
    context = data.get("acronym_context") or {}
    return _Catalogue(
        laws=tuple(laws),
        names_pattern=re.compile(_alternation(all_names), re.I) if all_names else None,
        acronyms_pattern=re.compile(_alternation(all_acronyms)) if all_acronyms else None,
        by_name_key={k: tuple(v) for k, v in by_name_key.items()},
        by_acronym={k: tuple(v) for k, v in by_acronym.items()},
        context_before=re.compile(context.get("before") or r"(?!)", re.I),
        context_after=re.compile(context.get("after") or r"(?!)", re.I),
    )


def load_laws(path: str | Path | None = None) -> tuple[Law, ...]:
    """The laws of ``laws.yml`` (or of `path`), in file order. Raises :class:`LawsFileError` when malformed."""
    return _catalogue(str(path or LAWS_FILE)).laws


def law_by_name(name: str) -> Law | None:
    """The first ``laws.yml`` entry with canonical name `name` (for its title and jurisdiction)."""
    return next((law for law in load_laws() if law.name == name), None)


def sentence_spans(doc: Doc) -> list[tuple[int, int]]:
    """Character spans of the doc's sentences, split further at blank lines and stripped of outer whitespace.
    Built once per Doc (kept in ``doc.user_data``): classification, laws and violations all read them."""
    cached = doc.user_data.get(_SENTENCE_SPANS_KEY)
    if cached is None:
        cached = doc.user_data[_SENTENCE_SPANS_KEY] = _sentence_spans(doc)
    return cached


def _sentence_spans(doc: Doc) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    text = text_of(doc)
    for sent in doc.sents:
        start = sent.start_char
        pieces = [m.start() for m in PARAGRAPH_BREAK.finditer(text, sent.start_char, sent.end_char)]
        bounds = [start]
        for cut in pieces:
            bounds.append(cut)
        bounds.append(sent.end_char)
        for begin, end in zip(bounds, bounds[1:]):
            piece = text[begin:end]
            stripped = piece.strip()
            if stripped:
                offset = begin + (len(piece) - len(piece.lstrip()))
                spans.append((offset, offset + len(stripped)))
    return spans


@dataclass
class _Match:
    law: Law
    start: int
    end: int


@dataclass
class _Reference:
    label: str  # "Art. 5(1)(f)"
    sort_key: tuple
    start: int
    end: int


def find_laws(doc: Doc) -> list[Mention]:
    """Laws cited in `doc`: one :class:`Mention` per law, in order of first citation. ``name`` is the law's
    canonical short name, ``evidence`` the sentence of its first citation, the offsets those of that citation,
    ``detail`` the article/section numbers cited anywhere in the text ("Art. 5(1)(f), Art. 32") or None."""
    return find_laws_in_text(text_of(doc), sentence_spans(doc))


def find_laws_in_text(
    text: str, sentences: Sequence[tuple[int, int]] | None = None, *, laws_file: str | Path | None = None
) -> list[Mention]:
    """:func:`find_laws` over plain text; `sentences` are character spans (by default, blank-line paragraphs)."""
    catalogue = _catalogue(str(laws_file or LAWS_FILE))
    if sentences is None:
        sentences = _paragraph_spans(text)
    matches = _law_matches(text, catalogue)
    if not matches:
        return []
    details: dict[str, dict[str, tuple]] = {}
    for reference, law_name in _attached_references(text, matches, sentences):
        details.setdefault(law_name, {})[reference.label] = reference.sort_key
    mentions: list[Mention] = []
    seen: set[str] = set()
    starts = [s for s, _ in sentences]
    for match in matches:
        name = match.law.name
        if name in seen:
            continue
        seen.add(name)
        begin, end = _sentence_of(match.start, match.end, sentences, starts)
        labels = details.get(name)
        detail = ", ".join(sorted(labels, key=labels.__getitem__)) if labels else None
        mentions.append(Mention(name, text[begin:end], match.start, match.end, detail))
    return mentions


def _paragraph_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    begin = 0
    for cut in [m.start() for m in PARAGRAPH_BREAK.finditer(text)] + [len(text)]:
        piece = text[begin:cut]
        if piece.strip():
            offset = begin + len(piece) - len(piece.lstrip())
            spans.append((offset, offset + len(piece.strip())))
        begin = cut
    return spans


def _sentence_of(
    start: int, end: int, sentences: Sequence[tuple[int, int]], starts: list[int]
) -> tuple[int, int]:
    index = bisect.bisect_right(starts, start) - 1
    if index >= 0 and sentences[index][1] >= end:
        return sentences[index]
    return start, end


def _law_matches(text: str, catalogue: _Catalogue) -> list[_Match]:
    candidates: list[tuple[int, int, tuple[Law, ...], bool]] = []  # start, end, laws, is_acronym
    if catalogue.names_pattern is not None:
        for m in catalogue.names_pattern.finditer(text):
            candidates.append((m.start(), m.end(), catalogue.by_name_key.get(_name_key(m.group()), ()), False))
    if catalogue.acronyms_pattern is not None:
        for m in catalogue.acronyms_pattern.finditer(text):
            key = re.sub(r"\s+", " ", m.group())
            candidates.append((m.start(), m.end(), catalogue.by_acronym.get(key, ()), True))
    candidates.sort(key=lambda c: (c[0], -(c[1] - c[0])))
    requires_cache: dict[int, bool] = {}

    def required(law: Law) -> bool:
        if law.requires is None:
            return True
        key = id(law)
        if key not in requires_cache:
            requires_cache[key] = law.requires.search(text) is not None
        return requires_cache[key]

    named_laws = {law.name for start, end, laws, is_acronym in candidates if not is_acronym for law in laws}
    kept: list[_Match] = []
    last_end = -1
    for start, end, laws, is_acronym in candidates:
        if start < last_end:
            continue
        law = next((law for law in laws if required(law)), None)
        if law is None:
            continue
        surface = re.sub(r"\s+", " ", text[start:end])
        if is_acronym and surface in law.ambiguous and law.name not in named_laws:
            if not (
                catalogue.context_before.search(text[max(0, start - 40) : start])
                or catalogue.context_after.search(text[end : end + 40])
            ):
                continue
        kept.append(_Match(law, start, end))
        last_end = end
    return kept


def _references(text: str) -> list[_Reference]:
    references: list[_Reference] = []
    for m in ARTICLE_REFERENCE.finditer(text):
        keyword = m.group("keyword").lower()
        prefix = "Section" if keyword.startswith(("sec", "§")) else "Art."
        numbers = m.group("numbers")
        previous: int | None = None
        previous_end = 0
        for n in _ONE_NUMBER.finditer(numbers):
            main, subdivisions = _split_number(n.group("number"))
            between = numbers[previous_end : n.start()]
            if previous is not None and _RANGE.match(between) and main.isdigit() and 0 < int(main) - previous <= 20:
                for number in range(previous + 1, int(main)):
                    references.append(_reference(prefix, str(number), (), m.start(), m.end()))
            references.append(_reference(prefix, main, subdivisions, m.start(), m.end()))
            previous = int(main) if main.isdigit() else None
            previous_end = n.end()
    return references


def _split_number(number: str) -> tuple[str, tuple[str, ...]]:
    head = re.match(r"\d+(?:\.\d+)?[a-z]?", number)
    assert head is not None
    rest = _SUBDIVISION_WORDS.sub(" ", number[head.end() :]).lower()
    return head.group(), tuple(re.findall(r"\d+|[a-z]", rest))


def _reference(prefix: str, main: str, subdivisions: tuple[str, ...], start: int, end: int) -> _Reference:
    label = f"{prefix} {main}" + "".join(f"({s})" for s in subdivisions)
    digits = re.match(r"\d+", main)
    sort_key = (prefix, int(digits.group()) if digits else 0, main, subdivisions)
    return _Reference(label, sort_key, start, end)


def _attached_references(
    text: str, matches: list[_Match], sentences: Sequence[tuple[int, int]]
) -> list[tuple[_Reference, str]]:
    by_start = {m.start: m for m in matches}
    by_end = {m.end: m for m in matches}
    starts = [s for s, _ in sentences]
    attached = []
    for reference in _references(text):
        law = _law_after(text, reference.end, by_start)
        if law is None:
            if _OTHER_LAW_FOLLOWS.match(text, reference.end) and not _law_after(text, reference.end, by_start, 60):
                continue
            law = _law_before(text, reference.start, by_end) or _nearest_law(
                text, reference, matches, sentences, starts
            )
        if law is not None:
            attached.append((reference, law.law.name))
    return attached


def _law_after(text: str, position: int, by_start: dict[int, _Match], window: int = 0) -> _Match | None:
    gap = _LAW_FOLLOWS.match(text, position)
    begin = gap.end() if gap else position
    if begin in by_start:
        return by_start[begin]
    if window:
        return next((by_start[p] for p in range(begin, min(len(text), begin + window)) if p in by_start), None)
    return None


def _law_before(text: str, position: int, by_end: dict[int, _Match]) -> _Match | None:
    window_start = max(0, position - 6)
    for end in range(position, window_start - 1, -1):
        if end in by_end and _LAW_PRECEDES.fullmatch(text, end, position):
            return by_end[end]
    return None


def _nearest_law(
    text: str,
    reference: _Reference,
    matches: list[_Match],
    sentences: Sequence[tuple[int, int]],
    starts: list[int],
) -> _Match | None:
    begin, end = _sentence_of(reference.start, reference.end, sentences, starts)
    in_sentence = [m for m in matches if m.start >= begin and m.end <= end]
    if in_sentence:
        return min(in_sentence, key=lambda m: (min(abs(m.start - reference.end), abs(reference.start - m.end)), m.start))
    paragraph_start = text.rfind("\n\n", 0, reference.start) + 1
    earlier = [m for m in matches if paragraph_start <= m.start < reference.start]
    return earlier[-1] if earlier else None
