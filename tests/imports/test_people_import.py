"""People and teams come over from another CRM: kind `users`, and owners who aren't users
added as people without an email (who own records but can't sign in)."""

import io
from pathlib import Path

import pytest
from django.contrib.auth.backends import ModelBackend
from django.core.management import call_command

from crm.errors import DomainError, PermissionDenied
from crm.imports.engine import preview
from crm.models import Account, Role, Team, User
from crm.services.people import user_activate, user_update
from tests.conftest import Org
from tests.imports.conftest import assert_counts_add_up, import_file, upload

pytestmark = pytest.mark.django_db

# Maven's sales_teams.csv, shortened: agents, their manager, their regional office.
TEAMS = (
    "sales_agent,manager,regional_office,email\n"
    "Anna Snelling,Dustin Brinkmann,Central,\n"
    "Cecily Lampkin,Dustin Brinkmann,Central,cecily@maven.example\n"
    "Versie Hillebrand,Melvin Marxen,Central,\n"
    "Moses Frase,Celia Rouche,West,\n"
)
TEAMS_MAPPING = {
    "sales_agent": "name",
    "manager": "manager",
    "regional_office": "parent_team",
    "email": "email",
}


def teams_file(with_team: bool = True) -> str:
    lines = TEAMS.splitlines()
    out = [lines[0] + ",team"]
    for line in lines[1:]:
        manager = line.split(",")[1]
        out.append(f"{line},{manager.split()[0]}'s team" if with_team else line + ",")
    return "\n".join(out) + "\n"


def import_people(org: Org, **options: object) -> object:
    return import_file(
        org.admin,
        "users",
        teams_file(),
        mapping={**TEAMS_MAPPING, "team": "team"},
        options={"on_unknown": {"team": "__create__", "parent_team": "__create__"}, **options},
    )


def test_agents_managers_and_offices_become_people_and_a_team_tree(org: Org) -> None:
    job = import_people(org, unknown_owner="create")
    assert_counts_add_up(job, 4)
    assert (job.imported, job.rejected) == (4, 0)
    anna = User.objects.get(first_name="Anna", last_name="Snelling")
    dustin = User.objects.get(first_name="Dustin", last_name="Brinkmann")
    team = Team.objects.get(name="Dustin's team")
    assert anna.team == team
    assert team.manager == dustin
    assert dustin.role == Role.MANAGER
    assert team.parent == Team.objects.get(name="Central")
    assert team.path.startswith(Team.objects.get(name="Central").path)
    # Two managers in one office, three offices' worth of teams: nothing doubled.
    assert User.objects.filter(first_name="Dustin", last_name="Brinkmann").count() == 1
    assert Team.objects.get(name="Melvin's team").parent == team.parent


def test_without_a_team_column_each_agent_joins_their_managers_team(org: Org) -> None:
    job = import_file(
        org.admin,
        "users",
        TEAMS,  # Maven's own columns: agent, manager, office
        mapping=TEAMS_MAPPING,
        options={
            "on_unknown": {"team": "__create__", "parent_team": "__create__"},
            "unknown_owner": "create",
        },
    )
    assert_counts_add_up(job, 4)
    assert (job.imported, job.rejected) == (4, 0)
    team = Team.objects.get(name="Dustin Brinkmann's team")
    assert team.manager == User.objects.get(last_name="Brinkmann")
    assert team.parent == Team.objects.get(name="Central")
    assert set(team.members.values_list("last_name", flat=True)) >= {"Snelling", "Lampkin"}
    assert User.objects.get(last_name="Frase").team.name == "Celia Rouche's team"


def test_without_a_team_column_and_no_teams_to_create_the_row_says_what_to_do(org: Org) -> None:
    job = import_file(
        org.admin,
        "users",
        TEAMS,
        mapping=TEAMS_MAPPING,
        options={"on_unknown": {"parent_team": "__create__"}, "unknown_owner": "create"},
    )
    assert job.rejected == 4
    assert "Dustin Brinkmann's team" in job.rows.get(row_number=1).message
    assert not Team.objects.filter(name__endswith="'s team").exists()


def test_a_person_without_an_email_owns_records_but_cannot_sign_in(org: Org) -> None:
    import_people(org, unknown_owner="create")
    anna = User.objects.get(first_name="Anna", last_name="Snelling")
    cecily = User.objects.get(email="cecily@maven.example")
    assert (anna.email, anna.is_active, anna.has_usable_password()) == ("", False, False)
    assert cecily.is_active
    assert not cecily.has_usable_password()
    assert ModelBackend().authenticate(None, username="", password="") is None
    with pytest.raises(User.DoesNotExist):
        User.objects.get_by_natural_key("")
    job = import_file(org.admin, "accounts", "Company,sales_agent\nAcme,Anna Snelling\n")
    assert job.imported == 1
    assert Account.objects.get(name="Acme").owner == anna


