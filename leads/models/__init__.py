# Scoring's models live with the rest of scoring; importing them here registers them.
from leads.scoring.models import LeadScore, ScoringModel, ScoringRule, ScoringSettings

from .history import LeadMerge, LeadTransition
from .leads import (
    OPEN_STATUSES,
    SCORE_BANDS,
    Lead,
    LeadQuerySet,
    LeadSource,
    LeadStatus,
    Temperature,
    Timeframe,
    band_of,
)
from .rules import AssignmentAction, AssignmentRule, LeadSettings, TemperatureRule
from .webforms import WebForm

__all__ = [
    "OPEN_STATUSES",
    "SCORE_BANDS",
    "AssignmentAction",
    "AssignmentRule",
    "Lead",
    "LeadMerge",
    "LeadQuerySet",
    "LeadScore",
    "LeadSettings",
    "LeadSource",
    "LeadStatus",
    "LeadTransition",
    "ScoringModel",
    "ScoringRule",
    "ScoringSettings",
    "Temperature",
    "TemperatureRule",
    "Timeframe",
    "WebForm",
    "band_of",
]
