"""Factories for reporting's own rows: saved reports and subscriptions."""

from itertools import count
from typing import Any

from crm.models import User
from reporting.builder.definition import clean_definition
from reporting.builder.models import SavedReport
from reporting.builder.services import saved_report_create

_numbers = count(1)


def saved_report(owner: User, name: str = "", **definition: Any) -> SavedReport:
    """A report saved through the service (so it is checked and audited like a user's)."""
    name = name or f"Deals by stage {next(_numbers)}"
    data = {"source": "deals", "group_by": "stage", "period": "all", **definition}
    return saved_report_create(actor=owner, name=name, definition=clean_definition(data))
