"""Every changelist answers in a fixed number of queries with 200 rows present."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotator.models import (
    Annotation,
    AnnotationEvent,
    Assignment,
    Document,
    DocumentProgress,
    GoldAnnotation,
    Label,
    Membership,
    Project,
    ProjectDocument,
    Sentence,
    Source,
    text_sha256,
)
from tests.support import factories

pytestmark = pytest.mark.django_db

ROWS = 200


@pytest.fixture
def campaign(manager):
    """ROWS rows in every table, written in bulk."""
    users = get_user_model().objects.bulk_create(
        [get_user_model()(username=f"reader{i}") for i in range(ROWS)]
    )
    sources = Source.objects.bulk_create([Source(name=f"Outlet {i}") for i in range(ROWS)])
    texts = [f"{factories.SAMPLE_TEXT} Номер {i}." for i in range(ROWS)]
    documents = Document.objects.bulk_create(
        [
            Document(source=sources[i], title=f"Text {i}", text=text, text_sha256=text_sha256(text))
            for i, text in enumerate(texts)
        ]
    )
    Sentence.objects.bulk_create([Sentence(document=d, index=0, start=0, end=6) for d in documents])
    projects = Project.objects.bulk_create(
        [Project(name=f"Campaign {i}", slug=f"campaign-{i}") for i in range(ROWS)]
    )
    labels = Label.objects.bulk_create(
        [Label(project=p, name="fact", title="Fact", hotkey="1") for p in projects]
    )
    rows = list(zip(projects, documents, users, labels, strict=True))
    ProjectDocument.objects.bulk_create(
        [ProjectDocument(project=p, document=d) for p, d, *_ in rows]
    )
    Membership.objects.bulk_create([Membership(project=p, user=u) for p, _, u, _ in rows])
    Assignment.objects.bulk_create(
        [Assignment(project=p, document=d, annotator=u) for p, d, u, _ in rows]
    )
    DocumentProgress.objects.bulk_create(
        [DocumentProgress(project=p, document=d, annotator=u) for p, d, u, _ in rows]
    )
    span = {"start": 0, "end": 6, "quote": factories.SAMPLE_TEXT[:6]}
    annotations = Annotation.objects.bulk_create(
        [Annotation(project=p, document=d, annotator=u, label=lb, **span) for p, d, u, lb in rows]
    )
    GoldAnnotation.objects.bulk_create(
        [
            GoldAnnotation(project=p, document=d, reviewer=u, label=lb, **span)
            for p, d, u, lb in rows
        ]
    )
    AnnotationEvent.objects.bulk_create(
        [
            AnnotationEvent(
                annotation_id=a.pk,
                project=a.project,
                document=a.document,
                actor=a.annotator,
                action="create",
                after={"label": "fact", "start": 0, "end": 6, "quote": "Завтра"},
            )
            for a in annotations
        ]
    )


# Each changelist: session, user and the manager's permissions (4), the row count (one
# more for the unfiltered total where it is shown), the rows with their counts, one query
# per list filter that lists choices and two for the date hierarchy.
CHANGELISTS = {
    "annotator_source": 11,
    "annotator_document": 12,
    "annotator_sentence": 6,
    "annotator_project": 9,
    "annotator_projectdocument": 10,
    "annotator_membership": 10,
    "annotator_label": 8,
    "annotator_assignment": 11,
    "annotator_documentprogress": 10,
    "annotator_annotation": 12,
    "annotator_goldannotation": 12,
    "annotator_annotationevent": 10,
    "auth_user": 8,
}


def test_changelist_query_counts_are_fixed(manager_client, campaign):
    """One test for all changelists: the 200-row campaign is built once."""
    counted, with_texts = {}, []
    for name in CHANGELISTS:
        with CaptureQueriesContext(connection) as queries:
            response = manager_client.get(reverse(f"admin:{name}_changelist"))
        assert response.status_code == 200, name
        assert len(response.context["cl"].result_list) == 100, name
        counted[name] = len(queries)
        if any('"annotator_document"."text"' in query["sql"] for query in queries):
            with_texts.append(name)
    assert counted == CHANGELISTS
    # Lists name documents by title; only sentences cut their own text out, in the query.
    assert with_texts == ["annotator_sentence"]


def test_sentences_list_shows_each_sentence_by_code_points(manager_client):
    document = factories.DocumentFactory(text="Смайл 😀 тут. Второе 👍🏽 предложение.")
    response = manager_client.get(
        reverse("admin:annotator_sentence_changelist"), {"document__id__exact": document.pk}
    )
    assert [s.sentence_text for s in response.context["cl"].result_list] == [
        "Смайл 😀 тут.",
        "Второе 👍🏽 предложение.",
    ]
