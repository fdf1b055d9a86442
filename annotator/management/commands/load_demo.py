"""``manage.py load_demo``: the seed corpus in a ``demo`` project and three demo accounts.

For trying the tool on your own machine only: the accounts share a known password.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from annotator.accounts.services import managers_group_get_or_create
from annotator.datasets.imports.documents import import_paths
from annotator.datasets.imports.report import ImportFailed
from annotator.models import Membership, Project

DEMO_PASSWORD = "annotate"
DEMO_PROJECT = {
    "slug": "demo",
    "name": "Demo: Putin and Tokayev visits",
    "description": "The seed corpus: five Russian texts on Russia–Kazakhstan visits.",
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
