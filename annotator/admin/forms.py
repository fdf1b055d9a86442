"""Forms of the admin panel: documents, labels, and the intermediate pages of actions."""

from __future__ import annotations

from typing import cast

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat, pluralize
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from annotator.corpus.assignments import project_annotators
from annotator.datasets.export.forms import ExportForm
from annotator.datasets.imports.decode import normalize_text
from annotator.models import Document, Project, text_sha256

# The nouns the admin counts, each with its plural forms in every language.
COUNTED = {
    "document": ngettext_lazy("%(n)d document", "%(n)d documents", "n"),
    "assignment": ngettext_lazy("%(n)d assignment", "%(n)d assignments", "n"),
    "new assignment": ngettext_lazy("%(n)d new assignment", "%(n)d new assignments", "n"),
    "annotator": ngettext_lazy("%(n)d annotator", "%(n)d annotators", "n"),
    "story": ngettext_lazy("%(n)d story", "%(n)d stories", "n"),
}


def count_noun(n: int, noun: str) -> str:
    """«1 document», «3 documents» (in the active language for the nouns of COUNTED)."""
    if noun in COUNTED:
        return str(COUNTED[noun] % {"n": n})
    return f"{n} {noun}{pluralize(n)}"


def same_text(a: str, b: str) -> bool:
    """Equal once line ends are unified (browsers send a textarea's lines as \\r\\n)."""

    def unix_lines(text: str) -> str:
        return text.replace("\r\n", "\n").replace("\r", "\n")

    return unix_lines(a) == unix_lines(b)


class DocumentAdminForm(forms.ModelForm):
    """The document form: the text is read-only once annotated; line ends are kept."""

    class Meta:
        model = Document
        fields = (
            "source",
            "title",
            "author",
            "published_on",
            "url",
            "language",
            "text",
            "imported_from",
        )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        text = cast("forms.CharField | None", self.fields.get("text"))
        if text is None:
            return
        text.strip = False  # offsets count every character, leading spaces included
        text.required = False  # Document.clean() says "The document text is empty."
        if self.instance.has_annotations:
            text.widget.attrs["readonly"] = True
            text.help_text = (
                "Read-only: this document has annotations, and their offsets point into "
                "this exact text."
            )

    def clean_text(self) -> str:
        """The stored text when only the line ends differ; else the new text, normalised.

        A browser sends every line of a textarea ending in \\r\\n: the stored text
        is kept as it is, so saving other fields never shifts offsets. A new or
        changed text is normalised as the importer does it. A changed text of an
        annotated document reaches Document.clean(), which refuses it (also when
        the POST was forged around the read-only field).
        """
        submitted = self.cleaned_data["text"]
        if self.instance.pk and same_text(submitted, self.instance.text):
            return self.instance.text
        return normalize_text(submitted)

    def clean(self) -> dict:
        super().clean()
        cleaned = self.cleaned_data
        text = cleaned.get("text")
        if text:
            twin = (
                Document.objects.filter(text_sha256=text_sha256(text))
                .exclude(pk=self.instance.pk)
                .select_related("source")
                .first()
            )
            if twin is not None:  # a form-wide error: the text field keeps its value
                self.add_error(
                    None,
                    gettext(
                        "Document %(id)s «%(title)s» from %(source)s already has exactly this text."
                    )
                    % {"id": twin.pk, "title": twin, "source": twin.source},
                )
        return cleaned


class SpanAdminForm(forms.ModelForm):
    """Checks every constraint of the span, also those on fields shown read-only."""

    def validate_unique(self) -> None:
        try:
            self.instance.validate_unique()
            self.instance.validate_constraints()
        except ValidationError as exc:
            self._update_errors(exc)  # type: ignore[attr-defined]  # private, not in the stubs


class ColorInput(forms.TextInput):
    input_type = "color"


class LabelInlineFormSet(forms.BaseInlineFormSet):
    """Hotkeys are unique within a project, also among labels saved together."""

    def clean(self) -> None:
        super().clean()
        used: dict[str, str | None] = {}
        for form in self.forms:
            # _should_delete_form: Django's own test, private and not in the stubs.
            deleted = self._should_delete_form(form)  # type: ignore[attr-defined]
            if not getattr(form, "cleaned_data", None) or deleted:
                continue
            hotkey = form.cleaned_data.get("hotkey")
            if not hotkey:
                continue
            title = form.cleaned_data.get("title") or form.cleaned_data.get("name")
            if hotkey in used:
                form.add_error(
                    "hotkey",
                    gettext("Hotkey %(key)r is given to both «%(first)s» and «%(second)s».")
                    % {"key": hotkey, "first": used[hotkey], "second": title},
                )
            else:
                used[hotkey] = title


class AnnotatorChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, user) -> str:
        full_name = user.get_full_name()
        return f"{user.get_username()} ({full_name})" if full_name else user.get_username()


class ProjectAnnotatorsForm(forms.Form):
    """A project and some of its annotators (the view passes the project chosen so far)."""

    project = forms.ModelChoiceField(queryset=Project.objects.all())
    annotators = AnnotatorChoiceField(queryset=get_user_model().objects.none())

    def __init__(self, *args, project: Project | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if project is not None:
            self.fields["project"].initial = project
            annotators = cast(forms.ModelChoiceField, self.fields["annotators"])
            annotators.queryset = project_annotators(project)


class AssignForm(ProjectAnnotatorsForm):
    per_document = forms.IntegerField(
        label=_("Annotators per document"),
        min_value=1,
        required=False,
        help_text=_(
            "Round-robin: each document goes to this many of the chosen annotators, "
            "those with the fewest documents in the project first. Leave empty to give "
            "every chosen annotator every document."
        ),
    )


class UnassignForm(ProjectAnnotatorsForm):
    annotators = AnnotatorChoiceField(
        queryset=get_user_model().objects.none(),
        required=False,
        help_text=_("Leave all unticked to remove every annotator's assignment."),
    )


class DocumentExportForm(forms.Form):
    """The export of selected documents: a project and one of the dataset formats."""

    project = forms.ModelChoiceField(
        queryset=Project.objects.all(),
        help_text=_("Documents outside this project are left out."),
    )
    format = ExportForm.base_fields["format"]
    bom = ExportForm.base_fields["bom"]
    raw = ExportForm.base_fields["raw"]

    fmt = ExportForm.fmt
    parquet = ExportForm.parquet

    def __init__(self, *args, project: Project | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"].initial = project


class SourceChoiceField(forms.ModelChoiceField):
    """Sources with their document counts (``document_count``, annotated by the view)."""

    def label_from_instance(self, source) -> str:
        return f"{source.name} ({count_noun(source.document_count, 'document')})"


class SourceMergeForm(forms.Form):
    into = SourceChoiceField(
        queryset=None,
        widget=forms.RadioSelect,
        label=_("Keep"),
        help_text=_("The other selected sources are merged into this one."),
    )

    def __init__(self, *args, sources, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(SourceChoiceField, self.fields["into"]).queryset = sources


class ImportForm(forms.Form):
    upload = forms.FileField(
        label=_("File"),
        help_text=_("A .txt, .jsonl or .csv file, or a .zip of .txt files."),
    )
    project = forms.ModelChoiceField(
        queryset=Project.objects.all(),
        required=False,
        help_text=_("Add the imported documents (and already stored duplicates) to this project."),
    )
    default_source = forms.CharField(
        max_length=200,
        required=False,
        label=_("Default source"),
        help_text=_(
            "The source of records that name none; created (kind «other») if new. "
            "The same as import_documents --source."
        ),
    )
    skip_bad = forms.BooleanField(
        required=False,
        label=_("Skip bad records"),
        help_text=_("Import the good records and list the bad ones, instead of importing nothing."),
    )
    remove_repeats = forms.BooleanField(
        required=False,
        label=_("Remove repeats"),
        help_text=_("Remove an exact repeated run of paragraphs inside a document."),
    )

    def clean_upload(self):
        upload = self.cleaned_data["upload"]
        limit = settings.IMPORT_UPLOAD_MAX_BYTES
        if upload.size > limit:
            raise ValidationError(
                gettext(
                    "%(name)s is %(size)s; uploads are limited to %(limit)s "
                    "(IMPORT_UPLOAD_MAX_BYTES)."
                )
                % {
                    "name": upload.name,
                    "size": filesizeformat(upload.size),
                    "limit": filesizeformat(limit),
                }
            )
        return upload
