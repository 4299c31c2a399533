from .history import LeadMerge, LeadTransition
from .leads import (
    OPEN_STATUSES,
    Lead,
    LeadQuerySet,
    LeadSource,
    LeadStatus,
    Temperature,
    Timeframe,
)
from .rules import AssignmentAction, AssignmentRule, LeadSettings, TemperatureRule
from .webforms import WebForm

__all__ = [
    "OPEN_STATUSES",
    "AssignmentAction",
    "AssignmentRule",
    "Lead",
    "LeadMerge",
    "LeadQuerySet",
    "LeadSettings",
    "LeadSource",
    "LeadStatus",
    "LeadTransition",
    "Temperature",
    "TemperatureRule",
    "Timeframe",
    "WebForm",
]
