"""Deal services: creation, edits with versions, moves, closing, reopening, history."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from crm.errors import DomainError, PermissionDenied, StaleVersion
from crm.models import AuditEntry
from pipeline import selectors, services
from pipeline.models import Deal, StageHistory, StageKind
from tests.conftest import Org
from tests.pipeline.factories import (
    LostReasonFactory,
    ProductFactory,
    WonReasonFactory,
    make_currency,
    make_pipeline,
    open_stages,
)

pytestmark = pytest.mark.django_db


def _deal(org: Org, **kwargs: object) -> Deal:
    pipeline = kwargs.pop("pipeline", None) or make_pipeline()
    return services.deal_create(actor=org.rep, name="Big one", pipeline=pipeline, **kwargs)


def test_a_new_deal_starts_in_the_first_open_stage_owned_by_its_creator(org: Org) -> None:
    pipeline = make_pipeline()
    deal = services.deal_create(actor=org.rep, name=" Acme renewal ", pipeline=pipeline)
    first = open_stages(pipeline)[0]
    assert (deal.name, deal.stage, deal.owner, deal.version) == ("Acme renewal", first, org.rep, 1)
    assert deal.probability == first.probability
    assert deal.currency == "USD"
    history = StageHistory.objects.get(deal=deal)
    assert (history.from_stage, history.to_stage, history.moved_by) == (None, first, org.rep)
    assert AuditEntry.objects.filter(object_id=str(deal.pk), action="create").exists()


def test_deal_create_refuses_a_negative_amount(org: Org) -> None:
    with pytest.raises(DomainError) as error:
        _deal(org, amount=Decimal("-5"))
    assert error.value.field == "amount"
    assert not Deal.objects.exists()


def test_deal_create_refuses_an_unknown_currency(org: Org) -> None:
    with pytest.raises(DomainError) as error:
        _deal(org, currency="XYZ")
    assert error.value.field == "currency"


def test_deal_create_accepts_a_currency_with_a_rate(org: Org) -> None:
    make_currency("EUR")
    assert _deal(org, currency="eur").currency == "EUR"


def test_deal_create_refuses_a_nonsense_close_date(org: Org) -> None:
    with pytest.raises(DomainError) as error:
        _deal(org, expected_close_date=date(1850, 1, 1))
    assert error.value.field == "expected_close_date"


def test_deal_create_refuses_a_stage_of_another_pipeline(org: Org) -> None:
    other = make_pipeline("Renewals")
    with pytest.raises(DomainError) as error:
        _deal(org, stage=open_stages(other)[1])
    assert error.value.field == "stage"
    assert not Deal.objects.exists()


def test_deal_update_with_the_current_version_bumps_it(org: Org) -> None:
    deal = _deal(org)
    deal = services.deal_update(
        actor=org.rep, deal=deal, expected_version=1, data={"amount": Decimal("250")}
    )
    assert (deal.amount, deal.version, deal.updated_by) == (Decimal("250.00"), 2, org.rep)


def test_a_stale_version_is_refused_with_the_current_deal_and_nothing_changes(org: Org) -> None:
    deal = _deal(org)
    services.deal_update(actor=org.rep, deal=deal, expected_version=1, data={"amount": 10})
    with pytest.raises(StaleVersion) as error:
        services.deal_update(actor=org.rep, deal=deal, expected_version=1, data={"amount": 99})
    assert error.value.status == 412
    assert error.value.details["current"]["version"] == 2
    assert error.value.details["current"]["amount"] == "10.00"
    deal.refresh_from_db()
    assert deal.amount == Decimal("10.00")


def test_conflict_changes_say_who_changed_what(org: Org) -> None:
    deal = _deal(org, amount=Decimal(100))
    services.deal_update(actor=org.manager, deal=deal, expected_version=1, data={"amount": 200})
    changes = selectors.conflict_changes(deal, since_version=1)
    assert [(c.who, c.field, c.before, c.after) for c in changes] == [
        (org.manager.full_name, "amount", "100.00", "200.00")
    ]


def test_someone_who_cannot_edit_the_deal_is_refused(org: Org) -> None:
    deal = _deal(org)
    with pytest.raises(PermissionDenied):
        services.deal_update(actor=org.teammate, deal=deal, expected_version=1, data={"name": "x"})


def test_moving_records_history_with_time_in_the_previous_stage(org: Org) -> None:
    deal = _deal(org)
    Deal.objects.filter(pk=deal.pk).update(stage_changed_at=timezone.now() - timedelta(days=3))
    second = open_stages(deal.pipeline)[1]
    deal = services.deal_move(actor=org.rep, deal=deal, stage=second, expected_version=1)
    assert (deal.stage, deal.version, deal.probability) == (second, 2, second.probability)
    move = StageHistory.objects.filter(deal=deal).latest("moved_at")
    assert move.from_stage == open_stages(deal.pipeline)[0]
    assert move.to_stage == second
    assert move.seconds_in_previous_stage is not None
    assert 3 * 86400 - 60 < move.seconds_in_previous_stage < 3 * 86400 + 60


def test_moving_to_a_stage_of_another_pipeline_is_refused(org: Org) -> None:
    deal = _deal(org)
    other = open_stages(make_pipeline("Renewals"))[1]
    with pytest.raises(DomainError) as error:
        services.deal_move(actor=org.rep, deal=deal, stage=other, expected_version=1)
    assert error.value.field == "stage"
    deal.refresh_from_db()
    assert deal.version == 1
    assert StageHistory.objects.filter(deal=deal).count() == 1


def test_closing_lost_needs_a_reason(org: Org) -> None:
    deal = _deal(org)
    with pytest.raises(DomainError) as error:
        services.deal_close_lost(actor=org.rep, deal=deal, expected_version=1, reason=None)
    assert error.value.field == "lost_reason"
    deal.refresh_from_db()
    assert deal.closed_at is None


def test_closing_won_moves_to_the_won_stage_and_closes(org: Org) -> None:
    deal = _deal(org)
    reason = WonReasonFactory()
    deal = services.deal_close_won(actor=org.rep, deal=deal, expected_version=1, reason=reason)
    assert deal.stage.kind == StageKind.WON
    assert deal.closed_at is not None
    assert (deal.probability, deal.forecast_category, deal.won_reason) == (100, "closed", reason)


def test_a_lost_deal_can_be_reopened_and_keeps_its_history(org: Org) -> None:
    deal = _deal(org)
    deal = services.deal_close_lost(
        actor=org.rep, deal=deal, expected_version=1, reason=LostReasonFactory()
    )
    second = open_stages(deal.pipeline)[1]
    deal = services.deal_reopen(actor=org.rep, deal=deal, expected_version=2, stage=second)
    assert (deal.stage, deal.closed_at, deal.lost_reason) == (second, None, None)
    kinds = [h.to_stage.kind for h in StageHistory.objects.filter(deal=deal).order_by("id")]
    assert kinds == ["open", "lost", "open"]


def test_a_won_deal_cannot_be_reopened(org: Org) -> None:
    deal = _deal(org)
    deal = services.deal_close_won(actor=org.rep, deal=deal, expected_version=1)
    with pytest.raises(DomainError):
        services.deal_reopen(actor=org.rep, deal=deal, expected_version=2)


def test_moving_onto_the_lost_stage_without_a_reason_is_refused(org: Org) -> None:
    deal = _deal(org)
    lost = deal.pipeline.stages.get(kind=StageKind.LOST)
    with pytest.raises(DomainError):
        services.deal_move(actor=org.rep, deal=deal, stage=lost, expected_version=1)


def test_amount_follows_line_items_when_the_deal_says_so(org: Org) -> None:
    deal = _deal(org)
    deal = services.deal_update(
        actor=org.rep, deal=deal, expected_version=1, data={"amount_follows_line_items": True}
    )
    product = ProductFactory(list_price=Decimal("200"))
    services.line_item_add(
        actor=org.rep,
        deal=deal,
        expected_version=2,
        product=product,
        quantity=Decimal(3),
        discount_percent=Decimal(10),
    )
    deal.refresh_from_db()
    assert (deal.amount, deal.version) == (Decimal("540.00"), 3)


def test_a_line_item_in_another_currency_needs_a_unit_price(org: Org) -> None:
    deal = _deal(org)
    make_currency("EUR")
    product = ProductFactory(currency="EUR")
    with pytest.raises(DomainError) as error:
        services.line_item_add(
            actor=org.rep, deal=deal, expected_version=1, product=product, quantity=Decimal(1)
        )
    assert error.value.field == "unit_price"


def test_deals_closing_this_month_lists_open_deals_due_this_month(org: Org) -> None:
    today = timezone.localdate()
    due = _deal(org, expected_close_date=today)
    _deal(org, expected_close_date=today + timedelta(days=62))
    assert list(selectors.deals_closing_this_month(actor=org.rep)) == [due]
    assert list(selectors.deals_closing_this_month(actor=org.manager, rep=org.teammate)) == []
