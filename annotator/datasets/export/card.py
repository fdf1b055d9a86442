"""The dataset card (README.md in the Hugging Face card format) of an export bundle.

It makes the unzipped bundle loadable by ``datasets`` (its YAML header) and tells whoever
receives it what the files hold: labels, sources, counts, agreement and how it was exported.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence

from annotator.datasets.export.formats.label_studio import LABEL_STUDIO_USER_FIELD
from annotator.datasets.export.formats.sentences import SentenceTable
from annotator.datasets.export.plan import DocumentRecord, ExportPlan
from annotator.models import Source
from annotator.stats.agreement import AlphaTally


class CardStats:
    """Counts the card reports, gathered while the bundle is written."""

    def __init__(self, plan: ExportPlan) -> None:
        self.plan = plan
        self.documents = 0
        self.sentences = 0
        self.annotations = 0
        self.gold = 0
        self.documents_by_source: Counter[str] = Counter()
        self.spans_by_source: Counter[tuple[str, str]] = Counter()
        self.gold_by_source: Counter[tuple[str, str]] = Counter()
        self.languages: set[str] = set()
        # Values are the labels in label order, then "no label" (a value too).
        self.codes: dict[str | None, int] = {
            name: i for i, name in enumerate([*plan.label_order, None])
        }
        self.agreement = AlphaTally(len(self.codes))

    def observe_sentence(self, labels: Sequence[str | None]) -> None:
        """The labels the annotators who worked on a document gave one of its sentences."""
        self.agreement.observe([self.codes[label] for label in labels])

    def observe(self, record: DocumentRecord) -> None:
        source = record.source["name"]
        self.documents += 1
        self.documents_by_source[source] += 1
        self.annotations += len(record.annotations)
        self.gold += len(record.gold)
        if record.language:
            self.languages.add(record.language)
        for span in record.annotations:
            self.spans_by_source[source, span.label] += 1
        for span in record.gold:
            self.gold_by_source[source, span.label] += 1


def size_category(n: int) -> str:
    for limit, name in (
        (1_000, "n<1K"),
        (10_000, "1K<n<10K"),
        (100_000, "10K<n<100K"),
        (1_000_000, "100K<n<1M"),
        (10_000_000, "1M<n<10M"),
    ):
        if n < limit:
            return name
    return "10M<n<100M"


def _q(value: str) -> str:
    """A YAML scalar (JSON strings are valid YAML)."""
    return json.dumps(value, ensure_ascii=False)


def _cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(_cell(h) for h in header) + " |"]
    lines.append("|" + " --- |" * len(header))
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return lines


def _features(fields: Sequence[tuple[str, str | list]], indent: str) -> list[str]:
    """Hugging Face ``features`` YAML: (name, dtype) or (name, [subfields]) for a list."""
    lines = []
    for name, kind in fields:
        lines.append(f"{indent}- name: {name}")
        if isinstance(kind, list):
            lines.append(f"{indent}  list:")
            lines += _features(kind, indent + "  ")
        elif kind == "source":
            lines.append(f"{indent}  struct:")
            lines += _features(
                [(k, "string") for k in ("name", "kind", "country", "language")], indent + "  "
            )
        else:
            lines.append(f"{indent}  dtype: {kind}")
    return lines


SPAN_FEATURES = [
    ("start", "int64"),
    ("end", "int64"),
    ("label", "string"),
    ("quote", "string"),
    ("{user}", "string"),
    ("note", "string"),
    ("created", "string"),
    ("updated", "string"),
    ("holder_kind", "string"),
    ("holder", "string"),
    ("cue_start", "int64"),
    ("cue_end", "int64"),
    ("suggested", "bool"),
    ("suggestion_agent", "string"),
    ("suggestion_score", "float64"),
]


def _span_features(user_field: str) -> list[tuple[str, str]]:
    return [(user_field if name == "{user}" else name, kind) for name, kind in SPAN_FEATURES]


def _yaml_header(plan: ExportPlan, stats: CardStats, with_gold: bool) -> list[str]:
    document_fields: list[tuple[str, str | list]] = [
        ("id", "int64"),
        ("source", "source"),
        ("title", "string"),
        ("author", "string"),
        ("url", "string"),
        ("published", "string"),
        ("language", "string"),
        ("text", "string"),
        ("annotations", _span_features("annotator")),
    ]
    if with_gold:
        document_fields += [
            ("reviewed_at", "string"),
            ("reviewed_by", "string"),
            ("gold", _span_features("reviewer")),
        ]
    lines = ["---", "language:"]
    lines += [f"- {_q(language)}" for language in sorted(stats.languages or {"ru"})]
    lines += [
        "license: unknown  # placeholder: choose the licence before publishing",
        f"pretty_name: {_q(plan.project.name)}",
        "task_categories:",
        "- text-classification",
        "- token-classification",
        "size_categories:",
        f"- {size_category(stats.documents)}",
        "configs:",
        "- config_name: documents",
        "  data_files: documents.jsonl",
        "  default: true",
        "dataset_info:",
        "- config_name: documents",
        "  features:",
    ]
    lines += _features(document_fields, "  ")
    lines.append("---")
    return lines


def _label_tables(plan: ExportPlan, stats: CardStats) -> list[str]:
    names = plan.label_order
    lines: list[str] = []
    for title, counts, shown in (
        ("Annotators' spans per source and label", stats.spans_by_source, stats.annotations),
        ("Gold spans per source and label", stats.gold_by_source, stats.gold),
    ):
        if not shown:
            continue
        rows = [
            [source] + [counts[source, name] for name in names]
            for source in sorted(stats.documents_by_source)
        ]
        rows.append(
            ["**all**"]
            + [sum(counts[source, name] for source in stats.documents_by_source) for name in names]
        )
        lines += ["", f"### {title}", ""] + _table(["source", *names], rows)
    return lines


def dataset_card(plan: ExportPlan, stats: CardStats, table: SentenceTable) -> str:
    """The README.md of an export bundle."""
    with_gold = plan.has_adjudication()
    project = plan.project
    lines = _yaml_header(plan, stats, with_gold)
    lines += ["", f"# {project.name}", ""]
    if project.description:
        lines += [project.description, ""]
    lines += [
        "News texts whose passages analysts labelled as "
        + ", ".join(f"**{name}**" for name in plan.label_order)
        + ". Every annotator's spans are kept (overlaps included)"
        + (", with the reviewers' adjudicated gold spans." if with_gold else "."),
        "",
        f"- documents: {stats.documents}",
        f"- sentences: {stats.sentences}",
        f"- annotators' spans: {stats.annotations}",
        f"- gold spans: {stats.gold}",
        f"- annotators: {len(table.annotators)}",
        "",
        "## Labels",
        "",
    ]
    lines += _table(
        ["label", "title", "definition"],
        [[label.name, label.title, label.description] for label in plan.labels],
    )
    lines += ["", "## Files and fields", ""]
    lines += [
        "Offsets (`start`, `end`) everywhere are **Unicode code points** into the exported "
        "`text` (Python string indices): `text[start:end] == quote`. JavaScript tools count "
        "UTF-16 units instead; convert before using them there.",
        "",
        "- `documents.jsonl` (config `documents`): one document per line: `id`, `source` "
        "(`name`, `kind`, `country`, `language`), `title`, `author`, `url`, `published`, "
        "`language`, `text`, and `annotations` (`start`, `end`, `label`, `quote`, "
        "`annotator`, `note`, `created`, `updated`, whose voice the passage is in: "
        "`holder_kind` (`author`: the outlet's own; `attributed`: a named or described "
        "holder; `unclear`: none or a vague one), `holder` (e.g. «Касым-Жомарт Токаев», "
        "empty for the author) and the cue's offsets `cue_start`, `cue_end` (null when "
        "not marked), and `suggested`, `suggestion_agent`, `suggestion_score`: whether the "
        "annotator accepted the label from a suggestion, from which agent and with what "
        "score)"
        + (
            "; `reviewed_at`, `reviewed_by` and `gold` (the same fields, `reviewer` for "
            "`annotator`)."
            if with_gold
            else "."
        ),
        "- `sentences.parquet`: one row per sentence: "
        + ", ".join(f"`{c}`" for c in table.columns)
        + ". A sentence's label is the label covering most of its characters (more than "
        "half), else null. `majority_label` is the label more annotators gave than any "
        'other answer, "no label" counting as an answer; a tie gives null.'
        + (
            " `gold_label` is the gold label; `reviewed` says the document was adjudicated "
            "(a null gold label then means no label)."
            if plan.include_gold
            else ""
        )
        + " A sentence's holder columns are those of the span covering most of it."
        + (
            " `suggested_<annotator>` says the annotator's label of the sentence came from an "
            "accepted suggestion; `suggested`, `suggestion_agent` and `suggestion_score`: "
            "whether anyone's did, and the highest-scoring such suggestion."
            if plan.include_annotations
            else ""
        ),
        "",
        "Loading:",
        "",
        "```python",
        "from datasets import load_dataset",
        "",
        'documents = load_dataset("json", data_files="documents.jsonl", split="train")',
        'sentences = load_dataset("parquet", data_files="sentences.parquet", split="train")',
        "```",
        "",
        "Label Studio exports of this project carry each annotation's username in its "
        f"`{LABEL_STUDIO_USER_FIELD}` field (Label Studio ignores it) and mark gold as "
        "`ground_truth`; doccano exports count offsets in UTF-16 units, as doccano does.",
        "",
        "## Sources",
        "",
    ]
    sources = {s.name: s for s in Source.objects.filter(name__in=stats.documents_by_source)}
    lines += _table(
        ["source", "kind", "country", "language", "documents"],
        [
            [name, sources[name].get_kind_display(), sources[name].country or "–"]
            + [sources[name].language or "–", count]
            for name, count in sorted(stats.documents_by_source.items())
        ],
    )
    lines += ["", "## Labels per source"]
    lines += _label_tables(plan, stats)
    lines += ["", "## Agreement", ""]
    alpha = stats.agreement.alpha
    if alpha is None:
        lines.append("No sentence was labelled by two or more annotators: no agreement figure.")
    else:
        lines.append(
            f"Krippendorff's alpha (nominal) over sentence labels: **{alpha:.3f}**, on "
            f"{stats.agreement.units} sentences of documents at least two annotators "
            "worked on (no label counts as a value)."
        )
    lines += ["", "## Export", ""]
    lines.append(f"Exported on {plan.exported_at.isoformat(timespec='seconds')} with filters:")
    lines.append("")
    lines += [f"- {name}: {_q(value)}" for name, value in plan.filters.describe().items()]
    lines += [
        "",
        "CSV exports made with these settings:",
        "",
        "- csv cells: raw (text exactly as written; a spreadsheet may run a cell starting "
        "with `=`, `+`, `-` or `@` as a formula)"
        if plan.raw
        else "- csv cells: spreadsheet-safe (a cell starting with `=`, `+`, `-`, `@`, a tab "
        "or a carriage return is prefixed with `'`, so spreadsheets show it as text)",
        "",
        "`documents.jsonl` and `sentences.parquet` hold the text unaltered either way.",
        "",
    ]
    return "\n".join(lines)
