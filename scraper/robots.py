"""robots.txt rules per host, parsed with Protego and cached for one run.

When robots.txt cannot be read, the rules follow Google's documented handling: a 4xx answer (other than 429)
means there are no rules (allow all); a 429, a 5xx answer or a network failure means "do not crawl this host"
for the rest of the run.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import urlsplit

from protego import Protego

__all__ = ["ROBOTS_AGENT", "RobotsRules", "RobotsCache", "RobotsAnswer", "robots_url", "rules_from_answer"]

#: The product token matched against robots.txt ``User-agent:`` lines.
ROBOTS_AGENT = "regtracker"


@dataclass(frozen=True)
class RobotsAnswer:
    """What fetching a robots.txt gave: an HTTP status and text, or a failure description (status None)."""

    status: int | None
    text: str = ""
    problem: str | None = None


@dataclass
class RobotsRules:
    """The rules of one host. ``reason`` explains a blanket allow/deny that did not come from a file."""

    parser: Protego | None = None
    allow_all: bool = False
    reason: str = ""
    sitemaps: list[str] = field(default_factory=list)

    def can_fetch(self, url: str, agent: str = ROBOTS_AGENT) -> bool:
        """Whether `agent` may fetch `url`."""
        if self.parser is None:
            return self.allow_all
        return self.parser.can_fetch(url, agent)

    def crawl_delay(self, agent: str = ROBOTS_AGENT) -> float | None:
        """The Crawl-delay for `agent`, in seconds, if robots.txt sets one."""
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(agent)
        if delay is None:
            rate = self.parser.request_rate(agent)
            if rate is not None and rate.requests:
                delay = rate.seconds / rate.requests
        return float(delay) if delay is not None else None


def robots_url(url: str) -> str:
    """The robots.txt address governing `url`."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/robots.txt"


def rules_from_answer(answer: RobotsAnswer) -> RobotsRules:
    """Turn a robots.txt fetch result into rules (see the module docstring for failures)."""
    if answer.status is None:
        return RobotsRules(allow_all=False, reason=f"robots.txt unavailable ({answer.problem}); not crawling this host")
    if 200 <= answer.status < 300:
        parser = Protego.parse(answer.text)
        return RobotsRules(parser=parser, sitemaps=list(parser.sitemaps))
    if answer.status == 429 or answer.status >= 500:
        return RobotsRules(allow_all=False, reason=f"robots.txt answered HTTP {answer.status}; not crawling this host")
    if 400 <= answer.status < 500:
        return RobotsRules(allow_all=True, reason=f"robots.txt answered HTTP {answer.status}; no rules")
    return RobotsRules(allow_all=False, reason=f"robots.txt answered HTTP {answer.status}; not crawling this host")


class RobotsCache:
    """Rules per robots.txt address, each fetched once per run (one fetch at a time per host)."""

    def __init__(self) -> None:
        self._rules: dict[str, RobotsRules] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def rules_for(self, url: str, load: Callable[[str], RobotsAnswer], *, key_extra: str = "") -> RobotsRules:
        """The rules governing `url`. On first use `load` fetches the robots.txt address given to it;
        exceptions it raises (such as a refused private address) propagate and are not cached."""
        address = robots_url(url)
        key = f"{key_extra}|{address}"
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            rules = self._rules.get(key)
            if rules is None:
                rules = rules_from_answer(load(address))
                self._rules[key] = rules
            return rules
