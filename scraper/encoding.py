"""Bytes of an HTML page to text: find the page's character encoding the way browsers do, then decode.

Evidence, in order: a byte-order mark (it is unambiguous, and browsers let it win), the charset of the HTTP
``Content-Type`` header, the page's own ``<meta charset>`` / ``<meta http-equiv="Content-Type">`` declaration,
then statistical detection (charset-normalizer). Declared labels are mapped as browsers map them
(:data:`LABEL_ALIASES`): GBK and GB2312 pages decode as GB18030, their superset, and Latin-1 as windows-1252.
One exception: a page declared Latin-1/windows-1252 whose bytes are valid UTF-8 (with some non-ASCII) is read as
UTF-8, because "ISO-8859-1" is the default many servers send whatever the page is.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

#: Declared charset labels that browsers decode with a superset encoding.
LABEL_ALIASES = {
    "gbk": "gb18030", "gb2312": "gb18030", "gb_2312": "gb18030", "gb_2312-80": "gb18030", "x-gbk": "gb18030",
    "cp936": "gb18030", "csgb2312": "gb18030", "chinese": "gb18030", "iso-ir-58": "gb18030",
    "iso-8859-1": "cp1252", "iso8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "l1": "cp1252",
    "us-ascii": "cp1252", "ascii": "cp1252", "ansi_x3.4-1968": "cp1252",
    "iso-8859-9": "cp1254", "latin5": "cp1254", "tis-620": "cp874", "iso-8859-11": "cp874",
    "big5": "big5hkscs", "shift_jis": "cp932", "sjis": "cp932", "x-sjis": "cp932", "windows-31j": "cp932",
    "euc-kr": "cp949", "ks_c_5601-1987": "cp949",
    # A page that says it is UTF-16 in a <meta> cannot be: the declaration itself was readable as ASCII.
    "utf-16": "utf-8", "utf-16le": "utf-8", "utf-16be": "utf-8",
}
BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
CHARSET_PARAMETER = re.compile(r"""charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE
)
#: How far into the page to look for a <meta> declaration (browsers look at 1024 bytes; real pages need more).
META_PRESCAN_BYTES = 16384
CONTROL_CHARACTERS = re.compile("[\x00\ufeff]")


def charset_from_content_type(content_type: str | None) -> str | None:
    """The Python codec named by a ``Content-Type`` header's charset parameter, or None if absent or unknown."""
    if not content_type:
        return None
    match = CHARSET_PARAMETER.search(content_type)
    return normalise_label(match.group(1)) if match else None


def normalise_label(label: str) -> str | None:
    """The Python codec a browser would use for a declared charset `label`, or None if the label is unknown.

    >>> normalise_label("GB2312")
    'gb18030'
    """
    label = label.strip().strip("\"'").lower()
    label = LABEL_ALIASES.get(label, label)
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return LABEL_ALIASES.get(name, name)


def sniff_encoding(data: bytes, *, content_type: str | None = None) -> tuple[str | None, str]:
    """The encoding of `data` and where it came from: ``bom``, ``header``, ``meta`` or (None, ``unknown``)."""
    for bom, name in BOMS:
        if data.startswith(bom):
            return name, "bom"
    declared = charset_from_content_type(content_type)
    if declared:
        return declared, "header"
    for match in META_CHARSET.finditer(data[:META_PRESCAN_BYTES]):
        declared = normalise_label(match.group(1).decode("ascii", "replace"))
        if declared:
            return declared, "meta"
    return None, "unknown"


def decode_html(data: bytes, *, content_type: str | None = None) -> str:
    """Decode the bytes of an HTML page to text (see the module docstring for the order of evidence).

    A page whose declared encoding does not fit its bytes is re-detected; what still does not decode becomes
    U+FFFD. NUL characters and byte-order marks are dropped. Never raises on bad bytes.
    """
    if isinstance(data, str):
        return CONTROL_CHARACTERS.sub("", data)
    encoding, source = sniff_encoding(data, content_type=content_type)
    if source == "bom":
        text = data.decode(encoding, errors="replace")
    elif encoding == "cp1252" and not data.isascii() and (utf8 := _decode_strictly(data, "utf-8")) is not None:
        text = utf8  # "latin-1" is the default servers send; bytes that are valid UTF-8 are almost surely UTF-8
    else:
        text = _decode_strictly(data, encoding) if encoding else None
        if text is None:
            text = _decode_detected(data, fallback=encoding or "utf-8")
    return CONTROL_CHARACTERS.sub("", text)


def _decode_strictly(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def _decode_detected(data: bytes, *, fallback: str) -> str:
    """UTF-8 if the bytes are valid UTF-8, else what charset-normalizer finds, else `fallback` with replacements."""
    text = _decode_strictly(data, "utf-8")
    if text is not None:
        return text
    best = from_bytes(data[:200_000]).best()
    if best is not None and best.encoding:
        encoding = LABEL_ALIASES.get(best.encoding, best.encoding)
        return data.decode(encoding, errors="replace")
    return data.decode(fallback, errors="replace")
