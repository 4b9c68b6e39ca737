"""Payment pages: the citizen pays a dossier's fee and comes back from the gateway; the gateway's
IPN call; the sandbox gateway; the officers' fee page (counter payment, exemption, refunds);
the administrators' daily reconciliation. Views parse, call a service, render."""

from __future__ import annotations

import csv
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_safe

from accounts.staff import staff_required
from dossiers import selectors
from dossiers.constants import FeeState
from payments import permissions, services, vnpay
from payments import sandbox as sandbox_gateway
from payments.constants import OPEN_TO_SUCCESS, CallKind, PaymentState, Provider, RefundState
from payments.forms import (
    CounterPaymentForm,
    DayForm,
    ExemptionForm,
    PayForm,
    RefundForm,
)
from payments.gateways import merchant_for_terminal, merchants
from payments.models import FeeExemption, GatewayCall, Payment, Refund
from portal.errors import DomainError
from portal.forms import show_error
from portal.http import client_ip
from portal.text import format_vnd


def _payments_of(dossier) -> list[Payment]:
    return list(
        Payment.objects.filter(dossier=dossier)
        .select_related("receipt", "refund")
        .order_by("-created_at")[:50]
    )


# --- the citizen ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def pay(request, dossier_id):
    """The fee of one of the citizen's dossiers: the amount with the online discount, the
    gateways, the attempts so far (a declined one can be tried again)."""
    dossier = selectors.citizen_dossier_for_action(request.user, dossier_id)
    if dossier is None:
        raise Http404(_("No dossier of yours has this address."))
    providers = merchants()
    form = PayForm(request.POST if request.method == "POST" else None, providers=providers)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                _payment, url = services.payment_start(
                    dossier=dossier,
                    payer=request.user,
                    provider=form.cleaned_data["provider"],
                    return_url=request.build_absolute_uri(reverse("payments:return")),
                    ip=client_ip(request),
                    locale=get_language() or "vi",
                    form_token=form.cleaned_data["token"],
                )
            except DomainError as error:
                if error.status == 404:
                    raise Http404(error.message) from None
                show_error(form, error)
                status = error.status
            else:
                return redirect(url)
    attempts = _payments_of(dossier)
    context = {
        "dossier": dossier,
        "fee": dossier.fee or {},
        "form": form,
        "payable": dossier.fee_payable,
        "payments": attempts,
        "last_failed": bool(attempts) and attempts[0].state == PaymentState.FAILED,
        "exemption": FeeExemption.objects.filter(dossier=dossier).select_related("group").first(),
    }
    return render(request, "payments/pay.html", context, status=status)


def _outcome(payment: Payment | None, params: dict) -> str:
    if payment is None:
        return "unknown"
    if payment.state in (PaymentState.SUCCEEDED, PaymentState.REFUNDED):
        return "paid"
    if payment.state in OPEN_TO_SUCCESS and vnpay.succeeded(params):
        # The browser came back before the gateway's IPN call (which still takes a success on
        # an attempt the sweep expired): never tell a payer who paid that nothing was taken.
        return "confirming"
    if params.get("vnp_ResponseCode") == vnpay.RESPONSE_CANCELLED:
        return "cancelled"
    if params.get("vnp_ResponseCode") == vnpay.RESPONSE_TIMEOUT:
        return "timeout"
    return "failed"


@require_safe
def gateway_return(request):
    """Where the payer's browser comes back from the gateway. It only shows the outcome the IPN
    call recorded (or that the confirmation is on its way): it changes no payment."""
    params = request.GET.dict()
    merchant = merchant_for_terminal(params.get("vnp_TmnCode"))
    if (
        merchant is None
        or not vnpay.signature_valid(params, merchant.secret)
        or not vnpay.is_answer(params)
    ):
        return render(request, "payments/return.html", {"outcome": "invalid"}, status=400)
    payment = (
        Payment.objects.select_related("dossier", "receipt")
        .filter(reference=params.get("vnp_TxnRef", ""), provider=merchant.provider)
        .first()
    )
    if payment is not None and not payment.calls.filter(kind=CallKind.RETURN).exists():
        # Kept once per payment: the page reloads itself while confirming, and anyone holding
        # the link may open it again.
        GatewayCall.objects.create(
            payment=payment, kind=CallKind.RETURN, params=params, ip=client_ip(request)
        )
    outcome = _outcome(payment, params)
    mine = payment is not None and permissions.is_payer(request.user, payment.dossier)
    context = {"outcome": outcome, "payment": payment if mine else None, "params": params}
    return render(request, "payments/return.html", context, status=404 if not payment else 200)


