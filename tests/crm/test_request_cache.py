"""Within one request the records shared with the user are read once, and a share written
during the request is seen by the rest of it."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.models import Account, RecordShare
from crm.request_cache import _current, remembered
from crm.visibility import visible
from tests.conftest import Org, client_for
from tests.crm.factories import AccountFactory

pytestmark = pytest.mark.django_db


def test_outside_a_request_nothing_is_remembered() -> None:
    calls = []
    remembered("k", lambda: calls.append(1))
    remembered("k", lambda: calls.append(1))
    assert calls == [1, 1]


def test_a_page_reads_the_users_account_shares_once(org: Org) -> None:
    account = AccountFactory(owner=org.rep)
    client = client_for(org.rep)
    client.get(f"/accounts/{account.pk}/")
    with CaptureQueriesContext(connection) as captured:
        assert client.get(f"/accounts/{account.pk}/").status_code == 200
    account_type = ContentType.objects.get_for_model(Account).pk
    reads = [
        q["sql"]
        for q in captured.captured_queries
        if 'FROM "crm_recordshare"' in q["sql"]
        and f'"content_type_id" = {account_type}' in q["sql"]
        and '"access"' not in q["sql"]
    ]
    assert len(reads) <= 1


def test_a_share_written_during_the_request_is_seen_afterwards(org: Org) -> None:
    account = AccountFactory(owner=org.stranger)
    token = _current.set({})
    try:
        assert not visible(org.rep, Account.objects.filter(pk=account.pk)).exists()
        RecordShare.objects.create(
            content_type=ContentType.objects.get_for_model(Account),
            object_id=account.pk,
            user=org.rep,
        )
        assert visible(org.rep, Account.objects.filter(pk=account.pk)).exists()
    finally:
        _current.reset(token)
