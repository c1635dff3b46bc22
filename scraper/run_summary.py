"""The counts a scrape run keeps per source, and its one-line-per-source summary."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["SourceSummary", "RunSummary"]


@dataclass
class SourceSummary:
    """What happened to one source during a run."""

    name: str
    #: Article links discovery found (after the source's link_pattern and de-duplication).
    discovered: int = 0
    #: Links skipped because an earlier run stored, dropped or refused them.
    known: int = 0
    #: Links skipped because they are older than --since.
    too_old: int = 0
    #: Links not taken this run because of max_items / --max-per-source (they come again next run).
    over_limit: int = 0
    #: Links that failed in an earlier run and are tried again.
    retried: int = 0
    #: Links this run fetches (new ones and retries).
    to_fetch: int = 0
    #: Pages that arrived (200), and pages or discovery documents unchanged since the last run (304).
    fetched: int = 0
    not_modified: int = 0
    #: Articles written; articles fetched again (--refetch) whose content had not changed (file left alone).
    kept: int = 0
    unchanged: int = 0
    #: Articles that are not about enforcement, fines, regulation or privacy.
    dropped: int = 0
    #: The same article already stored from another URL or source.
    duplicates: int = 0
    failed: int = 0
    discovery_failed: bool = False
    errors: list[str] = field(default_factory=list)
    #: In a dry run: the URLs a real run would fetch.
    planned: list[str] = field(default_factory=list)
    done: bool = False

    @property
    def attempted(self) -> int:
        return self.fetched + self.not_modified + self.failed

    @property
    def failed_entirely(self) -> bool:
        """Discovery failed, or every page fetch this run tried failed."""
        if self.discovery_failed:
            return True
        return self.failed > 0 and self.fetched == 0 and self.not_modified == 0

    def line(self) -> str:
        """``EDPB news: 12 discovered, 3 new, 3 fetched, 2 kept, 1 dropped (not relevant), 0 failed``."""
        if self.discovery_failed:
            return f"{self.name}: FAILED: discovery failed ({self.errors[0] if self.errors else 'unknown error'})"
        parts = [f"{self.discovered} discovered", f"{self.to_fetch} new"]
        if self.planned:
            return f"{self.name}: {', '.join(parts)} (dry run: nothing fetched)"
        parts += [f"{self.fetched} fetched", f"{self.kept} kept",
                  f"{self.dropped} dropped (not relevant)", f"{self.failed} failed"]
        extras = [(self.known, "already known"), (self.not_modified, "not modified"), (self.too_old, "before --since"),
                  (self.over_limit, "over the limit"), (self.duplicates, "duplicates"),
                  (self.unchanged, "unchanged")]
        details = [f"{n} {label}" for n, label in extras if n]
        text = f"{self.name}: {', '.join(parts)}" + (f" ({', '.join(details)})" if details else "")
        return text + (" -- FAILED: every fetch failed" if self.failed_entirely else "")


@dataclass
class RunSummary:
    """What a run did: one :class:`SourceSummary` per source, in the order of the sources."""

    sources: list[SourceSummary] = field(default_factory=list)

    @property
    def failed_sources(self) -> list[SourceSummary]:
        return [s for s in self.sources if s.failed_entirely]

    @property
    def ok(self) -> bool:
        return not self.failed_sources

    def totals(self) -> dict[str, int]:
        keys = ("discovered", "to_fetch", "fetched", "kept", "dropped", "failed", "known", "not_modified")
        return {key: sum(getattr(s, key) for s in self.sources) for key in keys}

    def lines(self) -> list[str]:
        return [s.line() for s in self.sources]
