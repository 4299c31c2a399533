"""The kanban board: per-stage counts and totals in one GROUP BY, and the first cards of
every open column in one UNION ALL of per-stage LIMIT queries, so the query count and the
rows read stay bounded however many deals a stage holds. Won and lost columns are collapsed:
their count and total are shown, their cards are read only when the column is opened
(`board_column_page` without a cursor)."""

import base64
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils.dateparse import parse_datetime

from crm.models import User
from pipeline.models import Deal, Pipeline, Stage, StageKind

from .deals import DealFilters, apply_filters, deals_visible
from .money import rate_map, to_company_currency

CARDS_PER_COLUMN = 25
KIND_ORDER: dict[str, int] = {StageKind.OPEN: 0, StageKind.WON: 1, StageKind.LOST: 2}


@dataclass
class BoardColumn:
    stage: Stage
    count: int = 0
    total: Decimal = Decimal(0)
    cards: list[Deal] = field(default_factory=list)
    next_cursor: str = ""
    collapsed: bool = False  # a closed column whose cards load on demand

    @property
    def is_closed(self) -> bool:
        return self.stage.kind != StageKind.OPEN


def board_stages(pipeline: Pipeline) -> list[Stage]:
    stages = list(pipeline.stages.filter(is_active=True))
    return sorted(stages, key=lambda s: (KIND_ORDER.get(s.kind, 0), s.position, s.pk))


def _board_deals(actor: User, pipeline: Pipeline, filters: DealFilters) -> QuerySet[Deal]:
    return apply_filters(deals_visible(actor).filter(pipeline=pipeline), filters)


def _ordering(stage: Stage) -> tuple[Any, ...]:
    """Open columns show the biggest deals first; closed ones the most recently closed."""
    if stage.kind == StageKind.OPEN:
        return (F("amount").desc(), F("id").desc())
    return (F("stage_changed_at").desc(), F("id").desc())


def _sort_key(stage: Stage, deal: Deal) -> tuple[Any, ...]:
    if stage.kind == StageKind.OPEN:
        return (-deal.amount, -deal.pk)
    return (-deal.stage_changed_at.timestamp(), -deal.pk)


def _cursor(stage: Stage, deal: Deal) -> str:
    value = str(deal.amount) if stage.kind == StageKind.OPEN else deal.stage_changed_at.isoformat()
    return base64.urlsafe_b64encode(json.dumps([value, deal.pk]).encode()).decode().rstrip("=")


def _after(stage: Stage, cursor: str) -> Q | None:
    try:
        value, pk = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        pk = int(pk)
        if stage.kind == StageKind.OPEN:
            amount = Decimal(str(value))
            return Q(amount__lt=amount) | Q(amount=amount, id__lt=pk)
        moved = parse_datetime(str(value))
        if moved is None:
            return None
        return Q(stage_changed_at__lt=moved) | Q(stage_changed_at=moved, id__lt=pk)
    except (ValueError, TypeError, ArithmeticError):
        return None


def _with_card_relations(deals: QuerySet[Deal]) -> QuerySet[Deal]:
    return deals.select_related("owner", "account", "stage")


def pipeline_board(
    *,
    actor: User,
    pipeline: Pipeline,
    filters: DealFilters,
    per_column: int = CARDS_PER_COLUMN,
    closed_cards: bool = False,
) -> list[BoardColumn]:
    """Every active stage's column with its count and total; cards for the open columns
    (and the closed ones too with `closed_cards`; otherwise those are collapsed)."""
    stages = board_stages(pipeline)
    columns = {
        stage.pk: BoardColumn(
            stage=stage, collapsed=stage.kind != StageKind.OPEN and not closed_cards
        )
        for stage in stages
    }
    if not stages:
        return []
    deals = _board_deals(actor, pipeline, filters)
    rates = rate_map()
    sums = deals.order_by().values("stage_id", "currency").annotate(n=Count("id"), s=Sum("amount"))
    for row in sums:
        column = columns.get(row["stage_id"])
        if column is not None:
            column.count += row["n"]
            column.total += to_company_currency(row["s"] or Decimal(0), row["currency"], rates)
    firsts = [
        deals.filter(stage=stage)
        .order_by(*_ordering(stage))
        .values_list("id", flat=True)[: per_column + 1]
        for stage in stages
        if columns[stage.pk].count and not columns[stage.pk].collapsed
    ]
    if firsts:
        ids = firsts[0].union(*firsts[1:], all=True) if len(firsts) > 1 else firsts[0]
        grouped: dict[int, list[Deal]] = defaultdict(list)
        for deal in _with_card_relations(Deal.objects.filter(id__in=list(ids))):
            grouped[deal.stage_id].append(deal)
        for stage in stages:
            cards = grouped.get(stage.pk, [])
            cards.sort(key=partial(_sort_key, stage))
            _fill(columns[stage.pk], cards, per_column)
    return [columns[stage.pk] for stage in stages]


def _fill(column: BoardColumn, cards: Sequence[Deal], per_column: int) -> None:
    column.cards = list(cards[:per_column])
    if len(cards) > per_column:
        column.next_cursor = _cursor(column.stage, column.cards[-1])


def board_column_page(
    *,
    actor: User,
    stage: Stage,
    filters: DealFilters,
    cursor: str,
    per_column: int = CARDS_PER_COLUMN,
) -> BoardColumn:
    """The next cards of one column after `cursor` ("load more")."""
    column = BoardColumn(stage=stage)
    deals = _board_deals(actor, stage.pipeline, filters).filter(stage=stage)
    after = _after(stage, cursor) if cursor else None
    if after is not None:
        deals = deals.filter(after)
    cards = list(_with_card_relations(deals.order_by(*_ordering(stage)))[: per_column + 1])
    _fill(column, cards, per_column)
    return column


def board_column_stats(
    *, actor: User, pipeline: Pipeline, filters: DealFilters
) -> dict[int, tuple[int, Decimal]]:
    """Count and company-currency total per stage (after a move, to refresh the headers)."""
    rates = rate_map()
    stats: dict[int, tuple[int, Decimal]] = {}
    rows = (
        _board_deals(actor, pipeline, filters)
        .order_by()
        .values("stage_id", "currency")
        .annotate(n=Count("id"), s=Sum("amount"))
    )
    for row in rows:
        n, total = stats.get(row["stage_id"], (0, Decimal(0)))
        converted = to_company_currency(row["s"] or Decimal(0), row["currency"], rates)
        stats[row["stage_id"]] = (n + row["n"], total + converted)
    return stats
