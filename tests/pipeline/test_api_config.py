"""Pipeline configuration through the API: everything the admin pages do, admins only,
through the same services; and deal line items with If-Match."""

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from crm.models import AuditEntry
from pipeline import services
from pipeline.models import (
    Currency,
    Deal,
    DealLineItem,
    ExchangeRate,
    LostReason,
    Pipeline,
    Product,
    Stage,
    StageHistory,
    StageKind,
    WonReason,
)
from tests.conftest import Org, client_for
from tests.conftest import api_client_for as api
from tests.pipeline.factories import (
    DealFactory,
    LostReasonFactory,
    ProductFactory,
    make_currency,
    make_pipeline,
    open_stages,
)

pytestmark = pytest.mark.django_db


def error(response: Any) -> dict[str, Any]:
    body: dict[str, Any] = response.json()["error"]
    return body


# Pipelines


def test_an_admin_creates_renames_and_archives_a_pipeline(org: Org) -> None:
    client = api(org.admin)
    created = client.post("/api/v1/pipelines/", {"name": "Renewals", "position": 2})
    assert created.status_code == 201, created.json()
    body = created.json()
    assert sorted(s["kind"] for s in body["stages"]) == ["lost", "open", "won"]
    url = f"/api/v1/pipelines/{body['id']}/"
    renamed = client.patch(url, {"name": "Renewals 2026"})
    assert renamed.status_code == 200
    assert renamed.json()["name"] == "Renewals 2026"
    assert renamed.json()["position"] == 2
    archived = client.patch(url, {"is_active": False}, format="json")
    assert archived.json()["is_active"] is False
    assert not Pipeline.objects.get(pk=body["id"]).is_active
    assert AuditEntry.objects.filter(object_id=str(body["id"]), action="update").count() == 2


def test_pipelines_are_archived_not_deleted(org: Org) -> None:
    pipeline = make_pipeline()
    response = api(org.admin).delete(f"/api/v1/pipelines/{pipeline.pk}/")
    assert response.status_code == 405
    assert Pipeline.objects.filter(pk=pipeline.pk).exists()


def test_a_duplicate_pipeline_name_is_400_on_the_name_field(org: Org) -> None:
    make_pipeline("Sales")
    response = api(org.admin).post("/api/v1/pipelines/", {"name": "Sales"})
    assert response.status_code == 400
    assert "name" in error(response)["fields"]
    assert Pipeline.objects.filter(name="Sales").count() == 1


def test_reps_and_managers_read_the_configuration_but_get_403_on_every_write(org: Org) -> None:
    pipeline = make_pipeline()
    stage = open_stages(pipeline)[0]
    reason = LostReasonFactory()
    product = ProductFactory()
    currency = make_currency()
    rate = currency.rates.get()
    writes = [
        ("post", "/api/v1/pipelines/", {"name": "Mine"}),
        ("patch", f"/api/v1/pipelines/{pipeline.pk}/", {"name": "Mine"}),
        ("post", "/api/v1/stages/", {"pipeline": pipeline.pk, "name": "New"}),
        ("patch", f"/api/v1/stages/{stage.pk}/", {"name": "Renamed"}),
        ("post", f"/api/v1/stages/{stage.pk}/move/", {"direction": "down"}),
        ("delete", f"/api/v1/stages/{stage.pk}/", None),
        ("post", "/api/v1/lost-reasons/", {"name": "Price"}),
        ("patch", f"/api/v1/lost-reasons/{reason.pk}/", {"name": "Price"}),
        ("delete", f"/api/v1/lost-reasons/{reason.pk}/", None),
        ("post", "/api/v1/won-reasons/", {"name": "Fit"}),
        ("post", "/api/v1/products/", {"name": "X", "list_price": "1", "currency": "USD"}),
        ("patch", f"/api/v1/products/{product.pk}/", {"name": "Y"}),
        ("delete", f"/api/v1/products/{product.pk}/", None),
        ("post", "/api/v1/currencies/", {"code": "GBP"}),
        ("delete", f"/api/v1/currencies/{currency.pk}/", None),
        ("post", "/api/v1/exchange-rates/", {}),
        ("patch", f"/api/v1/exchange-rates/{rate.pk}/", {"rate": "2"}),
        ("delete", f"/api/v1/exchange-rates/{rate.pk}/", None),
    ]
    for user in (org.rep, org.manager):
        client = api(user)
        for path in ("pipelines", "stages", "products", "lost-reasons", "currencies"):
            assert client.get(f"/api/v1/{path}/").status_code == 200, path
        assert client.get("/api/v1/exchange-rates/").status_code == 200
        for method, url, data in writes:
            response = getattr(client, method)(url, data)
            assert response.status_code == 403, (user.email, method, url, response.status_code)
            assert error(response)["code"] == "permission_denied"
    assert Stage.objects.get(pk=stage.pk).name == stage.name
    assert Product.objects.filter(pk=product.pk).exists()
    assert ExchangeRate.objects.filter(pk=rate.pk).exists()


