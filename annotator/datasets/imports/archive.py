"""Reading an uploaded .zip without trusting what its headers say.

A zip's headers declare how large each member unpacks, and they can lie: a 1 MB
upload of deflated "A"s unpacks to a gigabyte, and ``ZipFile.read()`` inflates up to
2 GiB in one step before it compares with the declared size. Here every member is
read through a bounded stream instead: in chunks, never more than its declared size
plus one byte (the byte that proves the header lied), and within a budget for the
whole archive (``IMPORT_UPLOAD_MAX_BYTES``), so refusing a hostile archive costs at
most the budget in memory, whatever it claims or holds. Only stored and deflated
members are read: zipfile inflates the other methods (bzip2, LZMA) without a bound.
"""

from __future__ import annotations

import copy
import io
import zipfile
import zlib
from pathlib import Path, PurePath

from django.utils.translation import gettext

from annotator.datasets.imports.report import ImportFailed

# Bytes asked of a member's stream at a time.
CHUNK_BYTES = 64 * 1024
METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}
METHOD_NAMES = {zipfile.ZIP_BZIP2: "bzip2", zipfile.ZIP_LZMA: "LZMA", 9: "Deflate64"}


def budget_text(limit: int) -> str:
    """A budget in whole megabytes, as the refusals state it."""
    return f"{limit // 2**20} MB"


class Archive:
    """A .zip opened for import: its files, each read within what is left of ``budget``.

    ImportFailed (one line, naming the archive or the member) for an archive that
    is not a zip, declares more than the budget, or holds a member that unpacks to
    more than it declares.
    """

    def __init__(self, name: str, source: bytes | Path, *, budget: int) -> None:
        self.name = name
        self.budget = self.left = budget
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source)
            self.members = [
                info
                for info in self.zip.infolist()
                if not info.is_dir()
                and not PurePath(info.filename).name.startswith(".")
                and not info.filename.startswith("__MACOSX/")
            ]
        except zipfile.BadZipFile:
            raise ImportFailed(
                gettext("%(name)s: not a valid .zip file") % {"name": name}
            ) from None
        except OSError as exc:
            raise ImportFailed(
                gettext("%(name)s: cannot read (%(strerror)s)")
                % {"name": name, "strerror": exc.strerror}
            ) from None
        if sum(info.file_size for info in self.members) > budget:
            raise ImportFailed(
                gettext("%(name)s: unpacks to more than %(limit)s")
                % {"name": name, "limit": budget_text(budget)}
            )

    def read(self, info: zipfile.ZipInfo, where: str) -> bytes:
        """The bytes of one member, read in chunks and refused as soon as too many come."""
        if info.compress_type not in METHODS:
            method = METHOD_NAMES.get(info.compress_type, f"method {info.compress_type}")
            raise ImportFailed(
                gettext(
                    "%(where)s: compressed with %(method)s, which the importer does not unpack "
                    "(use a .zip of stored or deflated files)"
                )
                % {"where": where, "method": method}
            )
        limit = min(info.file_size, self.left)
        # The stream stops at its ZipInfo's file_size (checking the CRC there): give it
        # room for the byte past the limit, and for what one read inflates ahead.
        probe = copy.copy(info)
        probe.file_size = limit + 1 + CHUNK_BYTES
        chunks: list[bytes] = []
        size = 0
        try:
            with self.zip.open(probe) as stream:
                while size <= limit and (chunk := stream.read(min(CHUNK_BYTES, limit + 1 - size))):
                    size += len(chunk)
                    chunks.append(chunk)
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, zlib.error, EOFError) as exc:
            raise ImportFailed(
                gettext("%(where)s: cannot unpack (%(exc)s)") % {"where": where, "exc": exc}
            ) from None
        if size > info.file_size:
            raise ImportFailed(
                gettext(
                    "%(where)s: unpacks to more than the %(file_size)s bytes its zip header "
                    "declares (a damaged or hostile archive)"
                )
                % {"where": where, "file_size": info.file_size}
            )
        if size > self.left:
            raise ImportFailed(
                gettext("%(name)s: unpacks to more than %(limit)s")
                % {"name": self.name, "limit": budget_text(self.budget)}
            )
        self.left -= size
        return b"".join(chunks)
