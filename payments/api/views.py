"""Payments API (../shared/API.md "Payments"): views parse, call a service, serialize.

A citizen pays and reads the payments of own dossiers; officers serving the dossier read them,
and counter officers record cash or card payments, exemptions and refunds. Anything else about
a dossier is a 404, as if it did not exist.
"""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from django.utils.translation import get_language
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.staff import (
    IsStaffWithSecondFactor,
    has_second_factor,
    is_staff_member,
    mfa_refusal,
)
from dossiers import selectors, workflow
from dossiers.api.serializers import ErrorSerializer
from dossiers.models import Dossier
from dossiers.results import verify_url
from payments import permissions, services
from payments.constants import COUNTER_PROVIDERS, ONLINE_PROVIDERS
from payments.models import Payment, Refund
from portal.api import Pagination
from portal.http import client_ip

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid input; see `fields`."),
    404: OpenApiResponse(ErrorSerializer, description="No such dossier of yours."),
    409: OpenApiResponse(
        ErrorSerializer, description="Nothing to pay (`nothing_to_pay`) or not payable now."
    ),
}


class RefundSerializer(serializers.ModelSerializer):
    class Meta:
        model = Refund
        fields = ["id", "amount", "reason", "state", "created_at", "completed_at", "reference"]


class PaymentSerializer(serializers.ModelSerializer):
    receipt = serializers.SerializerMethodField()
    refund = serializers.SerializerMethodField()

    class Meta:
        model = Payment
        fields = [
            "id",
            "provider",
            "amount",
            "reference",
            "state",
            "created_at",
            "expires_at",
            "confirmed_at",
            "transaction_no",
            "receipt",
            "refund",
        ]

    def get_receipt(self, payment) -> dict | None:
        """The electronic receipt once issued: its code, download and verification addresses."""
        document = payment.receipt
        if document is None:
            return None
        request = self.context.get("request")
        url = reverse("dossiers:issued_document", args=[payment.dossier_id, document.pk])
        return {
            "code": document.code,
            "url": request.build_absolute_uri(url) if request else url,
            "verify_url": verify_url(document.code),
            "signed": document.signed,
        }

    def get_refund(self, payment) -> dict | None:
        refund = getattr(payment, "refund", None)
        return RefundSerializer(refund).data if refund else None


class PaymentStartSerializer(serializers.Serializer):
    provider = serializers.ChoiceField(choices=sorted(ONLINE_PROVIDERS))


class PaymentStartedSerializer(serializers.Serializer):
    redirect_url = serializers.CharField(help_text="Send the payer's browser here.")
    payment = PaymentSerializer()


def _payments(dossier: Dossier):
    return (
        Payment.objects.filter(dossier=dossier)
        .select_related("receipt", "refund")
        .order_by("-created_at")
    )


class DossierPaymentsView(APIView):
    """`/api/v1/dossiers/{id}/payments/`: the payments of a dossier; start an online one."""

    @extend_schema(
        summary="Payments of a dossier",
        description="The applicant's own dossier, or one the officer serves. Newest first.",
        responses={200: PaymentSerializer(many=True), 404: ERRORS[404]},
    )
    def get(self, request, pk):
        user = request.user
        dossier = selectors.citizen_dossier_for_action(user, pk)
        if dossier is None and is_staff_member(user):
            if not has_second_factor(user):  # as every other staff endpoint
                raise mfa_refusal()
            dossier = selectors.staff_dossier(user, pk)
        if dossier is None or not permissions.can_see_payments(user, dossier):
            raise Http404
        paginator = Pagination()
        page = paginator.paginate_queryset(_payments(dossier), request, view=self)
        data = PaymentSerializer(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        summary="Pay the fee online",
        description=(
            "Opens a payment of the fee frozen at submission through `vnpay` or `sandbox` and "
            "answers the gateway address to send the payer to. The payment changes only when "
            "the gateway confirms it (IPN). Only the applicant; 409 when nothing is owed."
        ),
        request=PaymentStartSerializer,
        responses={201: PaymentStartedSerializer, **ERRORS},
    )
    def post(self, request, pk):
        dossier = selectors.citizen_dossier_for_action(request.user, pk)
        if dossier is None:
            raise Http404
        serializer = PaymentStartSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        payment, url = services.payment_start(
            dossier=dossier,
            payer=request.user,
            provider=serializer.validated_data["provider"],
            return_url=request.build_absolute_uri(reverse("payments:return")),
            ip=client_ip(request),
            locale=get_language() or "vi",
        )
        body = {
            "redirect_url": request.build_absolute_uri(url),
            "payment": PaymentSerializer(payment, context={"request": request}).data,
        }
        return Response(body, status=status.HTTP_201_CREATED)


