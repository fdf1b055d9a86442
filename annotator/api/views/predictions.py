"""A model's predicted spans: pushed by reviewers and managers (one or a list, all or
nothing), read by every member. They are ``Suggestion`` rows of the model's agent (the
one model every suggester shares: the assisted-labelling pages show them to annotators
as suggestions); they never count as anyone's annotation."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from annotator.access import visible_documents
from annotator.api.serializers import PredictionInputSerializer, PredictionSerializer
from annotator.api.views.annotations import SPAN_FILTERS, span_filters
from annotator.api.views.base import SLUG, ProjectView, path_id, query
from annotator.models import Suggestion
from annotator.suggestions.predictions import (
    PredictionInput,
    PredictionsRejected,
    external_predictions,
    prediction_delete,
    predictions_create,
)


class PredictionList(ProjectView):
    serializer_class = PredictionSerializer

    @extend_schema(
        summary="Models' predicted spans in the project",
        description=(
            "The suggestions of external agents (models whose predictions came through "
            "this API); `updated_since` compares the time a prediction was stored."
        ),
        parameters=[
            SLUG,
            *SPAN_FILTERS,
            query("agent", OpenApiTypes.STR, "Only this model's predictions."),
        ],
        responses=PredictionSerializer(many=True),
    )
    def get(self, request, slug):
        project, membership = self.member()
        rows = external_predictions(project).filter(
            document__in=visible_documents(project, membership).values("pk")
        )
        if request.query_params.get("agent"):
            rows = rows.filter(agent=request.query_params["agent"])
        rows = span_filters(request, project, rows.select_related("label"), changed="created_at")
        page = self.paginate_queryset(rows.order_by("document_id", "start", "end", "id"))
        return self.get_paginated_response(PredictionSerializer(page, many=True).data)

    @extend_schema(
        summary="Store a model's predictions (reviewers and managers)",
        description=(
            "One prediction or a list, each with `label` (its name), `score` (0 to 1) and "
            "`agent` (the model, e.g. `my-bert-v3`; not `cues`, `model` or `holders`, the "
            "built-in suggesters), optionally `agent_version`. Offsets are code points into "
            "the document's text (not snapped: stored as the model gave them); a `quote`, "
            "if given, must match. All or nothing: one bad item refuses the list (errors "
            "name it: `3.label`)."
        ),
        parameters=[SLUG],
        request=PredictionInputSerializer(many=True),
        responses={201: PredictionSerializer(many=True)},
    )
    def post(self, request, slug):
        project, _ = self.reviewer()
        many = isinstance(request.data, list)
        valid = self.valid(PredictionInputSerializer, request.data, many=many)
        items = valid if many else [valid]
        try:
            created = predictions_create(
                project=project, items=[PredictionInput(**item) for item in items]
            )
        except PredictionsRejected as exc:
            errors = {str(i): problems for i, problems in exc.errors.items()}
            raise ValidationError(errors if many else exc.errors[0]) from None
        data = PredictionSerializer(created, many=True).data
        return Response(data if many else data[0], status=status.HTTP_201_CREATED)


class PredictionDetail(ProjectView):
    serializer_class = PredictionSerializer
    http_method_names = ["get", "delete", "options"]

    def found(self, prediction_id: int) -> Suggestion:
        project, membership = self.member()
        prediction = (
            external_predictions(project)
            .select_related("label")
            .filter(
                pk=prediction_id,
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
        prediction_delete(prediction=prediction)
        return Response(status=status.HTTP_204_NO_CONTENT)
