"""Fine extraction from parsed text: what is a fine, its status, party, authority, jurisdiction and date."""

import datetime as dt
from pathlib import Path

import pytest

from enrich.fines import extract_fines
from enrich.nlp import load_nlp
from scraper.article_file import read_article

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"


@pytest.fixture(scope="session")
def nlp():
    return load_nlp()


def analysed(article) -> str:
    """Title, excerpt and body joined as the pipeline does (kept here so these tests do not depend on it)."""
    parts = (article.meta.get("title") or "", article.meta.get("excerpt") or "", article.body)
    return "\n\n".join(p.strip() for p in parts if p.strip())


def fines_in(nlp, text, **kwargs):
    return extract_fines(nlp(text), **kwargs)


def imposed(fines):
    return [(f.amount, f.currency) for f in fines if f.status in ("imposed", "reduced")]


# (sentence, [(amount, currency, status), ...]) — phrasings from enforcement news.
FINE_TABLE = [
    ("The CNIL fined Google €50 million for lack of transparency.", [(50e6, "EUR", "imposed")]),
    ("Amazon was hit with a record €746m fine by Luxembourg's CNPD.", [(746e6, "EUR", "imposed")]),
    # The final fine, lower than the proposal: "reduced"; the proposed amount is not a second fine.
    ("The ICO has fined British Airways £20m, down from the £183.39m it had proposed.",
     [(20e6, "GBP", "reduced")]),
    ("The ICO issued a notice of intent to fine Marriott £99.2 million.", [(99.2e6, "GBP", "proposed")]),
    ("The DPC's draft decision proposed a fine of between €28m and €36m.", []),
    ("Italy's Garante intends to fine the company EUR 3 million.", [(3e6, "EUR", "proposed")]),
    ("The appeals court reduced the fine from €600,000 to €250,000.", [(250_000, "EUR", "reduced")]),
    ("A Dutch court annulled the €525,000 fine imposed on the tennis association.",
     [(525_000, "EUR", "overturned")]),
    ("Under the GDPR, companies can be fined up to €20 million or 4% of global turnover.", []),
    ("Violations carry a maximum fine of 50 million yuan or 5% of annual revenue.", []),
    ("The company, which reported revenue of $5.2 billion last year, was fined $2 million by the FTC.",
     [(2e6, "USD", "imposed")]),
    ("The startup raised $300 million in a funding round led by SoftBank.", []),
    ("The court ordered a periodic penalty of €5,000 per day until the data is deleted.", []),
    ("The claimants are seeking damages of £3bn from the company.", []),
    ("Didi was fined 8.026 billion yuan ($1.2 billion) by the Cyberspace Administration of China.",
     [(8.026e9, "CNY", "imposed")]),
    ("SAMR fined Alibaba 18.228 billion yuan for abusing its dominant market position.",
     [(18.228e9, "CNY", "imposed")]),
    ("The KFTC imposed a fine of 220.7 billion won on Google.", [(220.7e9, "KRW", "imposed")]),
    ("The CCI imposed a penalty of Rs 1,337.76 crore on Google.", [(13_377_600_000, "INR", "imposed")]),
    ("Turkey's competition board fined Google 296 million lira.", [(296e6, "TRY", "imposed")]),
    ("The Polish DPA (UODO) fined Virgin Mobile Polska PLN 1.9 million (approx. EUR 460,000).",
     [(1.9e6, "PLN", "imposed")]),
    ("The fine of EUR 6,000 is composed of EUR 5,000 for a breach of Art. 5 GDPR and EUR 1,000 for a breach "
     "of Art. 17 GDPR.", [(6_000, "EUR", "imposed")]),
    ("Meta must pay a €1.2bn fine, the Irish DPC said.", [(1.2e9, "EUR", "imposed")]),
    ("The Spanish DPA (AEPD) has imposed a fine of EUR 8,150,000 on Vodafone España, S.A.U.",
     [(8_150_000, "EUR", "imposed")]),
    ("Meta was fined €1.2bn ($1.3bn) by the Irish DPC on Monday, the largest GDPR fine ever.",
     [(1.2e9, "EUR", "imposed")]),
    ("The penalty, equivalent to 4% of Alibaba's 2019 revenue of 455.7 billion yuan, is a record.", []),
    ("Didi was fined 8.026 billion yuan, about $1.2 billion, on Thursday.", [(8.026e9, "CNY", "imposed")]),
    ("Italy's antitrust watchdog fines Amazon $1.28 billion for abusing its market dominance.",
     [(1.28e9, "USD", "imposed")]),
    ("The FTC said Facebook agreed to pay a $5 billion penalty.", [(5e9, "USD", "imposed")]),
    ("The watchdog said it would fine the bank 5 million pounds.", [(5e6, "GBP", "proposed")]),
    ("A court in Amsterdam overturned a €750,000 fine against TikTok.", [(750_000, "EUR", "overturned")]),
    ("Regulators could impose fines of up to 10% of global turnover.", []),
    ("The company was ordered to pay £50,000 in compensation to the victims.", []),
    ("CNIL fined Google €150m and Facebook €60m over cookies.", [(150e6, "EUR", "imposed"), (60e6, "EUR", "imposed")]),
    ("The fined startup, valued at $10bn, said its chief executive's salary of €200,000 was not affected.", []),
    ("Before it was fined, the group had invested €50m in compliance and raised $300 million.", []),
    ("The Garante fined the hospital EUR 30,000 and ordered a penalty of EUR 1,000 per day of delay.",
     [(30_000, "EUR", "imposed")]),
]


