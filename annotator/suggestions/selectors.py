"""Reads of the suggesters: the documents to suggest on, the admin's cues, the labelled
sentences a learned suggester trains on, what a member is shown in the workspace, and the
accept/reject counts by agent."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef
from django.utils.translation import gettext

from annotator.errors import Rejected
from annotator.models import (
    Annotation,
    Cue,
    Document,
    GoldAnnotation,
    Label,
    Project,
    Sentence,
    Suggestion,
    SuggestionDecision,
)
from annotator.stats.sentence_labels import sentence_labels
from annotator.suggestions.cues import CueEntry


class SuggestionRejected(Rejected):
    """A suggestion run or training asked for something the project does not have."""


def project_documents(project: Project, ids: Sequence[int] = ()) -> list[Document]:
    """The project's documents (all, or those of ``ids``, every one of which must be in it)."""
    documents = Document.objects.filter(project_documents__project=project).order_by("id")
    if ids:
        documents = documents.filter(id__in=ids)
        missing = sorted(set(ids) - {d.id for d in documents})
        if missing:
            raise SuggestionRejected(
                gettext("Not in project %(slug)s: document %(ids)s.")
                % {"slug": project.slug, "ids": ", ".join(map(str, missing))}
            )
    return list(documents)


def cue_extras(project: Project) -> list[CueEntry]:
    """The admin's cues for every project, then this project's (which win on a clash)."""
    rows = (
        Cue.objects.filter(project__isnull=True)
        .order_by("id")
        .values_list("phrase", "label", "weight", "active")
    )
    own = (
        Cue.objects.filter(project=project)
        .order_by("id")
        .values_list("phrase", "label", "weight", "active")
    )
    return [CueEntry(*row) for row in [*rows, *own]]


def sentence_bounds(document_ids: Sequence[int]) -> dict[int, list[tuple[int, int]]]:
    bounds: dict[int, list[tuple[int, int]]] = defaultdict(list)
    rows = Sentence.objects.filter(document_id__in=document_ids).order_by("document_id", "index")
    for document_id, start, end in rows.values_list("document_id", "start", "end"):
        bounds[document_id].append((start, end))
    return bounds


@dataclass(frozen=True, slots=True)
class LabelledSentence:
    document: int
    index: int
    start: int
    end: int
    coder: str  # "gold", or the annotator's username
    label: str | None  # the label's name; None: the coder left the sentence unlabelled


def labelled_sentences(project: Project) -> list[LabelledSentence]:
    """Every sentence's label for training: gold where the document has gold spans, else
    each annotator's own label (of every annotator with a span in the document)."""
    order = list(
        Label.objects.filter(project=project).in_display_order().values_list("name", flat=True)
    )
    spans: dict[tuple[int, str], list[tuple[int, int, str]]] = defaultdict(list)
    gold = GoldAnnotation.objects.filter(project=project).values_list(
        "document_id", "start", "end", "label__name"
    )
    for document_id, start, end, label in gold:
        spans[(document_id, "gold")].append((start, end, label))
    gold_documents = {document_id for document_id, _ in spans}
    own = (
        Annotation.objects.filter(project=project)
        .exclude(document_id__in=gold_documents)
        .values_list("document_id", "annotator__username", "start", "end", "label__name")
    )
    for document_id, username, start, end, label in own:
        spans[(document_id, username)].append((start, end, label))
    bounds = sentence_bounds(sorted({document_id for document_id, _ in spans}))
    result = []
    for (document_id, coder), coder_spans in sorted(spans.items()):
        sentences = bounds[document_id]
        for index, name in enumerate(sentence_labels(sentences, coder_spans, order)):
            start, end = sentences[index]
            result.append(LabelledSentence(document_id, index, start, end, coder, name))
    return result


@dataclass(frozen=True, slots=True)
class Shown:
    """A suggestion as the workspace draws it."""

    id: int
    start: int
    end: int
    label_id: int
    label: str
    score: float
    agent: str


def pending_decision(user_id: int) -> Any:
    """Suggestions the user has not answered: no decision of theirs, or an accept whose
    annotation is gone (undone or deleted), which puts the suggestion back."""
    answered = SuggestionDecision.objects.filter(
        suggestion=OuterRef("pk"), annotator_id=user_id
    ).exclude(verdict=SuggestionDecision.Verdict.ACCEPTED, annotation__isnull=True)
    return ~Exists(answered)


def shown_suggestions(project: Project, document: Document, user) -> list[Shown]:
    """The label suggestions the user sees on the document (two queries): one per
    passage (the best score among the agents), none the user has answered, none where
    the user already has that label on an overlapping passage.

    Blindness: suggestions are the same for every member and carry no annotator's label
    of this document (the learned suggester suggests a document it was trained on with
    the fold model that never saw it, see ``learned.Trained``); a member's decisions hide
    suggestions from that member only.
    """
    rows = (
        Suggestion.objects.filter(project=project, document=document, label__isnull=False)
        .filter(pending_decision(user.pk))
        .order_by("start", "end", "-score", "agent", "id")
        .values_list("id", "start", "end", "label_id", "label__name", "score", "agent")
    )
    own = list(
        Annotation.objects.filter(project=project, document=document, annotator=user).values_list(
            "start", "end", "label_id"
        )
    )
    shown: dict[tuple[int, int], Shown] = {}
    for row in rows:
        suggestion = Shown(*row)
        key = (suggestion.start, suggestion.end)
        if key in shown:
            continue  # a weaker agent's suggestion for the same passage
        if any(
            label_id == suggestion.label_id and start < suggestion.end and suggestion.start < end
            for start, end, label_id in own
        ):
            continue
        shown[key] = suggestion
    return list(shown.values())


@dataclass(frozen=True, slots=True)
class AgentRate:
    agent: str
    accepted: int
    rejected: int

    @property
    def answered(self) -> int:
        return self.accepted + self.rejected

    @property
    def accept_rate(self) -> float | None:
        return self.accepted / self.answered if self.answered else None


def decision_rates(project: Project) -> list[AgentRate]:
    """Accepts and rejects of the project's suggestions by agent (one query)."""
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    rows = (
        SuggestionDecision.objects.filter(suggestion__project=project)
        .values_list("suggestion__agent", "verdict")
        .annotate(n=Count("id"))
        .order_by()
    )
    for agent, verdict, n in rows:
        counts[agent][verdict] = n
    return [
        AgentRate(
            agent,
            counts[agent].get(SuggestionDecision.Verdict.ACCEPTED, 0),
            counts[agent].get(SuggestionDecision.Verdict.REJECTED, 0),
        )
        for agent in sorted(counts)
    ]
