"""One pagination for every list: ``page``/``page_size``, or ``limit``/``offset``.

Either pair works on every list (``limit``/``offset`` wins when both are given); every
answer is ``{"count", "next", "previous", "results"}``.
"""

from __future__ import annotations

from rest_framework.pagination import (
    BasePagination,
    LimitOffsetPagination,
    PageNumberPagination,
)

PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


class _Pages(PageNumberPagination):
    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE


class _Slices(LimitOffsetPagination):
    default_limit = PAGE_SIZE
    max_limit = MAX_PAGE_SIZE


class PageOrOffsetPagination(BasePagination):
    def __init__(self) -> None:
        self.pages, self.slices = _Pages(), _Slices()
        self.chosen: BasePagination = self.pages

    def paginate_queryset(self, queryset, request, view=None):
        by_offset = "limit" in request.query_params or "offset" in request.query_params
        self.chosen = self.slices if by_offset else self.pages
        return self.chosen.paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        return self.chosen.get_paginated_response(data)

    def get_paginated_response_schema(self, schema):
        return self.pages.get_paginated_response_schema(schema)

    def get_schema_operation_parameters(self, view):
        return [
            *self.pages.get_schema_operation_parameters(view),
            *self.slices.get_schema_operation_parameters(view),
        ]
