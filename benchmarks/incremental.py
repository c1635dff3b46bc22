"""Incremental enrichment: a full rebuild against adding a few articles, and our build against bare spaCy.

Run ``python -m benchmarks.incremental [--articles 10000] [--new 50] [--processes N] [--seed 7] [--keep DIR]
[--sample 1000]``.

It writes a corpus of synthetic but realistic article files (enforcement stories with fines in a dozen
currencies, legislation, and ordinary business news; 150-300 words; deterministic for a seed) and then, in one
run and on the same texts:

1. bare ``nlp.pipe``: the same model with the same disabled components as :func:`enrich.nlp.load_nlp`, but
   none of our components, every doc consumed and dropped (the floor any spaCy-based build pays); timed
   before and again after the full build, since the load of a shared machine drifts over a long run;
2. on a sample (``--sample``), bare ``nlp.pipe`` against our pipeline as :func:`enrich.nlp.load_nlp` returns
   it (the authority ruler added) and against :func:`enrich.pipeline.enrich_articles` (spaCy and every
   extractor), to show where the overhead goes;
3. a full build with an empty facts cache (:func:`enrich.build.build_database`: read files, spaCy, every
   extractor, cases, SQLite with full-text indexes);
4. a rebuild with nothing changed, and an incremental build after adding `--new` articles.

It prints the times, articles/s and words/s, the overhead of the full build over bare ``nlp.pipe``, and the
ratio incremental / full. The model is loaded before any timing starts. Words are whitespace-separated tokens
of the analysed text (title, excerpt, body). Nothing here is asserted: the machine is shared, so read the
figures side by side.
"""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from scraper.article_file import Article, dump_article

DEFAULT_SEED = 7

# --- the synthetic corpus ---------------------------------------------------------------------------------

#: (authority, country adjective, currency formatter key, law)
AUTHORITIES = (
    ("the Information Commissioner's Office", "British", "GBP", "the UK GDPR"),
    ("the Financial Conduct Authority", "British", "GBP", "the Financial Services and Markets Act 2000"),
    ("France's CNIL", "French", "EUR", "the GDPR"),
    ("the Irish Data Protection Commission", "Irish", "EUR", "the GDPR"),
    ("Italy's Garante", "Italian", "EUR", "the GDPR"),
    ("the Dutch Data Protection Authority", "Dutch", "EUR", "the GDPR"),
    ("Spain's AEPD", "Spanish", "EUR", "the GDPR"),
    ("the Federal Trade Commission", "American", "USD", "the FTC Act"),
    ("the Securities and Exchange Commission", "American", "USD", "the Securities Exchange Act"),
    ("the Consumer Financial Protection Bureau", "American", "USD", "the Consumer Financial Protection Act"),
    ("the State Administration for Market Regulation", "Chinese", "CNY", "the Personal Information Protection Law"),
    ("the Cyberspace Administration of China", "Chinese", "CNY", "the Data Security Law"),
    ("the Competition Commission of India", "Indian", "INR", "the Competition Act"),
    ("the Australian Competition and Consumer Commission", "Australian", "AUD", "the Australian Consumer Law"),
    ("Sweden's IMY", "Swedish", "SEK", "the GDPR"),
    ("South Korea's Personal Information Protection Commission", "South Korean", "KRW",
     "the Personal Information Protection Act"),
    ("Brazil's ANPD", "Brazilian", "BRL", "the LGPD"),
    ("Japan's Fair Trade Commission", "Japanese", "JPY", "the Antimonopoly Act"),
    ("the Swiss Financial Market Supervisory Authority", "Swiss", "CHF", "the Financial Market Supervision Act"),
)
#: How each currency is written, with a range of plausible fines (low, high) in that currency.
CURRENCIES = {
    "EUR": (("€{m} million", "€{n}", "EUR {m} million", "{m} million euros"), (20_000, 900_000_000)),
    "USD": (("${m} million", "${n}", "US${m} million", "{m} million dollars"), (50_000, 5_000_000_000)),
    "GBP": (("£{m} million", "£{n}", "£{m}m", "{m} million pounds"), (10_000, 200_000_000)),
    "CNY": (("{m} million yuan", "{n} yuan", "RMB {m} million"), (50_000, 8_000_000_000)),
    "INR": (("Rs {m} million", "₹{n}", "{m} million rupees"), (1_000_000, 20_000_000_000)),
    "AUD": (("A${m} million", "A${n}", "AU${m} million"), (100_000, 500_000_000)),
    "SEK": (("SEK {m} million", "{n} kronor", "{m} million Swedish kronor"), (200_000, 100_000_000)),
    "KRW": (("{m} million won", "₩{n}", "{m} billion won"), (10_000_000, 100_000_000_000)),
    "BRL": (("R${m} million", "R${n}", "{m} million reais"), (50_000, 50_000_000)),
    "JPY": (("¥{m} million", "{m} million yen", "{n} yen"), (1_000_000, 10_000_000_000)),
    "CHF": (("CHF {m} million", "CHF {n}", "{m} million Swiss francs"), (50_000, 100_000_000)),
}
COMPANY_STEMS = ("Northwind", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Tyrell", "Soylent", "Cyberdyne",
                 "Wonka", "Oceanic", "Massive Dynamic", "Pied Piper", "Stark", "Wayne", "Aperture", "Blue Sun",
                 "Gringotts", "Monarch", "Nakatomi", "Zorin", "Virtucon", "Dunder", "Sterling", "Bluth", "Prestige",
                 "Ollivander", "Duff", "Krusty", "Planet", "Rekall", "Weyland", "Yoyodyne", "Axiom", "Veridian")
