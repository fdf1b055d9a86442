"""Review: a reviewer curates a document into gold (the curation screen and its writes)."""

from django.urls import path

from annotator.review import views

prefix = "p/<slug:slug>/review/<id:document_id>/"
urlpatterns = [
    path(prefix, views.review, name="review"),
    path(f"{prefix}accept/", views.accept, name="review_accept"),
    path(f"{prefix}majority/", views.majority, name="review_majority"),
    path(f"{prefix}gold/", views.gold_add, name="review_gold_add"),
    path(f"{prefix}gold/<id:gold_id>/", views.gold_edit, name="review_gold_edit"),
    path(f"{prefix}gold/<id:gold_id>/delete/", views.gold_remove, name="review_gold_delete"),
    path(f"{prefix}gold/undo/", views.undo, name="review_gold_undo"),
    path(f"{prefix}reviewed/", views.reviewed, name="review_reviewed"),
    path(f"{prefix}undo/", views.undo, name="review_undo"),
    path(f"{prefix}agreement/", views.agreement, name="review_agreement"),
]
