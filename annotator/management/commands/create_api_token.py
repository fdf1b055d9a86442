"""``python manage.py create_api_token USERNAME [--name NAME]``: a new personal API token,
its key printed once (for scripts and deployments; users make theirs on the API tokens
page)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from annotator.accounts.tokens import TokenRejected, api_token_create


class Command(BaseCommand):
    help = "Make a personal API token for a user and print its key (shown only this once)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="command line", help="What will use the token.")

    def handle(self, *args, username: str, name: str, **options) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        if not user.is_active:
            raise CommandError(f"The user {username!r} is inactive: a token would be refused.")
        try:
            _, key = api_token_create(user=user, name=name)
        except TokenRejected as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(key)
