"""One batch of rows: parse cells into values, build records, apply the dedupe policy and
write them in bulk. Every row of the batch ends with exactly one outcome."""

import re
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import DatabaseError, models, transaction

from crm import events
from crm.errors import DomainError
from crm.imports.context import CREATE, CREATE_PERSON, IMPORTER, OWNER_NOTE, ImportContext
from crm.imports.copy import copy_audit
from crm.imports.models import DedupePolicy, RowOutcome
from crm.imports.parsers import (
    clean_text,
    looks_like_formula,
    normalise_key,
    parse_bool,
    parse_date,
    parse_datetime,
    parse_decimal,
    parse_int,
    strip_formula_guard,
)
from crm.imports.registry import (
    CUSTOM_PREFIX,
    Field,
    ImportKind,
    PreparedRow,
    RowError,
    extensions,
)
from crm.models import CustomField, User
from crm.models.audit import AuditAction
from crm.services.custom_fields import clean_custom, definitions
from crm.visibility import editable


@dataclass
class Outcome:
    number: int
    outcome: str
    object_id: int | None = None
    message: str = ""
    cells: list[str] | None = None


Columns = list[tuple[int, str, Field]]  # (cell index, header, field)
PERSON_NOTE = "New person:"  # not OWNER_NOTE: these rows are not the importer's


def columns_for(kind: ImportKind, headers: list[str], mapping: dict[str, str]) -> Columns:
    columns = []
    for index, header in enumerate(headers):
        name = mapping.get(header) if header else None
        if name:
            columns.append((index, header, kind.field(name)))
    return columns


def _parse(f: Field, text: str, ctx: ImportContext) -> Any:
    if f.type == "email":
        email = text.lower()
        try:
            validate_email(email)
        except ValidationError:
            raise ValueError(f"“{text}” is not an email address.") from None
        return email
    if f.type in ("date", "datetime"):
        # The column's order, checked over the whole column before the run; else the tick.
        order = ctx.date_order.get(f.name)
        parse = parse_date if f.type == "date" else parse_datetime
        if order is None:
            return parse(text, day_first=ctx.day_first)
        return parse(text, day_first=order, strict=True)
    if f.type == "decimal":
        return parse_decimal(text)
    if f.type == "int":
        return parse_int(text)
    if f.type == "bool":
        return parse_bool(text)
    if f.type == "choice":
        key = normalise_key(text)
        for value, label in f.choices:
            if key in (normalise_key(value), normalise_key(label)):
                return value
        allowed = ", ".join(label for _, label in f.choices)
        raise ValueError(f"“{text}” is not one of: {allowed}.")
    if f.type == "multi":
        parts = [p for p in re.split(r"[;|]", text) if p.strip()]
        return [
            _parse(Field(f.name, f.label, type="choice", choices=f.choices), p.strip(), ctx)
            for p in parts
        ]
    if f.type == "user":
        return ctx.owner_for(ctx.find_user(text))
    if f.max_length and len(text) > f.max_length:
        raise ValueError(f"is longer than {f.max_length} characters.")
    return text


def mapped_text(f: Field, text: str, ctx: ImportContext) -> str:
    """The cell as the user mapped it (`--map-value FIELD:VALUE=TARGET`, the mapping page):
    for fields other than list lookups (whose maps hold the target's id), the target text
    replaces the cell before parsing: a `Converted` 1/0 becomes a status, a rep's old login
    a user's email."""
    if f.type == "lookup":
        return text
    target = ctx.value_maps.get(f.name, {}).get(normalise_key(text))
    return str(target) if target not in (None, "") else text


def _take(
    row: PreparedRow, header: str, f: Field, text: str, ctx: ImportContext, errors: list[str]
) -> None:
    """Parse one value of the row into `row.values` (or add its error)."""
    if not text:
        return
    text = mapped_text(f, text, ctx)
    if f.type == "lookup":
        row.values[f.name] = text  # resolved for the whole batch at once
        return
    if f.type == "user" and ctx.known_user(text) is None and ctx.unknown_owner == IMPORTER:
        row.values[f.name] = ctx.actor
        row.note = f"{OWNER_NOTE} “{text}” is not an active user; assigned to the importer."
        return
    if f.type == "user" and ctx.known_user(text) is None and ctx.unknown_owner == CREATE_PERSON:
        try:
            row.values[f.name] = ctx.pending_person(text)
        except DomainError as exc:
            errors.append(f"{header}: {exc.message}")
            return
        row.note = f"{PERSON_NOTE} “{text}” added as a person without an email (can't sign in)."
        return
    try:
        row.values[f.name] = _parse(f, text, ctx)
    except ValueError as exc:
        errors.append(f"{header}: {exc}")


