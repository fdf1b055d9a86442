"""The holders suggester's libraries (natasha, slovnet, navec: ~300 MB once loaded) stay
out of the web process: a WSGI process that serves the main pages never imports them."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "project.settings"
from project.wsgi import application  # noqa: F401  (what gunicorn loads)
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
call_command("migrate", verbosity=0)
from tests.support import factories
from annotator.models import Membership
user = factories.UserFactory(is_staff=True, is_superuser=True)
project = factories.ProjectFactory()
Membership.objects.create(user=user, project=project, role=Membership.Role.MANAGER)
document = factories.DocumentFactory(text="Путин отметил, что всё хорошо.")
factories.ProjectDocumentFactory(project=project, document=document)
client = Client(HTTP_HOST="localhost")
client.force_login(user)
pages = [
    reverse("home"),
    reverse("project", args=[project.slug]),
    reverse("document", args=[project.slug, document.id]),
    reverse("sources"),
    reverse("agreement", args=[project.slug]),
    "/admin/",
]
for url in pages:
    status = client.get(url).status_code
    assert status == 200, (url, status)
print(sorted(m for m in sys.modules if m.split(".")[0] in {"natasha", "slovnet", "navec"}))
"""


def test_the_web_process_never_imports_natasha(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'web.sqlite3'}",
        "DJANGO_DEBUG": "1",
    }
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, cwd=ROOT, env=env
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"
