"""The outbox in the admin: read-only, failed rows easy to find and to send again."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.core import mail

from notifications.constants import State
from notifications.models import Notification
from notifications.tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/notifications/notification/"


@pytest.fixture
def admin_client(admin_client):
    """The admin in English (the msgids), so a translation cannot break the tests."""
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return admin_client


def send_again(admin_client, *rows):
    return admin_client.post(
        CHANGELIST,
        {"action": "send_again", ACTION_CHECKBOX_NAME: [str(row.pk) for row in rows], "index": 0},
        follow=True,
    )


def fresh(row):
    row.refresh_from_db()
    return row


def test_the_admin_lists_the_outbox_and_filters_failed_rows(admin_client):
    failed = NotificationFactory(failed=True, last_error="SMTPException: 421 mail server down")
    sent = NotificationFactory(sent=True)

    everything = admin_client.get(CHANGELIST)
    only_failed = admin_client.get(CHANGELIST, {"state__exact": State.FAILED})

    assert everything.status_code == 200
    assert {row.pk for row in everything.context["cl"].result_list} == {failed.pk, sent.pk}
    assert only_failed.status_code == 200
    assert [row.pk for row in only_failed.context["cl"].result_list] == [failed.pk]
    assert "421 mail server down" in only_failed.content.decode()


def test_a_row_opens_read_only(admin_client):
    row = NotificationFactory(failed=True)

    page = admin_client.get(f"{CHANGELIST}{row.pk}/change/")
    change = admin_client.post(f"{CHANGELIST}{row.pk}/change/", {"state": State.PENDING})

    assert page.status_code == 200 and row.key in page.content.decode()
    assert change.status_code == 403
    assert fresh(row).state == State.FAILED


def test_send_again_delivers_a_failed_row(admin_client, django_capture_on_commit_callbacks):
    row = NotificationFactory(failed=True)

    with django_capture_on_commit_callbacks(execute=True):
        response = send_again(admin_client, row)

    assert response.status_code == 200
    assert [str(message) for message in get_messages(response.wsgi_request)] == [
        "1 notification queued again."
    ]
    row = fresh(row)
    assert (row.state, row.attempts) == (State.SENT, 1)  # a fresh set of attempts, the first
    assert [email.to for email in mail.outbox] == [[row.recipient.email]]


def test_send_again_without_a_broker_leaves_the_row_pending_for_the_sweep(
    admin_client, django_capture_on_commit_callbacks
):
    row = NotificationFactory(failed=True)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        send_again(admin_client, row)

    assert len(callbacks) == 1
    row = fresh(row)
    assert (row.state, row.attempts) == (State.PENDING, 0)
    assert mail.outbox == []


@pytest.mark.parametrize("state", ["sent", "sending", "held", "inapp"])
def test_send_again_does_nothing_to_a_row_that_did_not_fail(
    state, admin_client, django_capture_on_commit_callbacks
):
    row = NotificationFactory(**{state: True})
    before = Notification.objects.values().get(pk=row.pk)

    with django_capture_on_commit_callbacks(execute=True):
        response = send_again(admin_client, row)

    assert [str(message) for message in get_messages(response.wsgi_request)] == [
        "0 notifications queued again."
    ]
    assert Notification.objects.values().get(pk=row.pk) == before
    assert mail.outbox == []


def test_send_again_on_a_mixed_selection_sends_only_the_failed_ones(
    admin_client, django_capture_on_commit_callbacks
):
    failed = [NotificationFactory(failed=True) for _ in range(2)]
    sent = NotificationFactory(sent=True)

    with django_capture_on_commit_callbacks(execute=True):
        send_again(admin_client, *failed, sent)

    assert sorted(email.to[0] for email in mail.outbox) == sorted(
        row.recipient.email for row in failed
    )
    assert [fresh(row).state for row in failed] == [State.SENT, State.SENT]
    assert fresh(sent).state == State.SENT and len(mail.outbox) == 2


def test_the_outbox_cannot_be_added_to_or_deleted_from(admin_client):
    row = NotificationFactory(failed=True)

    add = admin_client.get(f"{CHANGELIST}add/")
    delete = admin_client.post(f"{CHANGELIST}{row.pk}/delete/", {"post": "yes"})
    bulk_delete = admin_client.post(
        CHANGELIST,
        {"action": "delete_selected", ACTION_CHECKBOX_NAME: [str(row.pk)], "post": "yes"},
    )
    listing = admin_client.get(CHANGELIST)

    assert add.status_code == 403
    assert delete.status_code == 403
    assert bulk_delete.status_code in (200, 302)  # "no action selected": not a deletion
    assert Notification.objects.filter(pk=row.pk).exists()
    actions = listing.context["action_form"].fields["action"].choices
    assert [name for name, _label in actions if name] == ["send_again"]
    assert f"{CHANGELIST}add/" not in listing.content.decode()