@csrf_exempt  # called by the gateway's servers, signed with HMAC-SHA512 instead
@require_GET
def ipn(request):
    """VNPay's IPN: the only call that changes an online payment (payments.services.ipn_handle).
    Answers VNPay's JSON ``{"RspCode", "Message"}``, always with HTTP 200 as VNPay expects."""
    answer = services.ipn_handle(request.GET.dict(), ip=client_ip(request))
    return JsonResponse(answer.as_json())


# --- the sandbox gateway --------------------------------------------------------------------------


def _is_our_payment_request(request, params: dict) -> bool:
    """A payment request (not an answer) whose return address is this portal's return page:
    the sandbox never sends a browser anywhere else, whatever was signed."""
    if params.get("vnp_Command") != "pay" or vnpay.amount_of(params) is None:
        return False
    if not params.get("vnp_TxnRef"):
        return False
    back = urlsplit(params.get("vnp_ReturnUrl", ""))
    return back.path == reverse("payments:return") and url_has_allowed_host_and_scheme(
        params["vnp_ReturnUrl"], allowed_hosts={request.get_host()}
    )


@require_http_methods(["GET", "POST"])
def sandbox(request):
    """A test gateway inside the portal, speaking VNPay's signed protocol: it checks the
    payment request's signature, lets the payer approve or decline, confirms to the portal
    (the IPN handler, called in-process the way VNPay calls it over HTTP), then sends the
    browser back to the return page with a signed answer. Off in production by default."""
    if not settings.PAYMENT_SANDBOX:
        raise Http404(_("The test gateway is not enabled."))
    merchant = merchants()[Provider.SANDBOX]
    source = request.POST if request.method == "POST" else request.GET
    params = {k: v for k, v in source.dict().items() if k.startswith("vnp_")}
    if (
        params.get("vnp_TmnCode") != merchant.tmn_code
        or not vnpay.signature_valid(params, merchant.secret)
        or not _is_our_payment_request(request, params)
    ):
        return render(request, "payments/sandbox.html", {"invalid": True}, status=400)
    if request.method == "GET":
        context = {
            "params": params,
            "amount": vnpay.amount_of(params),
            "expired": sandbox_gateway.expired(params),
            "merchant": merchant,
        }
        return render(request, "payments/sandbox.html", context)
    query = sandbox_gateway.complete(
        params, approve=request.POST.get("decision") == "approve", ip=client_ip(request)
    )
    # The return address is ours: it is inside the signed request.
    return redirect(f"{params['vnp_ReturnUrl']}?{query}")


# --- officers ---------------------------------------------------------------------------------


def _staff_dossier(request, dossier_id):
    dossier = selectors.staff_dossier(request.user, dossier_id)
    if dossier is None:
        raise Http404(_("No such dossier in your agencies."))
    return dossier


FAILED_TITLES = {
    "counter": gettext_lazy("The payment was not recorded"),
    "exempt": gettext_lazy("The exemption was not recorded"),
    "refund": gettext_lazy("The refund was not recorded"),
}


@staff_required
@require_http_methods(["GET", "POST"])
def officer_fee(request, dossier_id):
    """The fee of a dossier as officers see it: what is owed, every payment with its receipt,
    and, for the counter, forms to record a cash or card payment, an exemption, a refund."""
    dossier = _staff_dossier(request, dossier_id)
    user = request.user
    groups = services.exempt_groups_for(dossier) if dossier.fee_state == FeeState.DUE else []
    action = request.POST.get("action") if request.method == "POST" else None
    post = request.POST if request.method == "POST" else None
    counter_form = CounterPaymentForm(post if action == "counter" else None, prefix="counter")
    exemption_form = ExemptionForm(
        post if action == "exempt" else None, prefix="exempt", groups=groups
    )
    refund_form = RefundForm(post if action == "refund" else None, prefix="refund")
    status, form = 200, None
    if action in ("counter", "exempt", "refund"):
        form = {"counter": counter_form, "exempt": exemption_form, "refund": refund_form}[action]
        status = 400
        if form.is_valid():
            try:
                message = _officer_action(request, dossier, action, form.cleaned_data)
            except DomainError as error:
                if error.status == 404:
                    raise Http404(error.message) from None
                show_error(form, error)
                status = error.status
            else:
                messages.success(request, message)
                return redirect("payments:officer", dossier_id=dossier.pk)
    elif action is not None:
        return HttpResponse(_("Unknown action."), status=400)
    payments = _payments_of(dossier)
    context = {
        "dossier": dossier,
        "fee": dossier.fee or {},
        "payments": payments,
        "refunds": [p.refund for p in payments if hasattr(p, "refund")],
        "exemption": FeeExemption.objects.filter(dossier=dossier).select_related("group").first(),
        "can_take": permissions.can_take_counter_payment(user, dossier) and dossier.fee_payable,
        "can_refund": permissions.can_complete_refund(user, dossier),
        "groups": groups,
        "counter_form": counter_form,
        "exemption_form": exemption_form,
        "refund_form": refund_form,
        "failed_action": action if status != 200 else None,
        "failed_form": form if status != 200 else None,
        "failed_title": FAILED_TITLES.get(action),
        "pending_refund": RefundState.PENDING,
    }
    return render(request, "payments/officer.html", context, status=status)


