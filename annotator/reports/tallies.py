"""The stored tallies the source profiles read (DocumentTally, PassageVote).

Counting 1,000,000 spans for every page view is too slow, so each project document's
counts are stored, one set per coder set (each annotator, all annotators together, gold;
``annotator.stats.consensus`` counts them), and the pages add them up.

Freshness: every saved or deleted span (annotator's or gold) bumps its project
document's ``labels_version`` (one small UPDATE, inside the writer's transaction). The
profile pages first recount the documents whose ``profiled_version`` lags
(``tallies_refresh``), so a page never shows stale counts. Bulk writes that skip
``save()``/``delete()`` (``bulk_create``, raw SQL) call ``tallies_invalidate``; the
``rebuild_profiles`` command recounts a whole project up front.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable

from django.db import connection, transaction
from django.db.models import F
from django.db.models.functions import Length
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from annotator.models import (
    Annotation,
    Document,
    DocumentTally,
    GoldAnnotation,
    Label,
    PassageVote,
    Project,
    ProjectDocument,
    Sentence,
)
from annotator.stats.consensus import Reading, count_document, read

CHUNK = 500  # documents recounted per transaction
GOLD = "gold"  # the coder key of a document's gold spans, beside the annotators' ids
COPIED = ("text_length", "source_id", "published_on")  # from the document onto its item


@receiver(post_save, sender=Label)
@receiver(post_delete, sender=Label)
def _label_changed(sender, instance, **kwargs) -> None:
    # Tallies hold label ids in display order (ties go to the earlier label) and leave out
    # the neutral label's passages: a new, reordered, re-flagged or removed label changes
    # what they count. Label edits are rare; recounting a project's documents is fine.
    tallies_invalidate(instance.project_id)


@receiver(post_save, sender=Annotation)
@receiver(post_delete, sender=Annotation)
@receiver(post_save, sender=GoldAnnotation)
@receiver(post_delete, sender=GoldAnnotation)
def _span_changed(sender, instance, **kwargs) -> None:
    # Written out, not ProjectDocument.objects.filter(...).update(...): it runs on every
    # save, and the ORM would spend longer building the statement than the database
    # spends running it (see annotator.fastpath.rows).
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {ProjectDocument._meta.db_table} SET labels_version = labels_version + 1"
            " WHERE project_id = %s AND document_id = %s",
            [instance.project_id, instance.document_id],
        )


def tallies_invalidate(project: Project | int, document_ids: Iterable[int] | None = None) -> int:
    """Mark documents' tallies stale (all of the project's when ``document_ids`` is None)."""
    rows = ProjectDocument.objects.filter(project=project)
    if document_ids is not None:
        rows = rows.filter(document_id__in=list(document_ids))
    return rows.update(labels_version=F("labels_version") + 1)


def tallies_move_source(*, into: int, others: Iterable[int]) -> None:
    """Point the stored copies of documents' sources at ``into`` (``source_merge``).

    The items' versions are bumped too, so that anything keyed on them is renewed.
    """
    others = list(others)
    for model in (DocumentTally, PassageVote):
        model.objects.filter(source_id__in=others).update(source_id=into)
    ProjectDocument.objects.filter(source_id__in=others).update(
        source_id=into, labels_version=F("labels_version") + 1
    )


def tallies_refresh(project: Project, *, chunk: int = CHUNK, progress=None) -> int:
    """Recount the project's stale documents; returns how many were recounted."""
    stale = list(
        ProjectDocument.objects.filter(project=project)
        .exclude(profiled_version=F("labels_version"))
        .order_by("document_id")
        .values_list("document_id", flat=True)
    )
    if not stale:
        return 0
    labels = list(project.labels.in_display_order().values_list("id", "neutral"))
    for i in range(0, len(stale), chunk):
        _recount(project, stale[i : i + chunk], labels)
        if progress:
            progress(min(i + chunk, len(stale)), len(stale))
    return len(stale)


