from django.urls import path

from annotator.views import audit, health, workspace

urlpatterns = [
    path("", workspace.home, name="home"),
    path("p/<slug:slug>/", workspace.project_home, name="project"),
    # Production: health check and the audit trail (history, restore)
    path("healthz", health.healthz, name="healthz"),
    path("p/<slug:slug>/history/", audit.project_history, name="project_history"),
    path(
        "p/<slug:slug>/history/<int:event_id>/restore/",
        audit.history_restore,
        name="history_restore",
    ),
]
