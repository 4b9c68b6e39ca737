"""Who hears about what (notifications/rules.py through services.notify_event/notify_message),
with real dossier steps: the citizen's message of each step with the facts it names, the
officers whose work arrives, the channels each person is reached by, and the outbox rows written
in the step's own transaction."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import is_placeholder_email
from accounts.tests.factories import UserFactory
from dossiers import services, workflow
from dossiers.constants import Delivery, FeeState, PostalState, Status
from dossiers.models import Dossier
from dossiers.tests.factories import DossierFactory, published_procedure
from notifications import rules
from notifications.constants import DigestMode, Kind, NotifyChannel, State
from notifications.messages import render
from notifications.models import Notification, NotificationPreference
from payments import services as payments
from payments.constants import Provider
from payments.models import Refund
from portal.errors import DomainError
from procedures.tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db

EMAIL, SMS, INAPP = NotifyChannel.EMAIL, NotifyChannel.SMS, NotifyChannel.INAPP
EVERY_CHANNEL = [EMAIL, INAPP, SMS]  # sorted
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
RESULT_TEMPLATE = "<p>Kết quả hồ sơ {{ dossier.code }}</p>"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Results and forms are written to a temporary folder per test."""
    settings.MEDIA_ROOT = tmp_path / "media"


# --- helpers ------------------------------------------------------------------------------------


def rows_of(user, kind=None):
    rows = Notification.objects.filter(recipient=user)
    return list(rows.filter(kind=kind) if kind is not None else rows)


def channels(rows) -> list[str]:
    return sorted(row.channel for row in rows)


def recipients(kind) -> set[int]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient_id", flat=True))


def told_once_per_channel(user, kind, expected=EVERY_CHANNEL) -> dict:
    """The rows of ``kind`` to ``user``: one per channel, all written from the same facts; the
    facts."""
    rows = rows_of(user, kind)
    assert channels(rows) == sorted(expected), (kind, channels(rows))
    contexts = [row.context for row in rows]
    assert all(context == contexts[0] for context in contexts)
    assert {row.kind for row in rows_of(user)} == {kind}, "the person heard of something else"
    return contexts[0]


def english(kind, context):
    return render(kind, context, "en")


def vn(value: dt.datetime) -> str:
    """A moment as the dossier pages and the messages write it: Vietnam's time, d/m/Y H:i."""
    return timezone.localtime(value, VIETNAM).strftime("%d/%m/%Y %H:%M")


def make(procedure, citizen, **kwargs) -> Dossier:
    return DossierFactory(procedure=procedure, applicant=citizen, **kwargs)


# --- the table of the citizen's messages ------------------------------------------------------


def test_the_citizens_table_is_the_table_of_these_tests():
    assert rules.CITIZEN_KIND == {
        "submit": Kind.SUBMITTED,
        "file_for_citizen": Kind.FILED_AT_COUNTER,
        "receive": Kind.RECEIVED,
        "request_supplement": Kind.SUPPLEMENT_REQUESTED,
        "request_payment": Kind.PAYMENT_REQUESTED,
        "fee_paid": Kind.FEE_PAID,
        "apologize": Kind.APOLOGY,
        "approve": Kind.RESULT_READY,
        "return": Kind.RETURNED,
        "postal_update": Kind.POSTAL_FAILED,
        "refuse": Kind.REFUSED,
        "stop": Kind.STOPPED,
        "refund_started": Kind.REFUND,
        "refunded": Kind.REFUND,
    }


# --- each step the citizen hears of ---------------------------------------------------------------


def test_submitting_tells_the_applicant_the_dossiers_code(procedure, citizen):
    draft = make(procedure, citizen)

    dossier = services.dossier_submit(dossier=draft, actor=citizen)

    context = told_once_per_channel(citizen, Kind.SUBMITTED)
    assert dossier.code and context["code"] == dossier.code
    assert context["path"] == reverse("dossiers:detail", args=[dossier.pk])
    message = english(Kind.SUBMITTED, context)
    assert dossier.code in message.subject and dossier.code in message.text
    assert dossier.code in message.sms


