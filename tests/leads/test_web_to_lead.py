"""Web-to-lead: good submissions land assigned by the rules; spam and floods store nothing."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from crm.models import Notification
from leads.models import Lead
from tests.conftest import Org
from tests.leads.factories import AssignmentRuleFactory, WebFormFactory

pytestmark = pytest.mark.django_db

GOOD = {
    "first_name": "Maya",
    "last_name": "Lin",
    "email": "maya@studio.example",
    "company": "Lin Studio",
    "timeframe": "immediate",
    "notes": "Need 20 seats",
}


def post(data: dict[str, str], ip: str = "203.0.113.5", **headers: str) -> Any:
    return Client(enforce_csrf_checks=True).post(
        reverse("leads_public:web_to_lead"), data, REMOTE_ADDR=ip, **headers
    )


def test_a_submission_becomes_an_inbound_lead_assigned_by_the_rules(org: Org) -> None:
    AssignmentRuleFactory(name="Everyone to rep", action="user", user=org.rep)
    response = post(GOOD)
    assert response.status_code == 201
    assert b"Thank you" in response.content
    lead = Lead.objects.get()
    assert (lead.owner, lead.source.slug, lead.temperature) == (org.rep, "inbound-website", "hot")
    assert Notification.objects.filter(user=org.rep).exists()


def test_a_form_with_a_redirect_sends_the_visitor_there(org: Org) -> None:
    form = WebFormFactory(redirect_url="https://www.example.com/thanks", campaign="Spring")
    response = post({**GOOD, "form": form.public_key})
    assert response.status_code == 302
    assert response["Location"] == "https://www.example.com/thanks"
    assert Lead.objects.get().campaign == "Spring"


def test_the_honeypot_refuses_bots_and_stores_nothing(org: Org) -> None:
    response = post({**GOOD, "nickname": "buy cheap pills"})
    assert response.status_code == 400
    assert not Lead.objects.exists()


@pytest.mark.parametrize(
    ("data", "text"),
    [
        ({**GOOD, "email": "maya-at-studio"}, b"valid email"),
        ({k: v for k, v in GOOD.items() if k != "email"}, b"email"),
        ({"email": "a@b.example"}, b"name"),
        ({**GOOD, "timeframe": "yesterday"}, b"timeframe"),
    ],
)
def test_bad_fields_are_refused_with_a_clear_answer(
    org: Org, data: dict[str, str], text: bytes
) -> None:
    response = post(data)
    assert response.status_code == 400
    assert text in response.content
    assert not Lead.objects.exists()


def test_a_flood_from_one_address_is_refused_with_429(org: Org, settings: Any) -> None:
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "web_to_lead": "3/hour"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    for i in range(3):
        assert post({**GOOD, "email": f"p{i}@flood.example"}).status_code == 201
    response = post({**GOOD, "email": "p9@flood.example"})
    assert response.status_code == 429
    assert Lead.objects.count() == 3
    assert post({**GOOD, "email": "other@net.example"}, ip="198.51.100.7").status_code == 201


def test_a_foreign_origin_is_refused_when_the_form_names_its_origins(org: Org) -> None:
    form = WebFormFactory(allowed_origins="https://www.acme.example")
    refused = post({**GOOD, "form": form.public_key}, HTTP_ORIGIN="https://evil.example")
    assert refused.status_code == 403
    assert not Lead.objects.exists()
    ok = post({**GOOD, "form": form.public_key}, HTTP_ORIGIN="https://www.acme.example")
    assert ok.status_code == 201


def test_an_unknown_form_key_is_refused(org: Org) -> None:
    assert post({**GOOD, "form": "nope"}).status_code == 403
    assert not Lead.objects.exists()


def test_the_same_person_writing_again_adds_to_their_lead(org: Org) -> None:
    post(GOOD)
    post({**GOOD, "notes": "Any news?"})
    lead = Lead.objects.get()
    assert "Any news?" in lead.notes


def test_the_json_endpoint_answers_201_and_errors_in_the_one_shape(org: Org) -> None:
    client = Client()
    url = reverse("web-to-lead")
    response = client.post(url, GOOD, content_type="application/json")
    assert response.status_code == 201
    bad = client.post(url, {**GOOD, "email": "x"}, content_type="application/json")
    assert bad.status_code == 400
    assert bad.json()["error"]["fields"]["email"]
    spam = client.post(
        url, {**GOOD, "email": "bot@x.example", "nickname": "x"}, content_type="application/json"
    )
    assert spam.status_code == 400
    assert Lead.objects.count() == 1
