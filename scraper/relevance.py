"""Is an article about enforcement, fines, regulation or privacy? A keyword test, with the keywords as data.

A keyword matches as a whole word, case-insensitively ("fine" does not match "define" or "finest"); a
trailing ``*`` matches any ending ("sanction*" matches "sanctioned"). Keywords in Chinese or Japanese script
match anywhere, since those languages do not separate words with spaces.

The sources file may replace :data:`DEFAULT_KEYWORDS` with a top-level ``keywords:`` list, and a source with
its own ``keywords:``; a source with ``always_relevant: true`` (a regulator's own feed) keeps everything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["DEFAULT_KEYWORDS", "KeywordMatcher", "keyword_matcher", "article_text"]

#: Words and phrases that make an article relevant, by language. Add here, not in code.
DEFAULT_KEYWORDS: dict[str, tuple[str, ...]] = {
    "en": (
        "fine", "fines", "fined", "penalty", "penalties", "penalised", "penalized", "sanction*", "enforcement",
        "enforce*", "regulator*", "regulation*", "watchdog*", "investigat*", "probe", "probes", "reprimand*",
        "infringement*", "violation*", "unlawful*", "illegal*", "settlement", "consent order", "cease and desist",
        "privacy", "data protection", "personal data", "personal information", "data breach*", "GDPR", "UK GDPR",
        "CCPA", "PIPL", "COPPA", "ePrivacy", "cookie*", "facial recognition", "data security", "cybersecurity law",
        "antitrust", "anti-monopoly", "monopol*", "competition law", "competition authority", "cartel*",
        "merger control", "consumer protection", "Digital Markets Act", "Digital Services Act", "AI Act",
    ),
    "fr": ("amende*", "sanctionn*", "mise en demeure", "données personnelles", "protection des données",
           "vie privée", "RGPD", "CNIL", "concurrence", "abus de position dominante"),
    "de": ("Bußgeld*", "Bussgeld*", "Geldbuße*", "Datenschutz*", "DSGVO", "Sanktion*", "Kartell*", "Verstoß*"),
    "es": ("multa*", "sanción", "sanciones", "datos personales", "protección de datos", "infracción"),
    "it": ("sanzion*", "dati personali", "protezione dei dati", "Garante"),
    "nl": ("boete*", "persoonsgegevens", "AVG", "privacy"),
    "zh": ("罚款", "处罚", "罚没", "罚金", "个人信息", "数据安全", "隐私", "监管", "反垄断", "垄断", "违法", "执法",
           "约谈", "整改", "通报", "网信办", "市场监管"),
}
#: Scripts written without spaces between words: their keywords match anywhere.
UNSPACED_SCRIPT = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


@dataclass(frozen=True)
class KeywordMatcher:
    """A compiled keyword list."""

    keywords: tuple[str, ...]
    pattern: re.Pattern[str]

    def matches(self, text: str) -> list[str]:
        """The distinct keywords found in `text` (as they appear there, lower-cased), in order of appearance."""
        found: list[str] = []
        for match in self.pattern.finditer(text):
            word = match.group(0).lower()
            if word not in found:
                found.append(word)
        return found

    def is_relevant(self, text: str) -> bool:
        return self.pattern.search(text) is not None


def _keyword_regex(keyword: str) -> str:
    stem, wildcard = (keyword[:-1], True) if keyword.endswith("*") else (keyword, False)
    body = r"\s+".join(re.escape(part) for part in stem.split())
    if UNSPACED_SCRIPT.search(stem):
        return body
    return rf"(?<!\w){body}" + (r"\w*" if wildcard else r"(?!\w)")


@lru_cache(maxsize=64)
def keyword_matcher(keywords: tuple[str, ...] | None = None) -> KeywordMatcher:
    """The matcher for `keywords` (default: every list in :data:`DEFAULT_KEYWORDS`)."""
    if keywords is None:
        keywords = tuple(k for words in DEFAULT_KEYWORDS.values() for k in words)
    # Longest first, so "data protection" wins over "data" in the reported matches.
    ordered = sorted(set(keywords), key=len, reverse=True)
    pattern = re.compile("|".join(_keyword_regex(k) for k in ordered), re.IGNORECASE)
    return KeywordMatcher(tuple(keywords), pattern)


def article_text(title: str | None, excerpt: str | None, body: str | None) -> str:
    """The text the relevance test reads."""
    return "\n".join(part for part in (title, excerpt, body) if part)
