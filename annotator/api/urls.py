"""The API's paths (contracts scripts rely on) and its schema and documentation pages.

URL names start with ``api-`` (tests/api/test_permissions.py tries each with every role).
"""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from annotator.api.docs import RedocView, SwaggerView
from annotator.api.views import annotations, documents, jobs, predictions, projects, reports

P = "api/v1/projects/<slug:slug>/"

urlpatterns = [
    path("api/v1/projects/", projects.ProjectList.as_view(), name="api-projects"),
    path(P, projects.ProjectDetail.as_view(), name="api-project"),
    path(f"{P}documents/", documents.DocumentList.as_view(), name="api-documents"),
    path(
        f"{P}documents/<id:document_id>/",
        documents.DocumentDetail.as_view(),
        name="api-document",
    ),
    path(f"{P}annotations/", annotations.AnnotationList.as_view(), name="api-annotations"),
    path(
        f"{P}annotations/<id:annotation_id>/",
        annotations.AnnotationDetail.as_view(),
        name="api-annotation",
    ),
    path(f"{P}predictions/", predictions.PredictionList.as_view(), name="api-predictions"),
    path(
        f"{P}predictions/<id:prediction_id>/",
        predictions.PredictionDetail.as_view(),
        name="api-prediction",
    ),
    path(f"{P}gold/", reports.GoldList.as_view(), name="api-gold"),
    path(f"{P}agreement/", reports.Agreement.as_view(), name="api-agreement"),
    path(f"{P}profiles/", reports.Profiles.as_view(), name="api-profiles"),
    path(f"{P}exports/", jobs.ExportList.as_view(), name="api-exports"),
    path("api/v1/jobs/", jobs.JobList.as_view(), name="api-jobs"),
    path("api/v1/jobs/<id:job_id>/", jobs.JobDetail.as_view(), name="api-job"),
    path("api/v1/jobs/<id:job_id>/download/", jobs.JobDownload.as_view(), name="api-job-download"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", RedocView.as_view(url_name="api-schema"), name="api-redoc"),
]
