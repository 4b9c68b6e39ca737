"""Notification centre API shapes."""

from __future__ import annotations

from django.conf import settings
from rest_framework import serializers

from notifications.constants import DigestMode
from notifications.messages import render
from notifications.models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    """One in-app notification, written in the caller's language (``Accept-Language``)."""

    title = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    dossier_code = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "title",
            "body",
            "url",
            "dossier",
            "dossier_code",
            "created_at",
            "read_at",
        ]

    def _message(self, row):
        cache = self.context.setdefault("_messages", {})
        if row.pk not in cache:
            cache[row.pk] = render(row.kind, row.context)
        return cache[row.pk]

    def get_title(self, row) -> str:
        return self._message(row).subject

    def get_body(self, row) -> str:
        return self._message(row).text

    def get_url(self, row) -> str | None:
        return self._message(row).url if row.context.get("path") else None

    def get_dossier_code(self, row) -> str | None:
        return row.context.get("code") or None


class UnreadSerializer(serializers.Serializer):
    unread = serializers.IntegerField()


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many were unread.")


class PreferenceSerializer(serializers.Serializer):
    email = serializers.BooleanField()
    sms = serializers.BooleanField()
    language = serializers.ChoiceField(choices=settings.LANGUAGES)
    digest = serializers.ChoiceField(
        choices=DigestMode.choices, required=False, help_text="Officers only; citizens: ignored."
    )
    can_email = serializers.BooleanField(read_only=True, help_text="The account has an email.")
    can_sms = serializers.BooleanField(read_only=True, help_text="The account has a phone.")
