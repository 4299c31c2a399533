"""Privacy requests about a person (a contact, or a lead): export everything, or erase it.

Works on any record with the personal fields below, so the leads app calls the same
functions with a `Lead`. Erasure anonymises the person and the free text of their
activities and tasks but keeps the rows (and deals) so reports still add up.
"""

import csv
import io
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from crm.errors import DomainError, PermissionDenied
from crm.events import update_and_announce
from crm.exports import safe_row
from crm.models import Activity, AuditEntry, Task, User
from crm.models.accounts import EmailConsent
from crm.models.audit import AuditAction
from crm.services.audit import _plain, audit

PERSONAL_FIELDS = ("first_name", "last_name", "title", "email", "phone", "notes", "consent_source")
ERASED_NAME = "[erased]"


def _require_admin(actor: User) -> None:
    if not actor.is_admin:
        raise PermissionDenied("Only administrators handle privacy requests.")


def _link_name(subject: models.Model) -> str:
    name = subject._meta.model_name or ""
    if name not in ("contact", "lead"):
        raise DomainError("Privacy requests are about contacts and leads.")
    return name


def _fields(obj: models.Model, skip: tuple[str, ...] = ("search_words",)) -> dict[str, Any]:
    return {
        f.attname: _plain(getattr(obj, f.attname))
        for f in obj._meta.concrete_fields
        if f.attname not in skip
    }


def personal_data(*, actor: User, subject: models.Model) -> dict[str, Any]:
    """Everything held about the person, as JSON-ready data; the export is audited."""
    _require_admin(actor)
    link = _link_name(subject)
    content_type = ContentType.objects.get_for_model(type(subject))
    data = {
        "type": link,
        "id": subject.pk,
        "exported_at": timezone.now().isoformat(),
        "record": _fields(subject),
        "activities": [
            _fields(a) for a in Activity.objects.filter(**{link: subject}).order_by("occurred_at")
        ],
        "tasks": [_fields(t) for t in Task.objects.filter(**{link: subject}).order_by("due_at")],
        "audit": [
            {
                "at": e.created_at.isoformat(),
                "action": e.action,
                "actor": e.actor_id,
                "changes": e.changes,
            }
            for e in AuditEntry.objects.filter(
                content_type=content_type, object_id=str(subject.pk)
            ).order_by("created_at", "id")
        ],
    }
    audit(actor=actor, obj=subject, action=AuditAction.EXPORT, changes={"format": "privacy"})
    return data


def personal_data_csv(data: dict[str, Any]) -> str:
    """The export as one CSV: section, record id, field, value (formula-escaped)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "record_id", "field", "value"])
    for field, value in data["record"].items():
        writer.writerow(safe_row([data["type"], data["id"], field, value]))
    for section in ("activities", "tasks"):
        for row in data[section]:
            for field, value in row.items():
                writer.writerow(safe_row([section, row.get("id"), field, value]))
    for entry in data["audit"]:
        writer.writerow(safe_row(["audit", data["id"], entry["action"], entry["at"]]))
    return out.getvalue()


@transaction.atomic
def personal_data_erase(*, actor: User, subject: models.Model) -> models.Model:
    """Anonymise the person; de-personalise their activities and tasks; keep the rows."""
    _require_admin(actor)
    link = _link_name(subject)
    model = type(subject)
    subject = model._default_manager.select_for_update().get(pk=subject.pk)
    if getattr(subject, "erased_at", None) is not None:
        return subject
    erased = []
    for name in PERSONAL_FIELDS:
        if hasattr(subject, name):
            setattr(subject, name, ERASED_NAME if name == "last_name" else "")
            erased.append(name)
    if hasattr(subject, "email_consent"):
        subject.email_consent = EmailConsent.OPT_OUT  # never mail an erased person
    subject.erased_at = timezone.now()  # type: ignore[attr-defined]
    subject.save()
    activities = update_and_announce(
        Activity.objects.filter(**{link: subject}),
        actor=actor,
        subject="Details erased (privacy request)",
        body="",
    )
    tasks = update_and_announce(
        Task.objects.filter(**{link: subject}),
        actor=actor,
        title="Details erased (privacy request)",
        notes="",
    )
    audit(
        actor=actor,
        obj=subject,
        action=AuditAction.ERASE,
        changes={"fields": erased, "activities": activities, "tasks": tasks},
    )
    return subject
