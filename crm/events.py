"""One hook for "these records changed": services announce, subscribers hear after commit.

Every service that writes a lead, deal, account, contact or activity calls `announce()` inside
its transaction. Nothing is delivered until the outermost transaction commits; a rollback (of
the transaction or of the savepoint the announcement was made in) delivers nothing. Within
one commit, announcements of one model by one actor are merged, so a service that touches a
record twice, or an import that writes 100,000 rows in batches, produces one event per
`BATCH_SIZE` ids rather than one per write.

Subscribers register in their app's `AppConfig.ready()`:

    from crm import events
    events.subscribe("leads.Lead", rescore_leads)

and receive a `ChangeEvent` with ids only: they re-read what they need (the rows may have
changed again since). A subscriber should be quick (enqueue a Celery task); one that raises is
logged and does not stop the others, since the write itself has already committed.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models, transaction

from crm import request_cache

log = logging.getLogger(__name__)

BATCH_SIZE = 500
ANY_MODEL = "*"


@dataclass(frozen=True)
class ChangeEvent:
    """`ids` of `model` ("app_label.ModelName") changed; `fields` names what changed.

    `fields` is empty when the write was a create, a delete or a write of unknown extent:
    subscribers then treat every field as changed.
    """

    model: str
    ids: tuple[int, ...]
    fields: frozenset[str]
    actor_id: int | None


Handler = Callable[[ChangeEvent], Any]
_subscribers: dict[str, list[Handler]] = defaultdict(list)


def subscribe(model: str, handler: Handler) -> None:
    """Call `handler` after each commit that changed rows of `model` ("*" for every model)."""
    if handler not in _subscribers[model]:
        _subscribers[model].append(handler)


def unsubscribe(model: str, handler: Handler) -> None:
    if handler in _subscribers[model]:
        _subscribers[model].remove(handler)


def label_of(model: type[models.Model] | models.Model | str) -> str:
    if isinstance(model, str):
        return model
    return str(model._meta.label)


def announce(
    model: type[models.Model] | models.Model | str,
    ids: Iterable[int | None],
    *,
    fields: Iterable[str] = (),
    actor: Any = None,
    using: str = DEFAULT_DB_ALIAS,
) -> None:
    """Say that rows `ids` of `model` changed; delivered once the transaction commits.
    What this request remembered of the visibility rule is forgotten at once (an owner or a
    share may have changed)."""
    pks = frozenset(int(pk) for pk in ids if pk is not None)
    if not pks:
        return
    request_cache.forget()
    actor_id = getattr(actor, "pk", actor)
    change = _Change(label_of(model), actor_id, pks, _field_names(model, fields))
    connection = connections[using]
    if not connection.in_atomic_block:
        _deliver([change])
        return
    batch = _pending_batch(connection)
    # The change counts only if its own commit hook survives: Django drops the hooks of a
    # savepoint that rolls back, and all of them when the transaction does.
    transaction.on_commit(lambda: batch.confirmed.append(change), using=using)
    batch.schedule_flush(connection)


def _field_names(
    model: type[models.Model] | models.Model | str, names: Iterable[str]
) -> frozenset[str]:
    """Field names for the given names, attnames included (`owner_id` → `owner`)."""
    if isinstance(model, str):
        return frozenset(names)
    by_attname = {f.attname: f.name for f in model._meta.concrete_fields}
    return frozenset(by_attname.get(name, name) for name in names)


@dataclass(frozen=True)
class _Change:
    model: str
    actor_id: int | None
    ids: frozenset[int]
    fields: frozenset[str]


@dataclass
class _Batch:
    """The changes of one transaction, delivered together by the last flush hook."""

    confirmed: list[_Change] = field(default_factory=list)
    latest: int = 0

    def schedule_flush(self, connection: Any) -> None:
        # A flush hook is queued after every confirmation and carries no savepoint ids, so
        # no savepoint rollback discards it; only the last one queued delivers.
        self.latest += 1
        connection.run_on_commit.append((set(), _Flush(self, self.latest), False))

    def flush(self, number: int) -> None:
        if number == self.latest:
            changes, self.confirmed = self.confirmed, []
            _deliver(changes)


@dataclass(frozen=True)
class _Flush:
    batch: _Batch
    number: int

    def __call__(self) -> None:
        self.batch.flush(self.number)


def _pending_batch(connection: Any) -> _Batch:
    for _sids, func, _robust in reversed(connection.run_on_commit):
        if isinstance(func, _Flush):
            return func.batch
    return _Batch()


def _merge(changes: Iterable[_Change]) -> list[ChangeEvent]:
    ids: dict[tuple[str, int | None], set[int]] = defaultdict(set)
    names: dict[tuple[str, int | None], set[str]] = defaultdict(set)
    unknown_extent: set[tuple[str, int | None]] = set()
    for change in changes:
        key = (change.model, change.actor_id)
        ids[key] |= change.ids
        if change.fields:
            names[key] |= change.fields
        else:
            unknown_extent.add(key)
    events = []
    for key, pks in ids.items():
        fields = frozenset() if key in unknown_extent else frozenset(names[key])
        ordered = sorted(pks)
        for start in range(0, len(ordered), BATCH_SIZE):
            chunk = tuple(ordered[start : start + BATCH_SIZE])
            events.append(ChangeEvent(key[0], chunk, fields, key[1]))
    return events


def _deliver(changes: Iterable[_Change]) -> None:
    for event in _merge(changes):
        for handler in (*_subscribers.get(event.model, ()), *_subscribers.get(ANY_MODEL, ())):
            try:
                handler(event)
            except Exception:
                log.exception("Change subscriber %r failed on %s", handler, event.model)


UPDATE_CHUNK = 10_000


def update_and_announce(queryset: models.QuerySet[Any], *, actor: Any = None, **values: Any) -> int:
    """`queryset.update(**values)` that also announces the rows it changed. Returns the count.

    The rows are locked while their ids are read, so what is announced is what was updated.
    """
    model = queryset.model
    with transaction.atomic(using=queryset.db):
        ids = list(queryset.select_for_update(of=("self",)).values_list("pk", flat=True))
        for start in range(0, len(ids), UPDATE_CHUNK):
            part = ids[start : start + UPDATE_CHUNK]
            model._base_manager.using(queryset.db).filter(pk__in=part).update(**values)
        announce(model, ids, fields=values, actor=actor, using=queryset.db)
    return len(ids)
