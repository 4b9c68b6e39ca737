"""Template helpers of accounts: ``{% load accounts %}``."""

from django import template

from accounts.phone import format_phone

register = template.Library()


@register.filter
def phone_display(phone: str | None) -> str:
    """``+84912345678`` → ``0912 345 678``, the way people write it."""
    return format_phone(phone)
