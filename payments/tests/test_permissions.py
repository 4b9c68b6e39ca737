"""Every payment page and endpoint from the outside: a second citizen, an officer of another
agency, an anonymous visitor (and staff without two-factor log-in) are refused the way the
portal refuses them elsewhere, and nothing is written. The owner cannot take counter payments;
only portal administrators see the reconciliation."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from dossiers.constants import FeeState
from dossiers.tests.factories import DossierFactory
from payments import permissions
from payments.models import FeeExemption, Payment, Refund
from payments.tests.conftest import login
from payments.tests.factories import (
    PaymentFactory,
    gateway_answer,
    pay_online,
    withdraw_and_stop,
)
from procedures.tests.factories import ExemptGroupFactory, FeeItemFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("account_login")
RECONCILIATION = reverse("payments:reconciliation")


def pay_url(dossier) -> str:
    return reverse("payments:pay", args=[dossier.pk])


def officer_url(dossier) -> str:
    return reverse("payments:officer", args=[dossier.pk])


def api(user=None) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def exempt_group(procedure):
    group = ExemptGroupFactory(code="ho-ngheo")
    FeeItemFactory(procedure=procedure, code="le-phi").exempt_groups.add(group)
    return group


@pytest.fixture
def refund(procedure, intake):
    """A refund of another dossier of the agency, paid then stopped."""
    paid = DossierFactory(received=True, fee_due=True, procedure=procedure)
    pay_online(paid)
    withdraw_and_stop(paid, intake)
    return Refund.objects.get()


def nothing_written(dossier) -> None:
    dossier.refresh_from_db()
    assert dossier.fee_state == FeeState.DUE
    assert not Payment.objects.filter(dossier=dossier).exists()
    assert not FeeExemption.objects.filter(dossier=dossier).exists()


# --- the pay page ---------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in_from_the_pay_page(client, dossier):
    for response in (
        client.get(pay_url(dossier)),
        client.post(pay_url(dossier), {"provider": "vnpay"}),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)
    nothing_written(dossier)


@pytest.mark.parametrize("who", ["other_citizen", "stranger_officer", "intake"])
def test_nobody_but_the_applicant_opens_or_posts_the_pay_page(client, dossier, request, who):
    login(client, request.getfixturevalue(who))

    assert client.get(pay_url(dossier)).status_code == 404
    assert client.post(pay_url(dossier), {"provider": "vnpay"}).status_code == 404
    nothing_written(dossier)


def test_the_return_page_shows_nothing_of_the_payment_to_an_anonymous_visitor(client, dossier):
    payment = pay_online(dossier)

    response = client.get(reverse("payments:return"), gateway_answer(payment))

    assert response.status_code == 200 and response.context["payment"] is None
    assert dossier.code not in response.content.decode()


# --- the receipt ----------------------------------------------------------------------------------


def test_only_the_applicant_downloads_the_receipt(
    client, dossier, other_citizen, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        payment = pay_online(dossier)
    payment.refresh_from_db()
    url = reverse("dossiers:issued_document", args=[dossier.pk, payment.receipt.pk])

    login(client, dossier.applicant)
    assert client.get(url).status_code == 200
    login(client, other_citizen)
    assert client.get(url).status_code == 404
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


# --- the officers' fee page -----------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in_from_the_fee_page(client, dossier):
    response = client.post(officer_url(dossier), {"action": "counter", "counter-provider": "cash"})

    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert client.get(officer_url(dossier))["Location"].startswith(LOGIN)
    nothing_written(dossier)


@pytest.mark.parametrize("who", ["applicant", "other_citizen"])
def test_citizens_are_refused_the_fee_page_403(client, dossier, request, who):
    login(client, request.getfixturevalue(who))

    assert client.get(officer_url(dossier)).status_code == 403
    response = client.post(officer_url(dossier), {"action": "counter", "counter-provider": "cash"})
    assert response.status_code == 403
    nothing_written(dossier)


def test_an_officer_of_another_agency_gets_404_on_the_fee_page(client, dossier, stranger_officer):
    login(client, stranger_officer)

    assert client.get(officer_url(dossier)).status_code == 404
    response = client.post(officer_url(dossier), {"action": "counter", "counter-provider": "cash"})
    assert response.status_code == 404
    nothing_written(dossier)


def test_an_officer_without_two_factor_log_in_is_sent_to_set_it_up(client, dossier, agency):
    login(client, UserFactory(officer=True, agency=agency))

    response = client.post(officer_url(dossier), {"action": "counter", "counter-provider": "cash"})

    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")
    nothing_written(dossier)


def test_an_officer_of_another_agency_cannot_complete_a_refund_on_the_page(
    client, refund, stranger_officer
):
    login(client, stranger_officer)
    data = {"action": "refund", "refund-refund": refund.pk, "refund-reference": "X"}

    assert client.post(officer_url(refund.payment.dossier), data).status_code == 404
    refund.refresh_from_db()
    assert refund.state == "pending"


# --- the reconciliation ---------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in_from_the_reconciliation(client):
    response = client.get(RECONCILIATION)

    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


@pytest.mark.parametrize("who", ["applicant", "intake", "leader", "specialist"])
def test_only_portal_admins_see_the_reconciliation(client, request, who):
    login(client, request.getfixturevalue(who))

    assert client.get(RECONCILIATION).status_code == 403
    assert client.get(RECONCILIATION, {"format": "csv"}).status_code == 403
    assert client.get(RECONCILIATION, {"format": "csv", "lines": "1"}).status_code == 403


def test_a_portal_admin_without_two_factor_log_in_is_sent_to_set_it_up(client):
    login(client, UserFactory(admin=True))

    response = client.get(RECONCILIATION)

    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")


def test_a_portal_admin_sees_the_reconciliation(client, portal_admin):
    login(client, portal_admin)

    assert client.get(RECONCILIATION).status_code == 200


def test_the_reconciliation_permission_is_the_admins_alone(portal_admin, leader, applicant):
    assert permissions.can_view_reconciliation(portal_admin)
    assert not permissions.can_view_reconciliation(leader)
    assert not permissions.can_view_reconciliation(applicant)


# --- the API: a dossier's payments ----------------------------------------------------------------


def test_anonymous_callers_are_refused_the_payments_api(dossier):
    url = f"/api/v1/dossiers/{dossier.pk}/payments/"

    assert api().get(url).status_code in (401, 403)
    assert api().post(url, {"provider": "vnpay"}).status_code in (401, 403)
    nothing_written(dossier)


@pytest.mark.parametrize("who", ["other_citizen", "stranger_officer"])
def test_strangers_get_404_from_the_payments_api(dossier, request, who):
    PaymentFactory(dossier=dossier, reference="SECRET0000000001")
    user = request.getfixturevalue(who)
    url = f"/api/v1/dossiers/{dossier.pk}/payments/"

    assert api(user).get(url).status_code == 404
    assert api(user).post(url, {"provider": "vnpay"}).status_code == 404
    assert Payment.objects.count() == 1


def test_an_officer_serving_the_dossier_cannot_start_an_online_payment(dossier, intake):
    response = api(intake).post(f"/api/v1/dossiers/{dossier.pk}/payments/", {"provider": "vnpay"})

    assert response.status_code == 404
    nothing_written(dossier)


# --- the API: the officers' endpoints -------------------------------------------------------------


def officer_calls(dossier, refund):
    return [
        (f"/api/v1/officer/dossiers/{dossier.pk}/payments/", {"provider": "cash"}),
        (
            f"/api/v1/officer/dossiers/{dossier.pk}/fee-exemption/",
            {"group": "ho-ngheo", "reason": "Sổ hộ nghèo"},
        ),
        (f"/api/v1/officer/refunds/{refund.pk}/complete/", {"reference": "RF-1"}),
    ]


def assert_officer_calls_refused(user, dossier, refund, statuses) -> None:
    for (url, data), expected in zip(officer_calls(dossier, refund), statuses, strict=True):
        response = api(user).post(url, data)
        assert response.status_code in expected, (url, response.status_code, response.json())
    nothing_written(dossier)
    refund.refresh_from_db()
    assert refund.state == "pending"


def test_anonymous_callers_are_refused_the_officer_endpoints(dossier, refund, exempt_group):
    assert_officer_calls_refused(None, dossier, refund, [(401, 403)] * 3)


@pytest.mark.parametrize("who", ["applicant", "other_citizen"])
def test_citizens_are_refused_the_officer_endpoints_403(
    dossier, refund, exempt_group, request, who
):
    user = request.getfixturevalue(who)

    assert_officer_calls_refused(user, dossier, refund, [(403,)] * 3)


def test_an_officer_of_another_agency_gets_404_from_the_officer_endpoints(
    dossier, refund, exempt_group, stranger_officer
):
    assert_officer_calls_refused(stranger_officer, dossier, refund, [(404,)] * 3)


def test_a_specialist_gets_403_from_the_officer_endpoints(
    dossier, refund, exempt_group, specialist
):
    assert_officer_calls_refused(specialist, dossier, refund, [(403,)] * 3)


def test_an_officer_without_two_factor_log_in_is_refused_the_officer_endpoints(
    dossier, refund, exempt_group, agency
):
    user = UserFactory(officer=True, agency=agency)

    for url, data in officer_calls(dossier, refund):
        response = api(user).post(url, data)
        assert response.status_code == 403 and response.json()["code"] == "mfa_required"
    nothing_written(dossier)
