"""Every list's CSV export is recorded in the audit log with who exported what."""

import pytest

from crm.models import AuditEntry
from tests.conftest import Org, client_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "list_name"),
    [
        ("/accounts/export.csv", "accounts"),
        ("/contacts/export.csv", "contacts"),
        ("/leads/export.csv", "leads"),
        ("/deals/export.csv", "deals"),
    ],
)
def test_a_list_export_writes_an_audit_row(org: Org, url: str, list_name: str) -> None:
    response = client_for(org.rep).get(url)
    assert response.status_code == 200
    b"".join(response.streaming_content)  # type: ignore[attr-defined]
    entry = AuditEntry.objects.get(action="export", actor=org.rep)
    assert entry.changes["list"] == list_name
