"""For each model named by a `scoped:` route rule: how to make a record and who must not see it.

Each maker returns (record, users who must get 404, users who must see it). Add one when
you add a scoped route for a new model; the route sweep fails until you do.
"""

from collections.abc import Callable
from typing import Any

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


def _import_job(org: Org) -> tuple[Model, list[User], list[User]]:
    from tests.imports.factories import ImportJobFactory

    job = ImportJobFactory(created_by=org.stranger)
    return job, [org.rep, org.manager], [org.admin, org.stranger_manager, org.stranger]


def _export_job(org: Org) -> tuple[Model, list[User], list[User]]:
    from tests.imports.factories import ExportJobFactory

    job = ExportJobFactory(created_by=org.stranger)
    return job, [org.rep, org.manager], [org.admin, org.stranger_manager, org.stranger]


HIDDEN_OBJECTS["imports.ImportJob"] = _import_job
HIDDEN_OBJECTS["imports.ExportJob"] = _export_job


def _deal(org: Org) -> tuple[Model, list[User], list[User]]:
    from tests.pipeline.factories import DealFactory

    deal = DealFactory(owner=org.stranger)
    return deal, [org.rep, org.manager], [org.admin, org.stranger_manager, org.stranger]


HIDDEN_OBJECTS["pipeline.Deal"] = _deal


def _account(org: Org) -> tuple[Model, list[User], list[User]]:
    from tests.crm.factories import AccountFactory

    account = AccountFactory(owner=org.stranger)
    return account, [org.rep, org.manager], [org.stranger, org.stranger_manager, org.admin]


def _contact(org: Org) -> tuple[Model, list[User], list[User]]:
    from tests.crm.factories import ContactFactory

    contact = ContactFactory(owner=org.stranger)
    return contact, [org.rep, org.manager], [org.stranger, org.stranger_manager, org.admin]


def _task(org: Org) -> tuple[Model, list[User], list[User]]:
    from tests.crm.factories import TaskFactory

    return TaskFactory(owner=org.stranger), [org.rep, org.manager], [org.stranger]


def _notification(org: Org) -> tuple[Model, list[User], list[User]]:
    from crm.models import Notification

    note = Notification.objects.create(user=org.stranger, text="For the stranger only")
    return note, [org.rep, org.manager, org.admin], [org.stranger]


def _saved_view(org: Org) -> tuple[Model, list[User], list[User]]:
    from crm.models import SavedView

    name = f"Mine {SavedView.objects.count()}"  # the sweep makes one per route
    view = SavedView.objects.create(user=org.stranger, kind="accounts", name=name, querystring="")
    return view, [org.rep, org.manager, org.admin], [org.stranger]


HIDDEN_OBJECTS["crm.Account"] = _account
HIDDEN_OBJECTS["crm.Contact"] = _contact
HIDDEN_OBJECTS["crm.Task"] = _task
HIDDEN_OBJECTS["crm.Notification"] = _notification
HIDDEN_OBJECTS["crm.SavedView"] = _saved_view


def _activity(org: Org) -> tuple[Model, list[User], list[User]]:
    from tests.crm.factories import ActivityFactory

    return ActivityFactory(owner=org.stranger), [org.rep, org.manager], [org.stranger, org.admin]


HIDDEN_OBJECTS["crm.Activity"] = _activity


def _lead(org: Org) -> tuple[Model, list[User], list[User]]:
    from tests.leads.factories import LeadFactory

    lead = LeadFactory(owner=org.stranger)
    return lead, [org.rep, org.manager], [org.stranger, org.stranger_manager, org.admin]


def _lead_merge(org: Org) -> tuple[Model, list[User], list[User]]:
    from leads.models import LeadMerge
    from tests.leads.factories import LeadFactory

    winner: Any = LeadFactory(owner=org.stranger)
    loser: Any = LeadFactory(owner=org.stranger)
    merge = LeadMerge.objects.create(winner=winner, loser=loser, actor=org.stranger)
    return merge, [org.rep, org.manager], [org.stranger, org.admin]


HIDDEN_OBJECTS["leads.Lead"] = _lead
HIDDEN_OBJECTS["leads.LeadMerge"] = _lead_merge


def _saved_report(org: Org) -> tuple[Model, list[User], list[User]]:
    from tests.reporting.factories import saved_report

    report = saved_report(org.stranger)
    return report, [org.rep, org.manager], [org.admin, org.stranger_manager, org.stranger]


HIDDEN_OBJECTS["reporting.SavedReport"] = _saved_report


def _subscription(org: Org) -> tuple[Model, list[User], list[User]]:
    from reporting.schedules.services import subscription_create

    subscription = subscription_create(actor=org.stranger, dashboard="rep", frequency="weekly")
    return subscription, [org.rep, org.manager], [org.admin, org.stranger_manager, org.stranger]


HIDDEN_OBJECTS["reporting.ReportSubscription"] = _subscription


def _challenge(org: Org) -> tuple[Model, list[User], list[User]]:
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from reporting.recognition.challenges import challenge_create

    today = timezone.localdate()
    challenge = challenge_create(
        actor=org.stranger_manager,
        name="West calls",
        metric="calls",
        target=Decimal(10),
        team=org.west,
        starts_on=today,
        ends_on=today + timedelta(days=7),
    )
    return challenge, [org.rep, org.manager], [org.admin, org.stranger_manager, org.stranger]


HIDDEN_OBJECTS["reporting.Challenge"] = _challenge
