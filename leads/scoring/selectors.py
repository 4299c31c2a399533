"""Reads for pages: a lead's score card, model versions for the quality page."""

from typing import Any

from leads.models.leads import Lead
from leads.scoring.engine import scoring_settings


def score_card(lead: Lead) -> dict[str, Any]:
    """What the lead page's score card shows; `score_pending` while a rescore is due (the card
    then polls until the worker has written the new score)."""
    settings = scoring_settings()
    row = lead.score_row
    pending = (
        row is None or row.generation != settings.generation or row.scored_at < lead.updated_at
    )
    reasons = lead.score_reasons or {}
    return {
        "lead": lead,
        "score_pending": pending,
        "reasons": reasons,
        "reasons_up": reasons.get("up", []),
        "reasons_down": reasons.get("down", []),
    }
