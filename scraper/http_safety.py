"""Network safety for the scraper: which addresses it may connect to, and bounded decompression.

Two guards that must hold for every response, however a server behaves:

* :class:`GuardedTransport` resolves each host itself, refuses private, loopback, link-local, multicast and
  reserved addresses, and connects to the address it checked. The check runs on every new connection, so it
  covers redirects to another host and DNS answers that change between two lookups.
* :class:`BoundedDecoder` decompresses a response body chunk by chunk and stops as soon as the *decoded* size
  passes the cap, so a small gzip bomb never becomes a large buffer.
"""

from __future__ import annotations

import ipaddress
import socket
import typing
import zlib

import httpcore
import httpx
from httpcore._backends.sync import SyncBackend

__all__ = [
    "BlockedAddressError",
    "ResponseTooLargeError",
    "UnsupportedEncodingError",
    "GuardedTransport",
    "BoundedDecoder",
    "address_problem",
]

#: Decoded bytes produced per decompression step; bounds memory above the cap.
DECOMPRESS_STEP = 64 * 1024


class BlockedAddressError(Exception):
    """A host resolved to an address the scraper must not connect to."""


class ResponseTooLargeError(Exception):
    """A response body (after decompression) went past the size cap."""


class UnsupportedEncodingError(Exception):
    """A response used a Content-Encoding the scraper did not ask for."""


def address_problem(address: str) -> str | None:
    """Why the scraper must not connect to `address` ("loopback address", ...), or None when it may."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for attribute, label in (
        ("is_loopback", "loopback"),
        ("is_link_local", "link-local"),
        ("is_multicast", "multicast"),
        ("is_unspecified", "unspecified"),
        ("is_reserved", "reserved"),
        ("is_private", "private"),
    ):
        if getattr(ip, attribute):
            return f"{label} address"
    if not ip.is_global:
        return "non-public address"
    return None


class _GuardedBackend(SyncBackend):
    """httpcore's socket backend, but it resolves the host, vets every address and connects to a vetted one."""

    def __init__(self, policy: typing.Callable[[str], str | None] = address_problem):
        self.policy = policy

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc.strerror or exc}") from exc
        addresses = [info[4][0] for info in infos]
        for address in addresses:
            problem = self.policy(address)
            if problem:
                raise BlockedAddressError(
                    f"refused to connect to {host} ({address} is a {problem}); "
                    "set allow_private_hosts: true on the source to allow it"
                )
        # Connect to the checked address, not to the name, so a second DNS answer cannot differ.
        return super().connect_tcp(addresses[0], port, timeout, local_address, socket_options)


class GuardedTransport(httpx.HTTPTransport):
    """An httpx transport that refuses non-public addresses (unless `allow_private` is true).

    `policy` says why an address is refused (None: allowed); the default is :func:`address_problem`. TLS still verifies the certificate against the host name of the URL: httpcore takes the server name for
    SNI and verification from the request, not from the address connected to.
    """

    def __init__(self, *, allow_private: bool = False,
                 policy: typing.Callable[[str], str | None] = address_problem, **kwargs: typing.Any) -> None:
        kwargs.setdefault("trust_env", False)
        super().__init__(**kwargs)
        if not allow_private:
            # httpx builds its httpcore pool without a way to pass a network backend; swap ours in.
            # (httpx is pinned; tests/test_fetch.py fails loudly if this stops refusing loopback.)
            self._pool._network_backend = _GuardedBackend(policy)


class BoundedDecoder:
    """Decode a body sent with `content_encoding` ("gzip", "deflate", "identity" or a list of them),
    raising :class:`ResponseTooLargeError` once more than `limit` decoded bytes come out."""

    def __init__(self, content_encoding: str | None, limit: int):
        self.limit = limit
        self.size = 0
        encodings = [e.strip().lower() for e in (content_encoding or "").split(",") if e.strip()]
        encodings = [e for e in encodings if e != "identity"]
        for encoding in encodings:
            if encoding not in ("gzip", "x-gzip", "deflate"):
                raise UnsupportedEncodingError(f"unsupported Content-Encoding {encoding!r}")
        if len(encodings) > 1:
            raise UnsupportedEncodingError(f"stacked Content-Encoding {content_encoding!r} is not supported")
        self.encoding = encodings[0] if encodings else None
        self._decompressor = self._new_decompressor()
        self._deflate_probe = self.encoding == "deflate"

    def _new_decompressor(self) -> typing.Any:
        if self.encoding in ("gzip", "x-gzip"):
            return zlib.decompressobj(16 + zlib.MAX_WBITS)
        if self.encoding == "deflate":
            return zlib.decompressobj()
        return None

    def _count(self, data: bytes) -> bytes:
        self.size += len(data)
        if self.size > self.limit:
            raise ResponseTooLargeError(f"response larger than {_human(self.limit)} after decompression")
        return data

    def feed(self, raw: bytes) -> bytes:
        """Decode one raw chunk; return the decoded bytes."""
        if self._decompressor is None:
            return self._count(raw)
        out = []
        data = raw
        while data:
            try:
                chunk = self._decompressor.decompress(data, DECOMPRESS_STEP)
            except zlib.error as exc:
                if self._deflate_probe:  # servers send raw deflate as "deflate" too
                    self._deflate_probe = False
                    self._decompressor = zlib.decompressobj(-zlib.MAX_WBITS)
                    continue
                raise ValueError(f"corrupt {self.encoding} body: {exc}") from None
            self._deflate_probe = False
            out.append(self._count(chunk))
            if self._decompressor.eof and self._decompressor.unused_data:
                data = self._decompressor.unused_data  # another gzip member follows
                self._decompressor = self._new_decompressor()
            else:
                data = self._decompressor.unconsumed_tail
        return b"".join(out)

    def flush(self) -> bytes:
        """Decode what is left once the raw body has ended."""
        if self._decompressor is None:
            return b""
        return self._count(self._decompressor.flush())


def _human(size: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:g} {unit}" if unit == "bytes" else f"{size:.3g} {unit}"
        size /= 1024
    return str(size)
