"""The regulator gazetteer (``authorities.yml``) and the spaCy EntityRuler built from it.

:func:`add_authority_ruler` puts an ``entity_ruler`` named ``authority_ruler`` before ``ner``: every gazetteer
name becomes an entity with label ``AUTHORITY`` whose ``ent_id_`` is the authority's id (or several ids joined
by ``|`` when the name is shared, e.g. "Datatilsynet" is both Danish and Norwegian; :func:`resolve_ids` picks
one with the story's country). The statistical NER then labels the rest of the text around them.
Full names and aliases match ignoring case; acronyms and short names ("ICO", "CNIL", "Garante") match only as
written. Families of authorities ("Xuhui District Administration for Market Regulation") come from token
patterns; their ``ent_id_`` is the family's id and their name is the matched text.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

import yaml

from enrich.countries import Country, load_countries

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.pipeline import EntityRuler

__all__ = [
    "AUTHORITY_LABEL",
    "RULER_NAME",
    "AuthorityRecord",
    "Gazetteer",
    "load_gazetteer",
    "lookup_authority",
    "resolve_ids",
    "add_authority_ruler",
]

AUTHORITY_LABEL = "AUTHORITY"
RULER_NAME = "authority_ruler"
ID_SEPARATOR = "|"


@dataclass(frozen=True)
class AuthorityRecord:
    """One regulator."""

    id: str
    name: str  # the canonical name stored with fines
    jurisdiction: str  # ISO 3166-1 alpha-2, or "EU"
    domain: str  # data protection, competition, consumer, market regulation, cyberspace, financial, telecom
    short: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Gazetteer:
    """Authorities by id, the names that refer to them, and the token patterns for families of authorities."""

    records: dict[str, AuthorityRecord]
    #: Case-insensitive names (lower-cased) → ids.
    by_alias: dict[str, tuple[str, ...]]
    #: Case-sensitive short names → ids.
    by_short: dict[str, tuple[str, ...]]
    #: Families: id → (record template, spaCy token pattern).
    families: dict[str, tuple[AuthorityRecord, list[dict[str, Any]]]]


def _normalise_alias(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("’", "'")).strip().casefold()


@functools.lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """Parse ``authorities.yml`` (cached)."""
    raw = yaml.safe_load(resources.files("enrich").joinpath("authorities.yml").read_text(encoding="utf-8"))
    countries = {c.code: c for c in load_countries()}
    templates = raw.get("national_dpa_aliases") or []
    records: dict[str, AuthorityRecord] = {}
    by_alias: dict[str, list[str]] = defaultdict(list)
    by_short: dict[str, list[str]] = defaultdict(list)
    for entry in raw["authorities"]:
        jurisdiction = str(entry["jurisdiction"])
        aliases = list(entry.get("aliases") or [])
        if entry.get("national_dpa") and jurisdiction in countries:
            aliases += _national_aliases(countries[jurisdiction], templates)
        record = AuthorityRecord(
            id=entry["id"], name=entry["name"], jurisdiction=jurisdiction, domain=entry["domain"],
            short=tuple(entry.get("short") or ()), aliases=tuple(aliases),
        )
        records[record.id] = record
        for alias in (record.name, *aliases):
            key = _normalise_alias(alias)
            if record.id not in by_alias[key]:
                by_alias[key].append(record.id)
        for short in record.short:
            if record.id not in by_short[short]:
                by_short[short].append(record.id)
    families = {}
    for entry in raw.get("patterns") or []:
        template = AuthorityRecord(id=entry["id"], name="", jurisdiction=str(entry["jurisdiction"]),
                                   domain=entry["domain"])
        families[entry["id"]] = (template, entry["pattern"])
    return Gazetteer(
        records=records,
        by_alias={k: tuple(v) for k, v in by_alias.items()},
        by_short={k: tuple(v) for k, v in by_short.items()},
        families=families,
    )


def _national_aliases(country: Country, templates: list[str]) -> list[str]:
    """The template aliases of a national DPA: "{demonym} DPA" for each demonym, "DPA of {name}" for each name."""
    aliases = []
    for template in templates:
        if "{demonym}" in template:
            aliases += [template.format(demonym=d) for d in country.demonyms]
        if "{name}" in template:
            aliases += [template.format(name=n) for n in country.names]
    return aliases


def resolve_ids(ent_id: str, *, text: str = "", country: str | None = None) -> AuthorityRecord | None:
    """The authority an ``AUTHORITY`` entity refers to, from its ``ent_id_``: a gazetteer record, or for a family
    pattern a record named after the matched ``text``. A shared name picks the authority of ``country`` when
    given, else the first listed."""
    gazetteer = load_gazetteer()
    ids = [i for i in ent_id.split(ID_SEPARATOR) if i]
    if not ids:
        return None
    if len(ids) == 1 and ids[0] in gazetteer.families:
        template = gazetteer.families[ids[0]][0]
        name = re.sub(r"^(?:the|a|an)\s+", "", text.strip(), flags=re.I)
        return AuthorityRecord(template.id, name, template.jurisdiction, template.domain)
    candidates = [gazetteer.records[i] for i in ids if i in gazetteer.records]
    for record in candidates:
        if country and record.jurisdiction == country:
            return record
    return candidates[0] if candidates else None


def lookup_authority(text: str, *, country: str | None = None) -> AuthorityRecord | None:
    """The authority ``text`` names ("CNIL", "the Spanish DPA", "Autoriteit Persoonsgegevens"): an exact name
    first, else the longest gazetteer name found inside ``text`` as whole words. None when none is found."""
    gazetteer = load_gazetteer()
    stripped = re.sub(r"^(?:the)\s+", "", text.strip(), flags=re.I)
    exact = gazetteer.by_short.get(stripped) or gazetteer.by_alias.get(_normalise_alias(stripped))
    if exact:
        return resolve_ids(ID_SEPARATOR.join(exact), country=country)
    aliases, shorts = _name_patterns()
    best: tuple[int, tuple[str, ...]] | None = None
    for found in aliases.finditer(_normalise_alias(text)):
        if best is None or len(found[1]) > best[0]:
            best = (len(found[1]), gazetteer.by_alias[found[1]])
    for found in shorts.finditer(text):
        if best is None or len(found[1]) > best[0]:
            best = (len(found[1]), gazetteer.by_short[found[1]])
    return resolve_ids(ID_SEPARATOR.join(best[1]), country=country) if best else None


@functools.lru_cache(maxsize=1)
def _name_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """One regex for all case-folded aliases and one for all short names, each matching as whole words at every
    position (a zero-width lookahead, so overlapping names are all seen) and preferring the longest name there."""
    gazetteer = load_gazetteer()

    def alternation(names) -> re.Pattern[str]:
        ordered = sorted(names, key=lambda name: (-len(name), name))
        return re.compile(r"(?=(?<!\w)(" + "|".join(map(re.escape, ordered)) + r")(?!\w))")

    return alternation(gazetteer.by_alias), alternation(gazetteer.by_short)


def ruler_patterns(nlp: "Language") -> list[dict[str, Any]]:
    """EntityRuler patterns for every gazetteer name: phrase patterns (matched on lower case) for full names,
    token patterns matching the exact spelling for short names, and the family patterns."""
    gazetteer = load_gazetteer()
    patterns: list[dict[str, Any]] = []
    for alias, ids in gazetteer.by_alias.items():
        patterns.append({"label": AUTHORITY_LABEL, "pattern": alias, "id": ID_SEPARATOR.join(ids)})
    for short, ids in gazetteer.by_short.items():
        tokens = [{"ORTH": t.text} for t in nlp.make_doc(short)]
        patterns.append({"label": AUTHORITY_LABEL, "pattern": tokens, "id": ID_SEPARATOR.join(ids)})
    for family_id, (_, pattern) in gazetteer.families.items():
        patterns.append({"label": AUTHORITY_LABEL, "pattern": pattern, "id": family_id})
    return patterns


def add_authority_ruler(nlp: "Language") -> "EntityRuler":
    """Add the gazetteer's EntityRuler to ``nlp`` before ``ner`` (once; returns the existing one when present)."""
    if RULER_NAME in nlp.pipe_names:
        return nlp.get_pipe(RULER_NAME)
    where = {"before": "ner"} if "ner" in nlp.pipe_names else {}
    ruler = nlp.add_pipe(
        "entity_ruler", name=RULER_NAME, config={"phrase_matcher_attr": "LOWER", "overwrite_ents": True}, **where
    )
    ruler.add_patterns(ruler_patterns(nlp))
    return ruler
