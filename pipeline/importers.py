"""Import and export kinds for deals and products (registered in PipelineConfig.ready).

Deals: stage by name within the chosen pipeline (default: the first active one), owner by
name or email, account by name, product by name (a line item of one unit). Won and lost
stages close the deal on its close date. Dedupe: same name at the same account.
"""

from collections.abc import Hashable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.http import QueryDict
from django.utils import timezone

from crm.errors import DomainError
from crm.forms import valid_filters
from crm.imports.context import ImportContext
from crm.imports.exporting import ExportKind, register_export
from crm.imports.kinds_crm import OWNER, AccountLookup
from crm.imports.lookups import NameLookup
from crm.imports.registry import (
    Field,
    ImportKind,
    RowError,
    add_note,
    external_id_field,
    historic_time,
    register,
)
from crm.models import User
from pipeline.forms import DealFilterForm
from pipeline.models import (
    Deal,
    DealLineItem,
    LostReason,
    Pipeline,
    Product,
    Stage,
    StageHistory,
    StageKind,
)
from pipeline.selectors.deals import DEFAULT_SORT, DealFilters, deal_list
from pipeline.services import validation


def chosen_pipeline(ctx: ImportContext) -> Pipeline:
    if "pipeline" not in ctx.memo:
        wanted = str(ctx.options.get("pipeline") or "")
        pipelines = Pipeline.objects.filter(is_active=True).order_by("position", "id")
        found = pipelines.filter(pk=int(wanted)).first() if wanted.isdigit() else pipelines.first()
        if found is None:
            raise DomainError("There is no active pipeline to import deals into.")
        ctx.memo["pipeline"] = found
        ctx.memo["stages"] = {s.pk: s for s in found.stages.all()}
    pipeline: Pipeline = ctx.memo["pipeline"]
    return pipeline


class StageLookup(NameLookup):
    def __init__(self) -> None:
        super().__init__(Stage, name="stage", label="Stage")

    def queryset(self, ctx: ImportContext) -> QuerySet[Any]:
        return Stage.objects.filter(pipeline=chosen_pipeline(ctx), is_active=True)

    def can_create(self, ctx: ImportContext) -> bool:
        return False


class ProductLookup(NameLookup):
    def __init__(self) -> None:
        super().__init__(Product, name="product", label="Product", is_active=True)

    def can_create(self, ctx: ImportContext) -> bool:
        return False


class LostReasonLookup(NameLookup):
    def __init__(self) -> None:
        super().__init__(LostReason, name="lost_reason", label="Lost reason")

    def can_create(self, ctx: ImportContext) -> bool:
        return ctx.actor.is_admin or ctx.actor.is_manager


def _row_error(exc: DomainError) -> RowError:
    return RowError(exc.message)


# Dates of a deal's history: taken when a deal is created by the import, never overwritten on
# an update (the record's own history wins over a re-imported file).
HISTORY = ("created_at", "closed_at", "stage_changed_at")