def test_filing_at_the_counter_tells_the_applicant_the_code(procedure, citizen, intake):
    dossier = services.dossier_file_for_citizen(
        officer=intake, applicant=citizen, procedure=procedure, form_data={}
    )

    context = told_once_per_channel(citizen, Kind.FILED_AT_COUNTER)
    assert context["code"] == dossier.code
    assert dossier.code in english(Kind.FILED_AT_COUNTER, context).sms
    assert rows_of(intake) == []  # the officer who filed it is not told


def test_receiving_tells_the_due_date_and_that_the_receipt_is_on_the_dossier_page(
    procedure, citizen, intake
):
    dossier = make(procedure, citizen, submitted=True)

    received = workflow.dossier_receive(dossier=dossier, actor=intake)

    context = told_once_per_channel(citizen, Kind.RECEIVED)
    assert received.due_at is not None
    assert dt.datetime.fromisoformat(context["due_at"]) == received.due_at
    assert (context["code"], context["path"]) == (
        dossier.code,
        reverse("dossiers:detail", args=[dossier.pk]),
    )
    message = english(Kind.RECEIVED, context)
    assert vn(received.due_at) in message.subject
    assert vn(received.due_at) in message.text and vn(received.due_at) in message.sms
    assert "receipt" in message.text and "dossier page" in message.text
    # The link opens the dossier page where its issued papers (the receipt) are.
    assert message.path == reverse("dossiers:detail", args=[dossier.pk]) + "#issued-title"
    assert rows_of(intake) == []


def test_a_supplement_request_lists_the_items_and_the_note(procedure, citizen, specialist):
    dossier = make(procedure, citizen, processing=True)

    workflow.dossier_request_supplement(
        dossier=dossier,
        actor=specialist,
        items=["Bản sao giấy chứng sinh", "Ảnh 4x6 chụp gần đây"],
        note="Ảnh cũ bị mờ",
    )

    context = told_once_per_channel(citizen, Kind.SUPPLEMENT_REQUESTED)
    assert context["items"] == ["Bản sao giấy chứng sinh", "Ảnh 4x6 chụp gần đây"]
    assert context["note"] == "Ảnh cũ bị mờ"
    message = english(Kind.SUPPLEMENT_REQUESTED, context)
    assert message.items == ["Bản sao giấy chứng sinh", "Ảnh 4x6 chụp gần đây"]
    assert "– Bản sao giấy chứng sinh" in message.text
    assert "Ảnh cũ bị mờ" in message.text


def test_a_payment_request_names_the_amount(procedure, citizen, intake):
    dossier = make(procedure, citizen, received=True, fee_due=True)

    workflow.dossier_request_payment(dossier=dossier, actor=intake)

    context = told_once_per_channel(citizen, Kind.PAYMENT_REQUESTED)
    assert context["amount"] == 60_000
    message = english(Kind.PAYMENT_REQUESTED, context)
    assert "60.000 đ" in message.subject and "60.000 đ" in message.sms


def test_an_apology_gives_the_new_date_and_the_reason(procedure, citizen, leader):
    dossier = make(procedure, citizen, processing=True)
    previous = dossier.due_at
    new_due = previous + dt.timedelta(days=7)

    workflow.dossier_apologize(
        dossier=dossier, actor=leader, reason="Cần xác minh với công an phường", new_due_at=new_due
    )

    context = told_once_per_channel(citizen, Kind.APOLOGY)
    assert dt.datetime.fromisoformat(context["due_at"]) == new_due
    assert dt.datetime.fromisoformat(context["previous_due_at"]) == previous
    assert context["note"] == "Cần xác minh với công an phường"
    message = english(Kind.APOLOGY, context)
    assert vn(new_due) in message.subject
    assert vn(new_due) in message.text and vn(previous) in message.text
    assert "Reason: Cần xác minh với công an phường" in message.text
    assert vn(new_due) in message.sms


