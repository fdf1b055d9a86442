"""Requests over the size limits are refused with a clear 413 page; nothing is written.

Only staff may send more than a small form, and only their uploads touch the disk.
"""

import re
import tempfile
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.files import temp as django_temp
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import RequestFactory

from annotator.models import Annotation
from annotator.web.errors import bad_request
from annotator.web.middleware import UploadSizeLimitMiddleware
from annotator.workspace.annotations import annotation_delete
from tests.support import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def deleted(project):
    manager = factories.MembershipFactory(project=project, role="manager").user
    annotation = factories.AnnotationFactory(project=project)
    annotation_delete(annotation=annotation, actor=manager)
    event = project.annotation_events.get(action="delete")
    return manager, f"/p/{project.slug}/history/{event.pk}/restore/"


def test_an_upload_over_the_import_limit_is_refused_unread(client, settings, deleted):
    settings.IMPORT_UPLOAD_MAX_BYTES = 2048
    manager, restore_url = deleted
    client.force_login(manager)
    upload = SimpleUploadedFile("corpus.jsonl", b"x" * 5000)
    response = client.post(restore_url, {"file": upload})
    assert response.status_code == 413
    page = response.content.decode()
    assert "Upload too large" in page
    assert re.search(
        r"The upload is 5\.\d\xa0KB; the limit is 2\.0\xa0KB\. Nothing was saved\.", page
    )
    assert not Annotation.objects.exists()


def test_form_fields_over_the_memory_limit_are_refused(client, settings, deleted):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    manager, restore_url = deleted
    client.force_login(manager)
    response = client.post(restore_url, {"note": "примечание " * 200})
    assert response.status_code == 413
    assert (
        "The form data is larger than the limit of 1000\xa0bytes. Nothing was saved."
        in response.content.decode()
    )
    assert not Annotation.objects.exists()


def test_requests_under_the_limits_go_through(client, settings, deleted):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    manager, restore_url = deleted
    client.force_login(manager)
    response = client.post(restore_url, {"note": "коротко"})
    assert response.status_code == 302
    assert Annotation.objects.count() == 1


def test_a_body_too_big_for_a_view_is_a_413_not_a_400(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    request = RequestFactory().post("/x", data=b"{}", content_type="application/json")
    request.user = factories.UserFactory.build()
    assert bad_request(request, RequestDataTooBig("too big")).status_code == 413
    assert bad_request(request, SuspiciousOperation("odd")).status_code == 400


# Bodies of anyone but staff: small, read only after the size is known, never on disk.


def guarded(request) -> tuple:
    """The middleware's answer to ``request``, and whether it read the body."""
    views = []
    response = UploadSizeLimitMiddleware(lambda r: views.append(r) or HttpResponse("view"))(request)
    return response, request.environ["wsgi.input"].read_started, bool(views)


@pytest.mark.parametrize("who", ["anonymous", "analyst"])
@pytest.mark.parametrize("content_type", ["multipart", "application/x-www-form-urlencoded"])
def test_a_body_over_the_form_limit_from_anyone_but_staff_is_refused_unread(
    settings, who, content_type
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    factory = RequestFactory()
    if content_type == "multipart":
        upload = SimpleUploadedFile("corpus.jsonl", b"x" * 5000)
        request = factory.post("/accounts/login/", {"file": upload})
    else:
        request = factory.post("/accounts/login/", "note=" + "x" * 5000, content_type)
    request.user = AnonymousUser() if who == "anonymous" else factories.UserFactory()
    response, read, viewed = guarded(request)
    assert response.status_code == 413
    assert "The form data is larger than the limit of 1000\xa0bytes" in response.content.decode()
    assert not read
    assert not viewed


def test_a_small_form_from_an_analyst_goes_through(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    request = RequestFactory().post("/p/x/d/1/annotations/", {"label": "1", "note": "коротко"})
    request.user = factories.UserFactory()
    response, read, viewed = guarded(request)
    assert (response.content, read, viewed) == (b"view", True, True)
    assert request.POST["note"] == "коротко"


@pytest.fixture
def temp_files(monkeypatch):
    """The folders Django's upload handlers make temporary files in."""
    folders = []
    make = django_temp.NamedTemporaryFile

    def recording(*args, **kwargs):
        folders.append(kwargs.get("dir"))
        return make(*args, **kwargs)

    monkeypatch.setattr(django_temp, "NamedTemporaryFile", recording)
    return folders


def test_staff_uploads_spool_into_the_apps_own_folder(settings, tmp_path, temp_files):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1000
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "data" / "uploads")  # not there yet
    upload = SimpleUploadedFile("corpus.jsonl", b'{"text": "x"}\n' * 500)
    request = RequestFactory().post("/admin/annotator/document/import/", {"upload": upload})
    request.user = factories.UserFactory(is_staff=True)
    response, read, viewed = guarded(request)
    assert viewed
    assert (
        request.FILES["upload"]
        .temporary_file_path()
        .startswith(settings.FILE_UPLOAD_TEMP_DIR + "/")
    )
    assert temp_files == [settings.FILE_UPLOAD_TEMP_DIR]
    assert (tmp_path / "data" / "uploads").stat().st_mode & 0o777 == 0o700


def test_files_from_anyone_but_staff_stay_in_memory(settings, tmp_path, temp_files):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 100
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "uploads")
    upload = SimpleUploadedFile("corpus.jsonl", b"x" * 5000)
    request = RequestFactory().post("/admin/annotator/document/import/", {"upload": upload})
    request.user = AnonymousUser()
    response, read, viewed = guarded(request)
    assert viewed  # the admin then sends it to its login page
    assert "upload" not in request.FILES
    assert temp_files == []
    assert not (tmp_path / "uploads").exists()


def test_the_default_upload_folder_is_in_the_data_folder():
    assert Path(django_settings.FILE_UPLOAD_TEMP_DIR) == django_settings.DATA_DIR / "uploads"
    assert not Path(django_settings.FILE_UPLOAD_TEMP_DIR).is_relative_to(tempfile.gettempdir())
