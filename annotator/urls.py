"""The app's URLs: each feature package lists its own (URL names are global, unprefixed)."""

from django.urls import include, path

from annotator.web import favicon, health

urlpatterns = [
    # First: every API request is resolved, and its paths (api/...) overlap no page's.
    path("", include("annotator.api.urls")),
    path("", include("annotator.workspace.urls")),
    path("healthz", health.healthz, name="healthz"),
    path("favicon.ico", favicon.favicon, name="favicon"),
    path("", include("annotator.history.urls")),
    path("", include("annotator.reports.urls")),
    path("", include("annotator.review.urls")),
    path("", include("annotator.datasets.urls")),
    path("", include("annotator.progress.urls")),
    path("", include("annotator.search.urls")),
    path("", include("annotator.jobs.urls")),
    path("", include("annotator.suggestions.urls")),
    path("", include("annotator.accounts.urls")),
    path("", include("annotator.discussion.urls")),
]
