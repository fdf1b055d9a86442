"""The site without the workspace's `document` page: the admin must work without it."""

from django.contrib import admin
from django.urls import include, path

from annotator.urls import urlpatterns as annotator_urlpatterns

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    *(pattern for pattern in annotator_urlpatterns if pattern.name != "document"),
]
