"""Error pages keep the site's header, say why, and offer a way back; no favicon 404."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from annotator.models import Membership
from annotator.web import errors
from tests.support import factories

pytestmark = pytest.mark.django_db


def test_404_says_why_and_links_back(client):
    user = factories.UserFactory()
    client.force_login(user)
    response = client.get("/p/nowhere/", headers={"referer": "http://testserver/"})
    assert response.status_code == 404
    body = response.content.decode()
    assert '<a class="brand" href="/">Source-bias annotation</a>' in body
    assert "<h1>Page not found <small>HTTP 404</small></h1>" in body
    assert str(errors.NOT_FOUND_REASON) in body
    assert '<a href="http://testserver/">Back to the previous page</a>' in body
    assert f'<a href="{reverse("home")}">Your projects</a>' in body
    assert "No such project" not in body  # the lookup's own message stays in the log


def test_404_for_a_visitor_offers_to_log_in_and_no_foreign_back_link(client):
    response = client.get("/nowhere/", headers={"referer": "https://evil.example/"})
    body = response.content.decode()
    assert response.status_code == 404
    assert '<a href="/accounts/login/?next=/nowhere/">Log in</a>' in body
    assert "evil.example" not in body


def test_403_gives_the_checks_reason(client):
    membership = factories.MembershipFactory(role=Membership.Role.ANNOTATOR)
    client.force_login(membership.user)
    response = client.get(reverse("agreement", args=[membership.project.slug]))
    assert response.status_code == 403
    body = response.content.decode()
    assert "<h1>Not allowed <small>HTTP 403</small></h1>" in body
    assert "Only reviewers and managers of this project can see this page." in body
    assert "Log out" in body


def test_an_expired_form_gets_a_page_with_a_way_back(client):
    client = type(client)(enforce_csrf_checks=True)
    user = factories.UserFactory()
    client.force_login(user)
    response = client.post(reverse("logout"))
    assert response.status_code == 403
    body = response.content.decode()
    assert "<h1>The page has expired <small>HTTP 403</small></h1>" in body
    assert "Go back, reload the page and try again." in body


def test_500_page_needs_neither_the_database_nor_the_request(django_assert_num_queries):
    request = RequestFactory().get("/")
    with django_assert_num_queries(0):
        response = errors.server_error(request)
    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong on the server" in body
    assert '<a class="brand" href="/">Source-bias annotation</a>' in body
    assert 'href="/">Your projects</a>' in body


def test_favicon_is_served_and_linked(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.startswith(b"<svg")
    client.force_login(factories.UserFactory())
    body = client.get(reverse("home")).content.decode()
    assert '<link rel="icon" href="/static/annotator/favicon.svg" type="image/svg+xml">' in body
