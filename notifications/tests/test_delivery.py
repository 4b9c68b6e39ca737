"""Delivery of outbox rows: each pending row is sent at most once, a failed send comes back
later with exponential backoff until the attempts run out, the Celery task leaves retries to the
sweep when it runs eagerly, a broker that is down loses nothing, and writing the rows of a step
costs a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import smtplib

import pytest
from celery.app.task import Task as CeleryTask
from celery.exceptions import Retry
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from kombu.exceptions import OperationalError

from accounts import sms
from accounts.tests.factories import UserFactory
from dossiers import workflow
from dossiers.constants import Status
from dossiers.models import Dossier, DossierEvent
from dossiers.tests.factories import DossierFactory, published_procedure
from notifications import services, tasks
from notifications.constants import Kind, NotifyChannel, State
from notifications.messages import render
from notifications.models import Notification, NotificationPreference
from notifications.services import QUEUE_GRACE, backoff_seconds, notification_deliver
from notifications.sms import without_diacritics
from notifications.tests.factories import NotificationFactory
from procedures.tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db

BROKEN_BACKEND = "notifications.tests.test_delivery.BrokenBackend"


class BrokenBackend(BaseEmailBackend):
    """An SMTP server that refuses every message."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPException("421 mail server down")


def deliver(row: Notification) -> str:
    return notification_deliver(notification_id=row.pk).result


def fresh(row: Notification) -> Notification:
    row.refresh_from_db()
    return row


# --- a pending row is sent once ------------------------------------------------------------------


def test_a_pending_email_is_sent_once_to_its_recipient_with_its_subject():
    row = NotificationFactory()
    expected = render(row.kind, row.context, row.recipient.language)

    outcome = notification_deliver(notification_id=row.pk)

    assert outcome.result == "sent" and outcome.retry_in is None
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [row.recipient.email]
    assert email.subject == expected.subject and "000.00.00.H57-261123-0001" in email.subject
    assert email.extra_headers["X-Portal-Notification"] == str(row.pk)
    assert f"https://dichvucong.example.vn{row.context['path']}" in email.body
    row = fresh(row)
    assert (row.state, row.attempts, row.last_error) == (State.SENT, 1, "")
    assert row.sent_at is not None


def test_delivering_twice_sends_once():
    row = NotificationFactory()

    first, second = deliver(row), deliver(row)

    assert (first, second) == ("sent", "skipped")
    assert len(mail.outbox) == 1
    assert fresh(row).attempts == 1


def test_the_task_run_twice_sends_once():
    row = NotificationFactory()

    first = tasks.deliver_notification.apply(args=[row.pk]).get()
    second = tasks.deliver_notification.apply(args=[row.pk]).get()

    assert (first, second) == ("sent", "skipped")
    assert len(mail.outbox) == 1
    assert fresh(row).state == State.SENT


@pytest.mark.parametrize("state", ["sent", "held", "failed", "sending", "inapp"])
def test_a_row_that_is_not_pending_is_never_sent(state):
    """Sent, held for the digest, failed for good, being sent by another worker, in-app."""
    row = NotificationFactory(**{state: True})
    before = (row.state, row.attempts, row.last_error)

    assert deliver(row) == "skipped"

    assert mail.outbox == [] and sms.outbox == []
    row = fresh(row)
    assert (row.state, row.attempts, row.last_error) == before


def test_a_row_claimed_by_another_worker_is_left_to_it():
    """Another task claimed the row (pending → sending) a moment ago: this one does nothing, and
    the row stays the other worker's to finish."""
    row = NotificationFactory()
    Notification.objects.filter(pk=row.pk, state=State.PENDING).update(
        state=State.SENDING, attempts=1
    )

    assert tasks.deliver_notification.apply(args=[row.pk]).get() == "skipped"

    assert mail.outbox == []
    assert (fresh(row).state, row.attempts) == (State.SENDING, 1)


def test_a_row_that_does_not_exist_is_skipped():
    assert notification_deliver(notification_id=987654).result == "skipped"


# --- failures, backoff, giving up ----------------------------------------------------------------


def test_a_failed_send_goes_back_to_pending_a_minute_later(settings):
    settings.EMAIL_BACKEND = BROKEN_BACKEND
    row = NotificationFactory()

    before = timezone.now()
    outcome = notification_deliver(notification_id=row.pk)
    after = timezone.now()

    assert (outcome.result, outcome.retry_in) == ("retry", 60)
    row = fresh(row)
    assert (row.state, row.attempts) == (State.PENDING, 1)
    assert "SMTPException" in row.last_error and "mail server down" in row.last_error
    assert before + dt.timedelta(seconds=60) <= row.next_attempt_at
    assert row.next_attempt_at <= after + dt.timedelta(seconds=60)
    assert row.sent_at is None


