"""Canonical URLs and the stable article ids derived from them."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

#: Query parameters that only say how a reader arrived; dropped before an URL becomes an id.
TRACKING_PARAMETERS = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|_ga|_gl|igshid|yclid|"
    r"cmpid|ocid|ncid|sr_share|share|smid|rss|ref|ref_src|from|spm|__twitter_impression)$",
    re.IGNORECASE,
)
DEFAULT_PORTS = {"http": 80, "https": 443}


def canonicalize(url: str) -> str:
    """Return the canonical form of `url`: lower-case scheme and host, no default port, no fragment,
    no tracking parameters, remaining query parameters sorted.

    >>> canonicalize("HTTPS://Example.com:443/a?utm_source=rss&b=2&a=1#top")
    'https://example.com/a?a=1&b=2'
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if parts.port and parts.port != DEFAULT_PORTS.get(scheme):
        host = f"{host}:{parts.port}"
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING_PARAMETERS.match(k)]
    )
    return canonicalize_url(urlunsplit((scheme, host, parts.path or "/", query, "")))


def article_id(url: str) -> str:
    """The stable id of the article at `url`: 16 hex digits of the SHA-256 of its canonical URL."""
    return hashlib.sha256(canonicalize(url).encode("utf-8")).hexdigest()[:16]
