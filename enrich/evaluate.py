"""Measuring fine extraction on real GDPR enforcement records (``../shared/eval/gdpr-fines``).

Each record gives a one-paragraph English summary and the truth: the fine in EUR, the controller fined and the
country. The summary goes through the same spaCy pipeline and :func:`enrich.fines.extract_fines` as an article.

Which rows count ("states the fine"): the summary must state the true EUR amount, checked mechanically and
independently of the extractor: some number in the text, read with either decimal mark and times a scale word
right after it ("1.5 million"), equals the fine to the cent, and "EUR", "€" or "euro" stands within 12
characters of it. Other rows (fine only in PLN/HUF/..., no amount, record disagreeing with its text) are
counted but not scored.

On those rows:

- **amount**: an in-force fine (status imposed or reduced) states the true EUR amount, as its amount in EUR or
  as the EUR restatement the text gives ("NOK 200,000 (EUR 19,300)");
- **currency**: that fine's currency is EUR, or the country's own currency when the EUR figure was the
  restatement (without a right fine: the first in-force fine's currency is one of the two);
- **party**: that fine's party (else the first in-force fine's) matches the controller after normalisation
  (case, accents, punctuation, "S.A.U." = "Sau", articles dropped): the same words in any order, or the
  shorter name's distinctive words (not legal forms or common nouns like "municipality", "bank") found in
  the longer, two of them when it has two or more ("municipality of Moss" = "Moss Municipality",
  "Telefónica Mobiles España, S.A.U." = "Telefónica Móviles España, Sau", but "Vodafone Servicios" is not
  "Vodafone España"); a parenthesised alternative name counts too. A controller recorded as "Unknown..." has
  no truth and is left out; an anonymised one ("Private Individual", "Store Owner") counts like a name: the
  text's "a private individual" or "the owner of a store" is right;
- **exact**: the true fine is the ONLY in-force fine extracted;
- **precision**: the share of all fines extracted (any status) that state the true amount;
- **jurisdiction**: the fine's jurisdiction is the record's country.

Rows with an even numeric etid are the development split (tuned on), odd ones held out: report both.
"""

from __future__ import annotations

import csv
import html
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import click

from enrich.countries import country_code
from enrich.fines import extract_fines
from enrich.money import CURRENCY_BY_COUNTRY
from enrich.records import Fine

if TYPE_CHECKING:
    from spacy.language import Language

__all__ = ["RowResult", "Figures", "Report", "evaluate_gdpr_fines", "format_report", "evaluate_command",
           "states_amount", "party_matches", "EvaluationInputError"]

IN_FORCE = ("imposed", "reduced")
SPLITS = ("dev", "held-out")
REQUIRED_COLUMNS = ("etid", "country", "fine", "controller_processor", "summary")
#: Words too common in controller names to make a match on their own.
GENERIC_WORDS = frozenset("""
a an the of de del la le and und et for in on at to s sa sl sau srl spa ltd limited llc inc ag gmbh as ab oy
bv nv plc co company companies corporation group association society hospital bank municipality city council
controller processor private individual person school university clinic office centre center service services
insurance telecom operator store shop owner owners employer website homeowners housing
""".split())


class EvaluationInputError(Exception):
    """The evaluation data could not be read. ``str()`` is one line naming the file."""


@dataclass
class RowResult:
    """One record: its truth, what was extracted, and how it scored."""

    etid: str
    split: str
    country: str
    true_fine: float
    controller: str
    summary: str
    states_fine: bool
    fines: list[Fine] = field(default_factory=list)
    amount_ok: bool = False
    currency_ok: bool = False
    party_ok: bool | None = None  # None: no usable truth
    exact: bool = False
    right: int = 0  # extracted fines stating the true amount
    jurisdiction_ok: bool = False


