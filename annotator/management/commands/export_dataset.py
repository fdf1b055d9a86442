"""``manage.py export_dataset``: write a project's dataset in one of the export formats."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from annotator.datasets.export.files import FORMATS, export_to_path
from annotator.datasets.export.plan import ExportError, ExportFilters
from annotator.models import Project


def parse_day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f'--since: "{value}" is not a date like 2025-01-31.') from exc


class Command(BaseCommand):
    help = (
        "Export a project's documents and annotations. Offsets are Unicode code points "
        "(UTF-16 units in the doccano format). A bare file name goes to EXPORT_DIR."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--project", required=True, metavar="SLUG")
        parser.add_argument("--format", required=True, choices=FORMATS, dest="fmt")
        parser.add_argument(
            "--out",
            required=True,
            metavar="PATH",
            help="Output file; for sentences, .parquet writes Parquet and anything else CSV.",
        )
        parser.add_argument(
            "--source",
            action="extend",
            nargs="+",
            default=[],
            metavar="NAME",
            help="Only documents of these sources (repeatable).",
        )
        parser.add_argument(
            "--annotator",
            action="extend",
            nargs="+",
            default=[],
            metavar="USER",
            help="Only these annotators' spans (no gold; repeatable).",
        )
        parser.add_argument(
            "--since", metavar="DATE", help="Only spans created or changed on or after DATE."
        )
        parser.add_argument(
            "--gold-only", action="store_true", help="Only the reviewers' gold spans."
        )
        parser.add_argument(
            "--bom",
            action="store_true",
            help="Start CSV files with a UTF-8 byte order mark (for Excel).",
        )
        parser.add_argument(
            "--raw",
            action="store_true",
            help=(
                "Write CSV cells as they are, for pipelines. By default a cell starting "
                "with =, +, -, @, a tab or a carriage return gets a leading ' so spreadsheets "
                "do not run it as a formula (jsonl and Parquet are never altered)."
            ),
        )

    def handle(self, *args, project: str, fmt: str, out: str, **options) -> None:
        try:
            project_obj = Project.objects.get(slug=project)
        except Project.DoesNotExist as exc:
            raise CommandError(f'No project with slug "{project}".') from exc
        filters = ExportFilters(
            sources=options["source"],
            annotators=options["annotator"],
            since=parse_day(options["since"]) if options["since"] else None,
            gold_only=options["gold_only"],
        )
        try:
            path = export_to_path(
                project=project_obj,
                fmt=fmt,
                path=Path(out),
                filters=filters,
                progress=options["verbosity"] > 0,
                bom=options["bom"],
                raw=options["raw"],
            )
        except ExportError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Wrote {path}")
