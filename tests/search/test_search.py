"""Search: documents and annotations by any of their words, what each member may find,
the index kept in step with every write, the page. Runs on SQLite (FTS5) and on PostgreSQL
(``scripts/pg-test-cluster .venv/bin/pytest tests/search``)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotator.access import visible_documents
from annotator.models import Annotation, Membership, Source
from annotator.search import selectors
from annotator.search.selectors import QUEUE_ORDER, passage, passage_pattern, search
from tests.support import factories
from tests.support.labelling import member

REVIEWER = Membership.Role.REVIEWER

VISIT = (
    "Заголовок новости\n"
    "Завтра в Казахстан с государственным визитом прибывает президент России.\n"
    "Токаев считает, что необходим международный консорциум."
)
MARKET = "Рынок нефти растёт.\nЦены на бензин снизились в апреле."


def _membership(project, user):
    return Membership.objects.get(project=project, user=user)


def _found(project, user, query, kind="documents"):
    results = search(project, _membership(project, user), query, kind=kind)
    return [(hit.annotation_id or hit.document_id) for hit in results.page.object_list]


@pytest.fixture
def corpus(project):
    tass = factories.SourceFactory(name="ТАСС")
    ria = factories.SourceFactory(name="РИА Новости")
    visit = factories.DocumentFactory(source=tass, title="Визит в Астану", text=VISIT)
    market = factories.DocumentFactory(source=ria, title="Нефть", text=MARKET)
    elsewhere = factories.DocumentFactory(source=tass, text="Визит президента в другой проект.")
    for document in (visit, market):
        factories.ProjectDocumentFactory(project=project, document=document)
    factories.ProjectDocumentFactory(document=elsewhere)
    anna, boris = member(project, "anna"), member(project, "boris")
    rita = member(project, "rita", REVIEWER)
    start = VISIT.index("государственным")
    quote = "государственным визитом"
    own = factories.AnnotationFactory(
        project=project,
        document=visit,
        annotator=anna,
        start=start,
        end=start + len(quote),
        note="официальный протокол",
    )
    start = MARKET.index("Цены")
    other = factories.AnnotationFactory(
        project=project,
        document=market,
        annotator=boris,
        label=factories.project_label(project, "opinion"),
        start=start,
        end=start + 4,
        note="сомнительно",
    )
    return {
        "visit": visit,
        "market": market,
        "anna": anna,
        "boris": boris,
        "rita": rita,
        "own": own,
        "other": other,
    }


def test_documents_by_word_forms_title_and_source(project, corpus):
    visit, market = corpus["visit"].pk, corpus["market"].pk
    anna = corpus["anna"]
    assert _found(project, anna, "визит") == [visit]  # «визитом» in the text, «Визит» in the title
    assert _found(project, anna, "президента России") == [visit]
    assert _found(project, anna, "бензин") == [market]
    assert _found(project, anna, "Астану") == [visit]  # the title
    assert _found(project, anna, "РИА") == [market]  # the source
    assert _found(project, anna, "нефти бензин") == [market]  # every word
    assert _found(project, anna, "нефти Казахстан") == []
    assert _found(project, anna, "слон") == []


def test_document_hit_points_at_the_passage(project, corpus):
    results = search(project, _membership(project, corpus["anna"]), "консорциум")
    (hit,) = results.page.object_list
    assert hit.offset == VISIT.index("консорциум")
    assert hit.line == 2
    assert hit.match == "консорциум"
    assert hit.before.endswith("необходим международный ")
    assert (hit.title, hit.source) == ("Визит в Астану", "ТАСС")


def test_documents_only_those_the_member_may_open(project, corpus):
    # Once the project has assignments, an annotator sees only theirs.
    factories.AssignmentFactory(
        project=project, document=corpus["market"], annotator=corpus["anna"]
    )
    assert _found(project, corpus["anna"], "визит") == []
    assert _found(project, corpus["anna"], "бензин") == [corpus["market"].pk]
    # Nor her own annotations on a document she may no longer open.
    assert _found(project, corpus["anna"], "протокол", "annotations") == []
    assert _found(project, corpus["rita"], "визит") == [corpus["visit"].pk]


def test_annotators_find_only_their_own_annotations(project, corpus):
    anna, boris = corpus["anna"], corpus["boris"]
    own, other = corpus["own"].pk, corpus["other"].pk
    assert _found(project, anna, "визит", "annotations") == [own]  # the quote
    assert _found(project, anna, "протокол", "annotations") == [own]  # the note
    assert _found(project, anna, "Fact", "annotations") == [own]  # the label
    assert _found(project, anna, "цены", "annotations") == []  # boris's quote
    assert _found(project, anna, "сомнительно", "annotations") == []  # boris's note
    assert _found(project, anna, "opinion", "annotations") == []
    assert _found(project, anna, "boris", "annotations") == []
    assert _found(project, boris, "сомнительно", "annotations") == [other]
    hit = search(project, _membership(project, anna), "протокол", kind="annotations")
    (item,) = hit.page.object_list
    assert (item.match, item.note, item.label) == (
        "государственным визитом",
        "официальный протокол",
        "Fact",
    )


def test_reviewers_find_everyones_annotations_only_when_the_project_shows_all(project, corpus):
    rita = corpus["rita"]
    assert _found(project, rita, "сомнительно", "annotations") == []
    project.show_all_annotations = True
    project.save()
    assert _found(project, rita, "сомнительно", "annotations") == [corpus["other"].pk]
    assert _found(project, rita, "boris", "annotations") == [corpus["other"].pk]
    # Annotators stay blind whatever the project shows.
    assert _found(project, corpus["anna"], "сомнительно", "annotations") == []


def test_the_index_follows_every_write(project, corpus):
    anna, own = corpus["anna"], corpus["own"]
    Annotation.objects.filter(pk=own.pk).update(note="новая заметка")
    assert _found(project, anna, "протокол", "annotations") == []
    assert _found(project, anna, "заметка", "annotations") == [own.pk]
    own.delete()
    assert _found(project, anna, "заметка", "annotations") == []
    document = factories.DocumentFactory(text="Свежий текст про космодром Байконур.")
    factories.ProjectDocumentFactory(project=project, document=document)
    assert _found(project, anna, "Байконур") == [document.pk]
    document.annotations.all().delete()
    document.delete()
    assert _found(project, anna, "Байконур") == []


@pytest.mark.parametrize(
    "query, found",
    [
        ('"', None),
        ("^ * (", None),
        ("визит*", "visit"),
        ('"визит', "visit"),
        ("-визит", "visit"),
        ("NEAR(визит", ""),
        ("визит OR бензин", ""),  # every word: OR is a word too
    ],
)
def test_query_syntax_is_taken_as_words(project, corpus, query, found):
    results = search(project, _membership(project, corpus["anna"]), query)
    if found is None:
        assert results.page is None and results.counts == {"documents": 0, "annotations": 0}
    else:
        expected = [corpus[found].pk] if found else []
        assert [hit.document_id for hit in results.page.object_list] == expected


def test_passage_without_a_match_starts_the_text():
    assert passage("Короткий текст", passage_pattern(["слон"])) == (0, "", "", "Короткий текст")


def test_search_page(project, corpus, client):
    client.force_login(corpus["anna"])
    url = reverse("search", args=[project.slug])
    response = client.get(url, {"q": "консорциум"})
    assert response.status_code == 200
    html = response.content.decode()
    document_url = reverse("document", args=[project.slug, corpus["visit"].pk])
    assert f'<a href="{document_url}#line-2">Визит в Астану</a>' in html
    assert "<mark>консорциум</mark>" in html
    assert "Documents (1)" in html and "Your annotations (0)" in html
    assert 'style="' not in html
    # The header's search box on the project's pages.
    assert f'action="{url}"' in client.get(reverse("project", args=[project.slug])).content.decode()
    assert client.get(url).status_code == 200  # no query: just the form


def test_search_page_refuses_strangers(project, corpus, client):
    client.force_login(factories.UserFactory())
    assert client.get(reverse("search", args=[project.slug]), {"q": "визит"}).status_code == 404


def test_search_pages_results_with_a_fixed_number_of_queries(project, client):
    anna = member(project, "anna")
    client.force_login(anna)
    source = factories.SourceFactory(name="Лента")

    def add(count, offset):
        for i in range(offset, offset + count):
            document = factories.DocumentFactory(
                source=source, title=f"Сводка {i}", text=f"Сводка номер {i}: визит делегации."
            )
            factories.ProjectDocumentFactory(project=project, document=document)
            factories.AnnotationFactory(project=project, document=document, annotator=anna)

    url = reverse("search", args=[project.slug])
    add(3, 0)
    with CaptureQueriesContext(connection) as small:
        client.get(url, {"q": "визит"})
    add(40, 3)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url, {"q": "визит"})
    assert len(large) == len(small)
    html = response.content.decode()
    assert "Documents (43)" in html and "Page 1 of 3" in html
    page3 = client.get(url, {"q": "визит", "page": 3}).content.decode()
    assert page3.count("<mark>") == 3
    annotations = client.get(url, {"q": "сводка", "kind": "annotations"}).content.decode()
    assert "Your annotations (43)" in annotations


def _many_visits(project, count, annotator=None, offset=0):
    source, _ = Source.objects.get_or_create(name="Лента")
    documents = []
    for i in range(offset, offset + count):
        document = factories.DocumentFactory(
            source=source,
            title=f"Сводка {i}",
            text=f"Сводка номер {i}: визит делегации.",
            published_on=f"2024-01-{28 - i % 28:02d}",
        )
        factories.ProjectDocumentFactory(project=project, document=document)
        if annotator is not None:
            factories.AnnotationFactory(project=project, document=document, annotator=annotator)
        documents.append(document)
    return documents


def test_counts_stop_at_the_cap_and_pages_go_on_past_it(project, client, monkeypatch):
    monkeypatch.setattr(selectors, "COUNT_CAP", 4)
    anna = member(project, "anna")
    _many_visits(project, 9, annotator=anna)
    membership = _membership(project, anna)
    results = search(project, membership, "сводка", per_page=2)
    assert results.counts == {"documents": 5, "annotations": 5}
    assert results.shown_counts == {"documents": "4+", "annotations": "4+"}
    # Past the cap each page learns whether another follows, up to the last one.
    everything = []
    for number in range(1, 6):
        page = search(project, membership, "сводка", page=number, per_page=2).page
        assert page.number == number
        assert page.has_next() == (number < 5)
        everything += [hit.document_id for hit in page.object_list]
    expected = visible_documents(project, membership).filter(title__startswith="Сводка")
    assert everything == list(expected.order_by(*QUEUE_ORDER).values_list("pk", flat=True))
    _many_visits(project, 12, offset=9)  # more than a page of 20
    client.force_login(anna)
    html = client.get(reverse("search", args=[project.slug]), {"q": "сводка"}).content.decode()
    assert "Documents (4+)" in html and "Your annotations (4+)" in html
    assert "<span>Page 1</span>" in html and "page=2" in html
    html = client.get(reverse("search", args=[project.slug]), {"q": "сводка", "page": 2})
    assert "<span>Page 2</span>" in html.content.decode() and "page=3" not in html.content.decode()


@pytest.mark.parametrize("role", [Membership.Role.ANNOTATOR, REVIEWER])
def test_written_out_statements_find_what_the_orm_finds(project, corpus, monkeypatch, role):
    # The statements of annotator.search.fts against their ORM twins, past the cap (the
    # walk in queue order) and under it, for a member with and without assignments.
    user = corpus["anna"] if role == Membership.Role.ANNOTATOR else corpus["rita"]
    documents = _many_visits(project, 7, annotator=user)
    factories.AssignmentFactory(project=project, document=documents[3], annotator=user)
    factories.AssignmentFactory(project=project, document=corpus["visit"], annotator=user)
    membership = _membership(project, user)
    for cap in (2, 1000):
        monkeypatch.setattr(selectors, "COUNT_CAP", cap)
        for kind in selectors.KINDS:
            for query in ("визит", "сводка делегации", "номер 3", "визит протокол"):
                found = []
                for number in range(1, 5):
                    page = search(project, membership, query, kind=kind, page=number, per_page=2)
                    found += [hit.annotation_id or hit.document_id for hit in page.page]
                    if not page.page.has_next():
                        break
                terms = selectors.words(query)
                twin = (
                    selectors._documents(project, membership, terms)
                    if kind == "documents"
                    else selectors._annotations(project, membership, terms)
                )
                assert found == list(twin.rows.values_list("pk", flat=True)), (cap, kind, query)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 query of SQLite")
def test_words_are_asked_by_their_indexed_forms(project, corpus, monkeypatch):
    from annotator.search.fts import match_expression

    factories.DocumentFactory(text="Кафе «Éclair» открылось; визиты визитёров.")
    forms = match_expression("annotator_document_fts", ["визит", "ecla"])
    assert forms == '("визит" OR "визитом" OR "визиты" OR "визитёров") AND ("eclair")'
    # The tokenizer folds «é» to «e»: a word spelt with it is asked as a prefix.
    assert match_expression("annotator_document_fts", ["écla"]) == '"écla"*'
    assert match_expression("annotator_document_fts", ["слон"]) is None
    monkeypatch.setattr("annotator.search.fts.FORMS_MAX", 2)
    assert match_expression("annotator_document_fts", ["визит"]) == '"визит"*'


def test_accented_latin_words_are_found(project, corpus):
    document = factories.DocumentFactory(text="Кафе «Éclair» открылось на Арбате.")
    factories.ProjectDocumentFactory(project=project, document=document)
    # On SQLite a word the tokenizer folds (é → e) is asked as a prefix, not by its forms.
    for query in ("Éclair", "éclair"):
        assert _found(project, corpus["anna"], query) == [document.pk]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 query of SQLite")
def test_indexed_forms_find_the_rows_the_prefix_query_finds(project):
    # The forms read from the vocabulary, ORed, match exactly what the prefix query does
    # (ё, й and digits are kept as they are by the tokenizer).
    from annotator.search.fts import match_expression

    texts = [
        "Визит, визиты и визитёры.",
        "Йошкар-Ола: ёлки 2024 года.",
        "Ёлка и йогурт, 20245 штук.",
        "Ничего общего.",
        "визитка 2024",
    ]
    for text in texts:
        factories.DocumentFactory(text=text)
    fts = "annotator_document_fts"

    def rows(expression):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT rowid FROM {fts} WHERE {fts} MATCH %s", [expression])
            return sorted(row[0] for row in cursor.fetchall())

    for prefixes in (["визит"], ["ёлк"], ["йо"], ["2024"], ["визит", "2024"], ["ёл", "йог"]):
        expression = match_expression(fts, prefixes)
        prefix_query = " AND ".join(f'"{p}"*' for p in prefixes)
        assert expression is not None and "*" not in expression, prefixes
        assert rows(expression) == rows(prefix_query) != [], prefixes


def test_a_word_without_letters_or_digits_is_no_word(project, corpus):
    # Underscores are \w but no indexed word: "визит _" finds what "визит" finds.
    assert selectors.words("визит _ __ визит Визит") == ["визит"]
    assert _found(project, corpus["anna"], "визит _") == _found(project, corpus["anna"], "визит")
    assert _found(project, corpus["anna"], "визит") == [corpus["visit"].pk]


def test_a_page_number_far_past_the_cap_is_no_error(project, client, monkeypatch):
    monkeypatch.setattr(selectors, "COUNT_CAP", 4)
    anna = member(project, "anna")
    _many_visits(project, 9, annotator=anna)
    url = reverse("search", args=[project.slug])
    client.force_login(anna)
    for number in ("99999999999999999999", str(10**6), "5", "-3", "x"):
        response = client.get(url, {"q": "сводка", "page": number})
        assert response.status_code == 200, number
        assert "Сводка" in response.content.decode(), number


def test_a_viewer_with_no_annotations_of_their_own_finds_none(project, corpus):
    # The search skips the annotation index for a viewer who finds only their own and has
    # none (on SQLite), and finds nothing either way.
    newcomer = member(project, "vera")
    with CaptureQueriesContext(connection) as queries:
        results = search(project, _membership(project, newcomer), "визитом", kind="annotations")
    assert results.counts["annotations"] == 0 and list(results.page.object_list) == []
    if connection.vendor == "sqlite":
        assert not [q for q in queries if "annotator_annotation_fts MATCH" in q["sql"]]
    assert results.counts["documents"] == 1
    assert _found(project, corpus["anna"], "визитом", kind="annotations") == [corpus["own"].pk]