@pytest.mark.parametrize(
    ("delivery", "address", "how"),
    [
        (Delivery.ONLINE, "", "Download the signed result from the dossier page."),
        (Delivery.COUNTER, "", "Collect it at the counter of {agency}; bring your ID card."),
        (
            Delivery.POSTAL,
            "12 Lê Lợi, phường Phú Hội, Huế",
            "It will be posted to: 12 Lê Lợi, phường Phú Hội, Huế.",
        ),
    ],
)
def test_the_result_ready_says_how_to_get_it(delivery, address, how, procedure, citizen, leader):
    procedure.result_template = RESULT_TEMPLATE
    procedure.save(update_fields=["result_template"])
    dossier = make(procedure, citizen, processing=True, delivery=delivery, postal_address=address)

    workflow.dossier_approve(dossier=dossier, actor=leader, generate=True)

    context = told_once_per_channel(citizen, Kind.RESULT_READY)
    assert (context["delivery"], context["address"]) == (delivery, address)
    message = english(Kind.RESULT_READY, context)
    expected = how.format(agency=procedure.agency.name)
    assert expected in message.lines
    assert expected in message.sms


@pytest.mark.parametrize(
    ("method", "kwargs", "how"),
    [
        (Delivery.ONLINE, {}, "It is in your document store"),
        (Delivery.COUNTER, {"recipient_name": "Lê Thị Hoa"}, "handed to Lê Thị Hoa"),
        (
            Delivery.POSTAL,
            {"tracking_number": "EL000123456VN", "postal_address": "12 Lê Lợi, Huế"},
            "tracking number EL000123456VN",
        ),
    ],
)
def test_the_handover_names_how_the_result_was_handed_over(
    method, kwargs, how, procedure, citizen, intake
):
    dossier = make(procedure, citizen, processed=True)

    workflow.dossier_return(dossier=dossier, actor=intake, method=method, **kwargs)

    context = told_once_per_channel(citizen, Kind.RETURNED)
    assert context["method"] == method
    if method == Delivery.POSTAL:
        assert context["tracking_number"] == "EL000123456VN"
    else:
        assert "tracking_number" not in context
    message = english(Kind.RETURNED, context)
    assert how in message.text and how in message.sms


def test_a_refusal_gives_the_reason(procedure, citizen, intake):
    dossier = make(procedure, citizen, submitted=True)

    workflow.dossier_refuse(dossier=dossier, actor=intake, reason="Không thuộc thẩm quyền của xã")

    context = told_once_per_channel(citizen, Kind.REFUSED)
    assert context["note"] == "Không thuộc thẩm quyền của xã"
    assert "Reason: Không thuộc thẩm quyền của xã" in english(Kind.REFUSED, context).text


def test_stopping_tells_the_applicant(procedure, citizen, intake):
    dossier = make(procedure, citizen, withdrawal=True)

    workflow.dossier_stop(dossier=dossier, actor=intake, note="Theo đề nghị của công dân")

    context = told_once_per_channel(citizen, Kind.STOPPED)
    assert context["code"] == dossier.code
    assert dossier.code in english(Kind.STOPPED, context).subject


def test_a_failed_postal_delivery_tells_the_applicant_to_collect_it(procedure, citizen, intake):
    dossier = make(procedure, citizen, posted=True)

    workflow.dossier_postal_update(dossier=dossier, actor=intake, state=PostalState.FAILED)

    context = told_once_per_channel(citizen, Kind.POSTAL_FAILED)
    assert context["tracking_number"] == "EL000123456VN"
    message = english(Kind.POSTAL_FAILED, context)
    assert "EL000123456VN" in message.text
    assert f"Collect it at the counter of {procedure.agency.name}" in message.text


