"""Payment pages. The gateway's addresses are the ones API.md names (/payments/vnpay/…)."""

from django.urls import path

from payments import views

app_name = "payments"
urlpatterns = [
    path("ho-so/<uuid:dossier_id>/thanh-toan/", views.pay, name="pay"),
    path("payments/vnpay/return/", views.gateway_return, name="return"),
    path("payments/vnpay/ipn/", views.ipn, name="ipn"),
    path("payments/sandbox/pay/", views.sandbox, name="sandbox"),
    path("can-bo/ho-so/<uuid:dossier_id>/thu-phi/", views.officer_fee, name="officer"),
    path("can-bo/doi-soat-thanh-toan/", views.reconciliation, name="reconciliation"),
]
