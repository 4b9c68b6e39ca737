"""The periodic work of the outbox: the sweep that re-queues what was never delivered and fails
what a dead worker left half-sent, the officers' daily digests, the deadline scan and the
reminders of forgotten drafts. Time is moved by passing ``now=`` to the services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts import sms
from accounts.tests.factories import UserFactory
from dossiers.constants import Status
from dossiers.models import Dossier
from dossiers.signals import record_event
from dossiers.tests.factories import DossierFactory
from notifications import tasks
from notifications.constants import DigestMode, Kind, NotifyChannel, State
from notifications.messages import render
from notifications.models import Notification, NotificationPreference, Reminder
from notifications.services import (
    QUEUE_GRACE,
    SENDING_TIMEOUT,
    deadlines_scan,
    digests_send,
    drafts_remind,
    outbox_sweep,
)
from notifications.tests.factories import NotificationFactory
from procedures.models import Holiday
from procedures.selectors import work_calendar
from procedures.tests.factories import AgencyFactory
from procedures.workdays import LOCAL_TZ

pytestmark = pytest.mark.django_db

MINUTE = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)


def fresh(row):
    row.refresh_from_db()
    return row


# --- the outbox sweep -----------------------------------------------------------------------------


def test_the_sweep_requeues_pending_rows_nobody_delivered(django_capture_on_commit_callbacks):
    now = timezone.now()
    lost = NotificationFactory(next_attempt_at=now - QUEUE_GRACE - MINUTE)
    recent = NotificationFactory(next_attempt_at=now - 2 * MINUTE)
    backing_off = NotificationFactory(next_attempt_at=now + 10 * MINUTE, attempts=2)

    with django_capture_on_commit_callbacks(execute=True):
        result = outbox_sweep(now=now)

    assert result == {"requeued": 1, "interrupted": 0}
    assert [email.to for email in mail.outbox] == [[lost.recipient.email]]
    assert fresh(lost).state == State.SENT
    for row, due in ((recent, now - 2 * MINUTE), (backing_off, now + 10 * MINUTE)):
        row = fresh(row)
        assert (row.state, row.next_attempt_at) == (State.PENDING, due)


def test_a_requeued_row_is_not_requeued_by_the_next_sweep(django_capture_on_commit_callbacks):
    """The broker has it now: the row is due again only after another grace period (if the
    broker lost it again, the sweep after that queues it again)."""
    now = timezone.now()
    lost = NotificationFactory(next_attempt_at=now - HOUR)

    with django_capture_on_commit_callbacks() as first:  # queued, not yet run by a worker
        assert outbox_sweep(now=now)["requeued"] == 1
    assert fresh(lost).next_attempt_at == now and lost.state == State.PENDING

    with django_capture_on_commit_callbacks() as second:
        assert outbox_sweep(now=now + MINUTE)["requeued"] == 0
    with django_capture_on_commit_callbacks() as third:
        assert outbox_sweep(now=now + QUEUE_GRACE)["requeued"] == 1

    assert (len(first), len(second), len(third)) == (1, 0, 1)


def test_rows_stuck_in_sending_fail_and_are_not_sent_again(django_capture_on_commit_callbacks):
    now = timezone.now()
    dead = NotificationFactory(sending=True, next_attempt_at=now - SENDING_TIMEOUT - MINUTE)
    busy = NotificationFactory(sending=True, next_attempt_at=now - 10 * MINUTE)

    with django_capture_on_commit_callbacks(execute=True):
        result = outbox_sweep(now=now)

    assert result == {"requeued": 0, "interrupted": 1}
    dead = fresh(dead)
    assert dead.state == State.FAILED
    assert "may or may not have arrived" in dead.last_error
    assert fresh(busy).state == State.SENDING  # its worker may still finish it
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_sweep(now=now + HOUR) == {"requeued": 0, "interrupted": 1}  # busy's turn
    assert fresh(dead).state == State.FAILED and mail.outbox == []


@pytest.mark.parametrize("state", ["inapp", "held", "sent", "failed"])
def test_the_sweep_leaves_rows_that_are_not_pending_or_sending(
    state, django_capture_on_commit_callbacks
):
    now = timezone.now()
    row = NotificationFactory(**{state: True}, next_attempt_at=now - 2 * HOUR)
    before = Notification.objects.values().get(pk=row.pk)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert outbox_sweep(now=now) == {"requeued": 0, "interrupted": 0}

    assert callbacks == []
    assert Notification.objects.values().get(pk=row.pk) == before
    assert mail.outbox == [] and sms.outbox == []


def test_the_sweep_takes_at_most_limit_rows_oldest_first(django_capture_on_commit_callbacks):
    now = timezone.now()
    rows = [NotificationFactory(next_attempt_at=now - (10 + n) * MINUTE) for n in range(5)]

    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_sweep(now=now, limit=2)["requeued"] == 2

    oldest = {rows[4].recipient.email, rows[3].recipient.email}
    assert {email.to[0] for email in mail.outbox} == oldest and len(mail.outbox) == 2
    assert [fresh(row).state for row in rows] == [State.PENDING] * 3 + [State.SENT] * 2
    assert fresh(rows[0]).next_attempt_at == now - 10 * MINUTE  # untouched


def test_the_beat_task_runs_the_sweep():
    row = NotificationFactory(sending=True, next_attempt_at=timezone.now() - 2 * SENDING_TIMEOUT)

    assert tasks.sweep_outbox.apply().get()["interrupted"] == 1
    assert fresh(row).state == State.FAILED


# --- daily digests --------------------------------------------------------------------------------


def _submit(dossier, citizen):
    """The citizen submits (the event and its notifications; the status is already set)."""
    return record_event(dossier=dossier, actor=citizen, action="submit", from_status=Status.DRAFT)


@pytest.fixture
def daily(intake):
    NotificationPreference.objects.create(user=intake, digest=DigestMode.DAILY)
    return intake


def test_an_officer_on_a_daily_digest_gets_one_email_for_the_day(
    daily, leader, procedure, citizen, django_capture_on_commit_callbacks
):
    dossiers = [
        DossierFactory(procedure=procedure, applicant=citizen, submitted=True) for _ in range(3)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        for dossier in dossiers:
            _submit(dossier, citizen)

    held = Notification.objects.filter(recipient=daily, state=State.HELD)
    assert held.count() == 3
    assert {(row.kind, row.channel) for row in held} == {(Kind.NEW_DOSSIER, NotifyChannel.EMAIL)}
    centre = Notification.objects.filter(recipient=daily, channel=NotifyChannel.INAPP)
    assert [row.state for row in centre] == [State.SENT] * 3  # the centre shows them at once
    officers_mail = [email.to[0] for email in mail.outbox if email.to[0] != citizen.email]
    assert officers_mail == [leader.email] * 3  # the leader hears at once, ``daily`` does not

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert digests_send() == 1

    digest = Notification.objects.get(recipient=daily, kind=Kind.DIGEST)
    assert (digest.channel, digest.state) == (NotifyChannel.EMAIL, State.SENT)
    assert digest.context["count"] == 3
    rows = list(Notification.objects.filter(recipient=daily, channel=NotifyChannel.EMAIL))
    items = [row for row in rows if row.kind == Kind.NEW_DOSSIER]
    assert {(row.state, row.digest_id) for row in items} == {(State.DIGESTED, digest.pk)}
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [daily.email]
    entries = [[row.kind, row.context] for row in sorted(items, key=lambda row: row.pk)]
    assert email.subject == render(Kind.DIGEST, {"entries": entries}, daily.language).subject
    assert "3" in email.subject
    for dossier in dossiers:
        subject = render(Kind.NEW_DOSSIER, {"code": dossier.code}, daily.language).subject
        assert subject in email.body

    with django_capture_on_commit_callbacks(execute=True):
        assert digests_send() == 0
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(kind=Kind.DIGEST).count() == 1


def test_a_digest_per_officer_and_channel(
    daily, agency, procedure, citizen, django_capture_on_commit_callbacks
):
    texter = UserFactory(officer=True, agency=agency, with_phone=True)
    NotificationPreference.objects.create(user=texter, sms=True, digest=DigestMode.DAILY)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            dossier = DossierFactory(procedure=procedure, applicant=citizen, submitted=True)
            _submit(dossier, citizen)
    officers = {daily.email, texter.email, texter.phone}
    assert not officers & {email.to[0] for email in mail.outbox}  # both on the digest
    assert texter.phone not in {text.phone for text in sms.outbox}

    mail.outbox.clear()
    sms.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert digests_send() == 3  # daily: email; texter: email and SMS

    digests = Notification.objects.filter(kind=Kind.DIGEST)
    assert sorted((row.recipient_id, row.channel) for row in digests) == sorted(
        [
            (daily.pk, NotifyChannel.EMAIL),
            (texter.pk, NotifyChannel.EMAIL),
            (texter.pk, NotifyChannel.SMS),
        ]
    )
    assert all(row.items.count() == 2 for row in digests)
    assert sorted(email.to[0] for email in mail.outbox) == sorted([daily.email, texter.email])
    assert [text.phone for text in sms.outbox] == [texter.phone]
    assert "2" in sms.outbox[0].text


def test_citizens_are_never_held_for_a_digest(
    intake, procedure, citizen, django_capture_on_commit_callbacks
):
    NotificationPreference.objects.create(user=citizen, digest=DigestMode.DAILY)  # by mistake
    dossier = DossierFactory(procedure=procedure, applicant=citizen, processing=True)

    with django_capture_on_commit_callbacks(execute=True):
        record_event(dossier=dossier, actor=intake, action="receive", from_status=Status.SUBMITTED)

    assert not Notification.objects.filter(recipient=citizen, state=State.HELD).exists()
    assert [email.to for email in mail.outbox] == [[citizen.email]]
    assert [text.phone for text in sms.outbox] == [citizen.phone]
    assert digests_send() == 0


# --- the deadline scan ----------------------------------------------------------------------------

# Wednesday 25 November 2026, 09:00 in Huế: an ordinary working week.
NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=LOCAL_TZ)


def alerted(kind=None):
    """Who got an alert in the centre: {(kind, recipient id)}."""
    rows = Notification.objects.filter(
        channel=NotifyChannel.INAPP, kind__in=[Kind.DUE_SOON, Kind.OVERDUE]
    )
    if kind:
        rows = rows.filter(kind=kind)
    return {(row.kind, row.recipient_id) for row in rows}


def test_an_overdue_dossier_alerts_its_officer_and_the_agency_leaders(
    procedure, intake, specialist, leader, elsewhere, django_capture_on_commit_callbacks
):
    other_leader = UserFactory(leader=True, agency=AgencyFactory())
    dossier = DossierFactory(
        procedure=procedure, processing=True, assigned_to=specialist, due_at=NOW - 2 * HOUR
    )

    with django_capture_on_commit_callbacks(execute=True):
        counts = deadlines_scan(now=NOW)

    assert counts == {"overdue": 1, "due_soon": 0}
    assert alerted() == {(Kind.OVERDUE, specialist.pk), (Kind.OVERDUE, leader.pk)}
    assert other_leader.pk not in {pk for _kind, pk in alerted()}
    assert sorted(email.to[0] for email in mail.outbox) == sorted([specialist.email, leader.email])
    assert all(dossier.code in email.subject for email in mail.outbox)
    reminder = Reminder.objects.get(dossier=dossier)
    assert (reminder.level, reminder.moment) == (Reminder.Level.OVERDUE, dossier.due_at)


def test_deadline_alerts_are_not_held_for_an_officers_daily_digest(
    procedure, specialist, django_capture_on_commit_callbacks
):
    """Tomorrow morning's digest would be too late for a dossier due today."""
    NotificationPreference.objects.create(user=specialist, digest=DigestMode.DAILY)
    DossierFactory(procedure=procedure, processing=True, assigned_to=specialist, due_at=NOW + HOUR)

    with django_capture_on_commit_callbacks(execute=True):
        deadlines_scan(now=NOW)

    email = Notification.objects.get(recipient=specialist, channel=NotifyChannel.EMAIL)
    assert (email.kind, email.state) == (Kind.DUE_SOON, State.SENT)
    assert [message.to for message in mail.outbox] == [[specialist.email]]