def test_a_delivered_parcel_tells_nobody(procedure, citizen, intake, leader):
    dossier = make(procedure, citizen, posted=True)

    workflow.dossier_postal_update(dossier=dossier, actor=intake, state=PostalState.DELIVERED)

    assert dossier.events.filter(action="postal_update").exists()
    assert not Notification.objects.exists()


def test_a_fee_paid_at_the_counter_tells_the_applicant_the_amount(procedure, citizen, intake):
    dossier = make(procedure, citizen, awaiting_payment=True)

    payments.payment_record_counter(dossier=dossier, actor=intake, provider=Provider.CASH)

    context = told_once_per_channel(citizen, Kind.FEE_PAID)
    assert context["amount"] == 50_000
    assert "50.000 đ" in english(Kind.FEE_PAID, context).text
    assert rows_of(intake) == []


def test_a_refund_is_told_when_it_starts_and_when_it_is_done(procedure, citizen, intake):
    dossier = make(procedure, citizen, processing=True, fee_due=True)
    payments.payment_record_counter(dossier=dossier, actor=intake, provider=Provider.CASH)
    services.dossier_withdraw(dossier=dossier, actor=citizen, reason="Nộp nhầm thủ tục")
    Notification.objects.all().delete()

    workflow.dossier_stop(dossier=dossier, actor=intake)

    started = rows_of(citizen, Kind.REFUND)
    assert channels(started) == EVERY_CHANNEL
    assert started[0].context["amount"] == 60_000 and not started[0].context.get("done")
    assert channels(rows_of(citizen, Kind.STOPPED)) == EVERY_CHANNEL
    assert "will be refunded" in english(Kind.REFUND, started[0].context).text
    assert Dossier.objects.get(pk=dossier.pk).fee_state == FeeState.REFUNDING

    payments.refund_complete(refund=Refund.objects.get(), actor=intake, reference="FT26112300001")

    done = [row for row in rows_of(citizen, Kind.REFUND) if row.context.get("done")]
    assert channels(done) == EVERY_CHANNEL
    assert done[0].key != started[0].key
    message = english(Kind.REFUND, done[0].context)
    assert "60.000 đ" in message.text and "is done" in message.text


def test_an_officers_message_reaches_the_applicant(procedure, citizen, intake, leader):
    dossier = make(procedure, citizen, received=True)

    services.dossier_message_post(
        dossier=dossier, author=intake, body="Mời ông/bà mang bản chính CCCD đến đối chiếu."
    )

    context = told_once_per_channel(citizen, Kind.AGENCY_MESSAGE)
    assert context["message"] == "Mời ông/bà mang bản chính CCCD đến đối chiếu."
    assert context["message"] in english(Kind.AGENCY_MESSAGE, context).text
    assert rows_of(intake) == [] and rows_of(leader) == []


def test_an_internal_note_reaches_no_one(procedure, citizen, intake, leader, specialist):
    dossier = make(procedure, citizen, received=True, assigned_to=specialist)

    services.dossier_message_post(
        dossier=dossier, author=intake, body="Đã gọi điện xác minh.", internal=True
    )

    assert not Notification.objects.exists()


@pytest.mark.parametrize("action", ["start", "assign", "transfer"])
def test_internal_steps_tell_the_citizen_nothing(action, procedure, citizen, leader, specialist):
    dossier = make(procedure, citizen, received=True)
    other = AgencyFactory()
    UserFactory(officer=True, agency=other)
    kwargs = {"assign": {"officer_id": specialist.pk}, "transfer": {"agency_code": other.code}}

    workflow.SERVICES[action](dossier=dossier, actor=leader, **kwargs.get(action, {}))

    assert dossier.events.filter(action=action).exists()
    assert rows_of(citizen) == []


# --- officers -----------------------------------------------------------------------------------


