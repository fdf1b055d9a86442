"""Exports and jobs: start an export (a background job), poll the job, download its file."""

from __future__ import annotations

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.reverse import reverse

from annotator.api.serializers import ExportInputSerializer, JobSerializer
from annotator.api.views.base import SLUG, ApiView, ProjectView, path_id
from annotator.datasets.export.files import CONTENT_TYPES, default_filename
from annotator.datasets.export.plan import ExportFilters, ExportPlan
from annotator.jobs.records import job_file
from annotator.jobs.selectors import job_of, jobs_of
from annotator.jobs.services import job_start_export
from annotator.models import Job

JOB_ID = path_id("job_id", "The job's id.")


def job_json(request, job: Job) -> dict:
    def download(job: Job) -> str | None:
        if job_file(job) is None:
            return None
        return reverse("api-job-download", args=[job.pk], request=request)

    return JobSerializer(job, context={"download": download}).data


def jobs_json(request, jobs) -> list[dict]:
    return [job_json(request, job) for job in jobs]


class ExportList(ProjectView):
    serializer_class = JobSerializer

    @extend_schema(
        summary="Your exports of the project (reviewers)",
        parameters=[SLUG],
        responses=JobSerializer(many=True),
    )
    def get(self, request, slug):
        project, _ = self.reviewer()
        jobs = jobs_of(request.user).filter(project=project, kind=Job.Kind.EXPORT_DATASET)
        return self.get_paginated_response(jobs_json(request, self.paginate_queryset(jobs)))

    @extend_schema(
        summary="Start an export (reviewers)",
        description=(
            "Writes the dataset in the background; poll the job (`/api/v1/jobs/<id>/`) "
            "until `state` is `done`, then fetch its `download` URL. Formats and filters "
            "are those of `export_dataset`; `sentences` is Parquet, `sentences-csv` CSV."
        ),
        parameters=[SLUG],
        request=ExportInputSerializer,
        responses={202: JobSerializer},
    )
    def post(self, request, slug):
        project, _ = self.reviewer()
        data = self.valid(ExportInputSerializer, request.data)
        parquet = data["format"] == "sentences"
        fmt = "sentences" if data["format"] == "sentences-csv" else data["format"]
        filters = ExportFilters(
            sources=data.get("sources") or (),
            annotators=data.get("annotators") or (),
            since=data.get("since"),
            gold_only=data["gold_only"],
        )
        ExportPlan(project, filters)  # bad filters: 400 with the reason, and no job
        job = job_start_export(
            started_by=request.user,
            project=project,
            fmt=fmt,
            filters=filters,
            filename=default_filename(project, fmt, parquet=parquet),
            bom=data["bom"],
            raw=data["raw"],
        )
        return Response(job_json(request, job), status=status.HTTP_202_ACCEPTED)


class JobList(ApiView):
    serializer_class = JobSerializer

    @extend_schema(summary="The jobs you started", responses=JobSerializer(many=True))
    def get(self, request):
        jobs = self.paginate_queryset(jobs_of(request.user))
        return self.get_paginated_response(jobs_json(request, jobs))


class JobDetail(ApiView):
    serializer_class = JobSerializer

    @extend_schema(summary="One of your jobs: its state, progress and result", parameters=[JOB_ID])
    def get(self, request, job_id):
        return Response(job_json(request, job_of(request.user, job_id)))


class JobDownload(ApiView):
    @extend_schema(
        summary="A finished job's file (while it is kept)",
        parameters=[JOB_ID],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
    )
    def get(self, request, job_id):
        job = job_of(request.user, job_id)
        path = job_file(job)
        if path is None:
            raise NotFound("This job has no file (not finished, or removed after its time).")
        return FileResponse(
            path.open("rb"),
            as_attachment=True,
            filename=job.result_name or path.name,
            content_type=CONTENT_TYPES.get(path.suffix, "application/octet-stream"),
        )
