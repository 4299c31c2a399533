"""Reporting's own rows: saved reports, their pins, subscriptions and their run log (no
domain rows)."""

from reporting.builder.models import ReportPin, SavedReport
from reporting.schedules.models import ReportRun, ReportSubscription

__all__ = ["ReportPin", "ReportRun", "ReportSubscription", "SavedReport"]
