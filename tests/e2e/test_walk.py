"""Every page of each role, in Chromium, at desktop and phone size.

Each role signs in and walks the site by following the links on the pages it reaches (the
navigation, the lists, the records), opening each kind of page (each URL name) once. On
every page the test fails on a console error, a Content-Security-Policy violation, a
4xx/5xx answer for the page or anything it loads, or a table whose first row is covered
(by a sticky header, the top bar or anything else) or whose last column is cut off. Every
page is loaded at 1400x900, checked, then resized to 390x844 and checked again.
"""

from collections import deque
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.urls import Resolver404, resolve
from django.utils import timezone

from crm.models import Notification
from pipeline.models import Pipeline
from tests.conftest import Org
from tests.crm.factories import AccountFactory, ActivityFactory, ContactFactory, TaskFactory
from tests.e2e.conftest import login
from tests.imports.factories import ExportJobFactory, ImportJobFactory
from tests.leads.factories import LeadFactory
from tests.pipeline.factories import DealFactory, make_pipeline, open_stages

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESKTOP, PHONE = (1400, 900), (390, 844)

# Links that are not pages: downloads, sign-out, and Django's own admin (a staff tool with
# its own assets and policy, not part of the product's pages).
SKIPPED_NAMES = {"logout", "notification_open", "notification_open_link"}
SKIPPED_PREFIXES = ("/django-admin/", "/static/", "/media/", "/api/v1/", "/api/schema/")

# Installed before any page script: records CSP violations, which the page can't hide.
RECORD_CSP = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline'));
});
"""

# For each table with rows: scroll it below the top bar, then ask the browser what is drawn
# at the middle of the first row's first and last cells, and whether the last cell is
# clipped by a box that can't scroll to it.
CHECK_TABLES = """
() => {
  const problems = [];
  const topbar = document.querySelector('.app-topbar');
  const topbarBottom = topbar ? topbar.getBoundingClientRect().bottom : 0;
  for (const table of document.querySelectorAll('table')) {
    const row = table.tBodies.length ? table.tBodies[0].rows[0] : null;
    if (!row || !row.cells.length || row.getClientRects().length === 0) continue;
    const first = row.cells[0];
    const last = [...row.cells].reverse().find((c) => c.getClientRects().length > 0);
    const tableTop = table.getBoundingClientRect().top + window.scrollY;
    window.scrollTo(0, Math.max(0, tableTop - topbarBottom - 40));
    const label = (table.closest('[aria-label]')?.getAttribute('aria-label')
      || table.querySelector('th')?.textContent || 'table').trim().slice(0, 40);
    for (const cell of [first, last]) {
      const box = cell.getBoundingClientRect();
      if (box.width === 0 || box.height === 0) continue;
      const x = box.left + Math.min(box.width / 2, 12);
      const y = box.top + box.height / 2;
      if (y < 0 || y > window.innerHeight) continue;
      const hit = document.elementFromPoint(x, y);
      if (hit && !cell.contains(hit) && !hit.contains(cell)) {
        problems.push(`first row of "${label}" is covered by <${hit.tagName.toLowerCase()}`
          + ` class="${hit.className}"> ${hit.textContent.trim().slice(0, 30)}`);
        break;
      }
    }
    // The last column must lie inside the table's box (its card, or the nearest box that
    // clips), unless that box scrolls sideways to it.
    const box = last.getBoundingClientRect();
    for (let el = table.parentElement; el && el !== document.body; el = el.parentElement) {
      const style = getComputedStyle(el);
      const isCard = el.classList.contains('table-card') || el.classList.contains('card');
      if (style.overflowX === 'visible' && !isCard) continue;
      const canScroll = (style.overflowX === 'auto' || style.overflowX === 'scroll')
        && el.scrollWidth > el.clientWidth;
      if (box.right > el.getBoundingClientRect().right + 1 && !canScroll) {
        problems.push(`last column of "${label}" is cut off`);
      }
      break;
    }
  }
  window.scrollTo(0, 0);
  return problems;
}
"""


def _records(org: Org) -> None:
    """One of each kind of record, owned by the rep, so every role has detail pages."""
    pipeline = Pipeline.objects.filter(is_active=True).first() or make_pipeline("New business")
    stage = open_stages(pipeline)[0]
    account = AccountFactory(owner=org.rep, name="Initech")
    contact = ContactFactory(owner=org.rep, account=account, first_name="Peter")
    deal = DealFactory(owner=org.rep, stage=stage, account=account, primary_contact=contact)
    lead = LeadFactory(
        owner=org.rep, first_name="Ada", last_name="Wright", company="Soylent", status="sql"
    )
    TaskFactory(owner=org.rep, lead=lead, due_at=timezone.now() - timedelta(hours=3))
    ActivityFactory(owner=org.rep, deal=deal)
    ImportJobFactory(created_by=org.rep)
    ExportJobFactory(created_by=org.rep)
    Notification.objects.create(user=org.rep, text="Ada Wright is yours", link=f"/leads/{lead.pk}/")


def _page_name(url: str, origin: str) -> str | None:
    """The URL name a same-origin link leads to, or None when it isn't a page to visit."""
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != origin or parts.path.startswith(SKIPPED_PREFIXES):
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return f"unresolved:{parts.path}"  # visited, and fails the test with its 404
    name = match.view_name
    short = name.rsplit(":", 1)[-1]
    if short in SKIPPED_NAMES or "export" in short or parts.path.endswith((".csv", ".xlsx")):
        return None
    return name


