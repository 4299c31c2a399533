"""The audit log shows labels and names, never stored codes and ids."""

from datetime import date

import pytest
from django.urls import reverse

from crm.models import AuditEntry
from crm.services.accounts import account_create, account_update
from tests.conftest import Org, client_for
from tests.crm.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_audit_log_names_fields_people_and_choices(org: Org) -> None:
    lucas = UserFactory(first_name="Lucas", last_name="Novak", team=org.east)
    account = account_create(actor=org.admin, name="Initech", owner=org.admin)
    account_update(
        actor=org.admin,
        account=account,
        data={"owner": lucas, "segment": "enterprise", "customer_since": date(2026, 3, 1)},
    )
    assert AuditEntry.objects.filter(changes__owner_id__isnull=False).exists()
    response = client_for(org.admin).get(reverse("crm:admin_audit"))
    body = " ".join(response.content.decode().split())
    assert f"Owner:</span> {org.admin.full_name} → Lucas Novak" in body
    assert "Segment:</span> B2B → Enterprise" in body
    assert "Customer since:</span> — → 1 Mar 2026" in body
    assert "owner_id" not in body
    assert "<code>" not in body


def test_record_types_are_named_as_people_say_them(org: Org) -> None:
    body = client_for(org.admin).get(reverse("crm:admin_audit")).content.decode()
    assert ">Stage change<" in body
    assert "CRM core |" not in body
    assert "stage history" not in body.lower()
