"""The outbox against a real broker and a real worker: a Redis server this test starts on its own
port, and Celery's test worker (``celery.contrib.testing.worker``) in a thread.

- A status change produces exactly one email, delivered by the worker.
- With the broker stopped, officers' steps still succeed at once; their notifications wait in
  the outbox; once the broker is back, the sweep queues them and each is delivered exactly once.
"""

from __future__ import annotations

import datetime as dt
import socket
import subprocess
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.utils import timezone

from accounts.tests.factories import UserFactory
from dossiers import workflow
from dossiers.constants import Status
from dossiers.tests.factories import DossierFactory
from notifications.constants import NotifyChannel, State
from notifications.models import Notification
from notifications.services import QUEUE_GRACE, outbox_sweep
from portal.celery import app

pytestmark = [pytest.mark.redis_server, pytest.mark.django_db(transaction=True)]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """A throw-away redis-server on 127.0.0.1:<port>, keeping nothing on disk."""

    def __init__(self, port: int):
        self.port = port
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait(lambda: self._answers(), "redis-server to start", timeout=10)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None
        _wait(lambda: not self._answers(), "redis-server to stop", timeout=10)

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False


def _wait(condition, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"Timed out after {timeout}s waiting for {what}")


@pytest.fixture
def redis_server():
    server = RedisServer(_free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def live_worker(redis_server, settings):
    """The portal's Celery app pointed at the test's Redis, not eager, with a worker thread.

    The app's connection and producer pools are set aside and put back afterwards, untouched:
    even eager tasks take a producer from them (and kombu keeps producer pools per broker
    address), so closing them would break every later test's tasks."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    saved_conf = {name: app.conf[name] for name in ("broker_url", "task_always_eager")}
    saved_pools = (app._pool, app.amqp._producer_pool)
    app._pool = app.amqp._producer_pool = None
    app.conf.update(broker_url=redis_server.url, task_always_eager=False)
    try:
        with start_worker(
            app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=30
        ) as worker:
            yield worker
    finally:
        test_pool = app._pool
        app.conf.update(saved_conf)
        app._pool, app.amqp._producer_pool = saved_pools
        if test_pool is not None:
            test_pool.force_close_all()


def _citizen_reachable_by_email_only():
    return UserFactory(with_profile=True)  # an email, no phone: one message = one email


def _sent_emails_to(user) -> list:
    return [message for message in mail.outbox if user.email in message.to]


def test_a_status_change_produces_exactly_one_email(live_worker, procedure, intake):
    citizen = _citizen_reachable_by_email_only()
    dossier = DossierFactory(submitted=True, applicant=citizen, procedure=procedure)
    mail.outbox.clear()

    workflow.dossier_receive(dossier=dossier, actor=intake)

    _wait(lambda: _sent_emails_to(citizen), "the worker to send the email")
    time.sleep(1.5)  # time for a duplicate, if the design allowed one
    emails = _sent_emails_to(citizen)
    assert len(emails) == 1
    assert dossier.code in emails[0].subject
    row = Notification.objects.get(recipient=citizen, channel=NotifyChannel.EMAIL)
    assert (row.state, row.attempts) == (State.SENT, 1)


def test_with_the_broker_down_steps_succeed_and_notifications_arrive_once_after(
    live_worker, redis_server, procedure, intake
):
    citizens = [_citizen_reachable_by_email_only() for _ in range(3)]
    dossiers = [
        DossierFactory(submitted=True, applicant=citizen, procedure=procedure)
        for citizen in citizens
    ]
    mail.outbox.clear()
    redis_server.stop()

    for dossier in dossiers:
        started = time.monotonic()
        workflow.dossier_receive(dossier=dossier, actor=intake)
        # The step waits for no broker: the publish gives up within about a second.
        assert time.monotonic() - started < 5

    for dossier in dossiers:
        dossier.refresh_from_db()
        assert dossier.status == Status.RECEIVED
    waiting = Notification.objects.filter(channel=NotifyChannel.EMAIL, recipient__in=citizens)
    assert [row.state for row in waiting] == [State.PENDING] * 3
    assert not any(_sent_emails_to(citizen) for citizen in citizens)

    redis_server.start()  # the same port: the worker reconnects by itself
    later = timezone.now() + QUEUE_GRACE + dt.timedelta(seconds=1)
    assert outbox_sweep(now=later)["requeued"] >= 3

    _wait(
        lambda: all(_sent_emails_to(citizen) for citizen in citizens),
        "the worker to deliver what waited",
        timeout=90,
    )
    # A second sweep finds nothing to send again, and nothing arrives twice.
    assert outbox_sweep(now=later + QUEUE_GRACE * 2)["requeued"] == 0
    time.sleep(1.5)
    assert [len(_sent_emails_to(citizen)) for citizen in citizens] == [1, 1, 1]
    assert set(waiting.values_list("state", flat=True)) == {State.SENT}
