"""The Sources, source and agreement pages: who may see them, what they show, query counts."""

import datetime
import random

import pytest
from django.urls import reverse

from annotator.models import Annotation, GoldAnnotation, Membership, Sentence
from annotator.reports import views as reports
from annotator.reports.tallies import tallies_refresh
from tests.support import factories
from tests.support.labelling import label_sentence, member

REVIEWER = Membership.Role.REVIEWER


@pytest.fixture
def site(project, client):
    reviewer = member(project, "rita", REVIEWER)
    anna = member(project, "anna")
    boris = member(project, "boris")
    source = factories.SourceFactory(name="TASS")
    document = factories.DocumentFactory(
        source=source, title="Visit", published_on=datetime.date(2024, 5, 1)
    )
    factories.ProjectDocumentFactory(project=project, document=document)
    label_sentence(project, document, 0, "fact", annotator=anna)
    label_sentence(project, document, 1, "opinion", annotator=anna)
    label_sentence(project, document, 0, "fact", annotator=boris)
    label_sentence(project, document, 1, "speculation", annotator=boris)
    client.force_login(reviewer)
    return {
        "reviewer": reviewer,
        "anna": anna,
        "boris": boris,
        "source": source,
        "document": document,
    }


def sources_url(project, **params):
    query = "&".join(f"{k}={v}" for k, v in {"project": project.slug, **params}.items())
    return f"{reverse('sources')}?{query}"


def test_sources_page_shows_charts_and_numbers(project, site, client):
    response = client.get(sources_url(project))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('<svg class="bars"') == 2
    assert "Share of labelled sentences" in html
    # The document counts once, with its annotators' majority: sentence 0 fact (both);
    # sentence 1 opinion against speculation, a tie, shown and not counted. One document
    # gives no interval.
    assert '<rect class="segment" data-label="fact" x="0.0%" y="22" width="100.0%"' in html
    assert "TASS · Fact: 100.0% (too few documents for an interval)" in html
    assert "n=1 <small>in 1 document</small>" in html
    assert 'annotators&#x27; majority <small class="ties">1 sentence tied, not counted' in html
    source_url = reverse("source", args=[site["source"].pk])
    assert f'href="{source_url}?project={project.slug}"' in html
    assert 'style="' not in html  # the Content-Security-Policy forbids inline styles
    review_url = reverse("review", args=[project.slug, site["document"].pk])
    assert "<summary>1 document</summary>" in html
    assert f'<li><a href="{review_url}">Visit</a></li>' in html


def test_sources_page_defaults_to_the_first_project_the_user_reviews(project, site, client):
    response = client.get(reverse("sources"))
    assert response.status_code == 200
    assert response.context["project"] == project


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"date_from": "2024-06-01", "date_to": "2024-05-01"},
            "The start date is after the end date.",
        ),
        ({"date_from": "yesterday"}, "Enter a valid date."),
        ({"annotator": "zed"}, "Select a valid choice. zed is not one of the available choices."),
    ],
)
def test_bad_filters_are_explained(project, site, client, params, message):
    response = client.get(sources_url(project, **params))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "charts" not in response.context


def test_filters_change_the_profile(project, site, client):
    response = client.get(sources_url(project, annotator="anna"))
    assert "anna&#x27;s labels" in response.content.decode()
    (profile,) = [row.profile for row in response.context["charts"][0].rows]
    assert [round(s.value, 2) for s in profile.by_sentences] == [0.5, 0.5, 0.0]
    response = client.get(sources_url(project, date_to="2024-04-30"))
    assert response.context["charts"][0].rows == []
    assert "Nothing to show for these filters." in response.content.decode()


def test_annotators_may_not_see_profiles_or_agreement(project, site, client):
    client.force_login(site["anna"])
    assert client.get(reverse("sources")).status_code == 403
    assert client.get(sources_url(project)).status_code == 403
    assert client.get(reverse("agreement", args=[project.slug])).status_code == 403
    url = reverse("source", args=[site["source"].pk])
    assert client.get(f"{url}?project={project.slug}").status_code == 403


