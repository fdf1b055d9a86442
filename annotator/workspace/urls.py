"""The annotation workspace: projects, the queue, the document page and its endpoints."""

from django.urls import path

from annotator.workspace import endpoints, views

urlpatterns = [
    path("", views.home, name="home"),
    path("p/<slug:slug>/", views.project_home, name="project"),
    path("p/<slug:slug>/labels.css", views.label_css, name="label_css"),
    path("p/<slug:slug>/d/<id:document_id>/", views.document_page, name="document"),
    path(
        "p/<slug:slug>/d/<id:document_id>/previous/",
        views.document_step,
        {"direction": "previous"},
        name="document_previous",
    ),
    path(
        "p/<slug:slug>/d/<id:document_id>/next/",
        views.document_step,
        {"direction": "next"},
        name="document_next",
    ),
    path("p/<slug:slug>/d/<id:document_id>/done/", views.document_done, name="document_done"),
    path(
        "p/<slug:slug>/d/<id:document_id>/annotations/",
        endpoints.annotation_create,
        name="annotation_create",
    ),
    path(
        "p/<slug:slug>/d/<id:document_id>/undo/",
        endpoints.annotation_undo_view,
        name="annotation_undo",
    ),
    path(
        "p/<slug:slug>/a/<id:annotation_id>/",
        endpoints.annotation_update,
        name="annotation_update",
    ),
    path(
        "p/<slug:slug>/a/<id:annotation_id>/delete/",
        endpoints.annotation_delete,
        name="annotation_delete",
    ),
    path(
        "p/<slug:slug>/d/<id:document_id>/suggestions/",
        endpoints.suggestion_list,
        name="suggestion_list",
    ),
    path(
        "p/<slug:slug>/d/<id:document_id>/suggestions/accept-all/",
        endpoints.suggestion_accept_all,
        name="suggestion_accept_all",
    ),
    path(
        "p/<slug:slug>/d/<id:document_id>/suggestions/<id:suggestion_id>/accept/",
        endpoints.suggestion_accept,
        name="suggestion_accept",
    ),
    path(
        "p/<slug:slug>/d/<id:document_id>/suggestions/<id:suggestion_id>/reject/",
        endpoints.suggestion_reject_view,
        name="suggestion_reject",
    ),
]
