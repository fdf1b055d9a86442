"""bundle: documents.jsonl + sentences.parquet + a dataset card, zipped, in one pass."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

from annotator.datasets.export.card import CardStats, dataset_card
from annotator.datasets.export.formats.jsonl import document_json, dumps
from annotator.datasets.export.formats.sentences import ParquetRows, SentenceTable
from annotator.datasets.export.plan import ExportPlan, iter_documents


def write_bundle(plan: ExportPlan, path: Path, progress=None) -> None:

    stats = CardStats(plan)
    table = SentenceTable(plan)
    with_gold = plan.has_adjudication()
    with tempfile.TemporaryDirectory(dir=path.parent) as tmp:
        parquet_path = Path(tmp) / "sentences.parquet"
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
            sentences = ParquetRows(parquet_path, table)
            try:
                entry = zipfile.ZipInfo("documents.jsonl", plan.exported_at.timetuple()[:6])
                entry.compress_type = zipfile.ZIP_DEFLATED
                raw = bundle.open(entry, "w", force_zip64=True)
                with io.TextIOWrapper(raw, encoding="utf-8", newline="") as out:
                    for record in iter_documents(plan, sentences=True, progress=progress):
                        stats.observe(record)
                        out.write(dumps(document_json(record, with_gold=with_gold)) + "\n")
                        rows = table.rows(record, on_labels=stats.observe_sentence)
                        stats.sentences += len(rows)
                        sentences.extend(rows)
            finally:
                sentences.close()
            bundle.write(parquet_path, "sentences.parquet", compress_type=zipfile.ZIP_STORED)
            bundle.writestr("README.md", dataset_card(plan, stats, table))
