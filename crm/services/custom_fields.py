"""Custom fields: the admins' definitions, and validating the values records carry.

`clean_custom(model_label, values, current=…)` is what every service that writes a lead,
account, contact or deal calls on the `custom` part of its input: it checks each value
against its definition, converts it to its stored JSON form and returns the merged dict.

Stored forms: text/long text/choice → string; number → JSON number; money → string with two
decimals ("1234.50", no float rounding); date → "YYYY-MM-DD"; yes/no → true/false;
multi-choice → list of strings in definition order.
"""

import re
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Value
from django.db.models.expressions import CombinedExpression

from crm.dispatch import send_safely
from crm.errors import Conflict, DomainError, PermissionDenied
from crm.events import update_and_announce
from crm.models import CustomField, CustomFieldModel, CustomFieldType, Role, User
from crm.models.audit import AuditAction
from crm.services.audit import audit, audit_update, snapshot

FIELDS = (
    "model_label",
    "key",
    "name",
    "type",
    "choices",
    "required",
    "help_text",
    "filterable",
    "sortable",
    "position",
)
EDITABLE = set(FIELDS) - {"model_label", "key"}
CHOICE_TYPES = {CustomFieldType.CHOICE, CustomFieldType.MULTI_CHOICE}
TEXT_LIMITS: dict[str, int] = {CustomFieldType.TEXT: 1000, CustomFieldType.LONG_TEXT: 20000}
MAX_FIELDS_PER_MODEL = 200


def _require_admin(actor: User) -> None:
    if actor.role != Role.ADMIN:
        raise PermissionDenied("Only administrators define custom fields.")


