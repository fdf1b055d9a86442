from django.urls import path

from annotator.views import annotate, audit, health, workspace

urlpatterns = [
    # The annotation workspace: projects, the queue, the document page and its endpoints.
    path("", workspace.home, name="home"),
    path("p/<slug:slug>/", workspace.project_home, name="project"),
    path("p/<slug:slug>/labels.css", workspace.label_css, name="label_css"),
    path("p/<slug:slug>/d/<int:document_id>/", workspace.document_page, name="document"),
    path(
        "p/<slug:slug>/d/<int:document_id>/previous/",
        workspace.document_step,
        {"direction": "previous"},
        name="document_previous",
    ),
    path(
        "p/<slug:slug>/d/<int:document_id>/next/",
        workspace.document_step,
        {"direction": "next"},
        name="document_next",
    ),
    path("p/<slug:slug>/d/<int:document_id>/done/", workspace.document_done, name="document_done"),
    path(
        "p/<slug:slug>/d/<int:document_id>/annotations/",
        annotate.annotation_create,
        name="annotation_create",
    ),
    path(
        "p/<slug:slug>/d/<int:document_id>/undo/",
        annotate.annotation_undo_view,
        name="annotation_undo",
    ),
    path(
        "p/<slug:slug>/a/<int:annotation_id>/",
        annotate.annotation_update,
        name="annotation_update",
    ),
    path(
        "p/<slug:slug>/a/<int:annotation_id>/delete/",
        annotate.annotation_delete,
        name="annotation_delete",
    ),
    # Production: health check and the audit trail (history, restore)
    path("healthz", health.healthz, name="healthz"),
    path("p/<slug:slug>/history/", audit.project_history, name="project_history"),
    path(
        "p/<slug:slug>/history/<int:event_id>/restore/",
        audit.history_restore,
        name="history_restore",
    ),
]
