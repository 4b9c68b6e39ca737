"""Background work of notifications. Tasks take ids, load, call a service, and are idempotent:
a delivery task run twice sends its row once (``notification_deliver`` claims it)."""

from __future__ import annotations

from celery import shared_task


@shared_task(bind=True, acks_late=True)
def deliver_notification(self, notification_id: int) -> str:
    """Send one outbox row; a failed send is tried again later with exponential backoff (by
    Celery's retry with a broker, by the outbox sweep without one)."""
    from notifications.services import notification_deliver

    outcome = notification_deliver(notification_id=notification_id)
    if outcome.retry_in is not None and not self.request.is_eager:
        raise self.retry(countdown=outcome.retry_in, max_retries=None)
    return outcome.result


@shared_task
def sweep_outbox() -> dict:
    """Re-queue rows nobody delivered and fail rows whose worker died (beat, every minute)."""
    from notifications.services import outbox_sweep

    return outbox_sweep()


@shared_task
def scan_deadlines() -> dict:
    """Tell officers of dossiers due within a working day or overdue (beat, hourly)."""
    from notifications.services import deadlines_scan

    return deadlines_scan()


@shared_task
def remind_drafts() -> int:
    """Remind citizens of drafts left for 7 days (beat, daily)."""
    from notifications.services import drafts_remind

    return drafts_remind()


@shared_task
def send_digests() -> int:
    """Send officers on a daily digest their held messages (beat, daily)."""
    from notifications.services import digests_send

    return digests_send()


@shared_task(bind=True, acks_late=True)
def deliver_notifications(self, notification_ids: list[int]) -> dict:
    """Send a batch of outbox rows (one mail session); the rows that failed are tried again
    later, together, after the shortest of their backoffs."""
    from notifications.services import notifications_deliver

    outcomes = notifications_deliver(ids=notification_ids)
    retry = {pk: outcome.retry_in for pk, outcome in outcomes.items() if outcome.retry_in}
    if retry and not self.request.is_eager:
        raise self.retry(args=[sorted(retry)], countdown=min(retry.values()), max_retries=None)
    return {"sent": sum(outcome.result == "sent" for outcome in outcomes.values())}
