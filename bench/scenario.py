"""What the benchmark builds and what it measures (Django is set up by bench.run)."""

from __future__ import annotations

import random
import socket
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import quote_plus

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import F
from django.urls import reverse

from annotator.datasets.imports.decode import normalize_text
from annotator.models import (
    Annotation,
    Document,
    GoldAnnotation,
    Label,
    Membership,
    Project,
    ProjectDocument,
    Source,
)
from annotator.reports.tallies import tallies_invalidate
from annotator.text.snapping import snap
from bench import corpus
from bench.client import Session, drive
from bench.commands import manage, total_figure

PROJECT = "bench"
AGREEMENT_PROJECT = "bench-agreement"
PASSWORD = "bench-password-1"
LARGE_DOCUMENT_CHARS = 200_000
LARGE_DOCUMENT_ANNOTATIONS = 5_000
REVIEW_DOCUMENT_ANNOTATORS = 3
REVIEW_DOCUMENT_SPANS = 1_500  # per annotator
REVIEW_DOCUMENT_GOLD = 150  # sentences already curated
SEED_DOCUMENT_ANNOTATIONS = 300
SAVE_DOCUMENTS_PER_ANNOTATOR = 12
SAVE_SPANS_PER_DOCUMENT = 64
# The `search` figure's queries: a rare word, common ones, two words, a document's number.
SEARCHES = ("консорциум", "Казахстан", "президент визит", "санкции", "Материал 4711")


@dataclass
class Corpus:
    project_slug: str = PROJECT
    agreement_slug: str = AGREEMENT_PROJECT
    documents: int = 0
    annotations: int = 0
    agreement_annotations: int = 0
    sources: int = 0
    seed_document: int = 0
    large_document: int = 0
    review_document: int = 0
    save_documents: list[int] = field(default_factory=list)
    annotators: list[str] = field(default_factory=list)
    manager: str = "bench-manager"

    def describe(self) -> dict:
        data = asdict(self)
        del data["save_documents"], data["annotators"]
        return data


def empty_postgres() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")


def wait_for(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"the server did not start on port {port}")


def _user(username: str, *, staff: bool = False):
    user = get_user_model()(username=username, is_staff=staff)
    user.set_password(PASSWORD)
    user.save()
    return user


def _own_document(project: Project, source: Source, title: str, text: str) -> Document:
    document = Document.objects.create(source=source, title=title, text=normalize_text(text))
    ProjectDocument.objects.create(project=project, document=document)
    return document