@pytest.fixture
def province(db):
    """A province with a commune, the province's one-stop centre, and another province with its
    own centre."""
    root = AgencyFactory(province=True)
    commune = AgencyFactory(parent=root, name="UBND phường Thuận Hóa")
    centre = AgencyFactory(one_stop_centre=True, parent=root)
    other_root = AgencyFactory(code="000.00.00.H33", name="UBND tỉnh Khác", level="province")
    other_centre = AgencyFactory(one_stop_centre=True, parent=other_root)
    return {"root": root, "commune": commune, "centre": centre, "other_centre": other_centre}


def test_a_new_dossier_reaches_the_desks_of_its_agency_and_of_the_province_centre(
    province, citizen
):
    commune, centre = province["commune"], province["centre"]
    told = [
        UserFactory(officer=True, agency=commune),
        UserFactory(leader=True, agency=commune),
        UserFactory(officer=True, agency=centre),
        UserFactory(leader=True, agency=centre),
    ]
    not_told = [
        UserFactory(specialist=True, agency=commune),
        UserFactory(specialist=True, agency=centre),
        UserFactory(officer=True, agency=commune, is_active=False),
        UserFactory(leader=True, agency=commune, is_active=False),
        UserFactory(officer=True, agency=province["root"]),  # the province itself is no desk
        UserFactory(officer=True, agency=province["other_centre"]),
        UserFactory(leader=True, agency=AgencyFactory()),
    ]
    draft = make(published_procedure(agency=commune), citizen)

    dossier = services.dossier_submit(dossier=draft, actor=citizen)

    assert recipients(Kind.NEW_DOSSIER) == {officer.pk for officer in told}
    for officer in not_told:
        assert rows_of(officer) == [], officer
    row = Notification.objects.filter(kind=Kind.NEW_DOSSIER, channel=INAPP).first()
    assert row.context["code"] == dossier.code
    assert row.context["path"] == reverse("officer:dossier", args=[dossier.pk])
    assert not Notification.objects.filter(recipient=citizen, kind=Kind.NEW_DOSSIER).exists()


def test_a_new_dossier_without_a_province_centre_reaches_the_agencys_desk(
    procedure, citizen, intake, leader, specialist, elsewhere
):
    services.dossier_submit(dossier=make(procedure, citizen), actor=citizen)

    assert recipients(Kind.NEW_DOSSIER) == {intake.pk, leader.pk}
    # Officers hear by email and in the portal; SMS only if they ask.
    assert channels(rows_of(intake, Kind.NEW_DOSSIER)) == [EMAIL, INAPP]
    assert rows_of(specialist) == [] and rows_of(elsewhere) == []


def test_assigning_tells_the_assignee_only(procedure, citizen, intake, leader, specialist):
    dossier = make(procedure, citizen, received=True)

    workflow.dossier_assign(dossier=dossier, actor=intake, officer_id=specialist.pk)

    assert recipients(Kind.ASSIGNED) == {specialist.pk}
    context = rows_of(specialist, Kind.ASSIGNED)[0].context
    assert dt.datetime.fromisoformat(context["due_at"]) == dossier.due_at
    assert context["path"] == reverse("officer:dossier", args=[dossier.pk])
    assert rows_of(intake) == [] and rows_of(leader) == [] and rows_of(citizen) == []


def test_the_officer_who_takes_a_step_is_not_told_of_it(procedure, citizen, leader):
    dossier = make(procedure, citizen, received=True)

    workflow.dossier_assign(dossier=dossier, actor=leader, officer_id=leader.pk)

    assert Dossier.objects.get(pk=dossier.pk).assigned_to == leader
    assert not Notification.objects.exists()


def test_a_transfer_tells_the_desk_of_the_new_agency(
    procedure, citizen, intake, leader, specialist
):
    target = AgencyFactory(name="UBND xã Bên Cạnh")
    target_intake = UserFactory(officer=True, agency=target)
    target_leader = UserFactory(leader=True, agency=target)
    target_specialist = UserFactory(specialist=True, agency=target)
    dossier = make(procedure, citizen, processing=True, assigned_to=specialist)

    workflow.dossier_transfer(dossier=dossier, actor=leader, agency_code=target.code)

    assert recipients(Kind.NEW_DOSSIER) == {target_intake.pk, target_leader.pk}
    assert rows_of(target_specialist) == []
    assert rows_of(intake) == [] and rows_of(leader) == [] and rows_of(specialist) == []
    assert rows_of(target_intake)[0].context["agency"] == "UBND xã Bên Cạnh"


