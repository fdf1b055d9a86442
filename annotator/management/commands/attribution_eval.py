"""``python manage.py attribution_eval [--set PATH] [--seeds DIR] [--misses] [--format
text|json]``: score the holders suggester on the hand-checked set built from the seed
texts (see ``annotator/suggestions/evaluation.py``). Loads natasha: run it from a shell,
not from the web process."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from annotator.suggestions import holders
from annotator.suggestions.evaluation import SetError, evaluate

DEFAULT_SET = Path(settings.BASE_DIR) / "tests" / "suggestions" / "data" / "attribution_set.json"
DEFAULT_SEEDS = Path(settings.BASE_DIR) / "seeds"


class Command(BaseCommand):
    help = "Precision/recall of holder detection and exact-holder accuracy on the seed set."

    def add_arguments(self, parser):
        parser.add_argument("--set", type=Path, default=DEFAULT_SET)
        parser.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS)
        parser.add_argument("--misses", action="store_true", help="List every error too.")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, **options):
        for path in (options["set"], options["seeds"]):
            if not path.exists():
                raise CommandError(f"Not found: {path}")
        try:
            scores = evaluate(options["set"], options["seeds"], holders.attribute)
        except SetError as exc:
            raise CommandError(str(exc)) from exc
        figures = {
            "agent_version": holders.AGENT_VERSION,
            "sentences": scores.sentences,
            "listed": scores.listed,
            "true_positive": scores.true_positive,
            "false_positive": scores.false_positive,
            "false_negative": scores.false_negative,
            "precision": round(scores.precision, 3),
            "recall": round(scores.recall, 3),
            "f1": round(scores.f1, 3),
            "exact_holder_accuracy": round(scores.exact_accuracy, 3),
            "kind_accuracy": round(scores.kind_accuracy, 3),
        }
        if options["format"] == "json":
            self.stdout.write(json.dumps(figures, ensure_ascii=False))
        else:
            self.stdout.write(
                f"holders {figures['agent_version']} on {scores.sentences} sentences "
                f"({scores.listed} in the hand-checked set)\n"
                f"detection (attributed or unclear): precision {scores.precision:.3f}, "
                f"recall {scores.recall:.3f}, F1 {scores.f1:.3f} "
                f"(TP {scores.true_positive}, FP {scores.false_positive}, "
                f"FN {scores.false_negative})\n"
                f"exact holder (of those found): {scores.exact_accuracy:.3f} "
                f"({scores.exact}/{scores.true_positive})\n"
                f"holder kind (of the set): {scores.kind_accuracy:.3f} "
                f"({scores.kind_right}/{scores.listed})"
            )
        if options["misses"]:
            for miss in scores.misses:
                self.stdout.write(f"  {miss}")
