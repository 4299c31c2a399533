"""Deactivating or reactivating a user ends their sessions and API token (issue 13)."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from crm.services import people
from tests.conftest import Org, client_for

pytestmark = pytest.mark.django_db


def test_reactivation_does_not_revive_old_sessions_or_the_old_token(org: Org) -> None:
    browser = client_for(org.rep)
    assert browser.get("/api/v1/me/").status_code == 200
    key = Token.objects.create(user=org.rep).key
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/me/").status_code == 200

    people.user_deactivate(actor=org.admin, user=org.rep)
    people.user_activate(actor=org.admin, user=org.rep)

    assert browser.get("/api/v1/me/").status_code in (401, 403)
    assert api.get("/api/v1/me/").status_code == 401
    assert not Token.objects.filter(key=key).exists()
    org.rep.refresh_from_db()
    fresh = client_for(org.rep)  # signing in again works
    assert fresh.get("/api/v1/me/").status_code == 200


def test_other_users_sessions_survive(org: Org) -> None:
    browser = client_for(org.teammate)
    people.user_deactivate(actor=org.admin, user=org.rep)
    people.user_activate(actor=org.admin, user=org.rep)
    assert browser.get("/api/v1/me/").status_code == 200
