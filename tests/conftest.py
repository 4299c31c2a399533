"""Shared fixtures: an organisation with an admin, a manager over a team subtree, reps
inside and outside it. Tests run against the real PostgreSQL and Redis."""

from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from crm.models import Role, Team, User
from tests.crm.factories import TeamFactory, UserFactory


@dataclass
class Org:
    admin: User
    manager: User
    rep: User  # in the manager's subtree (sub-team)
    teammate: User  # same team as rep
    stranger: User  # another team, outside the manager's subtree
    stranger_manager: User
    sales: Team
    east: Team
    west: Team


@pytest.fixture
def org(db: None) -> Org:
    admin = UserFactory(role=Role.ADMIN, email="admin@test.example", is_staff=True)
    manager = UserFactory(role=Role.MANAGER, email="manager@test.example")
    stranger_manager = UserFactory(role=Role.MANAGER, email="west-manager@test.example")
    sales = TeamFactory(name="Sales East HQ", manager=manager)
    east = TeamFactory(name="East reps", parent=sales)
    west = TeamFactory(name="West", manager=stranger_manager)
    manager.team = sales
    manager.save()
    stranger_manager.team = west
    stranger_manager.save()
    rep = UserFactory(role=Role.REP, team=east, email="rep@test.example")
    teammate = UserFactory(role=Role.REP, team=east, email="teammate@test.example")
    stranger = UserFactory(role=Role.REP, team=west, email="stranger@test.example")
    return Org(admin, manager, rep, teammate, stranger, stranger_manager, sales, east, west)


def api_client_for(user: object | None = None) -> APIClient:
    """An API client signed in as `user` (anonymous for None)."""
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)  # type: ignore[arg-type]
    return client


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    """Throttles and lockouts live in Redis; each test starts clean."""
    client = cache._cache.get_client(None, write=True)  # type: ignore[attr-defined]
    keys = list(client.scan_iter(f"{cache.key_prefix}:*"))
    if keys:
        client.delete(*keys)
