"""Several analysts saving at once: nothing is lost and nobody sees an error."""

import threading

import pytest
from django.db import connection, transaction

from annotator.models import Annotation, AnnotationEvent
from annotator.workspace.annotations import annotation_create, annotation_update
from tests.support import factories

THREADS = 8
SAVES_PER_THREAD = 12


@pytest.mark.django_db(transaction=True)
def test_eight_threads_writing_annotations_lose_nothing_and_raise_nothing():
    project = factories.ProjectFactory()
    document = factories.DocumentFactory(text="Токаев считает иначе. " * 20)
    factories.ProjectDocumentFactory(project=project, document=document)
    users = [factories.UserFactory() for _ in range(THREADS)]
    label_ids = list(project.labels.values_list("pk", flat=True))
    start_together = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def analyst(user):
        try:
            start_together.wait()
            for i in range(SAVES_PER_THREAD):
                annotation = annotation_create(
                    project=project,
                    document=document,
                    annotator=user,
                    label=project.labels.get(pk=label_ids[0]),
                    start=i,
                    end=i + 6,
                )
                # Read, then write, in one transaction: the pattern that deadlocks
                # SQLite writers unless the write lock is taken at BEGIN.
                with transaction.atomic():
                    fresh = Annotation.objects.get(pk=annotation.pk)
                    annotation_update(annotation=fresh, actor=user, note=f"{user.username} {i}")
        except BaseException as exc:  # noqa: BLE001 (reported by the main thread)
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=analyst, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert Annotation.objects.count() == THREADS * SAVES_PER_THREAD
    for user in users:
        notes = set(Annotation.objects.filter(annotator=user).values_list("note", flat=True))
        assert notes == {f"{user.username} {i}" for i in range(SAVES_PER_THREAD)}
    assert AnnotationEvent.objects.filter(action="create").count() == THREADS * SAVES_PER_THREAD
    assert AnnotationEvent.objects.filter(action="update").count() == THREADS * SAVES_PER_THREAD
