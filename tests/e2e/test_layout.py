"""Each role signs in with a real browser and sees the layout."""

from typing import Any

import pytest

from tests.conftest import Org
from tests.e2e.conftest import login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("role", ["rep", "manager", "admin"])
def test_each_role_signs_in_and_sees_the_navigation(
    role: str, org: Org, live_server: Any, page: Any
) -> None:
    user = getattr(org, role)
    login(page, live_server, user.email)
    nav = page.get_by_role("navigation", name="Main")
    for item in ("My day", "Leads", "Deals", "Accounts", "Contacts", "Forecast", "Reports"):
        assert nav.get_by_role("link", name=item).is_visible()
    assert nav.get_by_role("link", name="Admin").count() == (1 if role == "admin" else 0)
    assert page.evaluate("() => document.querySelectorAll('script:not([src])').length") == 0
    screenshot(page, f"layout-{role}")


def test_a_wrong_password_shows_an_error_not_a_crash(org: Org, live_server: Any, page: Any) -> None:
    page.goto(f"{live_server.url}/auth/login/")
    page.get_by_label("Email").fill(org.rep.email)
    page.get_by_label("Password").fill("nope")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").is_visible()


def test_the_api_docs_list_the_operations_under_the_csp(
    org: Org, live_server: Any, page: Any
) -> None:
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if m.type == "error" else None)
    login(page, live_server, org.rep.email)
    response = page.goto(f"{live_server.url}/api/docs/")
    assert "'unsafe-inline'" not in response.headers["content-security-policy"]
    # Swagger UI fetches and renders the schema after load, a block at a time.
    page.locator(".opblock-summary-path", has_text="/api/v1/accounts/").first.wait_for(
        timeout=60_000
    )
    assert page.locator(".opblock").count() > 10
    assert blocked == []
    # The rest of the site keeps the strict policy.
    other = page.goto(f"{live_server.url}/leads/")
    assert other.headers["content-security-policy"] == response.headers["content-security-policy"]
