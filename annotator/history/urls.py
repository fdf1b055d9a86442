"""The audit trail: a project's annotation history, and restoring deletions."""

from django.urls import path

from annotator.history import views

urlpatterns = [
    path("p/<slug:slug>/history/", views.project_history, name="project_history"),
    path(
        "p/<slug:slug>/history/<id:event_id>/restore/",
        views.history_restore,
        name="history_restore",
    ),
]
