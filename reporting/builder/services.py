"""Saving, sharing and pinning reports: every write audited, permission checked."""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from crm.errors import Conflict, DomainError, NotFound, PermissionDenied
from crm.models import RecordShare, Team, User
from crm.models.audit import AuditAction
from crm.models.sharing import ShareAccess
from crm.services.audit import audit, audit_update, snapshot
from crm.services.sharing import share_create
from crm.visibility import can_edit, visible

from .definition import Definition
from .models import ReportPin, SavedReport

MAX_PINS = 6
FIELDS = ("name", "source", "measure", "field", "group_by", "group_by2", "chart", "filters")


def _apply(report: SavedReport, definition: Definition) -> None:
    report.source = definition.source
    report.measure = definition.measure
    report.field = definition.field
    report.group_by = definition.group_by
    report.group_by2 = definition.group_by2
    report.chart = definition.chart
    report.filters = definition.filters_json()


def _name(name: str) -> str:
    name = (name or "").strip()[:120]
    if not name:
        raise DomainError("Give the report a name.", field="name")
    return name


def _save(report: SavedReport) -> None:
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:
        raise Conflict("You already have a report with this name.", field="name") from None


@transaction.atomic
def saved_report_create(
    *, actor: User, name: str, definition: Definition, team: Team | None = None
) -> SavedReport:
    report = SavedReport(owner=actor, name=_name(name))
    _apply(report, definition)
    _save(report)
    audit(actor=actor, obj=report, action=AuditAction.CREATE, changes=snapshot(report, FIELDS))
    if team is not None:
        saved_report_share(actor=actor, report=report, team=team)
    return report


def _require_edit(actor: User, report: SavedReport) -> None:
    if not can_edit(actor, report):
        raise PermissionDenied("This report is shared with you read-only; save a copy instead.")


@transaction.atomic
def saved_report_update(
    *, actor: User, report: SavedReport, name: str | None = None, definition: Definition | None
) -> SavedReport:
    _require_edit(actor, report)
    before = snapshot(report, FIELDS)
    if name is not None:
        report.name = _name(name)
    if definition is not None:
        _apply(report, definition)
    _save(report)
    audit_update(actor=actor, obj=report, before=before, fields=FIELDS)
    return report


@transaction.atomic
def saved_report_delete(*, actor: User, report: SavedReport) -> None:
    _require_edit(actor, report)
    audit(actor=actor, obj=report, action=AuditAction.DELETE, changes={"name": report.name})
    report_shares(report).delete()
    report.delete()


def report_shares(report: SavedReport) -> QuerySet[RecordShare]:
    return RecordShare.objects.filter(
        content_type=ContentType.objects.get_for_model(SavedReport), object_id=report.pk
    )


def shared_team_id(report: SavedReport) -> int | None:
    return (
        report_shares(report).filter(team__isnull=False).values_list("team_id", flat=True).first()
    )


@transaction.atomic
def saved_report_share(*, actor: User, report: SavedReport, team: Team | None) -> None:
    """Share with one team, read-only (None: with nobody). Its members see the report and
    run it over what they may see themselves."""
    _require_edit(actor, report)
    current = report_shares(report).filter(team__isnull=False)
    if team is not None and current.filter(team=team).exists():
        return
    for share in current:
        audit(
            actor=actor,
            obj=report,
            action=AuditAction.UNSHARE,
            changes={"team": share.team_id, "access": share.access},
        )
    current.delete()
    if team is not None:
        share_create(actor=actor, obj=report, team=team, access=ShareAccess.READ)


def visible_reports(actor: User) -> QuerySet[SavedReport]:
    return visible(actor, SavedReport.objects.all()).select_related("owner")


@transaction.atomic
def report_pin(*, actor: User, report_id: int) -> ReportPin:
    report = visible_reports(actor).filter(pk=report_id).first()
    if report is None:
        raise NotFound("No such report.")
    existing = ReportPin.objects.filter(user=actor, report=report).first()
    if existing is not None:
        return existing
    if ReportPin.objects.filter(user=actor).count() >= MAX_PINS:
        raise DomainError(f"At most {MAX_PINS} pinned reports; unpin one first.", field="report")
    pin = ReportPin.objects.create(user=actor, report=report)
    audit(actor=actor, obj=pin, action=AuditAction.CREATE, changes={"report": report.pk})
    return pin


@transaction.atomic
def report_unpin(*, actor: User, report_id: int) -> None:
    pin = ReportPin.objects.filter(user=actor, report_id=report_id).first()
    if pin is None:
        raise NotFound("This report is not pinned.")
    audit(actor=actor, obj=pin, action=AuditAction.DELETE, changes={"report": report_id})
    pin.delete()


def pinned_reports(actor: User) -> list[SavedReport]:
    """The actor's pinned reports they may still see, in pin order (one query)."""
    return list(
        visible_reports(actor).filter(pins__user=actor).order_by("pins__created_at", "pins__id")
    )


__all__: list[Any] = [
    "MAX_PINS",
    "pinned_reports",
    "report_pin",
    "report_unpin",
    "saved_report_create",
    "saved_report_delete",
    "saved_report_share",
    "saved_report_update",
    "shared_team_id",
    "visible_reports",
]
