"""Projects the caller is a member of, with their labels and the caller's role."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from annotator.api.serializers import ProjectSerializer
from annotator.api.views.base import SLUG, ApiView, ProjectView
from annotator.models import Label, Membership, Project


def _with_labels(projects):
    return projects.prefetch_related(Prefetch("labels", Label.objects.in_display_order()))


class ProjectList(ApiView):
    serializer_class = ProjectSerializer

    @extend_schema(
        summary="The projects you are a member of", responses=ProjectSerializer(many=True)
    )
    def get(self, request):
        memberships = Membership.objects.filter(user_id=request.user.pk)
        roles = dict(memberships.values_list("project_id", "role"))
        projects = _with_labels(Project.objects.filter(pk__in=roles).order_by("name", "pk"))
        page = self.paginate_queryset(projects)
        data = ProjectSerializer(page, many=True, context={"roles": roles}).data
        return self.get_paginated_response(data)


class ProjectDetail(ProjectView):
    serializer_class = ProjectSerializer

    @extend_schema(summary="One project", parameters=[SLUG])
    def get(self, request, slug):
        project, membership = self.member()
        project = _with_labels(Project.objects.filter(pk=project.pk)).get()
        roles = {project.pk: membership.role}
        return Response(ProjectSerializer(project, context={"roles": roles}).data)
