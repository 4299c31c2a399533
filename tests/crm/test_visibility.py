"""The sharing model: admin all, manager subtree, rep own + shared."""

import pytest
from django.contrib.contenttypes.models import ContentType

from crm.models import Contact, RecordShare
from crm.visibility import can_edit, editable, visible
from tests.conftest import Org
from tests.crm.factories import ContactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def contacts(org: Org) -> dict[str, Contact]:
    return {
        "rep": ContactFactory(owner=org.rep),
        "teammate": ContactFactory(owner=org.teammate),
        "stranger": ContactFactory(owner=org.stranger),
        "manager": ContactFactory(owner=org.manager),
    }


def _names(user: object, contacts: dict[str, Contact]) -> set[str]:
    ids = set(visible(user, Contact.objects.all()).values_list("pk", flat=True))  # type: ignore[arg-type]
    return {k for k, c in contacts.items() if c.pk in ids}


def test_admins_see_everything(org: Org, contacts: dict[str, Contact]) -> None:
    assert _names(org.admin, contacts) == {"rep", "teammate", "stranger", "manager"}


def test_managers_see_their_team_subtree(org: Org, contacts: dict[str, Contact]) -> None:
    assert _names(org.manager, contacts) == {"rep", "teammate", "manager"}


def test_reps_see_only_their_own_records(org: Org, contacts: dict[str, Contact]) -> None:
    assert _names(org.rep, contacts) == {"rep"}


def test_a_record_shared_with_a_rep_becomes_visible_read_only(
    org: Org, contacts: dict[str, Contact]
) -> None:
    RecordShare.objects.create(
        content_type=ContentType.objects.get_for_model(Contact),
        object_id=contacts["stranger"].pk,
        user=org.rep,
    )
    assert _names(org.rep, contacts) == {"rep", "stranger"}
    assert not can_edit(org.rep, contacts["stranger"])


def test_a_record_shared_with_a_team_reaches_every_member(
    org: Org, contacts: dict[str, Contact]
) -> None:
    RecordShare.objects.create(
        content_type=ContentType.objects.get_for_model(Contact),
        object_id=contacts["stranger"].pk,
        team=org.east,
        access="edit",
    )
    assert "stranger" in _names(org.teammate, contacts)
    assert can_edit(org.teammate, contacts["stranger"])


def test_inactive_users_see_nothing(org: Org, contacts: dict[str, Contact]) -> None:
    org.rep.is_active = False
    assert _names(org.rep, contacts) == set()


def test_the_scope_costs_a_fixed_number_of_queries_however_many_records(
    org: Org, contacts: dict[str, Contact], django_assert_num_queries: object
) -> None:
    ContactFactory.create_batch(20, owner=org.rep)
    with django_assert_num_queries(4):  # type: ignore[operator]
        # the manager's team paths, the subtree's users, the shares, then the rows
        list(visible(org.manager, Contact.objects.all()))
    assert editable(org.rep, Contact.objects.all()).count() == 21
