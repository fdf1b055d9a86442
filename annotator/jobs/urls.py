"""The Jobs page and its fragments."""

from django.urls import path

from annotator.jobs import views

urlpatterns = [
    path("jobs/", views.jobs, name="jobs"),
    path("jobs/<id:job_id>/", views.job, name="job"),
    path("jobs/<id:job_id>/progress/", views.job_progress, name="job_progress"),
    path("jobs/<id:job_id>/download/", views.job_download, name="job_download"),
]
