"""Helpers of the test suites of every app (imported by tests only)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from django.db import connection


def run_at_once(targets: Sequence[Callable]) -> tuple[list, list]:
    """Run each callable in its own thread, all released at the same moment (a barrier), each
    on its own database connection; their results and the errors they raised."""
    barrier = threading.Barrier(len(targets))
    results, errors = [], []

    def worker(target):
        try:
            barrier.wait(timeout=10)
            results.append(target())
        except Exception as error:  # noqa: BLE001 - collected for the test to assert
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


def login(client, user, *, english: bool = True):
    """Log ``user`` in; pages answer in English (the msgids) so translations cannot break tests."""
    from django.conf import settings

    client.force_login(user)
    if english:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client
