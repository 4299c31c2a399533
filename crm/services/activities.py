"""Writes on activities (call, email, meeting, note) and tasks, linked to any one record.

Leads and pipeline pages embed the same forms: they pass `lead=` or `deal=` and these
services check the actor can see whatever they link to.
"""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from crm.errors import DomainError
from crm.events import update_and_announce
from crm.models import Activity, Task, User
from crm.models.activities import LINK_FIELDS
from crm.models.audit import AuditAction
from crm.services.audit import audit, audit_update, diff, snapshot
from crm.services.notifications import notification_create
from crm.services.ownership import require_edit, visible_or_error
from crm.visibility import check_owner_change, editable

ACTIVITY_FIELDS = (
    "kind",
    "subject",
    "body",
    "occurred_at",
    "duration_minutes",
    "outcome",
    "owner_id",
    "account_id",
    "contact_id",
    "lead_id",
    "deal_id",
)
TASK_FIELDS = (
    "title",
    "notes",
    "due_at",
    "priority",
    "owner_id",
    "account_id",
    "contact_id",
    "lead_id",
    "deal_id",
    "done_at",
)
ACTIVITY_EDITABLE = {"kind", "subject", "body", "occurred_at", "duration_minutes", "outcome"}
TASK_EDITABLE = {"title", "notes", "due_at", "priority", "owner"}


def resolve_links(actor: User, model: type[models.Model], links: dict[str, Any]) -> dict[str, Any]:
    """Turn ids or records for account/contact/lead/deal into records `actor` can see."""
    resolved: dict[str, Any] = {}
    for name in LINK_FIELDS:
        value = links.get(name)
        if value in (None, ""):
            continue
        related = model._meta.get_field(name).related_model
        record = visible_or_error(actor, related, value, field=name)  # type: ignore[arg-type]
        if getattr(record, "deleted_at", None) is not None:
            raise DomainError(f"That {name} is deleted.", field=name)
        resolved[name] = record
    contact = resolved.get("contact")
    if contact is not None and "account" not in resolved and contact.account_id:
        resolved["account_id"] = contact.account_id  # the call shows on the account too
    return resolved


def _link_path(record: Task | Activity) -> str:
    if record.contact_id:
        return f"/contacts/{record.contact_id}/"
    if record.account_id:
        return f"/accounts/{record.account_id}/"
    if record.lead_id:
        return f"/leads/{record.lead_id}/"
    if record.deal_id:
        return f"/deals/{record.deal_id}/"
    return "/"


@transaction.atomic
def activity_log(
    *,
    actor: User,
    kind: str,
    subject: str,
    occurred_at: datetime | None = None,
    body: str = "",
    duration_minutes: int | None = None,
    outcome: str = "",
    **links: Any,
) -> Activity:
    """Record a call, email, meeting or note against one (or more) records."""
    unknown = set(links) - set(LINK_FIELDS)
    if unknown:
        raise DomainError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    resolved = resolve_links(actor, Activity, links)
    if not resolved:
        raise DomainError("Link the activity to an account, contact, lead or deal.")
    subject = subject.strip()
    if not subject:
        raise DomainError("Say what it was about.", field="subject")
    if duration_minutes is not None and not 0 <= duration_minutes <= 24 * 60:
        raise DomainError("Duration is in minutes, at most a day.", field="duration_minutes")
    activity = Activity.objects.create(
        kind=kind,
        subject=subject,
        body=body,
        occurred_at=occurred_at or timezone.now(),
        duration_minutes=duration_minutes,
        outcome=outcome.strip(),
        owner=actor,
        **resolved,
    )
    audit(
        actor=actor,
        obj=activity,
        action=AuditAction.CREATE,
        changes=diff({}, snapshot(activity, ACTIVITY_FIELDS)),
    )
    _touch_lead(actor, activity)
    return activity


def _touch_lead(actor: User, activity: Activity) -> None:
    """Keep the lead's "last activity" current (temperature and lists read it).

    Reached through the foreign key so crm does not import the leads app.
    """
    if activity.lead_id is None:
        return
    lead_model = Activity._meta.get_field("lead").related_model
    stale = lead_model._default_manager.filter(pk=activity.lead_id).filter(  # type: ignore[union-attr]
        Q(last_activity_at__isnull=True) | Q(last_activity_at__lt=activity.occurred_at)
    )
    update_and_announce(stale, actor=actor, last_activity_at=activity.occurred_at)


