"""The profile page and the language switch."""

from django.urls import path

from annotator.accounts import views

urlpatterns = [
    path("accounts/profile/", views.profile, name="profile"),
    path("language/", views.language_set, name="language_set"),
]
