"""Two people create the same email at the same moment: one row, one clear conflict."""

import threading

import pytest
from django.db import connection

from crm.errors import Conflict
from leads.models import Lead
from leads.services.capture import lead_create
from tests.crm.factories import UserFactory


@pytest.mark.django_db(transaction=True)
def test_a_concurrent_double_create_of_the_same_email_is_one_row() -> None:
    rep = UserFactory()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def create(name: str) -> None:
        try:
            barrier.wait(timeout=5)
            lead_create(actor=rep, last_name=name, email="race@example.com")
            outcomes.append("created")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(n,)) for n in ("One", "Two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "created"]
    assert Lead.objects.filter(email="race@example.com").count() == 1
