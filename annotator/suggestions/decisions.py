"""Writes of the annotators' answers to suggestions: accept (one suggestion, or every
suggestion of a document scoring at least the project's threshold) and reject.

An accept makes the annotation through the workspace's own services, as a save on the
page does: the span is checked and snapped to words, the audit trail records it, and
undo takes it back (which puts the suggestion back: see ``selectors.pending_decision``).
The ``SuggestionDecision`` links the annotation to the suggestion, so the export can say
which labels were suggested, by which agent and with what score.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from annotator.models import Annotation, Document, Label, Project, SuggestionDecision
from annotator.suggestions.selectors import Shown
from annotator.workspace.annotations import annotation_create
from annotator.workspace.services import selection_span


def _decide(
    suggestion_id: int, annotator, verdict: str, annotation: Annotation | None = None
) -> SuggestionDecision:
    decision, _ = SuggestionDecision.objects.update_or_create(
        suggestion_id=suggestion_id,
        annotator=annotator,
        defaults={"verdict": verdict, "annotation": annotation},
    )
    return decision


@transaction.atomic
def suggestions_accept(
    *,
    project: Project,
    document: Document,
    annotator,
    suggestions: Sequence[Shown],
    labels: dict[int, Label],
) -> list[Annotation]:
    """Turn ``suggestions`` (shown to the annotator on this document) into the annotator's
    annotations, all or none."""
    made = []
    for suggestion in suggestions:
        start, end = selection_span(
            text=document.text,
            start=suggestion.start,
            end=suggestion.end,
            quote=document.text[suggestion.start : suggestion.end],
        )
        annotation = annotation_create(
            project=project,
            document=document,
            annotator=annotator,
            label=labels[suggestion.label_id],
            start=start,
            end=end,
            quote=document.text[start:end],
        )
        _decide(suggestion.id, annotator, SuggestionDecision.Verdict.ACCEPTED, annotation)
        made.append(annotation)
    return made


@transaction.atomic
def suggestion_reject(*, suggestion: Shown, annotator) -> SuggestionDecision:
    return _decide(suggestion.id, annotator, SuggestionDecision.Verdict.REJECTED)
