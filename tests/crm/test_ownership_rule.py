"""One rule for who may make whom the owner of a record (`crm.visibility`): admins give to
any active user, managers to themselves and their subtree, reps to themselves; an edit share
lets you change a record but never take it or give it away. Every record kind, through
every path that can set an owner: page forms, API, import and bulk reassignment."""

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from django import forms
from django.db.models import Model
from django.urls import reverse

from crm.forms.relationships import AccountForm, ContactForm
from crm.models import Account, Contact, User
from crm.models.sharing import ShareAccess
from crm.services.sharing import share_create
from crm.visibility import assignable_owners, can_assign_owner
from leads.forms import LeadForm
from leads.models import Lead
from leads.services import capture
from pipeline.forms import DealForm
from pipeline.models import Deal
from pipeline.views.deals import _initial as deal_initial
from tests.conftest import Org, client_for
from tests.conftest import api_client_for as _api
from tests.crm.factories import (
    AccountFactory,
    ActivityFactory,
    ContactFactory,
    TaskFactory,
    UserFactory,
)
from tests.imports.conftest import import_file
from tests.leads.factories import LeadFactory
from tests.pipeline.factories import DealFactory, make_pipeline, open_stages

pytestmark = pytest.mark.django_db

API = {
    "lead": "/api/v1/leads/",
    "account": "/api/v1/accounts/",
    "contact": "/api/v1/contacts/",
    "deal": "/api/v1/deals/",
    "task": "/api/v1/tasks/",
}

IMPORT_KINDS = {
    "lead": "leads",
    "account": "accounts",
    "contact": "contacts",
    "deal": "deals",
    "activity": "activities",
}

# Every way a record's owner can be set: (kind, path).
PATHS = [
    ("lead", "form"),
    ("lead", "api"),
    ("lead", "import"),
    ("lead", "bulk_page"),
    ("lead", "bulk_api"),
    ("account", "form"),
    ("account", "api"),
    ("account", "import"),
    ("contact", "form"),
    ("contact", "api"),
    ("contact", "import"),
    ("deal", "form"),
    ("deal", "api"),
    ("deal", "import"),
    ("task", "api"),
    ("activity", "import"),
]


LEAD_IMPORT_KEEPS_OWNERS = "a lead import never reassigns existing leads (assignment does)"


def _make(kind: str, owner: User) -> Model:
    if kind == "lead":
        return LeadFactory(owner=owner)
    if kind == "account":
        return AccountFactory(owner=owner, domain="")
    if kind == "contact":
        return ContactFactory(owner=owner)
    if kind == "deal":
        return DealFactory(owner=owner, stage=open_stages(make_pipeline())[0])
    if kind == "task":
        return TaskFactory(owner=owner)
    return ActivityFactory(owner=owner, subject="Intro call")


def _form_data(form: forms.BaseForm) -> dict[str, Any]:
    """What the page would post back untouched: every field's current value."""
    data = {}
    for bound in form:
        value = bound.value()
        if value not in (None, ""):
            data[bound.html_name] = value
    return data


def _edit_form(kind: str, record: Any, actor: User) -> tuple[str, dict[str, Any]]:
    if kind == "lead":
        initial = {name: getattr(record, name) for name in capture.EDITABLE}
        initial["owner"] = record.owner
        form: forms.BaseForm = LeadForm(initial=initial, actor=actor, editing=True)
        return reverse("leads:edit", args=[record.pk]), _form_data(form)
    if kind == "account":
        form = AccountForm(instance=record, actor=actor)
        return reverse("crm:account_edit", args=[record.pk]), _form_data(form)
    if kind == "contact":
        form = ContactForm(instance=record, actor=actor)
        return reverse("crm:contact_edit", args=[record.pk]), _form_data(form)
    assert kind == "deal"
    form = DealForm(initial=deal_initial(record), actor=actor, editing=True)
    return reverse("pipeline:deal_edit", args=[record.pk]), _form_data(form)


def _import_row(kind: str, record: Any, owner: User) -> str:
    """A CSV whose one row matches `record` (update policy) and names `owner`."""
    if kind == "lead":
        rows = [["Email", "Last name", "Owner"], [record.email, record.last_name, owner.email]]
    elif kind == "account":
        rows = [["Company", "Owner"], [record.name, owner.email]]
    elif kind == "contact":
        rows = [["Email", "Last name", "Owner"], [record.email, record.last_name, owner.email]]
    elif kind == "deal":
        rows = [["Deal name", "Stage", "Owner"], [record.name, record.stage.name, owner.email]]
    else:
        assert kind == "activity"
        rows = [
            ["Type", "Subject", "When", "Account", "Owner"],
            [
                record.kind,
                record.subject,
                record.occurred_at.isoformat(),
                record.account.name,
                owner.email,
            ],
        ]
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()


