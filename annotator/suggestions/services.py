"""Running the suggesters and training the learned one: plain functions that a command
calls now and a background task can call later.

A run replaces the agent's earlier suggestions on the documents, except those an
annotator has already accepted or rejected: they stay (with their decisions), and a new
suggestion identical to one of them is not stored twice.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext

from annotator.models import Document, Label, Project, Suggestion
from annotator.suggestions import cues, holders, learned, store
from annotator.suggestions.selectors import (
    SuggestionRejected,
    cue_extras,
    labelled_sentences,
    project_documents,
    sentence_bounds,
)

AGENTS = ("cues", "model", "holders")
DEFAULT_SEED = 17


def project_lexicon(project: Project, labels: dict[str, Label]) -> cues.Lexicon:
    """The lexicon with the admin's cues, restricted to the labels the project has."""
    full = cues.lexicon(cue_extras(project))
    return cues.Lexicon([e for e in full.entries if e.label in labels], version=full.version)


def _sentence_suggestion(
    document: Document, span: tuple[int, int], label: Label | None, score: float, **fields: Any
) -> Suggestion:
    start, end = span
    return Suggestion(
        document=document,
        start=start,
        end=end,
        quote=document.text[start:end],
        label=label,
        score=round(score, 4),
        **fields,
    )


def _cue_suggestions(
    document: Document, bounds: list[tuple[int, int]], labels: dict[str, Label], lex: cues.Lexicon
) -> list[Suggestion]:
    neutral = next((name for name, label in labels.items() if label.neutral), None)
    result = []
    for start, end in bounds:
        scored = cues.score(cues.match(document.text, start, end, lex=lex), neutral)
        result.append(
            _sentence_suggestion(
                document,
                (start, end),
                labels.get(scored.top) if scored.top else None,
                scored.top_score,
                agent="cues",
                agent_version=lex.version,
                cue_start=scored.cue.start if scored.cue else None,
                cue_end=scored.cue.end if scored.cue else None,
            )
        )
    return result


def _model_suggestions(
    document: Document,
    bounds: list[tuple[int, int]],
    labels: dict[str, Label],
    trained: tuple[int, dict[str, Any]],
) -> list[Suggestion]:
    version, bundle = trained
    lex = cues.Lexicon([cues.CueEntry(*entry) for entry in bundle["lexicon"]], version="")
    texts = [document.text[start:end] for start, end in bounds]
    predictions = learned.predict(bundle["trained"].for_document(document.id), texts, lex)
    return [
        _sentence_suggestion(
            document,
            span,
            labels.get(name),
            probability,
            agent="model",
            agent_version=f"v{version}",
        )
        for span, (name, probability) in zip(bounds, predictions, strict=True)
    ]


def _holder_suggestions(document: Document, bounds: list[tuple[int, int]]) -> list[Suggestion]:
    return [
        _sentence_suggestion(
            document,
            (found.start, found.end),
            None,
            found.score,
            agent="holders",
            agent_version=holders.AGENT_VERSION,
            holder_kind=found.holder_kind,
            holder=found.holder,
            cue_start=found.cue_start,
            cue_end=found.cue_end,
        )
        for found in holders.attribute(document.text, bounds)
    ]