# Stages


def test_an_admin_adds_an_open_stage_before_won_and_lost_and_edits_it(org: Org) -> None:
    pipeline = make_pipeline()
    client = api(org.admin)
    created = client.post(
        "/api/v1/stages/",
        {"pipeline": pipeline.pk, "name": "Legal review", "probability": 70, "rotting_days": 5},
    )
    assert created.status_code == 201, created.json()
    assert open_stages(pipeline)[-1].name == "Legal review"
    updated = client.patch(
        f"/api/v1/stages/{created.json()['id']}/",
        {"probability": 80, "forecast_category": "commit", "rotting_days": None},
        format="json",
    )
    assert updated.status_code == 200, updated.json()
    assert updated.json()["probability"] == 80
    assert updated.json()["forecast_category"] == "commit"
    assert updated.json()["rotting_days"] is None


def test_bad_stage_input_is_400_with_the_field_and_writes_nothing(org: Org) -> None:
    pipeline = make_pipeline()
    first = open_stages(pipeline)[0]
    client = api(org.admin)
    too_likely = client.post(
        "/api/v1/stages/", {"pipeline": pipeline.pk, "name": "X", "probability": 101}
    )
    assert too_likely.status_code == 400
    assert "probability" in error(too_likely)["fields"]
    duplicate = client.patch(f"/api/v1/stages/{first.pk}/", {"name": "Step 2"})
    assert duplicate.status_code == 400
    assert "name" in error(duplicate)["fields"]
    unknown = client.post("/api/v1/stages/", {"pipeline": 999999, "name": "X"})
    assert unknown.status_code == 400
    assert "pipeline" in error(unknown)["fields"]
    assert pipeline.stages.count() == 5


def test_moving_a_stage_down_and_up_matches_the_pages_shift(org: Org) -> None:
    pipeline = make_pipeline()
    a, b, c = open_stages(pipeline)
    client = api(org.admin)
    down = client.post(f"/api/v1/stages/{a.pk}/move/", {"direction": "down"})
    assert down.status_code == 200
    assert open_stages(pipeline) == [b, a, c]
    assert [s["id"] for s in down.json()][:3] == [b.pk, a.pk, c.pk]
    client.post(f"/api/v1/stages/{c.pk}/move/", {"direction": "up"})
    assert open_stages(pipeline) == [b, c, a]
    sideways = client.post(f"/api/v1/stages/{c.pk}/move/", {"direction": "left"})
    assert sideways.status_code == 400
    assert "direction" in error(sideways)["fields"]
    won = pipeline.stages.get(kind=StageKind.WON)
    assert client.post(f"/api/v1/stages/{won.pk}/move/", {"direction": "up"}).status_code == 400


def test_deleting_a_stage_with_deals_needs_move_to_then_moves_them(org: Org) -> None:
    pipeline = make_pipeline()
    first, second, _ = open_stages(pipeline)
    deals = [DealFactory(stage=first, owner=org.rep) for _ in range(3)]
    client = api(org.admin)
    refused = client.delete(f"/api/v1/stages/{first.pk}/")
    assert refused.status_code == 409
    assert "move_to" in error(refused)["fields"]
    assert Stage.objects.get(pk=first.pk).is_active
    other_pipeline = open_stages(make_pipeline("Other"))[0]
    wrong = client.delete(f"/api/v1/stages/{first.pk}/?move_to={other_pipeline.pk}")
    assert wrong.status_code == 400
    assert "move_to" in error(wrong)["fields"]
    done = client.delete(f"/api/v1/stages/{first.pk}/?move_to={second.pk}")
    assert done.status_code == 204
    assert set(Deal.objects.values_list("stage_id", flat=True)) == {second.pk}
    assert StageHistory.objects.filter(from_stage=first, to_stage=second).count() == 3
    assert Deal.objects.get(pk=deals[0].pk).version == 2
    assert not Stage.objects.get(pk=first.pk).is_active
    again = client.patch(f"/api/v1/stages/{first.pk}/", {"name": "Back"})
    assert again.status_code == 404


def test_an_empty_stage_is_deleted_without_a_target(org: Org) -> None:
    last = open_stages(make_pipeline())[-1]
    assert api(org.admin).delete(f"/api/v1/stages/{last.pk}/").status_code == 204
    assert not Stage.objects.filter(pk=last.pk).exists()


# Catalogues


