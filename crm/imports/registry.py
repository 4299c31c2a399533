"""What can be imported: each app registers its kinds (leads, accounts, deals, …).

A kind declares its fields (labels and aliases for guessing the mapping, types for
parsing) and how to build, find and write its records in bulk. The engine
(`crm.imports.engine`) does the rest: reading, parsing, dedupe policy, batching,
progress and the row report, the same for every kind.
"""

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from django.db import models
from django.utils import timezone

from crm.imports.parsers import normalise_key
from crm.models import CustomField, CustomFieldModel, CustomFieldType
from crm.models.soft_delete import alive_q
from crm.services.custom_fields import TEXT_LIMITS

if TYPE_CHECKING:
    from crm.imports.context import ImportContext


class RowError(Exception):
    """This row can't be imported; the message goes into the row report."""


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    # text, email, date, datetime, decimal, int, bool, choice, multi (choices split on ;),
    # lookup, user
    type: str = "text"
    required: bool = False
    aliases: tuple[str, ...] = ()
    max_length: int | None = None
    choices: tuple[tuple[str, str], ...] = ()
    lookup: "Lookup | None" = None

    def match_names(self) -> set[str]:
        return {normalise_key(n) for n in (self.name, self.label, *self.aliases)}


CUSTOM_PREFIX = "custom."
_CUSTOM_TYPES: dict[str, str] = {
    CustomFieldType.TEXT: "text",
    CustomFieldType.LONG_TEXT: "text",
    CustomFieldType.NUMBER: "decimal",
    CustomFieldType.MONEY: "decimal",
    CustomFieldType.DATE: "date",
    CustomFieldType.BOOLEAN: "bool",
    CustomFieldType.CHOICE: "choice",
    CustomFieldType.MULTI_CHOICE: "multi",
}


def custom_import_field(definition: CustomField) -> Field:
    return Field(
        CUSTOM_PREFIX + definition.key,
        definition.name,
        type=_CUSTOM_TYPES.get(definition.type, "text"),
        required=definition.required,
        aliases=(definition.key,),
        max_length=TEXT_LIMITS.get(definition.type),
        choices=tuple((c, c) for c in definition.choices),
    )


def external_id_field(*aliases: str) -> Field:
    """The record's id in the system the file comes from: the first key imports match on."""
    return Field(
        "external_id",
        "External id",
        max_length=100,
        aliases=("external id", "id", "record id", "source id", "crm id", *aliases),
    )


class Lookup:
    """Values that must name an existing row of an admin list or a related record
    (lead source, stage, lost reason, product, account). Unknown values can be mapped to an
    existing one or created, per the choices made on the mapping screen."""

    name: ClassVar[str] = ""
    label: ClassVar[str] = ""

    def options(self, ctx: "ImportContext") -> list[tuple[str, str]]:
        """Existing (id, name) pairs the user may map unknown values to."""
        raise NotImplementedError

    def resolve(self, wanted: dict[str, str], ctx: "ImportContext") -> dict[str, int]:
        """normalised name → id for those of `wanted` (normalised name → cell text) that
        exist."""
        raise NotImplementedError

    def can_create(self, ctx: "ImportContext") -> bool:
        return False

    def create(self, name: str, ctx: "ImportContext") -> int:
        raise NotImplementedError


@dataclass(frozen=True)
class ExternalKey:
    """The dedupe key of a row that gives an external id: rows (and records) are the same
    when their external ids are. `fallback` is the kind's usual key (email, name…), tried
    against records that have no external id yet; it takes no part in equality, so two rows
    of one file with the same external id are always one record."""

    external_id: str
    fallback: Hashable | None = field(default=None, compare=False, hash=False)


def add_note(record: models.Model, note: str) -> None:
    """Say in the row's report line what the importer decided for this record."""
    notes: list[str] = record.__dict__.setdefault("_import_notes", [])
    notes.append(note)


def historic_time(value: date | datetime | None) -> datetime | None:
    """A date or time from the file as an aware time (a bare date: noon, company time zone,
    so it stays on its day in every report). Refuses the future."""
    if value is None:
        return None
    moment = (
        value
        if isinstance(value, datetime)
        else datetime.combine(value, time(12), tzinfo=timezone.get_current_timezone())
    )
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    if moment > timezone.now() + timedelta(days=1):
        raise RowError(f"{value.isoformat()} is in the future.")
    return moment


@dataclass
class PreparedRow:
    number: int
    cells: list[str]
    values: dict[str, Any] = field(default_factory=dict)
    record: models.Model | None = None
    key: Hashable | None = None
    error: str = ""
    note: str = ""  # for an imported row: what the engine decided on the user's behalf
    custom: dict[str, Any] = field(default_factory=dict)  # custom field key → parsed value
    extra: dict[str, Any] = field(default_factory=dict)  # values of other apps' extensions


