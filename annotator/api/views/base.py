"""What every project resource shares: the project and the caller's role, resolved by
the same access rules as the pages (non-members get 404, annotators 403 where only
reviewers may look), and reading a request body through a serializer."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.generics import GenericAPIView

from annotator.access import project_for_manager, project_for_member, project_for_reviewer
from annotator.models import Membership, Project

SLUG = OpenApiParameter(
    "slug", OpenApiTypes.STR, OpenApiParameter.PATH, description="The project's slug."
)


def path_id(name: str, what: str) -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.INT, OpenApiParameter.PATH, description=what)


def query(name: str, kind, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, kind, OpenApiParameter.QUERY, description=description)


class ApiView(GenericAPIView):
    """An API resource: reads its request body through serializers."""

    def valid(self, serializer_class, data, **kwargs) -> Any:
        """The request body checked by ``serializer_class`` (400 with each field's reasons)."""
        serializer = serializer_class(data=data, **kwargs)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


class ProjectView(ApiView):
    """A resource inside the project ``<slug>``."""

    def member(self) -> tuple[Project, Membership]:
        if not hasattr(self, "_member"):
            self._member = project_for_member(self.request.user, self.kwargs["slug"])
        return self._member

    def reviewer(self) -> tuple[Project, Membership]:
        return project_for_reviewer(self.request.user, self.kwargs["slug"])

    def manager(self) -> tuple[Project, Membership]:
        return project_for_manager(self.request.user, self.kwargs["slug"])
