"""Laws cited in text: canonical names, article numbers, and the acronyms that only look like laws."""

from __future__ import annotations

import pytest

from enrich.laws import LawsFileError, find_laws, find_laws_in_text, law_by_name, load_laws, sentence_spans


def names(text: str) -> list[str]:
    return [m.name for m in find_laws_in_text(text)]


def detail(text: str, law: str) -> str | None:
    return next(m.detail for m in find_laws_in_text(text) if m.name == law)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("The regulator said the company breached the GDPR.", ["GDPR"]),
        ("It is the first fine under the General Data Protection Regulation in Malta.", ["GDPR"]),
        ("China's Personal Information Protection Law took effect on November 1.", ["PIPL"]),
        ("Companies must now comply with the PIPL and the Data Security Law, Chinese lawyers said.",
         ["PIPL", "Data Security Law"]),
        ("Beijing's Cybersecurity Law already requires data localisation.", ["Cybersecurity Law"]),
        ("The platform violated China's E-commerce Law and the Anti-Monopoly Law.",
         ["E-Commerce Law", "Anti-Monopoly Law"]),
        ("Under the Law on the Protection of Consumer Rights and Interests, the Shanghai bureau fined it 50,000 yuan.",
         ["Consumer Rights Protection Law"]),
        ("The FTC said the app violated COPPA by collecting kids' data.", ["COPPA"]),
        ("The settlement resolves claims under Section 5 of the FTC Act.", ["FTC Act"]),
        ("California's CCPA, as amended by the CPRA, gives consumers a right to opt out.", ["CCPA", "CPRA"]),
        ("Facebook settled the Illinois Biometric Information Privacy Act class action.", ["BIPA"]),
        ("The clinic exposed patient records in violation of HIPAA.", ["HIPAA"]),
        ("The ICO found breaches of the UK GDPR and the Data Protection Act 2018.", ["UK GDPR", "DPA 2018"]),
        ("Nuisance calls breach PECR, the ICO said.", ["PECR"]),
        ("Cookie banners are governed by the ePrivacy Directive.", ["ePrivacy"]),
        ("Apple was designated a gatekeeper under the Digital Markets Act.", ["DMA"]),
        ("The Commission opened proceedings against X under the Digital Services Act.", ["DSA"]),
        ("The EU AI Act bans some uses of facial recognition.", ["AI Act"]),
        ("Brazil's ANPD enforces the LGPD.", ["LGPD"]),
        ("Brazil's General Data Protection Law came into force in 2020.", ["LGPD"]),
        ("Korea's PIPC fined the firm under the Personal Information Protection Act.", ["PIPA"]),
        ("The Turkish authority applied the KVKK.", ["KVKK"]),
        ("India's Digital Personal Data Protection Act was passed in 2023.", ["DPDP Act"]),
        ("Japan's APPI was amended in 2020.", ["APPI"]),
        ("Singapore's PDPC imposed a penalty under the PDPA.", ["PDPA (Singapore)"]),
        ("Thailand's PDPA took full effect in June 2022.", ["PDPA (Thailand)"]),
    ],
)
def test_laws_are_found_by_canonical_name(text, expected):
    assert names(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Korea's PIPA differs from China's law.",  # PIPA is not PIPL
        "Regulators cited the PIPL.",
    ],
)
def test_pipl_and_pipa_are_told_apart(text):
    found = names(text)
    assert ("PIPA" in found) == ("PIPA" in text)
    assert ("PIPL" in found) == ("PIPL" in text)


@pytest.mark.parametrize(
    "text",
    [
        "The DSA team (Defence Science Agency) met on Monday.",  # DSA as an ordinary abbreviation
        "The DMA controller copies memory without the CPU.",  # direct memory access
        "The PROTECT IP Act (PIPA) was shelved in 2012 after protests.",  # US PIPA, not Korea's
        "gdpr compliance tools are sold online",  # lower case is not the acronym
        "The PDPA applies.",  # no country: Singapore, Thailand or Malaysia?
        "Vietnam's Cybersecurity Law requires local storage.",  # not China's
        "The GDPRX token rose.",  # no word boundary
    ],
)
def test_false_friends_are_not_laws(text):
    assert names(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Under the EU's DSA, very large platforms must assess risks.",
        "X failed to meet its DSA obligations, the Commission said.",
        "The company is accused of breaching the DSA.",
    ],
)
def test_ambiguous_acronym_counts_next_to_a_law_cue(text):
    assert names(text) == ["DSA"]