class DealImport(ImportKind):
    name = "deals"
    label = "Deals"
    model = Deal
    dedupe_help = "Same deal name at the same account."
    target_option = "pipeline"
    target_label = "Pipeline the deals go into"

    def target_choices(self) -> list[tuple[str, str]]:
        pipelines = Pipeline.objects.filter(is_active=True).order_by("position", "id")
        return [(str(p.pk), p.name) for p in pipelines]

    fields = (
        Field(
            "name",
            "Deal name",
            max_length=200,
            aliases=("deal", "opportunity", "opportunity name", "deal name", "title"),
        ),
        external_id_field("opportunity id", "deal id", "opportunity number"),
        Field(
            "account",
            "Account",
            type="lookup",
            lookup=AccountLookup(),
            aliases=("company", "account name", "organization", "customer"),
        ),
        Field(
            "stage",
            "Stage",
            type="lookup",
            lookup=StageLookup(),
            aliases=("deal stage", "pipeline stage", "status"),
        ),
        Field(
            "amount",
            "Amount",
            type="decimal",
            aliases=("value", "close value", "deal value", "revenue", "price"),
        ),
        Field("currency", "Currency", max_length=3, aliases=("currency code",)),
        Field(
            "created_at",
            "Created / engaged on",
            type="date",
            aliases=("engage date", "created", "create date", "created date", "open date"),
        ),
        Field(
            "expected_close_date",
            "Close date",
            type="date",
            aliases=("close date", "expected close date", "closing date"),
        ),
        Field(
            "closed_at",
            "Closed on (won or lost)",
            type="date",
            aliases=("closed on", "closed date", "date closed", "won date", "lost date"),
        ),
        Field(
            "stage_changed_at",
            "In its stage since",
            type="date",
            aliases=("stage date", "stage entered", "stage changed", "last stage change"),
        ),
        Field("probability", "Probability (%)", type="int", aliases=("probability",)),
        Field("next_step", "Next step", max_length=200),
        Field(
            "product",
            "Product",
            type="lookup",
            lookup=ProductLookup(),
            aliases=("product name", "item"),
        ),
        Field(
            "lost_reason",
            "Lost reason",
            type="lookup",
            lookup=LostReasonLookup(),
            aliases=("loss reason", "reason lost"),
        ),
        OWNER,
    )

    def attribute(self, field_name: str) -> str:
        return {"account": "account_id", "stage": "stage_id", "lost_reason": "lost_reason_id"}.get(
            field_name, field_name
        )

    def build(self, values: dict[str, Any], ctx: ImportContext) -> Deal:
        pipeline = chosen_pipeline(ctx)
        stages: dict[int, Stage] = ctx.memo["stages"]
        stage_id = values.get("stage")
        if stage_id is None:
            open_stages = [s for s in stages.values() if s.kind == StageKind.OPEN and s.is_active]
            if not open_stages:
                raise RowError(f"Pipeline {pipeline.name} has no open stage.")
            stage = min(open_stages, key=lambda s: (s.position, s.pk))
        else:
            stage = stages[stage_id]
        # A file of opportunity ids and nothing else names its deals by their ids.
        name = str(values.get("name") or values.get("external_id") or "")
        if not name:
            raise RowError("Give the deal a name or an external id.")
        try:
            amount = values.get("amount")
            product = self._product(values["product"], ctx) if values.get("product") else None
            from_list_price = amount is None and product is not None
            if from_list_price and stage.kind == StageKind.LOST:
                # A lost deal keeps what the file says: no amount is no amount.
                from_list_price = False
            if from_list_price and product is not None:
                amount = product.list_price
            deal = Deal(
                name=name,
                external_id=values.get("external_id", ""),
                pipeline=pipeline,
                stage=stage,
                account_id=values.get("account"),
                owner=ctx.owner_for(values.get("owner")),
                amount=validation.clean_amount(amount or Decimal(0)),
                currency=self._currency(values.get("currency"), ctx),
                expected_close_date=validation.clean_close_date(values.get("expected_close_date")),
                probability=validation.clean_probability(
                    values.get("probability", stage.probability)
                ),
                forecast_category=stage.forecast_category,
                next_step=values.get("next_step", ""),
                lost_reason_id=values.get("lost_reason"),
                updated_by=ctx.actor,
            )
        except DomainError as exc:
            raise _row_error(exc) from exc
        self._date(deal, values, stage)
        if from_list_price and product is not None:
            add_note(
                deal,
                f"Amount from the list price of {product.name}: {deal.amount:,} {deal.currency}.",
            )
        deal._import_product = values.get("product")  # type: ignore[attr-defined]
        return deal

    def _date(self, deal: Deal, values: dict[str, Any], stage: Stage) -> None:
        """Created, closed and stage-entered times from the file, so cycle lengths, win rates
        and forecasts see the real history; a missing one is the import time, and the row's
        report line says so."""
        now = timezone.now()
        created = historic_time(values.get("created_at"))
        closed_in_file = None
        if stage.kind != StageKind.OPEN:
            closed_in_file = historic_time(
                values.get("closed_at") or values.get("expected_close_date")
            )
        if created is None and closed_in_file is not None:
            # Olist's closed deals give a won date only: the deal is dated by it (cycle
            # length 0) rather than created years after it closed.
            add_note(deal, "No created date in the file: dated at its close date.")
            created = closed_in_file
        elif created is None:
            add_note(deal, "No created date in the file: dated at import.")
        deal.created_at = created or now
        closed = None
        if stage.kind != StageKind.OPEN:
            closed = closed_in_file
            if closed is None:
                add_note(deal, "No close date in the file: closed at import time.")
                closed = now
            if closed < deal.created_at:
                raise RowError("Closed before it was created: check the two dates.")
            deal.closed_at = closed
        elif values.get("closed_at"):
            add_note(deal, "Closed-on date ignored: the deal's stage is open.")
        entered = historic_time(values.get("stage_changed_at"))
        deal.stage_changed_at = entered or closed or deal.created_at

    def _currency(self, code: Any, ctx: ImportContext) -> str:
        key = str(code or settings.DEFAULT_CURRENCY).strip().upper()
        currencies: dict[str, str] = ctx.memo.setdefault("currencies", {})
        if key not in currencies:
            currencies[key] = validation.clean_currency(key)
        return currencies[key]

    def _product(self, pk: int, ctx: ImportContext) -> Product:
        products: dict[int, Product] = ctx.memo.setdefault("products", {})
        if pk not in products:
            products[pk] = Product.objects.get(pk=pk)
        return products[pk]

    def dedupe_key(self, record: Any, values: dict[str, Any]) -> Hashable | None:
        return (record.name.strip().lower(), record.account_id)

    def find_existing(self, keys: list[Hashable], ctx: ImportContext) -> dict[Hashable, Any]:
        names = {k[0] for k in keys if isinstance(k, tuple)}
        found: dict[Hashable, Any] = {}
        deals = (
            Deal.objects.alive()
            .annotate(lname=Lower("name"))
            .filter(lname__in=names)
            .order_by("id")
        )
        for deal in deals:
            found.setdefault((deal.name.strip().lower(), deal.account_id), deal)
        return found

    def apply_update(self, existing: Any, values: dict[str, Any], ctx: ImportContext) -> None:
        data = {k: v for k, v in values.items() if k not in ("product", "owner", *HISTORY)}
        if values.get("owner") is not None:
            data["owner"] = ctx.owner_for(values["owner"])
        super().apply_update(existing, data, ctx)
        existing.version += 1
        existing.updated_by = ctx.actor

    def update(self, records: list[Any], fields: set[str], ctx: ImportContext) -> None:
        super().update(records, fields | {"version", "updated_by", "updated_at"}, ctx)

    def after_create(self, records: list[Any], ctx: ImportContext) -> None:
        StageHistory.objects.bulk_create(
            StageHistory(
                deal=deal,
                pipeline_id=deal.pipeline_id,
                from_stage=None,
                to_stage=deal.stage,
                moved_by=ctx.actor,
                moved_at=deal.stage_changed_at,
            )
            for deal in records
        )
        items = []
        for deal in records:
            product_id = getattr(deal, "_import_product", None)
            if product_id:
                product = self._product(product_id, ctx)
                # At the deal's amount: the file's (a lost deal's 0 included) or, for a row
                # without one, the list price it was filled from; the two never disagree.
                items.append(
                    DealLineItem(
                        deal=deal,
                        product=product,
                        quantity=Decimal(1),
                        unit_price=deal.amount,
                        discount_percent=Decimal(0),
                    )
                )
        DealLineItem.objects.bulk_create(items)


