from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.urls import register_converter
from django.utils.translation import gettext_lazy as _

from annotator.ids import IdConverter


class AnnotatorConfig(AppConfig):
    name = "annotator"
    verbose_name = _("Source-bias annotation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Before any URLconf is read: the feature URLs write their ids as <id:...>.
        register_converter(IdConverter, "id")
        # Imported here: the middleware reads models (API tokens), loaded only now.
        from annotator.web.middleware import make_upload_folder

        make_upload_folder()
        from annotator.accounts import preferences  # noqa: F401  (reads the profile at login)
        from annotator.reports import tallies  # noqa: F401  (connects the span signal receivers)
        from annotator.search.index import repair_after_migrate

        # Table rebuilds by later migrations drop SQLite's full-text triggers.
        post_migrate.connect(repair_after_migrate, sender=self)
