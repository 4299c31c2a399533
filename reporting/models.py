"""Reporting's own rows: saved reports and their pins (no domain rows)."""

from reporting.builder.models import ReportPin, SavedReport

__all__ = ["ReportPin", "SavedReport"]
