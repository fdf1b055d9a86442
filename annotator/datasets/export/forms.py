"""The workspace's export form: format and filters of a dataset download."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext, gettext_lazy

from annotator.datasets.export.plan import ExportFilters
from annotator.models import Membership, Project, Source

FORMAT_CHOICES = [
    ("jsonl", "jsonl: one document per line, every field (lossless)"),
    ("doccano", "doccano: sequence-labeling JSONL (UTF-16 offsets)"),
    ("label-studio", "Label Studio: JSON tasks"),
    ("csv", "CSV: one row per annotation"),
    ("sentences", "sentences: one row per sentence (Parquet)"),
    ("sentences-csv", "sentences: one row per sentence (CSV)"),
    ("conll", "CoNLL: tokens with BIO tags"),
    ("bundle", "bundle: jsonl + sentences Parquet + dataset card (zip)"),
]


class ExportForm(forms.Form):
    format = forms.ChoiceField(choices=FORMAT_CHOICES, initial="jsonl")
    source = forms.MultipleChoiceField(
        required=False, help_text=gettext_lazy("Only these sources (none selected: all).")
    )
    annotator = forms.MultipleChoiceField(
        required=False, help_text=gettext_lazy("Only these annotators' spans, without gold.")
    )
    since = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("Only spans created or changed on or after this day."),
    )
    gold_only = forms.BooleanField(required=False, label=gettext_lazy("Gold only"))
    bom = forms.BooleanField(
        required=False,
        label=gettext_lazy("CSV for Excel"),
        help_text=gettext_lazy(
            "Start CSV files with a byte order mark so spreadsheets read UTF-8."
        ),
    )
    raw = forms.BooleanField(
        required=False,
        label=gettext_lazy("Raw CSV text"),
        help_text=gettext_lazy(
            "For pipelines: CSV cells exactly as written. Otherwise a cell starting with "
            "=, +, -, @, a tab or a carriage return gets a leading ' so spreadsheets do not "
            "run it as a formula. jsonl and Parquet are never altered."
        ),
    )

    def __init__(self, *args, project: Project, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        sources = Source.objects.filter(documents__projects=project).distinct().order_by("name")
        cast(forms.ChoiceField, self.fields["source"]).choices = [(s.name, s.name) for s in sources]
        users = (
            get_user_model()
            .objects.filter(pk__in=Membership.objects.filter(project=project).values("user_id"))
            .order_by("username")
        )
        cast(forms.ChoiceField, self.fields["annotator"]).choices = [
            (u.username, u.username) for u in users
        ]

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        if data.get("gold_only") and data.get("annotator"):
            raise forms.ValidationError(
                gettext(
                    "Gold only cannot be combined with annotators: gold spans are the reviewers'."
                )
            )
        return data

    @property
    def fmt(self) -> str:
        return (
            "sentences"
            if self.cleaned_data["format"] == "sentences-csv"
            else (self.cleaned_data["format"])
        )

    @property
    def parquet(self) -> bool:
        return self.cleaned_data["format"] == "sentences"

    def filters(self) -> ExportFilters:
        data = self.cleaned_data
        return ExportFilters(
            sources=data["source"],
            annotators=data["annotator"],
            since=data["since"],
            gold_only=data["gold_only"],
        )