def test_longest_match_wins():
    assert names("Fined under the UK GDPR.") == ["UK GDPR"]
    assert names("Fined under the UK GDPR and the GDPR.") == ["UK GDPR", "GDPR"]


@pytest.mark.parametrize(
    "text, law, expected",
    [
        ("The DPA found a breach of Art. 5(1)(f) GDPR.", "GDPR", "Art. 5(1)(f)"),
        ("It violated Articles 6 and 32 of the GDPR.", "GDPR", "Art. 6, Art. 32"),
        ("It violated Art. 5 (1) f) GDPR and Art. 32 (1) b) GDPR.", "GDPR", "Art. 5(1)(f), Art. 32(1)(b)"),
        ("Breach of Article 6(1)(a) and Article 9 of the GDPR.", "GDPR", "Art. 6(1)(a), Art. 9"),
        ("Infringement of Art. 5 para. 1 lit. f GDPR.", "GDPR", "Art. 5(1)(f)"),
        ("It breached Articles 12 to 14 GDPR.", "GDPR", "Art. 12, Art. 13, Art. 14"),
        ("GDPR Article 83(5) sets the maximum.", "GDPR", "Art. 83(5)"),
        ("It violated Articles 5, 6 and 32 of the General Data Protection Regulation.", "GDPR",
         "Art. 5, Art. 6, Art. 32"),
        ("The FTC alleged violations of Section 5 of the FTC Act.", "FTC Act", "Section 5"),
        ("The company breached Art. 32 GDPR. It also failed to notify under Article 33.", "GDPR", "Art. 32, Art. 33"),
        ("The court cited Article 10 of the PIPL, China's privacy law.", "PIPL", "Art. 10"),
    ],
)
def test_article_numbers_become_detail(text, law, expected):
    assert detail(text, law) == expected


def test_references_to_unknown_laws_are_not_attached():
    text = "The controller violated Art. 13 GDPR and Art. 11 Law 3471/2006."
    assert detail(text, "GDPR") == "Art. 13"


def test_each_law_is_reported_once_at_its_first_citation_with_its_sentence():
    text = "Intro paragraph.\n\nThe GDPR applies. Later the GDPR was cited again under Art. 6 GDPR."
    (mention,) = find_laws_in_text(text)
    assert mention.name == "GDPR"
    assert text[mention.start_char : mention.end_char] == "GDPR"
    assert mention.start_char == text.index("GDPR")
    assert mention.evidence.startswith("The GDPR applies.")
    assert mention.detail == "Art. 6"


def test_laws_file_is_data_with_jurisdictions():
    laws = load_laws()
    assert len({law.name for law in laws}) >= 40
    assert law_by_name("PIPL").jurisdiction == "CN"
    assert law_by_name("BIPA").jurisdiction == "US-IL"
    assert law_by_name("no such law") is None


def test_malformed_laws_file_gives_one_line_error(tmp_path):
    bad = tmp_path / "laws.yml"
    bad.write_text("laws:\n  - name: X\n    title: nothing to match\n", encoding="utf-8")
    with pytest.raises(LawsFileError) as info:
        find_laws_in_text("X", laws_file=bad)
    assert str(bad) in str(info.value) and "\n" not in str(info.value)


def test_find_laws_on_a_parsed_doc_uses_sentences(nlp):
    text = (
        "China passes privacy law\n\n"
        "Lawmakers adopted the Personal Information Protection Law on Friday. It mirrors the GDPR in places. "
        "Article 13 of the PIPL lists the legal bases."
    )
    doc = nlp(text)
    spans = sentence_spans(doc)
    assert spans[0] == (0, len("China passes privacy law"))  # the title is its own sentence
    mentions = {m.name: m for m in find_laws(doc)}
    assert set(mentions) == {"PIPL", "GDPR"}
    assert mentions["PIPL"].evidence == "Lawmakers adopted the Personal Information Protection Law on Friday."
    assert mentions["PIPL"].detail == "Art. 13"
    assert mentions["GDPR"].evidence == "It mirrors the GDPR in places."


def test_seed_legislation_article_cites_pipl(nlp, seeds):
    from scraper.article_file import read_article

    article = read_article(next(seeds.glob("004_*.txt")))
    text = "\n\n".join(p for p in (article.title, article.meta.get("excerpt") or "", article.body) if p)
    mentions = find_laws(nlp(text))
    assert [m.name for m in mentions][:1] == ["PIPL"]
