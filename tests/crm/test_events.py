"""The change event: announced inside a transaction, heard once after it commits."""

import pytest
from django.db import transaction

from crm import events
from tests.events import recording


class Boom(Exception):
    pass


def announce_then_fail(pk: int) -> None:
    with transaction.atomic():
        events.announce("leads.Lead", [pk])
        raise Boom


@pytest.mark.django_db(transaction=True)
def test_an_announcement_is_heard_only_after_the_commit() -> None:
    with recording() as heard, transaction.atomic():
        events.announce("crm.Account", [1], fields=["name"])
        assert heard.events == []
    assert [(e.model, e.ids, e.fields) for e in heard.events] == [
        ("crm.Account", (1,), frozenset({"name"}))
    ]


@pytest.mark.django_db(transaction=True)
def test_announcements_of_one_commit_are_merged_per_model_and_actor() -> None:
    with recording() as heard, transaction.atomic():
        events.announce("leads.Lead", [3, 1], fields=["email"], actor=7)
        events.announce("leads.Lead", [2, 3], fields=["owner"], actor=7)
        events.announce("leads.Lead", [9], fields=["owner"], actor=8)
        events.announce("crm.Contact", [5])
    by_key = {(e.model, e.actor_id): e for e in heard.events}
    assert len(heard.events) == 3
    assert by_key["leads.Lead", 7].ids == (1, 2, 3)
    assert by_key["leads.Lead", 7].fields == {"email", "owner"}
    assert by_key["leads.Lead", 8].ids == (9,)
    assert by_key["crm.Contact", None].fields == frozenset()


@pytest.mark.django_db(transaction=True)
def test_a_write_of_unknown_extent_makes_the_merged_event_name_no_fields() -> None:
    with recording() as heard, transaction.atomic():
        events.announce("leads.Lead", [1], fields=["email"])
        events.announce("leads.Lead", [2])
    assert heard.events[0].fields == frozenset()


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_announces_nothing() -> None:
    with recording() as heard:
        with pytest.raises(Boom):
            announce_then_fail(1)
        with transaction.atomic():
            events.announce("leads.Lead", [2])
    assert [e.ids for e in heard.events] == [(2,)]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_savepoint_drops_only_its_own_announcements() -> None:
    with recording() as heard, transaction.atomic():
        events.announce("leads.Lead", [1])
        with pytest.raises(Boom):
            announce_then_fail(2)
        with transaction.atomic():
            events.announce("leads.Lead", [3])
    assert [e.ids for e in heard.events] == [(1, 3)]


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_announcement_is_heard_at_once() -> None:
    with recording() as heard:
        events.announce("crm.Activity", [4, None])
        assert [e.ids for e in heard.events] == [(4,)]


@pytest.mark.django_db(transaction=True)
def test_big_writes_arrive_in_batches_not_one_event_per_row() -> None:
    with recording() as heard, transaction.atomic():
        for start in range(0, 100_000, 1000):
            events.announce("leads.Lead", range(start, start + 1000), fields=["status"])
    assert len(heard.events) == 100_000 // events.BATCH_SIZE
    assert sum(len(e.ids) for e in heard.events) == 100_000


@pytest.mark.django_db(transaction=True)
def test_a_failing_subscriber_does_not_stop_the_others() -> None:
    def broken(event: events.ChangeEvent) -> None:
        raise RuntimeError("subscriber bug")

    events.subscribe("crm.Account", broken)
    try:
        with recording() as heard, transaction.atomic():
            events.announce("crm.Account", [1])
    finally:
        events.unsubscribe("crm.Account", broken)
    assert len(heard.events) == 1


def test_other_commit_hooks_still_run_once(db: None, django_capture_on_commit_callbacks) -> None:
    ran = []
    with recording() as heard, django_capture_on_commit_callbacks(execute=True):
        events.announce("leads.Lead", [1])
        transaction.on_commit(lambda: ran.append("task"))
        events.announce("leads.Lead", [2])
    assert ran == ["task"]
    assert [e.ids for e in heard.events] == [(1, 2)]
