"""Sending scheduled reports: each subscription once per slot (its week or month).

A slot is the Monday of the week or the 1st of the month in the company time zone. The
daily beat claims every active subscription's current slot in one statement,
`INSERT … SELECT … ON CONFLICT (subscription, slot) DO NOTHING RETURNING id`: the unique
constraint, not Python, decides; a second run at the same moment waits on the index and
claims nothing. Then each claimed slot is built as its subscriber (who sees only their own
records), emailed as HTML with the table as a CSV attachment (or skipped when empty and
the subscriber asked so), and its outcome, recipients and error written to the run log.
A slot whose send fails stays failed (the log says why): it is never sent twice.
"""

import io
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from crm.exports import write_csv
from crm.models import User
from crm.visibility import can_see
from reporting.builder.definition import DefinitionError, clean_definition
from reporting.builder.exports import export_rows
from reporting.builder.run import run_report
from reporting.dashboards import admin_dashboard, manager_dashboard, rep_dashboard
from reporting.kpis.scope import ReportFilters

from .models import DashboardKind, Frequency, ReportRun, ReportSubscription, RunOutcome
from .services import may_see_dashboard

log = logging.getLogger(__name__)


def slot_of(frequency: str, today: date) -> date:
    if frequency == Frequency.MONTHLY:
        return today.replace(day=1)
    return today - timedelta(days=today.weekday())


def dashboard_period(frequency: str, slot: date) -> tuple[date, date]:
    """A dashboard summary covers the slot before this one: last week or last month."""
    if frequency == Frequency.MONTHLY:
        last = slot - timedelta(days=1)
        return last.replace(day=1), last
    return slot - timedelta(days=7), slot - timedelta(days=1)


@dataclass
class Summary:
    title: str
    period: str
    header: list[str]
    rows: list[list[Any]]
    link: str
    empty: bool

    @property
    def text_rows(self) -> list[str]:
        """The rows as plain text lines (the last column, the link, left out)."""
        return [" | ".join("—" if c is None else str(c) for c in row[:-1]) for row in self.rows]


def _claim(today: date, now: datetime) -> list[int]:
    runs = ReportRun._meta.db_table
    subscriptions = ReportSubscription._meta.db_table
    users = User._meta.db_table
    weekly, monthly = slot_of(Frequency.WEEKLY, today), slot_of(Frequency.MONTHLY, today)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {runs} (subscription_id, slot, started_at, outcome, recipients,"  # noqa: S608
            " rows, error)"
            " SELECT s.id, CASE WHEN s.frequency = %s THEN %s ELSE %s END, %s, %s, '[]', 0, ''"
            f" FROM {subscriptions} s JOIN {users} u ON u.id = s.user_id"
            " WHERE s.is_active AND u.is_active ORDER BY s.id"
            " ON CONFLICT (subscription_id, slot) DO NOTHING RETURNING id",
            [Frequency.MONTHLY, monthly, weekly, now, RunOutcome.SENDING],
        )
        return [row[0] for row in cursor.fetchall()]


def _report_summary(subscription: ReportSubscription) -> Summary:
    user, report = subscription.user, subscription.report
    if report is None or not can_see(user, report):
        raise DefinitionError("The report is no longer shared with you.")
    definition = clean_definition(report.as_input())
    result = run_report(actor=user, definition=definition)
    header, rows = export_rows(result, settings.SITE_URL)
    if result.date_from:
        period = f"{result.date_from:%d %b %Y} to {result.date_to:%d %b %Y}"
    else:
        period = "any time"
    return Summary(
        title=report.name,
        period=period,
        header=header,
        rows=rows,
        link=f"{settings.SITE_URL}/reports/builder/{report.pk}/",
        empty=not rows,
    )


def _dashboard_summary(subscription: ReportSubscription, slot: date) -> Summary:
    user, kind = subscription.user, subscription.dashboard
    if not may_see_dashboard(user, kind):
        raise DefinitionError("That dashboard is no longer yours to see.")
    start, end = dashboard_period(subscription.frequency, slot)
    filters = ReportFilters(date_from=start, date_to=end)
    if kind == DashboardKind.ADMIN:
        dashboard = admin_dashboard(actor=user, filters=filters)
    elif kind == DashboardKind.MANAGER:
        dashboard = manager_dashboard(actor=user, filters=filters)
    else:
        dashboard = rep_dashboard(actor=user, filters=ReportFilters(start, end, owner=user.pk))
    rows = [
        [f.label, f.value, f.previous, f.delta, settings.SITE_URL + f.url if f.url else ""]
        for f in dashboard.figures
    ]
    paths = {"rep": "me", "manager": "team", "admin": "company"}
    return Summary(
        title=DashboardKind(kind).label,
        period=f"{start:%d %b %Y} to {end:%d %b %Y}",
        header=["figure", "value", "period before", "change %", "list"],
        rows=rows,
        link=f"{settings.SITE_URL}/reports/{paths[kind]}/?period=custom&date_from={start}"
        f"&date_to={end}",
        empty=all(f.value in (None, 0) for f in dashboard.figures),
    )


def _email(subscription: ReportSubscription, summary: Summary, slot: date) -> list[str]:
    user = subscription.user
    out = io.StringIO()
    write_csv(out, summary.header, summary.rows)
    context = {"summary": summary, "subscription": subscription, "slot": slot}
    frequency = subscription.get_frequency_display().split(" ")[0]
    message = EmailMultiAlternatives(
        subject=f"{frequency} report: {summary.title} ({summary.period})",
        body=render_to_string("reporting/schedules/email.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
    )
    message.attach_alternative(
        render_to_string("reporting/schedules/email.html", context), "text/html"
    )
    name = "".join(c if c.isalnum() else "-" for c in summary.title)[:60]
    message.attach(f"{name}-{slot.isoformat()}.csv", out.getvalue(), "text/csv")
    message.send()
    return [user.email]


def _deliver(run_id: int) -> str:
    run = ReportRun.objects.select_related("subscription__user", "subscription__report").get(
        pk=run_id
    )
    subscription = run.subscription
    try:
        if subscription.report_id:
            summary = _report_summary(subscription)
        else:
            summary = _dashboard_summary(subscription, run.slot)
        run.rows = len(summary.rows)
        if summary.empty and subscription.skip_if_empty:
            run.outcome = RunOutcome.SKIPPED
        else:
            run.recipients = _email(subscription, summary, run.slot)
            run.outcome = RunOutcome.SENT
    except DefinitionError as error:  # the report can't run for this subscriber any more
        run.outcome, run.error = RunOutcome.FAILED, error.message[:2000]
    except Exception as error:  # one slot's failure (mail server down, …) never stops the rest
        run.outcome, run.error = RunOutcome.FAILED, f"{type(error).__name__}: {error}"[:2000]
        log.warning("scheduled report run %s failed", run.pk, exc_info=True)
    run.finished_at = timezone.now()
    run.save(update_fields=["outcome", "recipients", "rows", "error", "finished_at"])
    return run.outcome


def subscriptions_send(*, now: datetime | None = None) -> int:
    """Claim and send this week's and this month's slot of every active subscription that
    hasn't had it; returns how many slots this run claimed."""
    now = now or timezone.now()
    claimed = _claim(timezone.localdate(now), now)
    for run_id in claimed:
        _deliver(run_id)
    return len(claimed)


__all__ = ["dashboard_period", "slot_of", "subscriptions_send"]
