"""Notification delivery benchmark (issue #7): how many notifications one Celery worker sends a
second, with the in-memory mail backend.

Run ``.venv/bin/python bench/notifications.py`` (``make bench-notifications``). It creates the
PostgreSQL database ``portal_bench_notify`` (dropped at the end), starts a redis-server of its
own on a free port, and, for ``--rounds`` rounds, each time:

- ``baseline``: queues the delivery tasks of ``--count`` rows that are not pending (one task per
  50 rows, as the outbox queues them; each claims nothing: one UPDATE, no message), starts one
  worker (``--pool solo``: one task at a time) and times it draining the queue — the broker's,
  Celery's and the claim's own cost;
- ``deliver``: the same rows, pending email notifications (five kinds, a hundred recipients,
  three in four reading Vietnamese), queued the same way; one worker is timed until every row is
  sent: claim, render the message in the recipient's language (text and HTML), send, mark sent.

The clock starts when the worker takes its first task (the queue's length drops), so worker
start-up is not counted. It prints each phase's rate, the ratio of ``deliver`` to ``baseline``
and PASS/FAIL against the target: at least 200 notifications a second. Figures also go to
``bench/results/``.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_PER_SECOND = 200.0
DB_NAME = "portal_bench_notify"
PG = "postgres://postgres@127.0.0.1:5432"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait(condition, timeout: float, what: str, step: float = 0.02) -> float:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return time.monotonic()
        time.sleep(step)
    raise SystemExit(f"Timed out waiting for {what}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000, help="notifications per phase")
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()

    port = free_port()
    broker = f"redis://127.0.0.1:{port}/0"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DATABASE_URL": f"{PG}/{DB_NAME}",
        "CELERY_BROKER_URL": broker,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_URL": "memorymail://",
        "SMS_BACKEND": "accounts.sms.LocmemBackend",
        "LOG_LEVEL": "WARNING",
        "DJANGO_DEBUG": "false",  # as in production: no query log kept per task
    }
    os.environ.update(env)
    redis = subprocess.Popen(  # noqa: S603
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""],
        stdout=subprocess.DEVNULL,
    )
    sys.path.insert(0, str(ROOT))
    import psycopg2
    import redis as redis_client

    admin = psycopg2.connect(f"{PG}/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {DB_NAME}")
        cursor.execute(f"CREATE DATABASE {DB_NAME}")
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        queue = redis_client.Redis.from_url(broker)
        wait(lambda: _pings(queue), 10, "redis-server")
        results = run(options, queue, env)
    finally:
        from django.db import connections

        connections.close_all()
        redis.terminate()
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        admin.close()
    return 0 if results["pass"] else 1


def _pings(queue) -> bool:
    try:
        return queue.ping()
    except Exception:  # noqa: BLE001 — not up yet
        return False


def run(options, queue, env) -> dict:
    from accounts.models import User
    from notifications.constants import Kind, NotifyChannel, State
    from notifications.models import Notification
    from notifications.services import DELIVERY_BATCH
    from notifications.tasks import deliver_notifications

    users = User.objects.bulk_create(
        User(
            email=f"bench{n}@example.vn",
            full_name=f"Nguyễn Văn {n}",
            language="vi" if n % 4 else "en",
        )
        for n in range(100)
    )
    kinds = [
        Kind.RECEIVED,
        Kind.SUPPLEMENT_REQUESTED,
        Kind.RESULT_READY,
        Kind.APOLOGY,
        Kind.NEW_DOSSIER,
    ]
    context = {
        "code": "000.00.00.H57-261123-0001",
        "procedure": "Đăng ký khai sinh",
        "agency": "UBND phường Thuận Hóa",
        "due_at": "2026-11-27T03:00:00+00:00",
        "previous_due_at": "2026-11-25T03:00:00+00:00",
        "items": ["Bản sao CCCD", "Giấy chứng sinh"],
        "note": "Thiếu giấy chứng sinh",
        "delivery": "online",
        "path": "/ho-so/",
    }

    def phase(name: str, ids: list[int]) -> float:
        # As the outbox queues them: one task per DELIVERY_BATCH rows.
        batches = [ids[i : i + DELIVERY_BATCH] for i in range(0, len(ids), DELIVERY_BATCH)]
        for batch in batches:
            deliver_notifications.delay(batch)
        assert queue.llen("celery") == len(batches)
        worker = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                "--pool",
                "solo",
                "--loglevel",
                "WARNING",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            started = wait(lambda: queue.llen("celery") < len(batches), 60, f"{name}: worker start")
            ended = wait(lambda: queue.llen("celery") == 0, 600, f"{name}: queue drained")
            if name == "deliver":
                ended = wait(
                    lambda: (
                        Notification.objects.filter(pk__in=ids, state=State.SENT).count()
                        == len(ids)
                    ),
                    60,
                    "every row sent",
                    step=0.05,
                )
        finally:
            worker.terminate()
            worker.wait(timeout=30)
        return len(ids) / (ended - started)

    rates: dict[str, list[float]] = {"baseline": [], "deliver": []}
    for round_number in range(options.rounds):
        rows = Notification.objects.bulk_create(
            Notification(
                recipient=users[n % len(users)],
                channel=NotifyChannel.EMAIL,
                kind=kinds[n % len(kinds)],
                key=f"bench:{round_number}:{n}",
                context=context,
                state=State.PENDING,
            )
            for n in range(options.count)
        )
        ids = [row.pk for row in rows]
        # Baseline: the same number of tasks, for rows already sent (nothing to claim).
        Notification.objects.filter(pk__in=ids).update(state=State.SENT)
        rates["baseline"].append(phase("baseline", ids))
        Notification.objects.filter(pk__in=ids).update(state=State.PENDING)
        rates["deliver"].append(phase("deliver", ids))
        print(
            f"round {round_number + 1}: baseline {rates['baseline'][-1]:7.0f}/s   "
            f"deliver {rates['deliver'][-1]:7.0f}/s",
            flush=True,
        )

    baseline = statistics.median(rates["baseline"])
    deliver = statistics.median(rates["deliver"])
    passed = deliver >= TARGET_PER_SECOND
    print()
    print(f"{'phase':10} {'median/s':>10} {'vs baseline':>12}")
    print(f"{'baseline':10} {baseline:10.0f} {1:12.2f}")
    print(f"{'deliver':10} {deliver:10.0f} {deliver / baseline:12.2f}")
    print(
        f"\n{'PASS' if passed else 'FAIL'}: one worker delivers {deliver:.0f} notifications/s "
        f"(target ≥ {TARGET_PER_SECOND:.0f}/s)"
    )
    results = {
        "when": datetime.now().isoformat(timespec="seconds"),
        "count": options.count,
        "rounds": options.rounds,
        "rates": rates,
        "baseline_median": baseline,
        "deliver_median": deliver,
        "pass": passed,
    }
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"notifications-{datetime.now():%Y%m%d-%H%M%S}.json").write_text(
        json.dumps(results, indent=2)
    )
    return results


if __name__ == "__main__":
    raise SystemExit(main())
