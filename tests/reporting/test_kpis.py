"""Each KPI computed again in Python from the generated rows and compared with the SQL."""

import statistics
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from leads.models import LeadStatus
from pipeline.models import Deal, StageHistory, StageKind
from reporting.kpis import (
    ReportFilters,
    activities_by,
    cycle_distribution,
    deal_stats,
    deal_stats_by,
    funnel,
    lead_volume,
    time_in_stage,
)
from tests.conftest import Org
from tests.crm.factories import ActivityFactory, TaskFactory
from tests.reporting.data import Generated, company_amount, generate

pytestmark = pytest.mark.django_db

CENT = Decimal("0.01")


@pytest.fixture
def data(org: Org) -> Generated:
    return generate([org.rep, org.teammate, org.stranger, org.manager])


def _in(filters: ReportFilters, moment: object) -> bool:
    return moment is not None and filters.start <= moment < filters.end  # type: ignore[operator]


def _closed(data: Generated, filters: ReportFilters, kind: str, owners: set[int]) -> list[Deal]:
    return [
        d
        for d in data.deals
        if d.owner_id in owners and d.stage.kind == kind and _in(filters, d.closed_at)
    ]


def _days(deal: Deal) -> float:
    return (deal.closed_at - deal.created_at).total_seconds() / 86400  # type: ignore[operator]


def test_deal_figures_match_an_independent_computation(org: Org, data: Generated) -> None:
    filters = ReportFilters.default(days=90)
    owners = {org.rep.pk, org.teammate.pk, org.stranger.pk, org.manager.pk}
    won = _closed(data, filters, StageKind.WON, owners)
    lost = _closed(data, filters, StageKind.LOST, owners)
    open_deals = [d for d in data.deals if d.closed_at is None]
    assert won
    assert lost
    assert open_deals

    stats = deal_stats(actor=org.admin, filters=filters)

    won_amounts = [company_amount(d) for d in won]
    lost_amounts = [company_amount(d) for d in lost]
    assert stats.won_count == len(won)
    assert stats.lost_count == len(lost)
    assert stats.open_count == len(open_deals)
    assert stats.won_amount == sum(won_amounts).quantize(CENT)
    assert stats.win_rate == pytest.approx(len(won) / (len(won) + len(lost)))
    assert stats.win_rate_amount == pytest.approx(
        float(sum(won_amounts) / (sum(won_amounts) + sum(lost_amounts)))
    )
    assert stats.avg_won == (sum(won_amounts) / len(won)).quantize(CENT)
    assert float(stats.median_won or 0) == pytest.approx(
        float(statistics.median(won_amounts)), abs=0.01
    )
    cycles = [_days(d) for d in won]
    assert stats.median_cycle_days == pytest.approx(statistics.median(cycles))
    assert stats.avg_cycle_days == pytest.approx(statistics.mean(cycles))
    expected_velocity = (
        Decimal(len(open_deals))
        * Decimal(len(won) / (len(won) + len(lost)))
        * stats.avg_won
        / Decimal(statistics.mean(cycles))
    )
    assert stats.velocity == pytest.approx(expected_velocity, abs=Decimal("0.02"))


def test_won_revenue_per_rep_and_per_team_rolls_up_the_tree(org: Org, data: Generated) -> None:
    filters = ReportFilters.default(days=120)
    by_owner = {s.key: s for s in deal_stats_by(actor=org.admin, filters=filters, group_by="owner")}
    for owner in (org.rep, org.teammate, org.stranger, org.manager):
        won = _closed(data, filters, StageKind.WON, {owner.pk})
        assert by_owner[owner.pk].won_count == len(won)
        assert by_owner[owner.pk].won_amount == sum(company_amount(d) for d in won).quantize(CENT)

    team = ReportFilters.default(days=120, team=org.sales)
    subtree = {org.rep.pk, org.teammate.pk, org.manager.pk}
    won = _closed(data, team, StageKind.WON, subtree)
    assert deal_stats(actor=org.admin, filters=team).won_amount == sum(
        company_amount(d) for d in won
    ).quantize(CENT)


def test_won_revenue_by_month_uses_the_company_time_zone(org: Org, data: Generated) -> None:
    filters = ReportFilters.default(days=200)
    rows = deal_stats_by(actor=org.admin, filters=filters, group_by="month")
    expected: dict[str, Decimal] = {}
    for d in _closed(data, filters, StageKind.WON, {d.owner_id for d in data.deals}):
        month = timezone.localtime(d.closed_at).strftime("%Y-%m")
        expected[month] = expected.get(month, Decimal(0)) + company_amount(d)
    got = {r.key.strftime("%Y-%m"): r.won_amount for r in rows if r.won_count}
    assert got == {k: v.quantize(CENT) for k, v in expected.items()}