def _convert(
    number: int, cells: list[str], columns: Columns, width: int, ctx: ImportContext
) -> PreparedRow:
    row = PreparedRow(number=number, cells=cells)
    if len(cells) > width and any(c.strip() for c in cells[width:]):
        row.error = (
            f"This row has {len(cells)} cells but the header has {width} "
            "(a stray delimiter or an unquoted comma?)."
        )
        return row
    errors: list[str] = []
    for index, header, f in columns:
        raw = strip_formula_guard(cells[index] if index < len(cells) else "")
        if looks_like_formula(raw):
            errors.append(f"{header}: holds a spreadsheet formula; export values, not formulas.")
            continue
        _take(row, header, f, clean_text(raw), ctx, errors)
    for f, text in ctx.constant_fields:
        _take(row, f"{f.label} (the same for every row)", f, text, ctx, errors)
    row.error = " ".join(errors)
    return row


def _resolve_lookups(kind: ImportKind, rows: list[PreparedRow], ctx: ImportContext) -> None:
    for f in [*kind.fields, *(e.field for e in extensions(kind.name))]:
        if f.lookup is None:
            continue
        lookup = f.lookup
        cache = ctx.lookup_cache.setdefault(f.name, {})
        wanted = {
            normalise_key(r.values[f.name]): r.values[f.name]
            for r in rows
            if not r.error and isinstance(r.values.get(f.name), str)
        }
        known_missing = ctx.lookup_missing.setdefault(f.name, set())
        missing = {k: v for k, v in wanted.items() if k not in cache and k not in known_missing}
        if missing:
            cache.update(lookup.resolve(missing, ctx))
            known_missing.update(k for k in missing if k not in cache)
        chosen = ctx.value_maps.get(f.name, {})
        for r in rows:
            text = r.values.get(f.name)
            if r.error or not isinstance(text, str):
                continue
            key = normalise_key(text)
            if key in cache:
                r.values[f.name] = cache[key]
                continue
            target = chosen.get(key) or ctx.on_unknown.get(f.name, "")
            if target and target != CREATE and target != "reject":
                cache[key] = int(target)
            elif target == CREATE and lookup.can_create(ctx):
                # Created when a row using it is written (`_materialise`), not now.
                cache[key] = ctx.pending_value(f.name, key, text, lookup)
            else:
                how = ", or choose to create it" if lookup.can_create(ctx) else ""
                r.error = (
                    f"{f.label}: “{text}” is not in the list. Map it to an existing "
                    f"{f.label.lower()} on the mapping screen{how}."
                )
                continue
            r.values[f.name] = cache[key]


def _custom_definitions(kind: ImportKind, ctx: ImportContext) -> dict[str, CustomField]:
    if "custom_fields" not in ctx.memo:
        ctx.memo["custom_fields"] = (
            definitions(kind.model_label) if kind.takes_custom_fields else {}
        )
    found: dict[str, CustomField] = ctx.memo["custom_fields"]
    return found


def _required_fields(kind: ImportKind, ctx: ImportContext) -> list[Field]:
    if "required_fields" not in ctx.memo:
        ctx.memo["required_fields"] = [f for f in kind.import_fields() if f.required]
    required: list[Field] = ctx.memo["required_fields"]
    return required


