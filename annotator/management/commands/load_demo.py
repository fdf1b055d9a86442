"""``manage.py load_demo``: the seed corpus in a ``demo`` project, three demo accounts, and
the story that groups the seed texts (five outlets on the same visits).

For trying the tool on your own machine only: the accounts share a known password.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import Q

from annotator.accounts.services import managers_group_get_or_create
from annotator.datasets.imports.documents import import_paths
from annotator.datasets.imports.report import ImportFailed
from annotator.models import Document, Membership, Project, Story

# The side-by-side benchmark's setup (../shared/anchors/start_ours.sh) imports
# ``managers_group`` from here: the name stays, and is the accounts service itself.
managers_group = managers_group_get_or_create

DEMO_PASSWORD = "annotate"
DEMO_PROJECT = {
    "slug": "demo",
    "name": "Demo: Putin and Tokayev visits",
    "description": "The seed corpus: five Russian texts on Russia–Kazakhstan visits.",
    # The analysts are Russian speakers: the default labels are titled and defined in Russian.
    "language": "ru",
}
DEMO_STORY = {
    "name": "Визиты Путина и Токаева",
    "description": "Five outlets on the Russia–Kazakhstan visits of Vladimir Putin and "
    "Kassym-Jomart Tokayev: the seed corpus, to compare the outlets side by side.",
}
ACCOUNTS = [
    ("manager", Membership.Role.MANAGER),
    ("analyst1", Membership.Role.ANNOTATOR),
    ("analyst2", Membership.Role.ANNOTATOR),
]
REFUSAL = (
    "load_demo creates accounts with a shared, published password: it refuses to run "
    "with DEBUG off. Pass --force to run it anyway."
)


class Command(BaseCommand):
    help = (
        "Import seeds/ into the 'demo' project and create the demo accounts manager, "
        "analyst1 and analyst2 (password 'annotate'). For local trial only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="Run even when DEBUG is off.")

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(REFUSAL)
        try:
            with transaction.atomic():
                project = self.create_project_and_accounts()
                report = import_paths([settings.BASE_DIR / "seeds"], project=project)
                self.create_story(project)
        except ImportFailed as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Seed corpus: {report.summary()}")
        self.stdout.write(
            self.style.SUCCESS(
                "Demo ready: log in as manager, analyst1 or analyst2 "
                f"(password '{DEMO_PASSWORD}'); for local trial only."
            )
        )

    def create_project_and_accounts(self) -> Project:
        project, _ = Project.objects.get_or_create(
            slug=DEMO_PROJECT["slug"],
            defaults={k: v for k, v in DEMO_PROJECT.items() if k != "slug"},
        )
        group = managers_group_get_or_create()
        users = get_user_model().objects
        for username, role in ACCOUNTS:
            user, created = users.get_or_create(username=username)
            if created:
                user.set_password(DEMO_PASSWORD)
                user.is_staff = role == Membership.Role.MANAGER
                user.save()
                self.stdout.write(f"Created the account {username}")
            if role == Membership.Role.MANAGER:
                user.groups.add(group)
            Membership.objects.get_or_create(project=project, user=user, defaults={"role": role})
        return project

    def create_story(self, project: Project) -> None:
        """The seed texts (as imported from seeds/ into the demo project) as one story."""
        seeds = [path.name for path in (settings.BASE_DIR / "seeds").glob("*.txt")]
        imported = Q(pk__in=[])
        for name in seeds:
            imported |= Q(imported_from__endswith=f"/{name}")
        documents = Document.objects.filter(imported, project_documents__project=project)
        story, _ = Story.objects.get_or_create(
            name=DEMO_STORY["name"], defaults={"description": DEMO_STORY["description"]}
        )
        story.documents.add(*documents)
