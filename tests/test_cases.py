"""Grouping articles into cases: one enforcement action, many outlets; stable ids whatever the input order."""

from __future__ import annotations

import datetime as dt
import itertools
import random

import pytest

from enrich.cases import AMOUNT_TOLERANCE, Case, CaseInput, group_cases, party_key
from enrich.records import Fine


def fine(amount: float, currency: str = "EUR", *, party: str | None = None, status: str = "imposed",
         eur: float | None = None, authority: str | None = None, jurisdiction: str | None = None,
         decision_date: str | None = None) -> Fine:
    return Fine(amount=amount, currency=currency, evidence=f"fined {amount} {currency}", start_char=0, end_char=10,
                status=status, amount_eur=eur if eur is not None else (amount if currency == "EUR" else None),
                fined_party=party, authority=authority, jurisdiction=jurisdiction, decision_date=decision_date)


def article(article_id: str, published: str | None, party: str | None, *fines: Fine, authority: str | None = None,
            jurisdiction: str | None = None, kind: str = "enforcement", laws: tuple[str, ...] = (),
            violation: str | None = None, provider: str = "Outlet", official: bool = False) -> CaseInput:
    return CaseInput(article_id=article_id, published=published, provider=provider, kind=kind, fined_party=party,
                     authority=authority, jurisdiction=jurisdiction, fines=list(fines), laws=list(laws),
                     violation=violation, official=official)


@pytest.mark.parametrize(
    "a, b",
    [
        ("Xpeng Motors", "XPeng Inc."),
        ("Xpeng", "XPeng Inc."),
        ("Shanghai XPeng Motor Sales Service Co.,Ltd.", "Shanghai XPeng Motor Sales Service Co., Ltd"),
        ("Google Ireland Limited", "Google LLC"),
        ("Telefónica Móviles España, S.A.U.", "TELEFONICA MOVILES ESPANA SAU"),
        ("Vodafone Italia S.p.A.", "Vodafone Italia SpA"),
        ("Deutsche Wohnen SE", "Deutsche Wohnen"),
        ("H&M Hennes & Mauritz Online Shop A.B. & Co. KG", "H & M Hennes and Mauritz Online Shop AB and Co KG"),
    ],
)
def test_party_names_normalise_to_one_key(a, b):
    assert party_key(a) == party_key(b)


def test_party_key_keeps_what_identifies_the_party():
    assert party_key("Shanghai XPeng Motor Sales Service Co.,Ltd.") == ("xpeng", "sales", "service")
    assert party_key("Xpeng Motors") == ("xpeng",)
    assert party_key("British Airways plc") == ("british", "airways")  # demonyms stay: not a place prefix
    assert party_key("Deutsche Bank AG") != party_key("Deutsche Wohnen SE")
    for anonymous in ("a hospital", "an individual", "the controller", None, ""):
        assert party_key(anonymous) == ()


def seed_pair() -> list[CaseInput]:
    """The seeds: TechNode's title + excerpt with no amount (2021-12-15) and Gasgoo's report (2021-12-14)."""
    technode = article("000_165f84640c3e4cf3", "2021-12-15", "Xpeng Motors", authority="China's local market watchdog",
                       jurisdiction="CN", violation="biometric_data", provider="TechNode")
    gasgoo = article(
        "001_cc0f2afa88a08f1b", "2021-12-14", "XPeng Inc.",
        fine(100000, "CNY", eur=13454.24, party="Shanghai XPeng Motor Sales Service Co.,Ltd.",
             authority="Xuhui District Administration for Market Regulation", jurisdiction="CN"),
        violation="biometric_data", provider="Gasgoo",
    )
    return [technode, gasgoo]


def test_seed_pair_is_one_case_with_the_stated_amount():
    (case,) = group_cases(seed_pair())
    assert case.article_count == 2
    assert case.article_ids == ["000_165f84640c3e4cf3", "001_cc0f2afa88a08f1b"]
    assert (case.amount, case.currency, case.amount_eur) == (100000, "CNY", 13454.24)
    assert case.status == "imposed"
    assert case.jurisdiction == "CN"
    assert case.fined_party == "Shanghai XPeng Motor Sales Service Co.,Ltd."  # from the report stating the amount
    assert case.authority == "Xuhui District Administration for Market Regulation"
    assert (case.first_reported, case.last_reported) == ("2021-12-14", "2021-12-15")
    assert case.violation_type == "biometric_data"


