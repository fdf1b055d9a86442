"""Source profile aggregates: shares, intervals, the gold-or-annotators basis, filters."""

import datetime
import io
from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from annotator.corpus.sources import source_merge
from annotator.models import (
    Annotation,
    DocumentTally,
    GoldAnnotation,
    PassageVote,
    ProjectDocument,
    Sentence,
)
from annotator.reports.charts import profile_chart
from annotator.reports.profiles import (
    LabelInfo,
    ProfileFilter,
    Tally,
    basis_of,
    shares,
    source_detail,
    source_profiles,
    wilson_interval,
)
from annotator.reports.tallies import tallies_invalidate
from tests.support import factories
from tests.support.labelling import label_sentence

FACT, OPINION, SPECULATION = (
    LabelInfo(1, "fact", "Fact", "#2e7d32", neutral=True),
    LabelInfo(2, "opinion", "Opinion", "#1565c0"),
    LabelInfo(3, "speculation", "Speculation", "#c62828"),
)
LABELS = [FACT, OPINION, SPECULATION]
SENTENCES = [(0, 10), (11, 21), (22, 32)]


def test_wilson_interval_known_values():
    low, high = wilson_interval(0.5, 10)
    assert (round(low, 4), round(high, 4)) == (0.2366, 0.7634)
    low, high = wilson_interval(0.0, 10)
    assert (low, round(high, 4)) == (0.0, 0.2775)
    assert wilson_interval(0.5, 0) is None


def test_wilson_interval_narrows_with_n():
    two_documents = wilson_interval(0.3, 40)
    two_hundred = wilson_interval(0.3, 4000)
    assert two_documents[1] - two_documents[0] > 5 * (two_hundred[1] - two_hundred[0])


def test_wilson_interval_rejects_impossible_proportion():
    with pytest.raises(ValueError, match="A proportion lies between 0 and 1."):
        wilson_interval(1.5, 3)


def test_tally_counts_sentences_and_characters_hand_worked():
    tally = Tally()
    tally.add_text(7, 40)
    rows = tally.add_labels(
        7,
        SENTENCES,
        {"anna": [(0, 10, 1), (11, 21, 2)], "boris": [(0, 10, 1), (11, 15, 3), (12, 14, 3)]},
        [1, 2, 3],
        gold=False,
    )
    # anna: fact, opinion, none; boris: fact, none (4 of 10 characters), none.
    assert tally.votes == Counter({1: 2, 2: 1})
    assert tally.labelled_sentences == 2
    # Overlapping spans of one label by one annotator count once: boris's 3 is 4 chars.
    assert tally.chars == Counter({1: 20, 2: 10, 3: 4})
    assert tally.touched_sentences == 2
    assert tally.covered_chars == 20
    assert (tally.text_chars, tally.sentences) == (40, 3)
    assert rows == [(0, Counter({1: 2}), 2), (1, Counter({2: 1}), 2)]
    by_sentences = shares(tally.votes, LABELS, tally.labelled_sentences)
    assert [round(s.value, 4) for s in by_sentences] == [0.6667, 0.3333, 0.0]
    assert [s.x for s in by_sentences] == [0.0, 66.667, 100.0]
    assert (by_sentences[0].low, by_sentences[0].high) == wilson_interval(2 / 3, 2)
    by_chars = shares(tally.chars, LABELS, tally.touched_sentences)
    assert [s.value for s in by_chars] == [20 / 34, 10 / 34, 4 / 34]


def test_tally_adds_document_text_once():
    tally = Tally()
    tally.add_text(1, 100)
    tally.add_text(1, 100)
    assert tally.text_chars == 100


def test_no_labels_no_shares():
    result = shares(Counter(), LABELS, 0)
    assert [(s.value, s.low, s.high) for s in result] == [(0.0, None, None)] * 3


def test_basis_says_which():
    tally = Tally(annotated_documents={1, 2, 3}, gold_documents={2})
    assert basis_of(tally) == "gold for 1 of 3 documents, all annotators for the rest"
    assert basis_of(Tally(annotated_documents={1}, gold_documents={1})) == "gold"
    assert basis_of(Tally(annotated_documents={1})) == "all annotators"
    assert basis_of(Tally()) == "no labels yet"
    assert basis_of(tally, "anna") == "anna's labels"


