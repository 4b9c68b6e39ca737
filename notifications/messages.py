"""What each kind of notification says, in the recipient's language.

A notification stores facts (its ``context``: codes, names, dates as ISO text, amounts); the
words are written here when it is sent or shown, under ``translation.override`` of the reader's
language. One ``Message`` serves every channel: the email's subject and paragraphs, the SMS's
short text, the notification centre's title.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext as _

from notifications.constants import Kind
from portal.text import format_vnd
from procedures.workdays import LOCAL_TZ


@dataclass
class Message:
    """The words of one notification. ``path`` is the portal page it leads to (absolute in
    emails and SMS through ``url``)."""

    subject: str
    lines: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    after: list[str] = field(default_factory=list)  # paragraphs after the list
    action: str = ""
    path: str = ""
    anchor: str = ""  # the part of the dossier page the message is about
    sms: str = ""

    @property
    def url(self) -> str:
        return f"{settings.PORTAL_BASE_URL}{self.path}" if self.path else settings.PORTAL_BASE_URL

    @property
    def text(self) -> str:
        """The message as plain paragraphs (the in-app body, the API's ``body``)."""
        parts = list(self.lines)
        parts += [f"– {item}" for item in self.items]
        parts += self.after
        return "\n".join(parts)


def render(kind: str, context: dict, language: str | None = None) -> Message:
    """The message of ``kind`` written from ``context`` in ``language`` (the current one if
    None). A context missing a fact shows a dash rather than failing."""
    with translation.override(language or translation.get_language()):
        message = WRITERS[kind](_Facts(context))
    message.sms = message.sms.strip()
    path = context.get("path", "")
    message.path = f"{path}{message.anchor}" if path else ""
    return message


class _Facts(dict):
    """The context, with what every message needs formatted for the current language."""

    def __init__(self, context: dict):
        super().__init__(context)
        english = (translation.get_language() or "vi").startswith("en")
        for name in ("procedure", "agency"):
            if english and context.get(f"{name}_en"):
                self[name] = context[f"{name}_en"]
            self.setdefault(name, "—")
        self.setdefault("code", "—")

    def when(self, name: str) -> str:
        """A stored ISO datetime in Vietnam's time, written as the dossier pages write dates
        ("26/11/2026 17:00", dossier_pages.vn_datetime), in any language."""
        value = self.get(name)
        if not value:
            return "—"
        moment = timezone.localtime(dt.datetime.fromisoformat(value), LOCAL_TZ)
        return dateformat.format(moment, "d/m/Y H:i")

    def amount(self) -> str:
        return format_vnd(self.get("amount") or 0)


def _procedure_line(f: _Facts) -> str:
    return _("Procedure: %(procedure)s.") % f


def _submitted(f: _Facts) -> Message:
    lines = [
        _("Your dossier was submitted online. Its code is %(code)s; keep it to follow the dossier.")
        % f,
        _procedure_line(f),
        _("%(agency)s will check it and tell you when it is received.") % f,
    ]
    if f.get("amount"):
        lines.append(
            _("The fee is %(amount)s. You can pay it online now from the dossier page.")
            % {"amount": f.amount()}
        )
    return Message(
        subject=_("Dossier %(code)s submitted") % f,
        lines=lines,
        action=_("Follow your dossier"),
        sms=_("Dossier %(code)s submitted online. Follow it at the portal with this code.") % f,
    )


def _filed_at_counter(f: _Facts) -> Message:
    return Message(
        subject=_("Dossier %(code)s filed for you") % f,
        lines=[
            _("An officer of %(agency)s filed your dossier at the counter. Its code is %(code)s.")
            % f,
            _procedure_line(f),
            _("You can follow every step of it online with this code."),
        ],
        action=_("Follow your dossier"),
        sms=_("Dossier %(code)s was filed for you at %(agency)s. Follow it online with this code.")
        % f,
    )


def _received(f: _Facts) -> Message:
    return Message(
        subject=_("Dossier %(code)s received: result due %(due)s") % {**f, "due": f.when("due_at")},
        lines=[
            _("%(agency)s has received your dossier %(code)s.") % f,
            _procedure_line(f),
            _("The result is due on %(due)s.") % {"due": f.when("due_at")},
            _("Your receipt and appointment (form 01) is on the dossier page."),
        ],
        anchor="#issued-title",
        action=_("See the receipt"),
        sms=_("Dossier %(code)s received. Result due %(due)s.") % {**f, "due": f.when("due_at")},
    )


def _supplement_requested(f: _Facts) -> Message:
    return Message(
        subject=_("Dossier %(code)s: papers to add") % f,
        lines=[_("%(agency)s asks you to complete dossier %(code)s with:") % f],
        items=list(f.get("items") or []),
        anchor="#asked-title",
        action=_("Add the papers"),
        after=[_("Note from the agency: %(note)s") % f] if f.get("note") else [],
        sms=_("Dossier %(code)s: papers to add. See what is asked on the portal.") % f,
    )


def _payment_requested(f: _Facts) -> Message:
    return Message(
        subject=_("Dossier %(code)s: fee of %(amount)s to pay") % {**f, "amount": f.amount()},
        lines=[
            _("Processing of dossier %(code)s continues once the fee of %(amount)s is paid.")
            % {**f, "amount": f.amount()},
            _(
                "Pay online by card or bank app from the dossier page; it is cheaper than at the "
                "counter."
            ),
        ],
        anchor="#fee-title",
        action=_("Pay the fee"),
        sms=_("Dossier %(code)s: pay the fee of %(amount)s on the portal.")
        % {**f, "amount": f.amount()},
    )


def _fee_paid(f: _Facts) -> Message:
    return Message(
        subject=_("Dossier %(code)s: fee paid") % f,
        lines=[
            _("The fee of %(amount)s for dossier %(code)s is paid. Thank you.")
            % {**f, "amount": f.amount()},
            _("The electronic receipt is on the dossier page."),
        ],
        anchor="#issued-title",
        action=_("See the receipt"),
        sms=_("Dossier %(code)s: fee of %(amount)s paid.") % {**f, "amount": f.amount()},
    )


def _apology(f: _Facts) -> Message:
    return Message(
        subject=_("Dossier %(code)s: new date %(due)s") % {**f, "due": f.when("due_at")},
        lines=[
            _("%(agency)s apologises: dossier %(code)s will not be ready on %(previous)s.")
            % {**f, "previous": f.when("previous_due_at")},
            _("Reason: %(note)s") % {"note": f.get("note") or "—"},
            _("The new date is %(due)s.") % {"due": f.when("due_at")},
        ],
        anchor="#issued-title",
        action=_("See the apology letter"),
        sms=_("Dossier %(code)s is late; sorry. New date: %(due)s.")
        % {**f, "due": f.when("due_at")},
    )


def _result_ready(f: _Facts) -> Message:
    how = {
        "online": _("Download the signed result from the dossier page."),
        "counter": _("Collect it at the counter of %(agency)s; bring your ID card.") % f,
        "postal": _("It will be posted to: %(address)s.") % {"address": f.get("address") or "—"},
    }.get(f.get("delivery"), _("See the dossier page for how to get it."))
    return Message(
        subject=_("Dossier %(code)s: the result is ready") % f,
        lines=[_("The result of dossier %(code)s is ready.") % f, _procedure_line(f), how],
        anchor="#issued-title",
        action=_("Get the result"),
        sms=_("Dossier %(code)s: the result is ready. %(how)s") % {**f, "how": how},
    )


def _returned(f: _Facts) -> Message:
    how = {
        "online": _("It is in your document store, signed, to reuse in later dossiers."),
        "counter": _("It was handed to %(name)s at the counter.")
        % {"name": f.get("recipient_name") or "—"},
        "postal": _("It was posted; tracking number %(tracking)s.")
        % {"tracking": f.get("tracking_number") or "—"},
    }.get(f.get("method"), "")
    return Message(
        subject=_("Dossier %(code)s: result handed over") % f,
        lines=[_("The result of dossier %(code)s was handed over.") % f, how],
        action=_("See your dossier"),
        sms=_("Dossier %(code)s: result handed over. %(how)s") % {**f, "how": how},
    )


def _postal_failed(f: _Facts) -> Message:
    return Message(
        subject=_("Dossier %(code)s: the post could not deliver the result") % f,
        lines=[
            _(
                "The post office could not deliver the result of dossier %(code)s (tracking "
                "number %(tracking)s)."
            )
            % {**f, "tracking": f.get("tracking_number") or "—"},
            _("Collect it at the counter of %(agency)s; bring your ID card.") % f,
        ],
        action=_("See your dossier"),
        sms=_("Dossier %(code)s: not delivered by post. Collect the result at %(agency)s.") % f,
    )


def _refused(f: _Facts) -> Message:
    return Message(
        subject=_("Dossier %(code)s was not accepted") % f,
        lines=[
            _("%(agency)s did not accept dossier %(code)s.") % f,
            _("Reason: %(note)s") % {"note": f.get("note") or "—"},
            _("The letter (form 03) on the dossier page explains what to do."),
        ],
        anchor="#issued-title",
        action=_("See the letter"),
        sms=_("Dossier %(code)s was not accepted. See the reason on the portal.") % f,
    )


def _stopped(f: _Facts) -> Message:
    return Message(
        subject=_("Dossier %(code)s: processing stopped") % f,
        lines=[
            _("As you asked, %(agency)s stopped processing dossier %(code)s.") % f,
            _("A fee you paid is refunded; you will be told when."),
        ],
        action=_("See your dossier"),
        sms=_("Dossier %(code)s: processing stopped as you asked.") % f,
    )


def _refund(f: _Facts) -> Message:
    done = f.get("done")
    line = (
        _("The refund of %(amount)s for dossier %(code)s is done.")
        if done
        else _("The fee of %(amount)s for dossier %(code)s will be refunded.")
    ) % {**f, "amount": f.amount()}
    return Message(
        subject=_("Dossier %(code)s: fee refund") % f,
        lines=[line],
        anchor="#fee-title",
        action=_("See your dossier"),
        sms=line,
    )


def _agency_message(f: _Facts) -> Message:
    return Message(
        subject=_("Dossier %(code)s: message from %(agency)s") % f,
        lines=[_("%(agency)s wrote about dossier %(code)s:") % f, f.get("message") or ""],
        action=_("Answer"),
        sms=_("Dossier %(code)s: %(agency)s wrote to you. Read it on the portal.") % f,
    )


def _draft_reminder(f: _Facts) -> Message:
    return Message(
        subject=_("Your dossier for %(procedure)s is not submitted yet") % f,
        lines=[
            _("You started a dossier for %(procedure)s but did not submit it.") % f,
            _(
                "Everything you typed is saved. Finish it in a few minutes and save the trip to "
                "the counter."
            ),
        ],
        action=_("Finish the dossier"),
        sms=_("Your dossier for %(procedure)s is saved but not submitted. Finish it on the portal.")
        % f,
    )


def _new_dossier(f: _Facts) -> Message:
    return Message(
        subject=_("New dossier %(code)s to receive") % f,
        lines=[
            _("Dossier %(code)s arrived in the queue of %(agency)s.") % f,
            _procedure_line(f),
        ],
        action=_("Open the dossier"),
        sms=_("New dossier %(code)s to receive.") % f,
    )


def _assigned(f: _Facts) -> Message:
    return Message(
        subject=_("Dossier %(code)s assigned to you") % f,
        lines=[
            _("Dossier %(code)s was assigned to you. Due: %(due)s.")
            % {**f, "due": f.when("due_at")},
            _procedure_line(f),
        ],
        action=_("Open the dossier"),
        sms=_("Dossier %(code)s assigned to you. Due %(due)s.") % {**f, "due": f.when("due_at")},
    )


def _supplement_answered(f: _Facts) -> Message:
    return Message(
        subject=_("Dossier %(code)s: the citizen added the papers") % f,
        lines=[
            _("The citizen added what was asked to dossier %(code)s; its clock runs again.") % f,
            _("Due: %(due)s.") % {"due": f.when("due_at")},
        ],
        action=_("Open the dossier"),
        sms=_("Dossier %(code)s: papers added by the citizen.") % f,
    )


def _citizen_message(f: _Facts) -> Message:
    return Message(
        subject=_("Dossier %(code)s: message from the citizen") % f,
        lines=[_("The citizen wrote about dossier %(code)s:") % f, f.get("message") or ""],
        action=_("Answer"),
        sms=_("Dossier %(code)s: the citizen wrote a message.") % f,
    )


def _withdrawal_requested(f: _Facts) -> Message:
    return Message(
        subject=_("Dossier %(code)s: the citizen asks to withdraw it") % f,
        lines=[
            _("The citizen asks to withdraw dossier %(code)s.") % f,
            _("Reason: %(note)s") % {"note": f.get("note") or "—"},
        ],
        action=_("Open the dossier"),
        sms=_("Dossier %(code)s: the citizen asks to withdraw it.") % f,
    )


def _due_soon(f: _Facts) -> Message:
    return Message(
        subject=_("Dossier %(code)s is due %(due)s") % {**f, "due": f.when("due_at")},
        lines=[
            _("Dossier %(code)s is due within one working day, on %(due)s.")
            % {**f, "due": f.when("due_at")},
            _procedure_line(f),
            _("If it cannot be ready, send the citizen an apology with a new date now."),
        ],
        action=_("Open the dossier"),
        sms=_("Dossier %(code)s is due %(due)s.") % {**f, "due": f.when("due_at")},
    )


def _overdue(f: _Facts) -> Message:
    return Message(
        subject=_("Dossier %(code)s is overdue") % f,
        lines=[
            _("Dossier %(code)s was due on %(due)s and is not finished.")
            % {**f, "due": f.when("due_at")},
            _procedure_line(f),
        ],
        action=_("Open the dossier"),
        sms=_("Dossier %(code)s is overdue (due %(due)s).") % {**f, "due": f.when("due_at")},
    )


def _digest(f: _Facts) -> Message:
    """``entries``: the held notifications, as ``[kind, context]`` pairs, oldest first."""
    subjects = [WRITERS[kind](_Facts(context)).subject for kind, context in f.get("entries") or []]
    return Message(
        subject=_("Your day at the portal: %(count)d items") % {"count": len(subjects)},
        lines=[_("What needs you since the last digest:")],
        items=subjects,
        action=_("Open the workspace"),
        sms=_("%(count)d dossier items need you at the portal.") % {"count": len(subjects)},
    )


WRITERS: dict[str, Callable[[_Facts], Message]] = {
    Kind.SUBMITTED: _submitted,
    Kind.FILED_AT_COUNTER: _filed_at_counter,
    Kind.RECEIVED: _received,
    Kind.SUPPLEMENT_REQUESTED: _supplement_requested,
    Kind.PAYMENT_REQUESTED: _payment_requested,
    Kind.FEE_PAID: _fee_paid,
    Kind.APOLOGY: _apology,
    Kind.RESULT_READY: _result_ready,
    Kind.RETURNED: _returned,
    Kind.POSTAL_FAILED: _postal_failed,
    Kind.REFUSED: _refused,
    Kind.STOPPED: _stopped,
    Kind.REFUND: _refund,
    Kind.AGENCY_MESSAGE: _agency_message,
    Kind.DRAFT_REMINDER: _draft_reminder,
    Kind.NEW_DOSSIER: _new_dossier,
    Kind.ASSIGNED: _assigned,
    Kind.SUPPLEMENT_ANSWERED: _supplement_answered,
    Kind.CITIZEN_MESSAGE: _citizen_message,
    Kind.WITHDRAWAL_REQUESTED: _withdrawal_requested,
    Kind.DUE_SOON: _due_soon,
    Kind.OVERDUE: _overdue,
    Kind.DIGEST: _digest,
}
