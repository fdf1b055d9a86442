from django.apps import AppConfig


class AnnotatorConfig(AppConfig):
    name = "annotator"
    verbose_name = "Source-bias annotation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from annotator.reports import tallies  # noqa: F401  (connects the span signal receivers)