def test_an_unassigned_dossier_due_within_a_working_day_alerts_the_desk(
    procedure, intake, specialist, leader
):
    DossierFactory(procedure=procedure, received=True, due_at=NOW + 4 * HOUR)

    assert deadlines_scan(now=NOW) == {"overdue": 0, "due_soon": 1}

    assert alerted() == {(Kind.DUE_SOON, intake.pk), (Kind.DUE_SOON, leader.pk)}


def test_an_assigned_dossier_due_within_a_working_day_alerts_its_officer_only(
    procedure, intake, specialist, leader
):
    DossierFactory(procedure=procedure, processing=True, assigned_to=specialist, due_at=NOW + HOUR)

    deadlines_scan(now=NOW)

    assert alerted() == {(Kind.DUE_SOON, specialist.pk)}


@pytest.mark.parametrize("status", ["received", "processing", "awaiting_payment"])
def test_each_status_whose_clock_runs_is_scanned(status, procedure, intake, specialist):
    DossierFactory(procedure=procedure, assigned_to=specialist, due_at=NOW + HOUR, **{status: True})

    assert deadlines_scan(now=NOW)["due_soon"] == 1
    assert alerted() == {(Kind.DUE_SOON, specialist.pk)}


def test_a_dossier_due_in_five_working_days_is_not_alerted(procedure, intake, leader):
    due = work_calendar().add_working_days(NOW, 5)
    DossierFactory(procedure=procedure, received=True, due_at=due)
    DossierFactory(procedure=procedure, received=True, due_at=NOW + dt.timedelta(hours=30))

    assert deadlines_scan(now=NOW) == {"overdue": 0, "due_soon": 0}
    assert alerted() == set() and not Reminder.objects.exists()


