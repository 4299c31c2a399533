"""The quotas import (kind `quotas`, administrators only) through the import engine.

Each row is one quota: a person (email or name) *or* a team (its name) *or* the company
(`scope` = company, or a row naming neither in a file that has a scope column), a period
(a month ``2026-03`` / ``Mar 2026`` / ``March 2026``, or a fiscal quarter ``FY2026-Q1`` /
``Q1 FY2026``) and an amount in the company currency. Rows are the same quota when their
target and period are: with the "skip" policy an existing quota stays, with "update" its
amount is replaced (audited, and the rep or the team's manager is notified, as the grid
does). Bad rows are refused with a reason: an unknown person or team, both given, a
negative amount, a year, a calendar quarter that isn't a fiscal one, a period that doesn't
parse.
"""

import re
from collections.abc import Hashable
from datetime import date, datetime
from typing import Any

from django.utils import timezone

from crm.errors import DomainError
from crm.imports.context import ImportContext
from crm.imports.copy import copy_audit
from crm.imports.lookups import NameLookup
from crm.imports.registry import Field, ImportKind, RowError, register
from crm.models import Team, User
from crm.models.audit import AuditAction
from forecasting import periods
from forecasting.models import Quota
from forecasting.selectors import fiscal_start_month
from forecasting.services import parse_amount, quota_notify

MONTHS = {
    name: number
    for number in range(1, 13)
    for name in (
        date(2000, number, 1).strftime("%b").lower(),
        date(2000, number, 1).strftime("%B").lower(),
    )
}
_MONTH_NAME = re.compile(r"^([a-z]+)\.?[\s\-/]+(\d{4})$")
_FISCAL_LABEL = re.compile(r"^q([1-4])[\s\-/]*fy[\s\-]?(\d{4})$")
_CALENDAR_QUARTER = re.compile(r"^(?:(\d{4})[\s\-/]*q([1-4])|q([1-4])[\s\-/]*(\d{4}))$")
_YEAR = re.compile(r"^(?:fy)?\s*(\d{4})$")
_MONTH_SLASH = re.compile(r"^(\d{1,2})/(\d{4})$")


class TeamName(NameLookup):
    """A team named in a cell; an import of quotas never creates teams."""

    def __init__(self) -> None:
        super().__init__(Team, name="team", label="Team")

    def can_create(self, ctx: ImportContext) -> bool:
        return False


def parse_quota_period(text: str, start_month: int) -> periods.Period:
    """The month or fiscal quarter a cell names, or RowError saying what it should be."""
    raw = str(text or "").strip()
    key = raw.lower()
    calendar = f"the fiscal year starts in {date(2000, start_month, 1):%B}"
    if isinstance(text, (date, datetime)):
        raise RowError(f"Period: {raw} is a day; give a month (2026-03) or a fiscal quarter.")
    if match := _MONTH_NAME.match(key):
        month = MONTHS.get(match[1])
        if month is not None:
            return periods.month_period(int(match[2]), month)
    if (match := _MONTH_SLASH.match(key)) and 1 <= int(match[1]) <= 12:
        return periods.month_period(int(match[2]), int(match[1]))
    if match := _FISCAL_LABEL.match(key):
        return periods.quarter_period(int(match[2]), int(match[1]), start_month)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", key):
        raise RowError(
            f"Period: “{raw}” is a day; give a month (2026-03) or a fiscal quarter (FY2026-Q1)."
        )
    if match := _CALENDAR_QUARTER.match(key):
        year = int(match[1] or match[4])
        quarter = int(match[2] or match[3])
        starts = date(year, 3 * (quarter - 1) + 1, 1)
        if (starts.month - start_month) % 3:
            raise RowError(
                f"Period: “{raw}” is a calendar quarter that is no fiscal quarter ({calendar}); "
                "give fiscal quarters (FY2026-Q1) or months."
            )
        fiscal = periods.period_of(starts, periods.QUARTER, start_month)
        raise RowError(
            f"Period: “{raw}” is ambiguous: say {fiscal.key} if you mean "
            f"{starts:%b} to {periods.months_of(fiscal)[-1].start:%b %Y} ({calendar})."
        )
    if _YEAR.match(key):
        raise RowError(
            f"Period: “{raw}” is a year; quotas are set per month or fiscal quarter "
            "(a year adds up its quarters)."
        )
    try:
        span = periods.parse_period(raw, start_month)
    except DomainError:
        raise RowError(
            f"Period: “{raw}” is not a month (2026-03, Mar 2026) or a fiscal quarter "
            f"(FY2026-Q1, Q1 FY2026) of the fiscal calendar ({calendar})."
        ) from None
    if span.kind == periods.YEAR:
        raise RowError(
            f"Period: “{raw}” is a year; quotas are set per month or fiscal quarter "
            "(a year adds up its quarters)."
        )
    return span


SCOPES = (("company", "Company"), ("team", "Team"), ("person", "Person"))


