"""Every write of the payments app. Each is one transaction; a refusal raises ``DomainError``.

The dossier's own fee state moves only through ``dossiers.workflow.dossier_fee_settle``, in the
same transaction as the payment row, so a dossier is never "paid" without its payment, nor the
other way round.

Money is whole VND (integers); nothing here divides or rounds. The amount due is the net of the
quote frozen at submission (procedures/fees.py rounds each percentage discount to the nearest
đồng, halves up, once, then). VNPay's ×100 exists only on the wire (payments/vnpay.py).
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from dossiers.constants import FeeState, Status
from dossiers.models import Dossier
from dossiers.workflow import dossier_fee_settle
from payments import permissions, vnpay
from payments.constants import (
    COUNTER_PROVIDERS,
    OPEN_TO_SUCCESS,
    CallKind,
    PaymentState,
    Provider,
    RefundReason,
    RefundState,
)
from payments.gateways import merchant_for_terminal, merchants
from payments.models import FeeExemption, GatewayCall, Payment, Refund
from portal.errors import DomainError
from portal.tasks import enqueue_on_commit
from procedures.constants import Channel

logger = logging.getLogger(__name__)

# How long after its expiry a pending attempt is closed by the sweep: the gateway's own
# window has shut by then, so no payer is still on its page.
EXPIRY_GRACE = dt.timedelta(minutes=5)


def _new_reference() -> str:
    """``vnp_TxnRef``: the local date and 12 random hex digits (unique per day, as VNPay asks,
    and in fact never repeated: the column is unique)."""
    return f"{timezone.localdate():%y%m%d}{secrets.token_hex(6).upper()}"


def _locked_dossier(dossier_id) -> Dossier | None:
    return (
        Dossier.objects.select_for_update(of=("self",))
        .select_related("agency", "procedure", "applicant")
        .filter(pk=dossier_id)
        .first()
    )


def _require_payable(dossier: Dossier) -> None:
    """``dossier.fee_payable``, or a 409 saying which half of it fails."""
    if dossier.fee_payable and dossier.fee_net:
        return
    if dossier.fee_state != FeeState.DUE or not dossier.fee_net:
        raise DomainError(
            _("There is nothing to pay for this dossier: its fee is “%(state)s”.")
            % {"state": dossier.get_fee_state_display()},
            code="nothing_to_pay",
            status=409,
        )
    raise DomainError(
        _("A dossier that is “%(status)s” cannot be paid.")
        % {"status": dossier.get_status_display()},
        code="not_payable",
        status=409,
    )


# --- online payments ------------------------------------------------------------------------


@transaction.atomic
def payment_start(
    *,
    dossier: Dossier,
    payer: User,
    provider: str,
    return_url: str,
    ip: str | None = None,
    locale: str = "vi",
    form_token=None,
) -> tuple[Payment, str]:
    """Open an online payment of the dossier's fee and return it with the gateway address the
    payer's browser goes to. Another person's dossier is 404; nothing to pay is 409.
    ``form_token`` (the pay form's one-time token): sent again, it gets the same attempt."""
    locked = _locked_dossier(dossier.pk)
    if locked is None or not permissions.is_payer(payer, locked):
        raise DomainError(_("No dossier of yours has this address."), code="not_found", status=404)
    merchant = merchants().get(provider)
    if merchant is None:
        offered = ", ".join(str(Provider(p).label) for p in merchants()) or "—"
        message = _("Choose one of the payment gateways offered: %(offered)s.") % {
            "offered": offered
        }
        raise DomainError(message, code="invalid", fields={"provider": [message]})
    _require_payable(locked)
    now = timezone.now()
    if form_token is not None:
        # The same form sent twice (a double tap; serialised by the dossier's row lock) goes to
        # the attempt it opened, with the very same signed address.
        again = Payment.objects.filter(form_token=form_token).first()
        sent = again and again.calls.filter(kind=CallKind.REQUEST).first()
        if sent and again.payer_id == payer.pk and again.state == PaymentState.PENDING:
            return again, vnpay.payment_url(merchant, sent.params)
        if again is not None:  # an old page sent again after its attempt ended: a new one
            form_token = None
    payment = Payment.objects.create(
        form_token=form_token,
        dossier=locked,
        payer=payer,
        payer_name=payer.full_name or payer.display_name,
        provider=provider,
        amount=locked.fee_net,
        reference=_new_reference(),
        expires_at=now + dt.timedelta(minutes=settings.PAYMENT_EXPIRY_MINUTES),
    )
    params = vnpay.payment_params(
        merchant=merchant,
        reference=payment.reference,
        amount=payment.amount,
        order_info=f"Thanh toan le phi ho so {locked.code}",
        return_url=return_url,
        ip=ip or "",
        created=now,
        expires=payment.expires_at,
        locale="en" if locale.startswith("en") else "vn",
    )
    GatewayCall.objects.create(payment=payment, kind=CallKind.REQUEST, params=params, ip=ip)
    return payment, vnpay.payment_url(merchant, params)


@dataclass(frozen=True)
class IpnAnswer:
    code: str
    message: str

    def as_json(self) -> dict[str, str]:
        return {"RspCode": self.code, "Message": self.message}


def ipn_handle(params: Mapping[str, str], *, ip: str | None = None) -> IpnAnswer:
    """Handle a gateway's server-to-server confirmation and answer it in VNPay's codes.

    Checks, in VNPay's order: the signature (97), the order (01), the amount (04), that it is
    not already confirmed (02); then records the outcome (00). Idempotent: the payment row is
    locked, so of two identical calls one confirms and the other hears 02. Every call is kept
    (``GatewayCall``) with the answer; an unexpected failure answers 99 and changes nothing, so
    the gateway calls again."""
    # Only the protocol's fields, as text PostgreSQL can store (no NUL), of a sane length.
    params = {
        str(key)[:40]: str(value).replace("\x00", "")[:1000]
        for key, value in list(params.items())[:60]
        if str(key).startswith("vnp_")
    }
    try:
        with transaction.atomic():
            answer, payment = _ipn(params)
            GatewayCall.objects.create(
                payment=payment, kind=CallKind.IPN, params=params, answer=answer.as_json(), ip=ip
            )
        return answer
    except Exception:
        logger.exception("IPN for %s failed", params.get("vnp_TxnRef"))
        answer = IpnAnswer(*vnpay.UNKNOWN_ERROR)
        try:
            GatewayCall.objects.create(
                kind=CallKind.IPN, params=params, answer=answer.as_json(), ip=ip
            )
        except Exception:  # the database itself is down: the gateway will call again
            logger.exception("IPN call for %s not recorded", params.get("vnp_TxnRef"))
        return answer


def _ipn(params: dict[str, str]) -> tuple[IpnAnswer, Payment | None]:
    merchant = merchant_for_terminal(params.get("vnp_TmnCode"))
    if (
        merchant is None
        or not vnpay.signature_valid(params, merchant.secret)
        or not vnpay.is_answer(params)  # e.g. our own signed request, replayed
    ):
        return IpnAnswer(*vnpay.INVALID_SIGNATURE), None
    payment = (
        Payment.objects.select_for_update()
        .filter(reference=params.get("vnp_TxnRef", ""), provider=merchant.provider)
        .first()
    )
    if payment is None:
        return IpnAnswer(*vnpay.ORDER_NOT_FOUND), None
    if vnpay.amount_of(params) != payment.amount:
        return IpnAnswer(*vnpay.INVALID_AMOUNT), payment
    paid = vnpay.succeeded(params)
    if payment.state not in (OPEN_TO_SUCCESS if paid else {PaymentState.PENDING}):
        return IpnAnswer(*vnpay.ALREADY_CONFIRMED), payment
    payment.transaction_no = params.get("vnp_TransactionNo", "")[:40]
    payment.bank_code = params.get("vnp_BankCode", "")[:20]
    payment.response_code = params.get("vnp_ResponseCode", "")[:4]
    payment.confirmed_at = timezone.now()
    payment.state = PaymentState.SUCCEEDED if paid else PaymentState.FAILED
    payment.save()
    if paid:
        _settle_paid(payment, channel=Channel.ONLINE, actor=None)
    return IpnAnswer(*vnpay.CONFIRMED), payment


def _settle_paid(payment: Payment, *, channel: int, actor: User | None, ip=None) -> None:
    """The dossier's fee is paid by ``payment``: settle it and issue the receipt after commit.
    Money that arrives when nothing is owed any more (paid twice, or the dossier was closed
    meanwhile) is received all the same and a refund is opened for it."""
    from payments.tasks import issue_receipt

    dossier = _locked_dossier(payment.dossier_id)
    if dossier.fee_state == FeeState.CANCELLED:  # paid after the dossier was refused or stopped
        closed = RefundReason.REFUSED if dossier.status == Status.REFUSED else RefundReason.STOPPED
        _open_refund(payment, closed)
        return
    if dossier.fee_state != FeeState.DUE:
        _open_refund(payment, RefundReason.DUPLICATE)
        return
    dossier, event = dossier_fee_settle(
        dossier=dossier,
        state=FeeState.PAID,
        actor=actor,
        channel=channel,
        data={
            "payment": str(payment.pk),
            "amount": payment.amount,
            "provider": payment.provider,
            "reference": payment.reference,
        },
        ip=ip,
    )
    enqueue_on_commit(issue_receipt, str(payment.pk), event.pk)


# --- at the counter ---------------------------------------------------------------------------


def _refuse_unless(allowed: bool, dossier: Dossier | None, actor: User) -> Dossier:
    from dossiers import workflow

    if dossier is None or not workflow.serves(actor, dossier):
        raise DomainError(_("No such dossier in your agency."), code="not_found", status=404)
    if not allowed:
        raise DomainError(
            _("Only the counter's officers and leaders take payments and record exemptions."),
            code="permission_denied",
            status=403,
        )
    return dossier


@transaction.atomic
def payment_record_counter(
    *,
    dossier: Dossier,
    actor: User,
    provider: str,
    payer_name: str = "",
    note: str = "",
    ip: str | None = None,
) -> Payment:
    """Record the fee paid at the counter in cash or by card; the receipt follows. The amount
    is always the frozen quote's: a second recording of the same fee is refused (409)."""
    locked = _locked_dossier(dossier.pk)
    locked = _refuse_unless(
        locked is not None and permissions.can_take_counter_payment(actor, locked), locked, actor
    )
    if provider not in COUNTER_PROVIDERS:
        message = _("Choose cash or card.")
        raise DomainError(message, code="invalid", fields={"provider": [message]})
    _require_payable(locked)
    now = timezone.now()
    payment = Payment.objects.create(
        dossier=locked,
        payer_name=(payer_name or "").strip()[:200] or locked.applicant.display_name,
        provider=provider,
        amount=locked.fee_net,
        reference=_new_reference(),
        state=PaymentState.SUCCEEDED,
        confirmed_at=now,
        recorded_by=actor,
        note=(note or "").strip()[:500],
    )
    _settle_paid(payment, channel=Channel.COUNTER, actor=actor, ip=ip)
    return payment


def exempt_groups_for(dossier: Dossier) -> list:
    """The exempt groups that waive the whole fee of the dossier: those every charged item of
    its frozen quote names (by fee item code)."""
    from procedures.models import ExemptGroup, FeeItem

    codes = {line["code"] for line in (dossier.fee or {}).get("items", []) if line.get("net")}
    if not codes:
        return []
    groups_per_code: dict[str, set[int]] = {code: set() for code in codes}
    # Only the fee items in force on the quote's date: a repealed schedule exempts nobody.
    on_date = dt.date.fromisoformat(
        (dossier.fee or {}).get("on_date") or timezone.localdate().isoformat()
    )
    items = (
        FeeItem.objects.filter(
            procedure_id=dossier.procedure_id, code__in=codes, valid_from__lte=on_date
        )
        .exclude(valid_to__lt=on_date)
        .prefetch_related("exempt_groups")
    )
    for item in items:
        groups_per_code[item.code].update(g.pk for g in item.exempt_groups.all())
    common = set.intersection(*groups_per_code.values())
    return list(ExemptGroup.objects.filter(pk__in=common).order_by("name"))


@transaction.atomic
def fee_exemption_record(
    *, dossier: Dossier, actor: User, group_code: str, reason: str, ip: str | None = None
) -> FeeExemption:
    """Waive the fee of an applicant the fee schedule exempts (a group every fee item names),
    with the reason and evidence the officer saw. Processing resumes if it waited for the fee."""
    locked = _locked_dossier(dossier.pk)
    locked = _refuse_unless(
        locked is not None and permissions.can_record_exemption(actor, locked), locked, actor
    )
    _require_payable(locked)
    group = next((g for g in exempt_groups_for(locked) if g.code == group_code), None)
    if group is None:
        message = _("Choose a group the fee schedule of this procedure exempts.")
        raise DomainError(message, code="invalid", fields={"group": [message]})
    reason = (reason or "").strip()
    if not reason:
        message = _("Write why the applicant is exempt and what proves it.")
        raise DomainError(message, code="invalid", fields={"reason": [message]})
    exemption = FeeExemption.objects.create(
        dossier=locked, group=group, reason=reason[:2000], amount=locked.fee_net, recorded_by=actor
    )
    dossier_fee_settle(
        dossier=locked,
        state=FeeState.EXEMPT,
        actor=actor,
        note=reason,
        data={"group": group.code, "group_name": group.name, "amount": locked.fee_net},
        ip=ip,
    )
    return exemption


# --- refunds ----------------------------------------------------------------------------------


def _open_refund(payment: Payment, reason: str) -> Refund:
    """Open the refund of a succeeded payment (once). The dossier shows "refund in progress"
    unless the money was a second payment of a fee already settled."""
    refund, created = Refund.objects.get_or_create(
        payment=payment, defaults={"amount": payment.amount, "reason": reason}
    )
    settled_by_it = (
        reason != RefundReason.DUPLICATE
        and Dossier.objects.filter(pk=payment.dossier_id, fee_state=FeeState.PAID).exists()
    )
    if created and settled_by_it:
        dossier_fee_settle(
            dossier=payment.dossier,
            state=FeeState.REFUNDING,
            data={"refund": refund.pk, "amount": refund.amount, "reason": reason},
        )
    return refund


def refund_for_closed_dossier(*, dossier: Dossier, action: str) -> Refund | None:
    """A paid dossier was refused or stopped: open the refund of the payment that settled its
    fee. Called inside the step's transaction (``payments.receivers``)."""
    if dossier.fee_state != FeeState.PAID:
        return None
    payment = (
        Payment.objects.filter(dossier=dossier, state=PaymentState.SUCCEEDED, refund__isnull=True)
        .order_by("confirmed_at")
        .first()
    )
    if payment is None:
        return None
    reason = RefundReason.REFUSED if action == "refuse" else RefundReason.STOPPED
    return _open_refund(payment, reason)


@transaction.atomic
def refund_complete(*, refund: Refund, actor: User, reference: str, note: str = "") -> Refund:
    """Record that the money went back (through the gateway's merchant portal, a bank transfer
    or cash at the counter), with its reference. Once only."""
    locked = (
        Refund.objects.select_for_update(of=("self",))
        .select_related("payment__dossier")
        .filter(pk=refund.pk)
        .first()
    )
    dossier = locked.payment.dossier if locked else None
    _refuse_unless(
        locked is not None and permissions.can_complete_refund(actor, dossier), dossier, actor
    )
    if locked.state != RefundState.PENDING:
        raise DomainError(
            _("This refund was already recorded on %(date)s.")
            % {"date": timezone.localtime(locked.completed_at).strftime("%d/%m/%Y %H:%M")},
            code="conflict",
            status=409,
        )
    reference = (reference or "").strip()
    if not reference:
        message = _("Write the refund's reference: the gateway's number, the transfer or voucher.")
        raise DomainError(message, code="invalid", fields={"reference": [message]})
    locked.state = RefundState.DONE
    locked.completed_at = timezone.now()
    locked.completed_by = actor
    locked.reference = reference[:100]
    locked.note = (note or "").strip()[:500]
    locked.save()
    Payment.objects.filter(pk=locked.payment_id).update(state=PaymentState.REFUNDED)
    still_open = Refund.objects.filter(payment__dossier=dossier, state=RefundState.PENDING).exclude(
        reason=RefundReason.DUPLICATE
    )
    if dossier.fee_state == FeeState.REFUNDING and not still_open.exists():
        dossier_fee_settle(
            dossier=dossier,
            state=FeeState.REFUNDED,
            actor=actor,
            note=locked.note,
            data={"refund": locked.pk, "reference": locked.reference},
        )
    return locked


# --- sweeps and reports -------------------------------------------------------------------------


def payments_expire(*, now: dt.datetime | None = None) -> int:
    """Close online attempts left pending past their expiry (and a grace period); returns how
    many. Idempotent. A late successful IPN is still accepted (``_ipn``)."""
    now = now or timezone.now()
    return Payment.objects.filter(
        state=PaymentState.PENDING, expires_at__lt=now - EXPIRY_GRACE
    ).update(state=PaymentState.EXPIRED)


def receipts_reissue(*, older_than: dt.timedelta = dt.timedelta(minutes=10)) -> int:
    """Queue again the receipts of payments that settled a fee and still have none (the broker
    was down at commit, or the task gave up); returns how many. Issuing is idempotent."""
    from dossiers.models import DossierEvent
    from payments.tasks import issue_receipt

    paid = Payment.objects.filter(
        state__in=[PaymentState.SUCCEEDED, PaymentState.REFUNDED],
        receipt__isnull=True,
        confirmed_at__lt=timezone.now() - older_than,
    ).exclude(refund__reason=RefundReason.DUPLICATE)  # a second payment: refunded, no receipt
    payments = {str(pk): dossier_id for pk, dossier_id in paid.values_list("pk", "dossier_id")}
    if not payments:
        return 0
    # The events that settled them, in one query (the event names its payment in ``data``).
    events = DossierEvent.objects.filter(
        dossier_id__in=set(payments.values()), action="fee_paid"
    ).values_list("pk", "data")
    settled = {data.get("payment"): pk for pk, data in events if data.get("payment") in payments}
    for payment_id, event_id in settled.items():
        issue_receipt.delay(payment_id, event_id)
    return len(settled)


@dataclass(frozen=True)
class ReconciliationRow:
    provider: str
    label: str
    attempts: int
    succeeded: int
    succeeded_amount: int
    failed: int
    expired: int
    pending: int
    refunded: int
    refunded_amount: int


def reconciliation(day: dt.date) -> list[ReconciliationRow]:
    """Per provider, the attempts opened on ``day`` (local time): counts by state and the
    totals received and refunded, in whole VND. One query."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time()))
    end = start + dt.timedelta(days=1)
    by_state = {state: Q(state=state) for state in PaymentState.values}
    rows = (
        Payment.objects.filter(created_at__gte=start, created_at__lt=end)
        .values("provider")
        .annotate(
            attempts=Count("pk"),
            succeeded=Count("pk", filter=by_state[PaymentState.SUCCEEDED]),
            succeeded_amount=Sum("amount", filter=by_state[PaymentState.SUCCEEDED], default=0),
            failed=Count("pk", filter=by_state[PaymentState.FAILED]),
            expired=Count("pk", filter=by_state[PaymentState.EXPIRED]),
            pending=Count("pk", filter=by_state[PaymentState.PENDING]),
            refunded=Count("pk", filter=by_state[PaymentState.REFUNDED]),
            refunded_amount=Sum("amount", filter=by_state[PaymentState.REFUNDED], default=0),
        )
        .order_by("provider")
    )
    return [ReconciliationRow(label=str(Provider(row["provider"]).label), **row) for row in rows]


def reconciliation_payments(day: dt.date):
    """The attempts of ``day``, for the CSV: one line per payment."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time()))
    return (
        Payment.objects.filter(created_at__gte=start, created_at__lt=start + dt.timedelta(days=1))
        .select_related("dossier")
        .order_by("provider", "created_at")
    )