def prepare(
    kind: ImportKind,
    items: list[tuple[int, list[str]]],
    columns: Columns,
    width: int,
    ctx: ImportContext,
) -> list[PreparedRow]:
    rows = [_convert(n, cells, columns, width, ctx) for n, cells in items]
    _resolve_lookups(kind, rows, ctx)
    required = _required_fields(kind, ctx)
    custom_fields = _custom_definitions(kind, ctx)
    for row in rows:
        if row.error:
            continue
        missing = [f.label for f in required if row.values.get(f.name) in (None, "")]
        if missing:
            row.error = "Missing " + ", ".join(missing) + "."
            continue
        row.custom = {
            name.removeprefix(CUSTOM_PREFIX): row.values.pop(name)
            for name in list(row.values)
            if name.startswith(CUSTOM_PREFIX)
        }
        row.extra = {
            e.field.name: row.values.pop(e.field.name)
            for e in extensions(kind.name)
            if e.field.name in row.values
        }
        try:
            row.record = kind.build(row.values, ctx)
            notes = row.record.__dict__.pop("_import_notes", [])
            row.note = " ".join(n for n in (row.note, *notes) if n)
            if custom_fields:
                row.record.custom = clean_custom(  # type: ignore[attr-defined]
                    kind.model_label, row.custom, fields=custom_fields, creating=True
                )
            row.key = kind.row_key(row.record, row.values)
        except (RowError, ValueError) as exc:
            row.error = str(exc)
        except DomainError as exc:
            row.error = exc.message
    return rows


def _update(kind: ImportKind, record: models.Model, row: PreparedRow, ctx: ImportContext) -> None:
    """Copy a row onto an existing record: its fields, and its custom values merged in."""
    kind.apply_update(record, row.values, ctx)
    if row.custom:
        try:
            record.custom = clean_custom(  # type: ignore[attr-defined]
                kind.model_label,
                row.custom,
                current=getattr(record, "custom", None),
                fields=_custom_definitions(kind, ctx),
            )
        except DomainError as exc:
            raise RowError(exc.message) from exc


def _insert(
    kind: ImportKind, rows: list[PreparedRow], ctx: ImportContext, outcomes: dict[int, Outcome]
) -> list[PreparedRow]:
    """Bulk insert; if the database refuses the batch, insert row by row and reject the
    rows it refuses, so one bad row never takes the others down."""
    records = [r.record for r in rows if r.record is not None]
    try:
        with transaction.atomic():
            kind.create(records, ctx)
        return rows
    except DatabaseError:
        pass
    created = []
    for row in rows:
        if row.record is None:
            continue
        row.record.pk = None
        try:
            with transaction.atomic():
                kind.create([row.record], ctx)
        except DatabaseError as exc:
            message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            if "_external_id_unique" in message:
                message = "another record already has this external id"
            outcomes[row.number] = Outcome(
                row.number,
                RowOutcome.REJECTED,
                message=f"Refused by the database: {message}",
                cells=row.cells,
            )
            continue
        created.append(row)
    return created


