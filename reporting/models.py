"""Reporting's own rows: saved reports, their pins, subscriptions and their run log,
reporting settings and team challenges, marketing and sales spend (no domain rows)."""

from reporting.builder.models import ReportPin, SavedReport
from reporting.recognition.models import Challenge, ReportingSettings
from reporting.schedules.models import ReportRun, ReportSubscription
from reporting.source_return.models import SourceSpend

__all__ = [
    "Challenge",
    "ReportPin",
    "ReportRun",
    "ReportSubscription",
    "ReportingSettings",
    "SavedReport",
    "SourceSpend",
]
