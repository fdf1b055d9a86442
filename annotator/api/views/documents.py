"""A project's documents: the list (as the caller's queue), one document with its text
and sentences, and bulk import (the same importer, fields and errors as
``import_documents``; large bodies are imported by a background job)."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response

from annotator.access import document_for_member
from annotator.api.filters import choice, flag, parse_since, source_named
from annotator.api.parsers import RawJSON, RawJSONLines, RawNDJSON
from annotator.api.serializers import (
    DocumentDetailSerializer,
    DocumentInputSerializer,
    DocumentSerializer,
    ImportReportSerializer,
    JobSerializer,
)
from annotator.api.views.base import SLUG, ProjectView, path_id, query
from annotator.api.views.jobs import job_json
from annotator.datasets.imports.documents import import_upload
from annotator.jobs.services import import_in_background, job_start_import, job_start_recount
from annotator.models import Document
from annotator.workspace.selectors import STATUSES, queue

BODY_NAMES = {"application/json": "request.json"}  # anything else parsed is JSON Lines


class DocumentList(ProjectView):
    serializer_class = DocumentSerializer
    parser_classes = [RawJSON, RawJSONLines, RawNDJSON]

    @extend_schema(
        summary="Your documents in the project, in queue order",
        parameters=[
            SLUG,
            query("source", OpenApiTypes.STR, "Only this source's documents (its name)."),
            query("status", OpenApiTypes.STR, "Your progress: todo, started or done."),
            query("updated_since", OpenApiTypes.DATETIME, "Changed on or after this time."),
        ],
        responses=DocumentSerializer(many=True),
    )
    def get(self, request, slug):
        project, membership = self.member()
        params = request.query_params
        status_ = choice(params, "status", list(STATUSES))
        documents = queue(project, membership, source_id=source_named(params), status=status_)
        since = parse_since(params)
        if since is not None:
            documents = documents.filter(updated_at__gte=since)
        ids = [document.pk for document in self.paginate_queryset(documents)]
        rows = Document.objects.filter(pk__in=ids).select_related("source").defer("text")
        by_id = {document.pk: document for document in rows}
        data = DocumentSerializer([by_id[pk] for pk in ids], many=True).data
        return self.get_paginated_response(data)

    @extend_schema(
        summary="Import documents (managers)",
        description=(
            "A JSON list of objects, or JSON Lines (`Content-Type: application/jsonl`), "
            "each with `text` and optionally `title`, `source`, `source_kind`, `author`, "
            "`published_on`, `url`, `language`: the records of `import_documents`, with its "
            "checks and messages (`request.json item 3: missing 'text' key`). Texts already "
            "stored (same `text_sha256`) are skipped as duplicates and added to the project. "
            "All or nothing, unless `skip_bad`. A body over the import threshold is imported "
            "by a background job: the answer is then 202 with the job to poll."
        ),
        parameters=[
            SLUG,
            query("default_source", OpenApiTypes.STR, "The source of records naming none."),
            query("skip_bad", OpenApiTypes.BOOL, "Import the good records, list the bad."),
            query("remove_repeats", OpenApiTypes.BOOL, "Remove repeated runs of paragraphs."),
        ],
        request={
            "application/json": DocumentInputSerializer(many=True),
            "application/jsonl": OpenApiTypes.STR,
        },
        responses={
            201: ImportReportSerializer,
            202: OpenApiResponse(JobSerializer, description="Imported by a background job."),
        },
    )
    def post(self, request, slug):
        project, _ = self.manager()
        params = request.query_params
        default_source = params.get("default_source") or None
        skip_bad, remove_repeats = flag(params, "skip_bad"), flag(params, "remove_repeats")
        body: bytes = request.data
        media = request.content_type.split(";")[0].strip().lower()
        name = BODY_NAMES.get(media, "request.jsonl")
        if import_in_background(len(body)):
            job = job_start_import(
                started_by=request.user,
                filename=name,
                data=body,
                project=project,
                default_source=default_source,
                skip_bad=skip_bad,
                remove_repeats=remove_repeats,
                started_from="api",
            )
            return Response(job_json(request, job), status=status.HTTP_202_ACCEPTED)
        report = import_upload(
            name,
            body,
            project=project,
            default_source=default_source,
            skip_bad=skip_bad,
            remove_repeats=remove_repeats,
            started_from="api",
        )
        if len(report.added) >= settings.JOB_RECOUNT_DOCUMENTS:
            job_start_recount(started_by=request.user, project=project)
        return Response(report.to_dict(), status=status.HTTP_201_CREATED)


class DocumentDetail(ProjectView):
    serializer_class = DocumentDetailSerializer

    @extend_schema(
        summary="One document with its text and sentences",
        parameters=[SLUG, path_id("document_id", "The document's id.")],
    )
    def get(self, request, slug, document_id):
        project, membership = self.member()
        document = document_for_member(project, membership, document_id)
        return Response(DocumentDetailSerializer(document).data)
