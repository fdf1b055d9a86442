from django.urls import path

from annotator.views import exports, workspace

urlpatterns = [
    path("", workspace.home, name="home"),
    path("p/<slug:slug>/", workspace.project_home, name="project"),
    # Dataset export
    path("p/<slug:slug>/export/", exports.export_dataset, name="export_dataset"),
    path(
        "p/<slug:slug>/export/label-studio-config.xml",
        exports.label_studio_config_download,
        name="export_label_studio_config",
    ),
]
