"""List exports hold what people read: local times to the minute and choice labels."""

import csv
import io
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from crm.models import Account
from tests.conftest import Org, client_for
from tests.crm.factories import AccountFactory
from tests.pipeline.factories import DealFactory

pytestmark = pytest.mark.django_db

MOMENT = datetime(2026, 12, 2, 4, 23, 37, 761566, tzinfo=UTC)


def _rows(client: Client, url: str) -> list[dict[str, str]]:
    response = client.get(url)
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_the_deal_export_shows_created_in_the_company_time_zone(org: Org, settings: Any) -> None:
    settings.TIME_ZONE = "Europe/Berlin"
    deal = DealFactory(owner=org.rep)
    type(deal).objects.filter(pk=deal.pk).update(created_at=MOMENT)
    (row,) = _rows(client_for(org.rep), reverse("pipeline:deal_export"))
    assert row["created_at"] == "2026-12-02 05:23"
    assert row["status"] == "Open"
    assert row["forecast_category"] == "Pipeline"


def test_the_account_export_shows_labels_not_codes(org: Org) -> None:
    account = AccountFactory(owner=org.rep, segment="enterprise", relationship="customer")
    Account.objects.filter(pk=account.pk).update(created_at=MOMENT)
    (row,) = _rows(client_for(org.rep), reverse("crm:account_export"))
    assert (row["segment"], row["relationship"]) == ("Enterprise", "Customer")
    assert row["created_at"] == "2026-12-02 04:23"  # UTC, the test settings' company zone
