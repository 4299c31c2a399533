from django.apps import AppConfig


class ForecastingConfig(AppConfig):
    name = "forecasting"

    def ready(self) -> None:
        from forecasting import importers  # noqa: F401  (import kind `quotas`)
