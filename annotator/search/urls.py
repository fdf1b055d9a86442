"""Search."""

from django.urls import path

from annotator.search import views

urlpatterns = [
    path("p/<slug:slug>/search/", views.search_page, name="search"),
]