def write(
    kind: ImportKind, rows: list[PreparedRow], policy: str, ctx: ImportContext, job_id: int | None
) -> list[Outcome]:
    outcomes: dict[int, Outcome] = {}
    valid = []
    for row in rows:
        if row.error or row.record is None:
            outcomes[row.number] = Outcome(
                row.number,
                RowOutcome.REJECTED,
                message=row.error or "Not imported.",
                cells=row.cells,
            )
        else:
            valid.append(row)
    keys = list({r.key for r in valid if r.key is not None})
    existing = kind.find_matches(keys, ctx) if keys and policy != DedupePolicy.CREATE else {}
    may_edit: set[Any] = set()
    if policy == DedupePolicy.UPDATE and existing:
        ids = [obj.pk for obj in existing.values()]
        may_edit = set(
            editable(ctx.actor, kind.model._default_manager.filter(pk__in=ids)).values_list(
                "pk", flat=True
            )
        )
    pending: dict[Hashable, PreparedRow] = {}
    followers: list[tuple[PreparedRow, PreparedRow]] = []
    to_create: list[PreparedRow] = []
    updated: dict[Any, tuple[models.Model, list[int]]] = {}
    changed: set[str] = set()
    for row in valid:
        if row.key is not None and policy != DedupePolicy.CREATE:
            match = existing.get(row.key)
            filling = match is not None and (kind.model._meta.label, match.pk) in ctx.made_by_lookup
            if filling and match is not None:
                # Created empty as a lookup earlier in this file (a parent account named by
                # its subsidiary, a manager named by their team): this row is its own, so it
                # fills the record rather than being skipped as a duplicate of it.
                ctx.made_by_lookup.discard((kind.model._meta.label, match.pk))
                match.__dict__["_import_filling"] = True
                may_edit.add(match.pk)
                row.note = " ".join(
                    n for n in (row.note, "Filled the record created for an earlier row.") if n
                )
            if match is not None:
                if policy == DedupePolicy.SKIP and not filling:
                    outcomes[row.number] = Outcome(
                        row.number,
                        RowOutcome.SKIPPED,
                        match.pk,
                        f"Same as existing {kind.label.lower().rstrip('s')} #{match.pk}.",
                    )
                elif match.pk not in may_edit:
                    outcomes[row.number] = Outcome(
                        row.number,
                        RowOutcome.REJECTED,
                        message=f"A matching record (#{match.pk}) exists but you can't edit it.",
                        cells=row.cells,
                    )
                else:
                    try:
                        if isinstance(row.values.get("owner"), User):
                            ctx.check_owner_change(match, row.values["owner"])
                        _update(kind, match, row, ctx)
                    except (RowError, ValueError) as exc:
                        outcomes[row.number] = Outcome(
                            row.number, RowOutcome.REJECTED, message=str(exc), cells=row.cells
                        )
                        continue
                    changed.update(
                        kind.attribute(n) for n, v in row.values.items() if v not in (None, "")
                    )
                    if row.custom:
                        changed.add("custom")
                    updated.setdefault(match.pk, (match, []))[1].append(row.number)
                    outcomes[row.number] = Outcome(
                        row.number, RowOutcome.UPDATED, match.pk, row.note
                    )
                continue
            earlier = pending.get(row.key)
            if earlier is not None:
                if policy == DedupePolicy.UPDATE and earlier.record is not None:
                    try:
                        _update(kind, earlier.record, row, ctx)
                    except (RowError, ValueError) as exc:
                        outcomes[row.number] = Outcome(
                            row.number, RowOutcome.REJECTED, message=str(exc), cells=row.cells
                        )
                        continue
                followers.append((row, earlier))
                continue
            pending[row.key] = row
        to_create.append(row)
    self_links = _materialise(kind, to_create, updated, ctx, outcomes, valid)
    to_create = [r for r in to_create if r.number not in outcomes]  # refused values
    if updated:
        try:
            with transaction.atomic():
                kind.update([obj for obj, _ in updated.values()], changed, ctx)
                events.announce(kind.model, updated, fields=changed, actor=ctx.actor)
        except DatabaseError as exc:
            for _, numbers in updated.values():
                for n in numbers:
                    outcomes[n] = Outcome(
                        n,
                        RowOutcome.REJECTED,
                        message=f"Update refused: {exc}",
                        cells=next(r.cells for r in valid if r.number == n),
                    )
    created = _insert(kind, to_create, ctx, outcomes) if to_create else []
    _link_to_rows(kind, self_links)
    for row in created:
        pk = row.record.pk if row.record is not None else None
        outcomes[row.number] = Outcome(row.number, RowOutcome.IMPORTED, pk, row.note)
    for row, earlier in followers:
        first = outcomes.get(earlier.number)
        if first is None or first.outcome != RowOutcome.IMPORTED:
            outcomes[row.number] = Outcome(
                row.number,
                RowOutcome.REJECTED,
                message=f"Duplicate of row {earlier.number}, which was not imported.",
                cells=row.cells,
            )
        elif policy == DedupePolicy.UPDATE:
            outcomes[row.number] = Outcome(
                row.number,
                RowOutcome.UPDATED,
                first.object_id,
                f"Merged into row {earlier.number}.",
            )
        else:
            outcomes[row.number] = Outcome(
                row.number,
                RowOutcome.SKIPPED,
                first.object_id,
                f"Duplicate of row {earlier.number}.",
            )
    if created:
        records = [r.record for r in created if r.record is not None]
        kind.after_create(records, ctx)
        _audit_created(kind, created, ctx, job_id)
        events.announce(kind.model, [record.pk for record in records], actor=ctx.actor)
    _link_extensions(kind, rows, outcomes, existing, ctx)
    return [outcomes[r.number] for r in rows]


SelfLink = tuple[models.Model, str, PreparedRow]


def _lookup_fields(kind: ImportKind) -> list[Field]:
    return [f for f in [*kind.fields, *(e.field for e in extensions(kind.name))] if f.lookup]


