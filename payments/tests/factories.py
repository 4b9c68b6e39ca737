"""Payment factories and the gateway's side of the protocol, as the tests play it.

``PaymentFactory()`` is a pending VNPay attempt of a received dossier owing the sample fee;
traits ``succeeded``, ``failed``, ``expired`` and ``counter`` (cash taken by an intake officer).
``ipn_params(payment)`` is the signed IPN call VNPay would make for it, ``gateway_answer`` the
signed query the payer's browser comes back with; ``start_online``, ``confirm`` and
``pay_online`` go through the services as a payer and VNPay would.
"""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from accounts.tests.factories import UserFactory
from dossiers import workflow
from dossiers.services import dossier_withdraw
from dossiers.tests.factories import DossierFactory
from payments import vnpay
from payments.constants import PaymentState, Provider, RefundReason
from payments.models import Payment, Refund
from payments.services import ipn_handle, payment_start

VNPAY_TMN = "PORTAL01"
VNPAY_SECRET = "VNPAYTESTSECRET0123456789ABCDEF"
IPN_URL = "/payments/vnpay/ipn/"
RETURN_URL = "/payments/vnpay/return/"


class PaymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Payment

    dossier = factory.SubFactory(DossierFactory, received=True, fee_due=True)
    payer = factory.LazyAttribute(lambda o: o.dossier.applicant)
    payer_name = factory.LazyAttribute(lambda o: o.dossier.applicant.full_name)
    provider = Provider.VNPAY
    amount = factory.LazyAttribute(lambda o: o.dossier.fee_net)
    reference = factory.Sequence(lambda n: f"261123T{n:011d}")
    state = PaymentState.PENDING
    expires_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(minutes=15))

    class Params:
        succeeded = factory.Trait(
            state=PaymentState.SUCCEEDED,
            confirmed_at=factory.LazyFunction(timezone.now),
            transaction_no="14000001",
            bank_code="NCB",
            response_code="00",
        )
        failed = factory.Trait(
            state=PaymentState.FAILED,
            confirmed_at=factory.LazyFunction(timezone.now),
            response_code="24",
        )
        expired = factory.Trait(
            state=PaymentState.EXPIRED,
            expires_at=factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=1)),
        )
        counter = factory.Trait(
            provider=Provider.CASH,
            payer=None,
            expires_at=None,
            state=PaymentState.SUCCEEDED,
            confirmed_at=factory.LazyFunction(timezone.now),
            recorded_by=factory.SubFactory(
                UserFactory, officer=True, agency=factory.SelfAttribute("..dossier.agency")
            ),
        )


class RefundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Refund

    payment = factory.SubFactory(PaymentFactory, succeeded=True)
    amount = factory.LazyAttribute(lambda o: o.payment.amount)
    reason = RefundReason.REFUSED


def ipn_params(
    payment: Payment,
    *,
    response: str = "00",
    status: str | None = None,
    amount: int | None = None,
    tmn: str = VNPAY_TMN,
    secret: str = VNPAY_SECRET,
    transaction_no: str = "14123456",
) -> dict[str, str]:
    """The signed query of VNPay's IPN call for ``payment`` (``response`` 00: paid)."""
    params = {
        "vnp_Amount": str((payment.amount if amount is None else amount) * 100),
        "vnp_BankCode": "NCB",
        "vnp_BankTranNo": "VNP14123456",
        "vnp_CardType": "ATM",
        "vnp_OrderInfo": "Thanh toan le phi ho so",
        "vnp_PayDate": vnpay.format_date(timezone.now()),
        "vnp_ResponseCode": response,
        "vnp_TmnCode": tmn,
        "vnp_TransactionNo": transaction_no,
        "vnp_TransactionStatus": status or ("00" if response == "00" else "02"),
        "vnp_TxnRef": payment.reference,
        "vnp_SecureHashType": "HmacSHA512",
    }
    params["vnp_SecureHash"] = vnpay.sign(params, secret)
    return params


def start_online(dossier, provider: str = Provider.VNPAY, *, locale: str = "vi") -> Payment:
    """The applicant opens an online payment of the dossier's fee (services.payment_start)."""
    payment, _url = payment_start(
        dossier=dossier,
        payer=dossier.applicant,
        provider=provider,
        return_url="http://testserver" + RETURN_URL,
        ip="203.0.113.7",
        locale=locale,
    )
    return payment


def confirm(payment: Payment, **kwargs) -> str:
    """VNPay's IPN for ``payment`` (paid unless ``response`` says otherwise); its RspCode."""
    return ipn_handle(ipn_params(payment, **kwargs)).code


def pay_online(dossier) -> Payment:
    """The applicant pays the fee through VNPay and VNPay confirms it."""
    payment = start_online(dossier)
    assert confirm(payment) == "00"
    payment.refresh_from_db()
    return payment


def withdraw_and_stop(dossier, officer):
    """The applicant asks to withdraw the dossier (→7) and a counter officer stops it (→8)."""
    dossier_withdraw(dossier=dossier, actor=dossier.applicant, reason="Nộp nhầm thủ tục")
    return workflow.dossier_stop(dossier=dossier, actor=officer, note="Công dân rút hồ sơ")


def gateway_answer(payment, *, response="00", secret=VNPAY_SECRET, tmn=VNPAY_TMN) -> dict:
    """The signed query the gateway sends the payer's browser back with."""
    params = {
        "vnp_Amount": str(payment.amount * 100),
        "vnp_BankCode": "NCB",
        "vnp_OrderInfo": "Thanh toan le phi ho so",
        "vnp_PayDate": vnpay.format_date(timezone.now()),
        "vnp_ResponseCode": response,
        "vnp_TmnCode": tmn,
        "vnp_TransactionNo": "14123456",
        "vnp_TransactionStatus": "00" if response == "00" else "02",
        "vnp_TxnRef": payment.reference,
    }
    params["vnp_SecureHash"] = vnpay.sign(params, secret)
    return params