@dataclass
class Figures:
    """Counts over a set of rows whose summary states the fine."""

    rows: int = 0
    amount: int = 0
    currency: int = 0
    party: int = 0
    party_rows: int = 0
    exact: int = 0
    extracted: int = 0
    right: int = 0
    jurisdiction: int = 0
    no_fine: int = 0  # rows where nothing in force was extracted

    def add(self, row: RowResult) -> None:
        self.rows += 1
        self.amount += row.amount_ok
        self.currency += row.currency_ok
        if row.party_ok is not None:
            self.party_rows += 1
            self.party += row.party_ok
        self.exact += row.exact
        self.extracted += len(row.fines)
        self.right += row.right
        self.jurisdiction += row.jurisdiction_ok
        self.no_fine += not any(f.status in IN_FORCE for f in row.fines)

    @property
    def precision(self) -> float:
        return self.right / self.extracted if self.extracted else 0.0


@dataclass
class Report:
    """Figures per split ("dev", "held-out", "all") and every scored row."""

    csv_path: str
    total_rows: int
    stating_rows: int
    figures: dict[str, Figures]
    rows: list[RowResult]

    def misses(self, split: str = "dev") -> list[RowResult]:
        """Scored rows of ``split`` (or "all") that are not exact or whose party is wrong."""
        return [r for r in self.rows if r.states_fine and (split == "all" or r.split == split)
                and (not r.exact or r.party_ok is False or r.right < len(r.fines))]


# --- the truth side --------------------------------------------------------------------------------------

_NUMBER = re.compile(r"(?<![\w.,])\d(?:[\d.,'’]|\s(?=\d{3}\b))*\d(?![\d])|(?<![\w.,])\d(?![\d])")
_SCALE_AFTER = re.compile(r"^\s*(million|mio\.?|mn|m|billion|bn|thousand)\b", re.I)
_SCALES = {"million": 1e6, "mio": 1e6, "mio.": 1e6, "mn": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9,
           "thousand": 1e3}
_EURO_MARK = re.compile(r"EUR|€|\beuros?\b", re.I)


def _readings(number: str) -> set[float]:
    """Every value a printed number can have: separators as grouping, or the last one as decimal mark."""
    digits = re.sub(r"[\s'’]", "", number)
    values = set()
    plain = re.sub(r"[.,]", "", digits)
    if plain:
        values.add(float(plain))
    last = max(digits.rfind("."), digits.rfind(","))
    if last != -1:
        head, tail = re.sub(r"[.,]", "", digits[:last]), digits[last + 1:]
        if head and tail:
            values.add(float(f"{head}.{tail}"))
    return values


def states_amount(text: str, value: float) -> bool:
    """Whether ``text`` states ``value`` euros (see the module docstring for the rule)."""
    for match in _NUMBER.finditer(text):
        readings = _readings(match.group())
        scale = _SCALE_AFTER.match(text[match.end():])
        if scale:
            readings |= {r * _SCALES[scale.group(1).lower()] for r in readings}
        if any(abs(r - value) < 0.005 for r in readings):
            window = text[max(0, match.start() - 12):match.end() + 12 + (scale.end() if scale else 0)]
            if _EURO_MARK.search(window):
                return True
    return False


