"""Kind of article (enforcement, legislation, other) and the party, authority and jurisdiction of enforcement
articles, with or without a stated amount."""

from __future__ import annotations

import datetime as dt

import pytest

from enrich.classify import Classification, classify_article
from enrich.fines import extract_fines
from enrich.records import ARTICLE_KINDS, Fine


def classify(nlp, title: str, *paragraphs: str, with_fines: bool = True) -> Classification:
    doc = nlp("\n\n".join((title, *paragraphs)))
    return classify_article(doc, extract_fines(doc) if with_fines else [])


@pytest.mark.parametrize(
    "title, body, kind",
    [
        # enforcement, with and without amounts
        ("Dutch regulator fines Uber 290 million euros over driver data transfers", "", "enforcement"),
        ("Clearview AI fined by Italian privacy watchdog",
         "The Garante ordered the company to delete data on Italians.", "enforcement"),
        ("Watchdog opens investigation into TikTok's handling of children's data",
         "The inquiry will examine age verification.", "enforcement"),
        ("Retailer ordered to pay compensation after camera misuse", "", "enforcement"),
        ("ICO reprimands hospital trust over lost patient letters", "", "enforcement"),
        ("Meta settles FTC charges over children's messaging app", "", "enforcement"),
        # legislation: laws, bills, draft rules, guidance, consultations
        ("EU lawmakers approve landmark AI Act",
         "The regulation will ban some uses of real-time facial recognition.", "legislation"),
        ("China publishes draft rules on facial recognition technology",
         "The Cyberspace Administration of China is seeking public comment until September.", "legislation"),
        ("Regulator issues new guidance on cookie banners", "Websites will have to offer a reject button.",
         "legislation"),
        ("Consultation opens on children's code",
         "The authority asks for views on age assurance before the code takes effect.", "legislation"),
        ("India's data protection bill passes parliament", "The bill now goes to the president.", "legislation"),
        # other
        ("Xpeng unveils new SUV with lidar", "The car goes on sale in March at 250,000 yuan.", "other"),
        ("Five things to know about facial recognition",
         "Cameras are everywhere; here is how the technology works.", "other"),
    ],
)
def test_kind_of_article(nlp, title, body, kind):
    paragraphs = (body,) if body else ()
    result = classify(nlp, title, *paragraphs)
    assert result.kind == kind
    assert result.kind in ARTICLE_KINDS
    if kind != "other":
        assert result.evidence and result.reason


def test_fine_makes_an_enforcement_article_when_the_title_says_nothing(nlp):
    doc = nlp("Company apologises to customers\n\nThe company was fined 50,000 euros by the Spanish DPA on Monday.")
    fines = extract_fines(doc, published=dt.date(2021, 3, 1))
    assert fines, "the fine extractor should find the amount"
    result = classify_article(doc, fines)
    assert result.kind == "enforcement" and result.reason == "fine"
    assert result.evidence == fines[0].evidence


def test_legislation_title_wins_over_a_past_fine_in_the_body(nlp):
    result = classify(nlp, "China passes Personal Information Protection Law",
                      "The law follows a year in which Didi was fined 8 billion yuan.")
    assert result.kind == "legislation"
    assert result.jurisdiction == "CN"


def test_body_cues_decide_when_the_title_is_neutral(nlp):
    result = classify(
        nlp, "A turbulent week for Acme",
        "Acme said on Monday that it was reviewing its cameras.",
        "The Hamburg regulator opened an investigation into the company.",
        "Acme was also reprimanded by the regulator in 2019.",
        with_fines=False,
    )
    assert result.kind == "enforcement" and result.reason == "cues"


def test_enforcement_without_amount_has_party_authority_and_jurisdiction(nlp):
    result = classify(
        nlp,
        "Xpeng Motors fined by Chinese watchdog for facial recognition breach",
        "Chinese automaker Xpeng has been fined by China’s local market watchdog for collecting customers’ "
        "facial data without consent.",
    )
    assert result.kind == "enforcement"
    assert result.fined_party == "Xpeng Motors"
    assert "watchdog" in result.authority and "China" in result.authority
    assert result.jurisdiction == "CN"


@pytest.mark.parametrize(
    "title, party, jurisdiction",
    [
        ("Clearview AI fined by Italian privacy watchdog", "Clearview AI", "IT"),
        ("Acme Bank penalised by French regulator over cookies", "Acme Bank", "FR"),
        ("Spanish watchdog fines Glovo for data breach", "Glovo", "ES"),
    ],
)
def test_headline_party_and_jurisdiction(nlp, title, party, jurisdiction):
    result = classify(nlp, title, with_fines=False)
    assert result.kind == "enforcement"
    assert result.fined_party == party
    assert result.jurisdiction == jurisdiction
    assert result.authority  # a gazetteer name ("... (Garante)") or the headline's words ("Spanish watchdog")


def test_fine_party_and_authority_come_first(nlp):
    doc = nlp("Watchdog acts\n\nThe Xuhui District Administration for Market Regulation fined Acme Ltd.")
    fine = Fine(amount=1.0, currency="CNY", evidence="x", start_char=0, end_char=1, fined_party="Foo Trading Co.",
                authority="Xuhui District Administration for Market Regulation", jurisdiction="CN")
    result = classify_article(doc, [fine])
    assert (result.fined_party, result.authority, result.jurisdiction) == (
        "Foo Trading Co.", "Xuhui District Administration for Market Regulation", "CN")


def test_implausible_fine_party_is_not_used(nlp):
    doc = nlp("Acme Ltd fined by CNIL\n\nThe fine was set at 100 000 euros.")
    fine = Fine(amount=1e5, currency="EUR", evidence="x", start_char=0, end_char=1, fined_party="100")
    assert classify_article(doc, [fine]).fined_party == "Acme Ltd"


def test_empty_text_is_other(nlp):
    assert classify_article(nlp(""), []).kind == "other"


def test_seed_articles(nlp, seeds):
    from scraper.article_file import read_article

    results = {}
    for path in sorted(seeds.glob("*.txt")):
        article = read_article(path)
        doc = nlp("\n\n".join(p for p in (article.title, article.meta.get("excerpt") or "", article.body) if p))
        results[path.name[:3]] = classify_article(doc, extract_fines(doc))
    technode, gasgoo, scmp = results["000"], results["001"], results["004"]
    assert (technode.kind, technode.fined_party, technode.jurisdiction) == ("enforcement", "Xpeng Motors", "CN")
    assert "watchdog" in technode.authority
    assert gasgoo.kind == "enforcement" and gasgoo.jurisdiction == "CN"
    assert "XPeng" in gasgoo.fined_party
    assert gasgoo.authority == "Xuhui District Administration for Market Regulation"
    assert scmp.kind == "legislation" and scmp.fined_party is None
