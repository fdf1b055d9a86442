"""``python manage.py profiles --project SLUG [--story NAME] [--format table|json]``.

The figures of the Sources page, for scripts and for checking: each source's shares by
sentences and by characters with their 95% intervals (a bootstrap over its documents),
the documents and sentences they rest on, and the basis (gold, annotators, mixed); in
JSON also whose voice its labelled spans are in, its vague holders and distancing
markers, and who it quotes (``annotator.reports.voices``).
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from annotator.models import Project, Story
from annotator.reports.figures import profiles_json
from annotator.reports.profiles import ProfileFilter, label_infos, source_profiles
from annotator.reports.shares import LabelInfo, Profile, Share
from annotator.templatetags.report_tags import interval_or_reason, pct


def cell(share: Share) -> str:
    if not share.counted:
        return "—"
    return f"{pct(share.value)} ({interval_or_reason(share)})"


def profiles_table(title: str, profiles: list[Profile], labels: list[LabelInfo]) -> str:
    lines = [title, ""]
    for heading, measure in (("By sentences", "by_sentences"), ("By characters", "by_chars")):
        header = ["source", "documents", "sentences", "basis", *(label.title for label in labels)]
        rows = [
            [
                profile.name,
                f"{profile.annotated_documents}/{profile.documents}",
                str(profile.counts.labelled_sentences),
                profile.basis,
                *(cell(share) for share in getattr(profile, measure)),
            ]
            for profile in profiles
        ]
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
        lines.append(heading)
        for row in [header, *rows]:
            lines.append("  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
        if not rows:
            lines.append("  (no sources)")
        lines.append("")
    lines.append(
        "documents: labelled/all; sentences: those with a label (annotators' ties left out); "
        "intervals: 95%, from a bootstrap over each source's documents."
    )
    return "\n".join(lines)


class Command(BaseCommand):
    help = (
        "Source profiles of a project (the Sources page's figures): each source's shares "
        "by sentences and by characters, with 95% intervals over its documents."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--project", required=True, metavar="SLUG")
        parser.add_argument("--story", metavar="NAME", help="only the documents of this story")
        parser.add_argument("--format", choices=["table", "json"], default="table")

    def handle(self, *args, project: str, story: str | None, format: str, **options) -> None:
        found = Project.objects.filter(slug=project).first()
        if found is None:
            raise CommandError(f"No project with the slug {project!r}.")
        chosen = None
        if story is not None:
            chosen = Story.objects.filter(name=story).first()
            if chosen is None:
                raise CommandError(f"No story named {story!r}.")
        profile_filter = ProfileFilter(project=found, story_id=chosen.pk if chosen else None)
        if format == "json":
            data = profiles_json(profile_filter, chosen.name if chosen else None)
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
        else:
            labels = label_infos(found)
            profiles = source_profiles(profile_filter, labels)
            title = f"Source profiles in project {found.slug}"
            if chosen:
                title += f", story «{chosen.name}»"
            self.stdout.write(profiles_table(title, profiles, labels))
