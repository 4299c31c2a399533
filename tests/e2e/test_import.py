"""Issue 7's "done when", in Chromium with a real Celery worker: a manager imports an
opportunities export in the Maven layout, maps its columns and stages, watches the progress,
downloads the rejected rows, and finds the deals on the board and in the deal list with the
totals this test computes from the file it wrote."""

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from crm.celery import app as celery_app
from crm.imports.models import ImportJob
from crm.models import User
from pipeline.models import Deal, Pipeline, Stage, StageKind
from pipeline.templatetags.pipeline_tags import company_money
from tests.conftest import Org
from tests.crm.factories import AccountFactory, UserFactory
from tests.e2e.conftest import login, screenshot
from tests.pipeline.factories import ProductFactory, make_pipeline, open_stages
from tests.workers import start_worker, stop_worker, worker_queue

pytestmark = [pytest.mark.e2e, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

HEADERS = [
    "opportunity_id",
    "sales_agent",
    "product",
    "account",
    "deal_stage",
    "engage_date",
    "close_date",
    "close_value",
]
AGENTS_WHO_ARE_USERS = ("Moses Frase", "Darcel Schlecht")
AGENTS_WHO_ARE_NOT = ("Zane Levy", "Kary Hendrixson")
ACCOUNTS = ("Acme Corporation", "Betasoloin", "Cheapfix", "Codehow")  # the last two are new
PRODUCTS = ("GTX Basic", "MG Special")
STAGES = ("Won", "Lost", "Engaging", "Prospecting")
# Row index → the bad cell it gets: an impossible date, and formulas instead of amounts.
MALFORMED = {
    7: ("engage_date", "2017-02-30"),
    19: ("engage_date", "31.31.2017"),
    12: ("close_value", "=1+1"),
    40: ("close_value", "=SUM(H2:H9)"),
    44: ("close_value", "=1+1"),
}
ROWS = 60


@dataclass
class Export:
    content: bytes
    rows: list[dict[str, str]]

    def good(self) -> list[dict[str, str]]:
        return [r for i, r in enumerate(self.rows) if i not in MALFORMED]

    def won(self) -> list[dict[str, str]]:
        return [r for r in self.good() if r["deal_stage"] == "Won"]


def _opportunities() -> Export:
    """60 rows like the Maven CRM sample: open deals have no close date or value."""
    rows = []
    agents = AGENTS_WHO_ARE_USERS + AGENTS_WHO_ARE_NOT
    for i in range(ROWS):
        stage = STAGES[i % 4]
        engaged = f"2017-{1 + i % 6:02d}-{1 + i % 27:02d}"
        row = {
            "opportunity_id": f"E2E{i:05d}",
            "sales_agent": agents[(i // 4) % len(agents)],
            "product": PRODUCTS[i % 3 % 2],
            "account": ACCOUNTS[i % len(ACCOUNTS)],
            "deal_stage": stage,
            "engage_date": "" if stage == "Prospecting" else engaged,
            "close_date": f"2017-{7 + i % 5:02d}-{1 + i % 27:02d}" if stage in STAGES[:2] else "",
            "close_value": {"Won": str(1000 + 37 * i), "Lost": "0"}.get(stage, ""),
        }
        if i in MALFORMED:
            column, value = MALFORMED[i]
            row[column] = value
        rows.append(row)
    out = io.StringIO()
    writer = csv.DictWriter(out, HEADERS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return Export(out.getvalue().encode(), rows)


@pytest.fixture
def import_worker(settings: Any, tmp_path: Path) -> Iterator[str]:
    """A Celery worker that takes `crm.import_run` from a queue of this test's own.

    The page enqueues with `apply_async(queue=None)`, so the task goes where the app's routes
    say. Routing just this task to a unique queue (rather than running a worker on the
    default `celery` queue) means parallel test runs and developers' workers sharing the
    Redis never take each other's jobs, and nothing else this test enqueues lands there.
    The router is rebuilt because Celery caches it on first use.
    """
    settings.MEDIA_ROOT = tmp_path / "media"  # before the worker starts: it inherits it
    queue = worker_queue("test-e2e-import")
    amqp = celery_app.amqp
    saved_routes = celery_app.conf.task_routes
    celery_app.conf.task_routes = {"crm.import_run": {"queue": queue}}
    amqp.flush_routes()
    amqp.router = amqp.Router()
    process = start_worker(queue)
    try:
        yield queue
    finally:
        stop_worker(process)
        celery_app.conf.task_routes = saved_routes
        amqp.flush_routes()
        amqp.router = amqp.Router()


@dataclass
class Setup:
    pipeline: Pipeline
    engaging: Stage
    prospecting: Stage
    won: Stage
    agents: list[User]


def _crm(org: Org) -> Setup:
    pipeline = make_pipeline("Maven sales")
    Pipeline.objects.exclude(pk=pipeline.pk).update(is_active=False)  # deals go to the first
    prospecting, engaging, _ = open_stages(pipeline)
    won = pipeline.stages.get(kind=StageKind.WON)
    agents = []
    for full_name in AGENTS_WHO_ARE_USERS:
        first, last = full_name.split()
        agents.append(UserFactory(first_name=first, last_name=last, team=org.east))
    for name in ACCOUNTS[:2]:
        AccountFactory(name=name, owner=org.manager)
    ProductFactory(name=PRODUCTS[0], list_price=Decimal(550))
    ProductFactory(name=PRODUCTS[1], list_price=Decimal(55))
    return Setup(pipeline, engaging, prospecting, won, agents)


def _stat(page: Any, label: str) -> int:
    tile = page.locator(".stat-tile").filter(has_text=label)
    return int(tile.locator(".stat-value").inner_text())


def _amount(cell: str) -> Decimal:
    return Decimal(cell.split()[-1].replace(",", ""))


def test_a_manager_imports_an_opportunities_export_and_sees_the_deals(
    org: Org, live_server: Any, page: Any, import_worker: str
) -> None:
    crm = _crm(org)
    export = _opportunities()
    login(page, live_server, org.manager.email)

    # Upload the file as deals.
    page.goto(f"{live_server.url}/imports/new/")
    page.get_by_label("What the file holds").select_option("deals")
    page.locator("input[type=file]").set_input_files(
        {"name": "opportunities.csv", "mimeType": "text/csv", "buffer": export.content}
    )
    page.get_by_role("button", name="Upload and map columns").click()
    page.wait_for_url("**/mapping/")

    # The columns are guessed from their names.
    guessed = {h: page.locator(f"#map-{i}").input_value() for i, h in enumerate(HEADERS)}
    assert guessed == {
        "opportunity_id": "external_id",
        "sales_agent": "owner",
        "product": "product",
        "account": "account",
        "deal_stage": "stage",
        "engage_date": "created_at",
        "close_date": "expected_close_date",
        "close_value": "amount",
    }
    stages = page.locator(".card").filter(has_text="Stage: values not in the list yet")
    stages.get_by_label("Engaging", exact=True).select_option(label=crm.engaging.name)
    stages.get_by_label("Prospecting", exact=True).select_option(label=crm.prospecting.name)
    accounts = page.locator(".card").filter(has_text="Account: values not in the list yet")
    assert accounts.get_by_label("Create them").is_checked()
    page.get_by_label(f"Assign to me ({org.manager.full_name})").check()
    screenshot(page, "import-mapping")
    page.get_by_role("button", name="Preview").click()
    page.wait_for_url("**/preview/")

    # Preview, then start: the real worker runs the job while the page polls.
    assert page.locator(".alert-danger").count() == 0
    assert page.get_by_text("Rejected").count() >= 1  # the bad date at row 8 is flagged
    page.get_by_role("button", name=re.compile(r"^Import (all|\d+) rows$")).click()
    page.wait_for_url(f"{live_server.url}/imports/*/")
    page.locator("#import-progress:not([hx-get])").wait_for(timeout=45_000)
    assert page.locator("#import-progress .badge").inner_text() == "Finished"
    counts = {k: _stat(page, k) for k in ("Imported", "Updated", "Skipped", "Rejected")}
    assert counts == {"Imported": ROWS - len(MALFORMED), "Updated": 0, "Skipped": 0,
                      "Rejected": len(MALFORMED)}  # fmt: skip
    assert sum(counts.values()) == ROWS
    assert f"{ROWS} of {ROWS} rows" in page.locator("#import-progress").inner_text()
    screenshot(page, "import-report")

    # The rejected rows come back as the original columns plus why.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Rejected rows (CSV)").click()
    download = download_info.value
    assert download.suggested_filename == "opportunities-rejected.csv"
    rejected = list(csv.DictReader(Path(download.path()).read_text("utf-8-sig").splitlines()))
    assert list(rejected[0]) == [*HEADERS, "error", "row"]
    assert {r["opportunity_id"] for r in rejected} == {f"E2E{i:05d}" for i in MALFORMED}
    assert all(r["error"] for r in rejected)
    by_id = {r["opportunity_id"]: r for r in rejected}
    assert "engage_date" in by_id["E2E00007"]["error"]
    assert "close_value" in by_id["E2E00040"]["error"]

    # Owners: agents who are users own their deals; the others fell to the importer.
    job = ImportJob.objects.get()
    deals = Deal.objects.filter(pipeline=crm.pipeline)
    assert deals.count() == ROWS - len(MALFORMED)
    for agent in crm.agents:
        mine = [r for r in export.good() if r["sales_agent"] == agent.full_name]
        assert deals.filter(owner=agent).count() == len(mine)
    assert deals.filter(owner=org.manager).count() == sum(
        r["sales_agent"] in AGENTS_WHO_ARE_NOT for r in export.good()
    )
    assert job.imported == deals.count()

    # The board's Won column and the deal list filtered to Won match the file's totals.
    won_rows = export.won()
    won_total = sum(Decimal(r["close_value"]) for r in won_rows)
    page.goto(f"{live_server.url}/deals/board/?pipeline={crm.pipeline.pk}")
    page.wait_for_selector("[data-board]")
    assert page.locator(f'[data-col-count="{crm.won.pk}"]').inner_text() == str(len(won_rows))
    assert page.locator(f'[data-col-total="{crm.won.pk}"]').inner_text() == company_money(won_total)
    open_count = sum(r["deal_stage"] == "Engaging" for r in export.good())
    assert page.locator(f'[data-col-count="{crm.engaging.pk}"]').inner_text() == str(open_count)
    screenshot(page, "import-board")

    page.goto(f"{live_server.url}/deals/?pipeline={crm.pipeline.pk}&status=won")
    listed = page.locator("table.data-table tbody tr")
    assert listed.count() == len(won_rows)
    amounts = [_amount(t) for t in listed.locator("td.num").all_inner_texts()]
    assert sum(amounts) == won_total
    names = set(listed.locator("td:first-child").all_inner_texts())
    assert names == {r["opportunity_id"] for r in won_rows}
