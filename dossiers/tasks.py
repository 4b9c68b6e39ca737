"""Background work of dossiers. Tasks take ids, load, call a function, and are idempotent."""

from __future__ import annotations

from celery import shared_task


@shared_task(bind=True, max_retries=5, default_retry_delay=30, retry_backoff=True)
def issue_document(self, event_id: int) -> str | None:
    """Make the form a workflow step issues (once per event); retried if it fails."""
    from dossiers.documents import issue_for_event

    try:
        document = issue_for_event(event_id)
    except Exception as error:  # PDF engine or storage trouble: try again later
        raise self.retry(exc=error) from error
    return str(document.pk) if document else None


@shared_task(bind=True, max_retries=3, default_retry_delay=30, retry_backoff=True)
def build_queue_export(self, export_id: str) -> None:
    """Write a large queue export to a file (the officer downloads it when ready)."""
    from dossiers.exports import build

    try:
        build(export_id)
    except Exception as error:
        raise self.retry(exc=error) from error