class ImportKind:
    name: ClassVar[str] = ""
    label: ClassVar[str] = ""
    model: ClassVar[type[models.Model]]
    fields: ClassVar[Sequence[Field]] = ()
    # The fields that make two rows "the same record", for the mapping screen's hint.
    dedupe_help: ClassVar[str] = ""
    # Only administrators may import this kind (people and teams).
    admin_only: ClassVar[bool] = False

    # An optional choice made once per file, e.g. which pipeline deals go into: the option
    # key, its label and the (value, label) choices; None when the kind has none.
    target_option: ClassVar[str | None] = None
    target_label: ClassVar[str] = ""

    def owner_rules(self) -> str:
        """When rules pick the owner of rows that name none: a sentence saying so, for the
        mapping step (which then offers "keep me as owner"); empty when nothing does."""
        return ""

    def target_choices(self) -> list[tuple[str, str]]:
        return []

    @property
    def model_label(self) -> str:
        return str(self.model._meta.label)

    @property
    def takes_custom_fields(self) -> bool:
        return self.model_label in CustomFieldModel.values

    def import_fields(self) -> list[Field]:
        """The kind's own fields, then one per custom field defined on its records
        (`custom.<key>`), so custom fields are mapped, parsed and reported like the others."""
        fields = list(self.fields) + [e.field for e in extensions(self.name)]
        if self.takes_custom_fields:
            fields += [
                custom_import_field(d) for d in CustomField.objects.for_model(self.model_label)
            ]
        return fields

    def field(self, name: str) -> Field:
        for f in [*self.fields, *(e.field for e in extensions(self.name))] + (
            self.import_fields() if name.startswith(CUSTOM_PREFIX) else []
        ):
            if f.name == name:
                return f
        raise KeyError(name)

    def build(self, values: dict[str, Any], ctx: "ImportContext") -> models.Model:
        """An unsaved record from parsed values, or `RowError`."""
        raise NotImplementedError

    def dedupe_key(self, record: models.Model, values: dict[str, Any]) -> Hashable | None:
        return None

    def find_existing(
        self, keys: list[Hashable], ctx: "ImportContext"
    ) -> dict[Hashable, models.Model]:
        return {}

    def row_key(self, record: models.Model, values: dict[str, Any]) -> Hashable | None:
        """The key the engine dedupes on: the external id when the row gives one, else the
        kind's own `dedupe_key`."""
        key = self.dedupe_key(record, values)
        external_id = str(getattr(record, "external_id", "") or "")
        return ExternalKey(external_id, key) if external_id else key

    def find_matches(
        self, keys: list[Hashable], ctx: "ImportContext"
    ) -> dict[Hashable, models.Model]:
        """Existing records for `keys`: by external id first; a row whose external id is
        unknown matches by the kind's own key a record that has no external id yet."""
        external = [k for k in keys if isinstance(k, ExternalKey)]
        plain = [k for k in keys if not isinstance(k, ExternalKey)]
        found: dict[Hashable, models.Model] = {}
        if external:
            live = self.model._default_manager.filter(alive_q())
            by_id: dict[str, models.Model] = {}
            for record in live.filter(external_id__in=[k.external_id for k in external]).order_by(
                "pk"
            ):
                by_id.setdefault(str(getattr(record, "external_id", "")), record)
            for k in external:
                if k.external_id in by_id:
                    found[k] = by_id[k.external_id]
        unmatched = [k for k in external if k not in found and k.fallback is not None]
        wanted = plain + [k.fallback for k in unmatched if k.fallback is not None]
        by_key = self.find_existing(list(dict.fromkeys(wanted)), ctx) if wanted else {}
        for plain_key in plain:
            if plain_key in by_key:
                found[plain_key] = by_key[plain_key]
        for k in unmatched:
            match = by_key.get(k.fallback) if k.fallback is not None else None
            if match is not None and not getattr(match, "external_id", ""):
                found[k] = match
        return found

    def create(self, records: list[models.Model], ctx: "ImportContext") -> None:
        """Insert `records` in bulk (they get their primary keys)."""
        self.model._default_manager.bulk_create(records)

    def apply_update(
        self, existing: models.Model, values: dict[str, Any], ctx: "ImportContext"
    ) -> None:
        """Copy the mapped, non-empty values of a row onto an existing record (unsaved)."""
        for name, value in values.items():
            if value in (None, ""):
                continue
            setattr(existing, self.attribute(name), value)

    def attribute(self, field_name: str) -> str:
        return field_name

    def update(self, records: list[models.Model], fields: set[str], ctx: "ImportContext") -> None:
        if records and fields:
            self.model._default_manager.bulk_update(records, sorted(fields))

    def after_create(self, records: list[models.Model], ctx: "ImportContext") -> None:
        """Hook for follow-up work on new records (assignment rules, line items)."""


@dataclass(frozen=True)
class KindExtension:
    """A field another app adds to a kind, for a link the kind's own app can't make (a deal
    row naming its lead: pipeline must not import leads). Its values stay out of `build`;
    `link` gets (record, value) pairs for the rows created or updated, in the same
    transaction as the batch."""

    field: Field
    link: Callable[[list[tuple[models.Model, Any]], "ImportContext"], None]


_KINDS: dict[str, ImportKind] = {}
_EXTENSIONS: dict[str, list[KindExtension]] = {}


def extend(kind_name: str, extension: KindExtension) -> None:
    found = _EXTENSIONS.setdefault(kind_name, [])
    if all(e.field.name != extension.field.name for e in found):
        found.append(extension)


def extensions(kind_name: str) -> list[KindExtension]:
    return _EXTENSIONS.get(kind_name, [])


def register(kind: ImportKind) -> ImportKind:
    _KINDS[kind.name] = kind
    return kind


def get_kind(name: str) -> ImportKind:
    try:
        return _KINDS[name]
    except KeyError:
        from crm.errors import DomainError

        raise DomainError(f"Unknown import kind “{name}”.", field="kind") from None


def all_kinds() -> list[ImportKind]:
    order = ["leads", "accounts", "contacts", "deals", "activities", "products", "users", "quotas"]
    return sorted(_KINDS.values(), key=lambda k: order.index(k.name) if k.name in order else 99)


def guess_mapping(kind: ImportKind, headers: list[str]) -> dict[str, str]:
    """Header → field name, by name, label or alias; each field used at most once."""
    taken: set[str] = set()
    mapping: dict[str, str] = {}
    fields = kind.import_fields()
    for header in headers:
        if not header:
            continue
        key = normalise_key(header)
        for f in fields:
            if f.name not in taken and key in f.match_names():
                mapping[header] = f.name
                taken.add(f.name)
                break
    return mapping
