"""Whose voice a source's spans are in: shares by holder kind, vague holders,
distancing markers and who is quoted, on the Sources pages and in ``profiles`` JSON
(hand-worked numbers)."""

import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from annotator.reports.profiles import ProfileFilter, label_infos
from annotator.reports.voices import source_voices
from tests.support import factories
from tests.support.labelling import member

pytestmark = pytest.mark.django_db

TASS_TEXT = (
    "Токаев считает, что нужен консорциум. Эксперты якобы против. "
    "Мы полагаем иначе. Визит состоялся."
)
RIA_TEXT = "Путин отметил, что всё хорошо. Так называемые санкции не работают."


def span(project, document, phrase, label, *, gold=False, annotator=None, **holder):
    start = document.text.index(phrase)
    values = {
        "project": project,
        "document": document,
        "label": project.labels.get(name=label),
        "start": start,
        "end": start + len(phrase),
        "quote": phrase,
        **holder,
    }
    if gold:
        return factories.GoldAnnotationFactory(**values)
    return factories.AnnotationFactory(annotator=annotator, **values)


@pytest.fixture
def corpus(project):
    anna = member(project, "anna")
    tass = factories.SourceFactory(name="TASS")
    ria = factories.SourceFactory(name="RIA")
    first = factories.DocumentFactory(source=tass, text=TASS_TEXT)
    second = factories.DocumentFactory(source=ria, text=RIA_TEXT)
    for document in (first, second):
        factories.ProjectDocumentFactory(project=project, document=document)
    # TASS, no gold: anna's four spans, three with a non-neutral label.
    span(project, first, "нужен консорциум", "opinion", annotator=anna,
         holder_kind="attributed", holder="Касым-Жомарт Токаев")  # fmt: skip
    span(project, first, "Эксперты якобы против", "speculation", annotator=anna,
         holder_kind="unclear", holder="эксперты")  # fmt: skip
    span(project, first, "Мы полагаем иначе", "opinion", annotator=anna)
    span(project, first, "Визит состоялся", "fact", annotator=anna)
    # RIA has gold: anna's span there is not counted.
    span(project, second, "всё хорошо", "opinion", gold=True,
         holder_kind="attributed", holder="Владимир Путин")  # fmt: skip
    span(project, second, "санкции не работают", "opinion", annotator=anna)
    return tass, ria


def test_voice_shares_vague_holders_distancing_and_who_is_quoted(project, corpus):
    tass, ria = corpus
    voices = source_voices(ProfileFilter(project=project), label_infos(project))
    tass_voice = voices[tass.pk].figures()
    assert tass_voice["voice"] == {"author": 0.3333, "attributed": 0.3333, "unclear": 0.3333}
    assert tass_voice["voice_spans"] == 3
    assert tass_voice["voice_by_label"]["fact"] == {
        "author": 1.0, "attributed": 0.0, "unclear": 0.0, "spans": 1,
    }  # fmt: skip
    assert tass_voice["vague_holder_share"] == 0.5  # 1 unclear of 2 not the author's
    assert (tass_voice["distancing_share"], tass_voice["distancing_sentences"]) == (0.25, 1)
    assert tass_voice["quoted"] == [
        {"holder": "Касым-Жомарт Токаев", "holder_kind": "attributed", "spans": 1,
         "labels": {"opinion": 1}},
        {"holder": "эксперты", "holder_kind": "unclear", "spans": 1,
         "labels": {"speculation": 1}},
    ]  # fmt: skip
    ria_voice = voices[ria.pk].figures()
    assert ria_voice["voice"] == {"author": 0.0, "attributed": 1.0, "unclear": 0.0}
    assert ria_voice["vague_holder_share"] == 0.0
    assert ria_voice["distancing_share"] == 0.5  # «Так называемые» in 1 of 2 sentences


def test_profiles_json_gains_the_voice_keys(project, corpus):
    out = io.StringIO()
    call_command("profiles", "--project", project.slug, "--format", "json", stdout=out)
    sources = {s["source"]: s for s in json.loads(out.getvalue())["sources"]}
    assert sources["RIA"]["voice"]["attributed"] == 1.0
    assert sources["RIA"]["quoted"][0]["holder"] == "Владимир Путин"
    assert sources["TASS"]["shares"]  # the existing keys stay
    assert sources["TASS"]["vague_holder_share"] == 0.5


def test_the_sources_pages_show_voice_and_who_is_quoted(client, project, corpus):
    tass, _ = corpus
    reviewer = factories.MembershipFactory(project=project, role="reviewer").user
    client.force_login(reviewer)
    body = client.get(reverse("sources"), {"project": project.slug}).content.decode()
    assert "Whose voice" in body
    row = '<th scope="row">TASS</th> <td>3</td> <td>33.3%</td> <td>33.3%</td> <td>33.3%</td>'
    assert row in " ".join(body.split())
    body = client.get(reverse("source", args=[tass.pk]), {"project": project.slug})
    body = body.content.decode()
    assert "Who is quoted" in body and "Касым-Жомарт Токаев" in body and "speculation 1" in body


def test_voices_are_cached_per_source_until_one_of_its_spans_changes(project, corpus, monkeypatch):
    from annotator.models import Annotation
    from annotator.reports import voices as module
    from annotator.workspace.annotations import annotation_update

    tass, ria = corpus
    counted: list[list[int] | None] = []
    count = module._count_voices

    def recorded(f, labels, source_ids):
        counted.append(source_ids)
        return count(f, labels, source_ids)

    monkeypatch.setattr(module, "_count_voices", recorded)
    f, labels = ProfileFilter(project=project), label_infos(project)
    first = {pk: v.figures() for pk, v in source_voices(f, labels).items()}
    again = {pk: v.figures() for pk, v in source_voices(f, labels).items()}
    assert again == first and counted == [None]  # every source once, then the cache

    own = Annotation.objects.get(document__source=tass, holder="эксперты")
    annotation_update(
        annotation=own,
        actor=own.annotator,
        holder={"holder_kind": "attributed", "holder": "Эксперты ВШЭ"},
    )
    after = source_voices(f, labels)
    assert counted[-1] == [tass.pk]  # only the changed source is counted again
    assert after[tass.pk].figures()["vague_holder_share"] == 0.0
    assert [q["holder"] for q in after[tass.pk].figures()["quoted"]] == [
        "Касым-Жомарт Токаев",
        "Эксперты ВШЭ",
    ]
    assert after[ria.pk].figures() == first[ria.pk]


def test_distancing_is_counted_the_same_when_texts_come_in_runs(project, corpus, monkeypatch):
    from annotator.reports import voices as module

    f, labels = ProfileFilter(project=project), label_infos(project)
    whole = {pk: v.figures() for pk, v in module._count_voices(f, labels, None).items()}
    monkeypatch.setattr(module, "TEXTS_AT_ONCE", 1)  # each marked text a run of its own
    in_runs = {pk: v.figures() for pk, v in module._count_voices(f, labels, None).items()}
    assert in_runs == whole
    assert [whole[s.pk]["distancing_sentences"] for s in corpus] == [1, 1]
