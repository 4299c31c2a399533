"""External ids: a record's id in the system it came from, unique per kind when set."""

from typing import Any

from django.db import IntegrityError, models, transaction

from crm.errors import Conflict, DomainError
from crm.models.soft_delete import alive_q

MAX_LENGTH = 100


def clean_external_id(value: Any) -> str:
    text = str(value or "").strip()
    if len(text) > MAX_LENGTH:
        raise DomainError(f"At most {MAX_LENGTH} characters.", field="external_id")
    return text


def check_external_id_free(
    model: type[models.Model], external_id: str, *, exclude_pk: int | None = None
) -> None:
    """Refuse an external id another live record of the kind already has (409). The partial
    unique index refuses it too, so a concurrent double-write still ends as one."""
    if not external_id:
        return
    others = model._default_manager.filter(alive_q(), external_id=external_id)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if others.exists():
        raise external_id_conflict(model, external_id)


def is_external_id_clash(error: IntegrityError) -> bool:
    return "_external_id_unique" in str(error)


def external_id_conflict(model: type[models.Model], external_id: str) -> Conflict:
    name = model._meta.verbose_name
    return Conflict(
        f"Another {name} already has the external id “{external_id}”.", field="external_id"
    )


def save_checking_external_id(obj: models.Model) -> None:
    """Save under a savepoint; a concurrent write of the same external id becomes a 409."""
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        if is_external_id_clash(exc):
            raise external_id_conflict(type(obj), str(getattr(obj, "external_id", ""))) from exc
        raise