@transaction.atomic
def activity_update(*, actor: User, activity: Activity, data: dict[str, Any]) -> Activity:
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    require_edit(actor, activity)
    unknown = set(data) - ACTIVITY_EDITABLE
    if unknown:
        raise DomainError(f"These fields can't be changed: {', '.join(sorted(unknown))}.")
    before = snapshot(activity, ACTIVITY_FIELDS)
    for name, value in data.items():
        setattr(activity, name, value)
    if not activity.subject.strip():
        raise DomainError("Say what it was about.", field="subject")
    activity.save()
    audit_update(actor=actor, obj=activity, before=before, fields=ACTIVITY_FIELDS)
    return activity


@transaction.atomic
def activity_delete(*, actor: User, activity: Activity) -> None:
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    require_edit(actor, activity)
    audit(
        actor=actor,
        obj=activity,
        action=AuditAction.DELETE,
        changes=snapshot(activity, ACTIVITY_FIELDS),
    )
    activity.delete()


@transaction.atomic
def task_create(
    *,
    actor: User,
    title: str,
    due_at: datetime,
    priority: str = "normal",
    notes: str = "",
    owner: User | None = None,
    **links: Any,
) -> Task:
    """A to-do with a due time for `owner` (the assignee; default the actor)."""
    unknown = set(links) - set(LINK_FIELDS)
    if unknown:
        raise DomainError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    title = title.strip()
    if not title:
        raise DomainError("Give the task a title.", field="title")
    assignee = check_owner_change(actor, None, owner)
    task = Task.objects.create(
        title=title,
        due_at=due_at,
        priority=priority,
        notes=notes,
        owner=assignee,
        created_by=actor,
        **resolve_links(actor, Task, links),
    )
    audit(
        actor=actor,
        obj=task,
        action=AuditAction.CREATE,
        changes=diff({}, snapshot(task, TASK_FIELDS)),
    )
    if assignee.pk != actor.pk:
        notification_create(
            user=assignee, text=f"{actor.full_name} gave you a task: {title}", link=_link_path(task)
        )
    return task


@transaction.atomic
def task_update(*, actor: User, task: Task, data: dict[str, Any]) -> Task:
    task = Task.objects.select_for_update().get(pk=task.pk)
    require_edit(actor, task)
    unknown = set(data) - TASK_EDITABLE - {"done"}
    if unknown:
        raise DomainError(f"These fields can't be changed: {', '.join(sorted(unknown))}.")
    before = snapshot(task, TASK_FIELDS)
    data = dict(data)
    if "owner" in data:
        data["owner"] = check_owner_change(actor, task, data["owner"])
    if "due_at" in data and data["due_at"] != task.due_at:
        task.reminder_sent_at = None  # a new due time earns a new reminder
    if "done" in data:
        done = bool(data.pop("done"))
        if done != task.is_done:
            task.done_at = timezone.now() if done else None
    for name, value in data.items():
        setattr(task, name, value)
    if not task.title.strip():
        raise DomainError("Give the task a title.", field="title")
    task.save()
    audit_update(actor=actor, obj=task, before=before, fields=TASK_FIELDS)
    return task


def task_set_done(*, actor: User, task: Task, done: bool = True) -> Task:
    return task_update(actor=actor, task=task, data={"done": done})


@transaction.atomic
def task_delete(*, actor: User, task: Task) -> None:
    task = Task.objects.select_for_update().get(pk=task.pk)
    require_edit(actor, task)
    audit(actor=actor, obj=task, action=AuditAction.DELETE, changes=snapshot(task, TASK_FIELDS))
    task.delete()


MAX_BULK_TASKS = 500


@transaction.atomic
def tasks_complete(*, actor: User, task_ids: Iterable[int]) -> tuple[int, int]:
    """Tick many tasks done: (done, skipped). Tasks already done, hidden from or not
    editable by `actor` are skipped; each one ticked is audited like a single tick."""
    ids = sorted({int(pk) for pk in task_ids})
    if not ids:
        raise DomainError("Select the tasks to mark done.", field="ids")
    if len(ids) > MAX_BULK_TASKS:
        raise DomainError(f"Mark at most {MAX_BULK_TASKS} tasks done at once.", field="ids")
    rows = editable(actor, Task.objects.filter(pk__in=ids, done_at__isnull=True))
    done = 0
    for task in rows.select_for_update().order_by("id"):
        task_update(actor=actor, task=task, data={"done": True})
        done += 1
    return done, len(ids) - done