def _normalise_name(name: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", name.casefold())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    tokens = re.findall(r"[^\W_]+", folded)
    merged: list[str] = []
    run = ""
    for token in tokens:  # "s a u" (from "S.A.U.") → "sau"
        if len(token) == 1:
            run += token
            continue
        if run:
            merged.append(run)
            run = ""
        merged.append(token)
    if run:
        merged.append(run)
    return [t for t in merged if t not in ("the", "a", "an", "of")]


def _alternatives(name: str) -> list[list[str]]:
    """A name and its parenthesised alternative: "Robinson Tours Ltd. (Robinson Tours Kft.)"."""
    options = [name]
    inside = re.findall(r"\(([^()]+)\)", name)
    outside = re.sub(r"\([^()]*\)", " ", name)
    options += inside + [outside]
    return [n for n in (_normalise_name(o) for o in options) if n]


def _contains(longer: list[str], shorter: list[str]) -> bool:
    n = len(shorter)
    return any(longer[i:i + n] == shorter for i in range(len(longer) - n + 1))


def party_matches(extracted: str | None, truth: str) -> bool:
    """Whether an extracted party names the recorded controller (see the module docstring)."""
    if not extracted:
        return False
    for a in _alternatives(extracted):
        for b in _alternatives(truth):
            if a == b or set(a) == set(b):
                return True
            shorter, longer = (a, b) if len(a) <= len(b) else (b, a)
            distinctive = {t for t in shorter if t not in GENERIC_WORDS and len(t) > 1}
            shared = distinctive & set(longer)
            if distinctive and len(shared) >= min(2, len(distinctive)):
                return True
    return False


# --- scoring ---------------------------------------------------------------------------------------------

def _right(fine: Fine, truth: float) -> bool:
    if fine.currency == "EUR" and abs(fine.amount - truth) < 0.5:
        return True
    return fine.equivalent_currency == "EUR" and fine.equivalent_amount is not None \
        and abs(fine.equivalent_amount - truth) < 0.5


def _score(row: RowResult) -> None:
    code = country_code(row.country.title()) or country_code(row.country)
    national = CURRENCY_BY_COUNTRY.get(code or "", "EUR")
    in_force = [f for f in row.fines if f.status in IN_FORCE]
    right_in_force = [f for f in in_force if _right(f, row.true_fine)]
    row.right = sum(_right(f, row.true_fine) for f in row.fines)
    row.amount_ok = bool(right_in_force)
    row.exact = len(in_force) == 1 and bool(right_in_force)
    chosen = right_in_force[0] if right_in_force else (in_force[0] if in_force else None)
    if chosen is None:
        row.currency_ok = False
    elif right_in_force:
        direct = chosen.currency == "EUR" and abs(chosen.amount - row.true_fine) < 0.5
        row.currency_ok = chosen.currency == ("EUR" if direct else national)
    else:
        row.currency_ok = chosen.currency in ("EUR", national)
    if row.controller.strip().lower().startswith("unknown") or not row.controller.strip():
        row.party_ok = None
    else:
        row.party_ok = chosen is not None and party_matches(chosen.fined_party, row.controller)
    row.jurisdiction_ok = chosen is not None and chosen.jurisdiction == code


def _read_rows(csv_path: Path, limit: int | None) -> list[dict[str, str]]:
    try:
        with csv_path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise EvaluationInputError(f"{csv_path}: missing column(s) {', '.join(missing)}")
            rows = []
            for row in reader:
                rows.append(row)
                if limit is not None and len(rows) >= limit:
                    break
            return rows
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise EvaluationInputError(f"{csv_path}: {error}") from error


def _split_of(etid: str) -> str:
    digits = re.sub(r"\D", "", etid)
    return "dev" if digits and int(digits) % 2 == 0 else "held-out"


def evaluate_gdpr_fines(csv_path: str | Path, nlp: "Language", *, limit: int | None = None,
                        batch_size: int = 64) -> Report:
    """Run the extractor over every summary of the enforcement-tracker CSV and score it (module docstring).
    ``limit`` reads only the first rows. Raises :class:`EvaluationInputError` on an unreadable file."""
    path = Path(csv_path)
    raw_rows = _read_rows(path, limit)
    results: list[RowResult] = []
    for raw in raw_rows:
        try:
            truth = float(raw["fine"])
        except (TypeError, ValueError):
            truth = 0.0
        summary = html.unescape(raw.get("summary") or "").strip()  # the data keeps "&amp;", "&nbsp;"
        results.append(RowResult(
            etid=raw["etid"], split=_split_of(raw["etid"]), country=raw["country"] or "", true_fine=truth,
            controller=raw.get("controller_processor") or "", summary=summary,
            states_fine=truth > 0 and states_amount(summary, truth),
        ))
    scored = [r for r in results if r.states_fine]
    for row, doc in zip(scored, nlp.pipe((r.summary for r in scored), batch_size=batch_size)):
        row.fines = extract_fines(doc)
        _score(row)
    figures = {name: Figures() for name in (*SPLITS, "all")}
    for row in scored:
        figures[row.split].add(row)
        figures["all"].add(row)
    return Report(str(path), len(results), len(scored), figures, scored)


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f}% ({part}/{whole})" if whole else "   n/a"


