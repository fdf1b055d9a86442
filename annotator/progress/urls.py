"""Team progress."""

from django.urls import path

from annotator.progress import views

urlpatterns = [
    path("p/<slug:slug>/progress/", views.progress, name="team_progress"),
]
