"""Background work of payments. Tasks take ids, load, call a function, and are idempotent."""

from __future__ import annotations

from celery import shared_task


@shared_task(bind=True, max_retries=5, default_retry_delay=30, retry_backoff=True)
def issue_receipt(self, payment_id: str, event_id: int) -> str | None:
    """Make the electronic receipt of a succeeded payment (once); retried if it fails."""
    from payments.receipts import issue_receipt as issue

    try:
        document = issue(payment_id, event_id)
    except Exception as error:  # PDF engine, signing or storage trouble: try again later
        raise self.retry(exc=error) from error
    return str(document.pk) if document else None


@shared_task
def reissue_receipts() -> int:
    """Issue the receipts that were never made (Celery beat, every 15 minutes)."""
    from payments.services import receipts_reissue

    return receipts_reissue()


@shared_task
def expire_payments() -> int:
    """Close online payments left pending past their expiry (Celery beat, every 5 minutes)."""
    from payments.services import payments_expire

    return payments_expire()
