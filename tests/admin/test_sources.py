import pytest
from django.urls import reverse

from annotator.corpus.sources import SourceMergeRejected, source_merge
from annotator.models import Document, Source
from tests.support import factories

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:annotator_source_changelist")


@pytest.fixture
def twins():
    kept = factories.SourceFactory(name="Lenta.ru", url="", kind=Source.Kind.OTHER)
    twin = factories.SourceFactory(
        name="Лента", url="https://lenta.ru", country="RU", description="Старое имя."
    )
    factories.DocumentFactory.create_batch(2, source=kept)
    annotated = factories.DocumentFactory(source=twin)
    factories.AnnotationFactory(document=annotated)
    return kept, twin


def test_merge_moves_documents_and_keeps_metadata(twins):
    kept, twin = twins
    documents = set(Document.objects.values_list("pk", flat=True))
    assert source_merge(into=kept, others=[twin]) == 1
    assert not Source.objects.filter(pk=twin.pk).exists()
    assert set(kept.documents.values_list("pk", flat=True)) == documents
    kept.refresh_from_db()
    assert (kept.url, kept.country, kept.kind) == ("https://lenta.ru", "RU", "news_site")
    assert kept.description == "Merged from «Лента» (https://lenta.ru): Старое имя."


def test_merge_into_itself_is_refused(twins):
    kept, _ = twins
    with pytest.raises(SourceMergeRejected) as excinfo:
        source_merge(into=kept, others=[kept])
    assert str(excinfo.value) == "Choose at least one other source to merge into «Lenta.ru»."


def action(ids, **extra):
    return {"action": "merge_sources", "_selected_action": [str(pk) for pk in ids], **extra}


def test_merge_action_asks_which_source_to_keep_then_merges(manager_client, twins):
    kept, twin = twins
    page = manager_client.post(CHANGELIST, action([kept.pk, twin.pk], index="0"))
    assert page.status_code == 200
    content = page.content.decode()
    assert "Lenta.ru (2 documents)" in content
    assert "Лента (1 document)" in content
    assert Source.objects.count() == 2  # the confirmation page writes nothing

    done = manager_client.post(
        CHANGELIST, action([kept.pk, twin.pk], apply="Merge", into=str(kept.pk)), follow=True
    )
    assert "Merged «Лента» into «Lenta.ru»: 1 document moved." in done.content.decode()
    assert list(Source.objects.all()) == [kept]
    assert kept.documents.count() == 3


def test_merge_action_needs_two_sources(manager_client, twins):
    kept, _ = twins
    response = manager_client.post(CHANGELIST, action([kept.pk], index="0"), follow=True)
    assert "Select at least two sources to merge." in response.content.decode()


def test_merge_action_without_a_choice_shows_the_error_and_writes_nothing(manager_client, twins):
    kept, twin = twins
    response = manager_client.post(CHANGELIST, action([kept.pk, twin.pk], apply="Merge"))
    assert response.context["form"].errors == {"into": ["This field is required."]}
    assert Source.objects.count() == 2


def test_changelist_counts_documents_and_annotations(manager_client, twins):
    kept, twin = twins
    response = manager_client.get(CHANGELIST)
    rows = {
        s.name: (s.document_count, s.annotation_count) for s in response.context["cl"].result_list
    }
    assert rows == {"Lenta.ru": (2, 0), "Лента": (1, 1)}


def test_source_page_shows_documents_and_annotation_totals(manager_client, twins):
    _, twin = twins
    response = manager_client.get(reverse("admin:annotator_source_change", args=[twin.pk]))
    content = response.content.decode()
    documents = reverse("admin:annotator_document_changelist") + f"?source__id__exact={twin.pk}"
    assert f'<a href="{documents}">1 document</a>' in content
    annotations = reverse("admin:annotator_annotation_changelist")
    assert (
        f'1 in all: <a href="{annotations}?document__source__id__exact={twin.pk}&amp;label=fact">'
        "fact</a> 1"
    ) in content
