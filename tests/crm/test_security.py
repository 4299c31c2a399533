"""Security defaults: login lockout, CSRF, CSP, session rotation and timeouts."""

import time
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from crm.middleware import SESSION_SEEN_KEY, SESSION_STARTED_KEY
from tests.conftest import Org, client_for

pytestmark = pytest.mark.django_db

LOGIN = "/auth/login/"


def _login(client: Client, email: str, password: str, ip: str = "10.0.0.1") -> int:
    response = client.post(LOGIN, {"username": email, "password": password}, REMOTE_ADDR=ip)
    return response.status_code


def test_a_user_signs_in_with_email_and_password(org: Org) -> None:
    client = Client()
    response = client.post(LOGIN, {"username": org.rep.email, "password": "pass-word-123"})
    assert response.status_code == 302
    assert response["Location"] == reverse("crm:my_day")


def test_signing_in_rotates_the_session_key(org: Org) -> None:
    client = Client()
    client.get(LOGIN)
    client.session.save()
    before = client.session.session_key
    _login(client, org.rep.email, "pass-word-123")
    assert client.session.session_key != before


def test_five_failures_lock_the_username_from_that_address(org: Org) -> None:
    client = Client()
    for _ in range(5):
        _login(client, org.rep.email, "wrong")
    assert _login(client, org.rep.email, "pass-word-123") == 429


def test_the_owner_can_still_sign_in_from_another_address(org: Org) -> None:
    attacker = Client()
    for _ in range(5):
        _login(attacker, org.rep.email, "wrong", ip="10.6.6.6")
    assert _login(attacker, org.rep.email, "pass-word-123", ip="10.6.6.6") == 429
    assert _login(Client(), org.rep.email, "pass-word-123", ip="10.0.0.2") == 302


def test_a_post_without_csrf_token_is_refused(org: Org) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(org.admin)
    response = client.post(reverse("crm:admin_team_create"), {"name": "Sneaky"})
    assert response.status_code == 403


def test_api_writes_with_a_session_need_csrf(org: Org) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(org.admin)
    response = client.post("/api/v1/teams/", {"name": "Sneaky"}, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_pages_carry_a_strict_content_security_policy(org: Org) -> None:
    response = client_for(org.rep).get(reverse("crm:my_day"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


def test_a_session_older_than_twelve_hours_ends(org: Org) -> None:
    client = client_for(org.rep)
    session = client.session
    session[SESSION_STARTED_KEY] = time.time() - 13 * 3600
    session.save()
    response = client.get(reverse("crm:my_day"))
    assert response.status_code == 302
    assert "/auth/login/" in response["Location"]


def test_sessions_expire_after_thirty_idle_minutes(settings: object) -> None:
    from django.conf import settings as django_settings

    assert django_settings.SESSION_COOKIE_AGE == 30 * 60


def test_activity_pushes_the_idle_expiry_back_at_most_once_a_minute(org: Org) -> None:
    client = client_for(org.rep)
    client.get(reverse("crm:my_day"))
    key = client.session.session_key
    first = Session.objects.get(session_key=key).expire_date
    client.get(reverse("crm:my_day"))
    assert Session.objects.get(session_key=key).expire_date == first  # no write
    session = client.session
    session[SESSION_SEEN_KEY] = time.time() - 61
    session.save()
    Session.objects.filter(session_key=key).update(expire_date=first - timedelta(minutes=5))
    client.get(reverse("crm:my_day"))
    assert Session.objects.get(session_key=key).expire_date > first - timedelta(minutes=1)