def test_non_members_get_404_and_anonymous_users_log_in(project, site, client):
    outsider = factories.UserFactory(username="olga")
    own = factories.ProjectFactory()
    factories.MembershipFactory(project=own, user=outsider, role=Membership.Role.MANAGER)
    client.force_login(outsider)
    assert client.get(sources_url(project)).status_code == 404
    assert client.get(reverse("agreement", args=[project.slug])).status_code == 404
    client.logout()
    response = client.get(reverse("sources"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_managers_see_profiles(project, site, client):
    client.force_login(member(project, "mona", Membership.Role.MANAGER))
    assert client.get(sources_url(project)).status_code == 200


def test_source_page(project, site, client):
    document = site["document"]
    url = reverse("source", args=[site["source"].pk])
    response = client.get(f"{url}?project={project.slug}")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h2 id="documents">Per document</h2>' in html
    review_url = reverse("review", args=[project.slug, document.pk])
    assert f'href="{review_url}"' in html  # each document row opens it in review
    sentence = Sentence.objects.get(document=document, index=1)
    assert f'href="{review_url}#s-1"' in html  # the strongest passages link to the sentence
    assert document.text[sentence.start : sentence.end] in html
    assert [p.name for p in response.context["detail"].annotators] == ["anna", "boris"]
    assert 'style="' not in html


def test_source_page_unknown_source(project, site, client):
    url = reverse("source", args=[999_999])
    assert client.get(f"{url}?project={project.slug}").status_code == 404


def test_source_page_source_outside_the_project(project, site, client):
    other = factories.SourceFactory(name="Elsewhere")
    url = reverse("source", args=[other.pk])
    assert client.get(f"{url}?project={project.slug}").status_code == 404  # in no project
    elsewhere = factories.ProjectFactory()
    factories.MembershipFactory(project=elsewhere, user=site["reviewer"], role=REVIEWER)
    factories.ProjectDocumentFactory(
        project=elsewhere, document=factories.DocumentFactory(source=other)
    )
    response = client.get(f"{url}?project={project.slug}")
    assert response.status_code == 200
    assert "This source has no documents in" in response.content.decode()


def test_agreement_page(project, site, client):
    response = client.get(reverse("agreement", args=[project.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<td class="num" data-figure="alpha">0.667</td>' in html
    assert "4 sentences, 8 labels, 1 document<" in html
    review_url = reverse("review", args=[project.slug, site["document"].pk])
    assert f'<a href="{review_url}#s-1">' in html  # the disagreement links to review
    assert "anna: " in html and "boris: " in html
    assert 'style="' not in html


def bulk_corpus(project, *, sources: int, annotations: int, annotators: int = 5):
    """``sources`` sources with two documents each, ``annotations`` spread over them."""
    users = [member(project, f"bulk{i}") for i in range(annotators)]
    labels = list(project.labels.all())
    documents = []
    for i in range(sources):
        source = factories.SourceFactory(name=f"Bulk source {i:02d}")
        for _ in range(2):
            document = factories.DocumentFactory(
                source=source, published_on=datetime.date(2024, 1, 1)
            )
            factories.ProjectDocumentFactory(project=project, document=document)
            documents.append(document)
    rng = random.Random(5)
    rows, seen = [], set()
    while len(rows) < annotations:
        document = rng.choice(documents)
        user = rng.choice(users)
        start = rng.randrange(0, len(document.text) - 20)
        end = start + rng.randrange(5, 20)
        label = rng.choice(labels)
        if (document.pk, user.pk, label.pk, start, end) in seen:
            continue
        seen.add((document.pk, user.pk, label.pk, start, end))
        rows.append(
            Annotation(
                project=project,
                document=document,
                annotator=user,
                label=label,
                start=start,
                end=end,
                quote=document.text[start:end],
            )
        )
    Annotation.objects.bulk_create(rows, batch_size=2000)
    for document in documents[::7]:
        GoldAnnotation.objects.create(
            project=project,
            document=document,
            label=labels[1],
            start=0,
            end=10,
            quote=document.text[:10],
        )
    return documents


# Session, user, projects reviewed, project with membership, annotators, stories, stale
# documents, per-source documents (names, versions), per-document tallies of the sources
# not in the cache, labels, listed documents (the same with one annotator chosen). Stale
# documents add a fixed number of queries per 500 (tallies_refresh); whose voice (the same
# per-source versions), for the sources not in the cache: the spans, the sentences per
# source, the documents with a distancing marker.
SOURCES_PAGE_QUERIES = 14
# The same page again, nothing changed: the counts and the voices come from the cache.
SOURCES_PAGE_CACHED_QUERIES = 10


@pytest.mark.parametrize(("sources", "annotations"), [(1, 10), (50, 10_000)])
def test_sources_page_queries_do_not_grow(
    project, client, django_assert_num_queries, sources, annotations
):
    reviewer = member(project, "rita", REVIEWER)
    bulk_corpus(project, sources=sources, annotations=annotations)
    client.force_login(reviewer)
    tallies_refresh(project)
    with django_assert_num_queries(SOURCES_PAGE_QUERIES):
        response = client.get(sources_url(project))
    assert response.status_code == 200
    assert len(response.context["charts"][0].rows) == sources
    first = response.context["voice_rows"]
    with django_assert_num_queries(SOURCES_PAGE_CACHED_QUERIES):
        response = client.get(sources_url(project))
    assert [(n, v.figures()) for n, v in response.context["voice_rows"]] == [
        (n, v.figures()) for n, v in first
    ]
    with django_assert_num_queries(SOURCES_PAGE_QUERIES):
        response = client.get(sources_url(project, annotator="bulk0", date_from="2000-01-01"))
    assert len(response.context["charts"][0].rows) == sources


# Session, user, project with membership, labels, documents, annotations, progress, annotators,
# sentences, texts of the disagreeing sentences; holders: annotations' holders, sentences.
AGREEMENT_PAGE_QUERIES = 12


@pytest.mark.parametrize(("sources", "annotations"), [(1, 300), (10, 3_000)])
def test_agreement_page_queries_do_not_grow(
    project, client, django_assert_num_queries, sources, annotations
):
    client.force_login(member(project, "rita", REVIEWER))
    bulk_corpus(project, sources=sources, annotations=annotations)
    with django_assert_num_queries(AGREEMENT_PAGE_QUERIES):
        response = client.get(reverse("agreement", args=[project.slug]))
    assert response.status_code == 200
    assert len(response.context["report"].documents) == 2 * sources
    assert response.context["report"].disagreements


def test_project_page_links_reviewers_to_the_reports(project, site, client):
    sources_link = f'href="{reverse("sources")}?project={project.slug}"'
    assert sources_link in client.get(project.get_absolute_url()).content.decode()
    client.force_login(site["anna"])
    assert sources_link not in client.get(project.get_absolute_url()).content.decode()


def test_source_page_lists_documents_in_pages(project, site, client, monkeypatch):
    monkeypatch.setattr(reports, "DOCUMENTS_PER_PAGE", 1)
    source = site["source"]
    other = factories.DocumentFactory(source=source, title="Answer")
    factories.ProjectDocumentFactory(project=project, document=other)
    titles = ["Answer", "Visit"]
    url = f"{reverse('source', args=[source.pk])}?project={project.slug}"
    first = client.get(url)
    assert [row.profile.name for row in first.context["document_chart"].rows] == titles[:1]
    html = first.content.decode()
    assert f"Documents 1–1 of {len(titles)}, by title." in html
    assert f'href="?project={project.slug}&amp;page=2#documents" rel="next"' in html
    second = client.get(f"{url}&page=2")
    assert [row.profile.name for row in second.context["document_chart"].rows] == titles[1:2]
    # The source's own profile still counts every document.
    assert second.context["detail"].profile.documents == len(titles)


def test_sources_page_reuses_its_counts_until_a_label_changes(
    project, site, client, django_assert_num_queries
):
    def tass():
        response = client.get(sources_url(project))
        (row,) = response.context["charts"][0].rows
        return row.profile.counts.labelled_sentences

    assert tass() == 1  # sentence 0; on sentence 1 anna and boris are tied
    # Unchanged data: the source's counts and voice come from the cache (its tallies, spans
    # and sentences are not read).
    with django_assert_num_queries(SOURCES_PAGE_CACHED_QUERIES):
        assert tass() == 1
    label_sentence(project, site["document"], 2, "opinion", annotator=site["anna"])
    assert tass() == 1  # anna alone on sentence 2: a tie
    label_sentence(project, site["document"], 2, "opinion", annotator=site["boris"])
    assert tass() == 2
    Annotation.objects.filter(document=site["document"], start=0).delete()
    assert tass() == 1