def test_the_retry_after_a_failure_sends_and_clears_the_error(settings):
    settings.EMAIL_BACKEND = BROKEN_BACKEND
    row = NotificationFactory()
    assert deliver(row) == "retry"

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert deliver(row) == "sent"

    row = fresh(row)
    assert (row.state, row.attempts, row.last_error) == (State.SENT, 2, "")
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("attempts", "seconds"),
    [(0, 60), (1, 60), (2, 120), (3, 240), (4, 480), (5, 960), (6, 1920), (7, 3600), (30, 3600)],
)
def test_backoff_doubles_from_a_minute_up_to_an_hour(attempts, seconds):
    assert backoff_seconds(attempts) == seconds


def test_each_failure_waits_twice_as_long_as_the_one_before(settings):
    settings.EMAIL_BACKEND = BROKEN_BACKEND
    settings.NOTIFICATION_MAX_ATTEMPTS = 10
    row = NotificationFactory()

    waits, gaps = [], []
    for _ in range(4):
        before = timezone.now()
        outcome = notification_deliver(notification_id=row.pk)
        row = fresh(row)
        assert row.state == State.PENDING
        waits.append(outcome.retry_in)
        gaps.append(round((row.next_attempt_at - before).total_seconds()))

    assert waits == [60, 120, 240, 480]
    assert gaps == waits  # next_attempt_at is the backoff after the failure
    assert row.attempts == 4


def test_after_the_last_attempt_the_row_fails_for_good(settings):
    settings.EMAIL_BACKEND = BROKEN_BACKEND
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    row = NotificationFactory()

    outcomes = [deliver(row) for _ in range(3)]

    assert outcomes == ["retry", "retry", "failed"]
    row = fresh(row)
    assert (row.state, row.attempts) == (State.FAILED, 3)
    assert "mail server down" in row.last_error

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert deliver(row) == "skipped"  # no more attempts, even once the server is back
    assert mail.outbox == [] and fresh(row).attempts == 3


def test_a_row_is_tried_notification_max_attempts_times_in_all(settings):
    settings.EMAIL_BACKEND = BROKEN_BACKEND
    most = settings.NOTIFICATION_MAX_ATTEMPTS  # 6 unless the environment says otherwise
    row = NotificationFactory()

    outcomes = [deliver(row) for _ in range(most + 1)]

    assert outcomes == ["retry"] * (most - 1) + ["failed", "skipped"]
    assert (fresh(row).state, row.attempts) == (State.FAILED, most)


def test_a_recipient_whose_email_was_removed_fails_at_once():
    row = NotificationFactory()
    row.recipient.email = ""  # as allauth does when the address is removed: a stand-in is kept
    row.recipient.save()

    assert deliver(row) == "failed"

    row = fresh(row)
    assert (row.state, row.attempts) == (State.FAILED, 1)
    assert "no email address" in row.last_error
    assert mail.outbox == []


def test_a_recipient_whose_phone_was_removed_fails_at_once_on_sms():
    row = NotificationFactory(sms=True, recipient=UserFactory(phone=None))

    assert deliver(row) == "failed"

    assert "no phone number" in fresh(row).last_error and row.state == State.FAILED
    assert sms.outbox == []


# --- SMS ------------------------------------------------------------------------------------------


def test_an_sms_row_is_texted_without_diacritics_by_default():
    citizen = UserFactory(with_phone=True)
    row = NotificationFactory(sms=True, recipient=citizen, kind=Kind.DRAFT_REMINDER)
    written = render(row.kind, row.context, citizen.language).sms
    assert "Đăng ký khai sinh" in written  # the procedure's name has diacritics to lose

    assert deliver(row) == "sent"

    assert len(sms.outbox) == 1
    texted = sms.outbox[0]
    assert texted.phone == citizen.phone
    assert texted.text == without_diacritics(written)
    assert "Dang ky khai sinh" in texted.text and texted.text.isascii()
    assert mail.outbox == []
    assert fresh(row).state == State.SENT


def test_an_sms_keeps_its_diacritics_when_the_gateway_is_paid_for_unicode(settings):
    settings.SMS_UNICODE = True
    citizen = UserFactory(with_phone=True)
    row = NotificationFactory(sms=True, recipient=citizen, kind=Kind.DRAFT_REMINDER)

    assert deliver(row) == "sent"

    assert "Đăng ký khai sinh" in sms.outbox[0].text


