"""Demo: the first manager's saved report "Open pipeline by stage and owner", shared with
their team and pinned to their dashboards, emailed to them weekly (idempotent)."""

from collections.abc import Callable

from django.db import transaction

from crm.models import Role, Team, User
from reporting.builder.definition import clean_definition
from reporting.builder.models import SavedReport
from reporting.builder.services import report_pin, saved_report_create
from reporting.schedules.services import subscription_create

NAME = "Open pipeline by stage and owner"


@transaction.atomic
def seed(log: Callable[[str], None]) -> None:
    manager = (
        User.objects.filter(role=Role.MANAGER, is_active=True, managed_teams__isnull=False)
        .order_by("id")
        .first()
    )
    if manager is None:
        log("reporting: no manager for the demo report; run crm.demo first")
        return
    if SavedReport.objects.filter(owner=manager, name=NAME).exists():
        log("reporting: demo report already present")
        return
    definition = clean_definition(
        {
            "source": "deals",
            "measure": "sum",
            "field": "amount",
            "group_by": "stage",
            "group_by2": "owner",
            "chart": "stacked",
            "period": "all",
            "status": "open",
        }
    )
    team = Team.objects.filter(manager=manager).order_by("id").first()
    report = saved_report_create(actor=manager, name=NAME, definition=definition, team=team)
    report_pin(actor=manager, report_id=report.pk)
    subscription_create(actor=manager, report=report, frequency="weekly")
    log(f"reporting: saved, pinned and subscribed “{NAME}” for {manager.email}")
