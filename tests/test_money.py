"""Amounts of money in text: symbols, words, codes, scales, number formats, restatements."""

import pytest

from enrich.money import find_amounts, has_money, parse_number

# (text, country hint, [(value, currency), ...], equivalent of the first amount or None)
AMOUNTS = [
    ("fined 100,000 yuan ($15,720) by the regulator", None, [(100_000, "CNY")], (15_720, "USD")),
    ("a fine of €1.2m (£1m) was imposed", None, [(1_200_000, "EUR")], (1_000_000, "GBP")),
    ("NOK 1,000,000 (EUR 95,500)", None, [(1_000_000, "NOK")], (95_500, "EUR")),
    ("PLN 20,000 (approx. EUR 4,600)", None, [(20_000, "PLN")], (4_600, "EUR")),
    ("fined 50m yuan, or about $7.8m, on Friday", None, [(50_000_000, "CNY")], (7_800_000, "USD")),
    ("€1.2bn", None, [(1_200_000_000, "EUR")], None),
    ("£20 million", None, [(20_000_000, "GBP")], None),
    ("US$5 billion", None, [(5_000_000_000, "USD")], None),
    ("US$ 5.5 mn", None, [(5_500_000, "USD")], None),
    ("HK$300,000", None, [(300_000, "HKD")], None),
    ("S$1.1 million", None, [(1_100_000, "SGD")], None),
    ("A$50m", None, [(50_000_000, "AUD")], None),
    ("C$2.5 million", None, [(2_500_000, "CAD")], None),
    ("$5bn", None, [(5_000_000_000, "USD")], None),
    ("$5bn", "AU", [(5_000_000_000, "AUD")], None),
    ("¥3 billion", "CN", [(3_000_000_000, "CNY")], None),
    ("¥3 billion", "JP", [(3_000_000_000, "JPY")], None),
    ("RMB 500,000", None, [(500_000, "CNY")], None),
    ("500,000 renminbi", None, [(500_000, "CNY")], None),
    ("18.228 billion yuan", None, [(18_228_000_000, "CNY")], None),
    ("处以100万元罚款", None, [(1_000_000, "CNY")], None),
    ("罚款5亿元", None, [(500_000_000, "CNY")], None),
    ("6.4 billion won", None, [(6_400_000_000, "KRW")], None),
    ("₩1.1 trillion", None, [(1.1e12, "KRW")], None),
    ("2.6 million lira", None, [(2_600_000, "TRY")], None),
    ("TRY 1,950,000", None, [(1_950_000, "TRY")], None),
    ("Rs 5 crore", None, [(50_000_000, "INR")], None),
    ("Rs. 10 lakh", None, [(1_000_000, "INR")], None),
    ("₹1,337.76 crore", None, [(13_377_600_000, "INR")], None),
    ("1,00,000 rupees", None, [(100_000, "INR")], None),
    ("INR 200 crore", None, [(2_000_000_000, "INR")], None),
    ("R$ 14.4 million", None, [(14_400_000, "BRL")], None),
    ("10 million reais", None, [(10_000_000, "BRL")], None),
    ("BRL 50,000", None, [(50_000, "BRL")], None),
    ("1.3 billion yen", None, [(1_300_000_000, "JPY")], None),
    ("2.8 million zloty", None, [(2_800_000, "PLN")], None),
    ("PLN 1.8 mln", None, [(1_800_000, "PLN")], None),
    ("80,000 złoty", None, [(80_000, "PLN")], None),
    ("HUF 20,500,000", None, [(20_500_000, "HUF")], None),
    ("30 million forints", None, [(30_000_000, "HUF")], None),
    ("2,000 lei", None, [(2_000, "RON")], None),
    ("RON 14,000", None, [(14_000, "RON")], None),
    ("CZK 250 000", None, [(250_000, "CZK")], None),
    ("SEK 15,000,000", None, [(15_000_000, "SEK")], None),
    ("15 million kronor", None, [(15_000_000, "SEK")], None),
    ("1.5 million Danish kroner", None, [(1_500_000, "DKK")], None),
    ("400,000 kroner", "NO", [(400_000, "NOK")], None),
    ("DKK 1.2m", None, [(1_200_000, "DKK")], None),
    ("CHF 1’234’000", None, [(1_234_000, "CHF")], None),
    ("3 million Swiss francs", None, [(3_000_000, "CHF")], None),
    ("EUR 1.234,5", None, [(1_234.5, "EUR")], None),
    ("EUR 1.500", None, [(1_500, "EUR")], None),
    ("EUR 47000", None, [(47_000, "EUR")], None),
    ("EUR 2 500 000", None, [(2_500_000, "EUR")], None),
    ("EUR\u00a030\u202f000", None, [(30_000, "EUR")], None),
    ("746 million euros", None, [(746_000_000, "EUR")], None),
    ("1.5m euros", None, [(1_500_000, "EUR")], None),
    ("€50k", None, [(50_000, "EUR")], None),
    ("the sanction of 510 EUR was imposed", None, [(510, "EUR")], None),
    ("BGN 5,000", None, [(5_000, "BGN")], None),
    ("€5m and £3.2bn", None, [(5_000_000, "EUR"), (3_200_000_000, "GBP")], None),
    # Not money.
    ("he won 5 million votes", None, [], None),
    ("try 100 times in 2021", None, [], None),
    ("Article 83(5) of the GDPR", None, [], None),
    ("4% of global turnover", None, [], None),
]


@pytest.mark.parametrize("text,country,expected,equivalent", AMOUNTS, ids=[a[0][:40] for a in AMOUNTS])
def test_find_amounts(text, country, expected, equivalent):
    found = find_amounts(text, country=country)
    assert [(a.value, a.currency) for a in found] == [(pytest.approx(v), c) for v, c in expected]
    if expected:
        first = found[0]
        assert text[first.start:first.end] == first.text
        if equivalent is None:
            assert first.equivalent is None
        else:
            assert (first.equivalent.value, first.equivalent.currency) == (pytest.approx(equivalent[0]), equivalent[1])


@pytest.mark.parametrize(
    "number,scaled,value",
    [("1,234.5", False, 1234.5), ("1.234,5", False, 1234.5), ("1 234", False, 1234), ("1’234", False, 1234),
     ("1,00,000", False, 100_000), ("1.5", True, 1.5), ("1,5", True, 1.5), ("1.234", True, 1.234),
     ("1.234", False, 1234), ("12,50", False, 12.5), ("1,234,567.89", False, 1_234_567.89),
     ("1.234.567", False, 1_234_567)],
)
def test_parse_number(number, scaled, value):
    assert parse_number(number, scaled=scaled) == pytest.approx(value)


def test_has_money_is_a_cheap_filter():
    assert not has_money("China’s new data privacy law will state how facial recognition can be used")
    assert has_money("fined €5")
    assert has_money("fined 5 yuan")
