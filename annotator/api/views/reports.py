"""What reviewers and managers see of everyone's work: gold spans, agreement and source
profiles, as the same JSON as ``manage.py agreement --format json`` and the figures of
the Sources page. Annotators (who label blind) get 403, non-members 404."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from annotator.api.filters import bad, parse_day
from annotator.api.serializers import GoldSerializer
from annotator.api.views.annotations import SPAN_FILTERS, span_filters
from annotator.api.views.base import SLUG, ProjectView, query
from annotator.models import GoldAnnotation, Membership, Story
from annotator.reports.agreement import agreement_json
from annotator.reports.figures import profiles_json
from annotator.reports.profiles import ProfileFilter


class GoldList(ProjectView):
    serializer_class = GoldSerializer

    @extend_schema(
        summary="Gold (adjudicated) spans (reviewers)",
        parameters=[SLUG, *SPAN_FILTERS],
        responses=GoldSerializer(many=True),
    )
    def get(self, request, slug):
        project, _ = self.reviewer()
        rows = GoldAnnotation.objects.filter(project=project).select_related("label", "reviewer")
        rows = span_filters(request, project, rows).order_by("document_id", "start", "end", "id")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(GoldSerializer(page, many=True).data)


class Agreement(ProjectView):
    @extend_schema(
        summary="Inter-annotator agreement (reviewers)",
        description="The JSON of `manage.py agreement --project SLUG --format json`.",
        parameters=[SLUG],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request, slug):
        project, _ = self.reviewer()
        return Response(agreement_json(project))


class Profiles(ProjectView):
    @extend_schema(
        summary="Source profiles (reviewers)",
        description=(
            "Every source's figures on the Sources page: the JSON of "
            "`manage.py profiles --project SLUG --format json`."
        ),
        parameters=[
            SLUG,
            query("date_from", OpenApiTypes.DATE, "Documents published on or after this day."),
            query("date_to", OpenApiTypes.DATE, "Documents published on or before this day."),
            query("annotator", OpenApiTypes.STR, "Only this annotator's labels (username)."),
            query("story", OpenApiTypes.STR, "Only the documents of this story (its name)."),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request, slug):
        project, _ = self.reviewer()
        params = request.query_params
        annotator_id = None
        name = params.get("annotator") or None
        if name:
            annotator_id = (
                Membership.objects.filter(project=project, user__username=name)
                .values_list("user_id", flat=True)
                .first()
            )
            if annotator_id is None:
                raise bad("annotator", f"No member '{name[:150]}' in this project.")
        story = None
        if params.get("story"):
            story = Story.objects.filter(name=params["story"]).first()
            if story is None:
                raise bad("story", f"No story named '{params['story'][:150]}'.")
        chosen = ProfileFilter(
            project=project,
            date_from=parse_day(params, "date_from"),
            date_to=parse_day(params, "date_to"),
            annotator_id=annotator_id,
            annotator_name=name,
            story_id=story.pk if story else None,
        )
        return Response(profiles_json(chosen, story.name if story else None))
