from django.urls import path

from annotator.views import workspace

urlpatterns = [
    path("", workspace.home, name="home"),
    path("p/<slug:slug>/", workspace.project_home, name="project"),
]
