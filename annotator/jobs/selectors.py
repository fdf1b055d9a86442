"""Reads on jobs: a user's jobs, and one job its owner may see (404 for anyone else)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext

from annotator.jobs.records import jobs_mark_lost
from annotator.models import Job, Membership


def jobs_of(user) -> QuerySet[Job]:
    """The jobs ``user`` started, newest first (those whose worker died marked failed)."""
    jobs = Job.objects.filter(started_by_id=user.pk)
    jobs_mark_lost(jobs)
    return jobs.select_related("project")


def job_of(user, job_id: int) -> Job:
    """A job ``user`` started, or 404: nobody else's job is found, not even its number.

    An export of a project the user no longer reviews or manages is not found either
    (its file is that project's data).
    """
    job = jobs_of(user).filter(pk=job_id).first()
    if job is None or (job.kind == Job.Kind.EXPORT_DATASET and not _reviews(user, job)):
        raise Http404(gettext("No such job."))
    return job


def _reviews(user, job: Job) -> bool:
    if job.project_id is None:
        return False
    return Membership.objects.filter(
        project_id=job.project_id,
        user_id=user.pk,
        role__in=[Membership.Role.REVIEWER, Membership.Role.MANAGER],
    ).exists()
