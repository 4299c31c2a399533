from django.apps import AppConfig


class LeadsConfig(AppConfig):
    name = "leads"

    def ready(self) -> None:
        from crm.search import register
        from leads import importers  # noqa: F401  (import/export kinds)
        from leads.search import LeadSearch

        register(LeadSearch())
