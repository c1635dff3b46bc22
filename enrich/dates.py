"""The date of a decision as a sentence states it ("on 12 March 2020", "March 18", "on Tuesday", "yesterday"),
resolved against the article's publication date. Only dates precise to the day count; "in March" does not.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

from dateutil import parser as dateparser

from enrich.spans import entities_in

if TYPE_CHECKING:
    from spacy.tokens import Span

__all__ = ["resolve_date", "decision_date_in"]

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
RELATIVE_DAYS = {"today": 0, "yesterday": -1}
_DEFAULT_A = dt.datetime(2000, 1, 1)
_DEFAULT_B = dt.datetime(2001, 2, 2)


def iso_date(value: object) -> dt.date | None:
    """The date at the start of an ISO 8601 string ("2021-12-15T08:27:00Z" -> 2021-12-15), or None."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def resolve_date(text: str, *, published: dt.date | None = None) -> dt.date | None:
    """The day ``text`` names, or None when it names no single day. Weekdays and relative days need
    ``published`` (the latest such day on or before it); a day without a year takes the latest year that
    does not put it after ``published``."""
    cleaned = re.sub(r"^(?:on|since|from|until|by|as of|dated)\s+", "", text.strip(), flags=re.I).strip(" ,.")
    lowered = cleaned.lower()
    if lowered in RELATIVE_DAYS:
        return published + dt.timedelta(days=RELATIVE_DAYS[lowered]) if published else None
    weekday = re.sub(r"^(?:last|this|past)\s+", "", lowered)
    if weekday in WEEKDAYS:
        if published is None:
            return None
        back = (published.weekday() - WEEKDAYS.index(weekday)) % 7
        return published - dt.timedelta(days=back)
    if not re.search(r"\d", cleaned):
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", cleaned):
        try:
            return dt.date.fromisoformat(cleaned)
        except ValueError:
            return None
    try:
        first = dateparser.parse(cleaned, default=_DEFAULT_A, dayfirst=True)
        second = dateparser.parse(cleaned, default=_DEFAULT_B, dayfirst=True)
    except (ValueError, OverflowError):
        return None
    if first.day != second.day or first.month != second.month:
        return None  # no day (or no month) given
    if first.year == second.year:
        return first.date()
    if published is None:
        return None
    try:
        guess = first.date().replace(year=published.year)
        return guess if guess <= published else guess.replace(year=published.year - 1)
    except ValueError:  # 29 February
        return None


def decision_date_in(sentence: "Span", *, published: dt.date | None = None) -> dt.date | None:
    """The first day-precise date in ``sentence`` (spaCy DATE entities), resolved against ``published``;
    dates after publication are ignored (they are deadlines, not decisions)."""
    for ent in entities_in(sentence):
        if ent.label_ != "DATE":
            continue
        day = resolve_date(ent.text, published=published)
        if day is not None and (published is None or day <= published):
            return day
    return None
