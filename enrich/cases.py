"""Grouping articles into cases: every article that reports one enforcement action, whatever the outlet or
wording, becomes one :class:`Case`.

Each enforcement article gives one *report* per fine it states (its party is the fine's, else the article's),
or a single report without an amount. Two reports belong to one case when

- their parties are the same after normalisation (:func:`party_key`: case, accents, punctuation, legal suffixes
  such as "Co., Ltd." or "GmbH", "Motor(s)", leading or trailing place names such as "Shanghai" or "Ireland"
  are dropped) or one key is a prefix of the other ("xpeng" and "xpeng sales service");
- their jurisdictions agree when both are known (else their authorities, when both are known);
- their amounts agree within :data:`AMOUNT_TOLERANCE` (in a currency both state or were converted to) when both
  state one, and their decision dates, when both are known, are within :data:`DATE_WINDOW_DAYS`;
- their publication dates are within :data:`DATE_WINDOW_DAYS` of the case's.

Reports with an amount are grouped first (in date order), then reports without one join the closest compatible
case (so an article that names no amount joins the case of one that does, published before or after it), or
start their own. Reports whose party is unknown or anonymous ("a hospital") cannot be matched: each with an
amount is a case of its own, each without one is left out. Work is blocked by the first word of the party key,
so grouping costs about O(n log n + n·k) for k cases per block.

A case's id is a hash of its *founding* report: the earliest by (publication date, article id, party key,
amount). It is stable under re-runs and independent of input order (inputs are sorted first), and it survives
the case gaining articles later, the usual way news arrives; it changes only when an earlier article is
back-filled into the case. Hashing the sorted member ids instead would change the id with every new article.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from enrich.countries import country_code
from enrich.dates import iso_date
from enrich.records import FINE_STATUSES, Fine
from enrich.violations import primary_label

__all__ = ["CaseInput", "Case", "group_cases", "party_key", "AMOUNT_TOLERANCE", "DATE_WINDOW_DAYS"]

#: Two stated amounts are one fine when they differ by at most this fraction of the larger.
AMOUNT_TOLERANCE = 0.05
#: Articles further apart than this (days) are about different actions.
DATE_WINDOW_DAYS = 30

#: Words dropped from party names: legal forms and words companies add to their trading name.
LEGAL_SUFFIXES = frozenset(
    """inc incorporated ltd limited co company corp corporation plc llc llp lp pllc gmbh mbh ag kg kgaa se sa sas
    sasu sarl sl slu srl spa sro bv nv ab asa oy oyj aps kft zrt nyrt pty pte bhd tbk jsc pjsc ojsc oao zao ooo
    holding holdings group motor motors""".split()
)
#: Words that carry no identity.
STOP_WORDS = frozenset({"the", "of", "and", "a", "an", "its", "s"})
#: Cities that prefix subsidiaries' names ("Shanghai XPeng Motor Sales Service Co., Ltd."); countries come from
#: countries.yml.
CITY_WORDS = frozenset(
    """shanghai beijing shenzhen guangzhou hangzhou chengdu wuhan nanjing tianjin chongqing suzhou xiamen
    qingdao dalian ningbo xian zhengzhou changsha jinan hefei kunming harbin shenyang fuzhou dongguan foshan
    seoul tokyo osaka mumbai bangalore delhi london dublin paris berlin munich amsterdam madrid milan rome""".split()
)
_ANONYMOUS = re.compile(
    r"^(?:an?|one|two|three|several|some|unnamed|unidentified|anonymous)\s|^(?:the\s+)?(?:controller|processor|"
    r"company|firm|individual|person|it|they)$",
    re.I,
)


@dataclass
class CaseInput:
    """What grouping needs from one article (built by the loader from its facts)."""

    article_id: str
    published: str | None = None  # ISO 8601 date (a longer timestamp is cut to its date)
    provider: str | None = None
    kind: str = "enforcement"
    fined_party: str | None = None
    authority: str | None = None
    jurisdiction: str | None = None
    fines: list[Fine] = field(default_factory=list)
    laws: list[str] = field(default_factory=list)  # canonical law names
    violation: str | None = None  # the article's primary violation label
    official: bool = False  # published by the authority itself: its wording wins


@dataclass
class Case:
    """One enforcement action and the articles that report it."""

    id: str
    fined_party: str | None
    authority: str | None
    jurisdiction: str | None
    amount: float | None
    currency: str | None
    amount_eur: float | None
    amount_usd: float | None
    status: str | None
    decision_date: str | None
    first_reported: str | None
    last_reported: str | None
    article_count: int
    laws: str | None  # comma-joined, sorted
    violation_type: str | None
    article_ids: list[str]


@dataclass
class _Report:
    article: CaseInput
    order: int  # position of the fine in the article
    party: str | None
    key: tuple[str, ...]
    authority: str | None
    authority_key: str | None
    jurisdiction: str | None
    date: dt.date | None
    fine: Fine | None

    @property
    def sort_key(self) -> tuple:
        amount = (self.fine.currency, self.fine.amount) if self.fine else ("", 0.0)
        return (self.date or dt.date.max, self.article.article_id, self.key, amount, self.order)


@dataclass(eq=False)
class _Cluster:
    index: int = 0  # creation order, for deterministic tie-breaks
    reports: list[_Report] = field(default_factory=list)
    keys: set[tuple[str, ...]] = field(default_factory=set)
    jurisdictions: set[str] = field(default_factory=set)
    authority_keys: set[str] = field(default_factory=set)
    fines: dict[tuple[str, float], Fine] = field(default_factory=dict)  # one per distinct amount
    decision_dates: set[dt.date] = field(default_factory=set)
    #: The dates new reports must be near: those of the reports stating an amount, else the founding report's
    #: (reports without an amount never stretch a case's window, so weekly news of a company cannot chain).
    first: dt.date | None = None
    last: dt.date | None = None

    def add(self, report: _Report) -> None:
        founding = not self.reports
        self.reports.append(report)
        self.keys.add(report.key)
        if report.jurisdiction:
            self.jurisdictions.add(report.jurisdiction)
        if report.authority_key:
            self.authority_keys.add(report.authority_key)
        if report.fine is not None:
            self.fines.setdefault((report.fine.currency, round(report.fine.amount, 2)), report.fine)
            if decided := iso_date(report.fine.decision_date):
                self.decision_dates.add(decided)
        if report.date and (founding or report.fine is not None):
            self.first = min(self.first or report.date, report.date)
            self.last = max(self.last or report.date, report.date)


class _Block:
    """The cases of one first party word, indexed by the date buckets their windows cover, so a report is only
    compared with cases near its date."""

    def __init__(self) -> None:
        self.undated: list[_Cluster] = []
        self.by_bucket: dict[int, list[_Cluster]] = {}
        self.covered: dict[int, tuple[int, int]] = {}  # id(cluster) -> buckets registered

    def candidates(self, date: dt.date | None) -> list[_Cluster]:
        if date is None:
            found = {id(c): c for bucket in self.by_bucket.values() for c in bucket}
        else:
            found = {id(c): c for c in self.by_bucket.get(date.toordinal() // DATE_WINDOW_DAYS, ())}
        for cluster in self.undated:
            found.setdefault(id(cluster), cluster)
        return sorted(found.values(), key=lambda c: c.index)

    def register(self, cluster: _Cluster) -> None:
        if cluster.first is None or cluster.last is None:
            if cluster not in self.undated:
                self.undated.append(cluster)
            return
        if cluster in self.undated:
            self.undated.remove(cluster)
        low = (cluster.first.toordinal() - DATE_WINDOW_DAYS) // DATE_WINDOW_DAYS
        high = (cluster.last.toordinal() + DATE_WINDOW_DAYS) // DATE_WINDOW_DAYS
        old = self.covered.get(id(cluster))
        for bucket in range(low, high + 1):
            if old is None or not old[0] <= bucket <= old[1]:
                self.by_bucket.setdefault(bucket, []).append(cluster)
        self.covered[id(cluster)] = (min(low, old[0]) if old else low, max(high, old[1]) if old else high)


def group_cases(articles: Iterable[CaseInput]) -> list[Case]:
    """The cases reported by `articles` (only ``kind == "enforcement"`` ones count), sorted by id. Deterministic:
    the same articles in any order give the same cases and ids."""
    reports = sorted(
        (r for a in articles if a.kind == "enforcement" for r in _reports(a)), key=lambda r: r.sort_key
    )
    blocks: dict[str, _Block] = {}
    clusters: list[_Cluster] = []
    for with_amount in (True, False):
        for report in reports:
            if (report.fine is not None) != with_amount:
                continue
            if not report.key:
                if report.fine is not None:
                    cluster = _Cluster(index=len(clusters))
                    cluster.add(report)
                    clusters.append(cluster)
                continue
            block = blocks.setdefault(report.key[0], _Block())
            match = _best_cluster(report, block.candidates(report.date))
            if match is None:
                match = _Cluster(index=len(clusters))
                clusters.append(match)
            match.add(report)
            block.register(match)
    return sorted((_case(c) for c in clusters), key=lambda c: c.id)


def party_key(party: str | None) -> tuple[str, ...]:
    """The words that identify a party: "Shanghai XPeng Motor Sales Service Co.,Ltd." -> ("xpeng", "sales",
    "service"); "XPeng Inc." and "Xpeng Motors" -> ("xpeng",). Empty for an unknown or anonymous party."""
    if not party or _ANONYMOUS.search(party.strip()):
        return ()
    text = unicodedata.normalize("NFKD", party)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = re.sub(r"['’]s\b", "", text).replace("&", " and ").replace(".", "")
    words = [w for w in re.split(r"[^\w]+", text) if w and w not in STOP_WORDS and w not in LEGAL_SUFFIXES]
    while len(words) > 1 and _is_place(words[0]):
        words.pop(0)
    while len(words) > 1 and _is_place(words[-1]):
        words.pop()
    return tuple(words)


@lru_cache(maxsize=4096)
def _is_place(word: str) -> bool:
    return word in CITY_WORDS or (len(word) > 2 and country_code(word) is not None and word not in _DEMONYMS())


@lru_cache(maxsize=1)
def _DEMONYMS() -> frozenset[str]:  # noqa: N802 - a cached constant
    from enrich.countries import load_countries

    return frozenset(d.casefold() for c in load_countries() for d in c.demonyms) - frozenset(
        n.casefold() for c in load_countries() for n in c.names
    )


def _authority_key(authority: str | None) -> str | None:
    if not authority:
        return None
    words = re.findall(r"\w+", re.sub(r"['’]s\b", "", authority.lower()))
    return " ".join(w for w in words if w not in STOP_WORDS) or None


def _reports(article: CaseInput) -> list[_Report]:
    reports: list[_Report] = []
    seen: set[tuple] = set()
    published = iso_date(article.published)
    for order, fine in enumerate(article.fines or [None]):
        party = (fine.fined_party if fine and fine.fined_party else None) or article.fined_party
        if fine is not None and not _has_letters(party):
            party = article.fined_party
        key = party_key(party)
        authority = (fine.authority if fine and fine.authority else None) or article.authority
        jurisdiction = (fine.jurisdiction if fine and fine.jurisdiction else None) or article.jurisdiction
        identity = (key, fine.currency, round(fine.amount, 2)) if fine else (key,)
        if identity in seen:
            continue
        seen.add(identity)
        reports.append(
            _Report(article, order, party, key, authority, _authority_key(authority), jurisdiction, published, fine)
        )
    return reports


def _has_letters(text: str | None) -> bool:
    return bool(text) and len(re.findall(r"[^\W\d_]", text)) >= 2


def _keys_match(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    shorter, longer = (a, b) if len(a) <= len(b) else (b, a)
    return longer[: len(shorter)] == shorter


def _values(fine: Fine) -> dict[str, float]:
    values = {fine.currency: fine.amount}
    for currency, amount in (("EUR", fine.amount_eur), ("USD", fine.amount_usd),
                             (getattr(fine, "equivalent_currency", None), getattr(fine, "equivalent_amount", None))):
        if currency and amount:
            values.setdefault(currency, amount)
    return values


def _same_amount(a: Fine, b: Fine) -> bool:
    va, vb = _values(a), _values(b)
    shared = [c for c in (a.currency, b.currency, "EUR", "USD", *sorted(va)) if c in va and c in vb]
    for currency in shared[:1]:
        x, y = va[currency], vb[currency]
        if max(x, y) == 0:
            return x == y
        return abs(x - y) <= AMOUNT_TOLERANCE * max(x, y)
    return False


def _days(a: dt.date | None, b: dt.date | None) -> int:
    return abs((a - b).days) if a and b else 0


def _compatible(report: _Report, cluster: _Cluster) -> bool:
    if not any(_keys_match(report.key, key) for key in cluster.keys):
        return False
    if report.jurisdiction and cluster.jurisdictions:
        if report.jurisdiction not in cluster.jurisdictions:
            return False
    elif report.authority_key and cluster.authority_keys and report.authority_key not in cluster.authority_keys:
        return False
    if report.date and cluster.first and cluster.last:
        if (cluster.first - report.date).days > DATE_WINDOW_DAYS or (report.date - cluster.last).days > DATE_WINDOW_DAYS:
            return False
    if report.fine is not None and cluster.fines:
        if not any(_same_amount(report.fine, fine) for fine in cluster.fines.values()):
            return False
        decided = iso_date(report.fine.decision_date)
        if decided and cluster.decision_dates and all(
            _days(decided, d) > DATE_WINDOW_DAYS for d in cluster.decision_dates
        ):
            return False
    return True


def _best_cluster(report: _Report, candidates: Sequence[_Cluster]) -> _Cluster | None:
    """The compatible case nearest in time to the report (the earliest created on a tie)."""
    best: tuple[int, int] | None = None
    chosen = None
    for cluster in candidates:
        if not _compatible(report, cluster):
            continue
        distance = 0
        if report.date and cluster.first and cluster.last:
            distance = max((cluster.first - report.date).days, (report.date - cluster.last).days, 0)
        if best is None or (distance, cluster.index) < best:
            best, chosen = (distance, cluster.index), cluster
    return chosen


def _ranked(values: Iterable[tuple[str | None, _Report]]) -> str | None:
    """The value most authoritative reports give: official first, then those stating an amount, then the most
    frequent, then the earliest reported."""
    score: dict[str, list] = {}
    for value, report in values:
        if not value:
            continue
        entry = score.setdefault(value, [0, 0, 0, report.sort_key])
        entry[0] += report.article.official
        entry[1] += report.fine is not None
        entry[2] += 1
        entry[3] = min(entry[3], report.sort_key)
    if not score:
        return None
    return min(score, key=lambda v: (-score[v][0], -score[v][1], -score[v][2], score[v][3], v))


def _case(cluster: _Cluster) -> Case:
    reports = sorted(cluster.reports, key=lambda r: r.sort_key)
    founder = reports[0]
    founder_amount = (f"{founder.fine.amount:.2f}", founder.fine.currency) if founder.fine else ("", "")
    digest = hashlib.sha1(
        "|".join((founder.article.article_id, " ".join(founder.key), *founder_amount)).encode("utf-8")
    ).hexdigest()[:16]
    amount_fine, status, decision_date = _amount(reports)
    published = sorted(d for d in (iso_date(r.article.published) for r in reports) if d)
    article_ids = sorted({r.article.article_id for r in reports})
    by_article = {r.article.article_id: r.article for r in reports}
    laws = sorted({law for a in by_article.values() for law in a.laws or ()})
    return Case(
        id=f"case-{digest}",
        fined_party=_ranked((r.party, r) for r in reports),
        authority=_ranked((r.authority, r) for r in reports),
        jurisdiction=_ranked((r.jurisdiction, r) for r in reports),
        amount=amount_fine.amount if amount_fine else None,
        currency=amount_fine.currency if amount_fine else None,
        amount_eur=amount_fine.amount_eur if amount_fine else None,
        amount_usd=amount_fine.amount_usd if amount_fine else None,
        status=status,
        decision_date=decision_date,
        first_reported=published[0].isoformat() if published else None,
        last_reported=published[-1].isoformat() if published else None,
        article_count=len(article_ids),
        laws=", ".join(laws) or None,
        violation_type=primary_label(a.violation for a in by_article.values()),
        article_ids=article_ids,
    )


def _amount(reports: Sequence[_Report]) -> tuple[Fine | None, str | None, str | None]:
    """The case's amount (the most authoritative, then most often stated), its latest status (the furthest step
    of proposed -> imposed -> reduced -> overturned any article reports) and decision date (the earliest stated
    for that amount)."""
    stated = [r for r in reports if r.fine is not None]
    if not stated:
        return None, None, None
    status = max((r.fine.status for r in stated), key=lambda s: FINE_STATUSES.index(s) if s in FINE_STATUSES else -1)
    groups: list[list[_Report]] = []
    for report in stated:
        for group in groups:
            if _same_amount(group[0].fine, report.fine) and group[0].fine.currency == report.fine.currency:
                group.append(report)
                break
        else:
            groups.append([report])
    best = min(
        groups,
        key=lambda g: (
            -sum(r.article.official for r in g),
            -len({r.article.article_id for r in g}),
            -max(FINE_STATUSES.index(r.fine.status) if r.fine.status in FINE_STATUSES else -1 for r in g),
            g[0].sort_key,
        ),
    )
    amounts = Counter(r.fine.amount for r in best)
    amount = min(amounts, key=lambda a: (-amounts[a], a))
    fine = next(
        (r.fine for r in best if r.fine.amount == amount and r.fine.amount_eur is not None),
        next(r.fine for r in best if r.fine.amount == amount),
    )
    decided = sorted(r.fine.decision_date for r in best if r.fine.decision_date)
    return fine, status, decided[0] if decided else None