class ProductImport(ImportKind):
    name = "products"
    label = "Products"
    model = Product
    dedupe_help = "Same SKU; without one, same name."
    fields = (
        Field(
            "name",
            "Product name",
            required=True,
            max_length=200,
            aliases=("product", "item", "product name"),
        ),
        Field("sku", "SKU", max_length=60, aliases=("code", "product code", "item code")),
        Field("description", "Description", aliases=("series", "details")),
        Field(
            "list_price",
            "List price",
            type="decimal",
            required=True,
            aliases=("price", "sales price", "unit price"),
        ),
        Field("currency", "Currency", max_length=3),
    )

    def build(self, values: dict[str, Any], ctx: ImportContext) -> Product:
        if not (ctx.actor.is_admin or ctx.actor.is_manager):
            raise RowError("Only managers and administrators add products.")
        try:
            price = validation.clean_amount(values["list_price"], field="list_price")
            currency = validation.clean_currency(
                values.get("currency") or settings.DEFAULT_CURRENCY
            )
        except DomainError as exc:
            raise _row_error(exc) from exc
        return Product(
            name=values["name"],
            sku=values.get("sku", ""),
            description=values.get("description", ""),
            list_price=price,
            currency=currency,
        )

    def dedupe_key(self, record: Any, values: dict[str, Any]) -> Hashable | None:
        return ("sku", record.sku) if record.sku else ("name", record.name.strip().lower())

    def find_existing(self, keys: list[Hashable], ctx: ImportContext) -> dict[Hashable, Any]:
        skus = [k[1] for k in keys if isinstance(k, tuple) and k[0] == "sku"]
        names = [k[1] for k in keys if isinstance(k, tuple) and k[0] == "name"]
        found: dict[Hashable, Any] = {}
        products = Product.objects.annotate(lname=Lower("name")).filter(
            Q(sku__in=skus) | Q(lname__in=names)
        )
        for product in products.order_by("id"):
            if product.sku:
                found.setdefault(("sku", product.sku), product)
            found.setdefault(("name", product.name.strip().lower()), product)
        return found


register(DealImport())
register(ProductImport())


def _deals(user: User, params: QueryDict) -> QuerySet[Any]:
    """The deal list's own selector and filter form, so the export matches the page."""
    form = DealFilterForm(params or None, actor=user)
    data: dict[str, Any] = valid_filters(form)
    sort = str(data.get("sort") or DEFAULT_SORT)
    return deal_list(actor=user, filters=DealFilters.from_data(data), sort=sort)


register_export(
    ExportKind(
        "deals",
        "Deals",
        (
            ("Name", lambda d: d.name),
            ("Account", lambda d: d.account.name if d.account else ""),
            ("Pipeline", lambda d: d.pipeline.name),
            ("Stage", lambda d: d.stage.name),
            ("Amount", lambda d: d.amount),
            ("Currency", lambda d: d.currency),
            ("Close date", lambda d: d.expected_close_date),
            ("Probability", lambda d: d.probability),
            ("Owner", lambda d: d.owner.email),
            ("External id", lambda d: d.external_id),
            ("Created", lambda d: d.created_at),
        ),
        _deals,
    )
)