def test_sales_cycle_distribution_counts_every_won_deal_once(org: Org, data: Generated) -> None:
    filters = ReportFilters.default(days=200)
    won = _closed(data, filters, StageKind.WON, {d.owner_id for d in data.deals})
    buckets = dict(cycle_distribution(actor=org.admin, filters=filters))
    assert sum(buckets.values()) == len(won)
    assert buckets["0-7 days"] == sum(1 for d in won if _days(d) < 8)


def test_time_in_stage_is_the_median_of_the_moves_out_of_it(org: Org, data: Generated) -> None:
    filters = ReportFilters.default(days=365)
    rows = {r.stage_id: r for r in time_in_stage(actor=org.admin, filters=filters)}
    live = {d.pk for d in data.deals}
    for stage in data.stages[:-1]:
        moves = [
            seconds
            for seconds in StageHistory.objects.filter(
                from_stage=stage,
                deal__in=live,
                moved_at__gte=filters.start,
                moved_at__lt=filters.end,
            ).values_list("seconds_in_previous_stage", flat=True)
            if seconds is not None
        ]
        if not moves:
            continue
        assert rows[stage.pk].moves == len(moves)
        assert rows[stage.pk].median_days == pytest.approx(
            statistics.median(moves) / 86400, abs=0.01
        )


def test_lead_volume_by_source_counts_live_leads_created_in_the_period(
    org: Org, data: Generated
) -> None:
    filters = ReportFilters.default(days=60)
    counts: dict[int | None, int] = {}
    for lead in data.leads:
        if _in(filters, lead.created_at):
            counts[lead.source_id] = counts.get(lead.source_id, 0) + 1
    assert dict(lead_volume(actor=org.admin, filters=filters)) == counts


def test_funnel_counts_leads_that_passed_each_step(org: Org, data: Generated) -> None:
    filters = ReportFilters.default(days=120)
    cohort = [lead for lead in data.leads if _in(filters, lead.created_at)]
    deals = {d.pk: d for d in data.deals}

    def at_least(lead_id: int, statuses: set[str]) -> bool:
        return bool(data.passed[lead_id] & statuses)

    expected = {
        "lead": len(cohort),
        "mql": sum(1 for x in cohort if at_least(x.pk, {"mql", "sql", "converted"})),
        "sql": sum(1 for x in cohort if at_least(x.pk, {"sql", "converted"})),
        "deal": sum(1 for x in cohort if x.converted_deal_id in deals),
        "won": sum(
            1
            for x in cohort
            if x.converted_deal_id in deals
            and deals[x.converted_deal_id].stage.kind == StageKind.WON
        ),
    }
    steps = funnel(actor=org.admin, filters=filters)
    assert {s.step: s.count for s in steps} == expected
    mql, sql = steps[1], steps[2]
    assert sql.conversion == pytest.approx(expected["sql"] / expected["mql"])
    assert sql.drop_off == mql.count - sql.count
    assert LeadStatus.DISQUALIFIED in {s for p in data.passed.values() for s in p}


def test_a_rep_sees_only_their_own_numbers_and_a_manager_their_subtree(
    org: Org, data: Generated
) -> None:
    filters = ReportFilters.default(days=200)
    for actor, owners in (
        (org.rep, {org.rep.pk}),
        (org.manager, {org.rep.pk, org.teammate.pk, org.manager.pk}),
        (org.stranger_manager, {org.stranger.pk}),
    ):
        won = _closed(data, filters, StageKind.WON, owners)
        stats = deal_stats(actor=actor, filters=filters)
        assert stats.won_count == len(won)
        assert stats.won_amount == sum(company_amount(d) for d in won).quantize(CENT)
        keys = {s.key for s in deal_stats_by(actor=actor, filters=filters, group_by="owner")}
        assert keys <= owners
        volume = sum(n for _, n in lead_volume(actor=actor, filters=filters))
        assert volume == sum(
            1 for x in data.leads if x.owner_id in owners and _in(filters, x.created_at)
        )


def test_activities_per_rep_count_calls_emails_meetings_and_tasks_done(org: Org) -> None:
    now = timezone.now()
    for kind, n in (("call", 3), ("email", 2), ("meeting", 1), ("note", 4)):
        ActivityFactory.create_batch(n, owner=org.rep, kind=kind, occurred_at=now)
    ActivityFactory(owner=org.rep, kind="call", occurred_at=now - timedelta(days=400))
    ActivityFactory(owner=org.stranger, kind="call", occurred_at=now)
    for _ in range(2):
        TaskFactory(owner=org.rep, due_at=now, done_at=now)
    TaskFactory(owner=org.rep, due_at=now)
    rows = activities_by(actor=org.manager, filters=ReportFilters.default())
    assert [(r.key, r.calls, r.emails, r.meetings, r.tasks_done) for r in rows] == [
        (org.rep.pk, 3, 2, 1, 2)
    ]
