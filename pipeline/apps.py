from django.apps import AppConfig


class PipelineConfig(AppConfig):
    name = "pipeline"

    def ready(self) -> None:
        from crm.search import register
        from pipeline import importers  # noqa: F401  (import/export kinds)
        from pipeline.search import DealSearch

        register(DealSearch())