def test_a_failing_sms_gateway_is_retried_like_email(settings):
    settings.SMS_BACKEND = "notifications.tests.test_delivery.BrokenSms"
    row = NotificationFactory(sms=True, recipient=UserFactory(with_phone=True))

    assert deliver(row) == "retry"

    row = fresh(row)
    assert (row.state, row.attempts) == (State.PENDING, 1)
    assert "SmsError" in row.last_error and "503" in row.last_error


class BrokenSms:
    def send(self, phone, message):
        from notifications.sms import SmsError

        raise SmsError("SMS gateway answered 503")


# --- the Celery task ------------------------------------------------------------------------------


def test_run_eagerly_the_task_leaves_the_retry_to_the_sweep(settings):
    """Without a broker (eager), raising Retry would re-run the task at once, in the request:
    the row waits pending for its next attempt instead."""
    settings.EMAIL_BACKEND = BROKEN_BACKEND
    row = NotificationFactory()
    before = timezone.now()

    result = tasks.deliver_notification.apply(args=[row.pk])

    assert result.state == "SUCCESS" and result.get() == "retry"
    row = fresh(row)
    assert (row.state, row.attempts) == (State.PENDING, 1)
    assert row.next_attempt_at >= before + dt.timedelta(seconds=60)
    assert mail.outbox == []


def _as_a_worker(monkeypatch, task) -> list[dict]:
    """Run ``task`` as a worker runs it (not eager), its ``retry`` recorded instead of sent to
    a broker; Celery's own ``retry`` returns a ``Retry`` for the task to raise, like this one."""
    calls: list[dict] = []

    def retry(**options):
        calls.append(options)
        return Retry(f"Retry in {options.get('countdown')}s", when=options.get("countdown"))

    monkeypatch.setattr(task, "retry", retry)
    task.push_request(is_eager=False)
    return calls


@pytest.fixture
def retries(monkeypatch):
    yield _as_a_worker(monkeypatch, tasks.deliver_notification)
    tasks.deliver_notification.pop_request()


@pytest.fixture
def batch_retries(monkeypatch):
    yield _as_a_worker(monkeypatch, tasks.deliver_notifications)
    tasks.deliver_notifications.pop_request()


def test_run_by_a_worker_the_task_asks_celery_to_retry_after_the_backoff(settings, retries):
    settings.EMAIL_BACKEND = BROKEN_BACKEND
    row = NotificationFactory()

    for _ in range(3):
        with pytest.raises(Retry):
            tasks.deliver_notification.run(row.pk)

    assert [call["countdown"] for call in retries] == [60, 120, 240]
    assert all(call["max_retries"] is None for call in retries)  # the row counts attempts
    assert (fresh(row).state, row.attempts) == (State.PENDING, 3)


def test_run_by_a_worker_the_task_does_not_retry_a_sent_or_failed_row(settings, retries):
    row = NotificationFactory()
    assert tasks.deliver_notification.run(row.pk) == "sent"
    assert tasks.deliver_notification.run(row.pk) == "skipped"

    settings.EMAIL_BACKEND = BROKEN_BACKEND
    settings.NOTIFICATION_MAX_ATTEMPTS = 1
    doomed = NotificationFactory()
    assert tasks.deliver_notification.run(doomed.pk) == "failed"

    assert retries == []


def test_a_batch_sends_each_pending_row_once_and_skips_the_rest():
    pending = [NotificationFactory() for _ in range(3)]
    done = NotificationFactory(sent=True)
    texted = NotificationFactory(sms=True, recipient=UserFactory(with_phone=True))
    ids = [row.pk for row in (*pending, done, texted)]

    first = tasks.deliver_notifications.apply(args=[ids]).get()
    second = tasks.deliver_notifications.apply(args=[ids]).get()

    assert (first, second) == ({"sent": 4}, {"sent": 0})
    assert sorted(email.to[0] for email in mail.outbox) == sorted(
        row.recipient.email for row in pending
    )
    assert [text.phone for text in sms.outbox] == [texted.recipient.phone]
    assert {fresh(row).state for row in (*pending, texted)} == {State.SENT}
    assert fresh(done).attempts == 1


