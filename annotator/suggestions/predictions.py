"""An external model's predictions (pushed through the API) stored as ``Suggestion`` rows.

Label Studio's predictions and Argilla's suggestions carry a label on a passage, a score
and the model that made it; here they are one more suggester's output, beside the
built-in ``cues`` and ``model``: the same table, shown to annotators the same way, never
anyone's annotation. The built-in agents' names are refused, so a push cannot be taken
for (or replaced by) a ``suggest`` run. Offsets are stored as the model gave them (no
snapping), checked against the text and the quote if one is given. This module imports
models only: no suggester library is loaded by the web process that calls it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext

from annotator.errors import Rejected
from annotator.models import (
    BUILT_IN_AGENTS,
    Document,
    Label,
    Project,
    SpanValidationError,
    Suggestion,
    check_span,
)


class PredictionsRejected(Rejected):
    """Bad predictions; ``errors`` maps each bad item's index to {field: [messages]}.
    Nothing was stored."""

    def __init__(self, errors: dict[int, dict[str, list[str]]]) -> None:
        first = min(errors)
        super().__init__(
            f"{len(errors)} bad prediction{'s' if len(errors) > 1 else ''} "
            f"(the first: item {first}); nothing was stored."
        )
        self.errors = errors


@dataclass(frozen=True)
class PredictionInput:
    """One prediction as a client sends it (types checked, nothing else)."""

    document: int
    label: str
    start: int
    end: int
    score: float
    agent: str
    agent_version: str = ""
    quote: str | None = None


def external_predictions(project: Project):
    """The project's suggestions that external agents made (the predictions resource)."""
    return Suggestion.objects.filter(project=project, label__isnull=False).exclude(
        agent__in=BUILT_IN_AGENTS
    )


def _problems(
    item: PredictionInput, text: str | None, labels: dict[str, Label]
) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    if text is None:
        problems["document"] = [f"No document {item.document} in this project."]
    if item.label not in labels:
        problems["label"] = [f"No label '{item.label[:50]}' in this project."]
    if not math.isfinite(item.score) or not 0 <= item.score <= 1:
        problems["score"] = ["A score is a number from 0 to 1."]
    if item.agent in BUILT_IN_AGENTS:
        problems["agent"] = [
            f"'{item.agent}' is a built-in suggester's name; name your model otherwise."
        ]
    if text is not None:
        try:
            check_span(text, item.start, item.end, item.quote)
        except SpanValidationError as exc:
            problems["non_field_errors"] = exc.messages
    return problems


def predictions_create(*, project: Project, items: Sequence[PredictionInput]) -> list[Suggestion]:
    """Store ``items`` as suggestions of their agents, all or none (``PredictionsRejected``
    names every bad item)."""
    labels = {label.name: label for label in Label.objects.filter(project=project)}
    ids = {item.document for item in items}
    texts = dict(Document.objects.filter(pk__in=ids, projects=project).values_list("pk", "text"))
    errors: dict[int, dict[str, list[str]]] = {}
    rows = []
    for index, item in enumerate(items):
        text = texts.get(item.document)
        problems = _problems(item, text, labels)
        if problems or text is None:
            errors[index] = problems
            continue
        rows.append(
            Suggestion(
                project=project,
                document_id=item.document,
                label=labels[item.label],
                start=item.start,
                end=item.end,
                quote=text[item.start : item.end],
                score=item.score,
                agent=item.agent,
                agent_version=item.agent_version,
            )
        )
    if errors:
        raise PredictionsRejected(errors)
    with transaction.atomic():
        return Suggestion.objects.bulk_create(rows)


def prediction_delete(*, prediction: Suggestion) -> None:
    """Delete an external agent's prediction (and annotators' decisions on it)."""
    if prediction.agent in BUILT_IN_AGENTS:
        raise Rejected(
            gettext("'%(agent)s' suggestions are replaced by a suggest run.")
            % {"agent": prediction.agent}
        )
    prediction.delete()