@pytest.fixture
def corpus(project):
    anna = factories.UserFactory(username="anna")
    boris = factories.UserFactory(username="boris")
    tass = factories.SourceFactory(name="TASS")
    blog = factories.SourceFactory(name="A blog")
    quiet = factories.SourceFactory(name="Quiet")
    news = factories.DocumentFactory(
        source=tass, title="News", published_on=datetime.date(2024, 1, 10)
    )
    judged = factories.DocumentFactory(
        source=tass, title="Judged", published_on=datetime.date(2024, 3, 1)
    )
    rant = factories.DocumentFactory(source=blog, published_on=datetime.date(2024, 1, 5))
    silent = factories.DocumentFactory(source=quiet)
    for doc in (news, judged, rant, silent):
        factories.ProjectDocumentFactory(project=project, document=doc)
    # news: both annotators, no gold.
    label_sentence(project, news, 0, "fact", annotator=anna)
    label_sentence(project, news, 0, "fact", annotator=boris)
    label_sentence(project, news, 1, "opinion", annotator=anna)
    # judged: annotators say opinion, gold says fact on sentence 0 and speculation on 2.
    label_sentence(project, judged, 0, "opinion", annotator=anna)
    label_sentence(project, judged, 0, "opinion", annotator=boris)
    label_sentence(project, judged, 0, "fact")
    label_sentence(project, judged, 2, "speculation")
    # rant: anna only.
    for index in range(3):
        label_sentence(project, rant, index, "opinion", annotator=anna)
    return {"anna": anna, "boris": boris, "news": news, "judged": judged, "rant": rant}


def values(shares_list):
    return {s.label.name: round(s.value, 4) for s in shares_list}


def test_source_profiles_prefer_gold_and_say_so(project, corpus):
    profiles = {p.name: p for p in source_profiles(ProfileFilter(project=project))}
    assert list(profiles) == ["A blog", "Quiet", "TASS"]
    tass = profiles["TASS"]
    assert tass.basis == "gold for 1 of 2 documents, all annotators for the rest"
    # news: fact x2, opinion x1 (sentence votes); judged (gold): fact, speculation.
    assert values(tass.by_sentences) == {"fact": 0.6, "opinion": 0.2, "speculation": 0.2}
    assert tass.by_sentences[0].n == 4  # news: 2 labelled sentences, judged: 2
    assert (tass.documents, tass.annotated_documents) == (2, 2)
    quiet = profiles["Quiet"]
    assert quiet.basis == "no labels yet"
    assert quiet.coverage == 0
    assert quiet.by_sentences[0].low is None
    blog = profiles["A blog"]
    assert values(blog.by_sentences) == {"fact": 0.0, "opinion": 1.0, "speculation": 0.0}
    assert blog.basis == "all annotators"


def test_character_shares_and_coverage(project, corpus):
    news = corpus["news"]
    s0, s1 = Sentence.objects.filter(document=news).order_by("index")[:2]
    profiles = {p.name: p for p in source_profiles(ProfileFilter(project=project))}
    tass = profiles["TASS"]
    judged_sentences = Sentence.objects.filter(document=corpus["judged"]).order_by("index")
    j0, j2 = judged_sentences[0], judged_sentences[2]
    fact = 2 * (s0.end - s0.start) + (j0.end - j0.start)
    opinion = s1.end - s1.start
    speculation = j2.end - j2.start
    total = fact + opinion + speculation
    assert values(tass.by_chars) == {
        "fact": round(fact / total, 4),
        "opinion": round(opinion / total, 4),
        "speculation": round(speculation / total, 4),
    }
    covered = (s0.end - s0.start) + opinion + (j0.end - j0.start) + speculation
    assert tass.coverage == pytest.approx(covered / (len(news.text) + len(corpus["judged"].text)))


def test_date_filter(project, corpus):
    f = ProfileFilter(
        project=project, date_from=datetime.date(2024, 1, 6), date_to=datetime.date(2024, 2, 1)
    )
    profiles = {p.name: p for p in source_profiles(f)}
    assert list(profiles) == ["TASS"]
    assert profiles["TASS"].documents == 1
    assert profiles["TASS"].basis == "all annotators"


def test_annotator_filter_uses_their_labels_even_where_gold_exists(project, corpus):
    boris = corpus["boris"]
    f = ProfileFilter(project=project, annotator_id=boris.pk, annotator_name="boris")
    tass = {p.name: p for p in source_profiles(f)}["TASS"]
    assert tass.basis == "boris's labels"
    assert values(tass.by_sentences) == {"fact": 0.5, "opinion": 0.5, "speculation": 0.0}


