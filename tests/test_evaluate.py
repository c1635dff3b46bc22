"""The GDPR-fines evaluation: its truth rules, its scoring, and the click command end to end."""

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from enrich.evaluate import (
    EvaluationInputError,
    evaluate_command,
    evaluate_gdpr_fines,
    party_matches,
    states_amount,
)
from enrich.nlp import load_nlp

SHARED_CSV = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "gdpr-fines" / "enforcementtracker.csv"


@pytest.fixture(scope="session")
def nlp():
    return load_nlp()


@pytest.mark.parametrize(
    "text,value,expected",
    [("imposed a fine of EUR 30,000 on X", 30_000, True), ("EUR 1.5 million", 1_500_000, True),
     ("a fine of 510 EUR", 510, True), ("EUR 50.000 was reduced", 50_000, True), ("€ 7 million", 7e6, True),
     ("NOK 200,000 (EUR 19,300)", 19_300, True), ("fined EUR 11, 760", 11_760, True),
     ("PLN 20,000 fine", 20_000, False),  # not euros
     ("EUR 30,000", 3_000, False), ("in 2019 30,000 customers; EUR 5", 30_000, False)],
)
def test_states_amount(text, value, expected):
    assert states_amount(text, value) is expected


@pytest.mark.parametrize(
    "extracted,truth,expected",
    [("TIM S.p.A.", "Tim S.P.A.", True), ("Vodafone España SAU.", "Vodafone España, S.A.U.", True),
     ("municipality of Moss", "Moss Municipality", True), ("a private individual", "Private Individual", True),
     ("owner of a store", "Store Owner", True),
     ("Robinson Tours Idegenforgalmi és Szolgáltató Kft. (Robinson Tours Ltd.)",
      "Robinson Tours Ltd. (Robinson Tours Idegenforgalmi És Szolgáltató Kft.)", True),
     ("VODAFONE SERVICIOS, S.L.U.", "Vodafone España, S.A.U.", False),
     ("Bergen Municipality", "Moss Municipality", False),
     ("a bank", "Kutxabank, S.A.", False), (None, "Google LLC", False)],
)
def test_party_matches(extracted, truth, expected):
    assert party_matches(extracted, truth) is expected


FIELDS = ["etid", "country", "fine", "controller_processor", "summary"]
ROWS = [
    # dev (even): exact, with a restated amount
    ("ETid-2", "NORWAY", "19300.0", "Cyberbook As",
     "The Norwegian DPA (Datatilsynet) fined Cyberbook AS NOK 200,000 (EUR 19,300) for forwarding e-mails."),
    # dev: a reduction; the original amount must not count as a second fine
    ("ETid-4", "SPAIN", "6000.0", "Future Vinline S.L.",
     "The Spanish DPA (AEPD) has fined Future Vinline S.L.. The original fine of EUR 10,000 was reduced to "
     "EUR 6,000 due to a voluntary payment."),
    # held-out (odd): a statutory maximum beside the fine
    ("ETid-5", "FRANCE", "50000.0", "Acme SAS",
     "The French DPA (CNIL) fined Acme SAS EUR 50,000, although fines may reach up to EUR 20 million."),
    # not scored: the summary does not state the amount in euros
    ("ETid-7", "POLAND", "4600.0", "Unknown", "The Polish DPA fined a company PLN 20,000."),
]


def write_csv(path: Path, rows=ROWS, fields=FIELDS) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(fields)
        writer.writerows(rows)
    return path


def test_evaluate_scores_each_split(nlp, tmp_path):
    report = evaluate_gdpr_fines(write_csv(tmp_path / "fines.csv"), nlp)
    assert (report.total_rows, report.stating_rows) == (4, 3)
    dev, held_out, total = report.figures["dev"], report.figures["held-out"], report.figures["all"]
    assert (dev.rows, held_out.rows, total.rows) == (2, 1, 3)
    assert (dev.amount, dev.exact, dev.currency, dev.party) == (2, 2, 2, 2)
    assert (held_out.amount, held_out.exact, held_out.right, held_out.extracted) == (1, 1, 1, 1)
    by_id = {r.etid: r for r in report.rows}
    assert by_id["ETid-2"].fines[0].currency == "NOK"  # currency right: NOK, restated in EUR
    assert by_id["ETid-4"].fines[0].status == "reduced"
    assert by_id["ETid-2"].jurisdiction_ok and by_id["ETid-5"].jurisdiction_ok


def test_command_prints_figures_and_writes_dev_misses(tmp_path):
    rows = ROWS + [("ETid-8", "ITALY", "1000.0", "Foo S.r.l.", "The Garante imposed a fine of EUR 2,000 on Foo.")]
    csv_path = write_csv(tmp_path / "fines.csv", rows)
    errors = tmp_path / "misses.txt"
    result = CliRunner().invoke(evaluate_command, ["--gdpr-csv", str(csv_path), "--errors", str(errors)])
    assert result.exit_code == 0, result.output
    assert "exact" in result.output and "precision" in result.output and "held-out" in result.output
    assert "ETid-8" not in result.output
    text = errors.read_text()
    assert "ETid-8" not in text  # EUR 1,000 is not stated, so the row is not scored
    assert "dev misses written" in result.output


def test_bad_csv_is_one_line_error(tmp_path, nlp):
    bad = write_csv(tmp_path / "bad.csv", rows=[("x", "y")], fields=["etid", "country"])
    with pytest.raises(EvaluationInputError, match="bad.csv: missing column"):
        evaluate_gdpr_fines(bad, nlp)
    result = CliRunner().invoke(evaluate_command, ["--gdpr-csv", str(tmp_path / "absent.csv")])
    assert result.exit_code != 0
    assert "absent.csv" in result.output and len(result.output.strip().splitlines()) == 1


def test_real_records_sample(nlp):
    """The first 60 real records (both splits); a smoke test, the figures are printed by `enrich evaluate`."""
    if not SHARED_CSV.is_file():
        pytest.skip("../shared/eval/gdpr-fines is absent (the evaluation data is not part of the repository)")
    report = evaluate_gdpr_fines(SHARED_CSV, nlp, limit=60)
    total = report.figures["all"]
    assert report.total_rows == 60 and 0 < report.stating_rows <= 60
    assert total.amount <= total.rows and total.right <= total.extracted
    assert total.exact > total.rows / 2  # far above chance; the real figures are in the command's report
