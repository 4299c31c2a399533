"""Every route, every role: a route without an access rule fails this test, and a record
outside the user's scope answers 404 on every route that names it."""

from collections.abc import Callable
from typing import Any

import pytest
from django.db.models import Model
from django.urls import reverse

from crm.models import User
from tests.conftest import Org, client_for
from tests.routes import Route, iter_routes
from tests.scoped_objects import HIDDEN_OBJECTS

# Django's own admin guards itself (staff only); everything else uses crm.access.
THIRD_PARTY_PREFIXES = ("django-admin/",)
PLACEHOLDER_KWARGS = {"uidb64": "MQ", "token": "set-password"}

pytestmark = pytest.mark.django_db


def product_routes() -> list[Route]:
    return [r for r in iter_routes() if not r.pattern.startswith(THIRD_PARTY_PREFIXES)]


def _url(route: Route, pk: Any = None) -> str:
    kwargs = {}
    for name in route.kwargs:
        kwargs[name] = PLACEHOLDER_KWARGS.get(name, pk if pk is not None else 1)
    return reverse(route.name, kwargs=kwargs or None)


def test_every_route_declares_an_access_rule() -> None:
    missing = [r.pattern for r in product_routes() if r.rule is None]
    assert missing == [], f"routes without crm.access rule: {missing}"


def test_every_scoped_rule_names_a_model_the_sweep_knows() -> None:
    unknown = {
        r.rule
        for r in product_routes()
        if r.rule
        and r.rule.startswith("scoped:")
        and r.rule.removeprefix("scoped:") not in HIDDEN_OBJECTS
    }
    assert unknown == set(), "add a maker to tests/scoped_objects.py for these models"


def test_anonymous_visitors_are_sent_to_login_or_refused(org: Org) -> None:
    anonymous = client_for(None)
    for route in product_routes():
        if route.rule == "public":
            continue
        response = anonymous.get(_url(route))
        assert response.status_code in (302, 401, 403), (route.pattern, response.status_code)
        if response.status_code == 302:
            assert "/auth/login/" in response["Location"], route.pattern


def test_public_routes_answer_without_error(org: Org) -> None:
    anonymous = client_for(None)
    for route in product_routes():
        if route.rule == "public":
            response = anonymous.get(_url(route))
            assert response.status_code < 500, route.pattern


def test_admin_routes_refuse_reps_and_managers(org: Org) -> None:
    for route in product_routes():
        if route.rule != "admin":
            continue
        for user in (org.rep, org.manager):
            client = client_for(user)
            for method in ("get", "post"):
                response = getattr(client, method)(_url(route, org.rep.pk))
                assert response.status_code == 403, (route.pattern, user.email, method)
        response = client_for(org.admin).get(_url(route, org.rep.pk if route.kwargs else None))
        assert response.status_code < 500, route.pattern


def test_every_role_can_open_every_authenticated_route(org: Org) -> None:
    for route in product_routes():
        if route.rule != "authenticated" or route.kwargs:
            continue
        for user in (org.rep, org.manager, org.admin):
            response = client_for(user).get(_url(route))
            assert response.status_code < 500, (route.pattern, user.email, response.status_code)


def test_records_outside_a_users_scope_answer_404_on_every_route(org: Org) -> None:
    for route in product_routes():
        if not (route.rule or "").startswith("scoped:"):
            continue
        make: Callable[[Org], tuple[Model, list[User], list[User]]] = HIDDEN_OBJECTS[
            route.rule.removeprefix("scoped:")  # type: ignore[union-attr]
        ]
        obj, hidden_from, visible_to = make(org)
        if not route.kwargs:
            _assert_list_hides(route, obj, hidden_from)
            continue
        url = _url(route, obj.pk)
        for user in hidden_from:
            client = client_for(user)
            statuses = {
                m: getattr(client, m)(url).status_code for m in ("get", "post", "patch", "delete")
            }
            # 403 on a write is allowed only because it comes before any lookup (no leak).
            assert statuses["get"] in (404, 405), (route.pattern, user.email, statuses)
            assert set(statuses.values()) <= {403, 404, 405}, (route.pattern, user.email, statuses)
        for user in visible_to:
            response = client_for(user).get(url)
            assert response.status_code not in (404, 500), (
                route.pattern,
                user.email,
                response.status_code,
            )


def _assert_list_hides(route: Route, obj: Model, hidden_from: list[User]) -> None:
    """A list route answers every role, and a JSON list never carries a hidden record."""
    for user in hidden_from:
        response = client_for(user).get(_url(route), {"page_size": 500})
        assert response.status_code < 500, (route.pattern, user.email)
        if response.get("Content-Type", "").startswith("application/json"):
            ids = {row.get("id") for row in response.json().get("results", [])}
            assert obj.pk not in ids, (route.pattern, user.email)
