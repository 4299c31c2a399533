"""Reusable lookups: resolve a cell to a row of a list by its name (case-insensitive)."""

from typing import Any

from django.db import models
from django.db.models.functions import Lower

from crm.imports.context import ImportContext
from crm.imports.parsers import normalise_key
from crm.imports.registry import Lookup
from crm.models.audit import AuditAction
from crm.services.audit import audit
from crm.visibility import visible


class NameLookup(Lookup):
    """Rows of `model` named in the cell. `scoped` lists pass through crm.visibility;
    admin lists (sources, stages, reasons) are open to everyone and only managers and
    admins may add to them from an import."""

    model: type[models.Model]
    field_name = "name"
    scoped = False
    filters: dict[str, Any] = {}

    def __init__(self, model: type[models.Model], *, name: str, label: str, **filters: Any) -> None:
        self.model = model
        self.name = name  # type: ignore[misc]
        self.label = label  # type: ignore[misc]
        self.filters = filters

    def queryset(self, ctx: ImportContext) -> models.QuerySet[Any]:
        qs = self.model._default_manager.filter(**self.filters)
        return visible(ctx.actor, qs) if self.scoped else qs

    def options(self, ctx: ImportContext) -> list[tuple[str, str]]:
        return [
            (str(pk), str(name))
            for pk, name in self.queryset(ctx).values_list("pk", self.field_name)[:500]
        ]

    def resolve(self, wanted: dict[str, str], ctx: ImportContext) -> dict[str, int]:
        # Narrow in SQL by lower(name), then compare with the same normalisation as the keys.
        lowered = {text.strip().lower() for text in wanted.values()}
        rows = (
            self.queryset(ctx)
            .annotate(_lname=Lower(self.field_name))
            .filter(_lname__in=lowered)
            .order_by("pk")
            .values_list("pk", self.field_name)
        )
        found: dict[str, int] = {}
        for pk, value in rows:
            found.setdefault(normalise_key(str(value)), pk)
        return {k: v for k, v in found.items() if k in wanted}

    def can_create(self, ctx: ImportContext) -> bool:
        return ctx.actor.is_admin or ctx.actor.is_manager

    def values_for_create(self, name: str, ctx: ImportContext) -> dict[str, Any]:
        return {self.field_name: name, **self.filters}

    def create(self, name: str, ctx: ImportContext) -> int:
        obj = self.model._default_manager.create(**self.values_for_create(name, ctx))
        audit(actor=ctx.actor, obj=obj, action=AuditAction.CREATE, changes={"via": "import"})
        return int(obj.pk)