def test_an_admin_manages_lost_and_won_reasons(org: Org) -> None:
    client = api(org.admin)
    for path, model in (("lost-reasons", LostReason), ("won-reasons", WonReason)):
        created = client.post(f"/api/v1/{path}/", {"name": "Price", "position": 3})
        assert created.status_code == 201, created.json()
        url = f"/api/v1/{path}/{created.json()['id']}/"
        patched = client.patch(url, {"is_active": False}, format="json")
        assert patched.json() == {
            "id": created.json()["id"],
            "name": "Price",
            "position": 3,
            "is_active": False,
        }
        duplicate = client.post(f"/api/v1/{path}/", {"name": "Price"})
        assert duplicate.status_code == 400
        assert "name" in error(duplicate)["fields"]
        assert client.delete(url).status_code == 204
        assert not model.objects.exists()


def test_a_lost_reason_used_by_a_deal_is_409_on_delete(org: Org) -> None:
    reason = LostReasonFactory()
    DealFactory(stage=open_stages(make_pipeline())[0], owner=org.rep, lost_reason=reason)
    response = api(org.admin).delete(f"/api/v1/lost-reasons/{reason.pk}/")
    assert response.status_code == 409
    assert LostReason.objects.filter(pk=reason.pk).exists()


def test_an_admin_manages_products_with_the_pages_validation(org: Org) -> None:
    client = api(org.admin)
    created = client.post(
        "/api/v1/products/",
        {"name": "Seat", "sku": "SEAT-1", "list_price": "49.90", "currency": "usd"},
    )
    assert created.status_code == 201, created.json()
    assert created.json()["currency"] == "USD"
    url = f"/api/v1/products/{created.json()['id']}/"
    patched = client.patch(url, {"list_price": "59.00"})
    assert patched.status_code == 200
    assert patched.json()["list_price"] == "59.00"
    assert patched.json()["sku"] == "SEAT-1"
    negative = client.patch(url, {"list_price": "-1"})
    assert negative.status_code == 400
    assert "list_price" in error(negative)["fields"]
    same_sku = client.post(
        "/api/v1/products/",
        {"name": "Other", "sku": "SEAT-1", "list_price": "1", "currency": "USD"},
    )
    assert same_sku.status_code == 400
    bad_currency = client.post(
        "/api/v1/products/", {"name": "Other", "list_price": "1", "currency": "1$"}
    )
    assert bad_currency.status_code == 400
    assert "currency" in error(bad_currency)["fields"]
    assert Product.objects.get().list_price == Decimal("59.00")
    assert client.delete(url).status_code == 204
    assert not Product.objects.exists()


def test_an_admin_manages_currencies_and_their_rates(org: Org) -> None:
    client = api(org.admin)
    created = client.post("/api/v1/currencies/", {"code": "gbp", "name": "Pound"})
    assert created.status_code == 201, created.json()
    assert created.json()["code"] == "GBP"
    currency_id = created.json()["id"]
    assert client.post("/api/v1/currencies/", {"code": "GBP"}).status_code == 400
    assert client.post("/api/v1/currencies/", {"code": "G1"}).status_code == 400
    rate = client.post(
        "/api/v1/exchange-rates/",
        {"currency": currency_id, "rate": "1.25", "effective_date": "2026-01-01"},
    )
    assert rate.status_code == 201, rate.json()
    assert rate.json()["currency_code"] == "GBP"
    same_day = client.post(
        "/api/v1/exchange-rates/",
        {"currency": currency_id, "rate": "1.30", "effective_date": "2026-01-01"},
    )
    assert same_day.status_code == 400
    zero = client.post(
        "/api/v1/exchange-rates/",
        {"currency": currency_id, "rate": "0", "effective_date": "2026-02-01"},
    )
    assert zero.status_code == 400
    assert "rate" in error(zero)["fields"]
    rate_url = f"/api/v1/exchange-rates/{rate.json()['id']}/"
    assert client.patch(rate_url, {"rate": "1.27"}).json()["rate"] == "1.27000000"
    archived = client.patch(f"/api/v1/currencies/{currency_id}/", {"is_active": False})
    assert archived.json()["is_active"] is False
    assert client.delete(rate_url).status_code == 204
    assert client.delete(f"/api/v1/currencies/{currency_id}/").status_code == 204
    assert not Currency.objects.filter(pk=currency_id).exists()


def test_exchange_rates_filter_by_currency_in_constant_queries(
    org: Org, django_assert_max_num_queries: Any
) -> None:
    eur = make_currency("EUR")
    gbp = make_currency("GBP", "1.3")
    for day in range(2, 12):
        ExchangeRate.objects.create(
            currency=eur, rate=Decimal("1.1"), effective_date=f"2021-01-{day:02d}"
        )
    client = api(org.rep)
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/exchange-rates/", {"currency": eur.pk})
    assert response.status_code == 200
    rows = response.json()["results"]
    assert len(rows) == 11
    assert {row["currency_code"] for row in rows} == {"EUR"}
    by_code = client.get("/api/v1/exchange-rates/", {"currency__code": "GBP"}).json()
    assert [row["currency"] for row in by_code["results"]] == [gbp.pk]


