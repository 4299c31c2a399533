"""Team challenges: set by a manager over the team or an admin (audited), seen by the
team's members (read-only shares with the team and each of its sub-teams), with their
progress computed in one query for any number of challenges.

Progress of a challenge = its metric over the live records of everyone in the team and its
sub-teams between its start and end days (inclusive, company time zone):
- won_revenue: sum(amount x rate) of the deals won (closed_at);
- deals_won: count of those deals;
- activities: calls + emails + meetings logged (occurred_at) + tasks done (done_at);
- calls, meetings: those activities alone.
Percent = progress ÷ target x 100. Like the leaderboards, a challenge shows the team's
total to its members, never the records behind another member's share.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import (
    Case,
    Count,
    DateTimeField,
    DecimalField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from crm.errors import DomainError, PermissionDenied
from crm.models import Activity, RecordShare, Task, Team, User
from crm.models.activities import ActivityKind
from crm.models.audit import AuditAction
from crm.models.sharing import ShareAccess
from crm.services.audit import audit, audit_update, snapshot
from crm.visibility import can_edit, visible
from forecasting.periods import company_zone
from pipeline.models import Deal, StageKind
from pipeline.selectors import company_amount
from reporting.kpis import ReportFilters, deals_url
from reporting.kpis.scope import ON_LIVE_RECORDS

from .models import Challenge, ChallengeMetric

FIELDS = ("name", "metric", "target", "team_id", "starts_on", "ends_on")
MONEY = DecimalField(max_digits=20, decimal_places=2)
MAX_DAYS = 366


# Writes


def _may_set_for(actor: User, team: Team) -> bool:
    if actor.is_admin:
        return True
    if not actor.is_manager:
        return False
    paths = Team.objects.filter(manager=actor).values_list("path", flat=True)
    return any(team.path.startswith(path) for path in paths)


def _check(actor: User, values: dict[str, Any]) -> None:
    if not values.get("name", "").strip():
        raise DomainError("Give the challenge a name.", field="name")
    if values.get("metric") not in ChallengeMetric.values:
        raise DomainError("Choose what the challenge counts.", field="metric")
    target = values.get("target")
    if target is None or Decimal(str(target)) <= 0:
        raise DomainError("The target must be above zero.", field="target")
    team = values.get("team")
    if not isinstance(team, Team):
        raise DomainError("Choose a team.", field="team")
    if not _may_set_for(actor, team):
        raise PermissionDenied(
            "Only admins and managers over the team set its challenges.", field="team"
        )
    starts, ends = values.get("starts_on"), values.get("ends_on")
    if not isinstance(starts, date) or not isinstance(ends, date):
        raise DomainError("Give a start and an end date.", field="starts_on")
    if ends < starts:
        raise DomainError("The challenge ends before it starts.", field="ends_on")
    if (ends - starts).days >= MAX_DAYS:
        raise DomainError("A challenge runs for at most a year.", field="ends_on")


def _challenge_shares(challenge: Challenge) -> QuerySet[RecordShare]:
    return RecordShare.objects.filter(
        content_type=ContentType.objects.get_for_model(Challenge), object_id=challenge.pk
    )


def _share_with_team(actor: User, challenge: Challenge) -> None:
    """Read-only shares with the team and every sub-team, so all its members see it, and
    with the managers of the team and of the teams above it (who may not be members)."""
    _challenge_shares(challenge).delete()
    content_type = ContentType.objects.get_for_model(Challenge)
    shares = [
        RecordShare(
            content_type=content_type,
            object_id=challenge.pk,
            team=team,
            access=ShareAccess.READ,
            created_by=actor,
        )
        for team in Team.objects.filter(path__startswith=challenge.team.path)
    ]
    path = challenge.team.path
    prefixes = [path[: i + 1] for i, char in enumerate(path) if char == "/"]
    managers = (
        Team.objects.filter(path__in=prefixes, manager__isnull=False)
        .exclude(manager=challenge.owner_id)
        .values_list("manager_id", flat=True)
        .distinct()
    )
    shares += [
        RecordShare(
            content_type=content_type,
            object_id=challenge.pk,
            user_id=manager_id,
            access=ShareAccess.READ,
            created_by=actor,
        )
        for manager_id in managers
    ]
    RecordShare.objects.bulk_create(shares)


@transaction.atomic
def challenge_create(*, actor: User, **values: Any) -> Challenge:
    _check(actor, values)
    challenge = Challenge.objects.create(
        name=values["name"].strip(),
        metric=values["metric"],
        target=Decimal(str(values["target"])),
        team=values["team"],
        starts_on=values["starts_on"],
        ends_on=values["ends_on"],
        owner=actor,
    )
    _share_with_team(actor, challenge)
    audit(
        actor=actor, obj=challenge, action=AuditAction.CREATE, changes=snapshot(challenge, FIELDS)
    )
    return challenge


def _require_edit(actor: User, challenge: Challenge) -> None:
    if not can_edit(actor, challenge):
        raise PermissionDenied("Only who set the challenge, their managers and admins change it.")


@transaction.atomic
def challenge_update(*, actor: User, challenge: Challenge, **values: Any) -> Challenge:
    _require_edit(actor, challenge)
    merged = {
        "name": challenge.name,
        "metric": challenge.metric,
        "target": challenge.target,
        "team": challenge.team,
        "starts_on": challenge.starts_on,
        "ends_on": challenge.ends_on,
        **values,
    }
    _check(actor, merged)
    before = snapshot(challenge, FIELDS)
    team_changed = merged["team"].pk != challenge.team_id
    challenge.name = merged["name"].strip()
    challenge.metric = merged["metric"]
    challenge.target = Decimal(str(merged["target"]))
    challenge.team = merged["team"]
    challenge.starts_on = merged["starts_on"]
    challenge.ends_on = merged["ends_on"]
    challenge.save()
    if team_changed:
        _share_with_team(actor, challenge)
    audit_update(actor=actor, obj=challenge, before=before, fields=FIELDS)
    return challenge


@transaction.atomic
def challenge_delete(*, actor: User, challenge: Challenge) -> None:
    _require_edit(actor, challenge)
    audit(
        actor=actor, obj=challenge, action=AuditAction.DELETE, changes=snapshot(challenge, FIELDS)
    )
    _challenge_shares(challenge).delete()
    challenge.delete()


# Reads


def visible_challenges(actor: User) -> QuerySet[Challenge]:
    return visible(actor, Challenge.objects.all()).select_related("team", "owner")


class _LocalMidnight(Func):
    """(day)::timestamp AT TIME ZONE 'zone': a company-calendar day as an instant."""

    template = "((%(expressions)s)::timestamp AT TIME ZONE '%(zone)s')"
    output_field: Any = None

    def __init__(self, expression: Any, days: int = 0, **extra: Any) -> None:
        super().__init__(expression, zone=str(company_zone()), **extra)
        self.days = days

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> Any:  # type: ignore[override]
        sql, params = super().as_sql(compiler, connection, **extra)
        if self.days:
            sql = f"({sql} + interval '{int(self.days)} day')"
        return sql, params


def _in_challenge(field: str) -> Q:
    start = _LocalMidnight(OuterRef("starts_on"), output_field=DateTimeField())
    end = _LocalMidnight(OuterRef("ends_on"), days=1, output_field=DateTimeField())
    return Q(**{f"{field}__gte": start, f"{field}__lt": end})


def _team_q() -> Q:
    return Q(owner__team__path__startswith=OuterRef("team__path"))


def _sub(queryset: QuerySet[Any], aggregate: Any, output: Any) -> Subquery:
    return Subquery(
        queryset.filter(_team_q())
        .order_by()
        .annotate(one=Value(1))
        .values("one")
        .annotate(total=aggregate)
        .values("total")[:1],
        output_field=output,
    )


def with_progress(challenges: QuerySet[Challenge]) -> QuerySet[Challenge]:
    """Annotate `progress` (one query for any number of challenges)."""
    won = Deal.objects.alive().filter(_in_challenge("closed_at"), stage__kind=StageKind.WON)
    activities = Activity.objects.filter(ON_LIVE_RECORDS, _in_challenge("occurred_at"))
    tasks = Task.objects.filter(ON_LIVE_RECORDS, _in_challenge("done_at"))
    logged = [ActivityKind.CALL, ActivityKind.EMAIL, ActivityKind.MEETING]
    count = IntegerField()
    return challenges.annotate(
        progress=Case(
            When(
                metric=ChallengeMetric.WON_REVENUE,
                then=Coalesce(
                    _sub(won, Sum(company_amount(), output_field=MONEY), MONEY), Value(Decimal(0))
                ),
            ),
            When(
                metric=ChallengeMetric.DEALS_WON,
                then=Coalesce(_sub(won, Count("pk"), count), Value(0)),
            ),
            When(
                metric=ChallengeMetric.CALLS,
                then=Coalesce(
                    _sub(activities.filter(kind=ActivityKind.CALL), Count("pk"), count), Value(0)
                ),
            ),
            When(
                metric=ChallengeMetric.MEETINGS,
                then=Coalesce(
                    _sub(activities.filter(kind=ActivityKind.MEETING), Count("pk"), count),
                    Value(0),
                ),
            ),
            default=Coalesce(_sub(activities.filter(kind__in=logged), Count("pk"), count), Value(0))
            + Coalesce(_sub(tasks, Count("pk"), count), Value(0)),
            output_field=MONEY,
        )
    )


@dataclass(frozen=True)
class ChallengeProgress:
    challenge: Challenge
    progress: Decimal
    percent: float
    state: str  # upcoming, running, ended
    days_left: int
    url: str  # the won deals behind a deal challenge, for viewers who see them

    @property
    def bar(self) -> int:
        return min(int(self.percent), 100)


def progress_of(challenge: Any, *, actor: User, today: date | None = None) -> ChallengeProgress:
    today = today or timezone.localdate()
    progress = Decimal(challenge.progress or 0).quantize(Decimal("0.01"))
    percent = round(float(progress / challenge.target * 100), 1) if challenge.target else 0.0
    state = (
        "upcoming"
        if today < challenge.starts_on
        else "ended"
        if today > challenge.ends_on
        else "running"
    )
    url = ""
    if challenge.metric in (ChallengeMetric.WON_REVENUE, ChallengeMetric.DEALS_WON) and (
        actor.is_admin or can_edit(actor, challenge)
    ):
        filters = ReportFilters(
            date_from=challenge.starts_on, date_to=challenge.ends_on, team=challenge.team
        )
        url = deals_url(filters, status="won")
    return ChallengeProgress(
        challenge=challenge,
        progress=progress,
        percent=percent,
        state=state,
        days_left=max((challenge.ends_on - today).days, 0),
        url=url,
    )


def challenge_board(
    *, actor: User, running_only: bool = False, today: date | None = None
) -> list[ChallengeProgress]:
    """The challenges the actor sees with their progress (one query, at most 50)."""
    today = today or timezone.localdate()
    challenges = visible_challenges(actor)
    if running_only:
        challenges = challenges.filter(starts_on__lte=today, ends_on__gte=today - timedelta(days=7))
    rows = with_progress(challenges).order_by("ends_on", "id")[:50]
    return [progress_of(c, actor=actor, today=today) for c in rows]


def challenge_window(challenge: Challenge) -> tuple[datetime, datetime]:
    zone = company_zone()
    return (
        datetime.combine(challenge.starts_on, time.min, zone),
        datetime.combine(challenge.ends_on + timedelta(days=1), time.min, zone),
    )
