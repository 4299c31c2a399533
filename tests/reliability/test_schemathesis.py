"""schemathesis over every API operation, as a rep and as an administrator (issue 13):
0 server errors, and every answer conforms to the schema, status codes and content types
included. Bounded for CI; `make reliability` runs the same with more examples."""

import os

import pytest

from tests.conftest import Org
from tests.crm.factories import AccountFactory, ActivityFactory, ContactFactory, TaskFactory
from tests.leads.factories import LeadFactory
from tests.pipeline.factories import DealFactory
from tests.reliability import fuzz
from tests.reliability.conftest import figure

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "2"))


def records(org: Org) -> dict[str, list[int]]:
    account = AccountFactory(owner=org.rep)
    contact = ContactFactory(owner=org.rep, account=account)
    return {
        "accounts": [account.pk],
        "contacts": [contact.pk],
        "leads": [LeadFactory(owner=org.rep).pk],
        "deals": [DealFactory(owner=org.rep, account=account).pk],
        "activities": [ActivityFactory(owner=org.rep).pk],
        "tasks": [TaskFactory(owner=org.rep).pk],
        "users": [org.rep.pk, org.admin.pk],
        "teams": [org.east.pk],
    }


def test_every_operation_answers_as_its_schema_says(org: Org) -> None:
    report = fuzz.run({"rep": org.rep, "admin": org.admin}, ids=records(org), max_examples=EXAMPLES)
    print(
        f"schemathesis: {report.operations} operations, {report.requests} requests, "
        f"{report.seconds:.0f}s"
    )
    figure(
        f"schemathesis, {report.operations} operations x {EXAMPLES} examples x 2 users: "
        f"5xx / not as documented ({report.requests} requests)",
        "0 / 0",
        f"{report.server_errors} / {len(report.findings or [])}",
        report.server_errors == 0 and not report.findings,
    )
    assert report.operations > 100
    assert report.server_errors == 0, fuzz.describe(report.findings or [])
    assert not report.findings, fuzz.describe(report.findings or [])
