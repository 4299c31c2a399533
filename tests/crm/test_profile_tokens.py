"""The profile page's API token: regenerated and revoked by POST only, audited, the old key dead."""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from crm.models import AuditEntry
from tests.conftest import Org, client_for

pytestmark = pytest.mark.django_db


def test_regenerating_shows_the_new_key_once_and_kills_the_old_one(org: Org) -> None:
    old = Token.objects.create(user=org.rep)
    client = client_for(org.rep)
    response = client.post(reverse("crm:token_regenerate"), follow=True)
    new = Token.objects.get(user=org.rep)
    assert new.key != old.key
    assert new.key in response.content.decode()
    assert new.key not in client.get(reverse("crm:profile")).content.decode()
    anonymous = client_for(None)
    assert anonymous.get("/api/v1/leads/", HTTP_AUTHORIZATION=f"Token {old.key}").status_code == 401
    assert anonymous.get("/api/v1/leads/", HTTP_AUTHORIZATION=f"Token {new.key}").status_code == 200
    assert AuditEntry.objects.filter(changes__api_token=["", "regenerated"]).count() == 1


def test_revoking_deletes_the_token_and_a_get_changes_nothing(org: Org) -> None:
    Token.objects.create(user=org.rep)
    client = client_for(org.rep)
    assert client.get(reverse("crm:token_revoke")).status_code == 405
    assert client.get(reverse("crm:token_regenerate")).status_code == 405
    assert Token.objects.filter(user=org.rep).exists()
    client.post(reverse("crm:token_revoke"))
    assert not Token.objects.filter(user=org.rep).exists()
    assert AuditEntry.objects.filter(changes__api_token=["", "revoked"]).count() == 1
