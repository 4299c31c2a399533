"""Time the lead pages through Django's test client and compare with their raw SQL.

For each (page, user) the page is requested `runs` times after a warm-up; we report the
server time p50/p95 in ms, the queries per request, and the ratio of the page's time to
executing the same SQL statements directly (what the ORM, views and templates add).
"""

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import DatabaseError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from crm.models import Role, User
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


def bench_users() -> list[User]:
    rep = (
        User.objects.filter(role=Role.REP, is_active=True, email__startswith="bench-rep-")
        .order_by("id")
        .first()
    )
    manager = (
        User.objects.filter(role=Role.MANAGER, is_active=True, managed_teams__isnull=False)
        .order_by("id")
        .first()
    )
    admin = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("id").first()
    return [u for u in (rep, manager, admin) if u is not None]


def pages(cursor_after: str) -> list[tuple[str, str]]:
    return [
        ("list: newest first", "/leads/"),
        ("list: status+temperature, newest", "/leads/?status=mql&temperature=warm"),
        ("list: source, by score", "/leads/?source=1&sort=-score"),
        ("list: by name, page 2", f"/leads/?sort=name&cursor={cursor_after}"),
        ("list: created range", "/leads/?created_from=2025-01-01&created_to=2025-03-31"),
        ("list: search 'globex'", "/leads/?q=globex"),
        ("search page 'nakatomi sato'", "/search/?q=nakatomi+sato"),
        ("My day", "/"),
    ]


def run(*, runs: int, log: Callable[[str], None]) -> list[Result]:
    from leads.selectors.lists import SORTS, _encode

    results = []
    total = Lead.objects.count()
    log(f"{total:,} leads; {runs} runs per page after a warm-up\n")
    first = Lead.objects.order_by(*SORTS["name"][0]).values("last_name", "first_name", "id")[49]
    cursor_after = _encode([first["last_name"], first["first_name"], first["id"]])
    for user in bench_users():
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        for name, url in pages(cursor_after):
            try:
                timings, queries, statements = time_page(client, url, runs)
            except (RuntimeError, DatabaseError) as exc:  # report the page and go on
                log(f"{name} as {user.get_role_display()}: failed ({exc})")
                continue
            results.append(
                Result(
                    name,
                    user.get_role_display(),
                    statistics.median(timings),
                    _percentile(timings, 95),
                    queries,
                    _raw_sql_ms(statements),
                )
            )
        if user.is_rep:
            for name, call in (
                ("selector: hot leads (My day)", lambda u=user: hot_leads_for_my_day(actor=u)),
                ("selector: new leads (My day)", lambda u=user: new_leads_for_my_day(actor=u)),
            ):
                timings, queries, statements = time_call(call, runs)
                results.append(
                    Result(
                        name,
                        user.get_role_display(),
                        statistics.median(timings),
                        _percentile(timings, 95),
                        queries,
                        _raw_sql_ms(statements),
                    )
                )
    return results


def table(results: list[Result]) -> str:
    header = (
        f"{'page':36} {'as':14} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} "
        f"{'raw SQL ms':>10} {'ratio':>6}"
    )
    lines = [header, "-" * len(header)]
    for r in results:
        lines.append(
            f"{r.name:36} {r.user:14} {r.p50:8.1f} {r.p95:8.1f} {r.queries:8d} "
            f"{r.sql_ms:10.1f} {r.ratio:6.1f}"
        )
    return "\n".join(lines)
