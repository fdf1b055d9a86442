"""Each user's own pages: the profile, the language switch and the API tokens (login and
password pages are Django's: project/urls.py)."""

from django.urls import path

from annotator.accounts import views

urlpatterns = [
    path("accounts/profile/", views.profile, name="profile"),
    path("language/", views.language_set, name="language_set"),
    path("accounts/tokens/", views.api_tokens, name="api_tokens"),
    path(
        "accounts/tokens/<id:token_id>/revoke/",
        views.api_token_revoke_view,
        name="api_token_revoke",
    ),
]
