"""``manage.py import_annotations``: annotations from our jsonl, doccano or Label Studio."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from annotator.datasets.imports.annotations import annotations_import
from annotator.datasets.imports.report import ImportFailed
from annotator.models import Project


class Command(BaseCommand):
    help = (
        "Import annotations from our jsonl export, doccano JSONL (UTF-16 offsets) or a "
        "Label Studio JSON export. Nothing is imported if any record is rejected."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", metavar="PATH")
        parser.add_argument("--project", required=True, metavar="SLUG")
        parser.add_argument(
            "--annotator",
            metavar="USER",
            help="Attribute every (non-gold) span to this user instead of the file's names.",
        )
        parser.add_argument(
            "--create-users",
            action="store_true",
            help="Create missing annotator accounts (inactive, no password).",
        )

    def handle(self, *args, path: str, project: str, **options) -> None:
        project_obj = Project.objects.filter(slug=project).first()
        if project_obj is None:
            raise CommandError(f'No project with slug "{project}".')
        annotator = None
        if options["annotator"]:
            annotator = get_user_model().objects.filter(username=options["annotator"]).first()
            if annotator is None:
                raise CommandError(f'No user named "{options["annotator"]}".')
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        try:
            report = annotations_import(
                project=project_obj,
                path=file,
                annotator=annotator,
                create_users=options["create_users"],
            )
        except ImportFailed as exc:
            failed = exc.report
            if failed is None:  # refused before any record was read
                raise CommandError(str(exc)) from exc
            lines = [f"Nothing was imported: {failed.error_count} problem(s) in {file}:"]
            lines += [f"  {message}" for message in failed.errors]
            if failed.errors_left_out:
                lines.append(f"  … and {failed.errors_left_out} more.")
            raise CommandError("\n".join(lines)) from exc
        for line in report.summary():
            self.stdout.write(line)
