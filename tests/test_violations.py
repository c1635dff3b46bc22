"""Violation types: cue phrases, laws and GDPR articles that imply a label, negation, and one label per case."""

from __future__ import annotations

import pytest

from enrich.laws import find_laws_in_text
from enrich.records import Mention
from enrich.violations import (
    ViolationsFileError,
    find_violations,
    find_violations_in_text,
    primary_label,
    primary_violation,
    violation_labels,
)


def labels(text: str) -> list[str]:
    return [m.name for m in find_violations_in_text(text, find_laws_in_text(text))]


def primary(text: str) -> str | None:
    return primary_violation(find_violations_in_text(text, find_laws_in_text(text)))


@pytest.mark.parametrize(
    "text, expected",
    [
        ("The carmaker collected customers' facial data without consent at its showrooms.", "biometric_data"),
        ("The gym scanned members' fingerprints to open the doors.", "biometric_data"),
        ("The app let strangers message users under the age of 13 and never asked for parental consent.", "children"),
        ("The ride-hailing firm moved users' personal data overseas without a security assessment.",
         "international_transfer"),
        ("Transfers relied on standard contractual clauses that did not protect Europeans from US surveillance.",
         "international_transfer"),
        ("The energy company made 2 million nuisance calls to people registered with the TPS.", "direct_marketing"),
        ("The site placed advertising cookies before visitors could refuse them.", "direct_marketing"),
        ("The retailer ignored a customer's subject access request for five months.", "data_subject_rights"),
        ("The search engine refused to honour the right to be forgotten.", "data_subject_rights"),
        ("Its privacy policy was hard to find and did not say who received the data.", "transparency"),
        ("Hackers stole the records of 9 million passengers after a data breach.", "security_breach"),
        ("The hospital lacked appropriate technical and organisational measures.", "security_breach"),
        ("The bank kept former customers' records longer than necessary.", "retention_minimisation"),
        ("The company never appointed a data protection officer.", "dpo_cooperation"),
        ("The firm failed to cooperate with the authority during the investigation.", "dpo_cooperation"),
        ("The e-commerce platform abused its dominant position by forcing merchants to choose one of two platforms.",
         "antitrust"),
        ("The regulator found price-fixing by the cement cartel.", "antitrust"),
        ("The airline used misleading advertising about its fares.", "consumer_protection"),
        ("The cancellation flow relied on dark patterns.", "consumer_protection"),
        ("The company processed employees' health data without a legal basis.", "unlawful_processing"),
        ("The broker sold personal information illegally to marketing firms.", "unlawful_processing"),
    ],
)
def test_cue_phrases_give_the_label(text, expected):
    assert primary(text) == expected
    assert expected in labels(text)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("The FTC alleged violations of COPPA.", "children"),
        ("A class action was filed under BIPA.", "biometric_data"),
        ("The ICO found a breach of PECR.", "direct_marketing"),
        ("The Justice Department sued under the Sherman Act.", "antitrust"),
        ("The DPA found an infringement of Art. 32 GDPR.", "security_breach"),
        ("The DPA found an infringement of Articles 12 and 13 of the GDPR.", "transparency"),
        ("The DPA found an infringement of Art. 5 (1) c) GDPR.", "retention_minimisation"),
        ("The DPA found an infringement of Art. 17 GDPR.", "data_subject_rights"),
        ("The DPA found an infringement of Art. 6 (1) GDPR.", "unlawful_processing"),
    ],
)
def test_cited_laws_and_articles_imply_the_label(text, expected):
    found = find_violations_in_text(text, find_laws_in_text(text))
    assert [m.name for m in found] == [expected]
    assert found[0].detail.startswith(("law: ", "GDPR Art."))


def test_gdpr_article_prefix_does_not_match_a_longer_number():
    # "Art. 3" (scope) must not be read as "Art. 32" (security), nor "Art. 5(1)(a)" as "Art. 5(1)(f)".
    assert labels("The DPA cited Art. 3 GDPR.") == []
    assert labels("The DPA cited Art. 5 (1) a) GDPR.") == ["unlawful_processing"]


@pytest.mark.parametrize(
    "text",
    [
        "XPeng emphasized that it has never leaked consumers' personal information.",
        "The company said there was no evidence of a data breach.",
        "The firm hasn't been hacked, its spokesman said.",
        "The broker said it never sold personal information illegally.",
    ],
)
def test_negated_cues_do_not_count(text):
    assert labels(text) == []


def test_negation_states_the_failure_for_duties():
    assert labels("The company never appointed a data protection officer.") == ["dpo_cooperation"]


def test_nothing_found_in_unrelated_text():
    assert labels("The company reported record quarterly revenue and opened a new plant in Ohio.") == []


def test_mentions_carry_evidence_sentence_and_offsets():
    text = "Record year for the regulator. The shop collected facial data without consent. Another sentence."
    spans = [(0, 30), (31, 78), (79, len(text))]
    found = {m.name: m for m in find_violations_in_text(text, (), spans)}
    biometric = found["biometric_data"]
    assert biometric.evidence == "The shop collected facial data without consent."
    assert text[biometric.start_char : biometric.end_char].lower() == "facial data"
    assert found["unlawful_processing"].detail == "without consent"


def test_primary_violation_prefers_the_more_specific_label():
    text = "The showroom cameras collected facial data without consent and the data was kept indefinitely."
    assert labels(text)[0] == "biometric_data"
    assert primary(text) == "biometric_data"
    assert primary_violation([]) is None


def test_primary_label_votes_then_breaks_ties_by_precedence():
    assert primary_label(["unlawful_processing", "unlawful_processing", "biometric_data"]) == "unlawful_processing"
    assert primary_label(["unlawful_processing", "biometric_data"]) == "biometric_data"
    assert primary_label(["unlawful_processing", "biometric_data"], by_votes=False) == "biometric_data"
    assert primary_label([None, None]) is None


def test_taxonomy_is_small_and_ordered():
    assert violation_labels()[0] == "biometric_data"
    assert violation_labels()[-1] == "unlawful_processing"
    assert 8 <= len(violation_labels()) <= 15


def test_mention_order_follows_precedence_not_text_order():
    text = "It had no legal basis. It also collected fingerprints."
    assert labels(text) == ["biometric_data", "unlawful_processing"]


def test_bad_taxonomy_file_gives_one_line_error(tmp_path):
    bad = tmp_path / "violations.yml"
    bad.write_text("violations:\n  - label: x\n    cues: ['(unclosed']\n", encoding="utf-8")
    with pytest.raises(ViolationsFileError) as info:
        find_violations_in_text("text", taxonomy_file=bad)
    assert str(bad) in str(info.value) and "\n" not in str(info.value)


def test_seed_xpeng_articles_are_biometric(nlp, seeds):
    from enrich.laws import find_laws
    from scraper.article_file import read_article

    for pattern in ("000_*.txt", "001_*.txt"):
        article = read_article(next(seeds.glob(pattern)))
        text = "\n\n".join(p for p in (article.title, article.meta.get("excerpt") or "", article.body) if p)
        doc = nlp(text)
        found = find_violations(doc, find_laws(doc))
        assert primary_violation(found) == "biometric_data", pattern
        assert "security_breach" not in {m.name for m in found}  # "has never leaked" is negated
        assert all(isinstance(m, Mention) and m.evidence in text for m in found)
