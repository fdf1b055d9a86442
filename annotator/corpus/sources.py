"""Writes on sources: merging two records of the same outlet."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from annotator.errors import Rejected
from annotator.models import Document, Source
from annotator.reports.tallies import tallies_move_source


class SourceMergeRejected(Rejected):
    """The merge cannot run; ``str(exc)`` is shown to the manager."""


# Metadata copied from a merged source when the kept one has none.
FILLED_FIELDS = ("url", "country", "language")


@transaction.atomic
def source_merge(*, into: Source, others: Iterable[Source]) -> int:
    """Merge ``others`` into ``into``: everything pointing at them moves, then they go.

    Nothing is lost: every row referring to a merged source (its documents and
    anything else with a foreign key to Source) is moved to ``into``; blank
    metadata of ``into`` is filled from the merged sources, and each merged
    source's name, URL and description are kept in ``into.description``.
    Returns the number of documents moved.
    """
    others = [source for source in others if source.pk != into.pk]
    if not others:
        raise SourceMergeRejected(f"Choose at least one other source to merge into «{into}».")
    moved = Document.objects.filter(source__in=others).count()
    for relation in Source._meta.related_objects:
        if relation.many_to_many:
            continue
        field = relation.field.name
        relation.related_model._base_manager.filter(**{f"{field}__in": others}).update(
            **{field: into}
        )
    notes = [into.description] if into.description else []
    for other in others:
        for name in FILLED_FIELDS:
            if not getattr(into, name) and getattr(other, name):
                setattr(into, name, getattr(other, name))
        if into.kind == Source.Kind.OTHER:
            into.kind = other.kind
        merged_from = f"Merged from «{other.name}»"
        if other.url:
            merged_from += f" ({other.url})"
        notes.append(f"{merged_from}: {other.description}" if other.description else merged_from)
    tallies_move_source(into=into.pk, others=[other.pk for other in others])
    into.description = "\n\n".join(notes)
    into.save()
    Source.objects.filter(pk__in=[other.pk for other in others]).delete()
    return moved
