"""Discussion: comments, reopening a document, mentions."""

from django.urls import path

from annotator.discussion import views

urlpatterns = [
    path("p/<slug:slug>/d/<id:document_id>/comments/", views.comment_add, name="comment_add"),
    path("p/<slug:slug>/d/<id:document_id>/reopen/", views.reopen, name="document_reopen"),
    path("mentions/", views.mentions, name="mentions"),
    path("mentions/read/", views.mentions_read, name="mentions_read"),
]
