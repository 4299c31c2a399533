"""What can be imported: each app registers its kinds (leads, accounts, deals, …).

A kind declares its fields (labels and aliases for guessing the mapping, types for
parsing) and how to build, find and write its records in bulk. The engine
(`crm.imports.engine`) does the rest: reading, parsing, dedupe policy, batching,
progress and the row report, the same for every kind.
"""

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from django.db import models

from crm.imports.parsers import normalise_key

if TYPE_CHECKING:
    from crm.imports.context import ImportContext


class RowError(Exception):
    """This row can't be imported; the message goes into the row report."""


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    type: str = "text"  # text, email, date, datetime, decimal, int, bool, choice, lookup, user
    required: bool = False
    aliases: tuple[str, ...] = ()
    max_length: int | None = None
    choices: tuple[tuple[str, str], ...] = ()
    lookup: "Lookup | None" = None

    def match_names(self) -> set[str]:
        return {normalise_key(n) for n in (self.name, self.label, *self.aliases)}


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


@dataclass
class PreparedRow:
    number: int
    cells: list[str]
    values: dict[str, Any] = field(default_factory=dict)
    record: models.Model | None = None
    key: Hashable | None = None
    error: str = ""
    note: str = ""  # for an imported row: what the engine decided on the user's behalf


class ImportKind:
    name: ClassVar[str] = ""
    label: ClassVar[str] = ""
    model: ClassVar[type[models.Model]]
    fields: ClassVar[Sequence[Field]] = ()
    # The fields that make two rows "the same record", for the mapping screen's hint.
    dedupe_help: ClassVar[str] = ""

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

    def field(self, name: str) -> Field:
        for f in self.fields:
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


_KINDS: dict[str, ImportKind] = {}


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
    order = ["leads", "accounts", "contacts", "deals", "activities", "products"]
    return sorted(_KINDS.values(), key=lambda k: order.index(k.name) if k.name in order else 99)


def guess_mapping(kind: ImportKind, headers: list[str]) -> dict[str, str]:
    """Header → field name, by name, label or alias; each field used at most once."""
    taken: set[str] = set()
    mapping: dict[str, str] = {}
    for header in headers:
        if not header:
            continue
        key = normalise_key(header)
        for f in kind.fields:
            if f.name not in taken and key in f.match_names():
                mapping[header] = f.name
                taken.add(f.name)
                break
    return mapping
