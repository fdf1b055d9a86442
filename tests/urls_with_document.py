"""The site with a `document` page in the workspace (slug and pk), for the admin's links."""

from django.http import HttpResponse
from django.urls import path

from project.urls import urlpatterns as site_urlpatterns

urlpatterns = [
    *site_urlpatterns,
    path(
        "p/<slug:slug>/documents/<int:pk>/", lambda request, **kw: HttpResponse(), name="document"
    ),
]
