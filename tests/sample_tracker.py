"""A realistic tracker database for the Datasette tests, generated (deterministically) through the real schema,
and a real Datasette serving it with the project's metadata, templates and plugins.

The rows imitate what enrichment produces: regulators, companies, amounts in four currencies converted to EUR and
USD, several articles per case from different outlets, evidence sentences with offsets into ``articles.text``.
A few rows are fixed (the Meta transfer decision, the Xpeng fine, an article whose title holds HTML) so tests can
look for them; everything else is generated from a seeded random number generator.
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import httpx
import sqlite_utils

from enrich import schema
from tests.conftest import REPO, free_port

#: (authority, jurisdiction, currency)
AUTHORITIES = (
    ("Irish Data Protection Commission", "IE", "EUR"),
    ("CNIL", "FR", "EUR"),
    ("Information Commissioner's Office", "GB", "GBP"),
    ("Garante per la protezione dei dati personali", "IT", "EUR"),
    ("Spanish Data Protection Agency", "ES", "EUR"),
    ("Federal Trade Commission", "US", "USD"),
    ("State Administration for Market Regulation", "CN", "CNY"),
    ("Dutch Data Protection Authority", "NL", "EUR"),
    ("Hamburg Commissioner for Data Protection", "DE", "EUR"),
)
COMPANIES = (
    "TikTok Technology", "Amazon Europe Core", "Google LLC", "Clearview AI", "H&M", "British Airways",
    "Marriott International", "Uber", "Criteo", "Enel Energia", "CaixaBank", "Vodafone Italia", "Spotify",
    "Didi Global", "Equifax", "Twitter International", "WhatsApp Ireland", "Orange", "Deliveroo", "Glovo",
    "Carrefour", "Volkswagen Leasing", "Grindr", "Replika", "Worldcoin", "Yandex", "Telefónica", "Zoom",
)
OUTLETS = (("Reuters", "reuters.com"), ("Euractiv", "euractiv.com"), ("TechNode", "technode.com"),
           ("The Record", "therecord.media"), ("IAPP", "iapp.org"), ("Politico Europe", "politico.eu"))
VIOLATIONS = {  # label (enrich/violations.yml) -> (law, article)
    "unlawful_processing": ("GDPR", "Art. 6"), "children": ("GDPR", "Art. 8"),
    "security_breach": ("GDPR", "Art. 32"), "international_transfer": ("GDPR", "Art. 46"),
    "transparency": ("GDPR", "Art. 13"), "biometric_data": ("GDPR", "Art. 9"),
    "direct_marketing": ("ePrivacy", None), "consumer_protection": ("FTC Act", "Section 5"),
}
LAW_BY_JURISDICTION = {"US": ("FTC Act", "Section 5"), "CN": ("Advertising Law", None), "GB": ("UK GDPR", None)}
STATUSES = ("imposed",) * 7 + ("proposed", "reduced", "overturned")
#: Rough reference rates; sample data only (the real build uses the ECB history).
TO_EUR = {"EUR": 1.0, "GBP": 1.16, "USD": 0.92, "CNY": 0.13}
EUR_TO_USD = 1.09
SYMBOL = {"EUR": "€", "GBP": "£", "USD": "$", "CNY": "CNY "}


@dataclass(frozen=True)
class Sample:
    """What was generated, for tests to compare against what Datasette shows."""

    path: Path
    articles: int
    fines: int
    cases: int


def _id(*parts: object) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:16]


def _money(amount: float, currency: str) -> str:
    if amount >= 1e9:
        return f"{SYMBOL[currency]}{amount / 1e9:g} billion"
    if amount >= 1e6:
        return f"{SYMBOL[currency]}{amount / 1e6:g} million"
    return f"{SYMBOL[currency]}{amount:,.0f}"


class _Writer:
    """Accumulates rows of every table; ids and offsets are derived the way the build derives them."""

    def __init__(self) -> None:
        self.rows: dict[str, list[dict]] = {name: [] for name in schema.TABLES_BY_NAME}
        self.counters: dict[tuple[str, str], int] = {}

    def article(self, *, title: str, excerpt: str, sentences: list[str], published: date, outlet: tuple[str, str],
                kind: str, party: str | None, authority: str | None, jurisdiction: str | None) -> dict:
        name, domain = outlet
        url = f"https://www.{domain}/{published:%Y/%m}/{len(self.rows['articles'])}-{re.sub('[^a-z0-9]+', '-', title.lower())[:40].strip('-')}"
        body = " ".join(sentences)
        text = "\n\n".join([title, excerpt, body])
        row = {
            "id": _id(url), "title": title, "excerpt": excerpt, "body": body, "text": text, "kind": kind,
            "published": f"{published.isoformat()}T09:00:00Z", "published_date": published.isoformat(), "url": url,
            "provider": name, "provider_domain": domain, "category": "news", "type": "article",
            "topics": '["Privacy"]', "language": "en", "source": domain.split(".")[0],
            "scraped": f"{published.isoformat()}T12:00:00Z", "fined_party": party, "authority": authority,
            "jurisdiction": jurisdiction, "content_hash": _id(text), "path": f"{domain}/{_id(url)}.txt",
        }
        self.rows["articles"].append(row)
        return row

    def mention(self, table: str, article: dict, sentence: str, **values) -> None:
        start = article["text"].index(sentence)
        n = self.counters.get((table, article["id"]), 0)
        self.counters[table, article["id"]] = n + 1
        self.rows[table].append({"id": f"{article['id']}-{table[0]}{n}", "article_id": article["id"],
                                 "evidence": sentence, "start_char": start, "end_char": start + len(sentence),
                                 **values})


def _case(writer: _Writer, rng: random.Random, *, party: str, authority: str, jurisdiction: str, currency: str,
          amount: float | None, decided: date | None, violation: str, status: str, outlets: list[tuple[str, str]],
          first_report: date, extra_fines: int = 0, title_override: str | None = None) -> None:
    law, detail = LAW_BY_JURISDICTION.get(jurisdiction, VIOLATIONS[violation])
    amount_eur = round(amount * TO_EUR[currency], 2) if amount is not None else None
    when = f" on {decided:%d %B %Y}" if decided else ""
    verb = {"imposed": "fined", "proposed": "proposed to fine", "reduced": "reduced the fine on",
            "overturned": "had its fine overturned against"}[status]
    fine_sentence = (f"The {authority} {verb} {party} {_money(amount, currency)}{when} "
                     f"over {violation.replace('_', ' ')}." if amount is not None else
                     f"The {authority} ordered {party} to stop processing{when} over {violation.replace('_', ' ')}.")
    law_sentence = f"The decision cites {law}{' ' + detail if detail else ''}."
    article_ids, dates = [], []
    for n, outlet in enumerate(outlets):
        published = first_report + timedelta(days=n * rng.randint(0, 3))
        penalty = _money(amount, currency) if amount is not None else "an order"
        title = title_override if (title_override and n == 0) else (
            f"{party} faces an order from {authority}" if amount is None else
            f"{party} fined {_money(amount, currency)} by {authority}" if n % 2 == 0
            else f"{authority} penalises {party} for {violation.replace('_', ' ')}")
        excerpt = f"{party} faces {penalty} for {violation.replace('_', ' ')}."
        sentences = [fine_sentence, law_sentence,
                     f"The company said it would review the decision and consider an appeal."]
        extra = []
        for k in range(extra_fines if n == 0 else 0):
            extra_amount = float(rng.choice((5_000, 20_000, 75_000)) * (k + 1))
            extra.append((f"Separately, a subsidiary was ordered to pay {_money(extra_amount, currency)}.",
                          extra_amount))
            sentences.append(extra[-1][0])
        article = writer.article(title=title, excerpt=excerpt, sentences=sentences, published=published,
                                 outlet=outlet, kind="enforcement", party=party, authority=authority,
                                 jurisdiction=jurisdiction)
        article_ids.append(article["id"])
        dates.append(article["published_date"])
        if amount is not None:
            writer.mention("fines", article, fine_sentence, amount=amount, currency=currency, amount_eur=amount_eur,
                           amount_usd=round(amount_eur * EUR_TO_USD, 2), status=status, fined_party=party,
                           authority=authority, jurisdiction=jurisdiction,
                           decision_date=decided.isoformat() if decided else None)
        for sentence, extra_amount in extra:
            writer.mention("fines", article, sentence, amount=extra_amount, currency=currency,
                           amount_eur=round(extra_amount * TO_EUR[currency], 2),
                           amount_usd=round(extra_amount * TO_EUR[currency] * EUR_TO_USD, 2), status="imposed",
                           fined_party=party, authority=authority, jurisdiction=jurisdiction,
                           decision_date=decided.isoformat() if decided else None)
        writer.mention("laws", article, law_sentence, law=law, detail=detail)
        writer.mention("violations", article, fine_sentence, violation_type=violation)
        writer.rows["entities"].append({"id": f"{article['id']}-e0", "article_id": article["id"], "text": party,
                                        "label": "ORG", "start_char": 0, "end_char": len(party)})
    dates.sort()
    case_id = "case-" + _id(party, authority, amount, currency, article_ids[0])[:12]
    writer.rows["cases"].append({
        "id": case_id, "fined_party": party, "authority": authority, "jurisdiction": jurisdiction,
        "amount": amount, "currency": currency if amount is not None else None, "amount_eur": amount_eur,
        "amount_usd": round(amount_eur * EUR_TO_USD, 2) if amount_eur is not None else None,
        "status": status if amount is not None else None,
        "decision_date": decided.isoformat() if decided else None, "first_reported": dates[0],
        "last_reported": dates[-1], "article_count": len(article_ids), "laws": law, "violation_type": violation,
        "year": (decided or date.fromisoformat(dates[0])).year,
    })
    writer.rows["case_articles"].extend({"case_id": case_id, "article_id": a} for a in article_ids)


def build_sample_database(path: Path, *, min_fines: int = 1500, seed: int = 20240522) -> Sample:
    """Write a tracker database with at least `min_fines` fines to `path` (through enrich.schema, so the views and
    indexes are the real ones). The Datasette name of the database is the file's stem."""
    rng = random.Random(seed)
    writer = _Writer()
    # Fixed cases the tests look for.
    _case(writer, rng, party="Meta Platforms Ireland", authority="Irish Data Protection Commission",
          jurisdiction="IE", currency="EUR", amount=1_200_000_000.0, decided=date(2023, 5, 22),
          violation="international_transfer", status="imposed", outlets=list(OUTLETS[:4]),
          first_report=date(2023, 5, 22))
    _case(writer, rng, party="Xpeng Motors", authority="State Administration for Market Regulation",
          jurisdiction="CN", currency="CNY", amount=100_000.0, decided=date(2021, 12, 15),
          violation="biometric_data", status="imposed", outlets=[OUTLETS[2]], first_report=date(2021, 12, 15))
    _case(writer, rng, party="Clearview AI", authority="Garante per la protezione dei dati personali",
          jurisdiction="IT", currency="EUR", amount=20_000_000.0, decided=date(2022, 3, 9),
          violation="biometric_data", status="imposed", outlets=[OUTLETS[1], OUTLETS[3]],
          first_report=date(2022, 3, 9),
          title_override='Clearview <script>alert("x")</script> <b>fined</b> €20 million in Italy')
    _case(writer, rng, party="Worldcoin", authority="Spanish Data Protection Agency", jurisdiction="ES",
          currency="EUR", amount=None, decided=date(2024, 3, 6), violation="biometric_data", status="imposed",
          outlets=[OUTLETS[0], OUTLETS[4]], first_report=date(2024, 3, 6))
    while len(writer.rows["fines"]) < min_fines:
        authority, jurisdiction, currency = rng.choice(AUTHORITIES)
        decided = date(2018, 5, 25) + timedelta(days=rng.randint(0, 7 * 365))
        first_report = decided + timedelta(days=rng.randint(0, 10))
        _case(writer, rng, party=rng.choice(COMPANIES), authority=authority, jurisdiction=jurisdiction,
              currency=currency, amount=float(rng.choice((1, 2, 5, 7.5)) * 10 ** rng.randint(4, 8)),
              decided=decided if rng.random() > 0.15 else None, violation=rng.choice(sorted(VIOLATIONS)),
              status=rng.choice(STATUSES), outlets=rng.sample(OUTLETS, rng.randint(1, 3)),
              first_report=first_report, extra_fines=rng.choice((0, 0, 0, 1, 2)))
    legislation = writer.article(
        title="EU AI Act enters into force", excerpt="The regulation applies in stages from 2025.",
        sentences=["The Artificial Intelligence Act entered into force on 1 August 2024."],
        published=date(2024, 8, 1), outlet=OUTLETS[5], kind="legislation", party=None, authority=None,
        jurisdiction="EU")
    writer.mention("laws", legislation, "The Artificial Intelligence Act entered into force on 1 August 2024.",
                   law="AI Act", detail=None)
    writer.rows["build_errors"].append({"path": "broken/bad.txt", "error": "not UTF-8"})

    path.unlink(missing_ok=True)
    db = sqlite_utils.Database(path)
    schema.create_tables(db)
    for table, rows in writer.rows.items():
        if rows:
            db[table].insert_all(rows, batch_size=500)
    schema.finish(db)
    sample = Sample(path, db["articles"].count, db["fines"].count, db["cases"].count)
    db.close()
    return sample


def wait_for(url: str, process: subprocess.Popen, log: Path, timeout: float = 60.0) -> None:
    """Poll `url` until it answers 200; fail early with the server's log if it exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"datasette exited early: {log.read_text()[-2000:]}")
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {timeout}s")


@contextmanager
def serve(db_path: Path, *, data_dir: Path | None = None) -> Iterator[str]:
    """`enrich serve` on a free loopback port, exactly as users run it; yields the base URL. With `data_dir`
    it builds the database from those article files first (the README's run command), else `--no-build`.
    The server's output goes to a log file beside the database (a pipe nobody reads would fill up and stall it)."""
    port = free_port()
    log = db_path.with_name(f"datasette-{port}.log")
    build = ["--data", str(data_dir)] if data_dir else ["--no-build"]
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "enrich", "serve", *build, "--db", str(db_path),
             "--metadata", str(REPO / "metadata.yml"), "--port", str(port)],
            cwd=db_path.parent, stdout=output, stderr=subprocess.STDOUT, text=True,
            start_new_session=True,  # `enrich serve` runs Datasette as a child: stop both through the group
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/-/versions.json", process, log)
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