def _walk(page: Any, origin: str) -> tuple[list[str], list[str]]:
    """Breadth-first from My day; returns (pages visited, problems)."""
    problems: list[str] = []
    start = [f"{origin}/", f"{origin}/api/docs/", f"{origin}/search/?q=Wright"]
    seen_names = {name for name in (_page_name(url, origin) for url in start) if name}
    queue = deque(start)
    visited = []
    current = {"url": ""}

    def on_console(message: Any) -> None:
        if message.type == "error":
            problems.append(f"{current['url']}: console error: {message.text}")

    def on_response(response: Any) -> None:
        if response.status >= 400:
            problems.append(f"{current['url']}: {response.status} for {response.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"{current['url']}: {error}"))
    page.on("response", on_response)
    while queue:
        url = queue.popleft()
        current["url"] = url.removeprefix(origin)
        visited.append(current["url"])
        page.set_viewport_size({"width": DESKTOP[0], "height": DESKTOP[1]})
        page.goto(url, wait_until="load")
        if "/api/docs/" in url:
            # Swagger UI fetches the schema after load; let it finish before moving on.
            page.wait_for_load_state("networkidle")
        for width, height in (DESKTOP, PHONE):
            # The phone size re-lays out the loaded page (media queries apply on resize as
            # on load), which halves the page loads.
            page.set_viewport_size({"width": width, "height": height})
            for problem in page.evaluate(CHECK_TABLES):
                problems.append(f"{current['url']} at {width}px: {problem}")
        for violation in page.evaluate("() => window.__cspViolations"):
            problems.append(f"{current['url']}: CSP blocked {violation}")
        hrefs = page.eval_on_selector_all(
            "a[href]:not([download]):not([target=_blank])", "els => els.map(e => e.href)"
        )
        for href in hrefs:
            name = _page_name(href.split("#")[0], origin)
            if name and name not in seen_names:
                seen_names.add(name)
                queue.append(href.split("#")[0])
    return visited, problems


@pytest.mark.parametrize("role", ["rep", "manager", "admin"])
def test_every_page_of_each_role_loads_cleanly_at_desktop_and_phone_size(
    role: str, org: Org, live_server: Any, browser: Any
) -> None:
    _records(org)
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.add_init_script(RECORD_CSP)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        login(page, live_server, getattr(org, role).email)
        visited, problems = _walk(page, live_server.url)
    finally:
        context.close()
    assert len(visited) > 15, visited
    assert problems == [], "\n".join(problems)