COMPANY_SUFFIXES = ("Ltd", "Inc.", "GmbH", "S.A.", "Holdings", "Technologies", "Bank", "Telecom", "Insurance",
                    "Retail Group", "Airlines", "Energy", "Pharma", "Media", "Motors", "Payments")
PEOPLE = ("Anna Keller", "John Edwards", "Marie Dupont", "Wang Lei", "Priya Raman", "Lars Svensson",
          "Giulia Rossi", "Kim Ji-woo", "Carlos Mendes", "Sarah Thompson", "Hiroshi Tanaka", "Elena Petrova",
          "David Okafor", "Fatima Haddad", "Tom O'Brien", "Chloe Martin")
VIOLATIONS = (
    ("failing to obtain valid consent for marketing emails", "sent marketing emails without consent"),
    ("a data breach that exposed customer records", "failed to protect customer records from attackers"),
    ("unlawful processing of biometric data", "collected facial images without a legal basis"),
    ("misleading advertising about its prices", "advertised discounts that did not exist"),
    ("failing to answer subject access requests", "ignored requests from customers for their data"),
    ("keeping personal data for longer than necessary", "kept former customers' data for a decade"),
    ("inadequate security measures", "stored passwords in plain text"),
    ("unlawful video surveillance of employees", "filmed staff in break rooms"),
    ("anti-competitive agreements with suppliers", "fixed resale prices with its distributors"),
    ("failing to report suspicious transactions", "ignored warnings about money laundering"),
    ("nuisance marketing calls", "made millions of unsolicited calls"),
    ("transferring personal data abroad without safeguards", "sent user data to servers overseas"),
)
OUTLETS = (("Reuters", "reuters.com"), ("TechNode", "technode.com"), ("The Register", "theregister.com"),
           ("Euractiv", "euractiv.com"), ("IAPP", "iapp.org"), ("Caixin Global", "caixinglobal.com"),
           ("The Economic Times", "economictimes.com"), ("Financial Review", "afr.com"),
           ("Korea Herald", "koreaherald.com"), ("Le Monde", "lemonde.fr"))
LEGISLATURES = ("the European Parliament", "the UK Parliament", "the US Senate", "China's National People's Congress",
                "India's Lok Sabha", "the Australian Senate", "Brazil's Congress", "South Korea's National Assembly")
BILLS = ("Artificial Intelligence Act", "Data Protection and Digital Information Bill", "American Privacy Rights Act",
         "Digital Personal Data Protection Act", "Online Safety Act", "Cyber Resilience Act", "Data Act",
         "Children's Online Privacy Bill", "Consumer Data Right amendments")
TOPICS = ("cloud computing", "electric vehicles", "semiconductors", "online payments", "streaming", "robotics",
          "renewable energy", "mobile games", "logistics", "health apps")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")


