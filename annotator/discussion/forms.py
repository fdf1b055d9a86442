"""The comment and reopen forms: parsing only; the rules are the services'."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from annotator.models import COMMENT_MAX


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("Comment"), max_length=COMMENT_MAX, strip=True, widget=forms.Textarea
    )
    parent = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    start = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    end = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    quote = forms.CharField(required=False, strip=False, widget=forms.HiddenInput)
    concerning = forms.IntegerField(required=False, min_value=1)


class ReopenForm(forms.Form):
    text = forms.CharField(
        label=_("What to change"), max_length=COMMENT_MAX, strip=True, widget=forms.Textarea
    )
    annotator = forms.IntegerField(min_value=1)


def first_error(form: forms.Form) -> str:
    """The form's first error, named by its field's label."""
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        return f"{label}: {errors[0]}" if label else str(errors[0])
    return ""
