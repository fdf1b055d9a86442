"""The admin panel: a manager runs the whole annotation campaign from /admin.

Django's autodiscovery imports this package; importing the modules registers
every ModelAdmin.
"""

from annotator.admin import (
    annotations,
    documents,
    jobs,
    projects,
    sources,
    stories,
    suggestions,
    tokens,
    users,
)

__all__ = [
    "annotations",
    "documents",
    "jobs",
    "projects",
    "sources",
    "stories",
    "suggestions",
    "tokens",
    "users",
]
