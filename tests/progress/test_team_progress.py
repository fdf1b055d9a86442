"""The team progress page and the project card's line: figures, who may see them, query counts."""

import datetime
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from annotator.models import Membership
from annotator.progress.selectors import project_lines, team_progress
from tests.support import factories
from tests.support.labelling import label_sentence, member

_serial = itertools.count()
REVIEWER = Membership.Role.REVIEWER
MANAGER = Membership.Role.MANAGER


def _document(project, source, title):
    """A three-sentence document of ``source`` in the project (texts differ by title)."""
    document = factories.DocumentFactory(
        source=source,
        title=title,
        text=f"Первое предложение. Второе предложение. Третье ({title}).",
    )
    factories.ProjectDocumentFactory(project=project, document=document)
    return document


def _team(project, annotators: int, documents: int):
    """``annotators`` annotators over ``documents`` documents in two sources: everyone labels
    sentence 0 of every document as fact, the first annotator also marks every one done."""
    sources = [factories.SourceFactory(name=f"Source {next(_serial)}") for _ in range(2)]
    docs = [_document(project, sources[i % 2], f"Doc {next(_serial)}") for i in range(documents)]
    users = [member(project, f"ann{next(_serial)}") for _ in range(annotators)]
    for document in docs:
        for user in users:
            label_sentence(project, document, 0, "fact", annotator=user)
        factories.DocumentProgressFactory(
            project=project, document=document, annotator=users[0], done_at=timezone.now()
        )
    return users, docs, sources


@pytest.fixture
def team(project):
    anna, boris, vera = (member(project, name) for name in ("anna", "boris", "vera"))
    tass, ria = factories.SourceFactory(name="TASS"), factories.SourceFactory(name="RIA")
    d1, d2, d3 = (
        _document(project, tass, "One"),
        _document(project, tass, "Two"),
        _document(project, ria, "Three"),
    )
    for document in (d1, d2, d3):
        factories.AssignmentFactory(project=project, document=document, annotator=anna)
    factories.AssignmentFactory(project=project, document=d1, annotator=boris)
    label_sentence(project, d1, 0, "fact", annotator=anna)
    label_sentence(project, d1, 1, "opinion", annotator=anna)
    label_sentence(project, d1, 0, "fact", annotator=boris)
    label_sentence(project, d1, 1, "opinion", annotator=boris)
    opened = timezone.now() + datetime.timedelta(hours=1)
    factories.DocumentProgressFactory(
        project=project, document=d1, annotator=anna, done_at=timezone.now()
    )
    # Opened, nothing labelled: started, not done.
    factories.DocumentProgressFactory(
        project=project, document=d3, annotator=anna, last_opened_at=opened
    )
    return {"anna": anna, "boris": boris, "vera": vera, "opened": opened, "docs": (d1, d2, d3)}


def test_team_progress_per_annotator(project, team):
    progress = team_progress(project)
    rows = {row.name: row for row in progress.annotators}
    assert list(rows) == ["anna", "boris", "vera"]
    anna, boris, vera = rows["anna"], rows["boris"], rows["vera"]
    assert (anna.assigned, anna.started, anna.done) == (3, 2, 1)
    assert (boris.assigned, boris.started, boris.done) == (1, 1, 0)
    assert (vera.assigned, vera.started, vera.done, vera.annotations) == (0, 0, 0, 0)
    titles = [title for _, title in progress.labels]
    assert titles == ["Fact", "Opinion", "Speculation"]
    assert anna.per_label == [1, 1, 0] and anna.annotations == 2
    assert anna.last_activity == team["opened"]
    assert vera.last_activity is None
    # Identical labels on the shared document: perfect agreement so far.
    assert anna.kappa == boris.kappa == 1.0
    assert vera.kappa is None
    assert progress.alpha_items == 3  # the three sentences of the one shared document


def test_team_progress_per_source(project, team):
    progress = team_progress(project)
    rows = {row.name: row for row in progress.sources}
    assert list(rows) == ["RIA", "TASS"]
    tass, ria = rows["TASS"], rows["RIA"]
    assert (tass.documents, tass.assigned, tass.started, tass.done) == (2, 2, 1, 1)
    assert (ria.documents, ria.assigned, ria.started, ria.done) == (1, 1, 1, 0)
    assert tass.per_label == [2, 2, 0]
    assert ria.per_label == [0, 0, 0] and ria.last_activity == team["opened"]


def test_without_assignments_every_annotator_has_every_document(project):
    users, docs, _ = _team(project, annotators=2, documents=3)
    rows = {row.name: row for row in team_progress(project).annotators}
    first, second = rows[users[0].username], rows[users[1].username]
    assert first.assigned == second.assigned == 3
    assert (first.started, first.done) == (3, 3)
    assert (second.started, second.done) == (3, 0)
    line = project_lines([project])[project.pk]
    assert (line.annotators, line.assigned, line.done, line.annotations) == (2, 6, 3, 6)


def test_progress_page_for_reviewers(project, team, client):
    client.force_login(member(project, "rita", REVIEWER))
    response = client.get(reverse("team_progress", args=[project.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<th scope="row">anna</th>' in html
    assert '<th scope="row">TASS</th>' in html
    assert "sentence-level alpha <strong>" in html
    assert 'style="' not in html  # the Content-Security-Policy forbids inline styles


def test_progress_page_refused_to_annotators_and_strangers(project, team, client):
    client.force_login(team["anna"])
    assert client.get(reverse("team_progress", args=[project.slug])).status_code == 403
    client.force_login(factories.UserFactory())
    assert client.get(reverse("team_progress", args=[project.slug])).status_code == 404


def test_progress_page_queries_do_not_grow_with_rows(project, client):
    manager = member(project, "mila", MANAGER)
    client.force_login(manager)
    url = reverse("team_progress", args=[project.slug])
    _team(project, annotators=2, documents=2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _team(project, annotators=4, documents=6)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small)


def test_home_card_line_for_reviewers_only(db, client):
    projects = [factories.ProjectFactory(name=f"P{i}") for i in range(2)]
    manager = factories.UserFactory(username="mila")
    annotator = factories.UserFactory(username="olga")
    for project in projects:
        factories.MembershipFactory(project=project, user=manager, role=MANAGER)
        _team(project, annotators=2, documents=2)
    factories.MembershipFactory(project=projects[0], user=annotator)
    client.force_login(manager)
    html = client.get(reverse("home")).content.decode()
    assert html.count('class="team-line"') == 2
    # Three annotators on P0 (two labelling, olga idle) × 2 documents; one did both.
    assert "2 of 6 done · 3 annotators · 4 annotations" in html
    assert "2 of 4 done · 2 annotators · 4 annotations" in html
    client.force_login(annotator)
    assert 'class="team-line"' not in client.get(reverse("home")).content.decode()


def test_home_queries_do_not_grow_with_projects(db, client):
    manager = factories.UserFactory(username="mila")
    client.force_login(manager)

    def add_project(i):
        project = factories.ProjectFactory(name=f"P{i}")
        factories.MembershipFactory(project=project, user=manager, role=MANAGER)
        _team(project, annotators=2, documents=2)

    add_project(0)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("home"))
    for i in range(1, 4):
        add_project(i)
    with CaptureQueriesContext(connection) as large:
        client.get(reverse("home"))
    assert len(large) == len(small)