@pytest.mark.parametrize("status", ["supplement", "processed", "returned", "stopped", "refused"])
def test_dossiers_whose_clock_does_not_run_are_not_alerted(status, procedure, intake, leader):
    """Papers to add (the clock is paused), result ready, handed over, finished."""
    DossierFactory(procedure=procedure, due_at=NOW - HOUR, **{status: True})
    DossierFactory(procedure=procedure, due_at=NOW + HOUR, **{status: True})

    assert deadlines_scan(now=NOW) == {"overdue": 0, "due_soon": 0}
    assert alerted() == set()


def test_a_dossier_is_alerted_once_per_level_and_due_date(procedure, intake, specialist, leader):
    dossier = DossierFactory(
        procedure=procedure, processing=True, assigned_to=specialist, due_at=NOW + 2 * HOUR
    )

    first = deadlines_scan(now=NOW)
    second = deadlines_scan(now=NOW + HOUR)
    overdue = deadlines_scan(now=NOW + 3 * HOUR)  # past the due date: a new level
    overdue_again = deadlines_scan(now=NOW + 5 * HOUR)

    assert [first["due_soon"], second["due_soon"]] == [1, 0]
    assert [overdue["overdue"], overdue_again["overdue"]] == [1, 0]
    counts = Notification.objects.filter(dossier=dossier, channel=NotifyChannel.INAPP)
    assert counts.filter(kind=Kind.DUE_SOON).count() == 1
    assert counts.filter(kind=Kind.OVERDUE).count() == 2  # the officer and the leader


