"""Running children: one command in the foreground, or web + worker + beat supervised."""

from __future__ import annotations

import contextlib
import ctypes
import http.client
import os
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import FrameType
from typing import IO, Any

from crm.devservers.services import (
    DEMO_PASSWORD,
    DEMO_USERS,
    HEALTH_PATH,
    HEALTH_TIMEOUT_SECONDS,
    PROJECT_ROOT,
    STOP_TIMEOUT_SECONDS,
    ServiceError,
)

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
    args: list[str] = field(default_factory=list)
    started_at: float = field(default_factory=time.monotonic)
    restarts: int = 0  # in a row: reset once the child has run for STEADY_SECONDS
    restart_at: float | None = None  # when a crashed child is due to start again


# A crashed worker or beat is started again after 1 s, then 2, 4, ... at most 30 s while it
# keeps crashing; a run of a minute counts as healthy and resets the delay.
RESTART_DELAYS = (1.0, 2.0, 4.0, 8.0, 15.0, 30.0)
STEADY_SECONDS = 60.0


def _exit_text(returncode: int) -> str:
    if returncode < 0:
        with contextlib.suppress(ValueError):
            return f"was killed by {signal.Signals(-returncode).name}"
    return f"exited with status {returncode}"


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

    def _spawn(self, args: list[str], *, preexec: Callable[[], None] | None) -> Any:
        # Own process groups: Ctrl-C reaches the launcher only, which then stops the
        # children itself instead of all of them racing through their own SIGINT handlers.
        return subprocess.Popen(  # noqa: S603 - fixed commands, no shell
            args,
            cwd=PROJECT_ROOT,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            process_group=0,
            preexec_fn=preexec,
        )

    def _start_pump(self, child: _Child) -> None:
        if child.process.stdout is not None:
            child.pump = threading.Thread(
                target=self._pump, args=(child.name, child.process.stdout), daemon=True
            )
            child.pump.start()

    def start(self, commands: Sequence[tuple[str, list[str]]]) -> None:
        preexec = _die_with_parent()
        for name, args in commands:
            # No other threads exist yet, see below.
            self.children.append(_Child(name, self._spawn(args, preexec=preexec), args=args))
        # Threads only after every fork: preexec_fn is not safe while threads run.
        for child in self.children:
            self._start_pump(child)

    def first_exited(self, exclude: Sequence[str] = ()) -> _Child | None:
        return next(
            (
                c
                for c in self.children
                if c.name not in exclude and c.restart_at is None and c.process.poll() is not None
            ),
            None,
        )

    def restart_crashed(self, names: Sequence[str]) -> None:
        """Schedule a crashed child among `names` for a restart with backoff, say so, and
        start those that are due. Call it from the supervising loop."""
        now = time.monotonic()
        for child in self.children:
            if child.name not in names:
                continue
            if child.restart_at is None and child.process.poll() is not None:
                if now - child.started_at >= STEADY_SECONDS:
                    child.restarts = 0
                delay = RESTART_DELAYS[min(child.restarts, len(RESTART_DELAYS) - 1)]
                child.restarts += 1
                child.restart_at = now + delay
                self.write(
                    "launcher",
                    f"{child.name} {_exit_text(child.process.returncode)}: restarting it in "
                    f"{delay:.0f}s (restart {child.restarts} in a row)",
                )
            elif child.restart_at is not None and now >= child.restart_at:
                if child.pump is not None:
                    child.pump.join(timeout=2)
                # Threads are running now: no preexec_fn (not fork-safe with threads).
                child.process = self._spawn(child.args, preexec=None)
                child.started_at = time.monotonic()
                child.restart_at = None
                self._start_pump(child)
                self.write("launcher", f"{child.name} started again (pid {child.process.pid})")

    def restart_all(self) -> None:
        """Stop every child and start it again (with a changed environment)."""
        self.write("launcher", "restarting web, worker and beat")
        for child in self.children:
            self._signal(child, signal.SIGTERM)
        for child in self.children:
            try:
                child.process.wait(timeout=STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                self._signal(child, signal.SIGKILL)
                child.process.wait()
            if child.pump is not None:
                child.pump.join(timeout=2)
            child.process = self._spawn(child.args, preexec=None)
            child.started_at = time.monotonic()
            child.restart_at = None
            self._start_pump(child)

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