@transaction.atomic
def _recount(project: Project, document_ids: list[int], labels: list[tuple[int, bool]]) -> None:
    items = {
        document_id: (item_id, version)
        for item_id, document_id, version in ProjectDocument.objects.select_for_update()
        .filter(project=project, document_id__in=document_ids)
        .exclude(profiled_version=F("labels_version"))
        .values_list("id", "document_id", "labels_version")
    }
    if not items:
        return
    ids = list(items)
    documents = {
        doc_id: {"text_length": n, "source_id": source_id, "published_on": published_on}
        for doc_id, n, source_id, published_on in Document.objects.filter(id__in=ids)
        .annotate(n=Length("text"))
        .values_list("id", "n", "source_id", "published_on")
    }
    sentences: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for doc_id, start, end in (
        Sentence.objects.filter(document_id__in=ids)
        .order_by("document_id", "index")
        .values_list("document_id", "start", "end")
    ):
        sentences[doc_id].append((start, end))
    spans: dict[int, dict[Hashable, list[tuple[int, int, int]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for doc_id, coder, label_id, start, end in Annotation.objects.filter(
        project=project, document_id__in=ids
    ).values_list("document_id", "annotator_id", "label_id", "start", "end"):
        spans[doc_id][coder].append((start, end, label_id))
    # "No label" decisions (label None) are gold too: a document whose only gold says "no
    # label" counts with its gold, and those sentences and characters carry no label.
    for doc_id, label_id, start, end in GoldAnnotation.objects.filter(
        project=project, document_id__in=ids
    ).values_list("document_id", "label_id", "start", "end"):
        spans[doc_id][GOLD].append((start, end, label_id))
    label_order = [label_id for label_id, _ in labels]
    neutral = {label_id for label_id, is_neutral in labels if is_neutral}
    tallies: list[DocumentTally] = []
    passages: list[PassageVote] = []
    for doc_id, (item_id, _) in items.items():
        doc_sentences = sentences.get(doc_id, [])
        readings = {
            coder: read(doc_sentences, own, label_order)
            for coder, own in spans.get(doc_id, {}).items()
        }
        gold = readings.pop(GOLD, None)
        # Each annotator alone, all of them together (their majority: the document counts
        # once, however many read it), and gold.
        coder_sets: list[tuple[Hashable | None, bool, list[Reading]]] = [
            (annotator_id, False, [reading]) for annotator_id, reading in readings.items()
        ]
        if readings:
            coder_sets.append((None, False, list(readings.values())))
        if gold:
            coder_sets.append((None, True, [gold]))
        for annotator_id, is_gold, coders in coder_sets:
            common = {
                "project": project,
                "item_id": item_id,
                "source_id": documents[doc_id]["source_id"],
                "published_on": documents[doc_id]["published_on"],
                "annotator_id": annotator_id,
                "gold": is_gold,
                "preferred": annotator_id is None and is_gold == bool(gold),
            }
            counts = count_document(doc_sentences, coders)
            tallies.append(
                DocumentTally(
                    **common,
                    chars=counts.covered_chars,
                    sentences=counts.labelled_sentences,
                    touched=counts.touched_sentences,
                    tied=counts.tied_sentences,
                    tied_chars=counts.tied_chars,
                )
            )
            tallies.extend(
                DocumentTally(
                    **common,
                    label_id=label_id,
                    chars=counts.chars[label_id],
                    sentences=counts.votes[label_id],
                )
                for label_id in label_order
                if counts.chars[label_id] or counts.votes[label_id]
            )
            for index, votes, count in counts.passages:
                start, end = doc_sentences[index]
                passages.extend(
                    PassageVote(
                        **common,
                        label_id=label_id,
                        sentence=index,
                        start=start,
                        end=end,
                        votes=n,
                        coders=count,
                    )
                    for label_id, n in votes.items()
                    if label_id not in neutral
                )
    item_ids = [item_id for item_id, _ in items.values()]
    DocumentTally.objects.filter(item_id__in=item_ids).delete()
    PassageVote.objects.filter(item_id__in=item_ids).delete()
    DocumentTally.objects.bulk_create(tallies, batch_size=2000)
    PassageVote.objects.bulk_create(passages, batch_size=2000)
    fresh = [
        ProjectDocument(id=item_id, profiled_version=version, **documents[doc_id])
        for doc_id, (item_id, version) in items.items()
    ]
    ProjectDocument.objects.bulk_update(fresh, ["profiled_version", *COPIED], batch_size=500)
