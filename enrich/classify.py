"""What kind of article this is: an enforcement action, legislation (laws, draft rules, guidance, consultations)
or something else, and for enforcement who was acted against, by whom, where, even when no amount is stated.

The decision, in order:

1. the title (the analysed text's first sentence) says an enforcement verb ("X fined by Y", "CNIL fines Google",
   "ordered to pay", "opens probe into") -> enforcement; else a legislation phrase ("new data privacy law",
   "draft rules", "guidance", "comes into force", "consultation") -> legislation;
2. else a fine was extracted -> enforcement;
3. else cue phrases are counted over the text, the opening sentences (title, excerpt, lead) weighing more; the
   larger side wins when it reaches :data:`MIN_SCORE`, else "other".

For an enforcement article the fined party and authority come from the extracted fines first, then from the
sentences with enforcement cues (title first) through :mod:`enrich.parties`, then from the parse of a passive
headline ("Xpeng Motors fined by Chinese watchdog": the subject is the party, the ``by`` phrase the authority).
The jurisdiction is the authority's (gazetteer), else a country named in the authority phrase ("Chinese
watchdog" -> CN), else the story's country.

Cue phrases are tables below (:data:`ENFORCEMENT_CUES`, :data:`LEGISLATION_CUES`): add a phrasing there.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from enrich.authorities import lookup_authority
from enrich.countries import country_code
from enrich.laws import sentence_spans
from enrich.parties import find_authority, find_fined_party, is_placeholder_party
from enrich.records import Fine

__all__ = ["Classification", "classify_article", "ENFORCEMENT_CUES", "LEGISLATION_CUES", "MIN_SCORE"]

#: Phrasings of an enforcement action. Case-insensitive unless a pattern says otherwise.
ENFORCEMENT_CUES: tuple[str, ...] = (
    r"\bfined\b",
    r"\bfines\s+(?-i:[A-Z])",  # "CNIL fines Google" (a capitalised object), not "fines of up to"
    r"\bpenali[sz]ed\b",
    r"\bsanction(?:ed|s)\s+(?-i:[A-Z])|\bsanctioned\b",
    r"\bimpos(?:es|ed|ing)\b[^.]{0,40}?\b(?:fine|penalty|penalties|sanctions?|ban)\b",
    r"\blevie[sd]\b[^.]{0,30}?\b(?:fine|penalty)\b",
    r"\bordered\s+to\s+(?:pay|stop|delete|cease|suspend|halt|destroy|change|rectify|remove)\b",
    r"\bslapped\s+with\b|\bhit\s+with\s+(?:an?\s+)?(?:\S+\s+){0,3}(?:fine|penalty)\b",
    r"\breprimand(?:ed|s)?\b",
    r"\benforcement\s+(?:notice|action|order|decision)\b",
    r"\bsettle(?:s|d)?\b[^.]{0,40}?\b(?:charges|allegations|claims|probe|investigation|FTC|regulators?|SEC)\b",
    r"\bagree[sd]?\s+to\s+pay\b",
    r"\b(?:open(?:s|ed)?|launch(?:es|ed)?|start(?:s|ed)?|begin(?:s)?|began|initiat(?:es|ed))\s+(?:an?\s+)?"
    r"(?:formal\s+|antitrust\s+|privacy\s+|new\s+)?(?:investigation|probe|inquiry|proceedings)\b",
    r"\b(?:investigat(?:es|ed|ing)|prob(?:es|ed|ing))\s+(?-i:[A-Z])",
    r"\bpunish(?:ed|es)\b",
    r"\bcease[- ]and[- ]desist\b",
    r"\badministrative\s+penalt(?:y|ies)\b|\bpenalty\s+(?:notice|decision)\b|\bmonetary\s+penalty\b",
    r"\bfines?\s+(?:of|totall?ing|worth|between|ranging\s+from|amounting\s+to)\s+(?:[€£$¥₩₹]|\d|EUR|USD|GBP|CNY|RMB|"
    r"US\$)",
    r"\b(?:sues|sued)\b",
    r"\b(?:banned|suspended)\s+from\b",
)
#: Phrasings of legislation: laws, bills, draft rules, guidance, consultations, entry into force.
_RULE_NOUNS = (
    r"(?:laws?|rules?|regulations?|bill|legislation|act|directive|guidelines?|guidance|framework|standards?|"
    r"code\s+of\s+(?:practice|conduct)|amendments?|measures|provisions|requirements)"
)
LEGISLATION_CUES: tuple[str, ...] = (
    rf"\b(?:new|draft|proposed|landmark|sweeping|amended|revised|comprehensive|upcoming|forthcoming)\s+"
    rf"(?:[\w-]+\s+){{0,3}}?{_RULE_NOUNS}\b",
    rf"\b(?:pass(?:es|ed)?|adopt(?:s|ed)?|enact(?:s|ed)?|approv(?:es|ed)|unveil(?:s|ed)?|propos(?:es|ed)|"
    rf"introduc(?:es|ed)|draft(?:s|ed)|publish(?:es|ed)|issu(?:es|ed)|releas(?:es|ed)|finali[sz](?:es|ed)|"
    rf"amend(?:s|ed)|updat(?:es|ed))\s+(?:[\w'’-]+\s+){{0,4}}?{_RULE_NOUNS}\b",
    r"\bsign(?:s|ed)?\s+(?:\w+\s+){0,3}into\s+law\b",
    r"\b(?:comes?|came|coming|enters?|entered|entering|go(?:es)?|went)\s+into\s+(?:force|effect)\b",
    r"\b(?:takes?|took|taking)\s+effect\b|\bwill\s+take\s+effect\b",
    r"\b(?:public\s+)?consultation\b",
    r"\bguidance\b|\bguidelines\b",
    r"\bdraft\b",
    r"\blegislat(?:ion|ive|ors?|ure)\b|\blawmakers\b|\bparliament\b|\bcongress\b",
    r"\b(?:the|a|new|draft)\s+bill\b",
    r"\bwhite\s+paper\b",
    r"\bwill\s+(?:require|ban|prohibit|allow|oblige|force|state|regulate|restrict)\b",
    r"\bregulatory\s+framework\b",
)
#: The side (enforcement or legislation) must reach this weighted count of cue sentences to win without a
#: title cue or a fine.
MIN_SCORE = 2
#: Weight of a cue in the title, in the next two sentences (excerpt, lead), and further on.
TITLE_WEIGHT, LEAD_WEIGHT, BODY_WEIGHT = 3, 2, 1
LEAD_SENTENCES = 3

_ENFORCEMENT = re.compile("|".join(f"(?:{c})" for c in ENFORCEMENT_CUES), re.I)
_LEGISLATION = re.compile("|".join(f"(?:{c})" for c in LEGISLATION_CUES), re.I)
#: Verbs whose passive subject is the party and whose ``by`` phrase is the authority.
_ACTION_VERBS = frozenset({"fine", "fines", "fined", "penalise", "penalises", "penalised", "penalize", "penalizes",
                           "penalized", "sanction", "sanctions", "sanctioned", "punish", "punishes", "punished",
                           "reprimand", "reprimands", "reprimanded", "order", "orders", "ordered"})
#: The title is the text's first paragraph when it is no longer than this; else its first sentence.
MAX_TITLE_CHARS = 300
#: Dependency labels whose subtrees are not part of a name phrase.
_NAME_STOP_DEPS = frozenset({"prep", "relcl", "acl", "advcl", "punct", "cc", "conj", "appos", "det"})
#: Words that make a phrase a regulator rather than a company.
_AUTHORITY_WORDS = re.compile(
    r"\b(?:watchdog|regulator|authority|administration|commission|bureau|agency|ministry|department|"
    r"office|inspectorate|supervisor|court|tribunal|council|government|DPA|prosecutors?)\b",
    re.I,
)


@dataclass
class Classification:
    """The kind of an article and, for enforcement, its party, authority and jurisdiction."""

    kind: str  # one of enrich.records.ARTICLE_KINDS
    fined_party: str | None = None
    authority: str | None = None
    jurisdiction: str | None = None  # ISO 3166-1 alpha-2 or "EU"; for legislation, the story's country
    evidence: str | None = None  # the sentence that decided the kind
    start_char: int | None = None
    end_char: int | None = None
    reason: str = ""  # "title", "fine", "cues" or "" for other


def classify_article(doc: Doc, fines: Sequence[Fine] = ()) -> Classification:
    """The kind of article `doc` is (see the module docstring), with the enforcement details when it is one.
    `fines` are :func:`enrich.fines.extract_fines` results for the same doc."""
    spans = sentence_spans(doc)
    if not spans:
        return Classification("other")
    text = doc.text
    title_start, title_end = _title_span(text, spans)
    title = text[title_start:title_end]
    if _ENFORCEMENT.search(title):
        result = Classification("enforcement", evidence=title, start_char=title_start, end_char=title_end,
                                reason="title")
    elif _LEGISLATION.search(title):
        return Classification("legislation", jurisdiction=_story_country(doc), evidence=title,
                              start_char=title_start, end_char=title_end, reason="title")
    elif fines:
        first = fines[0]
        result = Classification("enforcement", evidence=first.evidence, start_char=first.start_char,
                                end_char=first.end_char, reason="fine")
    else:
        result = _by_scores(text, spans)
        if result.kind == "legislation":
            result.jurisdiction = _story_country(doc)
        if result.kind != "enforcement":
            return result
    _fill_enforcement_details(result, doc, spans, fines)
    return result


def _title_span(text: str, spans: Sequence[tuple[int, int]]) -> tuple[int, int]:
    """The title: the first paragraph (the parser may cut a headline in two: "Regulator fines | Uber €290m")."""
    start = spans[0][0]
    paragraph_end = text.find("\n\n", start)
    end = len(text) if paragraph_end < 0 else paragraph_end
    if end - start <= MAX_TITLE_CHARS:
        return start, len(text[:end].rstrip())
    return spans[0]


def _by_scores(text: str, spans: Sequence[tuple[int, int]]) -> Classification:
    scores = {"enforcement": 0, "legislation": 0}
    first_hit: dict[str, tuple[int, int]] = {}
    for index, (start, end) in enumerate(spans):
        weight = TITLE_WEIGHT if index == 0 else LEAD_WEIGHT if index < LEAD_SENTENCES else BODY_WEIGHT
        sentence = text[start:end]
        for kind, pattern in (("enforcement", _ENFORCEMENT), ("legislation", _LEGISLATION)):
            if pattern.search(sentence):
                scores[kind] += weight
                first_hit.setdefault(kind, (start, end))
    kind = max(scores, key=lambda k: (scores[k], k == "enforcement"))
    if scores[kind] < MIN_SCORE:
        return Classification("other")
    start, end = first_hit[kind]
    return Classification(kind, evidence=text[start:end], start_char=start, end_char=end, reason="cues")


def _fill_enforcement_details(
    result: Classification, doc: Doc, spans: Sequence[tuple[int, int]], fines: Sequence[Fine]
) -> None:
    for fine in fines:
        if result.fined_party is None and _plausible_party(fine.fined_party):
            result.fined_party = fine.fined_party
        if result.authority is None and fine.authority:
            result.authority = fine.authority
            result.jurisdiction = result.jurisdiction or fine.jurisdiction
    authority_jurisdiction: str | None = None
    agent_phrases: list[str] = []
    for start, end in spans:
        if result.fined_party and result.authority:
            break
        if not _ENFORCEMENT.search(doc.text[start:end]):
            continue
        sentence = doc.char_span(start, end, alignment_mode="expand")
        if sentence is None:
            continue
        if result.fined_party is None:
            party = find_fined_party(sentence)
            if not _plausible_party(party):
                party = _party_by_parse(sentence)
            if _plausible_party(party):
                result.fined_party = party
        mention = find_authority(sentence)
        if mention is not None and result.authority is None:
            result.authority = mention.name
            authority_jurisdiction = mention.jurisdiction
        agent = _agent_phrase(sentence)
        if agent:
            agent_phrases.append(agent)
    if result.authority is None and agent_phrases:
        # The most specific wording: "China's local market watchdog" over "Chinese watchdog".
        result.authority = max(agent_phrases, key=lambda p: (len(p.split()), -agent_phrases.index(p)))
    if result.jurisdiction is None:
        result.jurisdiction = authority_jurisdiction or _authority_jurisdiction(result.authority)
    if result.jurisdiction is None:
        result.jurisdiction = next(
            (code for phrase in agent_phrases if (code := _country_in(phrase))), None
        ) or _story_country(doc)


def _plausible_party(party: str | None) -> bool:
    if not party or len(re.findall(r"[^\W\d_]", party)) < 2:
        return False
    if re.match(r"(?i)(?:by|for|over|after|from|to|with)\b", party) or is_placeholder_party(party):
        return False
    return not _AUTHORITY_WORDS.search(party)


def _action_tokens(sentence: Span) -> list[Token]:
    return [t for t in sentence if t.lower_ in _ACTION_VERBS]


def _name_phrase(token: Token) -> str:
    """A noun and its compounds and modifiers (no clauses or prepositional phrases): "Xpeng Motors"."""
    keep = [token]
    for child in token.children:
        if child.dep_ not in _NAME_STOP_DEPS:
            keep.extend(child.subtree)
    keep.sort(key=lambda t: t.i)
    start, end = keep[0].i, keep[-1].i + 1
    while start < end and (token.doc[start].is_punct or token.doc[start].dep_ == "det"):
        start += 1
    return token.doc[start:end].text.strip()


def _proper_part(token: Token) -> str | None:
    """For "Chinese automaker Xpeng": the proper-noun apposition or compound, "Xpeng"."""
    for child in token.children:
        if child.dep_ in ("appos", "compound") and child.pos_ == "PROPN":
            return _name_phrase(child)
    return None


def _party_by_parse(sentence: Span) -> str | None:
    """The party of an enforcement verb: the object of "CNIL fines Google", the subject of "X has been fined",
    or in a headline ("Xpeng Motors fined by ...", parsed as a reduced relative clause) the noun it modifies."""
    for verb in _action_tokens(sentence):
        objects = [c for c in verb.children if c.dep_ == "dobj"]
        passive = [c for c in verb.children if c.dep_ in ("nsubjpass", "agent", "auxpass")]
        if objects and not passive:
            subjects = objects
        else:
            subjects = [c for c in verb.children if c.dep_ in ("nsubjpass", "nsubj")]
        if not subjects and verb.dep_ == "acl" and verb.head.pos_ in ("PROPN", "NOUN"):
            subjects = [verb.head]
        for subject in subjects:
            if subject.pos_ == "PROPN" or subject.ent_type_ in ("ORG", "PERSON", "GPE", "PRODUCT"):
                return _name_phrase(subject)
            proper = _proper_part(subject)
            if proper:
                return proper
    return None


def _agent_phrase(sentence: Span) -> str | None:
    """Who acted: the ``by`` phrase of a passive enforcement verb ("China's local market watchdog"), or the
    subject of an active one with an object ("Spanish watchdog fines Glovo")."""
    for verb in _action_tokens(sentence):
        agent = None
        for child in verb.children:
            if child.dep_ == "agent":
                agent = next((c for c in child.children if c.dep_ == "pobj"), None)
        if agent is None and any(c.dep_ == "dobj" for c in verb.children):
            agent = next((c for c in verb.children if c.dep_ == "nsubj"), None)
        if agent is not None and agent.pos_ != "PRON":
            phrase = re.sub(r"^(?:the|a|an)\s+", "", _name_phrase(agent), flags=re.I)
            if phrase:
                return phrase
    return None


def _authority_jurisdiction(authority: str | None) -> str | None:
    if not authority:
        return None
    record = lookup_authority(authority)
    return record.jurisdiction if record else _country_in(authority)


def _country_in(phrase: str) -> str | None:
    """A country named or implied in a phrase: "Chinese watchdog", "China's local market watchdog"."""
    words = re.findall(r"[\w.]+(?:\s+[A-Z][\w.]+)*", re.sub(r"['’]s\b", "", phrase))
    for word in words:
        code = country_code(word)
        if code:
            return code
    for word in re.findall(r"[\w.]+", re.sub(r"['’]s\b", "", phrase)):
        code = country_code(word)
        if code:
            return code
    return None


def _story_country(doc: Doc) -> str | None:
    from enrich.fines import story_country

    return story_country(doc)
