"""Import tests write uploads under a temporary MEDIA_ROOT and build files in memory."""

import io
from pathlib import Path
from typing import Any

import pytest

from crm.imports import engine, services
from crm.imports.models import ImportJob
from crm.models import User


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def upload(
    user: User,
    kind: str,
    content: bytes | str,
    *,
    name: str = "file.csv",
    mapping: dict[str, str] | None = None,
    options: dict[str, Any] | None = None,
) -> ImportJob:
    data = content.encode("utf-8") if isinstance(content, str) else content
    return services.import_job_create(
        actor=user,
        kind=kind,
        upload=io.BytesIO(data),
        name=name,
        mapping=mapping,
        options=options,
    )


def run(user: User, job: ImportJob, policy: str = "skip", **kwargs: Any) -> ImportJob:
    """Start the job and run it here, as the worker would."""
    services.import_job_start(actor=user, job=job, policy=policy)
    engine.run_import(job.pk, **kwargs)
    job.refresh_from_db()
    return job


def import_file(
    user: User, kind: str, content: bytes | str, policy: str = "skip", **kwargs: Any
) -> ImportJob:
    return run(user, upload(user, kind, content, **kwargs), policy)


def assert_counts_add_up(job: ImportJob, data_rows: int) -> None:
    assert job.status == "done"
    assert job.imported + job.updated + job.skipped + job.rejected == data_rows
    assert job.rows.count() == data_rows
    assert job.total_rows == data_rows
