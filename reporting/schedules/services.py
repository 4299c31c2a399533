"""Subscribing to a saved report or a dashboard: audited writes, checked access."""

from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery

from crm.errors import DomainError, NotFound, PermissionDenied
from crm.models import User
from crm.models.audit import AuditAction
from crm.services.audit import audit, audit_update, snapshot
from crm.visibility import can_edit, can_see, visible
from reporting.builder.models import SavedReport

from .models import DashboardKind, Frequency, ReportRun, ReportSubscription

FIELDS = ("report_id", "dashboard", "frequency", "skip_if_empty", "is_active")
MAX_SUBSCRIPTIONS = 20


def may_see_dashboard(user: User, dashboard: str) -> bool:
    if dashboard == DashboardKind.REP:
        return True
    if dashboard == DashboardKind.MANAGER:
        return not user.is_rep
    if dashboard == DashboardKind.ADMIN:
        return user.is_admin
    return False


def _check_frequency(frequency: str) -> None:
    if frequency not in Frequency.values:
        raise DomainError("Choose weekly or monthly.", field="frequency")


def _check(actor: User, report: SavedReport | None, dashboard: str, frequency: str) -> None:
    _check_frequency(frequency)
    if (report is None) == (not dashboard):
        raise DomainError("Subscribe to one saved report or one dashboard.", field="report")
    if report is not None and not can_see(actor, report):
        raise NotFound("No such report.", field="report")
    if dashboard and dashboard not in DashboardKind.values:
        raise DomainError("Unknown dashboard.", field="dashboard")
    if dashboard and not may_see_dashboard(actor, dashboard):
        raise PermissionDenied("That dashboard is not yours to see.", field="dashboard")


@transaction.atomic
def subscription_create(
    *,
    actor: User,
    frequency: str,
    report: SavedReport | None = None,
    dashboard: str = "",
    skip_if_empty: bool = True,
) -> ReportSubscription:
    """The actor subscribes themselves: a report is emailed to its subscriber only, run over
    what they may see."""
    _check(actor, report, dashboard, frequency)
    if ReportSubscription.objects.filter(user=actor).count() >= MAX_SUBSCRIPTIONS:
        raise DomainError(f"At most {MAX_SUBSCRIPTIONS} subscriptions.", field="report")
    subscription = ReportSubscription.objects.create(
        user=actor,
        report=report,
        dashboard=dashboard,
        frequency=frequency,
        skip_if_empty=skip_if_empty,
    )
    audit(
        actor=actor,
        obj=subscription,
        action=AuditAction.CREATE,
        changes=snapshot(subscription, FIELDS),
    )
    return subscription


def _require_edit(actor: User, subscription: ReportSubscription) -> None:
    if not can_edit(actor, subscription):
        raise PermissionDenied("Only the subscriber (or their manager) changes a subscription.")


@transaction.atomic
def subscription_update(
    *,
    actor: User,
    subscription: ReportSubscription,
    frequency: str | None = None,
    skip_if_empty: bool | None = None,
    is_active: bool | None = None,
) -> ReportSubscription:
    _require_edit(actor, subscription)
    before = snapshot(subscription, FIELDS)
    if frequency is not None:
        _check_frequency(frequency)
        subscription.frequency = frequency
    if skip_if_empty is not None:
        subscription.skip_if_empty = skip_if_empty
    if is_active is not None:
        subscription.is_active = is_active
    subscription.save()
    audit_update(actor=actor, obj=subscription, before=before, fields=FIELDS)
    return subscription


@transaction.atomic
def subscription_delete(*, actor: User, subscription: ReportSubscription) -> None:
    _require_edit(actor, subscription)
    audit(
        actor=actor,
        obj=subscription,
        action=AuditAction.DELETE,
        changes=snapshot(subscription, FIELDS),
    )
    subscription.delete()


def visible_subscriptions(actor: User) -> QuerySet[ReportSubscription]:
    return visible(actor, ReportSubscription.objects.all()).select_related("user", "report")


def with_last_run(subscriptions: QuerySet[ReportSubscription]) -> QuerySet[ReportSubscription]:
    """Annotate the latest run's slot, time, outcome, recipients and error (subqueries)."""
    latest = ReportRun.objects.filter(subscription=OuterRef("pk")).order_by("-slot", "-id")
    return subscriptions.annotate(
        last_slot=Subquery(latest.values("slot")[:1]),
        last_started_at=Subquery(latest.values("started_at")[:1]),
        last_finished_at=Subquery(latest.values("finished_at")[:1]),
        last_outcome=Subquery(latest.values("outcome")[:1]),
        last_recipients=Subquery(latest.values("recipients")[:1]),
        last_error=Subquery(latest.values("error")[:1]),
    )


def recent_runs(actor: User, limit: int = 20) -> list[ReportRun]:
    """The run log of the actor's own subscriptions, newest first (one query)."""
    return list(
        ReportRun.objects.filter(subscription__user=actor)
        .select_related("subscription__report")
        .order_by("-started_at", "-id")[:limit]
    )
