"""``python manage.py suggest --project SLUG [--document ID ...] [--agent NAME ...]
[--format jsonl|table]``: run the suggesters now (not through the task queue), store the
suggestions and print one per line: every sentence's top label with its score."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from annotator.errors import Rejected
from annotator.models import Project
from annotator.suggestions.selectors import project_documents
from annotator.suggestions.services import AGENTS, suggestion_row, suggestions_run


class Command(BaseCommand):
    help = (
        "Suggest labels (agents: cues, model) or holders (agent: holders) for a project's "
        "sentences and store them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--project", required=True, help="The project's slug.")
        parser.add_argument("--document", type=int, nargs="+", action="extend", default=[])
        parser.add_argument(
            "--agent", nargs="+", action="extend", default=[], choices=AGENTS, metavar="NAME"
        )
        parser.add_argument("--format", choices=["jsonl", "table"], default="jsonl")

    def handle(self, *args, **options):
        project = Project.objects.filter(slug=options["project"]).first()
        if project is None:
            raise CommandError(f"No project with slug {options['project']!r}.")
        try:
            documents = project_documents(project, options["document"])
            suggestions = suggestions_run(
                project=project, documents=documents, agents=options["agent"]
            )
        except Rejected as exc:
            raise CommandError(str(exc)) from exc
        rows = [suggestion_row(s) for s in suggestions]
        if options["format"] == "jsonl":
            for row in rows:
                self.stdout.write(json.dumps(row, ensure_ascii=False))
            return
        for row in rows:
            quote = " ".join(row["quote"].split())
            quote = quote if len(quote) <= 60 else quote[:59] + "…"
            self.stdout.write(
                f"{row['document']:>6} {row['start']:>6}-{row['end']:<6} {row['agent']:<6} "
                f"{row['label'] or row['holder_kind'] or '—':<12} {row['score']:.3f}  "
                f"{(row['holder'] + ': ') if row['holder'] else ''}{quote}"
            )
