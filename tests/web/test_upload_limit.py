"""Requests over the size limits are refused with a clear 413 page; nothing is written."""

import re

import pytest
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory

from annotator.models import Annotation
from annotator.web.errors import bad_request
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
