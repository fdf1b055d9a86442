"""Which name is which source: one rule for every importer."""

import pytest

from annotator.corpus.sources import SourceRejected, source_for_name, sources_by_name
from annotator.models import Source
from tests.support import factories

pytestmark = pytest.mark.django_db


def test_a_name_in_another_case_and_spacing_is_the_same_source():
    tass = factories.SourceFactory(name="Новости ТАСС")
    assert source_for_name("  новости   тасс ") == (tass, False)
    assert Source.objects.count() == 1


def test_a_new_name_is_created_once_per_batch(django_assert_num_queries):
    known = sources_by_name()
    source, created = source_for_name(" Новый  канал ", known=known, kind="telegram")
    assert created and (source.name, source.kind) == ("Новый канал", "telegram")
    with django_assert_num_queries(0):
        assert source_for_name("НОВЫЙ КАНАЛ", known=known) == (source, False)


def test_an_invalid_new_source_is_refused_and_not_created():
    with pytest.raises(SourceRejected) as excinfo:
        source_for_name("Газета", kind="газета")
    assert str(excinfo.value) == "kind: Value 'газета' is not a valid choice."
    assert not Source.objects.exists()
