"""What the API reads and writes: the fields of each resource, as the issue names them.

Output serializers turn rows into JSON; input serializers check types and sizes only.
Whether a span fits the text, a label belongs to the project or a document may be seen
is decided by the same services and access rules as the pages.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from annotator.datasets.export.files import FORMATS
from annotator.models import (
    HOLDER_MAX_LENGTH,
    NOTE_MAX,
    Annotation,
    Document,
    GoldAnnotation,
    HolderKind,
    Job,
    Label,
    Project,
    Suggestion,
)
from annotator.workspace.annotations import HOLDER_FIELDS

OFFSET_MAX = 2**31 - 1


class LabelSerializer(serializers.ModelSerializer):
    class Meta:
        model = Label
        fields = ["name", "title", "description", "color", "hotkey", "order", "neutral"]


class ProjectSerializer(serializers.ModelSerializer):
    role = serializers.SerializerMethodField()
    labels = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = [
            "slug",
            "name",
            "description",
            "guidelines",
            "show_all_annotations",
            "role",
            "labels",
            "created_at",
        ]

    def get_role(self, project) -> str:
        """The caller's role in the project: annotator, reviewer or manager."""
        return self.context["roles"][project.pk]

    @extend_schema_field(LabelSerializer(many=True))
    def get_labels(self, project) -> list[dict]:
        """The project's labels in display order (prefetched by the view)."""
        return LabelSerializer(project.labels.all(), many=True).data


class DocumentSerializer(serializers.ModelSerializer):
    source = serializers.CharField(source="source.name")
    source_kind = serializers.CharField(source="source.kind")

    class Meta:
        model = Document
        fields = [
            "id",
            "title",
            "source",
            "source_kind",
            "author",
            "published_on",
            "url",
            "language",
            "text_sha256",
            "created_at",
            "updated_at",
        ]


class SentenceSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    start = serializers.IntegerField()
    end = serializers.IntegerField()


class DocumentDetailSerializer(DocumentSerializer):
    sentences = serializers.SerializerMethodField()

    class Meta(DocumentSerializer.Meta):
        fields = [*DocumentSerializer.Meta.fields, "text", "sentences"]

    @extend_schema_field(SentenceSerializer(many=True))
    def get_sentences(self, document) -> list[dict]:
        rows = document.sentences.order_by("index").values_list("index", "start", "end")
        return [{"index": i, "start": s, "end": e} for i, s, e in rows]


class DocumentInputSerializer(serializers.Serializer):
    """One document to import: the keys of an ``import_documents`` .jsonl line."""

    text = serializers.CharField()
    title = serializers.CharField(required=False)
    source = serializers.CharField(required=False)
    source_kind = serializers.ChoiceField(
        choices=["news_site", "agency", "telegram", "vk", "blog", "other"], required=False
    )
    author = serializers.CharField(required=False)
    published_on = serializers.DateField(required=False)
    url = serializers.URLField(required=False)
    language = serializers.CharField(required=False)


class ImportedDocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    text_sha256 = serializers.CharField()
    imported_from = serializers.CharField(help_text='e.g. "request.json item 3"')


class ImportReportSerializer(serializers.Serializer):
    summary = serializers.CharField()
    added = ImportedDocumentSerializer(many=True)
    duplicates = serializers.ListField(child=serializers.CharField())
    rejected = serializers.ListField(child=serializers.CharField())
    repeats = serializers.ListField(child=serializers.CharField())
    encodings = serializers.DictField(child=serializers.CharField())


class AnnotationSerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="label.name")

    class Meta:
        model = Annotation
        fields = [
            "id",
            "document",
            "label",
            "start",
            "end",
            "quote",
            "note",
            "created_at",
            "updated_at",
            *HOLDER_FIELDS,
        ]


_TIME = serializers.DateTimeField()


def annotation_json(annotation: Annotation) -> dict:
    """``AnnotationSerializer(annotation).data``, written out: the save path answers with
    it, and building a model serializer's fields cost more than the save itself."""
    return {
        "id": annotation.pk,
        "document": annotation.document_id,
        "label": annotation.label.name,
        "start": annotation.start,
        "end": annotation.end,
        "quote": annotation.quote,
        "note": annotation.note,
        "created_at": _TIME.to_representation(annotation.created_at),
        "updated_at": _TIME.to_representation(annotation.updated_at),
        "holder_kind": annotation.holder_kind,
        "holder": annotation.holder,
        "cue_start": annotation.cue_start,
        "cue_end": annotation.cue_end,
    }


