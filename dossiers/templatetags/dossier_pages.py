"""Display helpers of the citizen's dossier pages: statuses in plain words, local times, fields
rendered with the ARIA links to their help and error texts."""

from __future__ import annotations

from django import template
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.constants import Duty, Role
from dossiers.constants import Delivery, Status
from procedures.workdays import LOCAL_TZ

register = template.Library()

# What the history says about the fee (the events dossier_fee_settle writes).
FEE_EVENTS = {
    "fee_paid": gettext_lazy("Fee paid: %(amount)s."),
    "fee_exempt": gettext_lazy("Fee waived: the applicant is exempt (%(group)s)."),
    "refund_started": gettext_lazy("The fee (%(amount)s) is to be refunded."),
    "refunded": gettext_lazy("The fee was refunded."),
}

# One sentence per status telling the citizen what happens now (shown under the status).
STATUS_HELP = {
    Status.DRAFT: gettext_lazy("Only you can see this draft. Nothing is sent until you submit it."),
    Status.SUBMITTED: gettext_lazy(
        "The agency has your dossier and will check that it is complete."
    ),
    Status.RECEIVED: gettext_lazy(
        "The agency accepted your dossier; the processing time runs from now."
    ),
    Status.REFUSED: gettext_lazy(
        "The agency did not accept the dossier. The reason is in the history."
    ),
    Status.PROCESSING: gettext_lazy("An officer is working on your dossier."),
    Status.SUPPLEMENT: gettext_lazy(
        "The agency asks you to add or correct papers. See what is asked."
    ),
    Status.AWAITING_PAYMENT: gettext_lazy("The fee must be paid before the result is issued."),
    Status.WITHDRAWAL: gettext_lazy("You asked to withdraw this dossier; the agency will confirm."),
    Status.STOPPED: gettext_lazy("Processing was stopped. The reason is in the history."),
    Status.PROCESSED: gettext_lazy("Your result is ready."),
    Status.RETURNED: gettext_lazy("The result was handed over. This dossier is finished."),
}


@register.filter
def status_label(value) -> str:
    """A status code (or None, at creation) in words."""
    if value is None or value == "":
        return ""
    try:
        return Status(int(value)).label
    except ValueError:
        return str(value)


@register.filter
def status_help(value) -> str:
    try:
        return str(STATUS_HELP.get(Status(int(value)), ""))
    except (TypeError, ValueError):
        return ""


@register.filter
def role_label(value: str) -> str:
    """Who made a step of the history, in words."""
    if value in Role.values:
        return Role(value).label
    if value in Duty.values:
        return Duty(value).label
    return _("Automatic") if value == "system" else value


@register.filter
def delivery_label(value: str) -> str:
    return Delivery(value).label if value in Delivery.values else value


@register.filter
def vn_datetime(value, fmt: str = "d/m/Y H:i") -> str:
    """An aware datetime shown in Asia/Ho_Chi_Minh, whatever the active time zone."""
    if not value:
        return ""
    return dateformat.format(timezone.localtime(value, LOCAL_TZ), fmt)


@register.filter
def vn_date(value) -> str:
    return vn_datetime(value, "d/m/Y")


@register.simple_tag
def field_widget(bound_field, **extra):
    """Render a field's widget with ``aria-describedby`` pointing at its help and error texts and
    ``aria-invalid`` when it has an error (ids: ``<field id>-help``, ``<field id>-error``)."""
    attrs = {k.replace("_", "-"): v for k, v in extra.items()}
    described = []
    if bound_field.help_text:
        described.append(f"{bound_field.auto_id}-help")
    if bound_field.errors:
        described.append(f"{bound_field.auto_id}-error")
        attrs["aria-invalid"] = "true"
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return bound_field.as_widget(attrs=attrs)


@register.filter
def asked_items(event) -> list[str]:
    """The items a supplement request listed (a template cannot read ``data["items"]``: it would
    call ``dict.items`` when the key is absent)."""
    data = getattr(event, "data", None) or {}
    items = data.get("items") if isinstance(data, dict) else None
    return list(items) if isinstance(items, list) else []


@register.filter
def fee_event(event) -> str:
    """The sentence of a fee event of the history ("Fee paid: 9.000 đ."), or ""."""
    from portal.text import format_vnd

    text = FEE_EVENTS.get(getattr(event, "action", ""))
    if text is None:
        return ""
    data = event.data or {}
    amount = data.get("amount")
    return str(text) % {
        "amount": format_vnd(amount) if amount is not None else "—",
        "group": data.get("group_name", ""),
    }
