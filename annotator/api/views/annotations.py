"""The caller's annotations: list, create, change, delete, through the page's services.

One service, two front doors: a span saved here is checked against the text and the
quote, snapped to word boundaries, recorded in the audit trail and undone by the page's
Undo exactly as one saved on the page. Annotation is blind: the list is the caller's
own, and another user's annotation is not found (404) — except that reviewers and
managers of a project showing all annotations may read everyone's (``annotator``).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from annotator.access import (
    can_see_everyone,
    member_document,
    own_annotation,
    project_for_member,
    visible_documents,
)
from annotator.api.filters import bad, parse_id, parse_since, source_named
from annotator.api.serializers import (
    AnnotationCreateSerializer,
    AnnotationSerializer,
    AnnotationUpdateSerializer,
    annotation_json,
    holder_data,
)
from annotator.api.views.base import SLUG, ProjectView, path_id, query
from annotator.models import Annotation, Label
from annotator.workspace import annotations as services
from annotator.workspace.selectors import project_labels
from annotator.workspace.services import selection_span

EVERYONE = "*"


def label_named(labels, name: str) -> Label:
    """The project's label called ``name`` (400 naming the project's labels if none)."""
    for label in labels:
        if label.name == name:
            return label
    names = ", ".join(label.name for label in labels)
    raise bad("label", f"No label '{name[:50]}' in this project (use one of: {names}).")


def span_filters(request, project, rows, *, changed: str = "updated_at"):
    """The ``document``, ``source``, ``label`` and ``updated_since`` filters of span lists
    (``changed``: the rows' field that ``updated_since`` compares)."""
    params = request.query_params
    document_id = parse_id(params, "document")
    if document_id is not None:
        rows = rows.filter(document_id=document_id)
    source_id = source_named(params)
    if source_id is not None:
        rows = rows.filter(document__source_id=source_id)
    if params.get("label"):
        rows = rows.filter(label__name=params["label"])
    since = parse_since(params)
    if since is not None:
        rows = rows.filter(**{f"{changed}__gte": since})
    return rows


SPAN_FILTERS = [
    query("document", OpenApiTypes.INT, "Only this document's spans."),
    query("source", OpenApiTypes.STR, "Only spans in this source's documents (its name)."),
    query("label", OpenApiTypes.STR, "Only this label's spans (its name)."),
    query("updated_since", OpenApiTypes.DATETIME, "Created or changed on or after this time."),
]


class AnnotationList(ProjectView):
    serializer_class = AnnotationSerializer

    @extend_schema(
        summary="Your annotations in the project",
        parameters=[
            SLUG,
            *SPAN_FILTERS,
            query(
                "annotator",
                OpenApiTypes.STR,
                "Another annotator's username, or * for everyone's: only for reviewers and "
                "managers of a project that shows all annotations.",
            ),
        ],
        responses=AnnotationSerializer(many=True),
    )
    def get(self, request, slug):
        project, membership = self.member()
        rows = Annotation.objects.filter(
            project=project, document__in=visible_documents(project, membership).values("pk")
        )
        wanted = request.query_params.get("annotator", "")
        if wanted and wanted != request.user.get_username():
            if not can_see_everyone(project, membership):
                raise PermissionDenied(
                    "Annotation is blind: only reviewers and managers of a project that "
                    "shows all annotations can read other annotators' annotations."
                )
            if wanted != EVERYONE:
                user = get_user_model().objects.filter(username=wanted).first()
                rows = rows.filter(annotator_id=user.pk if user else 0)
        else:
            rows = rows.filter(annotator_id=request.user.pk)
        rows = span_filters(request, project, rows).select_related("label")
        rows = rows.order_by("document_id", "start", "end", "id")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(AnnotationSerializer(page, many=True).data)

    @extend_schema(
        summary="Save a selection as your annotation",
        description=(
            "As the document page saves one: `start` and `end` are code points into the "
            "document's text and `quote` is the text between them as you saw it; both are "
            "checked, then the span is snapped to word boundaries (the answer has the "
            "stored offsets). Recorded in the audit trail; the page's Undo undoes it."
        ),
        parameters=[SLUG],
        request=AnnotationCreateSerializer,
        responses={201: AnnotationSerializer},
    )
    def post(self, request, slug):
        data = self.valid(AnnotationCreateSerializer, request.data)
        try:
            project, _, document = member_document(request.user, slug, data["document"])
        except Http404:
            project_for_member(request.user, slug)  # 404 unless the project is the caller's
            raise ValidationError(
                {"document": [f"No document {data['document']} in this project."]}
            ) from None
        label = label_named(project_labels(project).values(), data["label"])
        start, end = selection_span(
            text=document.text, start=data["start"], end=data["end"], quote=data["quote"]
        )
        annotation = services.annotation_create(
            project=project,
            document=document,
            annotator=request.user,
            label=label,
            start=start,
            end=end,
            quote=document.text[start:end],
            note=data.get("note", ""),
            **holder_data(data),
        )
        return Response(annotation_json(annotation), status=status.HTTP_201_CREATED)


class AnnotationDetail(ProjectView):
    serializer_class = AnnotationSerializer
    http_method_names = ["get", "patch", "delete", "options"]

    def own(self, annotation_id: int) -> Annotation:
        project, membership = self.member()
        annotation = own_annotation(project, membership, annotation_id)
        annotation.project = project
        return annotation

    @extend_schema(
        summary="One of your annotations",
        parameters=[SLUG, path_id("annotation_id", "The annotation's id.")],
    )
    def get(self, request, slug, annotation_id):
        return Response(AnnotationSerializer(self.own(annotation_id)).data)

    @extend_schema(
        summary="Change your annotation's label, note or holder",
        parameters=[SLUG, path_id("annotation_id", "The annotation's id.")],
        request=AnnotationUpdateSerializer,
        responses={200: AnnotationSerializer},
    )
    def patch(self, request, slug, annotation_id):
        annotation = self.own(annotation_id)
        data = self.valid(AnnotationUpdateSerializer, request.data)
        label = None
        if "label" in data:
            label = label_named(project_labels(annotation.project).values(), data["label"])
        services.annotation_update(
            annotation=annotation,
            actor=request.user,
            label=label,
            note=data.get("note"),
            holder=holder_data(data) or None,
        )
        return Response(AnnotationSerializer(annotation).data)

    @extend_schema(
        summary="Delete your annotation (the page's Undo brings it back)",
        parameters=[SLUG, path_id("annotation_id", "The annotation's id.")],
        responses={204: None},
    )
    def delete(self, request, slug, annotation_id):
        services.annotation_delete(annotation=self.own(annotation_id), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
