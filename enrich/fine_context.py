"""What an amount of money is, judged by the words around it in its sentence: a fine (and its status), or
something else (a statutory maximum, revenue, damages, a daily penalty). Pure functions over strings; the
phrasings are tables below.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from enrich.spans import text_of

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = ["Role", "amount_role", "sentence_bounds", "FINE_CUES", "PARTY_CUES", "STATUS_RANK"]

#: A sentence must say one of these for an amount in it to be a fine.
FINE_CUES = re.compile(
    r"\b(?:fine[ds]?|fining|penalt(?:y|ies)|penali[sz](?:e|ed|es|ing)|sanction(?:s|ed)?|punish(?:ed|ment)?|"
    r"levied|levies|imposed|impose[sd]?|forfeit(?:ure)?|(?:ordered|agreed|has|have|had|must|will|to) to pay|"
    r"must pay|pay(?:ing)? (?:a|the) (?:total|sum)|settle(?:d|ment)?|amende|bu(?:ß|ss)geld|multa)\b",
    re.I,
)
#: Sentences that name the party of a case without stating a fine ("an investigation against X").
PARTY_CUES = re.compile(r"\b(?:investigation|proceedings?|complaint|case|audit|inspection)s?\s+(?:against|into|"
                        r"of|on)\b", re.I)

#: Status cues, nearest to the amount wins (proposed against imposed); "overturned" and "reduced" hold for
#: the whole sentence.
PROPOSED_CUES = re.compile(
    r"\b(?:intends?|intended|intending|plans?|planned|planning|proposes?|proposed|proposing|seeks?|sought|"
    r"seeking|recommends?|recommended|wants?) (?:to )?(?:fine|impose|levy|issue|a fine|a penalty|penali[sz]e)|"
    r"\b(?:intention|notice|notices) (?:of intent|to fine|to impose)|\bnotice of intent|\bdraft (?:decision|fine)|"
    r"\bproposed (?:a |the )?(?:fine|penalty|sanction)|\bprovisional(?:ly)?\b|\bpreliminary\b|"
    r"\bfaces?\b|\bfacing\b|\bcould be fined\b|\bset to (?:be )?fine|\b(?:would|will|could|may|might) "
    r"(?:fine|impose|levy|penali[sz]e)\b",
    re.I,
)
IMPOSED_CUES = re.compile(
    r"\b(?:fined|imposed|imposes|impose|levied|levies|ordered to pay|slapped|hit with|handed|issued|received|"
    r"must pay|has to pay|agreed to pay|penali[sz]ed|sanctioned|finalised|finalized|confirmed|upheld)\b",
    re.I,
)
_DECISION = r"(?:fines?|penalt(?:y|ies)|sanctions?|decisions?|orders?)"
_OVERTURN = (r"(?:annul(?:led|s|ment of)?|overturn(?:ed|s|ing)?|quash(?:ed|es|ing)?|struck down|strikes down|"
             r"set aside|revok(?:ed|es|ing)|invalidat(?:ed|es|ing)|scrapp(?:ed|ing)|cancell?(?:ed|ing|ation of)|"
             r"void(?:ed)?)")
#: The fine (or the decision imposing it) was overturned: the overturning verb next to the fine or decision.
OVERTURNED_CUES = re.compile(
    rf"\b{_OVERTURN}\s+(?:\S+\s+){{0,6}}?{_DECISION}\b|"
    rf"\b{_DECISION}\b[^.;]{{0,80}}?\b(?:was|were|has been|have been|had been|is|are|being)\s+(?:\w+\s+)?{_OVERTURN}",
    re.I,
)
REDUCED_CUES = re.compile(r"\b(?:reduc(?:ed|es|e|ing|tion)|cut|lowered|lowers|slashed|slashes|down from|"
                          r"decreased|trimmed)\b", re.I)
#: In a sentence about a reduction, an amount right after "to" is the new amount ...
REDUCED_TO_BEFORE = re.compile(r"\bto\s+(?:just\s+|only\s+|a\s+total\s+of\s+)?$", re.I)
#: ... and one followed by "was reduced (to)" is the old one.
REDUCED_AFTER = re.compile(r"^[^.;]{0,50}?\b(?:reduc(?:ed|tion)|cut|lowered|slashed|decreased|trimmed)\b(?!\s+from)",
                           re.I)
#: Sentences listing the parts a fine is made of ("The fine consists of €5,000 for ... and €1,000 for ...").
PARTS_CUES = re.compile(r"\b(?:compos(?:ed|es)|consists?|consisting|made up|broken down|divided|comprises?|"
                        r"comprising|breaks down|split (?:into|between))\b", re.I)

#: Which of two mentions of one fine tells its latest state.
STATUS_RANK = {"proposed": 0, "imposed": 1, "reduced": 2, "overturned": 3}

#: Words right before an amount that make it something other than a fine.
NOT_FINE_BEFORE = re.compile(
    r"(?:\bup to|\bas much as|\bas high as|\bmaximum(?: (?:fine|penalty|amount))?(?: of)?|\bmax\.?|"
    r"\bcapped at|\bcap of|\bceiling of|\bno more than|\bnot (?:more than|exceeding|to exceed)|\bexceeding|"
    r"\b(?:can|could|may|might|would) (?:be fined|face|reach|amount to|result in|incur)[^.;]{0,25}|"
    r"\brisk(?:s|ing|ed)?\b[^.;]{0,25}|\bpotential(?:ly)?\b[^.;]{0,20}|\bbetween|"
    r"\b(?:revenue|revenues|turnover|sales|profits?|earnings|income|market (?:value|cap(?:itali[sz]ation)?)|"
    r"valu(?:ed|ation)|worth|raised|raising|funding|invest(?:ed|ing|ment|ments)|salary|salaries|wages?|bonus(?:es)?|"
    r"compensation|damages|price|prices|priced|costs?|budget|spent|spending|acquisition|acquired|bought|buy|"
    r"deal|bid|loan|debt|tax(?:es)?|refunds?|reimburse(?:d|ment)?|claim(?:ed|ing|s)?|seeking|sought|demand(?:ed|s)?|"
    r"donat(?:ed|ion)|grant|subsid(?:y|ies)|paid out|payout|capital|assets|purchase[ds]?|fee|fees|ransom|"
    r"stolen|theft|losses|loss|lost|bail|bond))"
    r"(?:\s+\w+){0,3}?\s*(?:of|at|to|from|by|in|for|about|around|over|nearly|almost|some|approximately|"
    r"roughly|more than|than|exceeding|totall?ing|reaching|worth|is|was|were|are|:)?\s*$",
    re.I,
)
#: Words right after an amount that make it something other than a fine.
NOT_FINE_AFTER = re.compile(
    r"^\s*(?:\)\s*)?(?:"
    r"(?:per|a|each|every|for each|for every) (?:day|week|month|hour)\b|daily\b|"
    r"(?:in|of) (?:annual |yearly |global |worldwide |total )?(?:revenue|revenues|turnover|sales|profits?|"
    r"earnings|income|funding|investment|damages|compensation|losses|assets|capital|market value|taxes)\b|"
    r"(?:annual |yearly |global |worldwide )?(?:revenue|turnover|sales|profit|funding round|investment|"
    r"valuation|salary|bonus|loan|deal|acquisition|takeover|market cap)\b|"
    r"or (?:up to )?\d+(?:[.,]\d+)?\s*(?:%|per ?cent)|"
    r"(?:in|as) (?:damages|compensation|restitution|refunds?|back taxes)\b)",
    re.I,
)
#: An amount a later decision replaced: "reduced the fine from €X to €Y", "down from €X", "initially €X".
EARLIER_BEFORE = re.compile(
    r"(?:\bfrom|\bdown from|\b(?:initially|originally|previously|at first|initial|original)\b[^.;]{0,40})"
    r"(?:\s+(?:the|a|an|its|their|initial|original|originally|initially|an initial|the initial|the original|"
    r"the proposed))?\s*$",
    re.I,
)
RANGE_BEFORE = re.compile(r"\b(?:ranging|range|ranges|varying)\s+from\s+(?:\S+\s+to\s+)?$|"
                          r"\bbetween\s+(?:\S+\s+and\s+)?$", re.I)
#: How far around an amount the words above are looked for.
WINDOW_BEFORE = 70
WINDOW_AFTER = 45


@dataclass(frozen=True)
class Role:
    """What a fine amount is in its sentence."""

    status: str  # imposed | proposed | reduced | overturned
    earlier: bool = False  # replaced by a later amount in the same story
    part: bool = False  # one part of a fine whose total is stated too


def amount_role(sentence: str, start: int, end: int) -> Role | None:
    """The role of the amount at ``sentence[start:end]``: a fine with its status, or None when it is not a
    fine (no fine cue in the sentence, or a maximum, revenue, damages, daily penalty ...)."""
    if not FINE_CUES.search(sentence):
        return None
    before = sentence[max(0, start - WINDOW_BEFORE):start]
    after = sentence[end:end + WINDOW_AFTER]
    # Only the clause of the amount counts: cut the window at the nearest clause boundary.
    before = re.split(r"[;:]|\.\s|,\s(?:and|but|while|whereas)\s", before)[-1]
    if REDUCED_CUES.search(before) and REDUCED_TO_BEFORE.search(before) and not NOT_FINE_AFTER.match(after):
        return Role("reduced")  # "reduced for immediate payment and acknowledgement of debt to EUR 120,000"
    if NOT_FINE_BEFORE.search(before) or NOT_FINE_AFTER.match(after) or RANGE_BEFORE.search(before):
        return None
    if OVERTURNED_CUES.search(sentence):
        return Role("overturned")
    if REDUCED_CUES.search(sentence):
        if REDUCED_TO_BEFORE.search(before):
            return Role("reduced")
        if EARLIER_BEFORE.search(before) or REDUCED_AFTER.match(after):
            return Role("imposed", earlier=True)
        return Role("reduced")
    if EARLIER_BEFORE.search(before):
        return Role("imposed", earlier=True)
    if PARTS_CUES.search(sentence[:start]):  # the amounts after "consists of" are the parts
        return Role("imposed", part=True)
    return Role(_nearest_status(sentence, start, end))


def _nearest_status(sentence: str, start: int, end: int) -> str:
    cues = [(m.start(), m.end(), "proposed") for m in PROPOSED_CUES.finditer(sentence)]
    cues += [(m.start(), m.end(), "imposed") for m in IMPOSED_CUES.finditer(sentence)]
    before = [c for c in cues if c[1] <= start]
    if before:
        return max(before, key=lambda c: c[1])[2]
    after = [c for c in cues if c[0] >= end]
    if after:
        return min(after, key=lambda c: c[0])[2]
    return "imposed"


def sentence_bounds(doc: "Doc", char: int) -> tuple[int, int]:
    """Character offsets of the sentence holding ``char``: spaCy's sentence, rejoined with its neighbours
    where the parser split after an abbreviation ("Co.,Ltd. | was fined": a sentence never starts lower-case),
    and kept within its line."""
    text = text_of(doc)
    token = doc[_token_index(doc, char)]
    sent = token.sent
    start, end = sent.start, sent.end
    while start > 0 and _false_split(doc, start):
        start = doc[start - 1].sent.start
    while end < len(doc) and _false_split(doc, end):
        end = doc[end].sent.end
    start_char = doc[start].idx
    end_char = doc[end - 1].idx + len(doc[end - 1].text)
    line_start = text.rfind("\n", 0, char) + 1
    line_end = text.find("\n", char)
    start_char = max(start_char, line_start)
    if line_end != -1:
        end_char = min(end_char, line_end)
    while start_char < end_char and text[start_char].isspace():
        start_char += 1
    while end_char > start_char and text[end_char - 1].isspace():
        end_char -= 1
    return start_char, end_char


#: Abbreviations the parser takes for a sentence end ("a breach of Art. | 5 GDPR").
ABBREVIATIONS = frozenset({"art.", "arts.", "no.", "nos.", "para.", "paras.", "sec.", "lit.", "approx.", "ca.",
                           "e.g.", "i.e.", "vs.", "st.", "dr.", "mr.", "ms.", "mrs.", "p.", "pp.", "cf.", "jan.",
                           "feb.", "mar.", "apr.", "jun.", "jul.", "aug.", "sep.", "sept.", "oct.", "nov.", "dec.",
                           "u.s.", "u.k.", "eur."})
#: Tokens that cannot start a sentence of their own right after a company name ("Deliveroo Italy s.r.l. | EUR
#: 2,500,000 for ..."): the break before them is a mistake.
AMOUNT_STARTS = frozenset({"EUR", "USD", "GBP", "€", "£", "$", "CHF", "PLN", "HUF", "RON", "NOK", "SEK", "DKK",
                           "CZK", "BGN", "HRK", "ISK", "CNY", "RMB", "JPY", "KRW", "INR", "US$"})


def _false_split(doc: "Doc", i: int) -> bool:
    """Whether spaCy's sentence break before token ``i`` is a mistake: the next sentence starts lower-case or
    with a digit, or the previous one ends with an abbreviation; never across a line break."""
    if "\n" in doc[i - 1].whitespace_ or doc[i].is_space or doc[i - 1].is_space:
        return False
    first = doc[i].text[:1]
    if first.isdigit() or (first.isalpha() and first.islower()) or doc[i].text in AMOUNT_STARTS:
        return True
    return doc[i - 1].lower_ in ABBREVIATIONS


def _token_index(doc: "Doc", char: int) -> int:
    span = doc.char_span(char, char + 1, alignment_mode="expand")
    if span is not None and len(span):
        return span.start
    for token in doc:
        if token.idx >= char:
            return token.i
    return len(doc) - 1
