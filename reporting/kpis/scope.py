"""What every KPI shares: the filters, the period in the company time zone, the scoped
querysets (visible, alive) and the SQL helpers (median, groupings)."""

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import (
    Aggregate,
    F,
    FloatField,
    Func,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import TruncMonth, TruncQuarter
from django.utils import timezone

from crm.models import Activity, Task, Team, User
from crm.models.soft_delete import alive_q
from crm.visibility import visible
from leads.models import Lead
from pipeline.models import Deal
from pipeline.selectors import first_lead_source

GROUPINGS = ("owner", "team", "source", "stage", "month", "quarter")
DEFAULT_DAYS = 90


class Median(Aggregate):
    """PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY x): the median, NULL over no rows."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY %(expressions)s)%(filter)s"
    output_field = FloatField()
    allow_distinct = False


def epoch_days(start: str, end: str) -> Func:
    """(end - start) in days, as a float (EXTRACT(EPOCH …) / 86400)."""
    return Func(
        F(end) - F(start),
        template="(EXTRACT(EPOCH FROM %(expressions)s) / 86400.0)",
        output_field=FloatField(),
    )


@dataclass(frozen=True)
class ReportFilters:
    """A period (inclusive dates in the company time zone) and the scope filters."""

    date_from: date
    date_to: date
    team: Team | None = None
    owner: int | None = None
    pipeline: int | None = None
    source: int | None = None

    @classmethod
    def default(cls, *, days: int = DEFAULT_DAYS, **scope: Any) -> "ReportFilters":
        today = timezone.localdate()
        return cls(date_from=today - timedelta(days=days - 1), date_to=today, **scope)

    @property
    def start(self) -> datetime:
        return datetime.combine(self.date_from, time.min, timezone.get_current_timezone())

    @property
    def end(self) -> datetime:
        """The first instant after the period (exclusive bound)."""
        return datetime.combine(
            self.date_to + timedelta(days=1), time.min, timezone.get_current_timezone()
        )

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1

    def previous(self) -> "ReportFilters":
        """The period of the same length just before this one ("this period vs last")."""
        length = timedelta(days=self.days)
        return replace(self, date_from=self.date_from - length, date_to=self.date_to - length)

    def in_period(self, field: str) -> Q:
        return Q(**{f"{field}__gte": self.start, f"{field}__lt": self.end})


def _owner_scope(queryset: QuerySet[Any], filters: ReportFilters, prefix: str = "") -> Any:
    if filters.owner:
        queryset = queryset.filter(**{f"{prefix}owner_id": filters.owner})
    if filters.team is not None:
        queryset = queryset.filter(**{f"{prefix}owner__team__path__startswith": filters.team.path})
    return queryset


def lead_source_of_deal() -> Subquery:
    """The source of the first lead that converted into the deal (NULL when none)."""
    return first_lead_source()


def scoped_deals(actor: User, filters: ReportFilters) -> QuerySet[Deal]:
    """Visible, live deals in the filters' scope (owner, team subtree, pipeline, source)."""
    deals = _owner_scope(visible(actor, Deal.objects.alive()), filters)
    if filters.pipeline:
        deals = deals.filter(pipeline_id=filters.pipeline)
    if filters.source:
        deals = deals.annotate(lead_source=first_lead_source()).filter(lead_source=filters.source)
    return deals


def scoped_leads(actor: User, filters: ReportFilters) -> QuerySet[Lead]:
    """Visible, live leads in the filters' scope (owner, team subtree, source)."""
    leads = _owner_scope(visible(actor, Lead.objects.alive()), filters)
    if filters.source:
        leads = leads.filter(source_id=filters.source)
    return leads


ON_LIVE_RECORDS = alive_q("account") & alive_q("contact") & alive_q("lead") & alive_q("deal")


def scoped_activities(actor: User, filters: ReportFilters) -> QuerySet[Activity]:
    return _owner_scope(visible(actor, Activity.objects.filter(ON_LIVE_RECORDS)), filters)


def scoped_tasks(actor: User, filters: ReportFilters) -> QuerySet[Task]:
    return _owner_scope(visible(actor, Task.objects.filter(ON_LIVE_RECORDS)), filters)


def group_expression(group_by: str, *, date_field: str, source: Any = None) -> Any:
    """The SQL expression rows are grouped on for `group_by` (see GROUPINGS)."""
    if group_by == "owner":
        return F("owner_id")
    if group_by == "team":
        return F("owner__team_id")
    if group_by == "source":
        return source if source is not None else F("source_id")
    if group_by == "stage":
        return F("stage_id")
    if group_by == "month":
        return TruncMonth(date_field)
    if group_by == "quarter":
        return TruncQuarter(date_field)
    raise ValueError(group_by)