# --- officers ---------------------------------------------------------------------------------


class CounterPaymentSerializer(serializers.Serializer):
    provider = serializers.ChoiceField(
        choices=sorted(COUNTER_PROVIDERS), help_text="`cash` or `card`."
    )
    payer_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)


class ExemptionSerializer(serializers.Serializer):
    group = serializers.CharField(max_length=40, help_text="Exempt group code.")
    reason = serializers.CharField(max_length=2000)


class RefundCompleteSerializer(serializers.Serializer):
    reference = serializers.CharField(max_length=100)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)


def _staff_dossier(request, pk) -> Dossier:
    dossier = selectors.staff_dossier(request.user, pk)
    if dossier is None:
        raise Http404
    return dossier


class OfficerCounterPaymentView(APIView):
    permission_classes = [IsStaffWithSecondFactor]

    @extend_schema(
        summary="Record a payment at the counter",
        description="Cash or card, for the frozen amount; the receipt follows. 409 if settled.",
        request=CounterPaymentSerializer,
        responses={201: PaymentSerializer, 403: OpenApiResponse(ErrorSerializer), **ERRORS},
    )
    def post(self, request, pk):
        dossier = _staff_dossier(request, pk)
        serializer = CounterPaymentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        payment = services.payment_record_counter(
            dossier=dossier, actor=request.user, ip=client_ip(request), **serializer.validated_data
        )
        data = PaymentSerializer(payment, context={"request": request}).data
        return Response(data, status=status.HTTP_201_CREATED)


class OfficerExemptionView(APIView):
    permission_classes = [IsStaffWithSecondFactor]

    @extend_schema(
        summary="Record a fee exemption",
        description="A group every fee item of the procedure exempts, with the reason.",
        request=ExemptionSerializer,
        responses={201: None, 403: OpenApiResponse(ErrorSerializer), **ERRORS},
    )
    def post(self, request, pk):
        dossier = _staff_dossier(request, pk)
        serializer = ExemptionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        exemption = services.fee_exemption_record(
            dossier=dossier,
            actor=request.user,
            group_code=serializer.validated_data["group"],
            reason=serializer.validated_data["reason"],
            ip=client_ip(request),
        )
        body = {"group": exemption.group.code, "amount": exemption.amount}
        return Response(body, status=status.HTTP_201_CREATED)


class OfficerRefundView(APIView):
    permission_classes = [IsStaffWithSecondFactor]

    @extend_schema(
        summary="Record that a refund was paid back",
        request=RefundCompleteSerializer,
        responses={200: RefundSerializer, 403: OpenApiResponse(ErrorSerializer), **ERRORS},
    )
    def post(self, request, pk):
        refund = Refund.objects.select_related("payment__dossier").filter(pk=pk).first()
        if refund is None or not workflow.serves(request.user, refund.payment.dossier):
            raise Http404  # another agency's refund is as unknown as a missing one
        serializer = RefundCompleteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        refund = services.refund_complete(
            refund=refund, actor=request.user, **serializer.validated_data
        )
        return Response(RefundSerializer(refund).data)
