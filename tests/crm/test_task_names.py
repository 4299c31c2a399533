"""Celery tasks: one naming style ("<app>.<function without _task>"), and every beat entry names
a task the worker really has."""

import re

import pytest

from crm.celery import app
from crm.schedule import SCHEDULE

APPS = ("crm", "leads", "pipeline", "forecasting", "reporting")


@pytest.fixture(scope="module")
def registered() -> dict[str, object]:
    app.loader.import_default_modules()  # what a worker does at start: autodiscover tasks.py
    return {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}


def test_every_beat_entry_names_a_registered_task(registered: dict[str, object]) -> None:
    missing = [entry.task for entry in SCHEDULE if entry.task not in registered]
    assert not missing, f"beat entries without a task: {missing}"


def test_every_project_task_is_named_app_dot_function(registered: dict[str, object]) -> None:
    wrong, checked = [], 0
    for name, task in registered.items():
        function = task.run.__name__  # type: ignore[attr-defined]
        app_label = task.__module__.split(".")[0]  # type: ignore[attr-defined]
        if app_label not in APPS:
            continue
        checked += 1
        expected = f"{app_label}.{function.removesuffix('_task')}"
        if name != expected or not re.fullmatch(r"[a-z]+\.[a-z0-9_]+", name):
            wrong.append(f"{name} (expected {expected})")
    assert checked >= 10  # the worker's modules really were imported
    assert not wrong, wrong