def test_an_answered_supplement_tells_the_assignee(procedure, citizen, intake, leader, specialist):
    dossier = make(procedure, citizen, processing=True, assigned_to=specialist)
    workflow.dossier_request_supplement(dossier=dossier, actor=leader, items=["Ảnh 4x6"])

    services.dossier_answer_supplement(dossier=dossier, actor=citizen)

    assert recipients(Kind.SUPPLEMENT_ANSWERED) == {specialist.pk}
    assert rows_of(leader) == [] and rows_of(intake) == []


def test_an_answered_supplement_tells_the_officer_who_asked_when_nobody_is_assigned(
    procedure, citizen, intake, leader, specialist
):
    dossier = make(procedure, citizen, processing=True)
    workflow.dossier_request_supplement(dossier=dossier, actor=specialist, items=["Ảnh 4x6"])

    services.dossier_answer_supplement(dossier=dossier, actor=citizen)

    assert recipients(Kind.SUPPLEMENT_ANSWERED) == {specialist.pk}
    assert rows_of(intake) == [] and rows_of(leader) == []


def test_an_answered_supplement_tells_the_desk_when_nobody_asked_or_handles_it(
    procedure, citizen, intake, leader, specialist
):
    dossier = make(procedure, citizen, supplement=True)  # the request came before this history
    asker = UserFactory(specialist=True, agency=procedure.agency)
    retired_asker_dossier = make(procedure, citizen, processing=True)
    workflow.dossier_request_supplement(
        dossier=retired_asker_dossier, actor=asker, items=["Ảnh 4x6"]
    )
    asker.is_active = False
    asker.save(update_fields=["is_active"])

    services.dossier_answer_supplement(dossier=dossier, actor=citizen)
    services.dossier_answer_supplement(dossier=retired_asker_dossier, actor=citizen)

    for answered in (dossier, retired_asker_dossier):
        assert set(
            Notification.objects.filter(
                kind=Kind.SUPPLEMENT_ANSWERED, dossier=answered
            ).values_list("recipient_id", flat=True)
        ) == {intake.pk, leader.pk}
    assert rows_of(specialist) == [] and rows_of(asker) == []


def test_an_answered_supplement_tells_the_province_centres_officer_who_asked(province, citizen):
    """The centre's counter serves every agency of the province: its officer who asked for the
    papers at intake is the one who asked."""
    commune, centre = province["commune"], province["centre"]
    asker = UserFactory(officer=True, agency=centre)
    commune_desk = UserFactory(officer=True, agency=commune)
    dossier = make(published_procedure(agency=commune), citizen, submitted=True)
    workflow.dossier_request_supplement(dossier=dossier, actor=asker, items=["Ảnh 4x6"])

    services.dossier_answer_supplement(dossier=dossier, actor=citizen)

    assert recipients(Kind.SUPPLEMENT_ANSWERED) == {asker.pk}
    assert rows_of(commune_desk) == []


def test_an_answered_supplement_after_a_transfer_tells_the_new_desk_not_the_old_asker(
    procedure, citizen, leader, specialist
):
    target = AgencyFactory()
    target_intake = UserFactory(officer=True, agency=target)
    dossier = make(procedure, citizen, processing=True)
    workflow.dossier_request_supplement(dossier=dossier, actor=specialist, items=["Ảnh 4x6"])
    Dossier.objects.filter(pk=dossier.pk).update(agency=target)  # passed on while it waited

    services.dossier_answer_supplement(dossier=dossier, actor=citizen)

    assert recipients(Kind.SUPPLEMENT_ANSWERED) == {target_intake.pk}
    assert rows_of(specialist) == [] and rows_of(leader) == []