CITIES = ("London", "Paris", "Dublin", "Brussels", "Berlin", "New York", "Washington", "Shanghai", "Beijing",
          "Mumbai", "Sydney", "Stockholm", "Seoul", "Sao Paulo", "Tokyo", "Zurich", "Amsterdam", "Madrid")
LAW_FIRMS = ("Hartley & Cole", "Baxter Lindqvist", "Moreau Associes", "Chen Partners", "Okoro Legal", "Finch LLP")


def generic_sentence(rng: random.Random, when: date) -> str:
    """A sentence of context that fits any story (fresh values each time, so stories do not repeat lines)."""
    authority = rng.choice(AUTHORITIES)[0]
    templates = (
        f"Earlier this year, {authority} opened a separate inquiry into {company(rng)}.",
        f"{rng.choice(PEOPLE)}, a lawyer at {rng.choice(LAW_FIRMS)} in {rng.choice(CITIES)}, said the move was "
        f"\"a clear signal to the market\".",
        f"Figures published in {when.year - 1} show that complaints rose by {rng.randrange(3, 60)}% "
        f"on the year before.",
        f"The news comes amid growing scrutiny of {rng.choice(TOPICS)} companies in {rng.choice(CITIES)} and beyond.",
        f"Observers in {rng.choice(CITIES)} said other authorities were likely to follow with their own reviews.",
        f"{company(rng)} declined to comment when contacted on {rng.choice(WEEKDAYS)}.",
        f"Trade bodies representing {rng.randrange(40, 900)} member firms said they would study the details.",
        f"A hearing is expected in {rng.choice(CITIES)} in {rng.choice(('spring', 'summer', 'autumn', 'winter'))} "
        f"{when.year + 1}.",
        f"The story was first reported by local media in {rng.choice(CITIES)}.",
        f"Investors have been watching the sector closely since a series of cases in {when.year - 2}.",
    )
    return rng.choice(templates)


def company(rng: random.Random) -> str:
    return f"{rng.choice(COMPANY_STEMS)} {rng.choice(COMPANY_SUFFIXES)}"


def amount_text(rng: random.Random, currency: str) -> str:
    formats, (low, high) = CURRENCIES[currency]
    value = int(10 ** rng.uniform(len(str(low)) - 1, len(str(high)) - 1))
    millions = value / 1_000_000
    template = rng.choice(formats if millions >= 1 else [f for f in formats if "{n}" in f])
    m = f"{millions:.1f}".rstrip("0").rstrip(".") if millions < 100 else f"{millions:,.0f}"
    if "billion" in template:
        m = f"{millions / 1000:.1f}".rstrip("0").rstrip(".")
    return template.format(m=m, n=f"{value:,}")


def enforcement_story(rng: random.Random, when: date) -> tuple[str, str, list[str], list[str]]:
    authority, adjective, currency, law = rng.choice(AUTHORITIES)
    fined, other = company(rng), company(rng)
    violation, detail = rng.choice(VIOLATIONS)
    amount, earlier = amount_text(rng, currency), amount_text(rng, currency)
    person = rng.choice(PEOPLE)
    people = rng.randrange(2_000, 9_000_000)
    title = rng.choice((
        f"{fined} fined {amount} over {violation}",
        f"{authority[0].upper() + authority[1:]} fines {fined} {amount}",
        f"{adjective} regulator penalises {fined} for {violation}",
    ))
    lead = [rng.choice((
        f"{authority[0].upper() + authority[1:]} has fined {fined} {amount} for {violation}.",
        f"{fined} must pay {amount} after {authority} found that it {detail}.",
        f"On {rng.choice(WEEKDAYS)}, {authority} imposed a penalty of {amount} on {fined} over {violation}.",
    ))]
    details = [
        f"The investigation began in {when.year - 1} after complaints from customers.",
        f"According to the decision, {fined} {detail} between {when.year - 3} and {when.year - 1}.",
        f"The regulator said the failings affected around {people:,} people.",
        f"{fined} said it would appeal the decision and had cooperated fully with the investigation.",
        f"A spokesperson for {fined} said the company takes its obligations seriously.",
        f"The penalty was set under {law}, which allows much larger fines for repeated breaches.",
        f"\"Companies must respect the rules that protect people,\" said {person}, who led the inquiry.",
        f"The company has {rng.choice((14, 28, 30, 60))} days to pay and to change its practices.",
        f"In {when.year - 2}, {authority} fined {other} {earlier} for similar failings.",
        f"{fined} reported revenue of {amount_text(rng, currency)} last year.",
        f"The decision was published on {when:%d %B %Y} and can be challenged in court.",
        f"Consumer groups welcomed the fine but said it was too small to change behaviour.",
    ]
    return title, lead[0], details, [violation, "enforcement", law.removeprefix("the ")]