def test_in_a_batch_each_failure_is_the_rows_own():
    good = NotificationFactory()
    no_address = NotificationFactory()
    no_address.recipient.email = ""
    no_address.recipient.save()
    no_phone = NotificationFactory(sms=True, recipient=UserFactory(phone=None))

    outcomes = services.notifications_deliver(ids=[no_address.pk, good.pk, no_phone.pk])

    assert {pk: outcome.result for pk, outcome in outcomes.items()} == {
        no_address.pk: "failed",
        good.pk: "sent",
        no_phone.pk: "failed",
    }
    assert [email.to for email in mail.outbox] == [[good.recipient.email]]
    assert (fresh(good).state, fresh(no_address).state) == (State.SENT, State.FAILED)


def test_run_by_a_worker_a_batch_retries_its_failed_rows_after_the_shortest_backoff(
    settings, batch_retries
):
    settings.EMAIL_BACKEND = BROKEN_BACKEND
    first_try = NotificationFactory()
    third_try = NotificationFactory(attempts=2)
    done = NotificationFactory(sent=True)

    with pytest.raises(Retry):
        tasks.deliver_notifications.run([third_try.pk, done.pk, first_try.pk])

    assert len(batch_retries) == 1
    assert batch_retries[0]["args"] == [sorted([first_try.pk, third_try.pk])]
    assert batch_retries[0]["countdown"] == 60  # 60 s for the first; 240 s for the third
    assert (fresh(third_try).attempts, fresh(first_try).attempts) == (3, 1)


def test_run_by_a_worker_a_batch_that_sent_everything_does_not_retry(batch_retries):
    rows = [NotificationFactory() for _ in range(2)]

    assert tasks.deliver_notifications.run([row.pk for row in rows]) == {"sent": 2}
    assert batch_retries == []


# --- the broker down ------------------------------------------------------------------------------


def test_a_step_commits_when_the_broker_is_down_and_the_sweep_delivers_later(
    monkeypatch, django_capture_on_commit_callbacks
):
    agency = AgencyFactory()
    procedure = published_procedure(agency=agency, name="Đăng ký khai sinh")
    citizen = UserFactory(with_profile=True, with_phone=True)
    intake = UserFactory(officer=True, agency=agency, totp=True)
    dossier = DossierFactory(procedure=procedure, applicant=citizen, submitted=True)
    publishes = []

    def broker_down(task, *args, **kwargs):
        """Every publish fails, as with the broker down; the outbox's publishes are counted."""
        if task.name.startswith("notifications."):
            publishes.append(task.name)
        raise OperationalError("[Errno 111] Connection refused")

    with monkeypatch.context() as patched:
        patched.setattr(CeleryTask, "apply_async", broker_down)
        with django_capture_on_commit_callbacks(execute=True):
            workflow.dossier_receive(dossier=dossier, actor=intake)

    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED and dossier.due_at is not None
    waiting = Notification.objects.filter(recipient=citizen, state=State.PENDING)
    assert {row.channel for row in waiting} == {NotifyChannel.EMAIL, NotifyChannel.SMS}
    assert all(row.kind == Kind.RECEIVED and row.attempts == 0 for row in waiting)
    assert Notification.objects.get(recipient=citizen, channel=NotifyChannel.INAPP).state == (
        State.SENT
    )  # the centre shows it at once
    assert len(publishes) == 1  # one failed publish for the commit, not one per row
    assert mail.outbox == [] and sms.outbox == []

    # The broker is back; the sweep, past the grace period, queues what was never queued.
    later = timezone.now() + QUEUE_GRACE + dt.timedelta(seconds=1)
    with django_capture_on_commit_callbacks(execute=True):
        swept = services.outbox_sweep(now=later)
    with django_capture_on_commit_callbacks(execute=True):
        again = services.outbox_sweep(now=later + QUEUE_GRACE * 3)

    assert swept == {"requeued": 2, "interrupted": 0}
    assert again == {"requeued": 0, "interrupted": 0}
    assert [email.to for email in mail.outbox] == [[citizen.email]]
    assert [text.phone for text in sms.outbox] == [citizen.phone]
    assert set(waiting.values_list("state", flat=True)) == set()  # no row left pending
    assert Notification.objects.filter(recipient=citizen, state=State.SENT).count() == 3


