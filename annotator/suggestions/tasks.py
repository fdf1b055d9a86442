"""Background jobs of the holders suggester: one per document at import, and one for a
whole project on demand.

natasha's models take ~300 MB, so the jobs must run in the task worker (the django-tasks
database backend), never inside a web request. With the immediate backend (the default
when no worker is configured) ``holders_enqueue`` enqueues nothing: an import through the
web page must not load natasha into the web process. Run ``manage.py suggest --agent
holders`` instead.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.tasks import task
from django.tasks.backends.immediate import ImmediateBackend

from annotator.models import Project
from annotator.suggestions.selectors import project_documents
from annotator.suggestions.services import suggestions_run


@task()
def suggest_holders_document(project_id: int, document_id: int) -> int:
    """Suggest the holders of one document's sentences; returns how many were stored."""
    project = Project.objects.get(pk=project_id)
    documents = project_documents(project, [document_id])
    return len(suggestions_run(project=project, documents=documents, agents=["holders"]))


@task()
def suggest_holders_project(project_id: int) -> int:
    """Suggest the holders of every document of a project."""
    project = Project.objects.get(pk=project_id)
    return len(suggestions_run(project=project, agents=["holders"]))


def runs_in_a_worker() -> bool:
    """Whether enqueued jobs run in a separate worker (not inside this process)."""
    return not isinstance(suggest_holders_document.get_backend(), ImmediateBackend)


def holders_enqueue(*, project: Project, document_ids: Iterable[int] | None = None) -> int:
    """Queue the holders jobs of ``document_ids`` (or one job for the whole project);
    returns how many jobs were queued (none without a worker, see the module docstring)."""
    if not runs_in_a_worker():
        return 0
    if document_ids is None:
        suggest_holders_project.enqueue(project.pk)
        return 1
    queued = 0
    for document_id in document_ids:
        suggest_holders_document.enqueue(project.pk, document_id)
        queued += 1
    return queued
