"""Search stays index-driven on a big table: the close spellings come from the word table's
GiST index, and the leads (and deals) that match every word from the GIN index on their
`search_words`, never from a sequential scan."""

import re
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.search import (
    CLOSE_SPELLINGS,
    COMPLETIONS,
    EXPANSION_SQL,
    close_spellings,
    parse,
    rebuild_words,
)
from leads.models import Lead
from leads.selectors import LeadFilters, lead_list
from pipeline.models import Deal
from pipeline.selectors.deals import DealFilters, deal_list
from tests.conftest import Org
from tests.leads.factories import LeadFactory
from tests.pipeline.factories import DealFactory

pytestmark = pytest.mark.django_db

ROWS = 30_000
# A distinct all-letter surname per row (md5 digits turned into letters), so the word
# table holds tens of thousands of words, as it would at a million leads.
SURNAME = "translate(md5(n::text), '0123456789', 'ghijklmnop')"


def _copies(model: Any, seed_pk: int, values: dict[str, str]) -> None:
    """ROWS copies of the seed row with `values` (SQL over n) in some columns."""
    columns = [
        f.column
        for f in model._meta.concrete_fields
        if not f.generated and f.column != "id" and f.column not in values
    ]
    listed = ", ".join(f'"{c}"' for c in [*columns, *values])
    chosen = ", ".join([f'"{c}"' for c in columns] + list(values.values()))
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} ({listed})
            SELECT {chosen} FROM {table}, generate_series(1, %s) AS n WHERE id = %s
            """,  # noqa: S608 - names come from model metadata, values are parameters
            [ROWS, seed_pk],
        )


def _fill(lead: Lead, deal: Deal) -> None:
    _copies(
        Lead,
        lead.pk,
        {
            "last_name": SURNAME,
            "company": "CASE WHEN n %% 1000 = 0 THEN 'Soylent Robotics' ELSE 'Company ' || n END",
            "email": "'lead' || n || '@bulk.example'",
            "created_at": "now() - n * interval '1 minute'",
        },
    )
    _copies(Deal, deal.pk, {"name": f"{SURNAME} || ' renewal'"})
    rebuild_words()  # also fills the deals' search_words
    with connection.cursor() as cursor:
        for table in ("leads_lead", "pipeline_deal", "crm_searchword"):
            cursor.execute(f"ANALYZE {table}")


def _plan(sql: str, params: Any) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def _list_plans(build: Callable[[], Any]) -> str:
    """The plans of every query building the list runs (the matching ids) and of its page."""
    with CaptureQueriesContext(connection) as ctx:
        queryset = build()
    sql = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("SELECT")]
    plans = [_plan(statement, []) for statement in sql]
    plans.append(_plan(*queryset[:51].query.sql_with_params()))
    return "\n----\n".join(plans)


def test_a_misspelled_search_reads_the_word_and_search_indexes_never_the_whole_table(
    org: Org,
) -> None:
    _fill(
        LeadFactory(owner=org.rep, first_name="Olive", last_name="Wright"),
        DealFactory(owner=org.rep, name="Quasar launch"),
    )

    params = {"fuzzy": ["soylnt", "robotcs"], "close": CLOSE_SPELLINGS, "completions": COMPLETIONS}
    words = _plan(EXPANSION_SQL, params)
    assert "search_word_trgm" in words, words
    # The pattern index, read by a bitmap or an index-only scan as the planner prefers.
    assert re.search(r"(Bitmap Index Scan on|Index Only Scan using) crm_searchword_word_", words), (
        words
    )
    assert "Seq Scan" not in words, words
    assert close_spellings(["soylnt"])["soylnt"][0] == "soylent"
    # a rare word is spelled out (estimated from statistics), a common beginning stays a prefix
    assert parse("quasr").tsquery == "('quasar')"
    assert parse("ab").tsquery == "('ab':*)"

    for actor in (org.admin, org.rep):
        leads = _list_plans(
            partial(lead_list, actor=actor, filters=LeadFilters(q="Soylnt Robotics"))
        )
        assert not re.search(r"Seq Scan on leads_lead\b", leads), leads
        assert "lead_search_words" in leads, leads
        deals = _list_plans(partial(deal_list, actor=actor, filters=DealFilters(search="Quasr")))
        assert not re.search(r"Seq Scan on pipeline_deal\b", deals), deals
        assert "deal_search_words" in deals, deals
    found = lead_list(actor=org.admin, filters=LeadFilters(q="Soylnt Robotics"))
    assert found.count() == ROWS // 1000
