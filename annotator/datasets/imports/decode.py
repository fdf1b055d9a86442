"""From the bytes of an imported file to the text that is stored.

Every importer reads files the same way: a byte-order mark names the encoding, a
binary file (a PDF, an image, an office document, anything with NUL bytes) is refused
by name before it is parsed, UTF-8 is the default, and documents in other encodings
(Russian texts often come in cp1251 or koi8-r) are detected. A text is stored
normalised (``normalize_text``); ``align_offsets`` maps offsets given against the
raw text onto the normalised one.
"""

from __future__ import annotations

import codecs
import unicodedata
from pathlib import Path
from typing import TextIO

from charset_normalizer import from_bytes
from django.utils.translation import gettext

from annotator.datasets.imports.report import ImportFailed

# Encodings tried when a file is not UTF-8: Russian texts come in these.
CANDIDATE_ENCODINGS = [
    "cp1251",
    "koi8_r",
    "cp866",
    "iso8859_5",
    "mac_cyrillic",
    "cp1252",
    "utf_16",
    "utf_32",
]
BINARY_SIGNATURES = (
    b"%PDF-",
    b"PK\x03\x04",
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"\xd0\xcf\x11\xe0",
    b"\x7fELF",
)
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# How much of a streamed file is looked at to tell text from binary.
HEAD_BYTES = 4096


def bom_encoding(data: bytes) -> str | None:
    """The encoding the byte-order mark at the start of ``data`` names, if any."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return encoding
    return None


def refuse_binary(name: str, data: bytes) -> None:
    """ImportFailed if ``data`` (without a BOM) is not text: NUL bytes or a known signature."""
    if b"\x00" in data or data.startswith(BINARY_SIGNATURES):
        raise ImportFailed(gettext("%(name)s: binary file, not text") % {"name": name})


def decode_bytes(name: str, data: bytes) -> tuple[str, str]:
    """The text of a file and the encoding it was read with.

    UTF-8 (with or without a BOM) and UTF-16/32 with a BOM are read directly;
    anything else is detected with charset-normalizer among ``CANDIDATE_ENCODINGS``.
    """
    encoding = bom_encoding(data)
    if encoding is not None:
        try:
            return data.decode(encoding), codecs.lookup(encoding).name
        except UnicodeDecodeError:
            pass
    refuse_binary(name, data)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(data, cp_isolation=CANDIDATE_ENCODINGS).best()
    if best is None:
        raise ImportFailed(
            gettext("%(name)s: binary file or unknown text encoding, not readable") % {"name": name}
        )
    text = str(best)
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f")
    if controls > len(text) // 100:
        raise ImportFailed(gettext("%(name)s: binary file, not text") % {"name": name})
    return text, codecs.lookup(best.encoding).name


def open_text(path: Path, name: str) -> tuple[TextIO, str]:
    """A file too large to hold whole, opened as text, and its encoding.

    The encoding is the one a BOM names, else UTF-8 (a structured file, JSON, has
    no other); a binary file is refused by its first bytes. A byte that is not
    UTF-8 further on raises UnicodeDecodeError while the stream is read.
    """
    with open(path, "rb") as handle:
        head = handle.read(HEAD_BYTES)
    encoding = bom_encoding(head)
    if encoding is None:
        refuse_binary(name, head)
        encoding = "utf-8"
    return open(path, encoding=encoding), codecs.lookup(encoding).name


def normalize_text(text: str) -> str:
    """Unicode NFC, ``\\r\\n`` and ``\\r`` to ``\\n``, trailing spaces of every line
    stripped, and no blank lines at the start or end."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


def align_offsets(raw: str, normalized: str) -> list[int] | None:
    """Each offset of ``raw`` (0 … len) as an offset of ``normalized``, or None.

    ``normalize_text`` only drops characters (the ``\\r`` of ``\\r\\n``, trailing
    spaces, blank lines at either end) and turns a lone ``\\r`` into ``\\n``, so
    ``normalized`` is ``raw`` with characters left out: walking both texts aligns
    them. Unicode composition (NFC) changes characters; then this returns None.
    """
    offsets = []
    j = 0
    for char in raw:
        offsets.append(j)
        if j < len(normalized) and (
            char == normalized[j] or (char == "\r" and normalized[j] == "\n")
        ):
            j += 1
    offsets.append(j)
    return offsets if j == len(normalized) else None