def test_article_without_amount_joins_a_later_article_with_one():
    early = article("a", "2022-03-01", "Acme Corp", authority="CNIL", jurisdiction="FR")
    later = article("b", "2022-03-10", "ACME", fine(2_000_000, authority="CNIL", jurisdiction="FR"))
    (case,) = group_cases([early, later])
    assert case.article_ids == ["a", "b"] and case.amount == 2_000_000


def test_two_fines_of_one_company_a_year_apart_are_two_cases():
    cases = group_cases([
        article("a", "2021-01-10", "Acme Ltd", fine(50_000), jurisdiction="GB"),
        article("b", "2022-01-20", "Acme Limited", fine(50_000), jurisdiction="GB"),
    ])
    assert len(cases) == 2
    assert sorted(c.article_ids[0] for c in cases) == ["a", "b"]


def test_two_fines_of_one_company_in_one_month_with_different_amounts_are_two_cases():
    cases = group_cases([
        article("a", "2021-01-10", "Acme Ltd", fine(50_000), jurisdiction="GB"),
        article("b", "2021-01-12", "Acme Ltd", fine(900_000), jurisdiction="GB"),
    ])
    assert sorted(c.amount for c in cases) == [50_000, 900_000]


def test_two_companies_fined_by_one_authority_on_one_day_are_two_cases():
    cases = group_cases([
        article("a", "2021-06-01", "Alpha GmbH", fine(10_000), authority="BfDI", jurisdiction="DE"),
        article("b", "2021-06-01", "Beta AG", fine(10_000), authority="BfDI", jurisdiction="DE"),
    ])
    assert sorted(c.fined_party for c in cases) == ["Alpha GmbH", "Beta AG"]


def test_one_article_reporting_two_fines_of_two_parties_makes_two_cases():
    roundup = article("r", "2021-06-01", None, fine(60e6, party="Google LLC"), fine(35e6, party="Amazon Europe Core"),
                      authority="CNIL", jurisdiction="FR")
    follow_up = article("g", "2021-06-02", "Google", fine(60e6), jurisdiction="FR")
    cases = {c.fined_party: c for c in group_cases([roundup, follow_up])}
    assert set(cases) == {"Google LLC", "Amazon Europe Core"}
    assert cases["Google LLC"].article_ids == ["g", "r"]
    assert cases["Amazon Europe Core"].article_ids == ["r"]


def test_close_amounts_after_conversion_are_one_fine():
    in_usd = fine(15_720, "USD", eur=13_900)
    in_cny = fine(100_000, "CNY", eur=13_454)
    assert abs(13_900 - 13_454) / 13_900 <= AMOUNT_TOLERANCE
    cases = group_cases([article("a", "2021-12-14", "XPeng", in_cny, jurisdiction="CN"),
                         article("b", "2021-12-16", "Xpeng Inc", in_usd, jurisdiction="CN")])
    assert len(cases) == 1 and cases[0].article_count == 2


def test_different_jurisdictions_are_different_cases():
    cases = group_cases([article("a", "2021-05-01", "Meta", fine(1e6), jurisdiction="IE"),
                         article("b", "2021-05-02", "Meta", fine(1e6), jurisdiction="NO")])
    assert len(cases) == 2


def test_status_is_the_furthest_step_and_amount_the_most_reported():
    cases = group_cases([
        article("a", "2020-01-01", "Acme", fine(1e6, status="proposed"), jurisdiction="IT"),
        article("b", "2020-01-05", "Acme", fine(1e6), jurisdiction="IT"),
        article("c", "2020-01-07", "Acme", fine(1.02e6), jurisdiction="IT"),
        article("d", "2020-01-20", "Acme", fine(1e6, status="overturned"), jurisdiction="IT"),
    ])
    (case,) = cases
    assert case.status == "overturned"
    assert case.amount == 1e6
    assert case.article_count == 4


def test_official_source_wording_wins():
    cases = group_cases([
        article("news1", "2020-02-01", "Acme", fine(500_000, party="Acme"), jurisdiction="FR"),
        article("news2", "2020-02-01", "Acme", fine(500_000, party="Acme"), jurisdiction="FR"),
        article("cnil", "2020-02-02", "ACME SAS", fine(500_000, party="ACME SAS"), jurisdiction="FR", official=True),
    ])
    assert cases[0].fined_party == "ACME SAS"


def test_only_enforcement_articles_make_cases_and_unknown_parties_stand_alone():
    cases = group_cases([
        article("law", "2020-01-01", None, kind="legislation"),
        article("other", "2020-01-01", "Acme", kind="other"),
        article("anon1", "2020-01-01", "a hospital", fine(5_000), jurisdiction="PL"),
        article("anon2", "2020-01-02", "a hospital", fine(5_000), jurisdiction="PL"),
        article("nothing", "2020-01-02", None),  # no party, no amount: nothing to report
    ])
    assert sorted(c.article_ids[0] for c in cases) == ["anon1", "anon2"]


