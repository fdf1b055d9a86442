"""Retraining the learned suggester as a background job (Django's tasks framework).

The web process only enqueues: when a document is marked done its sentences count as
newly labelled, and after the project's ``retrain_every`` of them (or when a manager asks
on the Suggestions page) ``retrain_suggester`` is queued; a worker (``manage.py
db_worker``) trains, stores the new version and suggests on every document with it.
Where the configured backend would run the job at once, in the process that asked
(Django's ``ImmediateBackend``, the default when no queue is configured), nothing is
enqueued: training takes minutes and hundreds of MB, never a web worker's.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.tasks import task
from django.tasks.backends.immediate import ImmediateBackend

from annotator.models import Document, Project, Sentence


@task()
def retrain_suggester(project_id: int, seed: int | None = None) -> dict[str, Any]:
    """Train the next version on the project's labels, then suggest with it everywhere."""
    # Imported here: the web process, which only enqueues, never loads numpy and the rest.
    from annotator.suggestions.services import DEFAULT_SEED, suggester_train, suggestions_run

    seed = DEFAULT_SEED if seed is None else seed
    project = Project.objects.get(pk=project_id)
    version, evaluation = suggester_train(project=project, seed=seed)
    suggestions_run(project=project, agents=["model"])
    return {"project": project.slug, "version": version, "macro_f1": evaluation.macro_f1}


def queue_runs_elsewhere() -> bool:
    """The configured task backend hands jobs to a worker (it does not run them here)."""
    return not isinstance(retrain_suggester.get_backend(), ImmediateBackend)


def retrain_enqueue(*, project: Project) -> bool:
    """Queue a retraining of the project's suggester (after the transaction commits);
    False, and nothing queued, when no worker would run it (see the module docstring)."""
    if not queue_runs_elsewhere():
        return False
    Project.objects.filter(pk=project.pk).update(labelled_since_training=0)
    transaction.on_commit(lambda: retrain_suggester.enqueue(project.pk))
    return True


def sentences_labelled(*, project: Project, document: Document) -> bool:
    """Count the document's sentences as newly labelled (it was marked done) and queue a
    retraining once the project's ``retrain_every`` is reached. True if one was queued."""
    if not project.retrain_every or not queue_runs_elsewhere():
        return False
    n = Sentence.objects.filter(document=document).count()
    Project.objects.filter(pk=project.pk).update(
        labelled_since_training=F("labelled_since_training") + n
    )
    due = Project.objects.filter(
        pk=project.pk, labelled_since_training__gte=project.retrain_every
    ).exists()
    return due and retrain_enqueue(project=project)
