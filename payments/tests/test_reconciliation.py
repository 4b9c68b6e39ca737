"""The daily reconciliation (payments.services.reconciliation and its page): per gateway, the
attempts opened on a local day, counted by state, with the amounts received and refunded in
whole VND; the summary CSV and the per-payment CSV. Who may see it: test_permissions.py."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from payments import services
from payments.constants import PaymentState, Provider
from payments.models import Payment
from payments.tests.conftest import login
from payments.tests.factories import PaymentFactory

pytestmark = pytest.mark.django_db

URL = reverse("payments:reconciliation")
DAY = dt.date(2026, 11, 20)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def made(when: dt.datetime, **kwargs) -> Payment:
    payment = PaymentFactory(**kwargs)
    Payment.objects.filter(pk=payment.pk).update(created_at=when)
    return payment


@pytest.fixture
def day_of_payments():
    """On DAY: VNPay 2 paid (60,000 + 45,000), 1 failed, 1 expired, 1 pending, 1 refunded;
    sandbox 1 paid; cash 1 paid. Around it, payments of the days before and after."""
    made(at(DAY, 0, 0), succeeded=True)
    made(at(DAY, 9), succeeded=True, amount=45_000)
    made(at(DAY, 10), failed=True)
    made(at(DAY, 11), expired=True)
    made(at(DAY, 12))
    made(at(DAY, 13), state=PaymentState.REFUNDED, amount=60_000)
    made(at(DAY, 14), provider=Provider.SANDBOX, succeeded=True)
    made(at(DAY, 23, 59), counter=True)
    made(at(DAY - dt.timedelta(days=1), 23, 59), succeeded=True)  # the day before, local time
    made(at(DAY + dt.timedelta(days=1), 0, 0), succeeded=True)  # the day after


def test_reconciliation_counts_and_totals_per_provider(day_of_payments):
    rows = {row.provider: row for row in services.reconciliation(DAY)}

    assert set(rows) == {Provider.VNPAY, Provider.SANDBOX, Provider.CASH}
    vnpay = rows[Provider.VNPAY]
    assert (vnpay.attempts, vnpay.succeeded, vnpay.failed, vnpay.expired, vnpay.pending) == (
        6,
        2,
        1,
        1,
        1,
    )
    assert vnpay.succeeded_amount == 105_000
    assert (vnpay.refunded, vnpay.refunded_amount) == (1, 60_000)
    assert (rows[Provider.SANDBOX].succeeded, rows[Provider.SANDBOX].succeeded_amount) == (
        1,
        60_000,
    )
    assert rows[Provider.CASH].succeeded_amount == 60_000
    assert all(isinstance(row.succeeded_amount, int) for row in rows.values())


def test_reconciliation_of_a_day_without_payments_is_empty(day_of_payments):
    assert services.reconciliation(DAY - dt.timedelta(days=5)) == []


def test_reconciliation_payments_are_the_days_by_provider(day_of_payments):
    lines = list(services.reconciliation_payments(DAY))

    assert len(lines) == 8
    assert [p.provider for p in lines] == sorted(p.provider for p in lines)


def test_the_page_shows_the_days_rows_and_totals(client, portal_admin, day_of_payments):
    login(client, portal_admin)

    response = client.get(URL, {"day": DAY.isoformat()})

    assert response.status_code == 200
    totals = response.context["totals"]
    assert totals == {
        "attempts": 8,
        "succeeded": 4,
        "succeeded_amount": 225_000,
        "refunded_amount": 60_000,
    }
    assert "225.000 đ" in response.content.decode()


def test_the_page_defaults_to_today(client, portal_admin):
    PaymentFactory(succeeded=True)
    login(client, portal_admin)

    response = client.get(URL)

    assert response.status_code == 200
    assert response.context["day"] == timezone.localdate()
    assert response.context["totals"]["succeeded"] == 1


def test_a_bad_day_is_400_with_the_form_error(client, portal_admin):
    login(client, portal_admin)

    response = client.get(URL, {"day": "2026-13-45"})

    assert response.status_code == 400
    assert 'class="error-summary"' in response.content.decode()


def read_csv(response) -> list[list[str]]:
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff")  # Excel reads UTF-8
    return list(csv.reader(io.StringIO(content[1:])))


def test_the_summary_csv_has_one_line_per_provider_in_whole_vnd(
    client, portal_admin, day_of_payments
):
    login(client, portal_admin)

    response = client.get(URL, {"day": DAY.isoformat(), "format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f"doi-soat-{DAY.isoformat()}.csv" in response["Content-Disposition"]
    header, *rows = read_csv(response)
    assert header[:5] == ["day", "provider", "attempts", "succeeded", "succeeded_amount_vnd"]
    by_provider = {row[1]: dict(zip(header, row, strict=True)) for row in rows}
    assert set(by_provider) == {"vnpay", "sandbox", "cash"}
    vnpay = by_provider["vnpay"]
    assert vnpay["attempts"] == "6" and vnpay["succeeded"] == "2"
    assert vnpay["succeeded_amount_vnd"] == "105000"
    assert vnpay["refunded_amount_vnd"] == "60000"
    assert all(row[0] == DAY.isoformat() for row in rows)


def test_the_lines_csv_has_one_line_per_payment(client, portal_admin, day_of_payments):
    login(client, portal_admin)

    response = client.get(URL, {"day": DAY.isoformat(), "format": "csv", "lines": "1"})

    assert response.status_code == 200
    assert f"doi-soat-{DAY.isoformat()}-giao-dich.csv" in response["Content-Disposition"]
    header, *rows = read_csv(response)
    assert header[:5] == ["provider", "reference", "gateway_transaction", "dossier", "amount_vnd"]
    assert len(rows) == 8
    amounts = sorted(int(row[4]) for row in rows)
    assert all(row[4].isdigit() for row in rows)
    assert sum(amounts) == 60_000 * 7 + 45_000
    assert all(row[6].startswith(DAY.isoformat()) for row in rows)  # local time
