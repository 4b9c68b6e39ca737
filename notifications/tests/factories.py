"""Outbox rows in every state: ``NotificationFactory(<state>=True)``."""

from __future__ import annotations

import factory
from django.utils import timezone

from accounts.tests.factories import UserFactory
from notifications.constants import Kind, NotifyChannel, State
from notifications.models import Notification


class NotificationFactory(factory.django.DjangoModelFactory):
    """A pending email telling its recipient a dossier was received."""

    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    channel = NotifyChannel.EMAIL
    kind = Kind.RECEIVED
    key = factory.Sequence(lambda n: f"test:{n}")
    context = factory.LazyFunction(
        lambda: {
            "code": "000.00.00.H57-261123-0001",
            "procedure": "Đăng ký khai sinh",
            "agency": "UBND phường Thuận Hóa",
            "due_at": "2026-11-27T10:00:00+00:00",
            "path": "/ho-so/",
        }
    )
    state = State.PENDING
    next_attempt_at = factory.LazyFunction(timezone.now)

    class Params:
        sms = factory.Trait(channel=NotifyChannel.SMS)
        inapp = factory.Trait(
            channel=NotifyChannel.INAPP,
            state=State.SENT,
            sent_at=factory.LazyFunction(timezone.now),
            next_attempt_at=None,
        )
        read = factory.Trait(inapp=True, read_at=factory.LazyFunction(timezone.now))
        sending = factory.Trait(state=State.SENDING, attempts=1)
        sent = factory.Trait(
            state=State.SENT, attempts=1, sent_at=factory.LazyFunction(timezone.now)
        )
        failed = factory.Trait(state=State.FAILED, attempts=6, last_error="SMTPException: down")
        held = factory.Trait(state=State.HELD, kind=Kind.NEW_DOSSIER, next_attempt_at=None)