def legislation_story(rng: random.Random, when: date) -> tuple[str, str, list[str], list[str]]:
    body, bill = rng.choice(LEGISLATURES), rng.choice(BILLS)
    person, firm = rng.choice(PEOPLE), company(rng)
    title = rng.choice((f"{body[0].upper() + body[1:]} passes the {bill}", f"Lawmakers back the {bill}",
                        f"What the {bill} means for business"))
    lead = (f"{body[0].upper() + body[1:]} voted on {rng.choice(WEEKDAYS)} to adopt the {bill}, "
            f"after {rng.randrange(2, 30)} months of debate.")
    details = [
        f"The law will apply from {when.year + rng.randrange(1, 3)}, giving companies time to prepare.",
        f"It sets out new obligations for companies that process personal data or deploy automated systems.",
        f"Supporters said the {bill} closes gaps that older rules left open.",
        f"Critics, including {firm}, warned that the rules would raise costs for small businesses.",
        f"\"This is a turning point for the digital economy,\" said {person}, who drafted the text.",
        f"Regulators will be able to impose fines of up to {rng.choice((2, 4, 6, 10))}% of annual turnover.",
        f"The text still needs formal approval before it is published in the official journal.",
        f"Industry groups asked for guidance on how the new duties will be enforced.",
        f"Lawyers expect the first investigations under the {bill} within two years.",
        f"The vote passed by {rng.randrange(300, 500)} to {rng.randrange(20, 200)}, with several abstentions.",
    ]
    return title, lead, details, ["legislation", bill]


def other_story(rng: random.Random, when: date) -> tuple[str, str, list[str], list[str]]:
    firm, partner, topic = company(rng), company(rng), rng.choice(TOPICS)
    person = rng.choice(PEOPLE)
    _, _, currency, _ = rng.choice(AUTHORITIES)
    title = rng.choice((f"{firm} launches new {topic} platform", f"{firm} and {partner} announce partnership",
                        f"{firm} raises {amount_text(rng, currency)} to expand in {topic}"))
    lead = (f"{firm} said on {rng.choice(WEEKDAYS)} that it will expand its {topic} business, "
            f"with a launch planned for {when:%B %Y}.")
    details = [
        f"The company employs about {rng.randrange(50, 90_000):,} people and has offices in "
        f"{rng.randrange(2, 40)} countries.",
        f"{partner} will supply technology and share the costs of the project.",
        f"\"Our customers asked for this,\" said {person}, the chief executive.",
        f"Analysts expect the market for {topic} to grow by {rng.randrange(5, 40)}% a year.",
        f"Shares in {firm} rose {rng.randrange(1, 12)}% after the announcement.",
        f"The firm reported sales of {amount_text(rng, currency)} in its last financial year.",
        f"It plans to hire {rng.randrange(20, 2000)} engineers over the next two years.",
        f"Competitors have announced similar plans, and prices are expected to fall.",
        f"The first products will be available in {rng.choice(('Europe', 'Asia', 'North America', 'Australia'))}.",
        f"{firm} did not disclose the value of the agreement.",
    ]
    return title, lead, details, [topic, "business"]


STORIES = ((enforcement_story, 0.45), (legislation_story, 0.2), (other_story, 0.35))