def test_laws_and_violation_are_merged():
    (case,) = group_cases([
        article("a", "2022-01-01", "Acme", fine(1e5), jurisdiction="ES", laws=("GDPR",), violation="security_breach"),
        article("b", "2022-01-02", "Acme", jurisdiction="ES", laws=("LOPDGDD", "GDPR"), violation="security_breach"),
        article("c", "2022-01-03", "Acme", jurisdiction="ES", violation="transparency"),
    ])
    assert case.laws == "GDPR, LOPDGDD"
    assert case.violation_type == "security_breach"


def test_input_order_does_not_change_cases_or_ids():
    inputs = seed_pair() + [
        article("a", "2021-01-10", "Acme Ltd", fine(50_000), jurisdiction="GB"),
        article("b", "2022-01-20", "Acme Limited", fine(50_000), jurisdiction="GB"),
        article("c", "2022-01-25", "ACME", jurisdiction="GB"),
        article("d", "2021-06-01", "Alpha GmbH", fine(10_000), jurisdiction="DE"),
        article("e", "2021-06-01", "Beta AG", fine(10_000), jurisdiction="DE"),
    ]
    reference = group_cases(inputs)
    assert len(reference) == 5
    shuffled = list(inputs)
    for seed in range(20):
        random.Random(seed).shuffle(shuffled)
        assert group_cases(shuffled) == reference
    assert len({c.id for c in reference}) == len(reference)


def test_case_id_survives_a_later_article_joining():
    (before,) = group_cases(seed_pair())
    later = article("zzz", "2021-12-20", "XPeng", jurisdiction="CN")
    (after,) = group_cases(seed_pair() + [later])
    assert after.article_count == 3
    assert after.id == before.id


def test_grouping_many_articles_blocks_by_party():
    inputs = [
        article(f"{company}-{n}", f"2021-{month:02d}-{day:02d}", f"Company{company} Ltd",
                fine(1000 * (company + 1) * month), jurisdiction="GB")
        for company, month, (n, day) in itertools.product(range(50), range(1, 13), enumerate((3, 9)))
    ]
    cases = group_cases(inputs)
    assert len(cases) == 50 * 12  # each company-month fine reported twice, six days apart
    assert all(c.article_count == 2 for c in cases)
    assert isinstance(cases[0], Case)


def test_seed_articles_end_to_end(nlp, seeds):
    """The seed files through spaCy, fines, classification, laws and violations into one case."""
    from enrich.classify import classify_article
    from enrich.fines import extract_fines
    from enrich.laws import find_laws
    from enrich.violations import find_violations, primary_violation
    from scraper.article_file import read_article

    inputs = []
    for path in sorted(seeds.glob("*.txt")):
        item = read_article(path)
        text = "\n\n".join(p for p in (item.title, item.meta.get("excerpt") or "", item.body) if p)
        doc = nlp(text)
        published = str(item.meta.get("publishedDateTime") or "")[:10] or None
        fines = extract_fines(doc, published=dt.date.fromisoformat(published) if published else None)
        kind = classify_article(doc, fines)
        laws = find_laws(doc)
        inputs.append(CaseInput(
            article_id=path.stem, published=published, provider=None, kind=kind.kind,
            fined_party=kind.fined_party, authority=kind.authority, jurisdiction=kind.jurisdiction, fines=fines,
            laws=[m.name for m in laws], violation=primary_violation(find_violations(doc, laws)),
        ))
    (case,) = group_cases(inputs)
    assert case.article_count == 2
    assert (case.amount, case.currency) == (100000, "CNY")
    assert case.jurisdiction == "CN"
    assert case.violation_type == "biometric_data"
    assert party_key(case.fined_party)[0] == "xpeng"


def test_articles_without_amounts_do_not_chain_a_case_across_months():
    weekly = [article(f"w{n:02d}", f"2021-{1 + n // 3:02d}-{1 + 10 * (n % 3):02d}", "Acme", jurisdiction="US")
              for n in range(12)]  # every ten days for four months, never an amount
    cases = group_cases(weekly)
    assert len(cases) > 1
    assert sum(c.article_count for c in cases) == 12
    for case in cases:
        span = dt.date.fromisoformat(case.last_reported) - dt.date.fromisoformat(case.first_reported)
        assert span.days <= 30