def test_an_admin_must_add_an_email_before_activating_a_person(org: Org) -> None:
    import_people(org, unknown_owner="create")
    anna = User.objects.get(first_name="Anna", last_name="Snelling")
    with pytest.raises(DomainError, match="Add an email"):
        user_activate(actor=org.admin, user=anna)
    user_update(actor=org.admin, user=anna, data={"email": "anna@maven.example"})
    assert user_activate(actor=org.admin, user=anna).is_active


def test_an_unknown_manager_rejects_the_row_unless_people_may_be_created(org: Org) -> None:
    job = import_people(org)
    assert_counts_add_up(job, 4)
    assert job.rejected == 4
    assert "nobody is called “Dustin Brinkmann”" in job.rows.get(row_number=1).message
    assert not User.objects.filter(last_name__in=["Snelling", "Brinkmann"], email="").exists()


def test_a_manager_named_before_their_own_row_is_filled_by_it(org: Org) -> None:
    content = (
        "name,email,role,team,manager\n"
        "Anna Snelling,,rep,Central,Dustin Brinkmann\n"
        "Dustin Brinkmann,dustin@maven.example,manager,Central,\n"
    )
    job = import_file(
        org.admin,
        "users",
        content,
        options={"unknown_owner": "create", "on_unknown": {"team": "__create__"}},
    )
    assert_counts_add_up(job, 2)
    dustin = User.objects.get(first_name="Dustin", last_name="Brinkmann")
    assert User.objects.filter(first_name="Dustin", last_name="Brinkmann").count() == 1
    assert dustin.email == "dustin@maven.example"
    assert dustin.team == Team.objects.get(name="Central")
    assert Team.objects.get(name="Central").manager == dustin
    assert job.rows.get(row_number=2).outcome == "updated"


def test_people_are_matched_by_email_then_name_on_a_second_run(org: Org) -> None:
    import_people(org, unknown_owner="create")
    again = import_people(org, unknown_owner="create")
    assert_counts_add_up(again, 4)
    assert again.skipped == 4
    assert User.objects.filter(first_name="Anna", last_name="Snelling").count() == 1


def test_only_administrators_import_people_or_add_owners(org: Org) -> None:
    with pytest.raises(PermissionDenied):
        upload(org.manager, "users", teams_file())
    with pytest.raises(PermissionDenied, match="Only administrators add people"):
        upload(
            org.manager,
            "accounts",
            "Company,Owner\nAcme,Ghost Person\n",
            options={"unknown_owner": "create"},
        )


def test_unknown_owners_become_people_in_other_imports_with_a_note(org: Org) -> None:
    job = import_file(
        org.admin,
        "accounts",
        "Company,Owner\nAcme,Ghost Person\nBeta,Ghost Person\n",
        options={"unknown_owner": "create"},
    )
    assert_counts_add_up(job, 2)
    ghost = User.objects.get(first_name="Ghost", last_name="Person")
    assert ghost.is_person_only
    assert set(Account.objects.filter(owner=ghost).values_list("name", flat=True)) == {
        "Acme",
        "Beta",
    }
    assert "added as a person without an email" in job.rows.get(row_number=1).message


def test_a_rejected_row_adds_no_person_for_its_unknown_owner(org: Org) -> None:
    job = import_file(
        org.admin,
        "accounts",
        "Company,Owner,Employees\nAcme,Ghost Person,12\nBeta,Phantom Rep,lots\n",
        options={"unknown_owner": "create"},
    )
    assert_counts_add_up(job, 2)
    assert (job.imported, job.rejected) == (1, 1)
    assert User.objects.filter(first_name="Ghost", last_name="Person").exists()
    assert not User.objects.filter(last_name="Rep").exists()


def test_the_preview_names_the_person_to_add_but_adds_nobody(org: Org) -> None:
    content = "Company,Owner\nAcme,Ghost Person\n"
    job = upload(org.admin, "accounts", content, options={"unknown_owner": "create"})
    [row] = preview(job)
    assert "added as a person without an email" in str(row)
    assert not User.objects.filter(last_name="Person").exists()


def test_the_command_creates_unknown_owners(org: Org, tmp_path: Path) -> None:
    path = tmp_path / "accounts.csv"
    path.write_text("Company,Owner\nAcme,Ghost Person\n")
    out = io.StringIO()
    call_command(
        "import",
        "accounts",
        str(path),
        "--as",
        org.admin.email,
        "--unknown-owner",
        "create",
        stdout=out,
    )
    assert "1 imported" in out.getvalue()
    assert Account.objects.get(name="Acme").owner.full_name == "Ghost Person"


def test_the_mapping_page_offers_to_create_people_to_admins_only(org: Org) -> None:
    from tests.conftest import client_for

    job = upload(org.admin, "accounts", "Company,Owner\nAcme,Ghost\n")
    page = client_for(org.admin).get(f"/imports/{job.pk}/mapping/")
    assert 'value="create"' in page.content.decode()
    job = upload(org.manager, "accounts", "Company,Owner\nAcme,Ghost\n")
    page = client_for(org.manager).get(f"/imports/{job.pk}/mapping/")
    assert 'id="unknown-owner-create"' not in page.content.decode()