def test_with_the_broker_down_a_large_commit_costs_one_failed_publish(
    monkeypatch, django_capture_on_commit_callbacks
):
    """More rows than one task carries: the first publish fails, the others are not tried."""
    citizens = [UserFactory() for _ in range(services.DELIVERY_BATCH + 10)]
    publishes = []

    def broker_down(task, *args, **kwargs):
        publishes.append(task.name)
        raise OperationalError("[Errno 111] Connection refused")

    with monkeypatch.context() as patched:
        patched.setattr(CeleryTask, "apply_async", broker_down)
        with django_capture_on_commit_callbacks(execute=True):
            services.notify(
                kind=Kind.AGENCY_MESSAGE,
                recipients=citizens,
                key="message:1",
                context={"code": "X", "message": "Lịch làm việc thay đổi", "path": "/"},
            )

    assert len(publishes) == 1
    assert Notification.objects.filter(state=State.PENDING).count() == len(citizens)

    with django_capture_on_commit_callbacks(execute=True):
        swept = services.outbox_sweep(now=timezone.now() + QUEUE_GRACE + dt.timedelta(seconds=1))
    assert swept["requeued"] == len(citizens)
    assert sorted(email.to[0] for email in mail.outbox) == sorted(c.email for c in citizens)
    assert not Notification.objects.filter(state=State.PENDING).exists()


def test_rows_written_in_a_rolled_back_step_are_never_sent(django_capture_on_commit_callbacks):
    """The outbox commits or rolls back with the step: nothing is queued for a step that
    failed."""
    citizen = UserFactory()

    class StepFailed(Exception):
        pass

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(StepFailed),
        transaction.atomic(),
    ):
        services.notify(kind=Kind.AGENCY_MESSAGE, recipients=[citizen], key="message:1", context={})
        raise StepFailed

    assert callbacks == []
    assert not Notification.objects.filter(recipient=citizen).exists()
    assert mail.outbox == []


def test_notify_queues_each_pending_row_once_after_commit(django_capture_on_commit_callbacks):
    citizen = UserFactory(with_phone=True)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        rows = services.notify(
            kind=Kind.AGENCY_MESSAGE,
            recipients=[citizen, citizen, None],  # the same person twice, and nobody
            key="message:7",
            context={"code": "X", "message": "Mời ông đến nhận kết quả", "path": "/ho-so/"},
        )
        assert mail.outbox == []  # nothing goes before commit

    assert len(callbacks) == 1
    assert {row.channel for row in rows} == {"inapp", "email", "sms"} and len(rows) == 3
    assert len(mail.outbox) == 1 and len(sms.outbox) == 1
    assert set(Notification.objects.values_list("state", flat=True)) == {State.SENT}


# --- query caps -----------------------------------------------------------------------------------


def _desk(agency, size: int) -> list:
    """``size`` desk officers: intake officers and a leader, some with their own settings."""
    officers = [UserFactory(leader=True, agency=agency)]
    officers += [UserFactory(officer=True, agency=agency) for _ in range(size - 1)]
    for officer in officers[::2]:
        NotificationPreference.objects.create(user=officer, sms=True)
        officer.phone = f"+84981{officer.pk:06d}"
        officer.save()
    return officers


def _submission_queries(size: int) -> tuple[int, list[Notification]]:
    """The queries ``notify_event`` makes for one submission to a desk of ``size`` officers,
    the dossier loaded as a workflow step loads it."""
    agency = AgencyFactory()
    _desk(agency, size)
    procedure = published_procedure(agency=agency)
    dossier = DossierFactory(procedure=procedure, submitted=True)
    event = DossierEvent.objects.create(  # the event alone: the signal would notify already
        dossier=dossier,
        actor=dossier.applicant,
        actor_role="citizen",
        action="submit",
        from_status=Status.DRAFT,
        to_status=Status.SUBMITTED,
    )
    dossier = Dossier.objects.select_related("procedure", "agency", "version", "applicant").get(
        pk=dossier.pk
    )
    with CaptureQueriesContext(connection) as queries:
        rows = services.notify_event(dossier=dossier, event=event)
    return len(queries), rows


def test_notifying_a_desk_takes_the_same_few_queries_whatever_its_size(
    django_assert_max_num_queries,
):
    small, small_rows = _submission_queries(3)
    large, large_rows = _submission_queries(10)

    def officers(rows):
        return {row.recipient_id for row in rows if row.kind == Kind.NEW_DOSSIER}

    assert (len(officers(small_rows)), len(officers(large_rows))) == (3, 10)
    assert len(large_rows) > len(small_rows)
    assert large == small

    agency = AgencyFactory()
    _desk(agency, 3)
    dossier = DossierFactory(procedure=published_procedure(agency=agency), submitted=True)
    event = DossierEvent.objects.create(
        dossier=dossier,
        actor=dossier.applicant,
        actor_role="citizen",
        action="submit",
        from_status=Status.DRAFT,
        to_status=Status.SUBMITTED,
    )
    dossier = Dossier.objects.select_related("procedure", "agency", "version", "applicant").get(
        pk=dossier.pk
    )
    with django_assert_max_num_queries(6):
        services.notify_event(dossier=dossier, event=event)
