"""Amounts of money in running text: "€1.2bn", "100,000 yuan ($15,720)", "Rs 5 crore", "NOK 1 000 000", "100万元".

Pure functions over strings; no spaCy. :func:`find_amounts` returns every amount with its currency (ISO 4217)
and character offsets; an amount given in parentheses right after another ("100,000 yuan ($15,720)",
"€1.2m (£1m)", "NOK 200,000 (EUR 19,300)") is attached to it as its ``equivalent`` rather than listed on its own.

The currency words, symbols and scales are tables below: add a spelling there, not code.
Ambiguous symbols ("$", "¥", "kr", "pesos", ...) are resolved with the story's country when the caller knows it
(``country=``, ISO 3166-1 alpha-2), else with the table's default.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

__all__ = ["Amount", "find_amounts", "parse_number", "has_money", "CURRENCY_BY_COUNTRY"]

#: Unambiguous currency markers, written before or after the number. Keys are matched case-insensitively
#: unless listed in CASE_SENSITIVE_MARKERS.
CURRENCY_MARKERS: dict[str, str] = {
    # euro
    "€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR",
    # pound sterling
    "£": "GBP", "gbp": "GBP", "pounds": "GBP", "pound": "GBP", "pounds sterling": "GBP", "sterling": "GBP",
    # dollars with a country prefix
    "us$": "USD", "usd": "USD", "us dollars": "USD", "u.s. dollars": "USD", "us dollar": "USD",
    "hk$": "HKD", "hkd": "HKD", "hong kong dollars": "HKD",
    "s$": "SGD", "sgd": "SGD", "singapore dollars": "SGD",
    "a$": "AUD", "au$": "AUD", "aud": "AUD", "australian dollars": "AUD",
    "c$": "CAD", "ca$": "CAD", "cad": "CAD", "canadian dollars": "CAD",
    "nz$": "NZD", "nzd": "NZD", "new zealand dollars": "NZD",
    # Chinese yuan
    "yuan": "CNY", "rmb": "CNY", "renminbi": "CNY", "cny": "CNY", "元": "CNY", "yuan renminbi": "CNY",
    # others
    "yen": "JPY", "jpy": "JPY", "japanese yen": "JPY",
    "₩": "KRW", "won": "KRW", "krw": "KRW", "korean won": "KRW",
    "₺": "TRY", "try": "TRY", "lira": "TRY", "liras": "TRY", "turkish lira": "TRY", "turkish liras": "TRY",
    "₹": "INR", "inr": "INR", "rupees": "INR", "rupee": "INR", "indian rupees": "INR",
    "r$": "BRL", "brl": "BRL", "reais": "BRL", "brazilian real": "BRL", "brazilian reais": "BRL",
    "zloty": "PLN", "zlotys": "PLN", "złoty": "PLN", "zł": "PLN", "pln": "PLN", "zlotych": "PLN",
    "forint": "HUF", "forints": "HUF", "huf": "HUF",
    "lei": "RON", "leu": "RON", "ron": "RON",
    "czk": "CZK", "koruna": "CZK", "korunas": "CZK", "czech crowns": "CZK", "czech korunas": "CZK",
    "sek": "SEK", "kronor": "SEK", "swedish kronor": "SEK", "swedish krona": "SEK", "swedish crowns": "SEK",
    "dkk": "DKK", "danish kroner": "DKK", "danish krone": "DKK", "danish crowns": "DKK",
    "nok": "NOK", "norwegian kroner": "NOK", "norwegian krone": "NOK", "norwegian crowns": "NOK",
    "isk": "ISK", "icelandic krona": "ISK", "icelandic kronur": "ISK",
    "chf": "CHF", "swiss francs": "CHF", "swiss franc": "CHF",
    "bgn": "BGN", "leva": "BGN", "lev": "BGN", "bulgarian leva": "BGN",
    "hrk": "HRK", "kuna": "HRK", "kunas": "HRK",
    "rub": "RUB", "₽": "RUB", "roubles": "RUB", "rubles": "RUB",
    "zar": "ZAR", "rand": "ZAR",
    "mxn": "MXN", "mexican pesos": "MXN",
    "php": "PHP", "philippine pesos": "PHP", "₱": "PHP",
    "idr": "IDR", "rupiah": "IDR",
    "myr": "MYR", "ringgit": "MYR", "RM": "MYR",
    "thb": "THB", "baht": "THB", "฿": "THB",
    "ils": "ILS", "shekels": "ILS", "₪": "ILS",
    "twd": "TWD", "nt$": "TWD", "new taiwan dollars": "TWD",
    "aed": "AED", "dirhams": "AED",
    "sar": "SAR", "riyals": "SAR",
    "ngn": "NGN", "naira": "NGN", "₦": "NGN",
    "kes": "KES", "kenyan shillings": "KES",
    "pkr": "PKR", "pakistani rupees": "PKR",
    "vnd": "VND", "dong": "VND",
}
#: Markers whose currency depends on the story's country. ``None`` key: the default.
AMBIGUOUS_MARKERS: dict[str, dict[str | None, str]] = {
    "$": {None: "USD", "AU": "AUD", "CA": "CAD", "HK": "HKD", "SG": "SGD", "NZ": "NZD", "TW": "TWD",
          "MX": "MXN"},
    "dollars": {None: "USD", "AU": "AUD", "CA": "CAD", "HK": "HKD", "SG": "SGD", "NZ": "NZD"},
    "dollar": {None: "USD", "AU": "AUD", "CA": "CAD", "HK": "HKD", "SG": "SGD", "NZ": "NZD"},
    "¥": {None: "JPY", "CN": "CNY"},
    "kr": {None: "SEK", "NO": "NOK", "DK": "DKK", "IS": "ISK"},
    "kr.": {None: "DKK", "SE": "SEK", "NO": "NOK", "IS": "ISK"},
    "kroner": {None: "DKK", "NO": "NOK"},
    "krone": {None: "DKK", "NO": "NOK"},
    "krona": {None: "SEK", "IS": "ISK"},
    "crowns": {None: "CZK", "SE": "SEK", "NO": "NOK", "DK": "DKK", "SK": "SKK"},
    "Rs": {None: "INR", "PK": "PKR", "LK": "LKR"},
    "Rs.": {None: "INR", "PK": "PKR", "LK": "LKR"},
    "francs": {None: "CHF"},
    "pesos": {None: "MXN", "PH": "PHP", "AR": "ARS", "CL": "CLP", "CO": "COP"},
    "real": {None: "BRL"},
}
#: Markers matched only as written here: short words that are also ordinary words. ISO codes ("EUR", "TRY")
#: are always matched in capitals only.
CASE_SENSITIVE_MARKERS = frozenset({"RM", "Rs", "Rs.", "rand", "real", "lev", "dong", "won", "lei", "leu", "kr",
                                    "kr."})
#: Markers that may only follow the number ("100 won", never "won 100": "won" is also a verb).
SUFFIX_ONLY_MARKERS = frozenset({"won", "lira", "liras", "real", "rand", "dong", "lei", "leu", "lev", "leva",
                                 "yuan", "元", "yen", "zł", "kr", "kr.", "kroner", "krone", "krona", "kronor",
                                 "forint", "forints", "rupees", "rupee", "reais", "zloty", "zlotys", "zlotych",
                                 "francs", "pesos", "crowns", "euros", "euro", "pounds", "pound", "dollars",
                                 "dollar", "baht", "ringgit", "rupiah", "naira", "shekels", "dirhams", "riyals",
                                 "roubles", "rubles", "kuna", "kunas", "koruna", "korunas", "renminbi",
                                 "sterling", "pounds sterling"})
#: Markers that may only precede the number.
PREFIX_ONLY_MARKERS = frozenset({"Rs", "Rs.", "r$", "us$", "hk$", "s$", "a$", "au$", "c$", "ca$", "nz$", "nt$",
                                 "RM", "$"})

#: Scale words after the number.
SCALES: dict[str, float] = {
    "thousand": 1e3, "k": 1e3,
    "million": 1e6, "millions": 1e6, "mn": 1e6, "mln": 1e6, "m": 1e6, "mio": 1e6, "mio.": 1e6,
    "billion": 1e9, "billions": 1e9, "bn": 1e9, "b": 1e9, "bln": 1e9,
    "trillion": 1e12, "tn": 1e12,
    "crore": 1e7, "crores": 1e7, "cr": 1e7, "lakh": 1e5, "lakhs": 1e5, "lac": 1e5,
    "万": 1e4, "亿": 1e8,
}
#: Scales that must touch the number ("€5m", "$2b"); written apart they are too often something else.
ATTACHED_ONLY_SCALES = frozenset({"m", "b", "k"})

#: The currency a country's stories use for its national currency (for "kr", "¥" and the like, and for callers
#: that want a jurisdiction's currency). Euro-area members are listed so jurisdiction → currency is complete.
CURRENCY_BY_COUNTRY: dict[str, str] = {
    "CN": "CNY", "JP": "JPY", "KR": "KRW", "TR": "TRY", "IN": "INR", "BR": "BRL", "GB": "GBP", "US": "USD",
    "PL": "PLN", "HU": "HUF", "RO": "RON", "CZ": "CZK", "SE": "SEK", "DK": "DKK", "NO": "NOK", "IS": "ISK",
    "CH": "CHF", "LI": "CHF", "BG": "BGN", "HR": "HRK", "RU": "RUB", "ZA": "ZAR", "AU": "AUD", "CA": "CAD",
    "HK": "HKD", "SG": "SGD", "NZ": "NZD", "MX": "MXN", "PH": "PHP", "ID": "IDR", "MY": "MYR", "TH": "THB",
    "IL": "ILS", "TW": "TWD", "IM": "GBP", "GG": "GBP", "JE": "GBP",
    **{code: "EUR" for code in ("AT", "BE", "CY", "DE", "EE", "ES", "FI", "FR", "GR", "IE", "IT", "LT", "LU",
                                 "LV", "MT", "NL", "PT", "SI", "SK", "EU")},
}

_NUMBER = (
    r"(?<![\d.,'’])(?:"
    # 1,234,567.89 / 1.234,5 / 1 234 / 1’234 / "11, 760"
    r"\d{1,3}(?:(?:[,.'’\u00a0\u202f ]|,\s)\d{3})+(?:[.,]\d{1,2}(?!\d))?"
    r"|\d{1,2}(?:,\d{2})+,\d{3}"  # Indian grouping: 1,00,000
    r"|\d+(?:[.,]\d+)?"  # 47000 / 1.5 / 1,5
    r")(?![\d])"
)


@dataclass(frozen=True)
class Amount:
    """An amount of money found in text. ``start``/``end`` cover the amount as written, currency included."""

    value: float
    currency: str
    start: int
    end: int
    text: str
    #: The same amount restated in another currency right after it, in parentheses or after "or".
    equivalent: "Amount | None" = None
    #: The currency came from an ambiguous marker ("$", "¥", "kr") resolved with the story's country.
    ambiguous: bool = False
    #: Written with a scale word ("€1.2m", "5 million yuan"), so possibly rounded.
    scaled: bool = False


def _marker_alternation(markers: list[str]) -> str:
    parts = []
    for marker in sorted(markers, key=len, reverse=True):
        escaped = re.escape(marker).replace(r"\ ", r"\s+")
        if marker in CASE_SENSITIVE_MARKERS:
            parts.append(escaped)
        elif _is_iso_code(marker):
            parts.append(re.escape(marker.upper()))
        else:
            parts.append(f"(?i:{escaped})")
    return "|".join(parts)


def _is_iso_code(marker: str) -> bool:
    return len(marker) == 3 and marker.isalpha() and marker.upper() == CURRENCY_MARKERS.get(marker.lower())


@lru_cache(maxsize=1)
def _amount_pattern() -> re.Pattern[str]:
    markers = list(CURRENCY_MARKERS) + list(AMBIGUOUS_MARKERS)
    prefix = [m for m in markers if m not in SUFFIX_ONLY_MARKERS]
    suffix = [m for m in markers if m not in PREFIX_ONLY_MARKERS]
    scales = sorted(SCALES, key=len, reverse=True)
    scale_words = "|".join(re.escape(s) for s in scales if s not in ATTACHED_ONLY_SCALES and not _is_cjk(s))
    attached = "|".join(re.escape(s) for s in ATTACHED_ONLY_SCALES)
    cjk = "|".join(re.escape(s) for s in scales if _is_cjk(s))
    scale = (
        rf"(?:(?P<{{n}}att>(?i:{attached}))(?![\w])"
        rf"|\s?(?P<{{n}}word>(?i:{scale_words}))(?![\w])"
        rf"|(?P<{{n}}cjk>{cjk}))"
    )
    pre = (
        rf"(?<![\w$£€¥])(?P<pre>{_marker_alternation(prefix)})\s?(?P<pnum>{_NUMBER})"
        rf"(?:{scale.format(n='p')})?"
        rf"(?:\s(?P<pre_tail>(?i:euros?|dollars|pounds|yuan)\b))?"
    )
    post = (
        rf"(?P<snum>{_NUMBER})(?:{scale.format(n='s')})?\s?(?P<post>{_marker_alternation(suffix)})"
        rf"(?![A-Za-z0-9_$£€¥])"  # CJK text runs on without spaces: "100万元罚款"
    )
    return re.compile(f"{pre}|{post}")


def _is_cjk(s: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in s)


#: A quick test that text may hold an amount at all: a currency symbol or a digit next to a currency word.
_PREFILTER = re.compile(r"[€£$¥₩₺₹₽₱₪₦฿元]|\d", re.UNICODE)


def has_money(text: str) -> bool:
    """Cheap pre-check: can ``text`` contain an amount? (A currency symbol or any digit.)"""
    return _PREFILTER.search(text) is not None


def parse_number(number: str, *, scaled: bool = False) -> float | None:
    """The value of a number as printed in news text: "1,234.5", "1.234,5", "1 234", "1’234", "1,00,000", "1.5".

    A single separator followed by exactly three digits is a thousands separator ("1,500", "EUR 1.500"), except
    a point before a scale word ("1.234 million" is read 1.234, as English news writes it; pass ``scaled``).
    """
    cleaned = number.replace("\u00a0", " ").replace("\u202f", " ").replace("’", "'")
    if not cleaned or not cleaned[0].isdigit():
        return None
    cleaned = cleaned.replace(" ", "").replace("'", "")
    separators = [ch for ch in cleaned if ch in ",."]
    if not separators:
        return float(cleaned)
    last = cleaned.rfind(separators[-1])
    tail = cleaned[last + 1:]
    if len(set(separators)) == 2:
        # Both kinds: the last one is the decimal mark.
        decimal = separators[-1]
        grouping = "," if decimal == "." else "."
        return float(cleaned.replace(grouping, "").replace(decimal, "."))
    mark = separators[0]
    if len(separators) > 1:
        # "1,234,567" or "1.234.567" (or Indian "1,00,000"): all grouping.
        return float(cleaned.replace(mark, ""))
    if len(tail) == 3 and not (mark == "." and scaled):
        return float(cleaned.replace(mark, ""))
    return float(cleaned.replace(mark, "."))


def _currency_for(marker: str, country: str | None) -> tuple[str | None, bool]:
    key = re.sub(r"\s+", " ", marker).lower()
    for candidate in (marker, key):
        if candidate in CURRENCY_MARKERS:
            return CURRENCY_MARKERS[candidate], False
    for candidate in (marker, key):
        table = AMBIGUOUS_MARKERS.get(candidate)
        if table is not None:
            return table.get(country, table[None]), True
    return None, False


#: Text between an amount and a second amount that makes the second a restatement of the first:
#: "100,000 yuan ($15,720)", "€1.2m (about £1m)", "8 billion yuan, about $1.2 billion", "£5m, or $6.5m".
_APPROXIMATELY = (r"(?:about|around|approx(?:\.|imately)?|ca\.?|c\.|circa|roughly|some|nearly|almost|over|"
                  r"more than|equivalent to|equal to|the equivalent of|worth|or|~|≈|i\.e\.)")
_EQUIVALENT_GAP = re.compile(
    rf"^\s*(?:[(\[]\s*(?:{_APPROXIMATELY}\s*)*|(?:,|–|—|\bi\.e\.,?|\bthat is,?)\s*(?:{_APPROXIMATELY}\s*)+)$",
    re.IGNORECASE,
)


def find_amounts(text: str, *, country: str | None = None) -> list[Amount]:
    """Every amount of money in ``text``, in order. Restatements in another currency ("(about $15,720)") are
    attached to the amount they restate as ``equivalent`` instead of being listed.

    ``country`` (ISO 3166-1 alpha-2) resolves ambiguous markers: "¥" is CNY in a Chinese story, JPY otherwise.
    """
    if not has_money(text):
        return []
    found: list[Amount] = []
    for match in _amount_pattern().finditer(text):
        amount = _to_amount(match, country)
        if amount is not None:
            found.append(amount)
    result: list[Amount] = []
    for amount in found:
        if result and amount.currency != result[-1].currency and result[-1].equivalent is None:
            gap = text[result[-1].end:amount.start]
            if _EQUIVALENT_GAP.match(gap):
                previous = result[-1]
                result[-1] = replace(previous, equivalent=amount)
                continue
        result.append(amount)
    return result


def _to_amount(match: re.Match[str], country: str | None) -> Amount | None:
    if match.group("pre") is not None:
        marker, number, side = match.group("pre"), match.group("pnum"), "p"
    else:
        marker, number, side = match.group("post"), match.group("snum"), "s"
    scale_word = match.group(f"{side}att") or match.group(f"{side}word") or match.group(f"{side}cjk")
    value = parse_number(number, scaled=scale_word is not None)
    if value is None:
        return None
    if scale_word:
        value *= SCALES[scale_word.lower()]
    currency, ambiguous = _currency_for(marker, country)
    if currency is None:
        return None
    return Amount(value, currency, match.start(), match.end(), match.group(0), ambiguous=ambiguous,
                  scaled=scale_word is not None)
