"""A model's predicted spans: pushed by reviewers and managers (one or a list, all or
nothing), read by every member (the assisted-labelling pages show them as suggestions).
They are stored apart from annotations and never count as anyone's work."""

from __future__ import annotations

from django.db import transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from annotator.access import visible_documents
from annotator.api.serializers import PredictionInputSerializer, PredictionSerializer
from annotator.api.views.annotations import SPAN_FILTERS, span_filters
from annotator.api.views.base import SLUG, ProjectView, path_id, query
from annotator.models import Document, Prediction, SpanValidationError, check_span
from annotator.workspace.selectors import project_labels


class PredictionList(ProjectView):
    serializer_class = PredictionSerializer

    @extend_schema(
        summary="Predicted spans in the project",
        parameters=[
            SLUG,
            *SPAN_FILTERS[:3],
            query("agent", OpenApiTypes.STR, "Only this model's predictions."),
        ],
        responses=PredictionSerializer(many=True),
    )
    def get(self, request, slug):
        project, membership = self.member()
        rows = Prediction.objects.filter(
            project=project, document__in=visible_documents(project, membership).values("pk")
        )
        if request.query_params.get("agent"):
            rows = rows.filter(agent=request.query_params["agent"])
        rows = span_filters(request, project, rows.select_related("label"))
        page = self.paginate_queryset(rows.order_by("document_id", "start", "end", "id"))
        return self.get_paginated_response(PredictionSerializer(page, many=True).data)

    @extend_schema(
        summary="Store a model's predictions (reviewers and managers)",
        description=(
            "One prediction or a list. Offsets are code points into the document's text "
            "(not snapped: stored as the model gave them); a `quote`, if given, must match. "
            "All or nothing: one bad item refuses the list (errors name it: `3.label`)."
        ),
        parameters=[SLUG],
        request=PredictionInputSerializer(many=True),
        responses={201: PredictionSerializer(many=True)},
    )
    def post(self, request, slug):
        project, _ = self.reviewer()
        many = isinstance(request.data, list)
        items = self.valid(PredictionInputSerializer, request.data, many=many)
        items = items if many else [items]
        labels = {label.name: label for label in project_labels(project).values()}
        ids = {item["document"] for item in items}
        texts = dict(
            Document.objects.filter(pk__in=ids, projects=project).values_list("pk", "text")
        )
        errors: dict = {}
        rows = []
        for index, item in enumerate(items):
            problems = {}
            text = texts.get(item["document"])
            if text is None:
                problems["document"] = [f"No document {item['document']} in this project."]
            if item["label"] not in labels:
                problems["label"] = [f"No label '{item['label']}' in this project."]
            if text is not None:
                try:
                    check_span(text, item["start"], item["end"], item.get("quote"))
                except SpanValidationError as exc:
                    problems["non_field_errors"] = exc.messages
            if problems:
                errors[str(index) if many else ""] = problems
                continue
            rows.append(
                Prediction(
                    project=project,
                    document_id=item["document"],
                    label=labels[item["label"]],
                    start=item["start"],
                    end=item["end"],
                    quote=text[item["start"] : item["end"]],
                    score=item.get("score"),
                    agent=item["agent"],
                    created_by=request.user,
                )
            )
        if errors:
            raise ValidationError(errors if many else errors[""])
        with transaction.atomic():
            created = Prediction.objects.bulk_create(rows)
        data = PredictionSerializer(created, many=True).data
        return Response(data if many else data[0], status=status.HTTP_201_CREATED)


class PredictionDetail(ProjectView):
    serializer_class = PredictionSerializer
    http_method_names = ["get", "delete", "options"]

    def found(self, prediction_id: int) -> Prediction:
        project, membership = self.member()
        prediction = (
            Prediction.objects.select_related("label")
            .filter(
                pk=prediction_id,
                project=project,
                document__in=visible_documents(project, membership).values("pk"),
            )
            .first()
        )
        if prediction is None:
            raise NotFound("No such prediction.")
        return prediction

    @extend_schema(
        summary="One prediction",
        parameters=[SLUG, path_id("prediction_id", "The prediction's id.")],
    )
    def get(self, request, slug, prediction_id):
        return Response(PredictionSerializer(self.found(prediction_id)).data)

    @extend_schema(
        summary="Delete a prediction (reviewers and managers)",
        parameters=[SLUG, path_id("prediction_id", "The prediction's id.")],
        responses={204: None},
    )
    def delete(self, request, slug, prediction_id):
        prediction = self.found(prediction_id)
        self.reviewer()
        prediction.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
