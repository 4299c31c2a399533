"""Time the lead pages through Django's test client and compare with their raw SQL.

For each (page, user) the page is requested `runs` times after a warm-up; we report the
server time p50/p95 in ms, the queries per request, and the ratio of the page's time to
executing the same SQL statements directly (what the ORM, views and templates add).
"""

import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import DatabaseError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from crm.models import Role, User
from crm.visibility import visible
from leads.models import Lead
from leads.selectors import hot_leads_for_my_day, new_leads_for_my_day


@dataclass
class Result:
    name: str
    user: str
    p50: float
    p95: float
    queries: int
    sql_ms: float

    @property
    def ratio(self) -> float:
        return self.p50 / self.sql_ms if self.sql_ms else 0.0


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))
    return ordered[index]


def _raw_sql_ms(statements: list[str]) -> float:
    """Run the captured SELECTs again, straight on the cursor; best of 3."""
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for sql in selects:
                cursor.execute(sql)
                cursor.fetchall()
        best = min(best, (time.perf_counter() - started) * 1000)
    return best


def time_page(client: Client, url: str, runs: int) -> tuple[list[float], int, list[str]]:
    client.get(url, HTTP_HOST="127.0.0.1")  # warm-up
    timings = []
    statements: list[str] = []
    queries = 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(url, HTTP_HOST="127.0.0.1")
            timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        queries = len(ctx.captured_queries)
        statements = [q["sql"] for q in ctx.captured_queries]
    return timings, queries, statements


def time_call(call: Callable[[], object], runs: int) -> tuple[list[float], int, list[str]]:
    call()
    timings = []
    statements: list[str] = []
    queries = 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            call()
            timings.append((time.perf_counter() - started) * 1000)
        queries = len(ctx.captured_queries)
        statements = [q["sql"] for q in ctx.captured_queries]
    return timings, queries, statements


@dataclass(frozen=True)
class BenchUser:
    label: str  # "rep", "manager", "manager over everyone", "admin"
    user: User


def bench_users() -> list[BenchUser]:
    """A rep, the manager of one bench team, the manager of the team over all of them,
    and an admin (the roles whose pages differ in what they see and how it's queried)."""
    rep = (
        User.objects.filter(role=Role.REP, is_active=True, email__startswith="bench-rep-")
        .order_by("id")
        .first()
    )
    manager = User.objects.filter(email="bench-manager-1@example.com", is_active=True).first()
    director = User.objects.filter(email="bench-director@example.com", is_active=True).first()
    admin = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("id").first()
    found = (("rep", rep), ("manager", manager), ("manager over everyone", director))
    users = [BenchUser(label, user) for label, user in found if user is not None]
    if admin is not None:
        users.append(BenchUser("admin", admin))
    return users


def _one_visible(user: User, model: type[Any]) -> int | None:
    """A recent record the user may see (for the detail pages)."""
    rows = visible(user, model.objects.alive()).order_by("-id").values_list("pk", flat=True)
    return rows.first()


def pages(user: User, cursor_after: str) -> list[tuple[str, str]]:
    from crm.models import Account
    from pipeline.models import Deal

    lead = _one_visible(user, Lead)
    deal = _one_visible(user, Deal)
    account = _one_visible(user, Account)
    found = [
        ("leads: newest first", "/leads/"),
        ("leads: status+temperature", "/leads/?status=mql&temperature=warm"),
        ("leads: source, by score", "/leads/?source=1&sort=-score"),
        ("leads: by name, page 2", f"/leads/?sort=name&cursor={cursor_after}"),
        ("leads: search 'globex'", "/leads/?q=globex"),
        ("lead page", f"/leads/{lead}/" if lead else ""),
        ("lead duplicates panel", f"/leads/{lead}/duplicates/" if lead else ""),
        ("deals: newest first", "/deals/"),
        ("deals: largest first", "/deals/?sort=-amount"),
        ("deal page", f"/deals/{deal}/" if deal else ""),
        ("account page", f"/accounts/{account}/" if account else ""),
        ("board", "/deals/board/"),
        ("search 'nakatomi sato'", "/search/?q=nakatomi+sato"),
        ("search typo 'wrigth'", "/search/?q=wrigth"),
        ("My day", "/"),
        ("tasks", "/tasks/?scope=team"),
        ("API leads, 100", "/api/v1/leads/?page_size=100"),
        ("API deals, 100", "/api/v1/deals/?page_size=100"),
    ]
    return [(name, url) for name, url in found if url]


def run(*, runs: int, log: Callable[[str], None]) -> list[Result]:
    from leads.selectors.lists import SORTS, _encode

    results = []
    total = Lead.objects.count()
    log(f"{total:,} leads; {runs} runs per page after a warm-up\n")
    first = Lead.objects.order_by(*SORTS["name"][0]).values("last_name", "first_name", "id")[49]
    cursor_after = _encode([first["last_name"], first["first_name"], first["id"]])
    for bench_user in bench_users():
        user = bench_user.user
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        for name, url in pages(user, cursor_after):
            try:
                timings, queries, statements = time_page(client, url, runs)
            except (RuntimeError, DatabaseError) as exc:  # report the page and go on
                log(f"{name} as {bench_user.label}: failed ({exc})")
                continue
            results.append(
                Result(
                    name,
                    bench_user.label,
                    statistics.median(timings),
                    _percentile(timings, 95),
                    queries,
                    _raw_sql_ms(statements),
                )
            )
        log(f"timed {bench_user.label}")
        if user.is_rep:
            for name, call in (
                ("selector: hot leads (My day)", lambda u=user: hot_leads_for_my_day(actor=u)),
                ("selector: new leads (My day)", lambda u=user: new_leads_for_my_day(actor=u)),
            ):
                timings, queries, statements = time_call(call, runs)
                results.append(
                    Result(
                        name,
                        bench_user.label,
                        statistics.median(timings),
                        _percentile(timings, 95),
                        queries,
                        _raw_sql_ms(statements),
                    )
                )
    return results


def write_json(results: list[Result], path: str, extra: dict[str, Any]) -> None:
    """The figures as JSON (bench/results.json), with the machine and data they came from."""
    payload = {
        **extra,
        "pages": [
            {
                "page": r.name,
                "as": r.user,
                "p50_ms": round(r.p50, 1),
                "p95_ms": round(r.p95, 1),
                "queries": r.queries,
                "raw_sql_ms": round(r.sql_ms, 1),
                "ratio": round(r.ratio, 1),
            }
            for r in results
        ],
    }
    with open(path, "w", encoding="utf-8") as out:
        json.dump(payload, out, indent=2)


def table(results: list[Result]) -> str:
    header = (
        f"{'page':36} {'as':22} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} "
        f"{'raw SQL ms':>10} {'ratio':>6}"
    )
    lines = [header, "-" * len(header)]
    for r in results:
        lines.append(
            f"{r.name:36} {r.user:22} {r.p50:8.1f} {r.p95:8.1f} {r.queries:8d} "
            f"{r.sql_ms:10.1f} {r.ratio:6.1f}"
        )
    return "\n".join(lines)
