"""``manage.py import_documents PATH [PATH ...]``: see annotator.datasets.imports.documents."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from annotator.datasets.imports.documents import DocumentImportReport, import_paths
from annotator.datasets.imports.report import ImportFailed
from annotator.models import Project

SHOWN_DUPLICATES = 20
SHOWN_FILES_PER_ENCODING = 5


class Command(BaseCommand):
    help = (
        "Import documents from folders of .txt files (with an optional metadata.csv), "
        ".txt, .jsonl, .csv and .zip files."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
        parser.add_argument("--project", metavar="SLUG", help="Add the documents to this project.")
        parser.add_argument(
            "--source",
            metavar="NAME",
            help="Source for records that name none (created if new).",
        )
        parser.add_argument(
            "--skip-bad",
            action="store_true",
            help="Skip bad records and list them, instead of importing nothing.",
        )
        parser.add_argument(
            "--remove-repeats",
            action="store_true",
            help="Remove an exact repeated run of paragraphs inside a document.",
        )

    def handle(self, *args, **options) -> None:
        project = None
        if options["project"]:
            project = Project.objects.filter(slug=options["project"]).first()
            if project is None:
                raise CommandError(f"No project with the slug '{options['project']}'.")
        try:
            report = import_paths(
                options["paths"],
                project=project,
                default_source=options["source"],
                skip_bad=options["skip_bad"],
                progress=True,
                remove_repeats=options["remove_repeats"],
            )
        except ImportFailed as exc:
            raise CommandError(str(exc)) from exc
        self.print_report(report, project)

    def print_report(self, report: DocumentImportReport, project: Project | None) -> None:
        by_encoding: dict[str, list[str]] = {}
        for name, encoding in report.encodings.items():
            by_encoding.setdefault(encoding, []).append(name)
        for encoding, names in by_encoding.items():
            shown = ", ".join(names[:SHOWN_FILES_PER_ENCODING])
            more = len(names) - SHOWN_FILES_PER_ENCODING
            self.stdout.write(
                f"Read as {encoding}: {shown}" + (f" and {more} more" if more > 0 else "")
            )
        for repeat in report.repeats:
            self.stdout.write(f"Repeated text: {repeat}")
        for duplicate in report.duplicates[:SHOWN_DUPLICATES]:
            self.stdout.write(f"Duplicate skipped: {duplicate}")
        if len(report.duplicates) > SHOWN_DUPLICATES:
            self.stdout.write(
                f"... and {len(report.duplicates) - SHOWN_DUPLICATES} more duplicates"
            )
        for rejected in report.rejected:
            self.stdout.write(self.style.WARNING(f"Rejected: {rejected}"))
        summary = report.summary()
        if project is not None:
            summary += f" (project '{project.slug}')"
        self.stdout.write(self.style.SUCCESS(summary))
