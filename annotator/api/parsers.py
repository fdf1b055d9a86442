"""Request bodies the documents import reads as they came (the importer decodes them)."""

from __future__ import annotations

from rest_framework.parsers import BaseParser


class RawBody(BaseParser):
    """The body's bytes, untouched: the importer reads JSON and JSON Lines itself, with
    the same decoding, checks and messages as ``import_documents``."""

    def parse(self, stream, media_type=None, parser_context=None) -> bytes:
        return stream.read() if stream is not None else b""


class RawJSON(RawBody):
    media_type = "application/json"


class RawJSONLines(RawBody):
    media_type = "application/jsonl"


class RawNDJSON(RawBody):
    media_type = "application/x-ndjson"
