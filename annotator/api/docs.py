"""The API's documentation pages: Swagger UI and Redoc from the app's own static files
(drf-spectacular-sidecar; no CDN), with page templates that carry no inline code.

The pages' Content-Security-Policy stays strict for scripts (this origin only). Swagger
UI and Redoc style their widgets with inline styles (and Redoc searches in a worker made
from a blob), so these two pages, which show no data, allow those.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.csp import CSP
from django.utils.decorators import method_decorator
from django.views.decorators.csp import csp_override
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView

DOCS_CSP: dict[str, Any] = {
    **settings.SECURE_CSP,
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "worker-src": [CSP.SELF, "blob:"],
}


@method_decorator(csp_override(DOCS_CSP), name="dispatch")
class SwaggerView(SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"


@method_decorator(csp_override(DOCS_CSP), name="dispatch")
class RedocView(SpectacularRedocView):
    template_name = "api/redoc.html"