def synthetic_article(index: int, seed: int = DEFAULT_SEED) -> Article:
    """Article number `index` of the corpus for `seed`: the same index and seed always give the same article."""
    rng = random.Random(f"{seed}-{index}")
    when = date(2019, 1, 1) + timedelta(days=rng.randrange(0, 6 * 365))
    story = rng.choices([s for s, _ in STORIES], weights=[w for _, w in STORIES])[0]
    title, lead, details, topics = story(rng, when)
    target = rng.randrange(150, 301)
    sentences, words = [lead], len(lead.split()) + len(title.split())
    pool = list(details)
    while words < target:
        sentence = pool.pop(rng.randrange(len(pool))) if pool and rng.random() < 0.75 else generic_sentence(rng, when)
        sentences.append(sentence)
        words += len(sentence.split())
    paragraphs, paragraph = [], []
    for sentence in sentences:
        paragraph.append(sentence)
        if len(paragraph) >= rng.randrange(2, 5):
            paragraphs.append(" ".join(paragraph))
            paragraph = []
    if paragraph:
        paragraphs.append(" ".join(paragraph))
    outlet, domain = rng.choice(OUTLETS)
    slug = "-".join(title.lower().replace("'", "").split()[:8])
    url = f"https://{domain}/{when:%Y/%m/%d}/{''.join(c for c in slug if c.isalnum() or c == '-')}-{index}"
    meta = {
        "category": "news",
        "title": title,
        "excerpt": lead,
        "publishedDateTime": f"{when.isoformat()}T{rng.randrange(6, 20):02d}:{rng.randrange(60):02d}:00Z",
        "originalUrl": url,
        "type": "article",
        "provider": {"name": outlet, "domain": domain},
        "topics": topics,
        "language": "en",
        "source": domain.split(".")[0],
    }
    return Article(meta, "\n\n".join(paragraphs) + "\n").with_derived_fields()


def write_corpus(out_dir: Path, count: int, *, seed: int = DEFAULT_SEED, start: int = 0) -> list[Path]:
    """Write articles `start` .. `start + count - 1` under `out_dir/<provider domain>/`. Plain writes: a
    benchmark corpus is not precious, and 10,000 fsyncs would measure the disk instead."""
    paths = []
    for index in range(start, start + count):
        article = synthetic_article(index, seed)
        path = out_dir / article.meta["provider"]["domain"] / f"{index:06d}_{article.id}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump_article(article), encoding="utf-8")
        paths.append(path)
    return paths


# --- the measurements -------------------------------------------------------------------------------------


@dataclass
class Timing:
    label: str
    seconds: float
    articles: int
    words: int

    def line(self) -> str:
        rate = f"{self.articles / self.seconds:8.1f} articles/s {self.words / self.seconds:9.0f} words/s" \
            if self.seconds else ""
        return f"{self.label:<46} {self.seconds:9.2f} s  {self.articles:6d} articles  {rate}"


def time_pipe(nlp, texts: list[str], words: int, label: str, *, processes: int, batch_size: int) -> Timing:
    started = time.perf_counter()
    tokens = 0
    for doc in nlp.pipe(texts, batch_size=batch_size, n_process=processes):
        tokens += len(doc)
    return Timing(label, time.perf_counter() - started, len(texts), words)


