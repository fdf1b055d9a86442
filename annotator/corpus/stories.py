"""Stories: reading them, creating them, and suggesting them from the corpus.

A story groups documents of several outlets on one event, so that the Sources page can
show those outlets side by side. Managers make stories in the admin; to start them off,
``stories_suggest`` proposes groups of documents published within a few days of each other
that mention enough of the same names (``annotator.text.keywords``: capitalised words,
crudely stemmed; no NLP model). A suggestion is only a proposal: nothing is written until
the manager creates it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from annotator.errors import Rejected
from annotator.models import Document, Project, Story
from annotator.text.keywords import names, surface_forms

DAYS = 3  # documents at most this many days apart can be one story
MIN_SHARED = 3  # names two documents must share
COMMON_SHARE = 0.5  # a name in more than this share of the documents tells nothing ...
COMMON_FROM = 10  # ... once there are at least this many documents
NAMED_AFTER = 3  # a suggested story is named after its commonest names


class StoryRejected(Rejected):
    """A story cannot be created; ``str(exc)`` is shown to the manager."""


def project_stories(project: Project) -> list[tuple[int, str]]:
    """(id, name) of the stories with documents in ``project``, by name."""
    return list(
        Story.objects.filter(documents__project_documents__project=project)
        .distinct()
        .order_by("name")
        .values_list("id", "name")
    )


@transaction.atomic
def story_create(
    *,
    name: str,
    documents: Iterable[Document | int],
    description: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> Story:
    """A new story of ``documents``; refused when the name is taken or the dates reversed."""
    name = name.strip()
    if not name:
        raise StoryRejected(gettext("A story needs a name."))
    if date_from and date_to and date_from > date_to:
        raise StoryRejected(
            gettext("The story «%(name)s» would end before it begins.") % {"name": name}
        )
    try:
        with transaction.atomic():
            story = Story.objects.create(
                name=name, description=description, date_from=date_from, date_to=date_to
            )
    except IntegrityError as exc:
        raise StoryRejected(
            gettext("A story named «%(name)s» already exists.") % {"name": name}
        ) from exc
    story.documents.set(list(documents))
    return story


@dataclass(frozen=True)
class Candidate:
    """A document as the suggestion sees it."""

    id: int
    published_on: date
    names: frozenset[str]


@dataclass(frozen=True)
class StorySuggestion:
    name: str
    document_ids: tuple[int, ...]
    date_from: date
    date_to: date
    shared: tuple[str, ...]  # the names most of its documents mention, commonest first


def suggest_groups(
    candidates: Sequence[Candidate], *, days: int = DAYS, min_shared: int = MIN_SHARED
) -> list[list[Candidate]]:
    """Groups of two or more documents linked by date and names (pure; see the module).

    Two documents are linked when they were published at most ``days`` apart and share at
    least ``min_shared`` names; a group is a chain of links. Names nearly every document
    mentions (the corpus's topic) are left out first. Groups come by date, then by id.
    """
    if len(candidates) >= COMMON_FROM:
        frequency = Counter(name for c in candidates for name in c.names)
        common = {name for name, n in frequency.items() if n > COMMON_SHARE * len(candidates)}
        candidates = [Candidate(c.id, c.published_on, c.names - common) for c in candidates]
    ordered = sorted(candidates, key=lambda c: (c.published_on, c.id))
    parent = list(range(len(ordered)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, first in enumerate(ordered):
        for j in range(i + 1, len(ordered)):
            second = ordered[j]
            if (second.published_on - first.published_on).days > days:
                break
            if len(first.names & second.names) >= min_shared:
                parent[root(j)] = root(i)
    groups: dict[int, list[Candidate]] = {}
    for i, candidate in enumerate(ordered):
        groups.setdefault(root(i), []).append(candidate)
    return [group for group in groups.values() if len(group) > 1]


def stories_suggest(
    *,
    project: Project | None = None,
    days: int = DAYS,
    min_shared: int = MIN_SHARED,
    include_grouped: bool = False,
) -> list[StorySuggestion]:
    """Suggested stories among the dated documents (of ``project``, else of the corpus);
    documents already in a story are left out unless ``include_grouped``."""
    documents = Document.objects.exclude(published_on=None).order_by("id")
    if project is not None:
        documents = documents.filter(project_documents__project=project)
    if not include_grouped:
        documents = documents.filter(stories=None)
    candidates = []
    for pk, published_on, text in documents.values_list("id", "published_on", "text").iterator(
        chunk_size=500
    ):
        if published_on is not None:  # excluded above; said again for the type checker
            candidates.append(Candidate(pk, published_on, frozenset(names(text))))
    groups = suggest_groups(candidates, days=days, min_shared=min_shared)
    return _named(groups)


def _named(groups: list[list[Candidate]]) -> list[StorySuggestion]:
    """Each group with its dates and commonest shared names, spelled as its texts do."""
    ids = [c.id for group in groups for c in group]
    texts = dict(Document.objects.filter(id__in=ids).values_list("id", "text")) if ids else {}
    suggestions = []
    for group in groups:
        mentions = Counter(name for c in group for name in c.names)
        shared = sorted(
            (name for name, n in mentions.items() if n > 1), key=lambda m: (-mentions[m], m)
        )
        spelled: dict[str, str] = {}
        for candidate in group:
            spelled = surface_forms(texts[candidate.id]) | spelled
        words = tuple(spelled.get(name, name) for name in shared[:NAMED_AFTER])
        first, last = group[0].published_on, group[-1].published_on
        dates = f"{first:%Y-%m-%d}" if first == last else f"{first:%Y-%m-%d}–{last:%Y-%m-%d}"
        suggestions.append(
            StorySuggestion(
                name=f"{', '.join(words)} ({dates})",
                document_ids=tuple(c.id for c in group),
                date_from=first,
                date_to=last,
                shared=words,
            )
        )
    return suggestions


def story_from_suggestion(suggestion: StorySuggestion) -> Story:
    return story_create(
        name=suggestion.name,
        documents=suggestion.document_ids,
        date_from=suggestion.date_from,
        date_to=suggestion.date_to,
        description="Suggested from the dates and shared names of its documents: "
        + ", ".join(suggestion.shared)
        + ".",
    )
