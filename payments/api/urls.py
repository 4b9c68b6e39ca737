from django.urls import path

from payments.api import views

app_name = "payments-api"
urlpatterns = [
    path("dossiers/<uuid:pk>/payments/", views.DossierPaymentsView.as_view(), name="payments"),
    path(
        "officer/dossiers/<uuid:pk>/payments/",
        views.OfficerCounterPaymentView.as_view(),
        name="officer-payment",
    ),
    path(
        "officer/dossiers/<uuid:pk>/fee-exemption/",
        views.OfficerExemptionView.as_view(),
        name="officer-exemption",
    ),
    path("officer/refunds/<int:pk>/complete/", views.OfficerRefundView.as_view(), name="refund"),
]
