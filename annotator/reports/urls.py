"""Source profiles and agreement."""

from django.urls import path

from annotator.reports import views

urlpatterns = [
    path("sources/", views.sources, name="sources"),
    path("sources/<id:source_id>/", views.source, name="source"),
    path("p/<slug:slug>/agreement/", views.agreement, name="agreement"),
]
