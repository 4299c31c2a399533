"""Deal pages: create, edit with conflict display, close, reopen, list, CSV export."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from pipeline import services
from pipeline.models import Deal, StageKind
from tests.conftest import Org, client_for
from tests.pipeline.factories import DealFactory, LostReasonFactory, make_pipeline, open_stages

pytestmark = pytest.mark.django_db


def _edit_data(deal: Deal, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": deal.name,
        "amount": str(deal.amount),
        "currency": deal.currency,
        "probability": deal.probability,
        "forecast_category": deal.forecast_category,
        "next_step": deal.next_step,
        "owner": deal.owner_id,
        "version": deal.version,
    }
    data.update(changes)
    return data


def test_a_rep_creates_a_deal_from_the_page(org: Org) -> None:
    pipeline = make_pipeline()
    response = client_for(org.rep).post(
        reverse("pipeline:deal_create"),
        {"name": "Acme", "pipeline": pipeline.pk, "amount": "1200", "currency": "USD"},
    )
    deal = Deal.objects.get()
    assert response.status_code == 302
    assert (deal.owner, deal.amount) == (org.rep, Decimal(1200))


def test_a_negative_amount_is_a_form_error_and_nothing_is_saved(org: Org) -> None:
    pipeline = make_pipeline()
    response = client_for(org.rep).post(
        reverse("pipeline:deal_create"),
        {"name": "Acme", "pipeline": pipeline.pk, "amount": "-1", "currency": "USD"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["amount"]
    assert not Deal.objects.exists()


def test_an_unknown_currency_is_a_form_error(org: Org) -> None:
    response = client_for(org.rep).post(
        reverse("pipeline:deal_create"),
        {"name": "Acme", "pipeline": make_pipeline().pk, "amount": "1", "currency": "XYZ"},
    )
    assert response.context["form"].errors["currency"]


def test_the_second_editor_sees_what_changed_instead_of_overwriting(org: Org) -> None:
    deal = services.deal_create(
        actor=org.rep, name="Acme", pipeline=make_pipeline(), amount=Decimal(100)
    )
    url = reverse("pipeline:deal_edit", args=[deal.pk])
    first = client_for(org.manager).post(url, _edit_data(deal, amount="200"))
    assert first.status_code == 302
    second = client_for(org.rep).post(url, _edit_data(deal, next_step="Call CFO"))
    assert second.status_code == 200
    body = second.content.decode()
    assert "Someone else saved this deal" in body
    assert f"{org.manager.full_name} changed amount from" in body
    assert "Call CFO" in body  # the user's input is kept
    deal.refresh_from_db()
    assert (deal.amount, deal.next_step, deal.version) == (Decimal(200), "", 2)
    # Saving again now knowingly replaces the other change.
    third = client_for(org.rep).post(url, second.context["form"].data)
    assert third.status_code == 302
    deal.refresh_from_db()
    assert deal.next_step == "Call CFO"


def test_closing_lost_without_a_reason_is_refused_on_the_page(org: Org) -> None:
    deal = DealFactory(stage=open_stages(make_pipeline())[0], owner=org.rep)
    client = client_for(org.rep)
    client.post(reverse("pipeline:deal_close", args=[deal.pk]), {"outcome": "lost", "version": 1})
    deal.refresh_from_db()
    assert deal.closed_at is None
    reason = LostReasonFactory()
    client.post(
        reverse("pipeline:deal_close", args=[deal.pk]),
        {"outcome": "lost", "version": 1, "lost_reason": reason.pk},
    )
    deal.refresh_from_db()
    assert (deal.stage.kind, deal.lost_reason) == (StageKind.LOST, reason)


def test_the_deal_page_shows_the_stage_history(org: Org) -> None:
    pipeline = make_pipeline()
    deal = services.deal_create(actor=org.rep, name="Acme", pipeline=pipeline)
    second = open_stages(pipeline)[1]
    services.deal_move(actor=org.rep, deal=deal, stage=second, expected_version=1)
    body = client_for(org.rep).get(reverse("pipeline:deal_detail", args=[deal.pk])).content
    assert f"→ <strong>{second.name}</strong>".encode() in body


def test_the_deal_list_pages_with_a_bounded_number_of_queries(
    org: Org, django_assert_max_num_queries: object
) -> None:
    stage = open_stages(make_pipeline())[0]
    for i in range(60):
        DealFactory(stage=stage, owner=org.rep, amount=Decimal(i))
    client = client_for(org.rep)
    client.get(reverse("pipeline:deal_list"))
    # 13: the lead-source filter (for report drill-downs) reads the sources once.
    with django_assert_max_num_queries(13):  # type: ignore[operator]
        response = client.get(reverse("pipeline:deal_list"), {"sort": "-amount"})
    rows = response.context["deals"]
    assert len(rows) == 50
    assert rows[0].amount == Decimal(59)
    more = client.get(reverse("pipeline:deal_list") + response.context["next_url"])
    assert [d.amount for d in more.context["deals"]] == [Decimal(i) for i in range(9, -1, -1)]


def test_the_csv_export_escapes_formulas_and_hides_other_peoples_deals(org: Org) -> None:
    stage = open_stages(make_pipeline())[0]
    DealFactory(stage=stage, owner=org.rep, name='=HYPERLINK("http://evil")')
    DealFactory(stage=stage, owner=org.stranger, name="Hidden deal")
    response = client_for(org.rep).get(reverse("pipeline:deal_export"))
    content = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[0][1] == "name"
    assert [r[1] for r in rows[1:]] == ['\'=HYPERLINK("http://evil")']


def test_a_stranger_gets_404_on_the_deal_page(org: Org) -> None:
    deal = DealFactory(stage=open_stages(make_pipeline())[0], owner=org.stranger)
    response = client_for(org.rep).get(reverse("pipeline:deal_detail", args=[deal.pk]))
    assert response.status_code == 404


def test_a_rep_saves_the_current_filters_as_a_view(org: Org) -> None:
    client = client_for(org.rep)
    client.post(
        reverse("pipeline:saved_view_save"), {"name": "Big ones", "querystring": "amount_min=5000"}
    )
    response = client.get(reverse("pipeline:deal_list"))
    assert [v.name for v in response.context["saved_views"]] == ["Big ones"]


def test_admin_removes_a_stage_moving_its_deals_from_the_page(org: Org) -> None:
    pipeline = make_pipeline()
    first, second, _ = open_stages(pipeline)
    DealFactory(stage=first, owner=org.rep)
    client = client_for(org.admin)
    url = reverse("pipeline:admin_stage_delete", args=[first.pk])
    refused = client.post(url, {})
    assert refused.status_code == 200
    assert Deal.objects.filter(stage=first).exists()
    client.post(url, {"move_to": second.pk})
    assert not Deal.objects.filter(stage=first).exists()
