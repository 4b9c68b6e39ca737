"""Queue Celery tasks only once the surrounding transaction has committed (ARCHITECTURE.md
"Side effects after commit"): a task never sees a row that was rolled back or not yet written."""

from __future__ import annotations

from django.db import transaction


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """``task.delay(*args, **kwargs)`` after commit (at once outside a transaction)."""
    # robust: a broker that is down must not turn a committed step into an error page; the
    # periodic sweeps (notifications issue) pick up what was not queued.
    transaction.on_commit(lambda: task.delay(*args, **kwargs), robust=True)
