from django.apps import AppConfig


class PipelineConfig(AppConfig):
    name = "pipeline"

    def ready(self) -> None:
        from crm import events
        from crm.panels import register_panel
        from crm.search import register
        from pipeline import importers  # noqa: F401  (import/export kinds)
        from pipeline.panels import account_deals_panel, contact_deals_panel
        from pipeline.search import DEAL_SEARCH, accounts_renamed

        register(DEAL_SEARCH)
        events.subscribe("crm.Account", accounts_renamed)
        register_panel("account", account_deals_panel)
        register_panel("contact", contact_deals_panel)
