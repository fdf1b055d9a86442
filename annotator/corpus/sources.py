"""Sources: which name is which source, and merging two records of the same outlet.

Every path that turns a name into a source (the document and annotation importers)
goes through ``source_for_name``, so "ТАСС", "тасс" and " ТАСС " are one source
wherever they come from.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from annotator.errors import Rejected, validation_message
from annotator.models import Document, Source
from annotator.reports.tallies import tallies_move_source


class SourceMergeRejected(Rejected):
    """The merge cannot run; ``str(exc)`` is shown to the manager."""


class SourceRejected(Rejected):
    """A new source is not valid; ``str(exc)`` names the fields and why."""


def source_name_key(name: str) -> str:
    """What names of one source have in common: the same words, in any letter case."""
    return " ".join(name.split()).casefold()


def sources_by_name() -> dict[str, Source]:
    """Every source under the ``source_name_key`` of its name.

    Matched in Python, not in SQL: SQLite folds the case of ASCII letters only,
    and most names here are Cyrillic.
    """
    return {source_name_key(source.name): source for source in Source.objects.all()}


def source_for_name(
    name: str, *, known: dict[str, Source] | None = None, **fields: Any
) -> tuple[Source, bool]:
    """The source called ``name`` in any letter case and spacing, or a new one; and
    whether it was created.

    A new source gets the name with its spaces collapsed and ``fields`` (kind,
    country, …), and is validated first: SourceRejected if it is not valid.
    ``known`` (``sources_by_name()``, for a batch of names) is looked up and
    extended, so that a batch costs one query and a new name is created once.
    """
    if known is None:
        known = sources_by_name()
    key = source_name_key(name)
    if key in known:
        return known[key], False
    source = Source(name=" ".join(name.split()), **fields)
    try:
        source.full_clean()
    except ValidationError as exc:
        raise SourceRejected(validation_message(exc)) from exc
    source.save()
    known[key] = source
    return source, True


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
        raise SourceMergeRejected(
            gettext("Choose at least one other source to merge into «%(into)s».") % {"into": into}
        )
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