# Line items


def test_line_items_are_added_and_removed_with_if_match(org: Org) -> None:
    pipeline = make_pipeline()
    deal = services.deal_create(actor=org.rep, name="Seats", pipeline=pipeline)
    services.deal_update(
        actor=org.rep, deal=deal, expected_version=1, data={"amount_follows_line_items": True}
    )
    product = ProductFactory(list_price=Decimal("100.00"), currency=deal.currency)
    client = api(org.rep)
    url = f"/api/v1/deals/{deal.pk}/items/"
    body = {"product": product.pk, "quantity": "3", "discount_percent": "10"}
    assert client.post(url, body).status_code == 428
    stale = client.post(url, body, HTTP_IF_MATCH='"1"')
    assert stale.status_code == 412
    assert error(stale)["current"]["version"] == 2
    added = client.post(url, body, HTTP_IF_MATCH='"2"')
    assert added.status_code == 201, added.json()
    assert added["ETag"] == '"3"'
    assert added.json()["total"] == "270.00"
    assert Deal.objects.get(pk=deal.pk).amount == Decimal("270.00")
    listed = client.get(url)
    assert listed.status_code == 200
    assert listed["ETag"] == '"3"'
    assert [row["id"] for row in listed.json()] == [added.json()["id"]]
    item_url = f"{url}{added.json()['id']}/"
    assert client.delete(item_url).status_code == 428
    assert client.delete(item_url, HTTP_IF_MATCH='"2"').status_code == 412
    removed = client.delete(item_url, HTTP_IF_MATCH='"3"')
    assert removed.status_code == 204
    assert removed["ETag"] == '"4"'
    assert not DealLineItem.objects.exists()
    assert Deal.objects.get(pk=deal.pk).amount == Decimal("0.00")
    assert client.delete(item_url, HTTP_IF_MATCH='"4"').status_code == 404


def test_bad_line_item_input_is_400_and_leaves_the_deal_alone(org: Org) -> None:
    deal = services.deal_create(actor=org.rep, name="Seats", pipeline=make_pipeline())
    other_currency = ProductFactory(currency="EUR" if deal.currency != "EUR" else "GBP")
    retired = ProductFactory(currency=deal.currency, is_active=False)
    client = api(org.rep)
    url = f"/api/v1/deals/{deal.pk}/items/"
    cases = [
        ({"product": retired.pk, "quantity": "1"}, "product"),
        ({"product": other_currency.pk, "quantity": "1"}, "unit_price"),
        ({"product": retired.pk, "quantity": "0"}, None),
        ({"product": 999999, "quantity": "1"}, "product"),
        ({"quantity": "1"}, "product"),
    ]
    for body, field in cases:
        response = client.post(url, body, HTTP_IF_MATCH='"1"')
        assert response.status_code == 400, (body, response.status_code)
        if field:
            assert field in error(response)["fields"], (body, error(response))
    discount = client.post(
        url,
        {
            "product": other_currency.pk,
            "quantity": "1",
            "unit_price": "5",
            "discount_percent": "150",
        },
        HTTP_IF_MATCH='"1"',
    )
    assert discount.status_code == 400
    assert "discount_percent" in error(discount)["fields"]
    assert Deal.objects.get(pk=deal.pk).version == 1
    assert not DealLineItem.objects.exists()


def test_a_hidden_deals_line_items_are_404_and_a_viewer_who_cant_edit_gets_403(
    org: Org,
) -> None:
    deal = services.deal_create(actor=org.stranger, name="Theirs", pipeline=make_pipeline())
    product = ProductFactory(currency=deal.currency)
    url = f"/api/v1/deals/{deal.pk}/items/"
    assert api(org.rep).get(url).status_code == 404
    hidden = api(org.rep).post(url, {"product": product.pk, "quantity": "1"}, HTTP_IF_MATCH='"1"')
    assert hidden.status_code == 404
    assert api(org.stranger).get(url).status_code == 200


def test_the_admin_pages_shift_button_uses_the_same_service(org: Org) -> None:
    pipeline = make_pipeline()
    a, b, c = open_stages(pipeline)
    response = client_for(org.admin).post(
        reverse("pipeline:admin_stage_shift", args=[b.pk]), {"direction": "up"}
    )
    assert response.status_code == 302
    assert open_stages(pipeline) == [b, a, c]
    assert AuditEntry.objects.filter(object_id=str(pipeline.pk), action="update").exists()
