"""Who was fined and who fined them, in one sentence of a parsed article.

:func:`find_fined_party` reads the phrasings enforcement news uses ("X was fined", "fined X €5m", "imposed a
fine of €5m on X", "X must pay", "X has been hit with a fine"), as a table of patterns (``PARTY_PATTERNS``)
tried in order over the sentence; the party is then tidied (determiners, trailing reasons, "the controller"
style placeholders dropped). :func:`find_authority` returns the first regulator the authority ruler
(:mod:`enrich.authorities`) marked in the span.

Both take a spaCy ``Span`` (a sentence, or any stretch of a ``Doc``) and never re-parse.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from enrich.authorities import AUTHORITY_LABEL, AuthorityRecord, resolve_ids
from enrich.money import find_amounts
from enrich.spans import entities_in, text_of

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

__all__ = ["AuthorityMention", "find_authority", "find_authorities", "find_fined_party", "clean_party",
           "is_placeholder_party", "could_be_party", "AMOUNT_MARK"]

#: Stands for the fine's amount inside a sentence when the patterns below are matched.
AMOUNT_MARK = "\u00a4AMOUNT\u00a4"

_FINE_VERB = r"(?:fined|penali[sz]ed|sanctioned|punished|ordered to pay|slapped with|hit with|handed|given|issued)"
_BE = r"(?:was|were|is|are|has been|have been|had been|will be|would be|got|gets|has now been|was also|is being)"
#: Patterns over the sentence text (the amount replaced by AMOUNT_MARK), tried in order. Group ``party``
#: catches the fined party; a ``before`` group marks a party that ends where the group starts (its start
#: is found from the parse, see :func:`_noun_phrase_before`).
PARTY_PATTERNS: list[re.Pattern[str]] = [
    # "imposed a fine of €5m on X", "a €5m fine against X", "fine ... was imposed on X"
    re.compile(rf"(?:fine|penalty|sanction)s?\b(?:(?!reduc)[^.;]){{0,60}}?{AMOUNT_MARK}(?:(?!reduc)[^.;]){{0,40}}?"
               r"\b(?:on|against|upon)\s+(?P<party>[^;]+)", re.I),
    re.compile(rf"{AMOUNT_MARK}\s+(?:administrative\s+)?(?:fine|penalty|sanction)s?\b[^.;]{{0,40}}?"
               r"\b(?:on|against|upon)\s+(?P<party>[^;]+)", re.I),
    # "fined X €5m", "has fined X EUR 10,000"
    re.compile(rf"(?:\bfined|\bfines|\bpenali[sz](?:ed|es)|\bsanction(?:ed|s)|\bto\s+(?:fine|penali[sz]e|sanction))\s+"
               rf"(?P<party>.+?)\s+(?:(?:a\s+)?total\s+of\s+|an?\s+)?"
               rf"(?:about\s+|around\s+|approximately\s+)?{AMOUNT_MARK}", re.I),
    # "fined X €5m and Y €2m": the second party
    re.compile(rf"\bfine[ds]\b[^.;]*?(?:,|\band)\s+(?P<party>[A-Z][\w&.'’\- ]{{0,60}}?)\s+{AMOUNT_MARK}"),
    # "X was fined", "X has been hit with a fine"
    re.compile(rf"(?P<before>)\s*,?\s*\b{_BE}\s+(?:\w+\s+)?{_FINE_VERB}\b", re.I),
    # "X receives/faces/gets a €5m fine", "X must pay €5m"
    re.compile(rf"(?P<before>)\s*\b(?:received|receives|faces|faced|gets|got|incurred|incurs|agreed to pay|"
               rf"must pay|has to pay|had to pay|will have to pay|paid|pays|was ordered to pay)\b", re.I),
    # "fine (imposed) on X" without an amount nearby
    re.compile(r"\b(?:fine|penalty|sanction)s?\s+(?:was\s+|were\s+|has\s+been\s+)?(?:imposed|levied)\s+"
               r"(?:on|against|upon)\s+(?P<party>[^;]+)", re.I),
    re.compile(r"\b(?:impos(?:e|ed|es|ing)|levied|levy|issued)\s+(?:an?\s+|the\s+)?(?:\S+\s+){0,3}?"
               r"(?:fine|penalty|sanction)s?\b(?:(?!reduc)[^.;]){0,40}?\b(?:on|against|upon)\s+"
               r"(?P<party>[^;]+)", re.I),
    # "an investigation against X" (names the party when the fine's own sentence does not)
    re.compile(r"\b(?:investigation|proceedings?|complaint|case|audit|inspection)s?\s+(?:against|into)\s+"
               r"(?P<party>[^;]+)", re.I),
    # "fined X for ..."
    re.compile(r"\b(?:has|have|had)?\s*(?:fined|penali[sz]ed|sanctioned)\s+(?P<party>.+?)(?:\s+for\b|\s+over\b|"
               r"\s+because\b|\s+due\s+to\b|\s+after\b|,|\.\s*$|$)", re.I),
]

#: Where a party phrase ends: its reason, a relative clause, the next clause.
_PARTY_END = re.compile(
    r"\s*(?:\(\s*(?:about|approx|ca\.|around|roughly)[^)]*\)|\s+(?:for|over|because|due to|after|as|which|who|"
    r"whose|since|following|pursuant|under|in connection with|in relation to|by|in|on the grounds|owing|when|"
    r"while|that|at|with|from|and the|regarding|concerning)\s+(?![A-Z][a-z])|,\s+(?:which|who|as|after|"
    r"because|for|since|following|while|in|the|a|an|and|its|but|with)\b|\s+and\s+(?:a|an|the)\s|"
    r"\s+(?:has|have|had|was|were|is|are|will|would|can|could|must|should)\s|;|:|"
    r"(?<=[a-z]{3})\.\s+(?=[A-Z])|\.\s+(?=(?:A|An|The|In|On|This|That|These|However|After|He|She|They|It|"
    r"Its|According|During|Following|As)\s)|(?<=[A-Z]{4})\.\s+(?=[A-Z][a-z])|(?<=\.)\.|"
    r"(?<=[a-z]{5})\.\s*$|(?<=[A-Z]{4})\.\s*$|(?<=\))\.\s*$|$)",
)
#: Phrases that stand for a party named elsewhere: the caller should look for the name in other sentences.
_PLACEHOLDERS = re.compile(
    r"^(?:the|this|that|said|such|both|these|those|its|their)?\s*(?:data\s+)?(?:controller|processor|company|"
    r"companies|firm|entity|organi[sz]ation|operator|defendant|respondent|it|them|him|her|business|group|"
    r"undertaking|latter|former|accused|party|parties|person|bank|provider)s?$|^(?:it|them|him|her|they)$",
    re.I,
)
_LEADING = re.compile(r"^(?:(?:the|its|their|his|her|each|every|both|all)\s+)", re.I)
#: A description in parentheses after a name: "RATP (the operator of the public transport system in Paris)".
_TRAILING_DESCRIPTION = re.compile(r"\s*\((?:the|a|an|which|who)\s[^()]*\)\s*\.?$", re.I)
#: Bodies that fine or judge, never the fined party ...
_NOT_A_PARTY = re.compile(r"\b(?:DPA|court|tribunal|inspectorate|ombudsman|regulator|watchdog|prosecutor|judge)\b",
                          re.I)
#: ... and words that name one only when no proper name goes with them ("the authority", but "Tusla Child and
#: Family Agency" can be fined).
_GENERIC_AUTHORITY = re.compile(r"^(?:the\s+)?(?:[a-z]+\s+){0,2}(?:authority|commission|commissioner|agency|office)$")
#: Words a party phrase cannot start with (the pattern caught a preposition or a verb, not a name).
_NOT_A_START = re.compile(r"^(?:of|for|from|in|to|at|on|by|with|against|was|were|is|are|has|had|have|be|been|amount\w*|"
                          r"total\w*|worth|up|and|or|but|which|that|who)\b", re.I)
_TRAILING = re.compile(r"[\s,;:(\-–—]+$")


@dataclass(frozen=True)
class AuthorityMention:
    """A regulator named in the text."""

    record: AuthorityRecord
    text: str  # as written
    start_char: int
    end_char: int

    @property
    def name(self) -> str:
        return self.record.name

    @property
    def jurisdiction(self) -> str:
        return self.record.jurisdiction


def find_authorities(span: "Span | Doc", *, country: str | None = None) -> list[AuthorityMention]:
    """Every regulator the authority ruler marked in ``span``, in order."""
    found = []
    for ent in entities_in(span):
        if ent.label_ != AUTHORITY_LABEL:
            continue
        record = resolve_ids(ent.ent_id_, text=ent.text, country=country)
        if record is not None:
            found.append(AuthorityMention(record, ent.text, ent.start_char, ent.end_char))
    return found


def find_authority(span: "Span | Doc", *, country: str | None = None) -> AuthorityMention | None:
    """The regulator acting in ``span``: the one after "by" when there is one ("fined by the CNIL"), else the
    first named. None when the span names none."""
    mentions = find_authorities(span, country=country)
    if not mentions:
        return None
    doc = span.doc if hasattr(span, "doc") else span
    for mention in mentions:
        before = text_of(doc)[max(0, mention.start_char - 12):mention.start_char]
        if re.search(r"\bby\s+(?:the\s+)?$", before, re.I):
            return mention
    return mentions[0]


def find_fined_party(span: "Span", *, amount: tuple[int, int] | None = None, allow_definite: bool = True
                     ) -> str | None:
    """The party fined in ``span`` (a sentence), or None. ``amount`` gives the fine's character offsets in the
    document (the amount as written, with any parenthetical restatement) so that phrasings built around the
    amount ("fined X €5m", "a fine of €5m on X") are read.

    Placeholders ("the controller", "the company", "it") are never returned: the caller may look in the
    article's other sentences. A definite common noun ("the airline", "the hospital") is returned only with
    ``allow_definite`` and when nothing better is found in the span."""
    doc = span.doc
    start = span.start_char
    text = text_of(doc)[start:span.end_char]
    if amount is not None and start <= amount[0] and amount[1] <= span.end_char:
        text = text[:amount[0] - start] + AMOUNT_MARK + text[amount[1] - start:]
        shift = (amount[1] - amount[0]) - len(AMOUNT_MARK)
        mark_at = text.index(AMOUNT_MARK)
    else:
        amount, shift, mark_at = None, 0, len(text)
    weak = None
    for pattern in PARTY_PATTERNS:
        if AMOUNT_MARK in pattern.pattern and amount is None:
            continue
        for match in pattern.finditer(text):
            if "before" in pattern.groupindex:
                at = match.start() + (shift if match.start() > mark_at else 0)
                party, definite = _noun_phrase_before(doc, start + at)
            else:
                raw = match.group("party")
                party, definite = clean_party(raw), bool(_DEFINITE.match(raw))
            if not party or is_placeholder_party(party) or AMOUNT_MARK in party or _has_amount(party) \
                    or _is_authority_text(span, party):
                continue
            if definite and party == party.lower():
                weak = weak or party
                continue
            return party
    return weak if allow_definite else None


_DEFINITE = re.compile(r"^\s*(?:the|this|that|said|these|those)\s", re.I)


def clean_party(raw: str) -> str | None:
    """A party phrase without what follows it (reasons, clauses), leading determiners or trailing punctuation."""
    cut = _PARTY_END.search(raw)
    party = raw[:cut.start()] if cut else raw
    party = _TRAILING_DESCRIPTION.sub("", party.strip())
    party = _TRAILING.sub("", party)
    party = _LEADING.sub("", party).strip()
    if party.count("(") > party.count(")"):
        party = party[:party.rfind("(")].strip()
    party = _TRAILING.sub("", party)
    if not party or len(party) > 120 or not re.search(r"\w", party):
        return None
    return party


def _has_amount(party: str) -> bool:
    return party[:1].isdigit() or bool(find_amounts(party))


def could_be_party(text: str) -> bool:
    """Whether a name could be a fined party: not a placeholder, nor a regulator or court."""
    return not (is_placeholder_party(text) or _NOT_A_PARTY.search(text) or _GENERIC_AUTHORITY.match(text)
                or _NOT_A_START.match(text))


def is_placeholder_party(party: str) -> bool:
    """Whether ``party`` only points at a party named elsewhere ("the controller", "the company", "it")."""
    return bool(_PLACEHOLDERS.match(party.strip()))


def _is_authority_text(span: "Span", party: str) -> bool:
    if not could_be_party(party):
        return True
    for ent in entities_in(span):
        overlap = party in ent.text or ent.text in party
        if ent.label_ == AUTHORITY_LABEL and overlap and len(ent.text) * 2 >= len(party):
            return True
    return False


_NAME_POS = frozenset({"PROPN", "NOUN", "ADJ", "X"})
_NAME_JOINERS = frozenset({"&", "-", "of", "de", "del", "der", "di", "du", "and", "van", "von", "für", "'s", "’s"})
_NAME_ENTITIES = frozenset({"ORG", "PERSON", "GPE", "NORP", "FAC", "PRODUCT", "LOC"})


def _noun_phrase_before(doc: "Doc", char: int) -> tuple[str | None, bool]:
    """The noun phrase that ends right before character ``char`` (e.g. the subject before "was fined"),
    found by walking left over name-like tokens: "Shanghai XPeng Motor Sales Service Co.,Ltd."."""
    end = _token_before(doc, char)
    if end is None:
        return None, False
    start = None
    i = end
    while i >= 0:
        token = doc[i]
        if i < end and "\n" in token.whitespace_:
            break
        if token.ent_type_ in _NAME_ENTITIES:
            while i > 0 and token.ent_iob_ == "I":
                i -= 1
                token = doc[i]
            start = i
        elif token.pos_ in _NAME_POS or token.lower_ in _NAME_JOINERS or _attached_punct(doc, token):
            start = i
        else:
            break
        i -= 1
    if start is None:
        return None, False
    while start <= end and (doc[start].lower_ in _NAME_JOINERS or doc[start].is_punct):
        start += 1
    if start > end:
        return None, False
    definite = start > 0 and doc[start - 1].lower_ in ("the", "this", "that", "said", "these", "those")
    return clean_party(doc[start:end + 1].text), definite


def _attached_punct(doc: "Doc", token: "Token") -> bool:
    """Punctuation and fragments inside a name: "Co.,Ltd.", "S.p.A.", "(SPK)"."""
    if token.text in ("!", "?", ";", ":", '"', "“", "”") or token.pos_ in ("VERB", "AUX", "DET", "ADP", "SCONJ"):
        return False
    if token.text in ("(", ")"):
        return True
    if not (token.is_punct or token.pos_ == "PUNCT"):
        return False
    return token.whitespace_ == "" or (token.i > 0 and doc[token.i - 1].whitespace_ == "")


def _token_before(doc: "Doc", char: int) -> int | None:
    """The last non-space token ending at or before ``char`` (skipping a comma)."""
    span = doc.char_span(0, char, alignment_mode="contract") if char > 0 else None
    if span is None or len(span) == 0:
        return None
    i = span.end - 1
    while i >= 0 and (doc[i].is_space or doc[i].text == ","):
        i -= 1
    return i if i >= 0 else None