class QuotaImport(ImportKind):
    name = "quotas"
    label = "Quotas"
    model = Quota
    admin_only = True
    dedupe_help = "Same person, team or company and same period."
    fields = (
        Field(
            "person",
            "Person",
            max_length=254,
            aliases=("rep", "user", "email", "sales rep", "sales agent", "agent", "owner"),
        ),
        Field(
            "team",
            "Team",
            type="lookup",
            lookup=TeamName(),
            aliases=("team name", "sales team", "group"),
        ),
        Field(
            "scope",
            "Quota for",
            type="choice",
            choices=SCOPES,
            aliases=("scope", "level", "target", "for"),
        ),
        Field(
            "period",
            "Period",
            required=True,
            max_length=40,
            aliases=("month", "quarter", "fiscal period", "period key"),
        ),
        Field(
            "amount",
            "Quota",
            type="decimal",
            required=True,
            aliases=("amount", "quota amount", "target amount", "value"),
        ),
    )

    def _teams(self, ctx: ImportContext) -> dict[int, Team]:
        if "quota_teams" not in ctx.memo:
            ctx.memo["quota_teams"] = {t.pk: t for t in Team.objects.select_related("manager")}
        teams: dict[int, Team] = ctx.memo["quota_teams"]
        return teams

    def build(self, values: dict[str, Any], ctx: ImportContext) -> Quota:
        if not ctx.actor.is_admin:
            raise RowError("Only administrators import quotas.")
        person_text = str(values.get("person") or "")
        team_id = values.get("team")
        scope = values.get("scope") or ""
        user: User | None = None
        team: Team | None = None
        if person_text and team_id:
            raise RowError("Give a person or a team, not both: a quota has one target.")
        if person_text:
            user = ctx.known_user(person_text)
            if user is None:
                raise RowError(f"Person: nobody active is called or has the email “{person_text}”.")
            if not user.is_active:
                raise RowError(f"Person: {user.full_name} is deactivated.")
        elif team_id:
            team = self._teams(ctx).get(int(team_id))
            if team is None:
                raise RowError("Team: that team no longer exists.")
        elif scope != "company":
            raise RowError(
                "Name a person or a team, or say “company” in the Quota for column for the "
                "company's quota."
            )
        if scope == "company" and (user or team):
            raise RowError("A company quota names no person or team.")
        if scope == "person" and user is None:
            raise RowError("Quota for says person, but the row names none.")
        if scope == "team" and team is None:
            raise RowError("Quota for says team, but the row names none.")
        start_month = ctx.memo.setdefault("fiscal_start_month", fiscal_start_month())
        span = parse_quota_period(values["period"], start_month)
        try:
            amount = parse_amount(values["amount"])
        except DomainError as exc:
            raise RowError(f"Quota: {exc.message}") from exc
        now = timezone.now()
        return Quota(
            user=user,
            team=team,
            period_kind=span.kind,
            period_start=span.start,
            period_end=span.end,
            period_key=span.key,
            amount=amount,
            updated_by=ctx.actor,
            updated_at=now,
        )

    def dedupe_key(self, record: Any, values: dict[str, Any]) -> Hashable | None:
        return (record.scope_key, record.period_kind, record.period_start)

    def find_existing(self, keys: list[Hashable], ctx: ImportContext) -> dict[Hashable, Any]:
        starts = {k[2] for k in keys if isinstance(k, tuple)}
        found: dict[Hashable, Any] = {}
        for quota in Quota.objects.filter(period_start__in=starts).select_related(
            "user", "team__manager"
        ):
            key = (quota.scope_key, quota.period_kind, quota.period_start)
            if key in keys:
                found[key] = quota
        return found

    def apply_update(self, existing: Any, values: dict[str, Any], ctx: ImportContext) -> None:
        amount = parse_amount(values["amount"])
        existing.__dict__.setdefault("_import_before", existing.amount)
        existing.amount = amount
        existing.updated_by = ctx.actor
        existing.updated_at = timezone.now()

    def update(self, records: list[Any], fields: set[str], ctx: ImportContext) -> None:
        changed = [q for q in records if q.__dict__.get("_import_before") != q.amount]
        if not changed:
            return
        Quota.objects.bulk_update(changed, ["amount", "updated_by", "updated_at"])
        copy_audit(
            ctx.actor,
            Quota,
            AuditAction.UPDATE,
            (
                (q, {"amount": [str(q.__dict__["_import_before"]), str(q.amount)], "via": "import"})
                for q in changed
            ),
        )
        for quota in changed:
            before = quota.__dict__["_import_before"]
            quota_notify(
                quota,
                f"Your quota for {_label(quota)} changed from {before:,.2f} to "
                f"{quota.amount:,.2f}.",
            )

    def after_create(self, records: list[Any], ctx: ImportContext) -> None:
        for quota in records:
            quota_notify(quota, f"Your quota for {_label(quota)} is now {quota.amount:,.2f}.")


def _label(quota: Quota) -> str:
    if quota.period_kind == periods.MONTH:
        return f"{quota.period_start:%b %Y}"
    return quota.period_key


register(QuotaImport())
