from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "crm.imports"
    label = "imports"
    verbose_name = "Imports and exports"

    def ready(self) -> None:
        from crm.imports import (
            kinds_crm,  # noqa: F401  (registers accounts, contacts, activities)
            kinds_people,  # noqa: F401  (registers users: people and teams)
        )