def _officer_action(request, dossier, action: str, data: dict) -> str:
    ip = client_ip(request)
    if action == "counter":
        payment = services.payment_record_counter(
            dossier=dossier,
            actor=request.user,
            provider=data["provider"],
            payer_name=data["payer_name"],
            note=data["note"],
            ip=ip,
        )
        return _("The payment of %(amount)s is recorded; the receipt is issued.") % {
            "amount": format_vnd(payment.amount)
        }
    if action == "exempt":
        services.fee_exemption_record(
            dossier=dossier,
            actor=request.user,
            group_code=data["group"],
            reason=data["reason"],
            ip=ip,
        )
        return _("The exemption is recorded: the applicant pays nothing.")
    refund = Refund.objects.filter(pk=data["refund"], payment__dossier=dossier).first()
    if refund is None:
        raise DomainError(_("No such refund for this dossier."), code="not_found", status=404)
    services.refund_complete(
        refund=refund, actor=request.user, reference=data["reference"], note=data["note"]
    )
    return _("The refund is recorded.")


@staff_required
@require_safe
def reconciliation(request):
    """The day's payments per gateway (counts and totals) for the administrators, to check
    against the gateway's own statement; CSV of the summary (``?format=csv``) or of every
    payment (``?format=csv&lines=1``)."""
    if not permissions.can_view_reconciliation(request.user):
        raise PermissionDenied
    form = DayForm(request.GET if "day" in request.GET else {"day": timezone.localdate()})
    if not form.is_valid():
        return render(request, "payments/reconciliation.html", {"form": form}, status=400)
    day = form.cleaned_data["day"]
    rows = services.reconciliation(day)
    if request.GET.get("format") == "csv":
        return _csv(day, rows, lines=request.GET.get("lines") == "1")
    totals = {
        "attempts": sum(r.attempts for r in rows),
        "succeeded": sum(r.succeeded for r in rows),
        "succeeded_amount": sum(r.succeeded_amount for r in rows),
        "refunded_amount": sum(r.refunded_amount for r in rows),
    }
    query = f"day={day.isoformat()}"
    context = {"form": form, "day": day, "rows": rows, "totals": totals, "query": query}
    return render(request, "payments/reconciliation.html", context)


def _csv(day, rows, *, lines: bool) -> HttpResponse:
    name = f"doi-soat-{day.isoformat()}{'-giao-dich' if lines else ''}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response.write("\ufeff")  # so that Excel reads UTF-8
    writer = csv.writer(response)
    if not lines:
        writer.writerow(
            ["day", "provider", "attempts", "succeeded", "succeeded_amount_vnd", "failed",
             "expired", "pending", "refunded", "refunded_amount_vnd"]
        )  # fmt: skip
        for r in rows:
            writer.writerow(
                [day.isoformat(), r.provider, r.attempts, r.succeeded, r.succeeded_amount,
                 r.failed, r.expired, r.pending, r.refunded, r.refunded_amount]
            )  # fmt: skip
        return response
    writer.writerow(
        ["provider", "reference", "gateway_transaction", "dossier", "amount_vnd", "state",
         "created_at", "confirmed_at", "bank", "response_code"]
    )  # fmt: skip
    for p in services.reconciliation_payments(day).iterator(chunk_size=2000):
        writer.writerow(
            [p.provider, p.reference, p.transaction_no, p.dossier.code, p.amount, p.state,
             timezone.localtime(p.created_at).isoformat(),
             timezone.localtime(p.confirmed_at).isoformat() if p.confirmed_at else "",
             p.bank_code, p.response_code]
        )  # fmt: skip
    return response