def time_build(data: Path, db: Path, label: str, *, processes: int, words: int):
    from enrich.build import build_database

    started = time.perf_counter()
    result = build_database(data, db, processes=processes, progress=False)
    return Timing(label, time.perf_counter() - started, result.articles, words), result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000, help="corpus size (default 10000)")
    parser.add_argument("--new", type=int, default=50, help="articles added before the incremental build")
    parser.add_argument("--processes", type=int, default=1, help="spaCy processes, for every measurement")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--sample", type=int, default=1000,
                        help="texts on which the authority ruler's and the extractors' own costs are measured")
    parser.add_argument("--keep", type=Path, help="write the corpus and database here and keep them")
    args = parser.parse_args(argv)

    import spacy

    from enrich.cache import CACHE_FILE_NAME
    from enrich.nlp import UNUSED_COMPONENTS, load_nlp, model_name
    from enrich.pipeline import DEFAULT_BATCH_SIZE, analysed_text, enrich_articles
    from scraper.article_file import read_article

    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-incremental-"))
    data, db = work / "data", work / "tracker.db"
    if data.exists():
        shutil.rmtree(data)
    started = time.perf_counter()
    paths = write_corpus(data, args.articles, seed=args.seed)
    print(f"corpus: {len(paths)} synthetic articles (seed {args.seed}) in {data}, "
          f"written in {time.perf_counter() - started:.1f} s; processes={args.processes}")
    texts = [analysed_text(read_article(p)) for p in paths]
    words = sum(len(t.split()) for t in texts)
    print(f"        {words:,} words, {words / len(texts):.0f} per article on average")

    bare = spacy.load(model_name(), disable=list(UNUSED_COMPONENTS))
    ours = load_nlp()
    print(f"model: {model_name()} {spacy.util.get_package_version(model_name())}; bare pipes: {bare.pipe_names}; "
          f"ours: {ours.pipe_names}")
    for nlp in (bare, ours):  # first calls allocate buffers: keep that out of every timing
        list(nlp.pipe(texts[:16], batch_size=DEFAULT_BATCH_SIZE))
    print(flush=True)
    try:
        sample_paths = paths[:args.sample]
        sample, sample_articles = texts[:args.sample], [read_article(p) for p in sample_paths]
        sample_words = sum(len(t.split()) for t in sample)
        bare_sample = report(time_pipe(bare, sample, sample_words, "sample: bare nlp.pipe",
                                       processes=args.processes, batch_size=DEFAULT_BATCH_SIZE))
        ruler_sample = report(time_pipe(ours, sample, sample_words, "sample: nlp.pipe + authority ruler",
                                        processes=args.processes, batch_size=DEFAULT_BATCH_SIZE))
        started = time.perf_counter()
        for _ in enrich_articles(sample_articles, nlp=ours, processes=args.processes):
            pass
        extract_sample = report(Timing("sample: + our extractors (enrich_articles)", time.perf_counter() - started,
                                       len(sample), sample_words))
        bare_timing = report(time_pipe(bare, texts, words, "bare nlp.pipe (same model, same disabled)",
                                       processes=args.processes, batch_size=DEFAULT_BATCH_SIZE))
        (data / CACHE_FILE_NAME).unlink(missing_ok=True)
        full, full_result = time_build(data, db, "full build (empty facts cache)", processes=args.processes,
                                       words=words)
        report(full)
        bare_after = report(time_pipe(bare, texts, words, "bare nlp.pipe again, after the build",
                                      processes=args.processes, batch_size=DEFAULT_BATCH_SIZE))
        same, same_result = time_build(data, db, "rebuild, nothing changed", processes=args.processes, words=words)
        report(same)
        new_paths = write_corpus(data, args.new, seed=args.seed, start=args.articles)
        new_words = sum(len(analysed_text(read_article(p)).split()) for p in new_paths)
        incremental, incremental_result = time_build(data, db, f"incremental build (+{args.new} articles)",
                                                     processes=args.processes, words=words + new_words)
        report(incremental)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)

    print()
    print(f"full build enriched {full_result.enriched}, reused {full_result.reused}; "
          f"{full_result.fines} fines, {full_result.cases} cases")
    print(f"rebuild with nothing changed enriched {same_result.enriched}; "
          f"incremental enriched {incremental_result.enriched}, reused {incremental_result.reused}")
    bare_mean = (bare_timing.seconds + bare_after.seconds) / 2
    print(f"overhead of the full build over bare nlp.pipe (mean of the passes before and after it): "
          f"{full.seconds:.2f} s / {bare_mean:.2f} s -> {(full.seconds / bare_mean - 1) * 100:+.1f}% (target < 30%); "
          f"the two bare passes differ by {abs(bare_timing.seconds - bare_after.seconds) / bare_mean * 100:.1f}%")
    print(f"  on the first {len(sample)} texts: authority ruler "
          f"{(ruler_sample.seconds / bare_sample.seconds - 1) * 100:+.1f}%, ruler + extractors "
          f"{(extract_sample.seconds / bare_sample.seconds - 1) * 100:+.1f}% over bare nlp.pipe")
    print(f"incremental / full: {incremental.seconds:.2f} s / {full.seconds:.2f} s = "
          f"{incremental.seconds / full.seconds * 100:.1f}% (target < 10%)")


def report(timing: Timing) -> Timing:
    print(timing.line(), flush=True)
    return timing

if __name__ == "__main__":
    main()
