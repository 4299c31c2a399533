"""Production settings pass Django's deployment checks."""

import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_check_deploy_is_clean_in_production_mode() -> None:
    # The browser tests' DJANGO_ALLOW_ASYNC_UNSAFE must not leak into the production check.
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env |= {
        "DJANGO_SETTINGS_MODULE": "crm.settings.production",
        "SECRET_KEY": "prod-like-" + "k3y" * 20,
        "ALLOWED_HOSTS": "crm.example.com",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_boot_without_a_secret_key() -> None:
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env |= {"DJANGO_SETTINGS_MODULE": "crm.settings.production", "ALLOWED_HOSTS": "x"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_gunicorn_serves_with_threaded_workers_sized_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = ROOT / "gunicorn.conf.py"
    defaults = runpy.run_path(str(path))
    assert (defaults["worker_class"], defaults["workers"], defaults["threads"]) == ("gthread", 2, 4)
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.setenv("WEB_THREADS", "8")
    sized = runpy.run_path(str(path))
    assert (sized["workers"], sized["threads"]) == (3, 8)


def test_the_embedded_postgres_is_sized_to_the_machine() -> None:
    from crm.devservers.services import embedded_postgres_settings

    small = embedded_postgres_settings(4 * 1024**3)
    assert small["shared_buffers"] == "1024MB"
    assert small["effective_cache_size"] == "2048MB"
    big = embedded_postgres_settings(64 * 1024**3)
    assert big["shared_buffers"] == "2048MB"  # capped: a dev machine runs other things
    assert big["maintenance_work_mem"] == "512MB"
