"""Background jobs of the suggesters (Django's tasks framework): the holders suggester's,
one per document at import and one for a whole project on demand, and the learned
suggester's retraining.

natasha's models take ~300 MB and training takes minutes and hundreds of MB, so these
jobs must run in the task worker (``manage.py db_worker``, the django-tasks database
backend), never inside a web request. The web process only enqueues. Where the configured
backend would run a job at once, in the process that asked (Django's ``ImmediateBackend``,
the default when no queue is configured), nothing is enqueued: run ``manage.py suggest``
or ``train_suggester`` instead.

Retraining: when a document is marked done its sentences count as newly labelled, and
after the project's ``retrain_every`` of them (or when a manager asks on the Suggestions
page) ``retrain_suggester`` is queued; the worker trains, stores the new version and
suggests on every document with it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import F
from django.tasks import task
from django.tasks.backends.immediate import ImmediateBackend

from annotator.models import Document, Project, Sentence
from annotator.queue import enqueue_many
from annotator.suggestions.selectors import project_documents


@task()
def suggest_holders_document(project_id: int, document_id: int) -> int:
    """Suggest the holders of one document's sentences; returns how many were stored."""
    from annotator.suggestions.services import suggestions_run

    project = Project.objects.get(pk=project_id)
    documents = project_documents(project, [document_id])
    return len(suggestions_run(project=project, documents=documents, agents=["holders"]))


@task()
def suggest_holders_project(project_id: int) -> int:
    """Suggest the holders of every document of a project."""
    from annotator.suggestions.services import suggestions_run

    project = Project.objects.get(pk=project_id)
    return len(suggestions_run(project=project, agents=["holders"]))


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


def runs_in_a_worker() -> bool:
    """Whether enqueued jobs run in a separate worker (not inside this process)."""
    return not isinstance(retrain_suggester.get_backend(), ImmediateBackend)


def holders_enqueue(*, project: Project, document_ids: Iterable[int] | None = None) -> int:
    """Queue the holders jobs of ``document_ids`` (or one job for the whole project);
    returns how many jobs were queued (none without a worker, see the module docstring,
    and none for imported documents of a project whose suggestions are off: a manager
    can still ask for the whole project)."""
    if not runs_in_a_worker():
        return 0
    if document_ids is not None and not project.suggestions_enabled:
        return 0
    if document_ids is None:
        suggest_holders_project.enqueue(project.pk)
        return 1
    return enqueue_many(
        suggest_holders_document, [(project.pk, document_id) for document_id in document_ids]
    )


def retrain_enqueue(*, project: Project) -> bool:
    """Queue a retraining of the project's suggester (after the transaction commits);
    False, and nothing queued, when no worker would run it (see the module docstring)."""
    if not runs_in_a_worker():
        return False
    Project.objects.filter(pk=project.pk).update(labelled_since_training=0)
    transaction.on_commit(lambda: retrain_suggester.enqueue(project.pk))
    return True


def sentences_labelled(*, project: Project, document: Document) -> bool:
    """Count the document's sentences as newly labelled (it was marked done) and queue a
    retraining once the project's ``retrain_every`` is reached. True if one was queued."""
    if not project.retrain_every or not runs_in_a_worker():
        return False
    n = Sentence.objects.filter(document=document).count()
    Project.objects.filter(pk=project.pk).update(
        labelled_since_training=F("labelled_since_training") + n
    )
    due = Project.objects.filter(
        pk=project.pk, labelled_since_training__gte=project.retrain_every
    ).exists()
    return due and retrain_enqueue(project=project)
