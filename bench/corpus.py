"""A synthetic corpus built from the seed texts, at any size, written fast.

Documents are made of seed paragraphs in a shuffled order with a numbered
headline, so each text is unique (the importer skips duplicates) and reads
like the real corpus. Annotations are placed on sentences or word runs, so
every quote equals ``text[start:end]`` as the application requires.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from annotator.reports.tallies import tallies_invalidate

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
LABELS = ("fact", "opinion", "speculation")
WORD = re.compile(r"\w+", re.UNICODE)


def seed_paragraphs() -> list[str]:
    paragraphs = []
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8").replace("\r\n", "\n").replace("\r", "\n")
        paragraphs += [p.strip() for p in text.split("\n") if len(p.strip()) > 40]
    return list(dict.fromkeys(paragraphs))  # the seeds repeat some paragraphs


def synthetic_texts(count: int, *, size: int = 5000, seed: int = 7) -> Iterator[str]:
    rng = random.Random(seed)
    paragraphs = seed_paragraphs()
    for number in range(count):
        parts = [f"Материал № {number}: обзор визита"]
        length = len(parts[0])
        order: list[str] = []
        while length < size:
            if not order:
                # Each pass over the seed paragraphs is shuffled and numbered, so no
                # paragraph repeats within a document.
                order = rng.sample(paragraphs, len(paragraphs))
                if len(parts) > 1:
                    parts.append(f"Часть {len(parts)}")
            paragraph = order.pop()
            parts.append(paragraph)
            length += len(paragraph) + 1
        yield "\n".join(parts)


def write_jsonl(path: Path, texts: Iterator[str], *, sources: int = 50, offset: int = 0) -> int:
    """A jsonl file the importer reads, spreading documents over ``sources`` outlets."""
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for count, text in enumerate(texts, start=1):
            index = offset + count
            record = {
                "text": text,
                "title": text.split("\n", 1)[0],
                "source": f"Издание {index % sources:02d}",
                "source_kind": "news_site",
                "published_on": f"2024-{1 + index % 12:02d}-{1 + index % 28:02d}",
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return count


def word_spans(text: str, rng: random.Random, count: int) -> list[tuple[int, int]]:
    """``count`` distinct spans of 1 to 12 whole words."""
    words = [(m.start(), m.end()) for m in WORD.finditer(text)]
    spans: set[tuple[int, int]] = set()
    while len(spans) < count:
        first = rng.randrange(len(words))
        last = min(len(words) - 1, first + rng.randrange(12))
        spans.add((words[first][0], words[last][1]))
    return sorted(spans)


def curation_spans(
    text: str,
    sentences: list[tuple[int, int]],
    rng: random.Random,
    *,
    annotators: int = 3,
    per_annotator: int = 1500,
    labels: int = 3,
) -> list[list[tuple[int, int, int]]]:
    """Each annotator's ``(start, end, label index)`` spans on one document, as a document
    waiting for curation has them: the annotators mostly mark the same passages (whole
    sentences and runs of words), each one most of them, and agree on the label about
    three times in four."""
    pool = [*rng.sample(sentences, min(len(sentences), per_annotator * 3 // 4))]
    pool += word_spans(text, rng, per_annotator // 2)
    pool = sorted(set(pool))
    truth = {span: rng.randrange(labels) for span in pool}
    result = []
    for _ in range(annotators):
        chosen = rng.sample(pool, min(len(pool), per_annotator))
        result.append(
            [
                (start, end, truth[start, end] if rng.random() < 0.75 else rng.randrange(labels))
                for start, end in chosen
            ]
        )
    return result


class AnnotationWriter:
    """Inserts annotation rows in large batches with one prepared statement."""

    COLUMNS = (
        "project_id",
        "document_id",
        "annotator_id",
        "label_id",
        "start",
        '"end"',
        "quote",
        "note",
        "holder_kind",
        "holder",
        "created_at",
        "updated_at",
    )

    def __init__(self, batch: int = 20_000) -> None:
        self.rows: list[tuple] = []
        self.batch = batch
        self.written = 0
        self.now = timezone.now()
        placeholders = ", ".join(["%s"] * len(self.COLUMNS))
        self.sql = (
            f"INSERT INTO annotator_annotation ({', '.join(self.COLUMNS)}) VALUES ({placeholders})"
        )

    def add(self, project_id, document_id, annotator_id, label_id, start, end, text) -> None:
        self.rows.append(
            (
                project_id,
                document_id,
                annotator_id,
                label_id,
                start,
                end,
                text[start:end],
                "",
                "author",  # the holder fields' defaults (HolderKind.AUTHOR, no name)
                "",
                self.now,
                self.now,
            )
        )
        if len(self.rows) >= self.batch:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(self.sql, self.rows)
            # Raw inserts skip the model's signals: mark the profiles of these documents stale.
            for project_id in {row[0] for row in self.rows}:
                tallies_invalidate(
                    project_id, {row[1] for row in self.rows if row[0] == project_id}
                )
        self.written += len(self.rows)
        self.rows = []


def documents_with_sentences(document_ids: list[int], chunk: int = 500):
    """(document id, text, [(start, end), ...]) for the given documents, in id order."""
    from annotator.models import Document, Sentence

    for i in range(0, len(document_ids), chunk):
        ids = document_ids[i : i + chunk]
        texts = dict(Document.objects.filter(id__in=ids).values_list("id", "text"))
        sentences: dict[int, list[tuple[int, int]]] = {doc_id: [] for doc_id in ids}
        rows = Sentence.objects.filter(document_id__in=ids).order_by("document_id", "index")
        for doc_id, start, end in rows.values_list("document_id", "start", "end"):
            sentences[doc_id].append((start, end))
        for doc_id in ids:
            yield doc_id, texts[doc_id], sentences[doc_id]
