"""``python manage.py suggest_stories [--project SLUG] [--days N] [--min-shared N] [--create]``.

Lists groups of documents that look like one story (published within a few days of each
other, mentioning enough of the same names; see ``annotator.corpus.stories``), and with
``--create`` makes each one a story. The admin's "Suggest stories" page does the same.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from annotator.corpus.stories import (
    DAYS,
    MIN_SHARED,
    StoryRejected,
    stories_suggest,
    story_from_suggestion,
)
from annotator.models import Document, Project


class Command(BaseCommand):
    help = (
        "Suggest stories: documents published within a few days of each other that share "
        "names (people, places, organisations). --create makes them stories."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--project", metavar="SLUG", help="this project's documents only")
        parser.add_argument("--days", type=int, default=DAYS, help=f"default {DAYS}")
        parser.add_argument(
            "--min-shared", type=int, default=MIN_SHARED, help=f"default {MIN_SHARED}"
        )
        parser.add_argument("--create", action="store_true", help="create the stories")

    def handle(self, *args, project, days, min_shared, create, **options) -> None:
        found = None
        if project is not None:
            found = Project.objects.filter(slug=project).first()
            if found is None:
                raise CommandError(f"No project with the slug {project!r}.")
        if days < 0 or min_shared < 1:
            raise CommandError("--days must be 0 or more and --min-shared 1 or more.")
        suggestions = stories_suggest(project=found, days=days, min_shared=min_shared)
        titles = dict(
            Document.objects.filter(
                id__in=[pk for s in suggestions for pk in s.document_ids]
            ).values_list("id", "title")
        )
        for suggestion in suggestions:
            self.stdout.write(suggestion.name)
            for pk in suggestion.document_ids:
                self.stdout.write(f"  {pk}  {titles[pk] or f'Document {pk}'}")
            if create:
                try:
                    story_from_suggestion(suggestion)
                except StoryRejected as exc:
                    self.stderr.write(f"  not created: {exc}")
                else:
                    self.stdout.write("  created")
        count = len(suggestions)
        self.stdout.write(f"{count} suggested stor{'y' if count == 1 else 'ies'}.")
