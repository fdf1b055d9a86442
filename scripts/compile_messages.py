#!/usr/bin/env python3
"""Compile locale/*/LC_MESSAGES/*.po into .mo files, with the standard library only.

`make install` runs it, so a machine without GNU gettext (msgfmt) still gets the
Russian interface; the .mo files are build products and are not committed. The reader
(`read_po`) is also what tests/web/test_i18n.py uses to check the catalogue is complete.
Fuzzy entries are left out of the .mo, as msgfmt does.
"""

from __future__ import annotations

import ast
import struct
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False
    line: int = 0

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr.values())

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags


def _string(text: str) -> str:
    return ast.literal_eval(text) if text.startswith('"') else ""


def read_po(path: Path) -> list[Entry]:
    """The entries of a .po file, the header (msgid "") included."""
    entries: list[Entry] = []
    entry = Entry()
    key: tuple[str, int] | None = None
    started = False

    def finish() -> None:
        nonlocal entry, started, key
        if started:
            entries.append(entry)
        entry, started, key = Entry(), False, None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            entry.obsolete = True
            continue
        if line.startswith("#,"):
            if started and key is not None and key[0] == "msgstr":
                finish()
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        if line.startswith("#"):
            if started and key is not None and key[0] == "msgstr":
                finish()
            continue
        word, _, rest = line.partition(" ")
        if word in {"msgctxt", "msgid"} and started and key is not None and key[0] == "msgstr":
            finish()
        if word == "msgctxt":
            entry.msgctxt, key, started, entry.line = _string(rest), ("msgctxt", 0), True, number
        elif word == "msgid":
            entry.msgid, key = _string(rest), ("msgid", 0)
            if not started:
                started, entry.line = True, number
        elif word == "msgid_plural":
            entry.msgid_plural, key = _string(rest), ("msgid_plural", 0)
        elif word.startswith("msgstr"):
            index = int(word[7:-1]) if word.startswith("msgstr[") else 0
            entry.msgstr[index], key = _string(rest), ("msgstr", index)
        elif line.startswith('"') and key is not None:
            name, index = key
            if name == "msgctxt":
                entry.msgctxt = (entry.msgctxt or "") + _string(line)
            elif name == "msgid":
                entry.msgid += _string(line)
            elif name == "msgid_plural":
                entry.msgid_plural = (entry.msgid_plural or "") + _string(line)
            else:
                entry.msgstr[index] += _string(line)
        else:
            raise ValueError(f"{path}:{number}: cannot read {raw!r}")
    finish()
    return [e for e in entries if not e.obsolete]


def write_mo(entries: list[Entry], path: Path) -> None:
    """GNU .mo format: the header and every translated, non-fuzzy entry, sorted by key."""
    pairs: dict[bytes, bytes] = {}
    for e in entries:
        if e.msgid and (e.fuzzy or not e.translated):
            continue
        key = e.msgid if e.msgid_plural is None else f"{e.msgid}\0{e.msgid_plural}"
        if e.msgctxt is not None:
            key = f"{e.msgctxt}\x04{key}"
        value = "\0".join(e.msgstr[i] for i in sorted(e.msgstr))
        pairs[key.encode()] = value.encode()
    keys = sorted(pairs)
    ids = strs = b""
    offsets = []
    for k in keys:
        offsets.append((len(ids), len(k), len(strs), len(pairs[k])))
        ids += k + b"\0"
        strs += pairs[k] + b"\0"
    start = 7 * 4 + 16 * len(keys)
    ids_at, strs_at = start, start + len(ids)
    table = b"".join(struct.pack("<2I", length, ids_at + at) for at, length, _, _ in offsets)
    table += b"".join(struct.pack("<2I", length, strs_at + at) for _, _, at, length in offsets)
    header = struct.pack("<7I", 0x950412DE, 0, len(keys), 7 * 4, 7 * 4 + 8 * len(keys), 0, start)
    path.write_bytes(header + table + ids + strs)


def main() -> int:
    catalogues = sorted((ROOT / "locale").glob("*/LC_MESSAGES/*.po"))
    for po in catalogues:
        write_mo(read_po(po), po.with_suffix(".mo"))
    print(f"Compiled {len(catalogues)} message catalogue(s).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
