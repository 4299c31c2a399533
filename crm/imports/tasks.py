"""Background jobs for imports and exports: thin, idempotent, they take ids."""

import logging

from celery import shared_task

from crm.imports import engine, exporting
from crm.imports.services import import_job_mark_failed, import_jobs_resume_stalled

logger = logging.getLogger(__name__)


@shared_task(name="crm.import_run", acks_late=True, reject_on_worker_lost=True)
def import_run_task(job_id: int, batch_size: int = engine.BATCH_SIZE) -> None:
    """Run or resume an import. A redelivered task (worker killed) resumes where it stopped."""
    try:
        engine.run_import(job_id, batch_size=batch_size)
    except Exception as exc:  # one catch for the whole job: it is marked failed, resumable
        logger.exception("import %s failed", job_id)
        import_job_mark_failed(job_id=job_id, error=f"{type(exc).__name__}: {exc}")
        raise


@shared_task(name="crm.import_jobs_resume_stalled")
def import_jobs_resume_stalled_task() -> list[int]:
    """Beat: re-queue imports whose worker died (see import_jobs_resume_stalled)."""
    return import_jobs_resume_stalled()


@shared_task(name="crm.export_run", acks_late=True, reject_on_worker_lost=True)
def export_run_task(job_id: int) -> None:
    exporting.run_export(job_id)