@pytest.mark.parametrize("text,expected", FINE_TABLE, ids=[t[:50] for t, _ in FINE_TABLE])
def test_fine_table(nlp, text, expected):
    found = [(f.amount, f.currency, f.status) for f in fines_in(nlp, text)]
    assert found == [(pytest.approx(a), c, s) for a, c, s in expected]


# (sentence, fined party, authority name, jurisdiction)
PARTY_TABLE = [
    ("The Hellenic DPA has imposed a fine of EUR 30,000 on INFO COMMUNICATION SERVICES.",
     "INFO COMMUNICATION SERVICES", "Hellenic Data Protection Authority (HDPA)", "GR"),
    ("The Italian DPA (Garante) has fined mobile operator TIM S.p.A. EUR 150,000 for denying access.",
     "TIM S.p.A.", "Italian Data Protection Authority (Garante)", "IT"),
    ("Cyberbook AS was fined NOK 200,000 (EUR 19,300) by the Norwegian DPA (Datatilsynet).",
     "Cyberbook AS", "Norwegian Data Protection Authority (Datatilsynet)", "NO"),
    ("The CNIL fined Google LLC €100 million over cookies.", "Google LLC",
     "Commission Nationale de l'Informatique et des Libertés (CNIL)", "FR"),
    ("Italy's Garante fines Clearview AI €20 million.", "Clearview AI", "Italian Data Protection Authority (Garante)",
     "IT"),
]


def test_each_party_of_a_two_fine_sentence(nlp):
    fines = fines_in(nlp, "The CNIL fined Google €150m and Facebook €60m over cookies.")
    assert [f.fined_party for f in fines] == ["Google", "Facebook"]


@pytest.mark.parametrize("text,party,authority,jurisdiction", PARTY_TABLE, ids=[t[0][:40] for t in PARTY_TABLE])
def test_party_authority_jurisdiction(nlp, text, party, authority, jurisdiction):
    [fine] = fines_in(nlp, text)
    assert party in fine.fined_party
    assert fine.authority == authority
    assert fine.jurisdiction == jurisdiction


def test_decision_date_and_conversion_at_that_date(nlp):
    published = dt.date(2021, 12, 15)
    [fine] = fines_in(nlp, "On Tuesday the regulator fined the shop 100,000 yuan.", published=published)
    assert fine.decision_date == "2021-12-14"
    [later] = fines_in(nlp, "On Tuesday the regulator fined the shop 100,000 yuan.", published=dt.date(2023, 5, 4))
    assert later.decision_date == "2023-05-02"
    assert fine.amount_eur != later.amount_eur  # converted at each decision date's rate
    [dated] = fines_in(nlp, "On 18 March 2020 the DPA fined the bank EUR 10,000.", published=published)
    assert dated.decision_date == "2020-03-18"
    assert dated.amount_eur == 10_000


