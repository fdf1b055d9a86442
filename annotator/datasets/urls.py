"""Dataset downloads from the workspace."""

from django.urls import path

from annotator.datasets.export import views

urlpatterns = [
    path("p/<slug:slug>/export/", views.export_dataset, name="export_dataset"),
    path(
        "p/<slug:slug>/export/label-studio-config.xml",
        views.label_studio_config_download,
        name="export_label_studio_config",
    ),
]
