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
from annotator.reports.profiles import ProfileFilter, source_detail, source_profiles
from annotator.reports.shares import (
    CHARACTERS,
    SENTENCES,
    Counts,
    Evidence,
    LabelInfo,
    basis_kind,
    basis_of,
    shares,
)
from annotator.reports.tallies import tallies_invalidate
from annotator.stats.bootstrap import cluster_bootstrap
from tests.support import factories
from tests.support.labelling import label_sentence

FACT, OPINION, SPECULATION = (
    LabelInfo(1, "fact", "Fact", "#2e7d32", neutral=True),
    LabelInfo(2, "opinion", "Opinion", "#1565c0"),
    LabelInfo(3, "speculation", "Speculation", "#c62828"),
)
LABELS = [FACT, OPINION, SPECULATION]


def tally_row(chars=0, sentences=0, touched=0, tied=0, tied_chars=0):
    return (chars, sentences, touched, tied, tied_chars)


def test_evidence_sums_documents_and_bootstraps_over_them():
    evidence = Evidence()
    # Three documents: (fact, opinion) sentences (4, 1), (2, 2), (0, 3); characters ten
    # per sentence. The third document also has two tied sentences.
    for doc, (fact, opinion) in enumerate([(4, 1), (2, 2), (0, 3)]):
        total = fact + opinion
        tied = 2 if doc == 2 else 0
        evidence.add(doc, None, False, tally_row(10 * total, total, total, tied, 20 * (tied > 0)))
        if fact:
            evidence.add(doc, 1, False, tally_row(10 * fact, fact))
        evidence.add(doc, 2, False, tally_row(10 * opinion, opinion))
    counts = evidence.finish()
    assert counts.votes == Counter({1: 6, 2: 6})
    assert counts.chars == Counter({1: 60, 2: 60})
    assert (counts.annotated_documents, counts.labelled_sentences) == (3, 12)
    assert (counts.tied_sentences, counts.tied_chars) == (2, 20)
    assert counts.evidence == {SENTENCES: 3, CHARACTERS: 3}
    expected = cluster_bootstrap([[4, 1], [2, 2], [0, 3]])
    assert counts.intervals[SENTENCES] == {1: expected[0], 2: expected[1]}
    by_sentences = shares(counts, SENTENCES, LABELS)
    assert [s.value for s in by_sentences] == [0.5, 0.5, 0.0]
    assert [s.x for s in by_sentences] == [0.0, 50.0, 100.0]
    assert (by_sentences[1].low, by_sentences[1].high) == expected[1]
    # A label no document used: 0 in every resample.
    assert (by_sentences[2].low, by_sentences[2].high) == (0.0, 0.0)
    assert [(s.n, s.documents) for s in by_sentences] == [(12, 3)] * 3


def test_fewer_than_three_documents_give_shares_without_intervals():
    evidence = Evidence()
    for doc in range(2):
        evidence.add(doc, None, False, tally_row(40, 4, 4))
        evidence.add(doc, 2, False, tally_row(40, 4))
    counts = evidence.finish()
    (by_sentences,) = [s for s in shares(counts, SENTENCES, LABELS) if s.label == OPINION]
    assert (by_sentences.value, by_sentences.low, by_sentences.high) == (1.0, None, None)
    assert by_sentences.counted and by_sentences.documents == 2


def test_no_labels_no_shares():
    result = shares(Evidence().finish(), SENTENCES, LABELS)
    assert [(s.value, s.low, s.high, s.counted) for s in result] == [(0.0, None, None, False)] * 3


def test_basis_says_which():
    mixed = Counts(annotated_documents=3, gold_documents=1)
    assert basis_of(mixed) == "gold for 1 of 3 documents, annotators' majority for the rest"
    assert basis_of(Counts(annotated_documents=1, gold_documents=1)) == "gold"
    assert basis_of(Counts(annotated_documents=1)) == "annotators' majority"
    assert basis_of(Counts()) == "no labels yet"
    assert basis_of(mixed, "anna") == "anna's labels"
    assert [basis_kind(c) for c in (mixed, Counts(annotated_documents=2), Counts())] == [
        "mixed",
        "annotators",
        None,
    ]


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
    # news: both annotators, no gold. Their majority: sentence 0 fact; sentence 1 is a
    # tie (anna: opinion, boris: no label).
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
    assert tass.basis == "gold for 1 of 2 documents, annotators' majority for the rest"
    # news counts once: its annotators' majority, fact (sentence 0; sentence 1 tied);
    # judged (gold): fact, speculation. Until each document counted once, news weighed
    # one sentence per annotator: fact 0.6, opinion 0.2, speculation 0.2 over 4.
    assert values(tass.by_sentences) == {"fact": 0.6667, "opinion": 0.0, "speculation": 0.3333}
    assert tass.by_sentences[0].n == 3  # news: 1 sentence with a majority, judged: 2
    assert tass.counts.tied_sentences == 1
    assert (tass.documents, tass.annotated_documents) == (2, 2)
    # Two documents: the shares have no interval.
    assert [(s.low, s.high, s.documents) for s in tass.by_sentences] == [(None, None, 2)] * 3
    quiet = profiles["Quiet"]
    assert quiet.basis == "no labels yet"
    assert quiet.coverage == 0
    assert quiet.by_sentences[0].low is None
    blog = profiles["A blog"]
    assert values(blog.by_sentences) == {"fact": 0.0, "opinion": 1.0, "speculation": 0.0}
    assert blog.basis == "annotators' majority"


