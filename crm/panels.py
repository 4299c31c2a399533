"""Panels other apps add to crm's record pages (crm can't import them: they depend on crm).

An app registers a function from its AppConfig.ready():

    from crm.panels import register_panel
    register_panel("account", deals_panel)

The account and contact detail views call `panels_for("account", actor, account)` and
include each panel's template with its context, in registration order. A panel function
returns None to show nothing for that record.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from crm.models import User


@dataclass(frozen=True)
class Panel:
    template: str
    context: dict[str, Any] = field(default_factory=dict)


PanelFunction = Callable[[User, Any], Panel | None]
_PANELS: dict[str, list[PanelFunction]] = {}


def register_panel(page: str, function: PanelFunction) -> None:
    """Show `function`'s panel on `page` ("account" or "contact"); registering twice is a no-op."""
    functions = _PANELS.setdefault(page, [])
    if function not in functions:
        functions.append(function)


def panels_for(page: str, actor: User, record: Any) -> list[Panel]:
    panels = (function(actor, record) for function in _PANELS.get(page, []))
    return [panel for panel in panels if panel is not None]
