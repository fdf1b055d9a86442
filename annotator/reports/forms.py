"""Forms of the report pages: profile filters, and the reviewer's gold-span edits."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from django import forms
from django.utils.translation import gettext, gettext_lazy

from annotator.models import Project


class ProfileFilterForm(forms.Form):
    project = forms.ChoiceField(label=gettext_lazy("Project"))
    date_from = forms.DateField(
        required=False,
        label=gettext_lazy("Published from"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = forms.DateField(
        required=False,
        label=gettext_lazy("Published until"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    annotator = forms.ChoiceField(required=False, label=gettext_lazy("Annotator"))
    story = forms.TypedChoiceField(
        required=False, label=gettext_lazy("Story"), coerce=int, empty_value=None
    )

    def __init__(
        self,
        data,
        *,
        projects: list[Project],
        annotators: list[tuple[int, str]],
        stories: Sequence[tuple[int, str]] = (),
    ):
        super().__init__(data)
        cast(forms.ChoiceField, self.fields["project"]).choices = [
            (p.slug, p.name) for p in projects
        ]
        cast(forms.ChoiceField, self.fields["annotator"]).choices = [
            ("", gettext("Gold, else annotators' majority"))
        ] + [(name, name) for _, name in annotators]
        self.annotator_ids = {name: uid for uid, name in annotators}
        cast(forms.ChoiceField, self.fields["story"]).choices = [("", gettext("All documents"))] + [
            (str(pk), name) for pk, name in stories
        ]
        self.story_names = dict(stories)

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(gettext("The start date is after the end date."))
        return cleaned

    def annotator_id(self) -> int | None:
        name = self.cleaned_data.get("annotator")
        return self.annotator_ids[name] if name else None


class GoldSpanForm(forms.Form):
    """A gold span the reviewer adds or edits: label and code-point offsets."""

    label = forms.ChoiceField(label=gettext_lazy("Label"))
    start = forms.IntegerField(label=gettext_lazy("Start"), min_value=0)
    end = forms.IntegerField(label=gettext_lazy("End"), min_value=1)
    quote = forms.CharField(required=False, strip=False, widget=forms.HiddenInput)

    def __init__(self, data=None, *, labels: list[tuple[str, str]], **kwargs):
        super().__init__(data, **kwargs)
        cast(forms.ChoiceField, self.fields["label"]).choices = labels


class MajorityForm(forms.Form):
    min_agree = forms.IntegerField(label=gettext_lazy("At least"), min_value=2, initial=2)


def form_errors(form: forms.Form) -> str:
    """All of a form's errors in one line: "Start: Enter a whole number."."""
    parts = []
    for name, errors in form.errors.items():
        text = " ".join(map(str, errors))
        parts.append(f"{form.fields[name].label}: {text}" if name in form.fields else text)
    return " ".join(parts)
