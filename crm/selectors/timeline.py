"""One timeline per record (newest first, keyset paginated) and the record's tasks.

Leads and pipeline pages call these with `lead=` or `deal=`; the timeline partial
`templates/crm/_timeline.html` renders the result.
"""

import base64
import binascii
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import models
from django.db.models import Q, QuerySet

from crm.errors import DomainError, NotFound
from crm.models import Activity, Task, User
from crm.models.activities import LINK_FIELDS
from crm.visibility import can_see, visible


@dataclass
class TimelinePage:
    rows: list[Activity]
    next_cursor: str = ""
    link: dict[str, int] = field(default_factory=dict)


def _target(links: dict[str, models.Model | None]) -> tuple[str, models.Model]:
    given = [(name, record) for name, record in links.items() if record is not None]
    if len(given) != 1:
        raise DomainError("Name exactly one record: account, contact, lead or deal.")
    return given[0]


def _check_visible(actor: User, record: models.Model) -> None:
    if not can_see(actor, record):
        raise NotFound("No such record.")


def timeline_for(
    *,
    actor: User,
    account: models.Model | None = None,
    contact: models.Model | None = None,
    lead: models.Model | None = None,
    deal: models.Model | None = None,
    cursor: str | None = None,
    size: int = 20,
) -> TimelinePage:
    """Activities on one record the actor can see, newest first.

    Seeing a record means seeing its history: every activity logged on it is shown,
    whoever logged it.
    """
    name, record = _target({"account": account, "contact": contact, "lead": lead, "deal": deal})
    _check_visible(actor, record)
    rows = Activity.objects.filter(**{name: record}).select_related("owner", "contact")
    position = _decode(cursor)
    if position is not None:
        when, pk = position
        rows = rows.filter(Q(occurred_at__lt=when) | Q(occurred_at=when, pk__lt=pk))
    page = list(rows.order_by("-occurred_at", "-id")[: size + 1])
    next_cursor = _encode(page[size - 1]) if len(page) > size else ""
    return TimelinePage(rows=page[:size], next_cursor=next_cursor, link={name: record.pk})


def tasks_for(
    *,
    actor: User,
    account: models.Model | None = None,
    contact: models.Model | None = None,
    lead: models.Model | None = None,
    deal: models.Model | None = None,
    limit: int = 50,
) -> list[Task]:
    """Open tasks on the record (soonest first), then the latest done ones."""
    name, record = _target({"account": account, "contact": contact, "lead": lead, "deal": deal})
    _check_visible(actor, record)
    tasks = Task.objects.filter(**{name: record}).select_related("owner")
    open_tasks = list(tasks.filter(done_at__isnull=True).order_by("due_at", "id")[:limit])
    done = list(tasks.filter(done_at__isnull=False).order_by("-done_at", "-id")[:10])
    return open_tasks + done


def activity_queryset(*, actor: User) -> QuerySet[Activity]:
    """Activities for API lists: the visibility rule by owner."""
    return visible(actor, Activity.objects.select_related("owner"))


def task_queryset(*, actor: User) -> QuerySet[Task]:
    return visible(actor, Task.objects.select_related("owner"))


def link_kwargs(data: Any) -> dict[str, Any]:
    """The account/contact/lead/deal ids named in a mapping (a form's data, a querystring)."""
    return {name: data.get(name) for name in LINK_FIELDS if data.get(name)}


def _encode(row: Activity) -> str:
    raw = json.dumps([row.occurred_at.isoformat(), row.pk]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(token: str | None) -> tuple[datetime, int] | None:
    if not token:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        when, pk = json.loads(raw)
        return datetime.fromisoformat(when), int(pk)
    except (ValueError, TypeError, binascii.Error):
        return None