def test_a_citizens_message_goes_to_the_assignee(procedure, citizen, intake, leader, specialist):
    dossier = make(procedure, citizen, processing=True, assigned_to=specialist)

    services.dossier_message_post(dossier=dossier, author=citizen, body="Khi nào có kết quả?")

    assert recipients(Kind.CITIZEN_MESSAGE) == {specialist.pk}
    assert rows_of(specialist)[0].context["message"] == "Khi nào có kết quả?"
    assert rows_of(citizen) == []


def test_a_citizens_message_goes_to_the_desk_when_nobody_handles_it(
    procedure, citizen, intake, leader, specialist
):
    dossier = make(procedure, citizen, received=True)

    services.dossier_message_post(dossier=dossier, author=citizen, body="Khi nào có kết quả?")

    assert recipients(Kind.CITIZEN_MESSAGE) == {intake.pk, leader.pk}
    assert rows_of(specialist) == [] and rows_of(citizen) == []


def test_a_withdrawal_request_goes_to_the_desk(procedure, citizen, intake, leader, specialist):
    dossier = make(procedure, citizen, processing=True, assigned_to=specialist)

    services.dossier_withdraw(dossier=dossier, actor=citizen, reason="Nộp nhầm thủ tục")

    assert recipients(Kind.WITHDRAWAL_REQUESTED) == {intake.pk, leader.pk}
    assert rows_of(intake)[0].context["note"] == "Nộp nhầm thủ tục"
    assert rows_of(citizen) == [] and rows_of(specialist) == []


# --- channels and preferences ---------------------------------------------------------------------


def test_a_phone_only_citizen_gets_no_email(procedure, intake):
    phone_only = UserFactory(email="", with_phone=True)
    assert is_placeholder_email(phone_only.email)
    dossier = make(procedure, phone_only, submitted=True)

    workflow.dossier_receive(dossier=dossier, actor=intake)

    assert channels(rows_of(phone_only, Kind.RECEIVED)) == [INAPP, SMS]


def test_a_citizen_without_a_phone_gets_no_sms(procedure, intake):
    no_phone = UserFactory(phone=None)
    dossier = make(procedure, no_phone, submitted=True)

    workflow.dossier_receive(dossier=dossier, actor=intake)

    assert channels(rows_of(no_phone, Kind.RECEIVED)) == [EMAIL, INAPP]


@pytest.mark.parametrize(
    ("email", "sms", "expected"),
    [
        (False, True, [INAPP, SMS]),
        (True, False, [EMAIL, INAPP]),
        (False, False, [INAPP]),
    ],
)
def test_the_citizens_choices_are_respected(email, sms, expected, procedure, citizen, intake):
    NotificationPreference.objects.create(user=citizen, email=email, sms=sms)
    dossier = make(procedure, citizen, submitted=True)

    workflow.dossier_receive(dossier=dossier, actor=intake)

    assert channels(rows_of(citizen, Kind.RECEIVED)) == expected


def test_officers_get_no_sms_unless_they_ask(procedure, citizen, agency):
    quiet = UserFactory(officer=True, agency=agency, with_phone=True)
    asked = UserFactory(leader=True, agency=agency, with_phone=True)
    NotificationPreference.objects.create(user=asked, sms=True)

    services.dossier_submit(dossier=make(procedure, citizen), actor=citizen)

    assert channels(rows_of(quiet, Kind.NEW_DOSSIER)) == [EMAIL, INAPP]
    assert channels(rows_of(asked, Kind.NEW_DOSSIER)) == [EMAIL, INAPP, SMS]


def test_an_officer_who_turned_email_off_hears_in_the_portal_only(procedure, citizen, intake):
    NotificationPreference.objects.create(user=intake, email=False, sms=False)

    services.dossier_submit(dossier=make(procedure, citizen), actor=citizen)

    assert channels(rows_of(intake, Kind.NEW_DOSSIER)) == [INAPP]


