import os

# Playwright's event loop is already running when pytest-django sets up the
# test database; Django's async-safety check would refuse that.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import shutil  # noqa: E402

import pytest  # noqa: E402

from tests.support import factories  # noqa: E402

CHROMIUM = next(
    (p for p in ("/usr/lib/chromium/chromium", "/usr/bin/chromium") if shutil.which(p)), None
)


def pytest_configure(config):
    """Compile the message catalogues when a .po is newer than its .mo (``make install``
    does it too), so a bare ``pytest`` sees the Russian interface as it is written."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    catalogues = list((root / "locale").glob("*/LC_MESSAGES/*.po"))
    stale = [
        po
        for po in catalogues
        if not po.with_suffix(".mo").exists()
        or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime
    ]
    if stale:
        subprocess.run(
            [sys.executable, str(root / "scripts" / "compile_messages.py")],
            check=True,
            capture_output=True,
        )


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is not installed (apt-get install chromium)")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--disable-gpu",
            "--disable-quic",
            "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost",
        ],
    }


@pytest.fixture
def project(db):
    return factories.ProjectFactory()


@pytest.fixture
def annotator_user(project):
    return factories.MembershipFactory(project=project).user


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Tests create many users; the production hasher costs ~0.3 s per password."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def empty_layout_cache():
    """Documents of different tests can share an id (and a text): start each test cold."""
    from annotator.workspace.selectors import layouts

    layouts.clear()
    yield
    layouts.clear()


@pytest.fixture(autouse=True)
def language_reset():
    """A request in Russian leaves Russian active in the thread (LocaleMiddleware activates
    a language and nothing deactivates it): each test starts in the default language."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(scope="session", autouse=True)
def template_fragments_kept():
    """Tests run with the settings of development (DEBUG at import), where template
    fragments are not kept; the pages are tested with them kept, as in production."""
    from django.conf import settings
    from django.test.utils import override_settings

    caches = {
        **settings.CACHES,
        "template_fragments": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "template-fragments",
        },
    }
    with override_settings(CACHES=caches):
        yield


@pytest.fixture(autouse=True)
def empty_cache():
    """Rate limits, failed-key counts and template fragments live in caches: each test
    starts from none."""
    from django.core.cache import caches

    for cache in caches.all(initialized_only=False):
        cache.clear()
    yield
    for cache in caches.all(initialized_only=False):
        cache.clear()


@pytest.fixture(autouse=True)
def jobs_run_at_once():
    """Background jobs run at once, in the test's own transaction (the tests of the real
    database queue and worker put its backend back: tests/jobs/test_worker.py)."""
    from django.tasks import task_backends
    from django.tasks.backends.immediate import ImmediateBackend

    queue = task_backends["default"]
    task_backends["default"] = ImmediateBackend("default", {})
    yield
    task_backends["default"] = queue


@pytest.fixture(autouse=True)
def job_files(settings, tmp_path):
    """Jobs' inputs and files go to a folder of the test's own."""
    settings.JOB_FILES_DIR = tmp_path / "job-files"
    return settings.JOB_FILES_DIR


@pytest.fixture
def manager(db):
    """A campaign manager: staff, not superuser, in the "Campaign managers" group."""
    from annotator.accounts.services import managers_group_get_or_create

    user = factories.UserFactory(username="campaign-manager", is_staff=True)
    user.groups.add(managers_group_get_or_create())
    return user


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client
