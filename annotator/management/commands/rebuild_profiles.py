"""``python manage.py rebuild_profiles [--project SLUG ...] [--all]``.

Recounts the stored tallies the Sources pages read. Needed after writing spans in bulk
outside the ORM's save()/delete() (raw SQL); the pages also recount stale documents
themselves, so this only moves the work out of the first page view.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from annotator.models import Project
from annotator.reports.tallies import tallies_invalidate, tallies_refresh


class Command(BaseCommand):
    help = "Recount the source-profile tallies of projects (all projects by default)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--project", action="append", metavar="SLUG", default=[])
        parser.add_argument(
            "--all",
            action="store_true",
            help="recount every document, not only the stale ones",
        )

    def handle(self, *args, project: list[str], all: bool, **options) -> None:
        projects = Project.objects.order_by("slug")
        if project:
            projects = projects.filter(slug__in=project)
            missing = sorted(set(project) - set(projects.values_list("slug", flat=True)))
            if missing:
                raise CommandError(f"No such project: {', '.join(missing)}.")
        for chosen in projects:
            started = time.monotonic()
            if all:
                tallies_invalidate(chosen)
            done = tallies_refresh(chosen)
            self.stdout.write(
                f"{chosen.slug}: {done} document(s) recounted in {time.monotonic() - started:.1f} s"
            )