def _materialise(
    kind: ImportKind,
    to_create: list[PreparedRow],
    updated: dict[Any, tuple[models.Model, list[int]]],
    ctx: ImportContext,
    outcomes: dict[int, Outcome],
    valid: list[PreparedRow],
) -> list[SelfLink]:
    """Create the people and list values to be created that the rows about to be written
    use, and put them on the records. A value that names a record of this very kind created by a
    row of the same batch (a parent account whose own row comes later) is that record: the
    link is made once it is inserted (returned as self links), nothing is created twice."""
    records: list[tuple[models.Model, list[int]]] = [
        (r.record, [r.number]) for r in to_create if r.record is not None
    ]
    records += list(updated.values())
    ctx.save_people([record for record, _ in records])
    if not ctx.pending:
        return []
    in_batch = {
        normalise_key(str(r.record)): r
        for r in to_create
        if r.record is not None and type(r.record) is kind.model
    }
    self_links: list[SelfLink] = []
    refused: dict[int, str] = {}
    for f in _lookup_fields(kind):
        attr = kind.attribute(f.name)
        for record, numbers in records:
            temp = getattr(record, attr, None)
            if not (isinstance(temp, int) and temp < 0):
                continue
            if temp in ctx.real_ids:
                setattr(record, attr, ctx.real_ids[temp])
                continue
            pending = ctx.pending[temp]
            own = in_batch.get(normalise_key(pending.text))
            if getattr(pending.lookup, "model", None) is kind.model and own is not None:
                if own.record is not record:
                    setattr(record, attr, None)
                    self_links.append((record, attr, own))
                continue
            if temp in refused:
                for n in numbers:
                    outcomes[n] = _refused(n, refused[temp], valid)
                continue
            try:
                with transaction.atomic():
                    real = pending.lookup.create(pending.text, ctx)
            except DomainError as exc:
                refused[temp] = f"{f.label}: “{pending.text}” could not be created: {exc.message}"
                for n in numbers:
                    outcomes[n] = _refused(n, refused[temp], valid)
                continue
            ctx.real_ids[temp] = real
            ctx.lookup_cache.setdefault(pending.field, {})[pending.key] = real
            made = getattr(pending.lookup, "model", None)
            if made is not None:
                ctx.made_by_lookup.add((made._meta.label, real))
            setattr(record, attr, real)
    rejected = {n for n, o in outcomes.items() if o.outcome == RowOutcome.REJECTED}
    for pk in [pk for pk, (_, numbers) in updated.items() if rejected.intersection(numbers)]:
        updated.pop(pk)
    return self_links


def _refused(number: int, message: str, rows: list[PreparedRow]) -> Outcome:
    cells = next((r.cells for r in rows if r.number == number), None)
    return Outcome(number, RowOutcome.REJECTED, message=message, cells=cells)


def _link_to_rows(kind: ImportKind, links: list[SelfLink]) -> None:
    """The self links of `_materialise`, once the rows they point to are inserted."""
    by_attr: dict[str, list[models.Model]] = {}
    for record, attr, own in links:
        if own.record is not None and own.record.pk is not None and record.pk is not None:
            setattr(record, attr, own.record.pk)
            by_attr.setdefault(attr, []).append(record)
    for attr, records in by_attr.items():
        kind.model._default_manager.bulk_update(records, [attr])


def _link_extensions(
    kind: ImportKind,
    rows: list[PreparedRow],
    outcomes: dict[int, Outcome],
    existing: dict[Hashable, models.Model],
    ctx: ImportContext,
) -> None:
    for extension in extensions(kind.name):
        name = extension.field.name
        pairs: list[tuple[models.Model, Any]] = []
        for row in rows:
            outcome = outcomes.get(row.number)
            if name not in row.extra or outcome is None:
                continue
            if outcome.outcome == RowOutcome.IMPORTED and row.record is not None:
                pairs.append((row.record, row.extra[name]))
            elif outcome.outcome == RowOutcome.UPDATED and row.key in existing:
                pairs.append((existing[row.key], row.extra[name]))
        if pairs:
            extension.link(pairs, ctx)


def _audit_created(
    kind: ImportKind, rows: list[PreparedRow], ctx: ImportContext, job_id: int | None
) -> None:
    copy_audit(
        ctx.actor,
        kind.model,
        AuditAction.IMPORT,
        ((r.record, {"import_job": job_id, "row": r.number}) for r in rows if r.record is not None),
    )
