"""Countries by the names and adjectives English news uses for them (data in ``countries.yml``)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources

import yaml

__all__ = ["Country", "load_countries", "country_code"]


@dataclass(frozen=True)
class Country:
    code: str  # ISO 3166-1 alpha-2, or "EU"
    names: tuple[str, ...]
    demonyms: tuple[str, ...]


@functools.lru_cache(maxsize=1)
def load_countries() -> tuple[Country, ...]:
    """Every country of ``countries.yml``."""
    raw = yaml.safe_load(resources.files("enrich").joinpath("countries.yml").read_text(encoding="utf-8"))
    return tuple(Country(str(c["code"]), tuple(c.get("names") or ()), tuple(c.get("demonyms") or ())) for c in raw)


@functools.lru_cache(maxsize=1)
def _code_by_word() -> dict[str, str]:
    table: dict[str, str] = {}
    for country in load_countries():
        for word in (*country.names, *country.demonyms):
            table.setdefault(_key(word), country.code)
    return table


def _key(word: str) -> str:
    return re.sub(r"^the\s+|['’]s$", "", re.sub(r"\s+", " ", word.strip()), flags=re.I).casefold()


def country_code(name: str) -> str | None:
    """ISO code for a country name or demonym ("Spain", "Spanish", "the Netherlands", "SPAIN"), or None."""
    return _code_by_word().get(_key(name))
