"""The Sources page's figures as JSON, one home for both front doors: ``manage.py profiles
--format json`` and the API's profiles resource. Apart from ``profiles`` because it joins
the shares with the voices (``voices``), which read the profiles' scope.
"""

from __future__ import annotations

from typing import cast

from annotator.reports.profiles import (
    ProfileFilter,
    label_infos,
    source_profiles,
    sources_in_scope,
)
from annotator.reports.shares import profile_figures
from annotator.reports.voices import source_voices


def profiles_json(f: ProfileFilter, story: str | None = None) -> dict:
    """Every source's figures in scope as JSON: what ``manage.py profiles --format json``
    prints and the API's profiles resource answers (a contract: keys added, never renamed).
    ``story`` is the name of the story ``f.story_id`` chose."""
    labels = label_infos(f.project)
    sources = sources_in_scope(f)
    voices = source_voices(f, labels, sources)
    return {
        "project": f.project.slug,
        "sources": [
            profile_figures(profile) | voices[cast(int, profile.key)].figures()
            for profile in source_profiles(f, labels, sources)
        ],
        "story": story,
        "labels": [label.name for label in labels],
        "filters": {
            "date_from": f.date_from.isoformat() if f.date_from else None,
            "date_to": f.date_to.isoformat() if f.date_to else None,
            "annotator": f.annotator_name,
        },
    }
