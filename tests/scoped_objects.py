"""For each model named by a `scoped:` route rule: how to make a record and who must not see it.

Each maker returns (record, users who must get 404, users who must see it). Add one when
you add a scoped route for a new model; the route sweep fails until you do.
"""

from collections.abc import Callable

from django.db.models import Model

from crm.models import User
from tests.conftest import Org
from tests.crm.factories import TeamFactory, UserFactory

Maker = Callable[[Org], tuple[Model, list[User], list[User]]]


def _deactivated_user(org: Org) -> tuple[Model, list[User], list[User]]:
    gone = UserFactory(is_active=False, team=org.west)
    return gone, [org.rep, org.manager], [org.admin]


def _team(org: Org) -> tuple[Model, list[User], list[User]]:
    # The team directory is open to every signed-in user.
    return TeamFactory(parent=org.west), [], [org.rep, org.manager, org.admin]


HIDDEN_OBJECTS: dict[str, Maker] = {
    "crm.User": _deactivated_user,
    "crm.Team": _team,
}
