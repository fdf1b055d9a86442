"""``python manage.py train_suggester --project SLUG [--seed N] [--format table|json]``:
train the learned suggester on the project's labels and print its cross-validated
evaluation (per label precision/recall/F1 with n, macro-F1, the majority-class baseline,
the confusion matrix, the learning curve) and the accept/reject counts by agent: what the
Suggestions page shows."""

from __future__ import annotations

import json
from dataclasses import asdict

from django.core.management.base import BaseCommand, CommandError

from annotator.errors import Rejected
from annotator.models import Project
from annotator.suggestions.learned import Evaluation
from annotator.suggestions.selectors import AgentRate, decision_rates
from annotator.suggestions.services import DEFAULT_SEED, suggester_train


def report(slug: str, version: int, e: Evaluation) -> list[str]:
    width = max(len(label) for label in [*e.labels, "label"])
    lines = [
        f"Suggester for project {slug}: model v{version}, trained on {e.n} labelled sentences "
        f"in {e.seconds:.1f} s (process peak {e.peak_mb:.0f} MB)",
        f"Cross-validated over {e.folds} folds (a document's sentences in one fold)",
        "",
        f"  {'label':<{width}}  precision  recall     F1      n",
    ]
    for label, p, r, f, n in e.per_label:
        lines.append(f"  {label:<{width}}  {p:>9.3f}  {r:>6.3f}  {f:>5.3f}  {n:>5}")
    lines += [
        "",
        f"  macro-F1 {e.macro_f1:.3f}  accuracy {e.accuracy:.3f}  (n = {e.n})",
        f"  majority-class baseline ({e.baseline_label}): macro-F1 {e.baseline_macro_f1:.3f}  "
        f"accuracy {e.baseline_accuracy:.3f}",
        "",
        "Confusion matrix (rows: labelled, columns: predicted)",
        "  " + " " * width + "".join(f"{label[:10]:>11}" for label in e.labels),
    ]
    for label, row in zip(e.labels, e.confusion, strict=True):
        lines.append(f"  {label:<{width}}" + "".join(f"{value:>11}" for value in row))
    curve = e.extra.get("learning_curve") or []
    if curve:
        lines += ["", "Learning curve (cross-validated macro-F1 by labelled sentences)"]
        lines += [f"  {n:>7}  {f1:.3f}" for n, f1 in curve]
    return lines


def rates_report(rates: list[AgentRate]) -> list[str]:
    """The accept/reject counts by agent, as the Suggestions page shows them."""
    lines = ["", "Suggestions accepted and rejected by the annotators, by agent"]
    if not rates:
        return [*lines, "  none answered yet"]
    for rate in rates:
        share = f"{rate.accept_rate:.1%}" if rate.accept_rate is not None else "—"
        lines.append(
            f"  {rate.agent:<12} accepted {rate.accepted:>6}  rejected {rate.rejected:>6}  "
            f"accept rate {share} (n = {rate.answered})"
        )
    return lines


class Command(BaseCommand):
    help = "Train the learned suggester on a project's labels and print its evaluation."

    def add_arguments(self, parser):
        parser.add_argument("--project", required=True, help="The project's slug.")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
        parser.add_argument("--format", choices=["table", "json"], default="table")

    def handle(self, *args, **options):
        project = Project.objects.filter(slug=options["project"]).first()
        if project is None:
            raise CommandError(f"No project with slug {options['project']!r}.")
        try:
            version, evaluation = suggester_train(project=project, seed=options["seed"])
        except Rejected as exc:
            raise CommandError(str(exc)) from exc
        rates = decision_rates(project)
        if options["format"] == "json":
            answers = [
                {"agent": r.agent, "accepted": r.accepted, "rejected": r.rejected} for r in rates
            ]
            self.stdout.write(
                json.dumps({"version": version, **asdict(evaluation), "answers": answers})
            )
        else:
            lines = report(project.slug, version, evaluation) + rates_report(rates)
            self.stdout.write("\n".join(lines))
