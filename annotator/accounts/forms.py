"""The profile form: the interface language and the time zone times are shown in."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from annotator.models.accounts import time_zone_names, validate_time_zone


class ProfileForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("The browser's language")), *settings.LANGUAGES],
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        required=False,
        choices=lambda: [("", "UTC"), *((name, name) for name in time_zone_names())],
        validators=[validate_time_zone],
        help_text=_("Dates and times in every page are shown in this zone."),
    )


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=settings.LANGUAGES)
    next = forms.CharField(required=False)
