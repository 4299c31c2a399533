"""Bulk inserts with PostgreSQL COPY, for the rows an import writes by the thousand (records,
row outcomes, audit entries). Django's bulk_create spends most of its time compiling one
big INSERT and adapting every value; COPY streams text and the server parses it.

Records that need their primary keys back (to report and audit them) get ids reserved from
their sequence first, so no RETURNING is needed.
"""

import csv
import io
import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models
from django.utils import timezone

from crm.models import AuditEntry

_sequences: dict[str, str] = {}


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, cls=DjangoJSONEncoder)
    return str(value)


def copy_rows(
    model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """COPY `rows` (values in `columns` order, Python values) into `model`'s table."""
    buffer = io.StringIO()
    # QUOTE_NOTNULL: None is written unquoted (NULL to COPY), "" quoted (an empty string).
    writer = csv.writer(buffer, quoting=csv.QUOTE_NOTNULL, lineterminator="\n")
    count = 0
    for row in rows:
        writer.writerow([_text(v) for v in row])
        count += 1
    if not count:
        return 0
    buffer.seek(0)
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    # copy_expert is the driver's own method: wrap its errors as Django's (IntegrityError…),
    # so the engine's per-row fallback sees a refused row as it does for an INSERT.
    with connection.cursor() as cursor, connection.wrap_database_errors:
        cursor.copy_expert(f"COPY {table} ({names}) FROM STDIN WITH (FORMAT csv)", buffer)
    return count


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    table = model._meta.db_table
    pk_column = model._meta.pk.column if model._meta.pk is not None else "id"
    with connection.cursor() as cursor:
        if table not in _sequences:
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, pk_column])
            _sequences[table] = cursor.fetchone()[0]
        cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [_sequences[table], count])
        return [row[0] for row in cursor.fetchall()]


def _insert_fields(model: type[models.Model]) -> list[Any]:
    return [
        f
        for f in model._meta.concrete_fields
        if not getattr(f, "generated", False) and not f.primary_key
    ]


def copy_objects(objs: Sequence[models.Model]) -> None:
    """Insert unsaved model instances with COPY; they get their primary keys, as with
    bulk_create. Fields with auto_now / auto_now_add are stamped like a save would."""
    if not objs:
        return
    model = type(objs[0])
    fields = _insert_fields(model)
    stamped = [
        f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    for obj, pk in zip(objs, reserve_ids(model, len(objs)), strict=True):
        obj.pk = pk
        for f in stamped:
            f.pre_save(obj, add=True)
    pk_field = model._meta.pk
    assert pk_field is not None  # noqa: S101 - every model has one
    columns = [pk_field.column, *(f.column for f in fields)]
    copy_rows(
        model,
        columns,
        ([obj.pk, *(getattr(obj, f.attname) for f in fields)] for obj in objs),
    )
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias


def copy_audit(
    actor: Any, model: type[models.Model], action: str, entries: Iterable[tuple[Any, Any]]
) -> int:
    """Audit entries by COPY, one per (record, changes) of `entries`, all by `actor` now."""
    content_type = ContentType.objects.get_for_model(model)
    now = timezone.now()
    return copy_rows(
        AuditEntry,
        (
            "actor_id",
            "created_at",
            "content_type_id",
            "object_id",
            "object_repr",
            "action",
            "changes",
        ),
        (
            (actor.pk, now, content_type.pk, str(record.pk), str(record)[:200], action, changes)
            for record, changes in entries
        ),
    )
