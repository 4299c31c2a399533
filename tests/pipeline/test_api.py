"""Deal API: ETag / If-Match, 412 with the current deal, 428 without If-Match, visibility."""

import pytest

from pipeline import services
from pipeline.models import Deal
from tests.conftest import Org
from tests.conftest import api_client_for as api
from tests.crm.factories import AccountFactory, ContactFactory
from tests.pipeline.factories import DealFactory, make_pipeline, open_stages

pytestmark = pytest.mark.django_db


def test_reading_a_deal_returns_its_version_as_etag(org: Org) -> None:
    deal = DealFactory(stage=open_stages(make_pipeline())[0], owner=org.rep)
    response = api(org.rep).get(f"/api/v1/deals/{deal.pk}/")
    assert response.status_code == 200
    assert response["ETag"] == '"1"'


def test_creating_a_deal_through_the_api_validates_and_records_history(org: Org) -> None:
    pipeline = make_pipeline()
    response = api(org.rep).post(
        "/api/v1/deals/", {"name": "API deal", "pipeline": pipeline.pk, "amount": "10"}
    )
    assert response.status_code == 201, response.json()
    assert response.json()["stage"] == open_stages(pipeline)[0].pk
    bad = api(org.rep).post(
        "/api/v1/deals/", {"name": "x", "pipeline": pipeline.pk, "currency": "XYZ"}
    )
    assert bad.status_code == 400
    assert bad.json()["error"]["fields"]["currency"]


def test_a_move_with_a_stale_if_match_is_412_with_the_current_deal(org: Org) -> None:
    pipeline = make_pipeline()
    deal = services.deal_create(actor=org.rep, name="x", pipeline=pipeline)
    _, second, third = open_stages(pipeline)
    client = api(org.rep)
    ok = client.post(f"/api/v1/deals/{deal.pk}/move/", {"stage": second.pk}, HTTP_IF_MATCH='"1"')
    assert ok.status_code == 200
    assert ok["ETag"] == '"2"'
    stale = client.post(f"/api/v1/deals/{deal.pk}/move/", {"stage": third.pk}, HTTP_IF_MATCH='"1"')
    assert stale.status_code == 412
    assert stale.json()["error"]["code"] == "stale_version"
    assert stale.json()["error"]["current"]["stage"] == second.pk


def test_a_write_without_if_match_is_428(org: Org) -> None:
    deal = DealFactory(stage=open_stages(make_pipeline())[0], owner=org.rep)
    response = api(org.rep).patch(f"/api/v1/deals/{deal.pk}/", {"amount": "5"})
    assert response.status_code == 428
    assert Deal.objects.get(pk=deal.pk).version == 1


def test_patch_with_the_current_if_match_updates(org: Org) -> None:
    deal = DealFactory(stage=open_stages(make_pipeline())[0], owner=org.rep)
    response = api(org.rep).patch(f"/api/v1/deals/{deal.pk}/", {"amount": "5"}, HTTP_IF_MATCH='"1"')
    assert response.status_code == 200
    assert response.json()["amount"] == "5.00"


def test_a_negative_amount_through_the_api_is_400(org: Org) -> None:
    deal = DealFactory(stage=open_stages(make_pipeline())[0], owner=org.rep)
    response = api(org.rep).patch(
        f"/api/v1/deals/{deal.pk}/", {"amount": "-5"}, HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 400
    assert Deal.objects.get(pk=deal.pk).version == 1


def test_moving_to_another_pipelines_stage_through_the_api_is_400(org: Org) -> None:
    deal = DealFactory(stage=open_stages(make_pipeline())[0], owner=org.rep)
    other = open_stages(make_pipeline())[0]
    response = api(org.rep).post(
        f"/api/v1/deals/{deal.pk}/move/", {"stage": other.pk}, HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 400


def test_a_stranger_gets_404_from_the_api(org: Org) -> None:
    deal = DealFactory(stage=open_stages(make_pipeline())[0], owner=org.stranger)
    client = api(org.rep)
    assert client.get(f"/api/v1/deals/{deal.pk}/").status_code == 404
    assert (
        client.post(
            f"/api/v1/deals/{deal.pk}/move/", {"stage": deal.stage_id}, HTTP_IF_MATCH='"1"'
        ).status_code
        == 404
    )
    ids = [row["id"] for row in client.get("/api/v1/deals/").json()["results"]]
    assert deal.pk not in ids


def test_the_history_endpoint_lists_moves(org: Org) -> None:
    pipeline = make_pipeline()
    deal = services.deal_create(actor=org.rep, name="x", pipeline=pipeline)
    services.deal_move(actor=org.rep, deal=deal, stage=open_stages(pipeline)[2], expected_version=1)
    rows = api(org.rep).get(f"/api/v1/deals/{deal.pk}/history/").json()
    assert [r["to_stage"] for r in rows] == [
        open_stages(pipeline)[0].pk,
        open_stages(pipeline)[2].pk,
    ]


def test_pipelines_and_stages_are_in_the_api_and_schema(org: Org) -> None:
    pipeline = make_pipeline()
    client = api(org.rep)
    assert client.get("/api/v1/pipelines/").status_code == 200
    assert client.get(f"/api/v1/stages/?pipeline={pipeline.pk}").status_code == 200
    schema = client.get("/api/schema/").content.decode()
    assert "/api/v1/deals/{id}/move/" in schema


@pytest.mark.parametrize("field", ["account", "primary_contact"])
def test_an_unknown_and_a_hidden_related_id_get_the_same_400(org: Org, field: str) -> None:
    hidden = (AccountFactory if field == "account" else ContactFactory)(owner=org.stranger)
    pipeline = make_pipeline()
    answers = []
    for pk in (hidden.pk + 100_000, hidden.pk):
        response = api(org.rep).post(
            "/api/v1/deals/",
            {"name": "Probe", "pipeline": pipeline.pk, field: pk},
            format="json",
        )
        answers.append((response.status_code, response.json()["error"]["fields"]))
    assert answers[0] == answers[1]
    assert answers[0][0] == 400
    assert Deal.objects.filter(name="Probe").count() == 0
