"""Fines stated in a parsed article: amount, currency, converted value, status, fined party, authority,
jurisdiction, decision date, and the sentence that says so.

How an amount becomes a fine (each step a table in :mod:`enrich.fine_context`):

1. :func:`enrich.money.find_amounts` finds every amount in the text (a cheap regex pass; no amount, no work).
   A restatement in another currency ("100,000 yuan ($15,720)") is part of its amount, not a second amount.
2. The amount's sentence must speak of a fine (``FINE_CUES``); the words around the amount must not make it
   something else: a statutory maximum ("up to €20m", "4% of turnover"), revenue, a valuation, damages, a
   salary, or a daily penalty ("€5,000 per day", left out: a periodic penalty is not the fine).
3. Its status comes from the sentence: proposed ("intends to fine", "draft decision"), reduced ("reduced the
   fine from €X to €Y": €Y, while €X is an earlier amount and dropped), overturned ("the court annulled the
   fine"), else imposed.
4. The same fine told twice (title and body, or in two currencies) is kept once; parts of a fine listed beside
   their total ("€6,000, composed of €5,000 for ... and €1,000 for ...") give way to the total.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from enrich import fine_context as ctx
from enrich.countries import country_code
from enrich.currency import convert
from enrich.dates import decision_date_in
from enrich.money import Amount, find_amounts, has_money
from enrich.parties import AuthorityMention, could_be_party, find_authorities, find_authority, find_fined_party
from enrich.records import Fine
from enrich.spans import entities_in, text_of

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

__all__ = ["extract_fines", "story_country"]

#: Relative difference under which two amounts in different currencies (or one rounded) are the same fine.
SAME_FINE_TOLERANCE = 0.05


@dataclass
class _Candidate:
    amount: Amount
    sentence: "Span"
    start: int  # evidence sentence offsets
    end: int
    status: str
    earlier: bool = False  # an amount a later decision replaced ("reduced from €X")
    part: bool = False  # a part of a fine whose total is stated ("consists of €5,000 for ...")


def extract_fines(doc: "Doc", *, published: dt.date | None = None,
                  jurisdiction_hint: str | None = None) -> list[Fine]:
    """Every distinct fine stated in ``doc``, in order of first mention.

    ``published`` resolves relative dates ("on Tuesday") and is the conversion date when the text gives no
    decision date. ``jurisdiction_hint`` (ISO 3166-1 alpha-2 or "EU"), when the caller knows the source's
    country, resolves ambiguous currency symbols and fills the jurisdiction when no authority is named.
    """
    text = text_of(doc)
    if not has_money(text) or not ctx.FINE_CUES.search(text):
        return []
    country = jurisdiction_hint or story_country(doc)
    amounts = find_amounts(text, country=country)
    if not amounts:
        return []
    found = []
    for amount in amounts:
        candidate = _candidate(doc, amount)
        if candidate is not None:
            found.append(candidate)
    candidates = _merge(list(found))
    if not candidates:
        return []
    doc_authorities = find_authorities(doc, country=country)
    fallback_party = _fallback_party(doc, found)
    fines = []
    for candidate in candidates:
        fines.append(_to_fine(doc, candidate, published=published, country=country,
                              doc_authorities=doc_authorities, fallback_party=fallback_party))
    return fines


def _candidate(doc: "Doc", amount: Amount) -> _Candidate | None:
    start, end = ctx.sentence_bounds(doc, amount.start)
    sentence_text = text_of(doc)[start:end]
    at, until = amount.start - start, (amount.equivalent or amount).end - start
    role = ctx.amount_role(sentence_text, at, until)
    if role is None:
        return None
    span = doc.char_span(start, end, alignment_mode="expand")
    return _Candidate(amount, span, start, end, status=role.status, earlier=role.earlier, part=role.part)


def _same_fine(a: Amount, b: Amount) -> bool:
    """Whether two amounts tell the same fine: equal, one restating the other, or within the tolerance once
    converted (a rounded "€1.2m" beside "€1,234,000", "$15,700" beside "100,000 yuan")."""
    for x, y in ((a, b), (b, a)):
        if x.currency == y.currency and x.value == y.value:
            return True
        if x.equivalent is not None and x.equivalent.currency == y.currency and x.equivalent.value == y.value:
            return True
    if a.currency == b.currency:
        return abs(a.value - b.value) <= SAME_FINE_TOLERANCE * max(a.value, b.value) and (a.scaled or b.scaled)
    a_eur, _ = convert(a.value, a.currency, None)
    b_eur, _ = convert(b.value, b.currency, None)
    if a_eur is None or b_eur is None:
        return False
    return abs(a_eur - b_eur) <= SAME_FINE_TOLERANCE * max(a_eur, b_eur)


def _merge(candidates: list[_Candidate]) -> list[_Candidate]:
    """One candidate per fine: parts dropped when their total is stated, repeats merged (keeping the most final
    status), and amounts a later decision replaced dropped."""
    candidates = _drop_parts(candidates)
    kept: list[_Candidate] = []
    for candidate in candidates:
        twin = next((k for k in kept if _same_fine(k.amount, candidate.amount)), None)
        if twin is None:
            kept.append(candidate)
            continue
        if ctx.STATUS_RANK[candidate.status] > ctx.STATUS_RANK[twin.status]:
            twin.status = candidate.status
        twin.earlier = twin.earlier and candidate.earlier
        if twin.amount.equivalent is None and candidate.amount.equivalent is not None and \
                candidate.amount.currency == twin.amount.currency:
            twin.amount = candidate.amount
    if any(not c.earlier for c in kept):
        kept = [c for c in kept if not c.earlier]
    return _drop_superseded(kept)


def _drop_parts(candidates: list[_Candidate]) -> list[_Candidate]:
    """Parts of a fine give way to its total: amounts marked as parts ("consists of €X for ... and €Y for ...")
    when another amount is not, and any run of two or more consecutive amounts that adds up to another."""
    if any(c.part for c in candidates) and any(not c.part for c in candidates):
        candidates = [c for c in candidates if not c.part]
    for total in candidates:
        others = [c for c in candidates if c.amount.currency == total.amount.currency
                  and c.amount.value < total.amount.value]
        for i in range(len(others)):
            running = 0.0
            for j in range(i, len(others)):
                running += others[j].amount.value
                if j > i and abs(running - total.amount.value) < 0.5:
                    run = others[i:j + 1]
                    return [c for c in candidates if not any(c is r for r in run)]
                if running > total.amount.value:
                    break
    return candidates


def _drop_superseded(candidates: list[_Candidate]) -> list[_Candidate]:
    """A story that reports a reduced fine without saying from what: the larger fines in force in the same
    currency are the amounts it replaced."""
    reduced = [c for c in candidates if c.status == "reduced"]
    if len(reduced) != 1:
        return candidates
    final = reduced[0]
    return [c for c in candidates if not (c.status == "imposed" and c.amount.currency == final.amount.currency
                                          and c.amount.value > final.amount.value)]


def _to_fine(doc: "Doc", candidate: _Candidate, *, published: dt.date | None, country: str | None,
             doc_authorities: list[AuthorityMention], fallback_party: str | None) -> Fine:
    amount = candidate.amount
    authority = find_authority(candidate.sentence, country=country) or (doc_authorities[0] if doc_authorities
                                                                         else None)
    decision = decision_date_in(candidate.sentence, published=published)
    eur, usd = convert(amount.value, amount.currency, decision or published)
    where = (amount.start, (amount.equivalent or amount).end)
    party = find_fined_party(candidate.sentence, amount=where, allow_definite=False) or fallback_party \
        or find_fined_party(candidate.sentence, amount=where)
    jurisdiction = authority.jurisdiction if authority else country
    return Fine(
        amount=amount.value,
        currency=amount.currency,
        evidence=text_of(doc)[candidate.start:candidate.end].strip(),
        start_char=candidate.start,
        end_char=candidate.end,
        status=candidate.status,
        amount_eur=eur,
        amount_usd=usd,
        fined_party=party,
        authority=authority.name if authority else None,
        jurisdiction=jurisdiction,
        decision_date=decision.isoformat() if decision else None,
        equivalent_amount=amount.equivalent.value if amount.equivalent else None,
        equivalent_currency=amount.equivalent.currency if amount.equivalent else None,
    )


def _fallback_party(doc: "Doc", found: list[_Candidate]) -> str | None:
    """A party named elsewhere in the story, for a fine whose sentence names none ("the original fine of €X
    was reduced to €Y"): the party of another amount's sentence (kept or not; a name, else "the doctor"),
    else of the first sentence speaking of a fine or a case ("an investigation against X"), else the first
    organisation or person that is a sentence's subject."""
    for allow_definite in (False, True):
        for candidate in found:
            where = (candidate.amount.start, (candidate.amount.equivalent or candidate.amount).end)
            party = find_fined_party(candidate.sentence, amount=where, allow_definite=allow_definite)
            if party:
                return party
    for sentence in doc.sents:
        if ctx.FINE_CUES.search(sentence.text) or ctx.PARTY_CUES.search(sentence.text):
            party = find_fined_party(sentence, allow_definite=False)
            if party:
                return party
    for ent in entities_in(doc):
        if ent.label_ in ("ORG", "PERSON") and ent.root.dep_ in ("nsubj", "nsubjpass") and could_be_party(ent.text):
            return ent.text
    return None


def story_country(doc: "Doc") -> str | None:
    """The country a story is about: the jurisdiction of the first authority it names, else the country most
    often named (GPE and NORP entities), or None."""
    authorities = find_authorities(doc)
    if authorities:
        return authorities[0].jurisdiction
    counts: dict[str, int] = {}
    for ent in entities_in(doc):
        if ent.label_ in ("GPE", "NORP"):
            code = country_code(ent.text)
            if code:
                counts[code] = counts.get(code, 0) + 1
    return max(counts, key=counts.get) if counts else None
