"""Display helpers for money and time limits, in the Vietnamese way (20.000 đ)."""

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.text import format_vnd

register = template.Library()


@register.filter
def vnd(amount) -> str:
    """20000 → "20.000 đ" (dot as the thousands separator, as Vietnamese readers expect)."""
    return "" if amount is None else format_vnd(amount)


@register.filter
def working_days(days) -> str:
    """0 → "within the working day"; n → "n working days"."""
    if days is None:
        return ""
    if int(days) == 0:
        return _("same working day")
    return ngettext("%(n)d working day", "%(n)d working days", int(days)) % {"n": int(days)}


@register.filter
def get_item(mapping, key):
    """``mapping|get_item:key`` for dictionaries built by views (fee summaries by id)."""
    return mapping.get(key)


@register.filter
def get_index(sequence, index):
    """``lines|get_index:i``: the i-th element, to show two quotes' lines side by side."""
    try:
        return sequence[int(index)]
    except (IndexError, TypeError, ValueError):
        return None