def _give(kind: str, path: str, record: Any, actor: User, new_owner: User) -> int:
    """Try to make `new_owner` the owner of `record` as `actor`; the HTTP status (0 off-web)."""
    if path == "api":
        headers = {"HTTP_IF_MATCH": f'"{record.version}"'} if kind == "deal" else {}
        url = f"{API[kind]}{record.pk}/"
        return _api(actor).patch(url, {"owner": new_owner.pk}, format="json", **headers).status_code
    if path == "form":
        url, data = _edit_form(kind, record, actor)
        data["owner"] = new_owner.pk
        return client_for(actor).post(url, data).status_code
    if path == "import":
        options = {"pipeline": str(record.pipeline_id)} if kind == "deal" else None
        job = import_file(
            actor,
            IMPORT_KINDS[kind],
            _import_row(kind, record, new_owner),
            policy="update",
            options=options,
        )
        return 0 if job.rows.get().outcome == "updated" else 403
    if path == "bulk_page":
        data = {"action": "assign", "ids": str(record.pk), "owner": new_owner.pk}
        return client_for(actor).post(reverse("leads:bulk"), data).status_code
    assert path == "bulk_api"
    body = {"ids": [record.pk], "owner": new_owner.pk}
    return _api(actor).post("/api/v1/leads/bulk-assign/", body, format="json").status_code


def _owner_id(record: Any) -> int:
    return int(type(record)._default_manager.get(pk=record.pk).owner_id)


def _share(record: Any, owner: User, user: User, access: str = ShareAccess.EDIT) -> None:
    share_create(actor=owner, obj=record, user=user, access=access)
    if getattr(record, "account", None) is not None and not isinstance(record, Contact):
        share_create(actor=owner, obj=record.account, user=user, access=ShareAccess.READ)


def _refused(kind: str, path: str, status: int, actor: User) -> None:
    if path == "api":
        assert status == 403
    elif path == "form" and actor.is_rep and kind != "lead":
        assert status == 302  # reps get no owner field there: the rest is saved
    elif path == "form":
        assert status == 200  # the form again, with the error on the owner field
    elif path == "bulk_api":
        assert status in (200, 403)
    elif path == "import":
        assert status == 403  # the row is rejected


@pytest.mark.parametrize(("kind", "path"), PATHS)
@pytest.mark.parametrize("grantee", ["rep", "manager"])
def test_an_edit_share_never_lets_the_grantee_take_the_record(
    org: Org, kind: str, path: str, grantee: str
) -> None:
    if path.startswith("bulk") and grantee == "rep":
        pytest.skip("reps have no bulk reassignment")
    actor = getattr(org, grantee)
    record = _make(kind, org.stranger)
    _share(record, org.stranger, actor)
    status = _give(kind, path, record, actor, actor)
    _refused(kind, path, status, actor)
    assert _owner_id(record) == org.stranger.pk


@pytest.mark.parametrize(("kind", "path"), PATHS)
def test_an_edit_share_never_lets_a_manager_give_the_record_to_their_team(
    org: Org, kind: str, path: str
) -> None:
    record = _make(kind, org.stranger)
    _share(record, org.stranger, org.manager)
    status = _give(kind, path, record, org.manager, org.rep)
    _refused(kind, path, status, org.manager)
    assert _owner_id(record) == org.stranger.pk


@pytest.mark.parametrize(("kind", "path"), PATHS)
def test_a_manager_reassigns_a_record_within_their_subtree(org: Org, kind: str, path: str) -> None:
    if (kind, path) == ("lead", "import"):
        pytest.skip(LEAD_IMPORT_KEEPS_OWNERS)
    record = _make(kind, org.rep)
    status = _give(kind, path, record, org.manager, org.teammate)
    assert status in (0, 200, 302)
    assert _owner_id(record) == org.teammate.pk


@pytest.mark.parametrize(("kind", "path"), [(k, p) for k, p in PATHS if not p.startswith("bulk")])
def test_a_rep_cannot_hand_their_own_record_away(org: Org, kind: str, path: str) -> None:
    record = _make(kind, org.rep)
    status = _give(kind, path, record, org.rep, org.teammate)
    if path == "api":
        assert status == 403
    assert _owner_id(record) == org.rep.pk


