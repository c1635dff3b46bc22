"""The regulator gazetteer and its entity ruler."""

import pytest

from enrich.authorities import AUTHORITY_LABEL, add_authority_ruler, load_gazetteer, lookup_authority
from enrich.countries import country_code
from enrich.nlp import load_nlp

#: Every EU/EEA country (and the UK) of the GDPR enforcement data has a national DPA.
GDPR_COUNTRIES = ["AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IS", "IE", "IT",
                  "LV", "LI", "LT", "LU", "MT", "NL", "NO", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "GB", "IM"]


@pytest.fixture(scope="session")
def nlp():
    return load_nlp()


def test_every_eea_country_has_a_data_protection_authority():
    records = load_gazetteer().records.values()
    covered = {r.jurisdiction for r in records if r.domain == "data protection"}
    assert set(GDPR_COUNTRIES) <= covered


@pytest.mark.parametrize(
    "text,country,expected_id",
    [("CNIL", None, "fr-cnil"), ("the Spanish DPA", None, "es-aepd"), ("Garante", None, "it-garante"),
     ("Autoriteit Persoonsgegevens", None, "nl-ap"), ("Dutch DPA", None, "nl-ap"), ("ICO", None, "gb-ico"),
     ("Data Protection Commission", None, "ie-dpc"), ("FTC", None, "us-ftc"), ("SAMR", None, "cn-samr"),
     ("State Administration for Market Regulation", None, "cn-samr"),
     ("Cyberspace Administration of China", None, "cn-cac"), ("CAC", None, "cn-cac"), ("EDPB", None, "eu-edpb"),
     ("European Commission", None, "eu-commission"), ("CMA", None, "gb-cma"), ("KFTC", None, "kr-kftc"),
     ("PIPC", None, "kr-pipc"), ("CCI", None, "in-cci"), ("The Hellenic DPA", None, "gr-hdpa"),
     ("Datatilsynet", "NO", "no-datatilsynet"), ("Datatilsynet", "DK", "dk-datatilsynet"),
     ("CNPD", "PT", "pt-cnpd"), ("CNPD", "LU", "lu-cnpd"),
     ("The Romanian DPA (ANSPDCP) imposed a fine", None, "ro-anspdcp")],
)
def test_lookup_authority(text, country, expected_id):
    record = lookup_authority(text, country=country)
    assert record is not None and record.id == expected_id


def test_lookup_unknown_is_none():
    assert lookup_authority("the local bakery") is None


def test_ruler_marks_authorities_before_ner(nlp):
    assert nlp.pipe_names.index("authority_ruler") < nlp.pipe_names.index("ner")
    assert add_authority_ruler(nlp) is nlp.get_pipe("authority_ruler")  # added once
    doc = nlp("Shanghai XPeng Motor Sales Service Co.,Ltd. was fined by the Xuhui District Administration for "
              "Market Regulation. The Spanish DPA (AEPD) fined Vodafone; the ico said nothing.")
    ents = {(e.text, e.ent_id_) for e in doc.ents if e.label_ == AUTHORITY_LABEL}
    assert ("Xuhui District Administration for Market Regulation", "cn-local-amr") in ents
    assert ("Spanish DPA", "es-aepd") in ents and ("AEPD", "es-aepd") in ents
    assert not any(text == "ico" for text, _ in ents)  # acronyms match only as written


def test_country_names_and_demonyms():
    assert country_code("Spanish") == "ES" and country_code("SPAIN") == "ES"
    assert country_code("the Netherlands") == "NL" and country_code("Hellenic") == "GR"
    assert country_code("Narnia") is None
