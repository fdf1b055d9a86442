"""Dataset downloads from the workspace, for the project's reviewers and managers."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from annotator.access import project_for_reviewer
from annotator.datasets.export.files import default_filename, export_response
from annotator.datasets.export.formats.label_studio import label_studio_config
from annotator.datasets.export.forms import ExportForm
from annotator.datasets.export.plan import ExportPlan
from annotator.jobs.services import job_start_export


@login_required
def export_dataset(request: HttpRequest, slug: str) -> HttpResponseBase:
    """``annotator/export.html`` (context: project, form); with ``?format=`` the download.

    The download streams while it is written; bad filters show the form again (400).
    An export of more than ``JOB_EXPORT_DOCUMENTS`` documents is written by a background
    job instead: the user is sent to its page, which offers the file when it is ready.
    """
    project, _ = project_for_reviewer(request.user, slug)
    form = ExportForm(request.GET or None, project=project)
    if not form.is_bound or not form.is_valid():
        status = 400 if form.is_bound else 200
        context = {"project": project, "form": form}
        return render(request, "datasets/export.html", context, status=status)
    filename = default_filename(project, form.fmt, parquet=form.parquet)
    if ExportPlan(project, form.filters()).document_count() > settings.JOB_EXPORT_DOCUMENTS:
        job = job_start_export(
            started_by=request.user,
            project=project,
            fmt=form.fmt,
            filters=form.filters(),
            filename=filename,
            bom=form.cleaned_data["bom"],
            raw=form.cleaned_data["raw"],
        )
        messages.info(request, gettext("This export is large: it is written in the background."))
        return redirect("job", job.pk)
    return export_response(
        project=project,
        fmt=form.fmt,
        filters=form.filters(),
        bom=form.cleaned_data["bom"],
        raw=form.cleaned_data["raw"],
        filename=filename,
    )


@login_required
def label_studio_config_download(request: HttpRequest, slug: str) -> HttpResponse:
    """The Label Studio labeling config matching the project's labels."""
    project, _ = project_for_reviewer(request.user, slug)
    response = HttpResponse(
        label_studio_config(project), content_type="application/xml; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{project.slug}.label_config.xml"'
    return response