def suggestions_run(
    *, project: Project, documents: Sequence[Document] | None = None, agents: Sequence[str] = ()
) -> list[Suggestion]:
    """Suggest on ``documents`` (default: all of the project's) with ``agents`` (default:
    ``cues``, and ``model`` once trained; ``holders`` only when asked: it loads natasha);
    store and return the suggestions in document and sentence order."""
    unknown = sorted(set(agents) - set(AGENTS))
    if unknown:
        raise SuggestionRejected(
            gettext("Unknown agent: %(unknown)s (known: %(known)s).")
            % {"unknown": ", ".join(unknown), "known": ", ".join(AGENTS)}
        )
    trained = store.load_latest(project.slug)
    if not agents:
        agents = ("cues", "model") if trained else ("cues",)
    if "model" in agents and trained is None:
        raise SuggestionRejected(
            gettext("No trained model for project %(slug)s: run train_suggester first.")
            % {"slug": project.slug}
        )
    if documents is None:
        documents = project_documents(project)
    labels = {label.name: label for label in Label.objects.filter(project=project)}
    bounds = sentence_bounds([d.id for d in documents])
    lex = project_lexicon(project, labels)
    made: list[Suggestion] = []
    for document in documents:
        if "cues" in agents:
            made += _cue_suggestions(document, bounds[document.id], labels, lex)
        if "model" in agents:
            assert trained is not None
            made += _model_suggestions(document, bounds[document.id], labels, trained)
        if "holders" in agents:
            made += _holder_suggestions(document, bounds[document.id])
    for suggestion in made:
        suggestion.project = project
    with transaction.atomic():
        stale = Suggestion.objects.filter(project=project, document__in=documents, agent__in=agents)
        stale.filter(decisions__isnull=True).delete()
        decided = set(stale.values_list("document_id", "start", "end", "agent", "label_id"))
        Suggestion.objects.bulk_create(
            [s for s in made if (s.document_id, s.start, s.end, s.agent, s.label_id) not in decided]
        )
    return made


def suggester_train(
    *, project: Project, seed: int = DEFAULT_SEED
) -> tuple[int, learned.Evaluation]:
    """Train the learned suggester on the project's labelled sentences, store it as the
    next version with its training data, and return the version and its evaluation."""
    rows = labelled_sentences(project)
    if not rows:
        raise SuggestionRejected(
            gettext("Project %(slug)s has no labelled sentences yet.") % {"slug": project.slug}
        )
    y = [row.label or learned.NO_LABEL for row in rows]
    if len(set(y)) < 2:
        raise SuggestionRejected(
            gettext(
                "Project %(slug)s: training needs sentences of at least two labels "
                "(all %(n)d are %(label)s)."
            )
            % {"slug": project.slug, "n": len(y), "label": y[0]}
        )
    if len({row.document for row in rows}) < 2:
        raise SuggestionRejected(
            gettext(
                "Project %(slug)s: training needs labelled sentences in two documents "
                "at least (cross-validation holds out whole documents)."
            )
            % {"slug": project.slug}
        )
    texts_by_document = dict(
        Document.objects.filter(id__in={row.document for row in rows}).values_list("id", "text")
    )
    texts = [texts_by_document[row.document][row.start : row.end] for row in rows]
    labels = {label.name: label for label in Label.objects.filter(project=project)}
    lex = project_lexicon(project, labels)
    model, evaluation = learned.train(texts, y, [row.document for row in rows], lex, seed=seed)
    training = [asdict(row) for row in rows]
    version, _ = store.save(
        project.slug,
        {"trained": model, "lexicon": [[e.phrase, e.label, e.weight] for e in lex.entries]},
        {
            "project": project.slug,
            "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "seed": seed,
            "lexicon_version": lex.version,
            "training_data": {
                "sentences": len(rows),
                "documents": len({row.document for row in rows}),
                "coders": sorted({row.coder for row in rows}),
                "labels": dict(sorted(Counter(y).items())),
            },
            "training_sha256": hashlib.sha256(
                json.dumps(training, ensure_ascii=False).encode()
            ).hexdigest(),
            "evaluation": asdict(evaluation),
            "training": training,
        },
    )
    return version, evaluation


def suggestion_row(suggestion: Suggestion) -> dict[str, Any]:
    """A suggestion as the ``suggest`` command (and the API) print it."""
    return {
        "document": suggestion.document_id,
        "start": suggestion.start,
        "end": suggestion.end,
        "quote": suggestion.quote,
        "label": suggestion.label.name if suggestion.label else None,
        "score": suggestion.score,
        "agent": suggestion.agent,
        "holder_kind": suggestion.holder_kind,
        "holder": suggestion.holder,
        "cue_start": suggestion.cue_start,
        "cue_end": suggestion.cue_end,
    }
