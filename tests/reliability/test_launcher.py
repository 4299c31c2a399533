"""The `make run` launcher restarts a crashed worker or beat, with backoff, and says so."""

import io
import os
import signal
import sys
import time
from contextlib import redirect_stdout

from crm.devservers import supervisor as sup


def _wait(condition: object, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return False


def test_a_killed_worker_is_started_again_with_backoff_and_the_launcher_says_so() -> None:
    out = io.StringIO()
    sleeper = [sys.executable, "-c", "import time; time.sleep(60)"]
    launcher = sup.Supervisor(dict(os.environ))
    with redirect_stdout(out):
        launcher.start([("worker", sleeper), ("beat", sleeper)])
        try:
            worker = launcher.children[0]
            first_pid = worker.process.pid
            os.kill(first_pid, signal.SIGKILL)
            worker.process.wait()

            def restarted() -> bool:
                launcher.restart_crashed(("worker", "beat"))
                return worker.process.pid != first_pid and worker.process.poll() is None

            assert _wait(restarted, 5)
            assert launcher.first_exited(exclude=("worker", "beat")) is None
            # Crashing again at once waits longer (2 s, then 4 s ...).
            os.kill(worker.process.pid, signal.SIGKILL)
            worker.process.wait()
            launcher.restart_crashed(("worker", "beat"))
            assert worker.restart_at is not None
            assert worker.restart_at - time.monotonic() > 1.5
            assert launcher.children[1].process.poll() is None  # beat untouched
        finally:
            launcher.stop()
    said = out.getvalue()
    assert "worker was killed by SIGKILL: restarting it in 1s (restart 1 in a row)" in said
    assert "worker started again" in said
    assert "restarting it in 2s (restart 2 in a row)" in said