def test_a_new_due_date_after_an_apology_is_alerted_again(procedure, intake, specialist):
    dossier = DossierFactory(
        procedure=procedure, processing=True, assigned_to=specialist, due_at=NOW + 2 * HOUR
    )
    assert deadlines_scan(now=NOW)["due_soon"] == 1

    # The apology (form 04) moves the due date three working days later.
    new_due = work_calendar().add_working_days(dossier.due_at, 3)
    Dossier.objects.filter(pk=dossier.pk).update(
        original_due_at=dossier.due_at, due_at=new_due, apologized_at=NOW
    )
    assert deadlines_scan(now=NOW) == {"overdue": 0, "due_soon": 0}  # not due soon any more

    before_new_due = new_due - HOUR
    assert deadlines_scan(now=before_new_due) == {"overdue": 0, "due_soon": 1}
    alerts = Notification.objects.filter(
        dossier=dossier, kind=Kind.DUE_SOON, channel=NotifyChannel.INAPP
    )
    assert alerts.count() == 2
    assert {dt.datetime.fromisoformat(row.context["due_at"]) for row in alerts} == {
        NOW + 2 * HOUR,
        new_due,
    }


def test_working_days_not_calendar_hours_decide_what_is_due_soon(procedure, intake, specialist):
    """Friday 16:00 to Monday 10:00 is four working hours; Wednesday 16:00 to Friday 10:00 is
    twelve (a working day is eight hours)."""
    friday = dt.datetime(2026, 11, 27, 16, 0, tzinfo=LOCAL_TZ)
    over_weekend = DossierFactory(
        procedure=procedure,
        received=True,
        assigned_to=specialist,
        due_at=dt.datetime(2026, 11, 30, 10, 0, tzinfo=LOCAL_TZ),
    )
    assert deadlines_scan(now=friday)["due_soon"] == 1
    assert Reminder.objects.get().dossier == over_weekend

    wednesday = dt.datetime(2026, 11, 25, 16, 0, tzinfo=LOCAL_TZ)
    Dossier.objects.filter(pk=over_weekend.pk).update(
        due_at=dt.datetime(2026, 11, 27, 10, 0, tzinfo=LOCAL_TZ)
    )
    assert deadlines_scan(now=wednesday)["due_soon"] == 0


