"""The benchmark's data generator loads realistic rows that the pages can read."""

import io
from typing import Any

import pytest
from django.core.management import call_command

from leads.models import Lead
from pipeline.models import Deal
from tests.conftest import Org
from tests.pipeline.factories import make_pipeline

pytestmark = pytest.mark.django_db(transaction=True)


def test_generate_data_loads_leads_and_deals_in_bulk(org: Org) -> None:
    make_pipeline()
    call_command("generate_data", leads=300, deals=40, reps=5, seed=7)
    assert Lead.objects.count() >= 300
    assert Deal.objects.count() >= 40
    assert Lead.objects.filter(owner__isnull=True).count() == 0


def test_bench_runs_from_scratch_times_every_role_and_writes_its_results(
    org: Org, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from leads.management.commands import bench

    make_pipeline()
    results = tmp_path / "results.json"
    monkeypatch.setattr(bench, "RESULTS", str(results))
    out = io.StringIO()
    call_command(
        "bench", leads=300, deals=60, reps=6, runs=1, load_users="2", load_seconds=2, stdout=out
    )
    written = json.loads(results.read_text())
    roles = {row["as"] for row in written["pages"]}
    assert {"rep", "manager", "manager over everyone", "admin"} <= roles
    pages = {row["page"] for row in written["pages"]}
    assert {"lead page", "deal page", "account page", "board", "My day"} <= pages
    assert "failed" not in out.getvalue()
    assert written["load"][0]["users"] == 2
    assert written["load"][0]["requests"] > 0
    assert written["load"][0]["errors"] == 0
