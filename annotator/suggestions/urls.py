"""The Suggestions page and its retrain button."""

from django.urls import path

from annotator.suggestions import views

urlpatterns = [
    path("p/<slug:slug>/suggestions/", views.suggestions_page, name="suggestions"),
    path(
        "p/<slug:slug>/suggestions/retrain/", views.suggestions_retrain, name="suggestions_retrain"
    ),
]
