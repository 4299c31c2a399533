"""Writes for forecasting: the fiscal year start and quotas. Administrators only; every
write is audited (and so announced) and the rep or team manager concerned is notified."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from crm.errors import Conflict, DomainError, PermissionDenied
from crm.models import Team, User
from crm.models.audit import AuditAction
from crm.services.audit import audit
from crm.services.notifications import notification_create
from forecasting import periods
from forecasting.forecast import forecast, manager_above
from forecasting.models import (
    AdjustedCategory,
    ForecastAdjustment,
    ForecastSettings,
    ForecastSnapshot,
    Quota,
    QuotaPeriodKind,
)
from forecasting.scopes import resolve_scope
from forecasting.selectors import FISCAL_CACHE_KEY, fiscal_start_month
from forecasting.snapshots import snapshot_take

MAX_QUOTA = Decimal("99999999999999.99")


def _require_admin(actor: User, what: str) -> None:
    if not actor.is_admin:
        raise PermissionDenied(f"Only administrators can {what}.")


@transaction.atomic
def settings_update(*, actor: User, fiscal_year_start_month: int) -> ForecastSettings:
    """Set the fiscal year start. Refused (409) while quarter quotas exist that would no
    longer start a fiscal quarter; the names of those that still do follow the new calendar."""
    _require_admin(actor, "change the fiscal year")
    if not isinstance(fiscal_year_start_month, int) or not 1 <= fiscal_year_start_month <= 12:
        raise DomainError(
            "The fiscal year starts in a month from 1 to 12.", field="fiscal_year_start_month"
        )
    row, _ = ForecastSettings.objects.select_for_update().get_or_create(pk=1)
    before = row.fiscal_year_start_month
    if before == fiscal_year_start_month:
        return row
    quarter_starts = list(
        Quota.objects.filter(period_kind=QuotaPeriodKind.QUARTER)
        .values_list("period_start", flat=True)
        .distinct()
    )
    misaligned = [s for s in quarter_starts if (s.month - fiscal_year_start_month) % 3]
    if misaligned:
        raise Conflict(
            f"{len(misaligned)} quarter quota period(s) would no longer match the fiscal "
            "calendar (first: "
            f"{min(misaligned):%b %Y}); delete or re-enter them as months first.",
            field="fiscal_year_start_month",
        )
    for start in quarter_starts:  # at most a few dozen distinct quarters
        renamed = periods.period_of(start, periods.QUARTER, fiscal_year_start_month)
        Quota.objects.filter(period_kind=QuotaPeriodKind.QUARTER, period_start=start).update(
            period_key=renamed.key
        )
    row.fiscal_year_start_month = fiscal_year_start_month
    row.updated_by = actor
    row.updated_at = timezone.now()
    row.save()
    transaction.on_commit(lambda: cache.delete(FISCAL_CACHE_KEY))
    cache.delete(FISCAL_CACHE_KEY)
    audit(
        actor=actor,
        obj=row,
        action=AuditAction.UPDATE,
        changes={"fiscal_year_start_month": [before, fiscal_year_start_month]},
    )
    return row


def parse_amount(raw: Any, *, field: str = "amount") -> Decimal:
    try:
        amount = Decimal(str(raw).strip().replace(",", "").replace(" ", ""))
    except (InvalidOperation, ValueError) as exc:
        raise DomainError(f"{raw!r} is not an amount.", field=field) from exc
    if not amount.is_finite():
        raise DomainError(f"{raw!r} is not an amount.", field=field)
    if amount < 0:
        raise DomainError("A quota can't be negative.", field=field)
    if amount > MAX_QUOTA:
        raise DomainError("That quota is too large.", field=field)
    return amount.quantize(Decimal("0.01"))


def quota_period(
    key: str, *, field: str = "period", start_month: int | None = None
) -> periods.Period:
    """A month or fiscal quarter (quotas aren't set per year: a year sums its quarters)."""
    span = periods.parse_period(key, start_month or fiscal_start_month(), field=field)
    if span.kind == periods.YEAR:
        raise DomainError(
            "Quotas are set per month or fiscal quarter; a year adds up its quarters.",
            field=field,
        )
    return span


def _target_q(user: User | None, team: Team | None) -> Q:
    if user is not None:
        return Q(user=user)
    if team is not None:
        return Q(team=team)
    return Q(user__isnull=True, team__isnull=True)


def quota_notify(quota: Quota, text: str) -> None:
    """Tell the rep, or the manager of the team, that their quota changed."""
    span_key = quota.period_key
    if quota.user_id:
        recipient = quota.user
        link = f"/forecast/?scope=user:{quota.user_id}&period={span_key}"
    elif quota.team_id and quota.team and quota.team.manager_id:
        recipient = quota.team.manager
        link = f"/forecast/?scope=team:{quota.team_id}&period={span_key}"
    else:
        return
    if recipient is not None and recipient.is_active:
        notification_create(user=recipient, text=text, link=link)


@transaction.atomic
def quota_set(
    *,
    actor: User,
    period: str,
    amount: Any,
    user: User | None = None,
    team: Team | None = None,
) -> Quota:
    """Create or change the quota of a rep (`user`), a team or the company (neither)."""
    _require_admin(actor, "set quotas")
    if user is not None and team is not None:
        raise DomainError("A quota belongs to one rep, one team or the company.", field="team")
    if user is not None and not user.is_active:
        raise DomainError("That user is deactivated.", field="user")
    span = quota_period(period)
    value = parse_amount(amount)
    existing = (
        Quota.objects.select_for_update()
        .filter(_target_q(user, team), period_kind=span.kind, period_start=span.start)
        .first()
    )
    now = timezone.now()
    if existing is not None:
        if existing.amount == value:
            return existing
        before = existing.amount
        existing.amount = value
        existing.updated_by = actor
        existing.updated_at = now
        existing.save(update_fields=["amount", "updated_by", "updated_at"])
        audit(
            actor=actor,
            obj=existing,
            action=AuditAction.UPDATE,
            changes={"amount": [str(before), str(value)]},
        )
        quota_notify(
            existing, f"Your quota for {span.label} changed from {before:,.2f} to {value:,.2f}."
        )
        return existing
    try:
        with transaction.atomic():
            quota = Quota.objects.create(
                user=user,
                team=team,
                period_kind=span.kind,
                period_start=span.start,
                period_end=span.end,
                period_key=span.key,
                amount=value,
                updated_by=actor,
                updated_at=now,
            )
    except IntegrityError as exc:
        raise Conflict("Someone set this quota at the same moment; reload and try again.") from exc
    audit(
        actor=actor,
        obj=quota,
        action=AuditAction.CREATE,
        changes={
            "amount": [None, str(value)],
            "period": [None, span.key],
            "target": [None, quota.scope_key],
        },
    )
    quota_notify(quota, f"Your quota for {span.label} is now {value:,.2f}.")
    return quota


@transaction.atomic
def quota_delete(*, actor: User, quota: Quota) -> None:
    _require_admin(actor, "remove quotas")
    audit(
        actor=actor,
        obj=quota,
        action=AuditAction.DELETE,
        changes={"amount": [str(quota.amount), None], "period": [quota.period_key, None]},
    )
    quota_notify(quota, f"Your quota for {quota.period_key} was removed.")
    quota.delete()


@dataclass(frozen=True)
class GridCell:
    """One cell of the quota grid: target ``user:<id>``/``team:<id>``/``company``, a period
    key and the raw text typed (blank removes the quota)."""

    target: str
    period: str
    raw: str


@transaction.atomic
def quota_grid_save(*, actor: User, cells: list[GridCell]) -> tuple[int, dict[str, str]]:
    """Save the cells that changed, all or nothing. Returns (cells written, errors by
    ``target|period``); with any error nothing is written."""
    _require_admin(actor, "set quotas")
    start_month = fiscal_start_month()
    users = {u.pk: u for u in User.objects.filter(pk__in=_ids(cells, "user"))}
    teams = {t.pk: t for t in Team.objects.filter(pk__in=_ids(cells, "team"))}
    errors: dict[str, str] = {}
    plan: list[tuple[GridCell, User | None, Team | None, Decimal | None]] = []
    for cell in cells:
        name = f"{cell.target}|{cell.period}"
        kind, _, raw_id = cell.target.partition(":")
        user = users.get(int(raw_id)) if kind == "user" and raw_id.isdigit() else None
        team = teams.get(int(raw_id)) if kind == "team" and raw_id.isdigit() else None
        if cell.target != "company" and user is None and team is None:
            errors[name] = "Unknown rep or team."
            continue
        try:
            quota_period(cell.period, start_month=start_month)
            value = parse_amount(cell.raw) if cell.raw.strip() else None
        except DomainError as error:
            errors[name] = error.message
            continue
        plan.append((cell, user, team, value))
    if errors:
        return 0, errors
    existing = {
        (_target_key(q.user_id, q.team_id), q.period_kind, q.period_start): q
        for q in Quota.objects.filter(
            period_key__in={cell.period.strip().upper() for cell, *_ in plan}
        ).select_related("user", "team")
    }
    written = 0
    for cell, user, team, value in plan:  # cells typed in; only changed ones are written
        span = quota_period(cell.period, start_month=start_month)
        found = existing.get((cell.target, span.kind, span.start))
        if value is None:
            if found is not None:
                quota_delete(actor=actor, quota=found)
                written += 1
        elif found is None or found.amount != value:
            quota_set(actor=actor, period=cell.period, amount=value, user=user, team=team)
            written += 1
    return written, errors


def _target_key(user_id: int | None, team_id: int | None) -> str:
    if user_id:
        return f"user:{user_id}"
    if team_id:
        return f"team:{team_id}"
    return "company"


def _ids(cells: list[GridCell], kind: str) -> list[int]:
    ids = []
    for cell in cells:
        prefix, _, raw = cell.target.partition(":")
        if prefix == kind and raw.isdigit():
            ids.append(int(raw))
    return ids


# Manager adjustments


@transaction.atomic
def adjustment_set(
    *, actor: User, scope: str, period: str, category: str, amount: Any, note: str
) -> ForecastAdjustment:
    """Override a rep's or a sub-team's commit or best case for a period. Only the manager
    above the rep or team may (403 for anyone else, the message names who may); a scope the
    actor can't see is a 404. The deals stay as they are."""
    found = resolve_scope(actor, scope)
    if found.user is None and found.team is None:
        raise DomainError("Only a rep's or a team's forecast can be adjusted.", field="scope")
    if category not in AdjustedCategory.values:
        raise DomainError("Adjust commit or best case.", field="category")
    note = (note or "").strip()
    if not note:
        raise DomainError("Say why: a note is required with an adjustment.", field="note")
    if len(note) > 2000:
        raise DomainError("Keep the note under 2,000 characters.", field="note")
    value = parse_amount(amount)
    span = periods.parse_period(period, fiscal_start_month())
    teams = {t.pk: t for t in Team.objects.all()}
    allowed = manager_above(found, teams)
    if allowed != actor.pk:
        who = User.objects.filter(pk=allowed).first() if allowed else None
        raise PermissionDenied(
            f"Only {who.full_name if who else 'the manager above'}, the manager above "
            f"{found.label}, can adjust this forecast."
        )
    original = forecast(actor, found, span).total.figures.amounts[category]
    target = Q(user=found.user) if found.user is not None else Q(team=found.team)
    existing = (
        ForecastAdjustment.objects.select_for_update()
        .filter(target, period_kind=span.kind, period_start=span.start, category=category)
        .first()
    )
    now = timezone.now()
    if existing is not None:
        before = {"amount": str(existing.amount), "note": existing.note}
        existing.amount, existing.note, existing.original_amount = value, note, original
        existing.adjusted_by, existing.updated_at = actor, now
        existing.save()
        audit(
            actor=actor,
            obj=existing,
            action=AuditAction.UPDATE,
            changes={
                "amount": [before["amount"], str(value)],
                "note": [before["note"], note],
                "original_amount": [None, str(original)],
            },
        )
        return existing
    try:
        with transaction.atomic():
            adjustment = ForecastAdjustment.objects.create(
                user=found.user,
                team=found.team,
                period_kind=span.kind,
                period_start=span.start,
                period_key=span.key,
                category=category,
                amount=value,
                original_amount=original,
                note=note,
                adjusted_by=actor,
                updated_at=now,
            )
    except IntegrityError as exc:
        raise Conflict("Someone adjusted this figure at the same moment; reload.") from exc
    audit(
        actor=actor,
        obj=adjustment,
        action=AuditAction.CREATE,
        changes={
            "scope": [None, found.key],
            "period": [None, span.key],
            "category": [None, category],
            "amount": [None, str(value)],
            "original_amount": [None, str(original)],
            "note": [None, note],
        },
    )
    return adjustment


@transaction.atomic
def adjustment_delete(*, actor: User, adjustment: ForecastAdjustment) -> None:
    """Remove an adjustment: the roll-ups go back to the deals' figure. Same rule as setting."""
    teams = {t.pk: t for t in Team.objects.all()}
    scope = resolve_scope(actor, adjustment.scope_key)
    if manager_above(scope, teams) != actor.pk:
        raise PermissionDenied(f"Only the manager above {scope.label} can remove this adjustment.")
    audit(
        actor=actor,
        obj=adjustment,
        action=AuditAction.DELETE,
        changes={"amount": [str(adjustment.amount), None], "note": [adjustment.note, None]},
    )
    adjustment.delete()


def snapshot_request(*, actor: User) -> int:
    """Take this week's snapshot on demand (admins and managers); audited as an action on
    the company snapshot row of the current quarter when it wrote anything."""
    if not (actor.is_admin or actor.is_manager):
        raise PermissionDenied("Only administrators and managers take snapshots.")
    written = snapshot_take()
    if written:
        latest = (
            ForecastSnapshot.objects.filter(scope="company").order_by("-taken_at", "-id").first()
        )
        if latest is not None:
            audit(
                actor=actor,
                obj=latest,
                action=AuditAction.CREATE,
                changes={"figures": [None, written]},
            )
    return written
