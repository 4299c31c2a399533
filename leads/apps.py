from django.apps import AppConfig


class LeadsConfig(AppConfig):
    name = "leads"

    def ready(self) -> None:
        from crm import events
        from crm.search import register
        from leads import importers  # noqa: F401  (import/export kinds)
        from leads.scoring.subscribers import activities_changed, leads_changed
        from leads.search import LeadSearch

        register(LeadSearch())
        # A changed lead, or a new activity on one, is rescored by a worker within seconds.
        events.subscribe("leads.Lead", leads_changed)
        events.subscribe("crm.Activity", activities_changed)
