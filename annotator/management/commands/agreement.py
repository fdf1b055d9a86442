"""``python manage.py agreement --project SLUG [--format table|json]``."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from annotator.models import Project
from annotator.reports.agreement import DISAGREEMENTS_LISTED, AgreementReport, project_agreement


def fmt(value: float | None, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def report_table(report: AgreementReport) -> str:
    s, c = report.sentence, report.character
    lines = [
        f"Agreement in project {report.project}",
        f"Annotators: {', '.join(report.annotators) or '(none)'}",
        f"Values: {', '.join(report.labels)}",
        "",
        "Sentence level (each annotator's label for a sentence, or none)",
        f"  Krippendorff's alpha (nominal)  {fmt(s.alpha):>7}",
        f"  Gwet's AC1                      {fmt(s.ac1):>7}",
        f"  Observed agreement              {pct(s.observed):>7}",
        f"  on {count(s.items, 'sentence')} ({count(s.values, 'label')}) "
        f"in {count(s.documents, 'document')}",
        "",
        "Per label (one-vs-rest alpha)",
    ]
    width = max([len(label.label) for label in report.per_label] + [5])
    for label in report.per_label:
        lines.append(
            f"  {label.label:<{width}}  {fmt(label.alpha):>7}  ({label.uses} of {s.values} labels)"
        )
    lines += [
        "",
        "Character level (span boundaries)",
        f"  Krippendorff's alpha (nominal)  {fmt(c.alpha):>7}",
        f"  Observed agreement              {pct(c.observed):>7}",
        f"  on {count(c.items, 'character')} in {count(c.documents, 'document')}",
        "",
    ]
    if report.holders is not None:
        h = report.holders
        lines += [
            "Holders (passages marked by two or more annotators)",
            f"  Krippendorff's alpha, holder kind {fmt(h.kind_alpha):>7}",
            f"  Exact holder agreement          {pct(h.exact):>7}",
            f"  on {count(h.items, 'passage')}; {h.exact_pairs} of {count(h.pairs, 'pair')} "
            "agree (pairs where both say author left out)",
            "",
        ]
    lines += [
        "Cohen's kappa between annotators (sentences both coded)",
    ]
    for pair in report.pairs:
        lines.append(
            f"  {pair.a} × {pair.b}: kappa {fmt(pair.kappa)}, "
            f"observed {pct(pair.observed)}, on {count(pair.items, 'sentence')}"
        )
    if not report.pairs:
        lines.append("  (fewer than two annotators)")
    lines += ["", "Per document"]
    header = ("document", "annotators", "sentences", "alpha", "AC1", "observed", "disagree")
    rows = [
        (
            f"{d.id} {d.title}"[:40],
            str(d.annotators),
            str(d.sentences),
            fmt(d.alpha),
            fmt(d.ac1),
            pct(d.observed),
            str(d.disagreements),
        )
        for d in report.documents
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        cells = [row[0].ljust(widths[0])] + [
            cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)
        ]
        lines.append("  " + "  ".join(cells))
    lines += ["", f"Sentences where annotators disagree: {report.disagreement_total}"]
    return "\n".join(lines)


class Command(BaseCommand):
    help = (
        "Inter-annotator agreement of a project: Krippendorff's alpha, Gwet's AC1, "
        "observed agreement, per-label alpha, character-level alpha, Cohen's kappa "
        "between annotators, and the same per document."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--project", required=True, metavar="SLUG")
        parser.add_argument("--format", choices=["table", "json"], default="table")

    def handle(self, *args, project: str, format: str, **options) -> None:
        found = Project.objects.filter(slug=project).first()
        if found is None:
            raise CommandError(f"No project with the slug {project!r}.")
        report = project_agreement(found, disagreement_limit=DISAGREEMENTS_LISTED)
        if format == "json":
            self.stdout.write(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(report_table(report))
