"""The audit log as people read it: field labels, names instead of ids, choice labels.

Entries store what the services wrote (`{"owner_id": [None, 12]}`); the log page shows
"Owner: — → Lucas Novak". Ids of related rows are read in one query per related model
for the whole page, whatever the number of entries.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import models
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import capfirst

from crm.models import AuditEntry

EMPTY = "—"


@dataclass(frozen=True)
class ChangeLine:
    label: str
    before: str | None  # None: a single value (a snapshot or a note), not a change
    after: str


def _field(model: type[models.Model] | None, key: str) -> "models.Field[Any, Any] | None":
    if model is None:
        return None
    for field in model._meta.concrete_fields:
        if key in (field.name, field.attname):
            return field
    return None


def _label(field: "models.Field[Any, Any] | None", key: str) -> str:
    if field is not None:
        return capfirst(str(field.verbose_name))
    return capfirst(key.removesuffix("_id").replace("_", " "))


def _is_pair(value: Any) -> bool:
    return isinstance(value, list) and len(value) == 2


def _plain(value: Any, field: "models.Field[Any, Any] | None", names: dict[Any, str]) -> str:
    if value is None or value == "":
        return EMPTY
    if field is not None and field.is_relation:
        return names.get(value, f"#{value} (deleted)")
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        moment = parse_datetime(value)
        if moment is not None:
            moment = timezone.localtime(moment) if timezone.is_aware(moment) else moment
            return formats.date_format(moment, "j M Y H:i")
    if isinstance(field, models.DateField) and isinstance(value, str):
        day = parse_date(value)
        if day is not None:
            return formats.date_format(day, "j M Y")
    if isinstance(value, datetime | date):
        return formats.date_format(value, "j M Y")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or EMPTY
    if isinstance(value, dict):
        return ", ".join(f"{capfirst(str(k).replace('_', ' '))}: {v}" for k, v in value.items())
    return str(value)


def _related_names(entries: Sequence[AuditEntry]) -> dict[type[models.Model], dict[Any, str]]:
    wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
    for entry in entries:
        model = entry.content_type.model_class()
        for key, value in (entry.changes or {}).items():
            field = _field(model, key)
            target = field.related_model if field is not None else None
            if not isinstance(target, type):
                continue
            for v in value if _is_pair(value) else [value]:
                if isinstance(v, int | str) and v != "":
                    wanted[target].add(v)
    names: dict[type[models.Model], dict[Any, str]] = {}
    for target, ids in wanted.items():
        names[target] = {obj.pk: str(obj) for obj in target._default_manager.filter(pk__in=ids)}
    return names


def audit_change_lines(entries: Sequence[AuditEntry]) -> dict[int, list[ChangeLine]]:
    """entry id → its changes, labelled and with names, for the log page."""
    names = _related_names(entries)
    lines: dict[int, list[ChangeLine]] = {}
    for entry in entries:
        model = entry.content_type.model_class()
        rows = []
        for key, value in (entry.changes or {}).items():
            field = _field(model, key)
            target = field.related_model if field is not None and field.is_relation else None
            known = names.get(target, {}) if isinstance(target, type) else {}
            label = _label(field, key)
            # diff() writes [before, after] for fields; other keys are notes ("fields": [...]).
            if _is_pair(value) and (field is not None or key == "api_token"):
                before, after = (_plain(v, field, known) for v in value)
                rows.append(ChangeLine(label, before, after))
            else:
                rows.append(ChangeLine(label, None, _plain(value, field, known)))
        lines[entry.pk] = rows
    return lines
