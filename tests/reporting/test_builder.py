"""The report builder: every definition is one query over what the viewer may see, and its
numbers are those of the raw rows; invalid definitions are refused with the field named."""

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from crm.models import CustomField
from pipeline.models import DealLineItem, StageKind
from reporting.builder.definition import DefinitionError, clean_definition
from reporting.builder.run import run_report
from tests.conftest import Org, client_for
from tests.leads.factories import LeadFactory
from tests.pipeline.factories import DealFactory, ProductFactory
from tests.reporting.data import Generated, company_amount, generate

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(org: Org) -> Generated:
    return generate([org.rep, org.teammate, org.stranger], per_owner=10)


def _definition(**values: object) -> object:
    return clean_definition({"source": "deals", "period": "all", **values})


def test_sum_of_amount_by_stage_and_owner_matches_the_raw_deals(org: Org, data: Generated) -> None:
    definition = _definition(measure="sum", field="amount", group_by="stage", group_by2="owner")
    result = run_report(actor=org.admin, definition=definition)  # type: ignore[arg-type]
    expected: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    counts: dict[tuple[int, int], int] = defaultdict(int)
    for deal in data.deals:
        expected[(deal.stage_id, deal.owner_id)] += company_amount(deal)
        counts[(deal.stage_id, deal.owner_id)] += 1
    got = {row.keys: row.value for row in result.rows}
    assert set(got) == set(expected)
    for key, total in expected.items():
        assert got[key] == total.quantize(Decimal("0.01")), key
    assert {row.keys: row.count for row in result.rows} == counts


def test_a_manager_sees_only_their_subtree_in_the_same_report(org: Org, data: Generated) -> None:
    definition = _definition(group_by="owner")
    owners = {row.keys[0] for row in run_report(actor=org.manager, definition=definition).rows}  # type: ignore[arg-type]
    assert owners == {org.rep.pk, org.teammate.pk}
    mine = run_report(actor=org.rep, definition=definition).rows  # type: ignore[arg-type]
    assert [(r.keys[0], r.count) for r in mine] == [
        (org.rep.pk, len([d for d in data.deals if d.owner_id == org.rep.pk]))
    ]


def test_median_and_average_by_month_of_the_close_date(org: Org, data: Generated) -> None:
    definition = _definition(
        measure="median", field="amount", group_by="month", date_field="closed", status="won"
    )
    result = run_report(actor=org.admin, definition=definition)  # type: ignore[arg-type]
    by_month: dict[object, list[Decimal]] = defaultdict(list)
    for deal in data.deals:
        if deal.stage.kind == StageKind.WON:
            month = timezone.localtime(deal.closed_at).date().replace(day=1)
            by_month[month].append(company_amount(deal))
    assert {row.keys[0] for row in result.rows} == set(by_month)
    for row in result.rows:
        values = sorted(by_month[row.keys[0]])
        n = len(values)
        median = values[n // 2] if n % 2 else (values[n // 2 - 1] + values[n // 2]) / 2
        assert abs(Decimal(row.value) - median) <= Decimal("0.01")  # type: ignore[arg-type]
        assert row.count == n


def test_the_report_runs_one_query_plus_one_label_lookup_per_grouping(
    org: Org, data: Generated, django_assert_max_num_queries: object
) -> None:
    definition = _definition(measure="avg", field="amount", group_by="stage", group_by2="owner")
    # 4 for the manager's scope (visibility), 1 aggregate, 1 label look-up per grouping
    with django_assert_max_num_queries(7):  # type: ignore[operator]
        run_report(actor=org.manager, definition=definition)  # type: ignore[arg-type]


def test_grouping_by_product_counts_a_deal_once_per_product(org: Org) -> None:
    first, second = ProductFactory.create(name="Alpha"), ProductFactory.create(name="Beta")
    deal = DealFactory.create(owner=org.rep, amount=Decimal("500"))
    for product in (first, first, second):  # Alpha twice on one deal
        DealLineItem.objects.create(deal=deal, product=product, quantity=1, unit_price=10)
    DealFactory(owner=org.rep, amount=Decimal("70"))
    definition = _definition(measure="sum", field="amount", group_by="product")
    rows = run_report(actor=org.rep, definition=definition).rows  # type: ignore[arg-type]
    assert [(r.labels[0], r.value, r.count) for r in rows] == [
        ("Alpha", Decimal("500.00"), 1),
        ("Beta", Decimal("500.00"), 1),
        ("No product", Decimal("70.00"), 1),
    ]


def test_custom_choice_fields_group_and_filter_and_custom_numbers_add_up(org: Org) -> None:
    CustomField.objects.create(
        model_label="leads.Lead", key="tier", name="Tier", type="choice", choices=["gold", "tin"]
    )
    CustomField.objects.create(model_label="leads.Lead", key="visits", name="Visits", type="number")
    LeadFactory(owner=org.rep, custom={"tier": "gold", "visits": 3})
    LeadFactory(owner=org.rep, custom={"tier": "gold", "visits": 4})
    LeadFactory(owner=org.rep, custom={"tier": "tin", "visits": "oops"})
    LeadFactory(owner=org.rep, custom={})
    definition = clean_definition(
        {"source": "leads", "measure": "sum", "field": "cf:visits", "group_by": "cf:tier"}
    )
    rows = run_report(actor=org.rep, definition=definition).rows
    assert [(r.labels[0], r.value, r.count) for r in rows] == [
        ("gold", Decimal(7), 2),
        ("tin", None, 1),
        ("No tier", None, 1),
    ]
    only_gold = clean_definition(
        {"source": "leads", "group_by": "owner", "custom": {"tier": "gold"}}
    )
    assert [r.count for r in run_report(actor=org.rep, definition=only_gold).rows] == [2]


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"group_by": "colour"}, "group_by"),
        ({"group_by": "temperature"}, "group_by"),  # a lead grouping, not a deal one
        ({"measure": "sum", "field": "stage"}, "field"),
        ({"measure": "sum", "field": "nonsense"}, "field"),
        ({"measure": "avg"}, "field"),
        ({"chart": "pie", "group_by": "stage", "group_by2": "owner"}, "chart"),
        ({"group_by": "owner", "group_by2": "owner"}, "group_by2"),
        ({"group_by": ""}, "group_by"),  # a chart needs a grouping
        ({"period": "custom", "date_from": "2026-05-01", "date_to": "2026-01-01"}, "date_to"),
        ({"custom": {"nope": "x"}}, "custom"),
        ({"owner": "abc"}, "owner"),
    ],
)
def test_invalid_definitions_are_refused_naming_the_field(
    org: Org, values: dict[str, object], field: str
) -> None:
    with pytest.raises(DefinitionError) as error:
        clean_definition({"source": "deals", "group_by": "stage", **values})
    assert error.value.field == field


def test_every_cell_opens_the_list_with_its_count_and_total(org: Org, data: Generated) -> None:
    definition = _definition(
        measure="sum",
        field="amount",
        group_by="owner",
        group_by2="status",
        date_field="created",
        period="custom",
        date_from=(timezone.localdate() - timedelta(days=120)).isoformat(),
        date_to=timezone.localdate().isoformat(),
    )
    result = run_report(actor=org.manager, definition=definition)  # type: ignore[arg-type]
    assert result.rows
    client = client_for(org.manager)
    for row in result.rows:
        assert row.url.startswith("/deals/?")
        page = client.get(row.url)
        summary = page.context["summary"]
        assert summary.count == row.count, row.url
        assert summary.total.quantize(Decimal("0.01")) == row.value, row.url