@pytest.mark.parametrize(
    "text,published,expected",
    [("March 18", dt.date(2021, 12, 14), dt.date(2021, 3, 18)), ("December 20", dt.date(2021, 12, 14),
                                                                   dt.date(2020, 12, 20)),
     ("on Tuesday", dt.date(2021, 12, 14), dt.date(2021, 12, 14)), ("yesterday", dt.date(2021, 12, 14),
                                                                     dt.date(2021, 12, 13)),
     ("12 March 2020", None, dt.date(2020, 3, 12)), ("2021-02-03", None, dt.date(2021, 2, 3)),
     ("March 2021", None, None), ("2019", None, None), ("on Tuesday", None, None), ("last year", None, None)],
)
def test_resolve_date(text, published, expected):
    from enrich.dates import resolve_date

    assert resolve_date(text, published=published) == expected


def test_yen_symbol_follows_the_story_country(nlp):
    [cn] = fines_in(nlp, "The Chinese regulator fined the Beijing platform ¥500,000.")
    [jp] = fines_in(nlp, "Japan's regulator fined the Tokyo retailer ¥500,000.", jurisdiction_hint="JP")
    assert (cn.currency, jp.currency) == ("CNY", "JPY")


def test_repeated_fine_is_one_fine(nlp):
    text = ("Xpeng fined $15,700 over facial recognition\n\n"
            "Shanghai XPeng Motor Sales Service Co.,Ltd. was fined 100,000 yuan by the Xuhui District "
            "Administration for Market Regulation. The 100,000 yuan fine was paid.")
    fines = fines_in(nlp, text, published=dt.date(2021, 12, 15))
    assert [(f.amount, f.currency) for f in fines] == [(15_700, "USD")]


def test_rounded_restatement_is_the_same_fine_but_close_exact_amounts_are_not(nlp):
    rounded = fines_in(nlp, "Bank fined €1.2m\n\nThe CNIL fined the bank €1,234,000 for cookie breaches.")
    assert [(f.amount, f.currency) for f in rounded] == [(1_200_000, "EUR")]
    two = fines_in(nlp, "The DPA fined Alpha AS NOK 1,000,000 and Beta AS NOK 1,040,000 for credit checks.")
    assert [f.amount for f in two] == [1_000_000, 1_040_000]


def test_text_without_amount_or_cue_gives_nothing(nlp):
    assert fines_in(nlp, "China’s new data privacy law will state how facial recognition can be used.") == []
    assert fines_in(nlp, "The company reported revenue of €5bn.") == []


@pytest.fixture(scope="module")
def seeds():
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is absent (the seeds are not part of the repository)")
    return {p.name[:3]: read_article(p) for p in SEEDS.glob("*.txt")}


def test_seed_xpeng_raw_page_yields_one_fine(nlp, seeds):
    article = seeds["001"]
    doc = nlp(analysed(article))
    [fine] = extract_fines(doc, published=dt.date(2021, 12, 14))
    assert (fine.amount, fine.currency, fine.status) == (100_000, "CNY", "imposed")
    assert (fine.equivalent_amount, fine.equivalent_currency) == (15_720, "USD")
    assert fine.fined_party.startswith("Shanghai XPeng Motor Sales Service Co.")
    assert fine.authority == "Xuhui District Administration for Market Regulation"
    assert fine.jurisdiction == "CN"
    assert fine.evidence == doc.text[fine.start_char:fine.end_char]
    assert fine.evidence.startswith("The apology came after") and fine.evidence.endswith("recognition data.")
    assert 13_000 < fine.amount_eur < 15_000 and 15_000 < fine.amount_usd < 16_500


@pytest.mark.parametrize("prefix", ["000", "004"])
def test_seeds_without_amount_yield_nothing(nlp, seeds, prefix):
    assert extract_fines(nlp(analysed(seeds[prefix]))) == []