class HolderFields(serializers.Serializer):
    """Whose voice the passage is in (optional; checked by the same rule as the page's
    holder field: ``annotator.models.spans.check_holder``)."""

    holder_kind = serializers.ChoiceField(choices=HolderKind.choices, required=False)
    holder = serializers.CharField(
        trim_whitespace=False, allow_blank=True, max_length=HOLDER_MAX_LENGTH, required=False
    )
    cue_start = serializers.IntegerField(
        min_value=0, max_value=OFFSET_MAX, allow_null=True, required=False
    )
    cue_end = serializers.IntegerField(
        min_value=0, max_value=OFFSET_MAX, allow_null=True, required=False
    )


def holder_data(data: dict) -> dict:
    """The holder fields given in ``data`` (validated), and only those."""
    return {name: data[name] for name in HOLDER_FIELDS if name in data}


class AnnotationCreateSerializer(HolderFields):
    """A selection to save: offsets in code points and the text the client saw there."""

    document = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    label = serializers.CharField(max_length=50, help_text="The label's name.")
    start = serializers.IntegerField(min_value=0, max_value=OFFSET_MAX)
    end = serializers.IntegerField(min_value=0, max_value=OFFSET_MAX)
    quote = serializers.CharField(trim_whitespace=False, allow_blank=True)
    note = serializers.CharField(
        trim_whitespace=False, allow_blank=True, max_length=NOTE_MAX, required=False
    )


class AnnotationUpdateSerializer(HolderFields):
    label = serializers.CharField(max_length=50, required=False)
    note = serializers.CharField(
        trim_whitespace=False, allow_blank=True, max_length=NOTE_MAX, required=False
    )

    def validate(self, data):
        if not data:
            raise serializers.ValidationError(
                "Nothing to change: give a label, a note or holder fields."
            )
        return data


class GoldSerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="label.name")
    reviewer = serializers.CharField(source="reviewer.username", allow_null=True)

    class Meta:
        model = GoldAnnotation
        fields = [
            "id",
            "document",
            "label",
            "start",
            "end",
            "quote",
            "note",
            "reviewer",
            "created_at",
            "updated_at",
            *HOLDER_FIELDS,
        ]


class PredictionSerializer(serializers.ModelSerializer):
    """A model's prediction: a suggestion whose agent is the model."""

    label = serializers.CharField(source="label.name")

    class Meta:
        model = Suggestion
        fields = [
            "id",
            "document",
            "label",
            "start",
            "end",
            "quote",
            "score",
            "agent",
            "agent_version",
            "created_at",
        ]


class PredictionInputSerializer(serializers.Serializer):
    document = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    label = serializers.CharField(max_length=50)
    start = serializers.IntegerField(min_value=0, max_value=OFFSET_MAX)
    end = serializers.IntegerField(min_value=0, max_value=OFFSET_MAX)
    quote = serializers.CharField(trim_whitespace=False, required=False)
    score = serializers.FloatField(min_value=0, max_value=1)
    agent = serializers.CharField(max_length=100)
    agent_version = serializers.CharField(max_length=100, required=False, default="")


class ExportInputSerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=[*FORMATS, "sentences-csv"])
    sources = serializers.ListField(child=serializers.CharField(), required=False)
    annotators = serializers.ListField(child=serializers.CharField(), required=False)
    since = serializers.DateField(required=False, allow_null=True)
    gold_only = serializers.BooleanField(required=False, default=False)
    bom = serializers.BooleanField(required=False, default=False)
    raw = serializers.BooleanField(required=False, default=False)


class JobSerializer(serializers.ModelSerializer):
    project = serializers.CharField(source="project.slug", allow_null=True)
    download = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "state",
            "phase",
            "done",
            "total",
            "error",
            "result",
            "parameters",
            "project",
            "created_at",
            "started_at",
            "finished_at",
            "expires_at",
            "download",
        ]

    def get_download(self, job) -> str | None:
        """The file's URL while it is kept, else null."""
        return self.context["download"](job)