def test_other_projects_do_not_count(project, corpus):
    other = factories.ProjectFactory()
    factories.ProjectDocumentFactory(project=other, document=corpus["rant"])
    label_sentence(other, corpus["rant"], 0, "fact", annotator=corpus["boris"])
    blog = {p.name: p for p in source_profiles(ProfileFilter(project=project))}["A blog"]
    assert values(blog.by_sentences)["fact"] == 0.0


def test_source_detail_per_document_per_annotator_and_passages(project, corpus):
    tass_id = corpus["news"].source_id
    detail = source_detail(ProfileFilter(project=project, source_id=tass_id))
    assert detail.profile.name == "TASS"
    assert [(d.name, d.basis) for d in detail.documents] == [
        ("Judged", "gold"),
        ("News", "all annotators"),
    ]
    annotators = {p.name: p for p in detail.annotators}
    # Per annotator counts their own labels, on gold documents too.
    assert values(annotators["anna"].by_sentences) == {
        "fact": round(1 / 3, 4),
        "opinion": round(2 / 3, 4),
        "speculation": 0.0,
    }
    assert annotators["boris"].annotated_documents == 2
    speculation = detail.passages["Speculation"]
    assert [(p.gold, p.sentence) for p in speculation] == [(True, 2)]
    judged = corpus["judged"]
    sentence = Sentence.objects.get(document=judged, index=2)
    assert speculation[0].quote == judged.text[sentence.start : sentence.end]
    opinion = detail.passages["Opinion"]
    assert [(p.document_id, p.votes, p.coders) for p in opinion] == [(corpus["news"].pk, 1, 2)]
    assert "Fact" not in detail.passages


def test_source_detail_without_documents(project):
    source = factories.SourceFactory()
    detail = source_detail(ProfileFilter(project=project, source_id=source.pk))
    assert detail.profile is None
    assert detail.documents == []
    assert detail.passages == {"Opinion": [], "Speculation": []}


def test_chart_geometry(project, corpus):
    profiles = source_profiles(ProfileFilter(project=project))
    labels = [FACT, OPINION, SPECULATION]
    chart = profile_chart(
        chart_id="c", title="T", profiles=profiles, measure="sentences", labels=labels
    )
    assert [row.y for row in chart.rows] == [22, 52, 82]
    assert chart.height == 22 + 3 * 30 + 4
    tass = chart.rows[2]
    assert [(s.share.label.name, s.x, s.width) for s in tass.segments] == [
        ("fact", 0.0, 60.0),
        ("opinion", 60.0, 20.0),
        ("speculation", 80.0, 20.0),
    ]
    assert chart.rows[1].segments == []  # no labels: drawn as an empty bar
    by_chars = profile_chart(
        chart_id="c", title="T", profiles=profiles, measure="characters", labels=labels
    )
    assert by_chars.rows[2].shares == profiles[2].by_chars
    with pytest.raises(ValueError, match="Unknown measure 'words'."):
        profile_chart(chart_id="c", title="T", profiles=profiles, measure="words", labels=labels)


def tass_by_sentences(project):
    return values(
        {p.name: p for p in source_profiles(ProfileFilter(project=project))}["TASS"].by_sentences
    )


def test_stored_tallies_follow_every_span_change(project, corpus):
    assert tass_by_sentences(project) == {"fact": 0.6, "opinion": 0.2, "speculation": 0.2}
    # A queryset delete (admin bulk action) still marks the document for recounting.
    Annotation.objects.filter(document=corpus["news"], label__name="opinion").delete()
    assert tass_by_sentences(project) == {"fact": 0.75, "opinion": 0.0, "speculation": 0.25}
    # Removing the gold falls back to the annotators' labels.
    GoldAnnotation.objects.filter(document=corpus["judged"]).delete()
    assert tass_by_sentences(project) == {"fact": 0.5, "opinion": 0.5, "speculation": 0.0}


def test_bulk_writes_are_counted_after_tallies_invalidate(project, corpus):
    news = corpus["news"]
    assert tass_by_sentences(project)["opinion"] == 0.2
    sentence = Sentence.objects.get(document=news, index=2)
    opinion = project.labels.get(name="opinion")
    Annotation.objects.bulk_create(
        [
            Annotation(
                project=project,
                document=news,
                annotator=corpus["boris"],
                label=opinion,
                start=sentence.start,
                end=sentence.end,
                quote=news.text[sentence.start : sentence.end],
            )
        ]
    )
    assert tass_by_sentences(project)["opinion"] == 0.2  # bulk_create skips the signals
    assert tallies_invalidate(project, [news.pk]) == 1
    assert tass_by_sentences(project) == {"fact": 0.5, "opinion": 0.3333, "speculation": 0.1667}


