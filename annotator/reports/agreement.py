"""Agreement figures of a project (or some of its documents), read from the database.

Items are sentences: each annotator's label for a sentence is that of the most specific span
covering more than half of it (``annotator.stats.sentence_labels``), or ``none``. An
annotator has *coded* a document when they put at least one annotation on it or marked it
done; documents they never coded are missing for them, not ``none``. Character-level
alpha takes every character of the documents coded by two or more annotators as an item
(see ``agreement.character_units``).

Everything is fetched with ``values_list`` (no model instances) and computed with numpy,
so a project with 100,000 annotations is measured in seconds.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field

import numpy as np
from django.contrib.auth import get_user_model
from django.db.models.functions import Length

from annotator.models import (
    Annotation,
    Document,
    DocumentProgress,
    Project,
    ProjectDocument,
    Sentence,
)
from annotator.reports.holder_agreement import project_holder_agreement
from annotator.stats import agreement
from annotator.stats.holders import HolderAgreement
from annotator.stats.sentence_labels import sentence_labels

NONE = "none"


@dataclass
class Figures:
    alpha: float | None
    ac1: float | None
    observed: float | None
    items: int  # pairable items (sentences, or characters)
    values: int  # labels those items carry
    documents: int


@dataclass
class LabelFigures:
    label: str
    alpha: float | None
    uses: int  # pairable labels that are this label
    items: int


@dataclass
class PairFigures:
    a: str
    b: str
    kappa: float | None
    observed: float | None
    items: int


@dataclass
class DocumentFigures:
    id: int
    title: str
    source: str
    reviewed: bool
    annotators: int
    sentences: int
    alpha: float | None
    ac1: float | None
    observed: float | None
    disagreements: int


@dataclass
class Disagreement:
    document_id: int
    document_title: str
    sentence: int  # the sentence's index in the document
    start: int
    end: int
    agreement: float  # share of agreeing annotator pairs
    labels: dict[str, str]  # annotator -> label or "none"
    quote: str = ""


@dataclass
class SentenceTable:
    """Every sentence of the documents coded by two or more annotators, with its codes."""

    documents: np.ndarray
    indexes: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    codes: np.ndarray  # annotators × sentences; label index, len(labels) = none, or MISSING
    counts: np.ndarray  # sentences × values


@dataclass
class AgreementReport:
    project: str
    labels: list[str]  # the values: the project's labels, then "none"
    annotators: list[str]
    sentence: Figures
    per_label: list[LabelFigures]
    pairs: list[PairFigures]
    character: Figures
    documents: list[DocumentFigures]
    disagreements: list[Disagreement]
    disagreement_total: int
    table: SentenceTable | None = field(default=None, repr=False)
    holders: HolderAgreement | None = None

    def kappa_rows(self) -> list[tuple[str, list[PairFigures | None]]]:
        """The kappa matrix as rows (annotator, [pair or None on the diagonal])."""
        by_pair = {}
        for pair in self.pairs:
            by_pair[pair.a, pair.b] = by_pair[pair.b, pair.a] = pair
        return [(a, [by_pair.get((a, b)) for b in self.annotators]) for a in self.annotators]

    def to_dict(self) -> dict:
        data = asdict(self)
        data.pop("table")
        return data


# Disagreements listed by the command's JSON and the API (the page lists 100).
DISAGREEMENTS_LISTED = 50


def agreement_json(project: Project) -> dict:
    """The agreement report as ``manage.py agreement --format json`` and the API give it."""
    return project_agreement(project, disagreement_limit=DISAGREEMENTS_LISTED).to_dict()


def _label_names(project: Project) -> tuple[list[int], list[str]]:
    rows = list(project.labels.in_display_order().values_list("id", "name"))
    return [row[0] for row in rows], [row[1] for row in rows]


def project_agreement(
    project: Project, *, document_ids: list[int] | None = None, disagreement_limit: int = 100
) -> AgreementReport:
    label_ids, label_names = _label_names(project)
    label_index = {label_id: i for i, label_id in enumerate(label_ids)}
    none_value = len(label_ids)
    n_values = none_value + 1

    project_documents = ProjectDocument.objects.filter(project=project)
    annotations = Annotation.objects.filter(project=project)
    progress = DocumentProgress.objects.filter(project=project, done_at__isnull=False)
    sentences = Sentence.objects.filter(document__project_documents__project=project)
    if document_ids is not None:
        project_documents = project_documents.filter(document_id__in=document_ids)
        annotations = annotations.filter(document_id__in=document_ids)
        progress = progress.filter(document_id__in=document_ids)
        sentences = sentences.filter(document_id__in=document_ids)

    docs = {
        row[0]: row[1:]
        for row in project_documents.annotate(length=Length("document__text")).values_list(
            "document_id", "document__title", "document__source__name", "length", "reviewed_at"
        )
    }
    spans_by_coder: dict[tuple[int, int], list[tuple[int, int, int]]] = defaultdict(list)
    for doc_id, annotator_id, label_id, start, end in annotations.values_list(
        "document_id", "annotator_id", "label_id", "start", "end"
    ):
        if doc_id in docs:
            spans_by_coder[doc_id, annotator_id].append((start, end, label_id))
    coded_pairs = set(spans_by_coder)
    coded_pairs.update(pair for pair in progress.values_list("document_id", "annotator_id"))
    coded_pairs = {pair for pair in coded_pairs if pair[0] in docs}

    user_ids = sorted({annotator_id for _, annotator_id in coded_pairs})
    names = dict(get_user_model().objects.filter(id__in=user_ids).values_list("id", "username"))
    annotator_ids = sorted(user_ids, key=lambda uid: names[uid])
    row_of = {uid: i for i, uid in enumerate(annotator_ids)}
    coders_of: dict[int, list[int]] = defaultdict(list)
    for doc_id, annotator_id in coded_pairs:
        coders_of[doc_id].append(annotator_id)
    shared_docs = sorted(doc_id for doc_id, coders in coders_of.items() if len(coders) >= 2)

    table = _sentence_table(
        sentences,
        set(shared_docs),
        coders_of,
        spans_by_coder,
        row_of,
        label_ids,
        label_index,
        none_value,
    )
    counts = table.counts
    sentence_figures = Figures(
        alpha=agreement.krippendorff_alpha(counts),
        ac1=agreement.gwet_ac1(counts),
        observed=agreement.observed_agreement(counts),
        items=agreement.pairable_items(counts),
        values=agreement.pairable_values(counts),
        documents=len(shared_docs),
    )
    values_used = counts[counts.sum(axis=1) >= 2].sum(axis=0)
    per_label = [
        LabelFigures(
            label=name,
            alpha=agreement.krippendorff_alpha(agreement.one_vs_rest(counts, i)),
            uses=int(values_used[i]),
            items=sentence_figures.items,
        )
        for i, name in enumerate(label_names)
    ]
    pairs = [
        PairFigures(
            a=names[annotator_ids[p.a]],
            b=names[annotator_ids[p.b]],
            kappa=p.kappa,
            observed=p.observed,
            items=p.items,
        )
        for p in agreement.kappa_matrix(table.codes, n_values)
    ]
    character = _character_figures(
        shared_docs, docs, coders_of, spans_by_coder, row_of, label_index
    )

    per_item = agreement.item_agreement(counts)
    coders = counts.sum(axis=1)
    disagree = np.flatnonzero((coders >= 2) & (per_item < 1))
    document_figures = []
    slices = dict(agreement.group_slices(table.documents))
    for doc_id in sorted(docs, key=lambda d: (docs[d][1], docs[d][0], d)):
        title, source, _, reviewed_at = docs[doc_id]
        part = counts[slices[doc_id]] if doc_id in slices else np.zeros((0, n_values))
        rows = slices.get(doc_id, slice(0, 0))
        document_figures.append(
            DocumentFigures(
                id=doc_id,
                title=title,
                source=source,
                reviewed=reviewed_at is not None,
                annotators=len(coders_of.get(doc_id, ())),
                sentences=agreement.pairable_items(part),
                alpha=agreement.krippendorff_alpha(part),
                ac1=agreement.gwet_ac1(part),
                observed=agreement.observed_agreement(part),
                disagreements=int(((coders[rows] >= 2) & (per_item[rows] < 1)).sum()),
            )
        )

    order = np.lexsort(
        (table.indexes[disagree], table.documents[disagree], -coders[disagree], per_item[disagree])
    )
    value_names = [*label_names, NONE]
    disagreements = []
    for item in disagree[order][:disagreement_limit]:
        doc_id = int(table.documents[item])
        labels = {
            names[annotator_ids[row]]: value_names[code]
            for row, code in enumerate(table.codes[:, item])
            if code != agreement.MISSING
        }
        disagreements.append(
            Disagreement(
                document_id=doc_id,
                document_title=docs[doc_id][0],
                sentence=int(table.indexes[item]),
                start=int(table.starts[item]),
                end=int(table.ends[item]),
                agreement=float(per_item[item]),
                labels=labels,
            )
        )

    texts = dict(
        Document.objects.filter(id__in={d.document_id for d in disagreements}).values_list(
            "id", "text"
        )
    )
    for item in disagreements:
        item.quote = texts[item.document_id][item.start : item.end]

    return AgreementReport(
        project=project.slug,
        labels=value_names,
        annotators=[names[uid] for uid in annotator_ids],
        sentence=sentence_figures,
        per_label=per_label,
        pairs=pairs,
        character=character,
        documents=document_figures,
        disagreements=disagreements,
        disagreement_total=len(disagree),
        table=table,
        holders=project_holder_agreement(project, document_ids),
    )


def _sentence_table(
    sentences,
    shared_docs: set[int],
    coders_of: dict[int, list[int]],
    spans_by_coder: dict[tuple[int, int], list[tuple[int, int, int]]],
    row_of: dict[int, int],
    label_ids: list[int],
    label_index: dict[int, int],
    none_value: int,
) -> SentenceTable:
    rows = np.array(
        [
            row
            for row in sentences.order_by("document_id", "index").values_list(
                "document_id", "index", "start", "end"
            )
            if row[0] in shared_docs
        ],
        dtype=np.int64,
    ).reshape(-1, 4)
    documents, indexes, starts, ends = rows.T
    codes = np.full((len(row_of), len(rows)), agreement.MISSING, dtype=np.int64)
    for doc_id, part in agreement.group_slices(documents):
        bounds = list(zip(starts[part].tolist(), ends[part].tolist(), strict=True))
        for annotator_id in coders_of[doc_id]:
            spans = spans_by_coder.get((doc_id, annotator_id), [])
            labels = sentence_labels(bounds, spans, label_ids)
            codes[row_of[annotator_id], part] = [
                none_value if label is None else label_index[label] for label in labels
            ]
    counts = agreement.value_counts(codes, none_value + 1)
    return SentenceTable(documents, indexes, starts, ends, codes, counts)


def _character_figures(
    shared_docs: list[int],
    docs: dict,
    coders_of: dict[int, list[int]],
    spans_by_coder: dict[tuple[int, int], list[tuple[int, int, int]]],
    row_of: dict[int, int],
    label_index: dict[int, int],
) -> Figures:
    position = {doc_id: i for i, doc_id in enumerate(shared_docs)}
    lengths = [docs[doc_id][2] for doc_id in shared_docs]
    coded = np.zeros((len(shared_docs), len(row_of)), dtype=bool)
    for doc_id in shared_docs:
        for annotator_id in coders_of[doc_id]:
            coded[position[doc_id], row_of[annotator_id]] = True
    spans = [
        (position[doc_id], row_of[annotator_id], label_index[label_id], start, end)
        for (doc_id, annotator_id), doc_spans in spans_by_coder.items()
        if doc_id in position
        for start, end, label_id in doc_spans
    ]
    units = agreement.character_units(lengths, coded, np.array(spans, dtype=np.int64))
    pairable = units.counts.sum(axis=1) >= 2
    return Figures(
        alpha=agreement.weighted_nominal_alpha(units.counts, units.weights),
        ac1=None,
        observed=agreement.observed_agreement(units.counts, units.weights),
        items=int(units.weights[pairable].sum()),
        values=int((units.counts.sum(axis=1) * units.weights)[pairable].sum()),
        documents=len(shared_docs),
    )
