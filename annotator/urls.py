from django.urls import path

from annotator.views import annotate, audit, exports, health, reports, review, workspace

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

# Source profiles, agreement and adjudication (review)
review_prefix = "p/<slug:slug>/review/<int:document_id>/"
urlpatterns += [
    path("sources/", reports.sources, name="sources"),
    path("sources/<int:source_id>/", reports.source, name="source"),
    path("p/<slug:slug>/agreement/", reports.agreement, name="agreement"),
    path(review_prefix, review.review, name="review"),
    path(f"{review_prefix}accept/", review.accept, name="review_accept"),
    path(f"{review_prefix}majority/", review.majority, name="review_majority"),
    path(f"{review_prefix}gold/", review.gold_add, name="review_gold_add"),
    path(f"{review_prefix}gold/<int:gold_id>/", review.gold_edit, name="review_gold_edit"),
    path(
        f"{review_prefix}gold/<int:gold_id>/delete/", review.gold_remove, name="review_gold_delete"
    ),
    path(f"{review_prefix}reviewed/", review.reviewed, name="review_reviewed"),
]

# Dataset export
urlpatterns += [
    path("p/<slug:slug>/export/", exports.export_dataset, name="export_dataset"),
    path(
        "p/<slug:slug>/export/label-studio-config.xml",
        exports.label_studio_config_download,
        name="export_label_studio_config",
    ),
]
