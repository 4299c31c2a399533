"""The deal list's sorts read an index in order: no sequential scan and no sort of the whole
deals table, on a table large enough for the planner to care."""

from typing import Any

import pytest
from django.db import connection

from pipeline.models import Deal
from pipeline.selectors.deals import SORTS, DealFilters, deal_list
from tests.conftest import Org
from tests.pipeline.factories import DealFactory, make_pipeline, open_stages

pytestmark = pytest.mark.django_db

ROWS = 30_000


def _fill(seed: Deal) -> None:
    """Copies of `seed` with spread-out names, amounts and dates (and some close dates empty)."""
    columns = [
        f.column
        for f in Deal._meta.concrete_fields
        if f.column
        not in ("id", "name", "amount", "created_at", "updated_at", "expected_close_date")
    ]
    listed = ", ".join(f'"{c}"' for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO pipeline_deal ({listed}, name, amount, created_at, updated_at,
                                       expected_close_date)
            SELECT {listed}, 'Deal ' || md5(n::text), (n * 7919) %% 100000,
                   now() - n * interval '1 minute', now() - n * interval '2 minutes',
                   CASE WHEN n %% 5 = 0 THEN NULL ELSE current_date + (n %% 400) END
            FROM pipeline_deal, generate_series(1, %s) AS n WHERE id = %s
            """,  # noqa: S608 - column names come from model metadata, values are parameters
            [ROWS, seed.pk],
        )
        cursor.execute("ANALYZE pipeline_deal")


def _plan(queryset: Any) -> str:
    sql, params = queryset[:51].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_every_deal_list_sort_reads_an_index_in_order(org: Org) -> None:
    _fill(DealFactory(stage=open_stages(make_pipeline())[0], owner=org.rep))
    for sort in SORTS:
        plan = _plan(deal_list(actor=org.admin, filters=DealFilters(), sort=sort))
        assert "Seq Scan on pipeline_deal" not in plan, (sort, plan)
        above_scan = plan.split("Index")[0]
        assert "Sort" not in above_scan, (sort, plan)  # no top-N sort of the deals
