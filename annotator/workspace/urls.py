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
]
