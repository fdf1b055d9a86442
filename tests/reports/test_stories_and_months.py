"""The Sources page filtered to one story (outlets side by side), and a source's profile
month by month, with intervals from documents."""

import datetime

import pytest
from django.urls import reverse

from annotator.models import Membership, Story
from annotator.reports.profiles import ProfileFilter, source_detail, source_profiles
from annotator.reports.tallies import tallies_refresh
from annotator.stats.bootstrap import cluster_bootstrap
from tests.reports.test_report_views import SOURCES_PAGE_QUERIES, sources_url
from tests.support import factories
from tests.support.labelling import label_sentence, member

JANUARY, MARCH = datetime.date(2024, 1, 10), datetime.date(2024, 3, 5)


def labelled(project, source, published_on, labels, *, title=""):
    """A document of ``source`` whose first sentences carry ``labels`` (gold)."""
    document = factories.DocumentFactory(source=source, title=title, published_on=published_on)
    factories.ProjectDocumentFactory(project=project, document=document)
    for index, label in enumerate(labels):
        label_sentence(project, document, index, label)
    return document


@pytest.fixture
def outlets(project, client):
    client.force_login(member(project, "rita", Membership.Role.REVIEWER))
    tass = factories.SourceFactory(name="TASS")
    ria = factories.SourceFactory(name="RIA")
    quiet = factories.SourceFactory(name="Elsewhere")
    # TASS: three January documents (opinion 1 of 3, 2 of 3, 0 of 3 sentences), one in
    # March, one undated. RIA: one January document. Elsewhere: not in the story.
    january = [
        labelled(project, tass, JANUARY, labels, title=f"T{i}")
        for i, labels in enumerate(
            [("fact", "fact", "opinion"), ("opinion", "opinion", "fact"), ("fact", "fact", "fact")]
        )
    ]
    march = labelled(project, tass, MARCH, ("opinion",), title="T3")
    labelled(project, tass, None, ("speculation",), title="T4")
    ria_visit = labelled(project, ria, JANUARY, ("speculation", "opinion"), title="R0")
    labelled(project, quiet, JANUARY, ("fact",), title="Q0")
    story = Story.objects.create(name="Визит", description="Two outlets on one visit.")
    story.documents.set([january[0], january[1], ria_visit])
    tallies_refresh(project)  # counted up front, so the pages' query counts are their own
    return {"tass": tass, "ria": ria, "story": story, "january": january, "march": march}


def by_name(profiles):
    return {p.name: p for p in profiles}


def shares_of(profile):
    return {s.label.name: round(s.value, 4) for s in profile.by_sentences}


def test_the_story_filter_keeps_its_documents_only(project, outlets):
    everything = by_name(source_profiles(ProfileFilter(project=project)))
    assert set(everything) == {"TASS", "RIA", "Elsewhere"}
    story = by_name(source_profiles(ProfileFilter(project=project, story_id=outlets["story"].pk)))
    assert set(story) == {"TASS", "RIA"}
    assert story["TASS"].documents == 2
    assert shares_of(story["TASS"]) == {"fact": 0.5, "opinion": 0.5, "speculation": 0.0}
    assert shares_of(story["RIA"]) == {"fact": 0.0, "opinion": 0.5, "speculation": 0.5}


def test_sources_page_for_a_story_shows_its_outlets_side_by_side(
    project, outlets, client, django_assert_num_queries
):
    story = outlets["story"]
    # The page's queries, and the story's name and description.
    with django_assert_num_queries(SOURCES_PAGE_QUERIES + 1):
        response = client.get(sources_url(project, story=story.pk))
    html = response.content.decode()
    assert '<h2 id="story-heading">Story: Визит</h2>' in html
    assert "Two outlets on one visit." in html
    assert [row.profile.name for row in response.context["charts"][0].rows] == ["RIA", "TASS"]
    assert f'<option value="{story.pk}" selected>Визит</option>' in html


def test_an_unknown_story_is_explained(project, outlets, client):
    response = client.get(sources_url(project, story=999_999))
    assert response.status_code == 400
    assert "Select a valid choice. 999999 is not one of the available choices." in (
        response.content.decode()
    )


def test_three_documents_give_an_interval_on_the_sources_page(project, outlets, client):
    response = client.get(sources_url(project, date_to="2024-01-31"))
    html = response.content.decode()
    tass = by_name(row.profile for row in response.context["charts"][0].rows)["TASS"]
    opinion = next(s for s in tass.by_sentences if s.label.name == "opinion")
    expected = cluster_bootstrap([[2, 1], [1, 2], [3, 0]])[1]  # (fact, opinion) per document
    assert (opinion.low, opinion.high) == expected
    assert f"{expected[0] * 100:.1f}–{expected[1] * 100:.1f}%" in html
    assert "too few documents for an interval" in html  # RIA and Elsewhere: one document


def test_a_sources_profile_month_by_month(project, outlets):
    detail = source_detail(ProfileFilter(project=project, source_id=outlets["tass"].pk))
    assert [m.name for m in detail.months] == ["2024-01", "2024-03"]
    january, march = detail.months
    assert (january.documents, january.counts.labelled_sentences) == (3, 9)
    assert shares_of(january) == {"fact": 0.6667, "opinion": 0.3333, "speculation": 0.0}
    opinion = next(s for s in january.by_sentences if s.label.name == "opinion")
    assert (opinion.low, opinion.high) == cluster_bootstrap([[2, 1], [1, 2], [3, 0]])[1]
    assert all(s.low is None for s in march.by_sentences)  # one document
    assert detail.undated == 1
    # The whole source still counts its undated document.
    assert detail.profile.documents == 5


# Session, user, projects reviewed, project with membership, annotators, stories, source,
# labels, stale documents, the source's documents (name, version), its documents (titles,
# dates), their tallies, each annotator's tallies, strongest passages (opinion,
# speculation), the passages' texts; whose voice: spans, sentences, distancing markers.
SOURCE_PAGE_QUERIES = 19


def test_source_page_draws_the_months(project, outlets, client, django_assert_num_queries):
    url = f"{reverse('source', args=[outlets['tass'].pk])}?project={project.slug}"
    with django_assert_num_queries(SOURCE_PAGE_QUERIES):
        response = client.get(url)
    html = response.content.decode()
    assert '<h2 id="months-heading">Over time</h2>' in html
    assert "1 document without a publication date is left out." in html
    chart = response.context["month_chart"]
    assert [name for _, name, _ in chart.months] == ["2024-01", "2024-03"]
    opinion = next(s for s in chart.series if s.label.name == "opinion")
    january, march = opinion.points
    assert january.low_y is not None and january.low_y > january.y > january.high_y
    assert march.low_y is None  # one document: no whisker
    assert f'<polyline points="{opinion.line}"' in html
    assert html.count('<line class="whisker"') == 3  # January: fact, opinion, speculation
    assert 'style="' not in html
