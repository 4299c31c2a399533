"""A bounded load run: gunicorn (gunicorn.conf.py) on loopback, N simulated users.

Each user is a thread with its own keep-alive connection and a signed-in session of one of
the bench users (rep, manager, manager over everyone, admin, in turn); it requests the hot
pages (lead list, deal list, a lead, the board, search) one after the other, without pause,
for the given number of seconds. The load generator shares the machine's cores with the
server, so the figures are a floor of what the server does alone.
"""

import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client

from bench.runner import BenchUser, _one_visible, _percentile

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class LoadResult:
    users: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: int = 0

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def line(self) -> str:
        if not self.latencies:
            return f"{self.users:5d} users: no request answered ({self.errors} errors)"
        return (
            f"{self.users:5d} users: {self.throughput:6.1f} req/s, "
            f"p50 {statistics.median(self.latencies):6.0f} ms, "
            f"p95 {_percentile(self.latencies, 95):6.0f} ms, "
            f"{len(self.latencies):6d} requests, {self.errors} errors"
        )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _session_cookie(user: BenchUser) -> str:
    client = Client()
    client.force_login(user.user)
    return str(client.cookies[settings.SESSION_COOKIE_NAME].value)


def _urls(user: BenchUser) -> list[str]:
    from leads.models import Lead

    lead = _one_visible(user.user, Lead)
    urls = ["/leads/", "/deals/", "/deals/board/", "/search/?q=wrigth"]
    if lead:
        urls.insert(2, f"/leads/{lead}/")
    return urls


def _database_url() -> str:
    """The database this process uses (under the test runner: the test database)."""
    db = connection.settings_dict
    auth = quote(db["USER"] or "") + (":" + quote(db["PASSWORD"]) if db["PASSWORD"] else "")
    host = db["HOST"] or "localhost"
    if host.startswith("/"):  # a socket directory (the embedded server)
        return f"postgres://{auth}@/{db['NAME']}?host={quote(host)}"
    return f"postgres://{auth}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


def _start_server(port: int) -> subprocess.Popen[bytes]:
    env = dict(
        os.environ, DEBUG="false", WEB_BIND=f"127.0.0.1:{port}", DATABASE_URL=_database_url()
    )
    # DEBUG off serves hashed static names: they need the manifest collectstatic writes.
    call_command("collectstatic", interactive=False, verbosity=0)
    log_file = (ROOT / "bench" / "gunicorn.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "crm.wsgi:application",
         "--access-logfile", "/dev/null", "--error-logfile", "-", "--log-level", "warning"],
        cwd=ROOT,
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise RuntimeError("gunicorn did not start within 60 s")


def _user_loop(
    port: int, cookie: str, urls: list[str], until: float, result: LoadResult, lock: threading.Lock
) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Host": "127.0.0.1", "Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"}
    i = 0
    while time.monotonic() < until:
        url = urls[i % len(urls)]
        i += 1
        started = time.perf_counter()
        try:
            connection.request("GET", url, headers=headers)
            response = connection.getresponse()
            response.read()
            ok = response.status == 200
        except (OSError, http.client.HTTPException):
            ok = False
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        elapsed = (time.perf_counter() - started) * 1000
        with lock:
            if ok:
                result.latencies.append(elapsed)
            else:
                result.errors += 1
    connection.close()


def load_run(
    users: list[BenchUser], *, levels: list[int], seconds: float, log: Callable[[str], None]
) -> list[LoadResult]:
    sessions = [(_session_cookie(user), _urls(user)) for user in users]
    port = _free_port()
    server = _start_server(port)
    results = []
    try:
        for level in levels:
            result = LoadResult(users=level, seconds=seconds)
            lock = threading.Lock()
            until = time.monotonic() + seconds
            threads = [
                threading.Thread(
                    target=_user_loop,
                    args=(port, *sessions[n % len(sessions)], until, result, lock),
                    daemon=True,
                )
                for n in range(level)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=seconds + 60)
            log(result.line())
            results.append(result)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return results
