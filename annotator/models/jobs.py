"""Background jobs: long work (large imports, exports, recounts) run by a worker process,
with who asked, what, how far it got, and what came of it (``annotator.jobs``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from annotator.models.projects import Project


class Job(models.Model):
    """One piece of long work, queued by a user and run by a worker (``manage.py db_worker``).

    ``done``/``total`` is its progress (``total`` unknown while None); a failed job has a
    one-line ``error`` and has written nothing; a finished one has a ``result`` (JSON) and
    may have a file (``result_file``, relative to ``settings.JOB_FILES_DIR``) kept until
    ``expires_at``.
    """

    class Kind(models.TextChoices):
        IMPORT_DOCUMENTS = "import_documents", _("Document import")
        EXPORT_DATASET = "export_dataset", _("Dataset export")
        REBUILD_PROFILES = "rebuild_profiles", _("Profile recount")

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(max_length=40, choices=Kind.choices)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.CASCADE, related_name="jobs"
    )
    parameters = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    phase = models.CharField(max_length=100, blank=True, help_text=_("What the job is doing now."))
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=1000, blank=True)
    result = models.JSONField(null=True, blank=True)
    result_file = models.CharField(max_length=300, blank=True)
    result_name = models.CharField(max_length=300, blank=True, help_text=_("The download's name."))
    input_file = models.CharField(max_length=300, blank=True, editable=False)
    task_id = models.CharField(max_length=64, blank=True, editable=False)
    # host:pid of the worker running it: a job whose worker died is marked failed.
    worker = models.CharField(max_length=200, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["started_by", "created_at"]),
            models.Index(fields=["state", "heartbeat_at"]),
            models.Index(fields=["expires_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.get_state_display().lower()})"

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)

    @property
    def percent(self) -> int | None:
        if not self.total:
            return 100 if self.state == self.State.DONE else None
        return min(100, round(100 * self.done / self.total))
