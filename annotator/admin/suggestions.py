"""The suggestions admin: the cues managers add to the lexicon file
(``annotator/suggestions/lexicon.json``), and the stored suggestions and decisions, read-only.

Nothing here loads pymorphy3: a cue's phrase is stored as written and lemmatised by the
suggester when it runs.
"""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms import ModelForm
from django.utils.translation import gettext

from annotator.admin.base import ReadOnlyAdmin
from annotator.models import Cue, Label, Suggestion, SuggestionDecision


class CueForm(ModelForm):
    class Meta:
        model = Cue
        fields = ("project", "phrase", "label", "weight", "active")

    def clean(self):
        data = super().clean() or {}
        phrase, label, project = data.get("phrase"), data.get("label"), data.get("project")
        if phrase is not None and not any(ch.isalpha() for ch in phrase):
            self.add_error("phrase", gettext("A cue needs at least one word."))
        if label:
            labels = Label.objects.filter(name=label)
            if project is not None:
                labels = labels.filter(project=project)
            if not labels.exists():
                where = (
                    gettext("project %(project)s") % {"project": project}
                    if project
                    else gettext("any project")
                )
                raise ValidationError(
                    {
                        "label": gettext("No label named %(label)r in %(where)s.")
                        % {"label": label, "where": where}
                    }
                )
        return data


@admin.register(Cue)
class CueAdmin(admin.ModelAdmin):
    form = CueForm
    list_display = ("phrase", "label", "weight", "project", "active", "created_at")
    list_filter = ("active", "label", "project")
    list_editable = ("weight", "active")
    search_fields = ("phrase",)


@admin.register(Suggestion)
class SuggestionAdmin(ReadOnlyAdmin):
    list_display = ("document", "start", "end", "label", "score", "agent", "agent_version")
    list_filter = ("agent", "project")
    list_select_related = ("document", "label")
    search_fields = ("quote",)


@admin.register(SuggestionDecision)
class SuggestionDecisionAdmin(ReadOnlyAdmin):
    list_display = ("suggestion", "annotator", "verdict", "decided_at")
    list_filter = ("verdict",)
    list_select_related = ("suggestion", "annotator")