@pytest.mark.parametrize(("kind", "path"), [(k, p) for k, p in PATHS if not p.startswith("bulk")])
def test_a_manager_cannot_give_their_subtrees_record_outside_it(
    org: Org, kind: str, path: str
) -> None:
    record = _make(kind, org.rep)
    status = _give(kind, path, record, org.manager, org.stranger)
    if path == "api":
        assert status == 403
    assert _owner_id(record) == org.rep.pk


@pytest.mark.parametrize(("kind", "path"), PATHS)
def test_an_admin_gives_any_record_to_any_active_user(org: Org, kind: str, path: str) -> None:
    if (kind, path) == ("lead", "import"):
        pytest.skip(LEAD_IMPORT_KEEPS_OWNERS)
    record = _make(kind, org.rep)
    status = _give(kind, path, record, org.admin, org.stranger)
    assert status in (0, 200, 302)
    assert _owner_id(record) == org.stranger.pk


# Creating through the API: deals answer like the other kinds.

CREATE_BODIES: dict[str, Callable[[], dict[str, Any]]] = {
    "lead": lambda: {"last_name": "Doe", "company": "Acme", "email": "doe@acme.example"},
    "account": lambda: {"name": "Acme"},
    "contact": lambda: {"last_name": "Doe"},
    "deal": lambda: {"name": "Big one", "pipeline": make_pipeline().pk},
    "task": lambda: {"title": "Call back", "due_at": "2030-01-01T10:00:00Z"},
}
MODELS: dict[str, type[Model]] = {
    "lead": Lead,
    "account": Account,
    "contact": Contact,
    "deal": Deal,
}


@pytest.mark.parametrize("kind", sorted(CREATE_BODIES))
@pytest.mark.parametrize(
    ("actor_name", "owner_name"), [("rep", "stranger"), ("manager", "stranger")]
)
def test_creating_a_record_for_someone_out_of_reach_is_a_403(
    org: Org, kind: str, actor_name: str, owner_name: str
) -> None:
    body = {**CREATE_BODIES[kind](), "owner": getattr(org, owner_name).pk}
    response = _api(getattr(org, actor_name)).post(API[kind], body, format="json")
    assert response.status_code == 403, response.json()
    assert response.json()["error"]["fields"]["owner"]
    if kind in MODELS:
        assert not MODELS[kind]._default_manager.exists()


@pytest.mark.parametrize("kind", sorted(CREATE_BODIES))
def test_a_manager_creates_records_for_their_reps(org: Org, kind: str) -> None:
    body = {**CREATE_BODIES[kind](), "owner": org.rep.pk}
    response = _api(org.manager).post(API[kind], body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["owner"] == org.rep.pk


def test_a_rep_handing_their_deal_away_keeps_it(org: Org) -> None:
    deal = DealFactory(owner=org.rep)
    response = _api(org.rep).patch(
        f"/api/v1/deals/{deal.pk}/", {"owner": org.teammate.pk}, HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 403
    assert _api(org.rep).get(f"/api/v1/deals/{deal.pk}/").status_code == 200


# The rule itself.


def test_assignable_owners_follow_the_role(org: Org) -> None:
    gone = UserFactory(is_active=False)
    everyone = set(User.objects.filter(is_active=True).values_list("pk", flat=True))
    assert set(assignable_owners(org.admin).values_list("pk", flat=True)) == everyone
    assert set(assignable_owners(org.manager).values_list("pk", flat=True)) == {
        org.manager.pk,
        org.rep.pk,
        org.teammate.pk,
    }
    assert list(assignable_owners(org.rep).values_list("pk", flat=True)) == [org.rep.pk]
    assert gone.pk not in everyone


def test_can_assign_owner_keeps_an_unchanged_owner_and_refuses_edit_shares(org: Org) -> None:
    shared = AccountFactory(owner=org.stranger)
    share_create(actor=org.stranger, obj=shared, user=org.rep, access=ShareAccess.EDIT)
    assert can_assign_owner(org.rep, shared, org.stranger)
    assert not can_assign_owner(org.rep, shared, org.rep)
    assert can_assign_owner(org.rep, None, org.rep)
    assert not can_assign_owner(org.rep, None, org.teammate)
    assert can_assign_owner(org.admin, shared, org.rep)