def key_from_name(name: str) -> str:
    """'Total Time Spent on Website' → 'total_time_spent_on_website' (ASCII, ≤ 50)."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    key = re.sub(r"[^a-z0-9]+", "_", text).strip("_")[:50].strip("_")
    if not key or not key[0].isalpha():
        key = f"f_{key}"[:50].strip("_")
    return key


def _clean_choices(kind: str, choices: Any) -> list[str]:
    if kind not in CHOICE_TYPES:
        return []
    if not isinstance(choices, list | tuple):
        raise DomainError("List the choices, one per line.", field="choices")
    clean: list[str] = []
    for choice in choices:
        text = str(choice).strip()
        if text and text.casefold() not in {c.casefold() for c in clean}:
            clean.append(text[:100])
    if not clean:
        raise DomainError("A choice field needs at least one choice.", field="choices")
    return clean


def _full_clean(field: CustomField) -> None:
    try:
        field.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        name, messages = next(iter(error.message_dict.items()))
        raise DomainError(" ".join(messages), field=None if name == "__all__" else name) from error


def _check_unique(field: CustomField) -> None:
    others = CustomField.objects.filter(model_label=field.model_label).exclude(pk=field.pk)
    if others.filter(key=field.key).exists():
        raise Conflict(f"There is already a field with the key “{field.key}”.", field="key")
    if others.filter(name__iexact=field.name).exists():
        raise Conflict(f"There is already a field named “{field.name}”.", field="name")


def _save(field: CustomField) -> None:
    try:
        with transaction.atomic():
            field.save()
    except IntegrityError as exc:
        _check_unique(field)
        raise Conflict("That field already exists.", field="key") from exc


def _enqueue_index_sync(field: CustomField) -> None:
    from crm.tasks import custom_field_index_task

    transaction.on_commit(
        partial(
            send_safely,
            custom_field_index_task.delay,
            field.model_label,
            field.key,
            field.index_wanted,
        )
    )


@transaction.atomic
def custom_field_create(*, actor: User, **data: Any) -> CustomField:
    _require_admin(actor)
    unknown = set(data) - set(FIELDS)
    if unknown:
        raise DomainError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    if data.get("model_label") not in CustomFieldModel.values:
        raise DomainError("Choose leads, accounts, contacts or deals.", field="model_label")
    if CustomField.objects.filter(model_label=data["model_label"]).count() >= MAX_FIELDS_PER_MODEL:
        raise DomainError(f"At most {MAX_FIELDS_PER_MODEL} custom fields per kind of record.")
    name = str(data.get("name") or "").strip()
    if not name:
        raise DomainError("Give the field a name.", field="name")
    kind = str(data.get("type") or "")
    if kind not in CustomFieldType.values:
        raise DomainError("Choose a field type from the list.", field="type")
    field = CustomField(
        model_label=data["model_label"],
        key=str(data.get("key") or "").strip() or key_from_name(name),
        name=name[:100],
        type=kind,
        choices=_clean_choices(kind, data.get("choices") or []),
        required=bool(data.get("required")),
        help_text=str(data.get("help_text") or "")[:200],
        filterable=bool(data.get("filterable")),
        sortable=bool(data.get("sortable")),
        position=int(data.get("position") or 0),
    )
    if field.position == 0:
        field.position = CustomField.objects.filter(model_label=field.model_label).count() + 1
    _full_clean(field)
    _check_unique(field)
    _save(field)
    audit(actor=actor, obj=field, action=AuditAction.CREATE, changes=snapshot(field, FIELDS))
    if field.index_wanted:
        _enqueue_index_sync(field)
    return field


def _has_values(field: CustomField) -> bool:
    model = apps.get_model(field.model_label)
    return bool(model._default_manager.filter(custom__has_key=field.key).exists())


@transaction.atomic
def custom_field_update(*, actor: User, field: CustomField, data: dict[str, Any]) -> CustomField:
    _require_admin(actor)
    unknown = set(data) - EDITABLE
    if unknown:
        raise DomainError(f"These can't be changed: {', '.join(sorted(unknown))}.")
    field = CustomField.objects.select_for_update().get(pk=field.pk)
    before = snapshot(field, FIELDS)
    was_indexed = field.index_wanted
    if "type" in data and data["type"] != field.type:
        if data["type"] not in CustomFieldType.values:
            raise DomainError("Choose a field type from the list.", field="type")
        if _has_values(field):
            raise Conflict(
                "Records already hold values of this field; its type can't change. "
                "Add a new field instead.",
                field="type",
            )
        field.type = data["type"]
    if "name" in data:
        field.name = str(data["name"] or "").strip()[:100]
        if not field.name:
            raise DomainError("Give the field a name.", field="name")
    if "choices" in data or "type" in data:
        choices = data.get("choices", field.choices)
        field.choices = _clean_choices(field.type, choices or [])
    for flag in ("required", "filterable", "sortable"):
        if flag in data:
            setattr(field, flag, bool(data[flag]))
    if "help_text" in data:
        field.help_text = str(data["help_text"] or "")[:200]
    if "position" in data and data["position"] is not None:
        field.position = int(data["position"])
    _full_clean(field)
    _check_unique(field)
    _save(field)
    changes = audit_update(actor=actor, obj=field, before=before, fields=FIELDS)
    if field.index_wanted != was_indexed or (was_indexed and "type" in changes):
        _enqueue_index_sync(field)
    return field


@transaction.atomic
def custom_field_delete(*, actor: User, field: CustomField) -> None:
    """Remove the definition and its values from every record of the kind."""
    _require_admin(actor)
    model = apps.get_model(field.model_label)
    update_and_announce(
        model._default_manager.filter(custom__has_key=field.key),
        actor=actor,
        custom=CombinedExpression(F("custom"), "-", Value(field.key)),
    )
    audit(actor=actor, obj=field, action=AuditAction.DELETE, changes=snapshot(field, FIELDS))
    was_indexed = field.index_wanted
    field.delete()
    if was_indexed:
        transaction.on_commit(partial(_send_index_sync, field.model_label, field.key, False))


def _send_index_sync(model_label: str, key: str, wanted: bool) -> None:
    from crm.tasks import custom_field_index_task

    send_safely(custom_field_index_task.delay, model_label, key, wanted)


# ---- expression indexes -------------------------------------------------------------------


def index_name(model_label: str, key: str) -> str:
    table = apps.get_model(model_label)._meta.db_table
    return f"cf_{table}_{key}"[:63]


def value_expression(field_type: str, key: str) -> str:
    """The SQL a list filters and sorts on for one custom field (and its index's expression);
    `key` is checked against KEY_PATTERN by the model, so it is safe to inline."""
    text = f"(custom ->> '{key}')"
    if field_type in (CustomFieldType.NUMBER, CustomFieldType.MONEY):
        return f"({text}::numeric)"
    return text


def custom_field_index_sync(*, model_label: str, key: str, wanted: bool) -> str:
    """Create or drop the expression index of one field; returns what it did.

    CONCURRENTLY, so a million-row table keeps taking writes while it builds; that can't run
    in a transaction, so inside one (tests) the plain form is used. A build that failed half
    way leaves an INVALID index behind: it is dropped and built again."""
    name = index_name(model_label, key)
    table = apps.get_model(model_label)._meta.db_table
    field = CustomField.objects.filter(model_label=model_label, key=key).first()
    concurrently = "" if connection.in_atomic_block else " CONCURRENTLY"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indisvalid FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid "
            "WHERE c.relname = %s",
            [name],
        )
        row = cursor.fetchone()
        if field is None or not wanted or not field.index_wanted:
            if row is None:
                return "none"
            cursor.execute(f'DROP INDEX{concurrently} IF EXISTS "{name}"')
            return "dropped"
        if row is not None and row[0]:
            return "exists"
        if row is not None:
            cursor.execute(f'DROP INDEX{concurrently} IF EXISTS "{name}"')
        expression = value_expression(field.type, key)
        cursor.execute(
            f'CREATE INDEX{concurrently} IF NOT EXISTS "{name}" ON "{table}" (({expression}), id)'
        )
        return "created"


# ---- values -------------------------------------------------------------------------------


def _number(value: Any, name: str) -> Decimal:
    if isinstance(value, bool):
        raise DomainError(f"{name}: give a number.", field="custom")
    try:
        number = (
            Decimal(str(value).strip().replace(",", ""))
            if isinstance(value, str)
            else (Decimal(str(value)))
        )
    except InvalidOperation:
        raise DomainError(f"{name}: “{value}” is not a number.", field="custom") from None
    if not number.is_finite() or abs(number) >= Decimal("1e15"):
        raise DomainError(f"{name}: “{value}” is not a number we can keep.", field="custom")
    return number


_TRUE = {"true", "yes", "y", "1", "on"}
_FALSE = {"false", "no", "n", "0", "off"}


def coerce_value(field: CustomField, value: Any) -> Any:
    """The stored JSON form of `value` for `field`, or DomainError; None clears it."""
    if value is None or value == "" or value == []:
        return None
    name = field.name
    if field.type in TEXT_LIMITS:
        text = str(value).strip()
        if len(text) > TEXT_LIMITS[field.type]:
            raise DomainError(
                f"{name}: at most {TEXT_LIMITS[field.type]} characters.", field="custom"
            )
        return text or None
    if field.type == CustomFieldType.NUMBER:
        number = _number(value, name)
        return int(number) if number == number.to_integral_value() else float(number)
    if field.type == CustomFieldType.MONEY:
        return str(_number(value, name).quantize(Decimal("0.01")))
    if field.type == CustomFieldType.DATE:
        if isinstance(value, date):
            return value.isoformat()
        try:
            return date.fromisoformat(str(value).strip()[:10]).isoformat()
        except ValueError:
            raise DomainError(
                f"{name}: “{value}” is not a date (YYYY-MM-DD).", field="custom"
            ) from None
    if field.type == CustomFieldType.BOOLEAN:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise DomainError(f"{name}: “{value}” is not yes or no.", field="custom")
    if field.type == CustomFieldType.CHOICE:
        return _choice(field, value)
    if field.type == CustomFieldType.MULTI_CHOICE:
        items = value if isinstance(value, list | tuple) else str(value).split(";")
        picked = {_choice(field, item) for item in items if str(item).strip()}
        return [c for c in field.choices if c in picked] or None
    raise DomainError(f"{name}: unknown field type.", field="custom")


def _choice(field: CustomField, value: Any) -> str:
    text = str(value).strip()
    for choice in field.choices:
        if choice.casefold() == text.casefold():
            return str(choice)
    allowed = ", ".join(field.choices)
    raise DomainError(f"{field.name}: “{text}” is not one of {allowed}.", field="custom")


def definitions(model_label: str) -> dict[str, CustomField]:
    return {f.key: f for f in CustomField.objects.for_model(model_label)}


def clean_custom(
    model_label: str,
    values: Any,
    *,
    current: dict[str, Any] | None = None,
    fields: dict[str, CustomField] | None = None,
    creating: bool = False,
) -> dict[str, Any]:
    """`current` with `values` (key → value) applied, every value checked against its
    definition. A required field must be given on create and can't be emptied later (records
    from before it became required keep working). Unknown keys are refused."""
    if values is None:
        values = {}
    if not isinstance(values, dict):
        raise DomainError("Custom fields are an object of key → value.", field="custom")
    fields = definitions(model_label) if fields is None else fields
    unknown = sorted(set(values) - set(fields))
    if unknown:
        raise DomainError(f"Unknown custom field: {unknown[0]}.", field="custom")
    merged = {k: v for k, v in (current or {}).items() if k in fields}
    for key, value in values.items():
        stored = coerce_value(fields[key], value)
        if stored is None:
            merged.pop(key, None)
        else:
            merged[key] = stored
    missing = [
        f.name
        for f in fields.values()
        if f.required and f.key not in merged and (creating or f.key in values)
    ]
    if missing:
        raise DomainError(f"{missing[0]} is required.", field="custom")
    return merged