def test_a_no_label_gold_decision_makes_the_document_count_with_its_gold(project, corpus):
    """ "No label" is a gold decision: the rant's reviewer decided its first sentence has
    none of the labels, so the rant counts with its gold (nothing labelled), not with
    anna's three opinions."""
    rant = corpus["rant"]
    sentence = Sentence.objects.get(document=rant, index=0)
    GoldAnnotation.objects.create(
        project=project,
        document=rant,
        label=None,
        start=sentence.start,
        end=sentence.end,
        quote=rant.text[sentence.start : sentence.end],
    )
    tallies_invalidate(project=project, document_ids=[rant.pk])
    blog = {p.name: p for p in source_profiles(ProfileFilter(project=project))}["A blog"]
    assert blog.basis.startswith("gold")
    assert blog.counts.labelled_sentences == 0
    assert sum(blog.counts.chars.values()) == 0


def test_character_shares_and_coverage(project, corpus):
    news = corpus["news"]
    s0, s1 = Sentence.objects.filter(document=news).order_by("index")[:2]
    profiles = {p.name: p for p in source_profiles(ProfileFilter(project=project))}
    tass = profiles["TASS"]
    judged_sentences = Sentence.objects.filter(document=corpus["judged"]).order_by("index")
    j0, j2 = judged_sentences[0], judged_sentences[2]
    # news: both annotators' fact on sentence 0 counts once; anna's opinion on sentence 1
    # against boris's nothing is a tie, left out. judged: its gold.
    fact = (s0.end - s0.start) + (j0.end - j0.start)
    speculation = j2.end - j2.start
    total = fact + speculation
    assert values(tass.by_chars) == {
        "fact": round(fact / total, 4),
        "opinion": 0.0,
        "speculation": round(speculation / total, 4),
    }
    assert tass.counts.tied_chars == s1.end - s1.start
    covered = (s0.end - s0.start) + (s1.end - s1.start) + (j0.end - j0.start) + speculation
    assert tass.coverage == pytest.approx(covered / (len(news.text) + len(corpus["judged"].text)))


def test_date_filter(project, corpus):
    f = ProfileFilter(
        project=project, date_from=datetime.date(2024, 1, 6), date_to=datetime.date(2024, 2, 1)
    )
    profiles = {p.name: p for p in source_profiles(f)}
    assert list(profiles) == ["TASS"]
    assert profiles["TASS"].documents == 1
    assert profiles["TASS"].basis == "annotators' majority"


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
        ("News", "annotators' majority"),
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
        ("fact", 0.0, 66.667),
        ("speculation", 66.667, 33.333),
    ]
    assert (tass.n, tass.tied) == (3, 1)
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


def tass_ties(project):
    profiles = source_profiles(ProfileFilter(project=project))
    return {p.name: p for p in profiles}["TASS"].counts.tied_sentences


def test_stored_tallies_follow_every_span_change(project, corpus):
    assert tass_by_sentences(project) == {"fact": 0.6667, "opinion": 0.0, "speculation": 0.3333}
    assert tass_ties(project) == 1
    # A queryset delete (admin bulk action) still marks the document for recounting: anna's
    # opinion on news's sentence 1 gone, the annotators are no longer tied there.
    Annotation.objects.filter(document=corpus["news"], label__name="opinion").delete()
    assert tass_ties(project) == 0
    assert tass_by_sentences(project) == {"fact": 0.6667, "opinion": 0.0, "speculation": 0.3333}
    # Removing the gold falls back to the annotators' majority: judged's sentence 0 opinion.
    GoldAnnotation.objects.filter(document=corpus["judged"]).delete()
    assert tass_by_sentences(project) == {"fact": 0.5, "opinion": 0.5, "speculation": 0.0}


def test_bulk_writes_are_counted_after_tallies_invalidate(project, corpus):
    news = corpus["news"]
    assert tass_by_sentences(project)["opinion"] == 0.0
    # boris agrees with anna's opinion on sentence 1: a majority, no longer a tie.
    sentence = Sentence.objects.get(document=news, index=1)
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
    assert tass_by_sentences(project)["opinion"] == 0.0  # bulk_create skips the signals
    assert tallies_invalidate(project, [news.pk]) == 1
    assert tass_by_sentences(project) == {"fact": 0.5, "opinion": 0.25, "speculation": 0.25}


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