def test_public_holidays_are_not_working_time(procedure, intake, specialist):
    """30 April and 1 May 2026 are holidays: Wednesday 29 April 16:00 to Monday 4 May 10:00 is
    four working hours."""
    for day in (dt.date(2026, 4, 30), dt.date(2026, 5, 1)):  # as the calendar migration loads
        Holiday.objects.get_or_create(date=day, defaults={"name": "Ngày lễ"})
    DossierFactory(
        procedure=procedure,
        received=True,
        assigned_to=specialist,
        due_at=dt.datetime(2026, 5, 4, 10, 0, tzinfo=LOCAL_TZ),
    )

    counts = deadlines_scan(now=dt.datetime(2026, 4, 29, 16, 0, tzinfo=LOCAL_TZ))

    assert counts["due_soon"] == 1
    assert alerted() == {(Kind.DUE_SOON, specialist.pk)}


def test_the_beat_task_runs_the_scan(procedure, intake, specialist):
    DossierFactory(
        procedure=procedure,
        processing=True,
        assigned_to=specialist,
        due_at=timezone.now() - HOUR,
    )

    assert tasks.scan_deadlines.apply().get()["overdue"] == 1


# --- forgotten drafts -----------------------------------------------------------------------------


def _last_edited(dossier, moment):
    """``updated_at`` is ``auto_now``: an update sets it as if the draft was saved then."""
    Dossier.objects.filter(pk=dossier.pk).update(updated_at=moment)
    dossier.refresh_from_db()
    return dossier


def reminders_to(user):
    return Notification.objects.filter(
        recipient=user, kind=Kind.DRAFT_REMINDER, channel=NotifyChannel.INAPP
    )


def test_a_draft_left_for_eight_days_reminds_its_applicant_once(
    procedure, citizen, other_citizen, django_capture_on_commit_callbacks
):
    now = timezone.now()
    draft = _last_edited(
        DossierFactory(procedure=procedure, applicant=citizen), now - dt.timedelta(days=8)
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert drafts_remind(now=now) == 1
        assert drafts_remind(now=now) == 0
        assert drafts_remind(now=now + dt.timedelta(days=3)) == 0

    reminder = reminders_to(citizen).get()
    resume = reverse("dossiers:resume", args=[draft.pk])
    assert reminder.dossier == draft and reminder.context["path"] == resume
    assert not reminders_to(other_citizen).exists()
    assert [email.to for email in mail.outbox] == [[citizen.email]]
    assert f"https://dichvucong.example.vn{resume}" in mail.outbox[0].body
    assert [text.phone for text in sms.outbox] == [citizen.phone]


def test_a_draft_edited_six_days_ago_is_not_reminded(procedure, citizen):
    _last_edited(
        DossierFactory(procedure=procedure, applicant=citizen),
        timezone.now() - dt.timedelta(days=6),
    )

    assert drafts_remind(now=timezone.now()) == 0
    assert not reminders_to(citizen).exists()


def test_a_submitted_dossier_is_not_a_forgotten_draft(procedure, citizen):
    _last_edited(
        DossierFactory(procedure=procedure, applicant=citizen, submitted=True),
        timezone.now() - dt.timedelta(days=30),
    )

    assert drafts_remind(now=timezone.now()) == 0


def test_a_draft_edited_again_and_left_again_is_reminded_again(procedure, citizen):
    now = timezone.now()
    draft = _last_edited(
        DossierFactory(procedure=procedure, applicant=citizen), now - dt.timedelta(days=8)
    )
    assert drafts_remind(now=now) == 1

    _last_edited(draft, now + dt.timedelta(days=1))  # the citizen came back the next day
    assert drafts_remind(now=now + dt.timedelta(days=7)) == 0  # six days since
    assert drafts_remind(now=now + dt.timedelta(days=8, hours=1)) == 1
    assert drafts_remind(now=now + dt.timedelta(days=20)) == 0

    assert reminders_to(citizen).count() == 2
    assert Reminder.objects.filter(dossier=draft, level=Reminder.Level.DRAFT).count() == 2
