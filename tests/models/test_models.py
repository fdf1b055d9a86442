import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from annotator.models import (
    Annotation,
    FrozenTextError,
    Label,
    Sentence,
    SpanValidationError,
    check_span,
    text_sha256,
)
from tests.support import factories

pytestmark = pytest.mark.django_db


def test_new_project_gets_fact_opinion_speculation_with_hotkeys():
    project = factories.ProjectFactory()
    labels = list(Label.objects.filter(project=project).values_list("name", "hotkey"))
    assert labels == [("fact", "1"), ("opinion", "2"), ("speculation", "3")]
    assert all(label.description for label in project.labels.all())


def test_document_stores_sha_and_sentences():
    document = factories.DocumentFactory(text="Первое предложение. Второе!\nТретье?")
    assert document.text_sha256 == text_sha256(document.text)
    sentences = [document.text[s.start : s.end] for s in document.sentences.all()]
    assert sentences == ["Первое предложение.", "Второе!", "Третье?"]


def test_sentence_offsets_are_code_points_after_emoji():
    document = factories.DocumentFactory(text="Смайл 😀 тут. Второе.")
    second = document.sentences.get(index=1)
    assert document.text[second.start : second.end] == "Второе."


def test_text_can_change_before_annotations_and_sentences_follow():
    document = factories.DocumentFactory(text="Одно.")
    document.text = "Одно. Два."
    document.save()
    assert Sentence.objects.filter(document=document).count() == 2


def test_text_is_frozen_once_annotated():
    annotation = factories.AnnotationFactory()
    document = annotation.document
    document.text = document.text + " ещё"
    with pytest.raises(FrozenTextError):
        document.save()
    document.refresh_from_db()
    assert not document.text.endswith(" ещё")


def test_metadata_can_change_after_annotation():
    annotation = factories.AnnotationFactory()
    document = annotation.document
    document.title = "New title"
    document.save()
    document.refresh_from_db()
    assert document.title == "New title"


@pytest.mark.parametrize(
    ("start", "end", "quote", "message"),
    [
        (-1, 3, None, "outside the text"),
        (0, 999, None, "outside the text"),
        (3, 3, None, "empty"),
        (4, 2, None, "empty"),
        (0, 3, "xyz", "does not match"),
    ],
)
def test_check_span_rejects_bad_offsets(start, end, quote, message):
    with pytest.raises(SpanValidationError, match=message):
        check_span("Путин 😀 и Токаев", start, end, quote)


def test_check_span_counts_code_points():
    text = "😀 Токаев"
    check_span(text, 2, 8, "Токаев")


def test_annotation_save_checks_quote():
    document = factories.DocumentFactory()
    project = factories.ProjectFactory()
    with pytest.raises(ValidationError):
        factories.AnnotationFactory(project=project, document=document, quote="не то")
    assert Annotation.objects.count() == 0


def test_database_refuses_exact_duplicate():
    annotation = factories.AnnotationFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Annotation.objects.create(
            project=annotation.project,
            document=annotation.document,
            annotator=annotation.annotator,
            label=annotation.label,
            start=annotation.start,
            end=annotation.end,
            quote=annotation.quote,
        )


def test_database_refuses_start_not_before_end():
    annotation = factories.AnnotationFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Annotation.objects.filter(pk=annotation.pk).update(end=annotation.start)


def test_label_from_other_project_is_rejected_by_clean():
    annotation = factories.AnnotationFactory.build(
        project=factories.ProjectFactory(),
        document=factories.DocumentFactory(),
        annotator=factories.UserFactory(),
    )
    annotation.label = factories.project_label(factories.ProjectFactory())
    with pytest.raises(ValidationError, match="another project"):
        annotation.full_clean()


def test_duplicate_hotkey_is_rejected_by_clean():
    project = factories.ProjectFactory()
    label = Label(project=project, name="rumour", title="Rumour", hotkey="1", color="#123456")
    with pytest.raises(ValidationError, match="already used"):
        label.full_clean()


@pytest.mark.parametrize("colour", ["red", "#12345g", "#12345", "123456", "#fff"])
def test_a_label_colour_other_than_rrggbb_is_refused_by_the_field(colour):
    label = Label(project=factories.ProjectFactory(), name="rumour", title="Rumour", color=colour)
    with pytest.raises(ValidationError) as refused:
        label.clean_fields()
    assert refused.value.message_dict == {"color": ["Use a colour like #1565c0."]}


def test_deleting_a_project_deletes_its_labels_and_annotations():
    annotation = factories.AnnotationFactory()
    annotation.project.delete()
    assert not Annotation.objects.exists()
    assert not Label.objects.filter(project_id=annotation.project_id).exists()


def test_a_label_in_use_cannot_be_deleted_alone():
    from django.db.models import RestrictedError

    annotation = factories.AnnotationFactory()
    with pytest.raises(RestrictedError):
        annotation.label.delete()
    assert Annotation.objects.filter(pk=annotation.pk).exists()


def test_document_created_with_an_explicit_id_gets_its_sentences():
    document = factories.DocumentFactory(id=4242, text="Первое. Второе.")
    assert list(document.sentences.values_list("start", "end")) == [(0, 7), (8, 15)]
