"""Leaderboards, badges and challenges computed again in Python from generated rows."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from crm.models import AuditEntry
from forecasting import periods
from forecasting.models import Quota, QuotaPeriodKind
from forecasting.selectors import fiscal_start_month
from pipeline.models import Deal, StageKind
from reporting.recognition import challenges as challenge_services
from reporting.recognition.badges import badges_for, streaks
from reporting.recognition.leaderboards import (
    BASELINE_PERIODS,
    board_period,
    leaderboard,
    previous_windows,
)
from reporting.recognition.models import Challenge, ChallengeMetric
from reporting.recognition.settings import reporting_settings_update
from tests.conftest import Org, client_for
from tests.crm.factories import ActivityFactory, TaskFactory, UserFactory
from tests.pipeline.factories import DealFactory
from tests.reporting.data import Generated, company_amount, generate

pytestmark = pytest.mark.django_db
CENT = Decimal("0.01")


@pytest.fixture
def data(org: Org) -> Generated:
    return generate([org.rep, org.teammate, org.stranger, org.manager], per_owner=16)


def _won_in(data: Generated, owner_id: int, start: date, end: date) -> list[Deal]:
    zone = periods.company_zone()
    low = datetime.combine(start, time.min, zone)
    high = datetime.combine(end, time.min, zone)
    return [
        d
        for d in data.deals
        if d.owner_id == owner_id
        and d.stage.kind == StageKind.WON
        and d.closed_at is not None
        and low <= d.closed_at < high
    ]


def _expected_ranks(scores: dict[int, float]) -> dict[int, int]:
    """RANK(): 1 + how many score strictly more."""
    return {uid: 1 + sum(1 for other in scores.values() if other > s) for uid, s in scores.items()}


def _last_quarter() -> periods.Period:
    current = board_period()
    return periods.period_of(
        current.start - timedelta(days=1), periods.QUARTER, fiscal_start_month()
    )


def test_the_revenue_board_ranks_won_revenue_of_people_with_enough_deals(
    org: Org, data: Generated
) -> None:
    span = _last_quarter()
    people = [org.rep, org.teammate, org.stranger, org.manager]
    won = {p.pk: _won_in(data, p.pk, span.start, span.end) for p in people}
    eligible = {uid: deals for uid, deals in won.items() if len(deals) >= 2}
    assert eligible, "the generated data has people to rank"
    scores = {uid: float(sum(company_amount(d) for d in deals)) for uid, deals in eligible.items()}

    board = leaderboard(actor=org.rep, board="revenue", span=span)

    assert {row.user_id for row in board.rows} == set(eligible)
    expected = _expected_ranks(scores)
    for row in board.rows:
        assert row.rank == expected[row.user_id]
        assert float(row.value) == pytest.approx(scores[row.user_id], abs=0.01)
        assert row.deals == len(eligible[row.user_id])
    # A rep links only to their own deals; the admin to everyone's.
    assert all(bool(row.url) == (row.user_id == org.rep.pk) for row in board.rows)
    admin_board = leaderboard(actor=org.admin, board="revenue", span=span)
    assert all(row.url for row in admin_board.rows)


def test_the_minimum_number_of_deals_is_an_admin_setting(org: Org, data: Generated) -> None:
    span = _last_quarter()
    reporting_settings_update(actor=org.admin, leaderboard_min_deals=100)
    assert leaderboard(actor=org.admin, board="revenue", span=span).rows == []
    reporting_settings_update(actor=org.admin, leaderboard_min_deals=0)
    everyone = leaderboard(actor=org.admin, board="revenue", span=span).rows
    assert {row.user_id for row in everyone} >= {org.rep.pk, org.teammate.pk, org.stranger.pk}


def test_drilling_into_a_row_lists_its_deals_with_the_same_count_and_total(
    org: Org, data: Generated
) -> None:
    span = _last_quarter()
    board = leaderboard(actor=org.admin, board="revenue", span=span)
    client = client_for(org.admin)
    assert board.rows
    for row in board.rows:
        summary = client.get(row.url).context["summary"]
        assert summary.count == row.deals
        assert summary.total.quantize(CENT) == row.won


def test_the_attainment_board_divides_won_revenue_by_the_quota(org: Org, data: Generated) -> None:
    span = _last_quarter()
    reporting_settings_update(actor=org.admin, leaderboard_min_deals=0)
    Quota.objects.create(
        user=org.rep,
        period_kind=QuotaPeriodKind.QUARTER,
        period_start=span.start,
        period_end=span.end,
        period_key=span.key,
        amount=Decimal("10000"),
    )
    months = periods.months_of(span)
    for month in months:  # the teammate has month quotas only: the quarter is their sum
        Quota.objects.create(
            user=org.teammate,
            period_kind=QuotaPeriodKind.MONTH,
            period_start=month.start,
            period_end=month.end,
            period_key=month.key,
            amount=Decimal("2000"),
        )
    board = leaderboard(actor=org.manager, board="attainment", span=span)

    assert {row.user_id for row in board.rows} == {org.rep.pk, org.teammate.pk}
    for row, quota in (
        (board.position(org.rep.pk), 10000),
        (board.position(org.teammate.pk), 6000),
    ):
        assert row is not None
        won = sum(company_amount(d) for d in _won_in(data, row.user_id, span.start, span.end))
        assert row.value == pytest.approx(float(won) * 100 / quota, abs=0.1)


def test_the_activity_board_counts_calls_emails_meetings_and_tasks_done(org: Org) -> None:
    reporting_settings_update(actor=org.admin, leaderboard_min_deals=0)
    span = board_period()
    inside = timezone.now() if span.contains(timezone.localdate()) else None
    assert inside is not None
    for kind in ("call", "call", "email", "meeting", "note"):
        ActivityFactory(owner=org.rep, kind=kind, occurred_at=inside)
    ActivityFactory(owner=org.teammate, kind="call", occurred_at=inside)
    ActivityFactory(owner=org.teammate, kind="call", occurred_at=inside - timedelta(days=400))
    TaskFactory(owner=org.teammate, done_at=inside)
    TaskFactory(owner=org.teammate, done_at=None)

    board = leaderboard(actor=org.rep, board="activity", span=span)

    rep_row, mate_row = board.position(org.rep.pk), board.position(org.teammate.pk)
    assert rep_row is not None
    assert mate_row is not None
    assert (rep_row.value, rep_row.rank) == (4, 1)
    assert (mate_row.value, mate_row.rank) == (2, 2)
    assert "2 calls, 1 emails, 1 meetings, 0 tasks done" in rep_row.detail


def test_the_improvement_board_compares_with_the_same_days_of_the_last_four_periods(
    org: Org, data: Generated
) -> None:
    reporting_settings_update(actor=org.admin, leaderboard_min_deals=0)
    span = board_period()
    today = timezone.localdate()
    windows = previous_windows(span, today)
    assert len(windows) == BASELINE_PERIODS
    elapsed = (today + timedelta(days=1) - span.start).days
    assert all((end - start).days == min(elapsed, (end - start).days) for start, end in windows)

    board = leaderboard(actor=org.admin, board="improvement", span=span, today=today)

    expected = {}
    for person in (org.rep, org.teammate, org.stranger, org.manager):
        now = sum(
            company_amount(d)
            for d in _won_in(data, person.pk, span.start, today + timedelta(days=1))
        )
        before = (
            float(
                sum(
                    (company_amount(d) for s, e in windows for d in _won_in(data, person.pk, s, e)),
                    Decimal(0),
                )
            )
            / BASELINE_PERIODS
        )
        if before > 0:
            expected[person.pk] = (float(now) - before) * 100 / before
    assert {row.user_id for row in board.rows} == set(expected)
    for row in board.rows:
        assert row.value == pytest.approx(expected[row.user_id], abs=0.1)
    assert [row.rank for row in board.rows] == sorted(row.rank for row in board.rows)


def test_admins_choose_who_sees_which_board(org: Org, data: Generated) -> None:
    reporting_settings_update(
        actor=org.admin, activity_audience="managers", revenue_audience="team"
    )
    rep_api = client_for(org.rep)
    assert rep_api.get("/api/v1/reports/leaderboards/activity/").status_code == 403
    assert "activity" not in rep_api.get("/api/v1/reports/leaderboards/").json()
    assert client_for(org.manager).get("/api/v1/reports/leaderboards/activity/").status_code == 200
    # Per team: the rep sees their own team only, never the stranger in another team.
    reporting_settings_update(actor=org.admin, leaderboard_min_deals=0)
    rows = rep_api.get(
        f"/api/v1/reports/leaderboards/revenue/?period={_last_quarter().key}"
    ).json()["rows"]
    assert org.stranger.pk not in {row["user_id"] for row in rows}
    assert {org.rep.pk, org.teammate.pk} <= {row["user_id"] for row in rows}


def test_the_leaderboard_page_draws_the_board_and_its_table(org: Org, data: Generated) -> None:
    page = client_for(org.rep).get(
        f"/reports/leaderboards/?board=revenue&period={_last_quarter().key}"
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="leaderboard-chart-data"' in html
    assert 'id="leaderboard-table"' in html


def test_badges_follow_the_data_and_are_the_same_when_asked_twice(
    org: Org, data: Generated
) -> None:
    won = sorted(
        (d for d in data.deals if d.owner_id == org.rep.pk and d.stage.kind == StageKind.WON),
        key=lambda d: d.closed_at,  # type: ignore[arg-type, return-value]
    )
    badges = badges_for(org.rep)
    first = [b for b in badges if b.kind == "first_deal"]
    assert len(first) == 1
    assert first[0].earned_on == periods.company_day(won[0].closed_at)
    assert badges_for(org.rep) == badges  # idempotent: computed, never awarded twice
    assert badges_for(UserFactory(team=org.east)) == []


def test_a_quota_badge_needs_the_won_revenue_of_that_period(org: Org, data: Generated) -> None:
    span = _last_quarter()
    won = sum(company_amount(d) for d in _won_in(data, org.rep.pk, span.start, span.end))
    assert won > 0
    for amount in (won, won + 1):
        Quota.objects.update_or_create(
            user=org.rep,
            period_kind=QuotaPeriodKind.QUARTER,
            period_start=span.start,
            defaults={"period_end": span.end, "period_key": span.key, "amount": amount},
        )
        quota = [b for b in badges_for(org.rep) if b.kind == "quota"]
        assert len(quota) == (1 if amount == won else 0)


def test_a_streak_is_weeks_in_a_row_with_a_won_deal(org: Org) -> None:
    person = UserFactory(team=org.east)
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday() + 7 * 20)
    zone = periods.company_zone()
    weeks = [0, 1, 2, 3, 4, 6, 7, 10, 11, 12]  # a run of 5, a run of 2, a run of 3
    pipeline_deal = DealFactory(owner=person)
    won_stage = pipeline_deal.pipeline.stages.get(kind=StageKind.WON)
    for week in weeks:
        closed = datetime.combine(monday + timedelta(weeks=week, days=6), time(23, 30), zone)
        DealFactory(owner=person, pipeline=won_stage.pipeline, stage=won_stage, closed_at=closed)
    assert [length for _s, _e, length in streaks(person, 3)] == [5, 3]
    reporting_settings_update(actor=org.admin, streak_weeks=3)
    assert [b.title for b in badges_for(person) if b.kind == "streak"] == [
        "3-week streak",
        "5-week streak",
    ]


def test_a_manager_sets_a_challenge_for_their_team_and_its_members_see_the_progress(
    org: Org,
) -> None:
    today = timezone.localdate()
    challenge = challenge_services.challenge_create(
        actor=org.manager,
        name="Call blitz",
        metric=ChallengeMetric.CALLS,
        target=Decimal(4),
        team=org.sales,
        starts_on=today - timedelta(days=3),
        ends_on=today + timedelta(days=3),
    )
    ActivityFactory(owner=org.rep, kind="call", occurred_at=timezone.now())
    ActivityFactory(owner=org.teammate, kind="call", occurred_at=timezone.now())
    ActivityFactory(owner=org.teammate, kind="email", occurred_at=timezone.now())
    ActivityFactory(owner=org.stranger, kind="call", occurred_at=timezone.now())
    ActivityFactory(owner=org.rep, kind="call", occurred_at=timezone.now() - timedelta(days=10))

    board = challenge_services.challenge_board(actor=org.rep)
    assert [item.challenge.pk for item in board] == [challenge.pk]
    assert board[0].progress == 2
    assert board[0].percent == 50.0
    assert challenge_services.challenge_board(actor=org.stranger) == []
    assert AuditEntry.objects.filter(object_id=challenge.pk, action="create").exists()
    with pytest.raises(Exception, match="Only admins and managers"):
        challenge_services.challenge_create(
            actor=org.manager,
            name="Not mine",
            metric=ChallengeMetric.CALLS,
            target=Decimal(1),
            team=org.west,
            starts_on=today,
            ends_on=today,
        )


def test_won_revenue_challenges_count_the_team_deals_and_drill_to_them(
    org: Org, data: Generated
) -> None:
    today = timezone.localdate()
    start = today - timedelta(days=60)
    challenge = challenge_services.challenge_create(
        actor=org.admin,
        name="Q push",
        metric=ChallengeMetric.WON_REVENUE,
        target=Decimal(100000),
        team=org.sales,
        starts_on=start,
        ends_on=today,
    )
    east = challenge_services.challenge_create(
        actor=org.admin,
        name="East only",
        metric=ChallengeMetric.DEALS_WON,
        target=Decimal(5),
        team=org.east,
        starts_on=start,
        ends_on=today,
    )
    # The manager over East sees it without being a member; another team's manager doesn't.
    assert east.pk in {
        i.challenge.pk for i in challenge_services.challenge_board(actor=org.manager)
    }
    assert challenge_services.challenge_board(actor=org.stranger_manager) == []
    members = {org.rep.pk, org.teammate.pk, org.manager.pk}
    expected = sum(
        company_amount(d)
        for uid in members
        for d in _won_in(data, uid, start, today + timedelta(days=1))
    )
    item = next(
        i for i in challenge_services.challenge_board(actor=org.admin) if i.challenge == challenge
    )
    assert item.challenge.pk == challenge.pk
    assert item.progress == expected.quantize(CENT)
    summary = client_for(org.admin).get(item.url).context["summary"]
    assert summary.total.quantize(CENT) == item.progress


def test_challenges_have_a_crud_api(org: Org) -> None:
    api = client_for(org.manager)
    today = timezone.localdate()
    body = {
        "name": "Meetings",
        "metric": "meetings",
        "target": "10",
        "team": org.east.pk,
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=7)).isoformat(),
    }
    created = api.post("/api/v1/reports/challenges/", body, content_type="application/json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["progress"] == 0
    assert client_for(org.rep).get(f"/api/v1/reports/challenges/{pk}/").status_code == 200
    assert client_for(org.stranger).get(f"/api/v1/reports/challenges/{pk}/").status_code == 404
    assert (
        client_for(org.rep)
        .patch(
            f"/api/v1/reports/challenges/{pk}/", {"target": "1"}, content_type="application/json"
        )
        .status_code
        == 403
    )
    changed = api.patch(
        f"/api/v1/reports/challenges/{pk}/", {"target": "12"}, content_type="application/json"
    )
    assert changed.status_code == 200
    assert changed.json()["target"] == "12.00"
    assert api.delete(f"/api/v1/reports/challenges/{pk}/").status_code == 204
    assert not Challenge.objects.filter(pk=pk).exists()
    assert AuditEntry.objects.filter(object_id=pk, action="delete").exists()
    bad = dict(body, ends_on=(today - timedelta(days=1)).isoformat())
    assert (
        api.post("/api/v1/reports/challenges/", bad, content_type="application/json").status_code
        == 400
    )


def test_the_dashboards_load_recognition_after_the_page(org: Org, data: Generated) -> None:
    page = client_for(org.rep).get("/reports/me/")
    assert 'id="recognition-slot"' in page.content.decode()
    panel = client_for(org.rep).get("/reports/recognition/panel/?dashboard=rep")
    assert panel.status_code == 200
    html = panel.content.decode()
    assert 'id="badges"' in html
    assert 'id="positions"' in html
    assert 'id="challenges"' in html
    person = client_for(org.manager).get(f"/reports/people/{org.rep.pk}/")
    assert person.status_code == 200