def test_rebuild_profiles_command(project, corpus):
    out = io.StringIO()
    call_command("rebuild_profiles", "--project", project.slug, "--all", stdout=out)
    assert out.getvalue().startswith(f"{project.slug}: 4 document(s) recounted in ")
    with pytest.raises(CommandError, match="^No such project: nope.$"):
        call_command("rebuild_profiles", "--project", "nope")


def source_documents_count(project, **filters):
    profiles = source_profiles(ProfileFilter(project=project, **filters))
    return {p.name: p.counts.documents for p in profiles}


def test_profiles_follow_a_document_moved_to_another_source_or_date(project, corpus):
    assert source_documents_count(project) == {"A blog": 1, "Quiet": 1, "TASS": 2}
    news = corpus["news"]
    news.source = corpus["rant"].source
    news.save()
    assert source_documents_count(project) == {"A blog": 2, "Quiet": 1, "TASS": 1}
    january = {"date_from": datetime.date(2024, 1, 1), "date_to": datetime.date(2024, 1, 31)}
    assert source_documents_count(project, **january) == {"A blog": 2}
    news.published_on = datetime.date(2024, 2, 1)
    news.save()
    assert source_documents_count(project, **january) == {"A blog": 1}
    news.save()  # nothing changed: its stored counts stay fresh
    assert ProjectDocument.objects.get(document=news).profiled_version == (
        ProjectDocument.objects.get(document=news).labels_version
    )


def test_profiles_follow_a_source_merge(project, corpus):
    tass = corpus["news"].source
    blog = corpus["rant"].source
    before = source_profiles(ProfileFilter(project=project))
    source_merge(into=blog, others=[tass])
    assert not DocumentTally.objects.filter(source_id=tass.pk).exists()
    assert not PassageVote.objects.filter(source_id=tass.pk).exists()
    assert not ProjectDocument.objects.filter(source_id=tass.pk).exists()
    profiles = {p.name: p for p in source_profiles(ProfileFilter(project=project))}
    assert {name: p.counts.documents for name, p in profiles.items()} == {"A blog": 3, "Quiet": 1}
    merged = profiles["A blog"].counts
    assert merged.labelled_sentences == sum(
        p.counts.labelled_sentences for p in before if p.name != "Quiet"
    )
    detail = source_detail(ProfileFilter(project=project, source_id=blog.pk))
    assert {p.name for p in detail.documents} == {"News", "Judged", corpus["rant"].title}


def test_a_labels_role_does_not_depend_on_its_name(project, corpus):
    tass = ProfileFilter(project=project, source_id=corpus["news"].source_id)
    assert "Fact" not in source_detail(tass).passages
    fact = project.labels.get(name="fact")
    fact.name, fact.title = "fakt", "Факт"
    fact.save()
    assert "Факт" not in source_detail(tass).passages  # still the neutral label
    # Another label made the neutral one: its passages go, Fact's are listed.
    fact.neutral = False
    fact.save()
    opinion = project.labels.get(name="opinion")
    opinion.neutral = True
    opinion.save()
    passages = source_detail(tass).passages
    assert "Opinion" not in passages
    assert [(p.gold, p.sentence) for p in passages["Факт"]][:1] == [(True, 0)]


def test_reordering_labels_recounts_the_profiles(project):
    """Two labels over the whole of one sentence: the label first in display order wins."""
    document = factories.DocumentFactory(source=factories.SourceFactory(name="Tie"))
    factories.ProjectDocumentFactory(project=project, document=document)
    anna = factories.UserFactory(username="anna")
    label_sentence(project, document, 0, "opinion", annotator=anna)
    label_sentence(project, document, 0, "speculation", annotator=anna)

    def tie():
        (profile,) = source_profiles(ProfileFilter(project=project))
        return {s.label.name for s in profile.by_sentences if s.value}

    assert tie() == {"opinion"}
    opinion = project.labels.get(name="opinion")
    opinion.order = 9  # after speculation now
    opinion.save()
    assert tie() == {"speculation"}