def format_report(report: Report) -> str:
    """The report as a plain-text table."""
    lines = [
        f"GDPR fines: {report.csv_path}",
        f"rows read: {report.total_rows}; rows whose summary states the EUR fine (scored): {report.stating_rows}",
        "split: dev = even etid (tuned on), held-out = odd etid",
        "",
        f"{'':14}" + "".join(f"{name:>24}" for name in report.figures),
    ]
    measures = [
        ("rows", lambda f: f"{f.rows}"),
        ("amount", lambda f: _pct(f.amount, f.rows)),
        ("currency", lambda f: _pct(f.currency, f.rows)),
        ("party", lambda f: _pct(f.party, f.party_rows)),
        ("exact", lambda f: _pct(f.exact, f.rows)),
        ("precision", lambda f: _pct(f.right, f.extracted)),
        ("jurisdiction", lambda f: _pct(f.jurisdiction, f.rows)),
        ("no fine found", lambda f: f"{f.no_fine}"),
    ]
    for label, show in measures:
        lines.append(f"{label:14}" + "".join(f"{show(f):>24}" for f in report.figures.values()))
    return "\n".join(lines)


def write_errors(report: Report, path: Path, *, split: str = "dev") -> int:
    """Write the misses of ``split`` as readable text (atomically); returns how many."""
    from scraper.article_file import atomic_write_text

    misses = report.misses(split)
    blocks = []
    for row in misses:
        extracted = "\n".join(
            f"  - {f.amount:,.2f} {f.currency} [{f.status}]"
            + (f" (= {f.equivalent_amount:,.2f} {f.equivalent_currency})" if f.equivalent_currency else "")
            + f" party={f.fined_party!r} authority={f.authority!r} jurisdiction={f.jurisdiction}"
            for f in row.fines
        ) or "  (none)"
        flags = ", ".join(name for name, bad in (("amount", not row.amount_ok), ("not exact", not row.exact),
                                                 ("party", row.party_ok is False),
                                                 ("extra", row.right < len(row.fines))) if bad)
        blocks.append(f"## {row.etid} [{row.split}] {row.country}: EUR {row.true_fine:,.2f} / "
                      f"{row.controller!r} — {flags}\n{row.summary}\nextracted:\n{extracted}\n")
    atomic_write_text(path, "\n".join(blocks))
    return len(misses)


@click.command("evaluate")
@click.option("--gdpr-csv", "csv_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The enforcement-tracker CSV (../shared/eval/gdpr-fines/enforcementtracker.csv).")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Read only the first N rows.")
@click.option("--errors", "errors_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the misses to this file for analysis.")
@click.option("--errors-split", type=click.Choice([*SPLITS, "all"]), default="dev", show_default=True,
              help="Which split's misses to write (tune on dev only; look at held-out only to report).")
def evaluate_command(csv_path: Path, limit: int | None, errors_path: Path | None, errors_split: str) -> None:
    """Measure fine extraction on real GDPR enforcement records: amount, currency, fined party, exactness
    and precision, on the development (even etid) and held-out (odd etid) rows.

    Example:

        enrich evaluate --gdpr-csv ../shared/eval/gdpr-fines/enforcementtracker.csv --errors misses.txt
    """
    from enrich.nlp import load_nlp

    try:
        report = evaluate_gdpr_fines(csv_path, load_nlp(), limit=limit)
    except EvaluationInputError as error:
        raise click.ClickException(str(error)) from error
    click.echo(format_report(report))
    if errors_path is not None:
        count = write_errors(report, errors_path, split=errors_split)
        click.echo(f"\n{count} {errors_split} misses written to {errors_path}")