def build(size, env, figures: list[dict], work: Path, *, log) -> Corpus:

    result = Corpus()
    rng = random.Random(11)
    project = Project.objects.create(name="Benchmark", slug=PROJECT)
    labels = {label.name: label.pk for label in project.labels.all()}

    first = work / "import.jsonl"
    corpus.write_jsonl(first, corpus.synthetic_texts(size.import_docs))
    log(f"importing {size.import_docs} documents with import_documents")
    seconds = manage(env, "import_documents", str(first), "--project", PROJECT)
    figures.append(
        total_figure(
            "import_docs", seconds, size.import_docs, rate=round(size.import_docs / seconds, 1)
        )
    )
    log(f"import_docs: {seconds:.1f} s")
    rest = size.total_docs - size.import_docs
    if rest > 0:
        second = work / "import-rest.jsonl"
        texts = corpus.synthetic_texts(size.total_docs, seed=7)
        for _ in range(size.import_docs):
            next(texts)
        corpus.write_jsonl(second, texts, offset=size.import_docs)
        log(f"importing {rest} more documents (not timed)")
        manage(env, "import_documents", str(second), "--project", PROJECT)

    annotators = [_user(f"bench{i}") for i in range(1, size.clients + 1)]
    manager = _user(result.manager, staff=True)
    Membership.objects.bulk_create(
        [Membership(project=project, user=u, role="annotator") for u in annotators]
        + [Membership(project=project, user=manager, role="manager")]
    )
    result.annotators = [u.username for u in annotators]

    document_ids = list(
        ProjectDocument.objects.filter(project=project)
        .order_by("document_id")
        .values_list("document_id", flat=True)
    )
    log(f"writing {size.annotations} annotations over {len(document_ids)} documents")
    writer = corpus.AnnotationWriter()
    per_document = max(1, size.annotations // len(document_ids))
    label_ids = list(labels.values())
    for number, (doc_id, text, sentences) in enumerate(
        corpus.documents_with_sentences(document_ids)
    ):
        trio = [annotators[(number + k) % len(annotators)] for k in range(3)]
        chosen = rng.sample(sentences, min(len(sentences), per_document))
        for k, (start, end) in enumerate(chosen):
            annotator = trio[k % 3]
            writer.add(project.pk, doc_id, annotator.pk, rng.choice(label_ids), start, end, text)
    writer.flush()
    result.annotations = writer.written

    seed_text = (corpus.SEEDS / "001_f2df6332b728c9e6.txt").read_text(encoding="utf-8")
    source = Source.objects.create(name="Bench pages")
    seed_document = _own_document(project, source, "Seed-size page", seed_text)
    large_text = "\n".join(corpus.synthetic_texts(1, size=LARGE_DOCUMENT_CHARS, seed=3))
    large_document = _own_document(project, source, "Large page", large_text)
    page_writer = corpus.AnnotationWriter()
    for document, count in (
        (seed_document, SEED_DOCUMENT_ANNOTATIONS),
        (large_document, LARGE_DOCUMENT_ANNOTATIONS),
    ):
        for start, end in corpus.word_spans(document.text, rng, count):
            page_writer.add(
                project.pk,
                document.pk,
                annotators[0].pk,
                rng.choice(label_ids),
                start,
                end,
                document.text,
            )
    page_writer.flush()
    result.seed_document, result.large_document = seed_document.pk, large_document.pk
    result.save_documents = save_documents(size, result)
    result.review_document = review_document(result)

    result.agreement_annotations = _agreement_project(
        size, rng, document_ids, annotators[:3], log=log
    )
    # Bulk-inserted annotations leave every document's profile counts stale; an operator
    # recounts them once after such a load (the pages would otherwise do it on first view).
    log("rebuild_profiles: counting source profiles after the bulk load")
    seconds = manage(env, "rebuild_profiles", "--project", PROJECT, "--project", AGREEMENT_PROJECT)
    figures.append(total_figure("rebuild_profiles", seconds, result.annotations))
    log(f"rebuild_profiles: {seconds:.1f} s")
    result.documents = Document.objects.count()
    result.sources = Source.objects.count()
    return result


def _agreement_project(size, rng, document_ids, annotators, *, log) -> int:
    """Three annotators label whole sentences, agreeing about three times in four."""
    project = Project.objects.create(name="Benchmark agreement", slug=AGREEMENT_PROJECT)
    Membership.objects.bulk_create(
        [Membership(project=project, user=u, role="annotator") for u in annotators]
    )
    label_ids = list(Label.objects.filter(project=project).values_list("pk", flat=True))
    writer = corpus.AnnotationWriter()
    linked = []
    for doc_id, text, sentences in corpus.documents_with_sentences(document_ids):
        if writer.written + len(writer.rows) >= size.agreement_annotations:
            break
        linked.append(ProjectDocument(project=project, document_id=doc_id))
        for start, end in sentences:
            truth = rng.choice(label_ids)
            for annotator in annotators:
                label = truth if rng.random() < 0.75 else rng.choice(label_ids)
                writer.add(project.pk, doc_id, annotator.pk, label, start, end, text)
    ProjectDocument.objects.bulk_create(linked)
    writer.flush()
    log(f"agreement project: {writer.written} annotations on {len(linked)} documents")
    return writer.written


def save_documents(size, result: Corpus) -> list[int]:
    """The documents the save measurement writes on: ``SAVE_DOCUMENTS_PER_ANNOTATOR`` for
    each annotator, copies of the seed texts (made on first use, so that a corpus built
    before they existed can be reused)."""
    wanted = size.clients * SAVE_DOCUMENTS_PER_ANNOTATOR
    documents = list(result.save_documents)
    if len(documents) < wanted:
        project = Project.objects.get(slug=result.project_slug)
        source, _ = Source.objects.get_or_create(name="Bench pages")
        seeds = [path.read_text(encoding="utf-8") for path in sorted(corpus.SEEDS.glob("*.txt"))]
        for number in range(len(documents), wanted):
            text = f"{seeds[number % len(seeds)]}\nКопия {number}."
            documents.append(_own_document(project, source, f"Save target {number}", text).pk)
    return documents[:wanted]


def review_document(result: Corpus) -> int:
    """The document ``review_page_large`` opens: ``LARGE_DOCUMENT_CHARS`` characters, three
    annotators with ``REVIEW_DOCUMENT_SPANS`` spans each (``corpus.curation_spans``) and
    some gold. Made on first use, so that a corpus built before it existed can be reused."""
    if result.review_document:
        return result.review_document
    project = Project.objects.get(slug=result.project_slug)
    source, _ = Source.objects.get_or_create(name="Bench pages")
    text = "\n".join(corpus.synthetic_texts(1, size=LARGE_DOCUMENT_CHARS, seed=5))
    document = _own_document(project, source, "Large page to curate", text)
    (_, text, sentences), *_ = corpus.documents_with_sentences([document.pk])
    rng = random.Random(13)
    label_ids = list(Label.objects.filter(project=project).values_list("pk", flat=True))
    annotators = get_user_model().objects.filter(username__in=result.annotators).order_by("pk")
    writer = corpus.AnnotationWriter()
    spans = corpus.curation_spans(
        text,
        sentences,
        rng,
        annotators=REVIEW_DOCUMENT_ANNOTATORS,
        per_annotator=REVIEW_DOCUMENT_SPANS,
        labels=len(label_ids),
    )
    for annotator, own in zip(annotators, spans, strict=False):
        for start, end, label in own:
            writer.add(project.pk, document.pk, annotator.pk, label_ids[label], start, end, text)
    writer.flush()
    manager = get_user_model().objects.get(username=result.manager)
    GoldAnnotation.objects.bulk_create(
        GoldAnnotation(
            project=project,
            document=document,
            label_id=rng.choice(label_ids),
            start=start,
            end=end,
            quote=text[start:end],
            reviewer=manager,
        )
        for start, end in sorted(rng.sample(sentences, REVIEW_DOCUMENT_GOLD))
    )
    tallies_invalidate(project.pk, {document.pk})  # bulk-inserted gold: profiles are stale
    return document.pk


def save_targets(size, result: Corpus, labels: list, clients: int) -> list[list[tuple]]:
    """Each annotator's saves in order: ``(document, start, end, quote, label)``.

    An annotator works through their own documents one after another, marking up to
    ``SAVE_SPANS_PER_DOCUMENT`` passages of 1-12 words on each in reading order (about one
    per sentence, a thorough analyst's density), as the server snaps them. No two of an
    annotator's saves are the same passage, so every save is a new annotation.
    """
    rng = random.Random(5)
    per_client = -(-size.saves // clients)  # each annotator makes an even share
    documents = result.save_documents
    texts = dict(Document.objects.filter(pk__in=documents).values_list("pk", "text"))
    targets: list[list[tuple]] = []
    for i in range(clients):
        mine = documents[i * SAVE_DOCUMENTS_PER_ANNOTATOR : (i + 1) * SAVE_DOCUMENTS_PER_ANNOTATOR]
        saves: list[tuple] = []
        for pk in mine:
            text = texts[pk]
            spans = {
                snap(text, s, e)
                for s, e in corpus.word_spans(text, rng, 4 * SAVE_SPANS_PER_DOCUMENT)
            }
            chosen = sorted(rng.sample(sorted(spans), SAVE_SPANS_PER_DOCUMENT))
            saves += [(pk, s, e, text[s:e], rng.choice(labels).pk) for s, e in chosen]
            if len(saves) >= per_client:
                break
        if len(saves) < per_client:
            raise SystemExit(f"bench: {per_client} saves per annotator need more save documents")
        targets.append(saves[:per_client])
    return targets


def measure_http(
    size,
    port: int,
    result: Corpus,
    figures: list[dict],
    *,
    log,
    only: set[str] | None = None,
    requests: int | None = None,
) -> None:
    """Every HTTP figure; ``only``: just the figures of those names (``requests``: how many
    requests each of them makes, instead of the size's)."""
    from annotator.models import Label

    labels = {
        label.name: label for label in Label.objects.filter(project__slug=result.project_slug)
    }
    # A measurement starts from empty save targets (a --reuse run saved there before).
    Annotation.objects.filter(document_id__in=result.save_documents).delete()
    clients = []
    for username in result.annotators:
        session = Session("127.0.0.1", port)
        session.login(username, PASSWORD)
        clients.append(session)
    manager = Session("127.0.0.1", port)
    manager.login(result.manager, PASSWORD)

    save_url = {
        pk: reverse("annotation_create", kwargs={"slug": result.project_slug, "document_id": pk})
        for pk in result.save_documents
    }
    targets = save_targets(size, result, list(labels.values()), len(clients))
    client_index = {id(c): i for i, c in enumerate(clients)}

    def save(client: Session, index: int):
        pk, start, end, quote, label = targets[client_index[id(client)]][index]
        return client.post(
            save_url[pk],
            {"label": label, "start": start, "end": end, "quote": quote},
            headers={"HX-Request": "true"},
        )

    wanted = (lambda name: name in only) if only else (lambda name: True)
    if wanted("save_annotation"):
        log(f"save_annotation: {size.saves} saves from {len(clients)} concurrent annotators")
        timings = drive(clients, save, requests=size.saves, time_cap=size.time_cap, even=True)
        figure = timings.figure("save_annotation")
        figure["clients"] = len(clients)
        figure["rate"] = round(len(timings.seconds) / timings.wall, 1)
        figures.append(figure)
        _report(figure, timings, log)

    measure_api_saves(size, port, result, targets, figures, log=log)
    measure_api_import(port, result, figures, log=log)

    sources_url = reverse("sources") + f"?project={result.project_slug}"
    pages = [
        (
            "document_page_seed",
            clients[0],
            reverse(
                "document",
                kwargs={"slug": result.project_slug, "document_id": result.seed_document},
            ),
            size.page_requests,
        ),
        (
            "document_page_large",
            clients[0],
            reverse(
                "document",
                kwargs={"slug": result.project_slug, "document_id": result.large_document},
            ),
            size.large_page_requests,
        ),
        (
            "review_page_large",
            manager,
            reverse(
                "review",
                kwargs={"slug": result.project_slug, "document_id": result.review_document},
            ),
            size.large_page_requests,
        ),
        (
            "queue_page",
            clients[1],
            reverse("project", kwargs={"slug": result.project_slug}),
            size.page_requests,
        ),
        (
            "sources_page",
            manager,
            sources_url,
            size.page_requests // 4,
        ),
    ]
    changed = list(
        ProjectDocument.objects.filter(project__slug=result.project_slug)
        .order_by("id")
        .values_list("id", flat=True)[: size.page_requests]
    )

    def after_change(client: Session, index: int):
        # A label changed on one document (as a save does): the page recounts it and
        # computes its source's figures again; the other sources come from the cache.
        ProjectDocument.objects.filter(pk=changed[index % len(changed)]).update(
            labels_version=F("labels_version") + 1
        )
        return client.get(sources_url)

    search_url = reverse("search", kwargs={"slug": result.project_slug})
    pages += [
        (
            "search",
            clients[1],
            # Words of the seed texts, one and two at a time; the requests take them in turn.
            [f"{search_url}?q={quote_plus(words)}" for words in SEARCHES],
            size.page_requests // 4,
        ),
    ]
    for name, client, url, count in pages:
        if not wanted(name):
            continue
        count = requests or count
        urls = url if isinstance(url, list) else [url]
        body = b""
        try:
            _, body = client.get(urls[0])  # warm-up: the first request also fills caches
        except OSError as exc:
            log(f"{name}: the warm-up request failed ({exc!r})")
        timings = drive(
            [client],
            lambda c, i, urls=urls: c.get(urls[i % len(urls)]),
            requests=count,
            time_cap=size.time_cap,
        )
        figure = timings.figure(name)
        figure["clients"] = 1
        figure["html_bytes"] = len(body)
        figures.append(figure)
        _report(figure, timings, log)
    if not wanted("sources_after_change"):
        return
    timings = drive(
        [manager], after_change, requests=size.page_requests // 4, time_cap=size.time_cap
    )
    figure = timings.figure("sources_after_change")
    figure["clients"] = 1
    figures.append(figure)
    _report(figure, timings, log)


def _report(figure: dict, timings, log) -> None:
    log(
        f"{figure['name']}: p50 {figure['p50']} ms, p95 {figure['p95']} ms"
        + (f", {figure['rate']}/s" if "rate" in figure else "")
        + (f", {figure['html_bytes'] / 1e6:.2f} MB" if figure.get("html_bytes") else "")
        + (f", {len(timings.errors)} errors, first: {timings.errors[0]}" if timings.errors else "")
    )


def _api_token(username: str) -> str:
    from annotator.accounts.tokens import api_token_create

    user = get_user_model().objects.get(username=username)
    return api_token_create(user=user, name="benchmark")[1]


def measure_api_saves(size, port: int, result: Corpus, targets, figures: list[dict], *, log):
    """``api_save_annotation``: the same saves as ``save_annotation``, by the same number of
    concurrent annotators, through the API (JSON, a token each, the label by name)."""
    Annotation.objects.filter(document_id__in=result.save_documents).delete()
    names = dict(Label.objects.filter(project__slug=result.project_slug).values_list("pk", "name"))
    url = reverse("api-annotations", kwargs={"slug": result.project_slug})
    clients = [Session("127.0.0.1", port) for _ in result.annotators]
    tokens = {id(c): _api_token(name) for c, name in zip(clients, result.annotators, strict=True)}
    client_index = {id(c): i for i, c in enumerate(clients)}

    def save(client: Session, index: int):
        pk, start, end, quote, label = targets[client_index[id(client)]][index]
        body = {"document": pk, "label": names[label], "start": start, "end": end, "quote": quote}
        return client.post_json(url, body, tokens[id(client)])

    log(f"api_save_annotation: {size.saves} saves from {len(clients)} concurrent API clients")
    timings = drive(
        clients, save, requests=size.saves, time_cap=size.time_cap, even=True, expect=(201,)
    )
    figure = timings.figure("api_save_annotation")
    figure["clients"] = len(clients)
    figure["rate"] = round(len(timings.seconds) / timings.wall, 1)
    figures.append(figure)
    _report(figure, timings, log)


API_IMPORT_PROJECT = "bench-api-import"
API_IMPORT_DOCUMENTS = 1000
API_IMPORT_CHARS = 6000
API_IMPORT_RUNS = 3


def measure_api_import(port: int, result: Corpus, figures: list[dict], *, log) -> None:
    """``api_import_docs``: 1,000 documents of about 6,000 characters in one POST to the
    API's document import (JSON list), sentence splitting included; the median of
    ``API_IMPORT_RUNS`` runs, each into an emptied project."""
    project, _ = Project.objects.get_or_create(
        slug=API_IMPORT_PROJECT, defaults={"name": "Benchmark API import"}
    )
    manager = get_user_model().objects.get(username=result.manager)
    Membership.objects.get_or_create(project=project, user=manager, defaults={"role": "manager"})
    token = _api_token(result.manager)
    texts = list(corpus.synthetic_texts(API_IMPORT_DOCUMENTS, size=API_IMPORT_CHARS, seed=13))
    records = [
        {
            "text": text,
            "title": text.split("\n", 1)[0],
            "source": f"API source {number % 50:02d}",
            "source_kind": "news_site",
            "published_on": f"2025-{1 + number % 12:02d}-{1 + number % 28:02d}",
        }
        for number, text in enumerate(texts)
    ]
    url = reverse("api-documents", kwargs={"slug": API_IMPORT_PROJECT})
    client = Session("127.0.0.1", port, timeout=120)
    seconds, errors = [], []
    chars = sum(len(text) for text in texts)
    log(f"api_import_docs: {API_IMPORT_DOCUMENTS} documents, {chars} characters, one request")
    for _ in range(API_IMPORT_RUNS):
        Document.objects.filter(project_documents__project=project).delete()
        began = time.perf_counter()
        status, payload = client.post_json(url, records, token)
        elapsed = time.perf_counter() - began
        if status != 201 or b'"1000 documents added' not in payload:
            errors.append(f"{status}: {payload[:200]!r}")
        seconds.append(elapsed)
    seconds.sort()
    figure = total_figure(
        "api_import_docs",
        seconds[len(seconds) // 2],
        API_IMPORT_DOCUMENTS,
        runs=[round(s, 3) for s in seconds],
        characters=chars,
        errors=len(errors),
    )
    figure["phases"] = _import_phases(project, records)
    figures.append(figure)
    log(
        f"api_import_docs: median {figure['total']} s of {figure['runs']}; in process: "
        + ", ".join(f"{name} {value} s" for name, value in figure["phases"].items())
        + (f", errors: {errors[0]}" if errors else "")
    )


def _import_phases(project: Project, records: list[dict]) -> dict[str, float]:
    """The same import in this process, timed by phase (from the importer's progress)."""
    import json

    from annotator.datasets.imports.documents import import_upload
    from annotator.text.sentences import sentence_spans

    Document.objects.filter(project_documents__project=project).delete()
    body = json.dumps(records, ensure_ascii=False).encode()
    marks: dict[str, float] = {}
    began = time.perf_counter()
    import_upload(
        "request.json",
        body,
        project=project,
        on_progress=lambda done, total, phase: marks.setdefault(phase, time.perf_counter()),
    )
    ended = time.perf_counter()
    split, save = marks["Splitting sentences"], marks["Saving"]
    # razdel alone on the same texts, one by one in this process: the yardstick the target
    # is set against (the import may take 1.75 times this).
    razdel = time.perf_counter()
    for record in records:
        list(sentence_spans(record["text"]))
    razdel = time.perf_counter() - razdel
    return {
        "reading and checking": round(split - began, 3),
        # the texts handed to the splitter's helpers, which split while the writing runs
        "handing texts to the splitters": round(save - split, 3),
        "writing (sentences split meanwhile)": round(ended - save, 3),
        "total": round(ended - began, 3),
        "razdel alone": round(razdel, 3),
    }