def test_officers_on_a_daily_digest_have_email_and_sms_held(procedure, citizen, agency, leader):
    daily = UserFactory(officer=True, agency=agency, with_phone=True)
    NotificationPreference.objects.create(user=daily, sms=True, digest=DigestMode.DAILY)

    services.dossier_submit(dossier=make(procedure, citizen), actor=citizen)

    states = {row.channel: row.state for row in rows_of(daily, Kind.NEW_DOSSIER)}
    assert states == {INAPP: State.SENT, EMAIL: State.HELD, SMS: State.HELD}
    held = Notification.objects.filter(recipient=daily, state=State.HELD)
    assert all(row.next_attempt_at is None for row in held)
    # A colleague at once.
    assert {row.state for row in rows_of(leader, Kind.NEW_DOSSIER) if row.channel == EMAIL} == {
        State.PENDING
    }


def test_citizens_are_never_held_for_a_digest(procedure, citizen, intake):
    NotificationPreference.objects.create(user=citizen, digest=DigestMode.DAILY)
    dossier = make(procedure, citizen, submitted=True)

    workflow.dossier_receive(dossier=dossier, actor=intake)

    states = {row.channel: row.state for row in rows_of(citizen, Kind.RECEIVED)}
    assert states == {INAPP: State.SENT, EMAIL: State.PENDING, SMS: State.PENDING}


# --- written with the step, sent after it --------------------------------------------------------


def test_a_refused_step_writes_no_notification(
    procedure, citizen, intake, django_capture_on_commit_callbacks
):
    dossier = make(procedure, citizen, received=True)

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(DomainError),
    ):
        workflow.dossier_receive(dossier=dossier, actor=intake)

    assert callbacks == []
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_a_step_rolled_back_after_its_signal_leaves_no_rows(procedure, citizen, intake):
    dossier = make(procedure, citizen, submitted=True)

    with pytest.raises(RuntimeError), transaction.atomic():
        workflow.dossier_receive(dossier=dossier, actor=intake)
        assert Notification.objects.filter(recipient=citizen, kind=Kind.RECEIVED).count() == 3
        raise RuntimeError("something after the step failed")

    assert not Notification.objects.exists()
    assert Dossier.objects.get(pk=dossier.pk).status == Status.SUBMITTED


def test_rows_are_written_with_the_step_and_sent_only_after_commit(
    procedure, citizen, intake, sms_outbox, django_capture_on_commit_callbacks
):
    dossier = make(procedure, citizen, submitted=True)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        workflow.dossier_receive(dossier=dossier, actor=intake)

    states = {row.channel: row.state for row in rows_of(citizen, Kind.RECEIVED)}
    assert states == {INAPP: State.SENT, EMAIL: State.PENDING, SMS: State.PENDING}
    assert callbacks, "delivery is queued for after commit"
    assert mail.outbox == [] and sms_outbox == []  # nothing sent before commit

    for callback in callbacks:
        callback()

    states = {row.channel: row.state for row in rows_of(citizen, Kind.RECEIVED)}
    assert states == {INAPP: State.SENT, EMAIL: State.SENT, SMS: State.SENT}
    assert [message.to for message in mail.outbox] == [[citizen.email]]
    assert dossier.code in mail.outbox[0].subject
    assert [text.phone for text in sms_outbox] == [citizen.phone]


def test_a_message_rolled_back_leaves_no_rows(procedure, citizen, intake):
    dossier = make(procedure, citizen, received=True)

    with pytest.raises(RuntimeError), transaction.atomic():
        services.dossier_message_post(dossier=dossier, author=intake, body="Mời lên nhận.")
        assert Notification.objects.filter(kind=Kind.AGENCY_MESSAGE).exists()
        raise RuntimeError

    assert not Notification.objects.exists()
