"""The officers' workflow (dossiers/workflow.py) and its permission functions, at the service
level: every step from every status, who may take it, the deadlines of Decree 118/2025 (working
days, the 15:00 rule, the paused clock, the one apology), transfers, results, stale pages and bad
input. The API on top is in test_officer_api.py, the races on PostgreSQL in
test_workflow_concurrency.py."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from pathlib import Path
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.tests.factories import UserFactory
from dossiers import permissions, selectors, services, workflow
from dossiers.constants import DocumentKind, FeeState, Status, StoredKind
from dossiers.models import Dossier, DossierEvent, IssuedDocument, StoredDocument
from dossiers.signing import check_pdf
from dossiers.tests.factories import PNG_BYTES, DossierFactory, pdf_upload, published_procedure
from portal.errors import DomainError
from procedures.constants import Channel, DayKind
from procedures.models import Procedure
from procedures.tests.factories import AgencyFactory, HolidayFactory

pytestmark = pytest.mark.django_db

S = Status
HCM = ZoneInfo("Asia/Ho_Chi_Minh")

# --- the rules, written out here on purpose (not read from workflow.TRANSITIONS) --------------

ACTIONS = [
    "receive",
    "request_supplement",
    "refuse",
    "start",
    "assign",
    "transfer",
    "request_payment",
    "apologize",
    "approve",
    "return",
    "postal_update",
    "stop",
]
ALLOWED_FROM = {
    "receive": {S.SUBMITTED},
    "request_supplement": {S.SUBMITTED, S.RECEIVED, S.PROCESSING},
    "refuse": {S.SUBMITTED},
    "start": {S.RECEIVED, S.AWAITING_PAYMENT},
    "assign": {S.RECEIVED, S.PROCESSING},
    "transfer": {S.RECEIVED, S.PROCESSING},
    "request_payment": {S.RECEIVED, S.PROCESSING},
    "apologize": {S.RECEIVED, S.PROCESSING, S.SUPPLEMENT, S.AWAITING_PAYMENT},
    "approve": {S.PROCESSING},
    "return": {S.PROCESSED},
    "postal_update": {S.RETURNED},
    "stop": {S.WITHDRAWAL},
}
TARGET = {
    "receive": S.RECEIVED,
    "request_supplement": S.SUPPLEMENT,
    "refuse": S.REFUSED,
    "start": S.PROCESSING,
    "assign": None,  # the status stays
    "transfer": None,
    "request_payment": S.AWAITING_PAYMENT,
    "apologize": None,
    "approve": S.PROCESSED,
    "return": S.RETURNED,
    "postal_update": None,
    "stop": S.STOPPED,
}
INTAKE, SPECIALIST, LEADER = "intake", "specialist", "leader"
DUTIES = {
    "receive": {INTAKE, LEADER},
    "request_supplement": {INTAKE, SPECIALIST, LEADER},
    "refuse": {INTAKE, LEADER},
    "start": {SPECIALIST, LEADER},
    "assign": {INTAKE, LEADER},
    "transfer": {LEADER},
    "request_payment": {INTAKE, SPECIALIST, LEADER},
    "apologize": {INTAKE, LEADER},
    "approve": {LEADER},
    "return": {INTAKE, LEADER},
    "postal_update": {INTAKE, LEADER},
    "stop": {INTAKE, LEADER},
}
TRAIT = {
    S.SUBMITTED: "submitted",
    S.RECEIVED: "received",
    S.REFUSED: "refused",
    S.PROCESSING: "processing",
    S.SUPPLEMENT: "supplement",
    S.AWAITING_PAYMENT: "awaiting_payment",
    S.WITHDRAWAL: "withdrawal",
    S.STOPPED: "stopped",
    S.PROCESSED: "processed",
    S.RETURNED: "returned",
}
SERVICES = {
    "receive": workflow.dossier_receive,
    "request_supplement": workflow.dossier_request_supplement,
    "refuse": workflow.dossier_refuse,
    "start": workflow.dossier_start,
    "assign": workflow.dossier_assign,
    "transfer": workflow.dossier_transfer,
    "request_payment": workflow.dossier_request_payment,
    "apologize": workflow.dossier_apologize,
    "approve": workflow.dossier_approve,
    "return": workflow.dossier_return,
    "postal_update": workflow.dossier_postal_update,
    "stop": workflow.dossier_stop,
}
CAN = {
    "receive": permissions.can_receive_dossier,
    "request_supplement": permissions.can_request_supplement,
    "refuse": permissions.can_refuse_dossier,
    "start": permissions.can_start_dossier,
    "assign": permissions.can_assign_dossier,
    "transfer": permissions.can_transfer_dossier,
    "request_payment": permissions.can_request_payment,
    "apologize": permissions.can_apologize,
    "approve": permissions.can_approve_dossier,
    "return": permissions.can_return_result,
    "postal_update": permissions.can_record_postal_delivery,
    "stop": permissions.can_stop_dossier,
}


def test_the_table_in_the_code_is_the_table_of_these_tests():
    assert list(workflow.TRANSITIONS) == ACTIONS
    for action, transition in workflow.TRANSITIONS.items():
        assert transition.sources == ALLOWED_FROM[action], action
        assert transition.target == TARGET[action], action
        assert transition.duties == DUTIES[action], action
    assert set(SERVICES) == set(CAN) == set(ACTIONS)


# --- helpers and fixtures -------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def at(*parts) -> dt.datetime:
    """A local (Asia/Ho_Chi_Minh) moment."""
    return dt.datetime(*parts, tzinfo=HCM)


@contextmanager
def frozen(moment: dt.datetime):
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


@pytest.fixture
def procedure():
    return published_procedure(processing_days=3)


@pytest.fixture
def agency(procedure):
    return procedure.agency


@pytest.fixture
def staff(agency):
    return {
        INTAKE: UserFactory(officer=True, agency=agency, full_name="Trần Văn Tiếp"),
        SPECIALIST: UserFactory(specialist=True, agency=agency, full_name="Lê Văn Chuyên"),
        LEADER: UserFactory(leader=True, agency=agency, full_name="Phạm Lãnh Đạo"),
    }


@pytest.fixture
def elsewhere():
    """Another commune: a transfer target, and whose officers serve none of our dossiers."""
    return AgencyFactory(name="UBND xã Bên Cạnh")


def make(procedure, status, **kwargs) -> Dossier:
    """A dossier of ``procedure`` in ``status``, with a fee so that payment can be asked."""
    kwargs.setdefault("fee_net", 20_000)
    # Owed while a payment may still be asked for; settled where the step needs it (start
    # from 6, return from 9).
    kwargs.setdefault(
        "fee_state",
        FeeState.DUE if status in (S.SUBMITTED, S.RECEIVED, S.PROCESSING) else FeeState.PAID,
    )
    trait = "posted" if status == S.RETURNED else TRAIT[status]  # a postal delivery to record
    return DossierFactory(procedure=procedure, **{trait: True}, **kwargs)


def arguments(action, dossier, staff, elsewhere) -> dict:
    due = dossier.due_at or timezone.now() + dt.timedelta(days=30)
    return {
        "receive": {},
        "request_supplement": {"items": ["Bản sao giấy chứng sinh"], "note": "Ảnh bị mờ"},
        "refuse": {"reason": "Không thuộc thẩm quyền của xã"},
        "start": {},
        "assign": {"officer_id": staff[SPECIALIST].pk},
        "transfer": {"agency_code": elsewhere.code, "note": "Liên thông"},
        "request_payment": {},
        "apologize": {"reason": "Cần xác minh thêm", "new_due_at": due + dt.timedelta(days=7)},
        "approve": {"result_file": pdf_upload("ket-qua.pdf")},
        "return": {"method": "online"},
        "postal_update": {"state": "delivered"},
        "stop": {"note": "Công dân đã rút hồ sơ"},
    }[action]


def state(dossier: Dossier) -> tuple:
    """What a refused step must leave untouched."""
    row = Dossier.objects.get(pk=dossier.pk)
    return (
        row.status,
        row.agency_id,
        row.assigned_to_id,
        row.received_at,
        row.due_at,
        row.paused_since,
        row.supplement_requests,
        row.apologized_at,
        row.result_id,
        row.finished_at,
        row.updated_at,
        DossierEvent.objects.filter(dossier=row).count(),
        StoredDocument.objects.count(),
    )


def files_under(root) -> list[Path]:
    root = Path(root)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def refusal(call) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value


# --- every step from every status -----------------------------------------------------------


@pytest.mark.parametrize("status", list(TRAIT), ids=lambda s: S(s).name.lower())
@pytest.mark.parametrize("action", ACTIONS)
def test_each_step_from_each_status(action, status, procedure, staff, elsewhere):
    dossier = make(procedure, status)
    leader = staff[LEADER]  # a leader's duty includes every step: only the status decides
    kwargs = arguments(action, dossier, staff, elsewhere)

    if status not in ALLOWED_FROM[action]:
        before = state(dossier)
        error = refusal(lambda: SERVICES[action](dossier=dossier, actor=leader, **kwargs))
        assert (error.status, error.code) == (409, "conflict")
        assert error.fields == {"status": [str(int(status))]}
        assert str(S(status).label) in error.message
        assert state(dossier) == before
        return

    saved = SERVICES[action](dossier=dossier, actor=leader, ip="203.0.113.7", **kwargs)

    row = Dossier.objects.get(pk=dossier.pk)
    expected = TARGET[action] if TARGET[action] is not None else status
    assert saved.status == row.status == expected
    event = DossierEvent.objects.get(dossier=row)  # the factory writes no history
    assert (event.action, event.from_status, event.to_status) == (action, status, expected)
    assert (event.actor, event.actor_role, event.ip) == (leader, LEADER, "203.0.113.7")
    assert row.code == dossier.code  # the code never changes, whatever the step


def test_a_draft_is_nobody_elses_business(procedure, staff):
    draft = DossierFactory(procedure=procedure)

    error = refusal(lambda: workflow.dossier_receive(dossier=draft, actor=staff[LEADER]))

    assert (error.status, error.code) == (404, "not_found")
    assert workflow.allowed_now(staff[LEADER], draft) == []
    assert not permissions.can_view_dossier(staff[LEADER], draft)


# --- who may take each step -------------------------------------------------------------------


def first_source(action) -> int:
    return min(ALLOWED_FROM[action])


@pytest.mark.parametrize("duty", [INTAKE, SPECIALIST, LEADER])
@pytest.mark.parametrize("action", ACTIONS)
def test_each_duty_is_allowed_or_refused_per_the_table(action, duty, procedure, staff, elsewhere):
    dossier = make(procedure, first_source(action))
    officer = staff[duty]
    kwargs = arguments(action, dossier, staff, elsewhere)
    before = state(dossier)

    if duty in DUTIES[action]:
        SERVICES[action](dossier=dossier, actor=officer, **kwargs)
        event = DossierEvent.objects.get(dossier=dossier)
        assert (event.action, event.actor, event.actor_role) == (action, officer, duty)
        assert CAN[action](officer, make(procedure, first_source(action)))
    else:
        error = refusal(lambda: SERVICES[action](dossier=dossier, actor=officer, **kwargs))
        assert (error.status, error.code) == (403, "permission_denied")
        assert state(dossier) == before
        assert not CAN[action](officer, dossier)
        assert action not in workflow.allowed_now(officer, dossier)


@pytest.mark.parametrize("action", ACTIONS)
def test_admins_may_take_every_step(action, procedure, staff, elsewhere):
    admin = UserFactory(admin=True)
    dossier = make(procedure, first_source(action))

    SERVICES[action](dossier=dossier, actor=admin, **arguments(action, dossier, staff, elsewhere))

    event = DossierEvent.objects.get(dossier=dossier)
    assert (event.action, event.actor, event.actor_role) == (action, admin, "admin")


@pytest.mark.parametrize("action", ACTIONS)
def test_an_officer_of_another_agency_finds_no_such_dossier(action, procedure, staff, elsewhere):
    stranger = UserFactory(leader=True, agency=elsewhere)
    dossier = make(procedure, first_source(action))
    before = state(dossier)
    kwargs = arguments(action, dossier, staff, elsewhere)

    error = refusal(lambda: SERVICES[action](dossier=dossier, actor=stranger, **kwargs))

    assert (error.status, error.code) == (404, "not_found")
    assert state(dossier) == before
    assert not CAN[action](stranger, dossier)


def test_a_stranger_with_a_stale_page_learns_nothing_about_the_status(procedure, elsewhere):
    stranger = UserFactory(leader=True, agency=elsewhere)
    dossier = make(procedure, S.PROCESSING)

    error = refusal(
        lambda: workflow.dossier_approve(
            dossier=dossier, actor=stranger, result_file=pdf_upload(), expected_status=S.RECEIVED
        )
    )

    assert (error.status, error.code, error.fields) == (404, "not_found", {})


@pytest.mark.parametrize("action", ACTIONS)
def test_citizens_and_anonymous_callers_may_take_no_step(action, procedure, staff, elsewhere):
    dossier = make(procedure, first_source(action))
    before = state(dossier)
    kwargs = arguments(action, dossier, staff, elsewhere)

    error = refusal(lambda: SERVICES[action](dossier=dossier, actor=dossier.applicant, **kwargs))

    assert error.status == 404
    assert state(dossier) == before
    assert not CAN[action](dossier.applicant, dossier)
    assert not CAN[action](AnonymousUser(), dossier)


# --- the province one-stop centre -------------------------------------------------------------


@pytest.fixture
def province():
    root = AgencyFactory(province=True)
    commune = AgencyFactory(parent=root, name="UBND phường Thuận Hóa")
    ward_office = AgencyFactory(parent=commune, name="Bộ phận một cửa phường")
    centre = AgencyFactory(one_stop_centre=True, parent=root)
    other_root = AgencyFactory(code="000.00.00.H33", name="UBND tỉnh Khác", level="province")
    outside = AgencyFactory(parent=other_root, name="UBND xã tỉnh khác")
    return {
        "root": root,
        "commune": commune,
        "ward_office": ward_office,
        "centre": centre,
        "outside": outside,
    }


def test_the_one_stop_centre_serves_every_agency_of_its_province(province):
    centre_officer = UserFactory(officer=True, agency=province["centre"])
    commune_officer = UserFactory(officer=True, agency=province["commune"])
    dossiers = {
        name: DossierFactory(procedure=published_procedure(agency=province[name]), submitted=True)
        for name in ("root", "commune", "ward_office", "centre", "outside")
    }

    assert workflow.served_agency_ids(centre_officer) == {
        province[name].pk for name in ("root", "commune", "ward_office", "centre")
    }
    for name in ("root", "commune", "ward_office", "centre"):
        assert permissions.can_receive_dossier(centre_officer, dossiers[name]), name
        workflow.dossier_receive(dossier=dossiers[name], actor=centre_officer)
        assert Dossier.objects.get(pk=dossiers[name].pk).status == S.RECEIVED
    error = refusal(
        lambda: workflow.dossier_receive(dossier=dossiers["outside"], actor=centre_officer)
    )
    assert error.status == 404
    # An ordinary officer serves his own agency only, not its children nor its siblings.
    assert workflow.served_agency_ids(commune_officer) == {province["commune"].pk}
    assert not permissions.can_view_dossier(commune_officer, dossiers["ward_office"])
    queue = selectors.officer_queue(centre_officer)
    assert {d.pk for d in queue} == {
        dossiers[name].pk for name in ("root", "commune", "ward_office", "centre")
    }


# --- permission functions -----------------------------------------------------------------------


@pytest.mark.parametrize("action", ACTIONS)
def test_can_functions_follow_status_duty_and_agency(action, procedure, staff, elsewhere):
    can = CAN[action]
    allowed = make(procedure, first_source(action))
    wrong_status = make(procedure, S.STOPPED)  # no step starts from a stopped dossier
    duty = sorted(DUTIES[action])[0]

    assert can(staff[duty], allowed)
    assert can(UserFactory(admin=True), allowed)
    assert not can(staff[duty], wrong_status)
    assert not can(UserFactory(leader=True, agency=elsewhere), allowed)
    assert not can(allowed.applicant, allowed)
    assert not can(AnonymousUser(), allowed)


def test_can_apologize_only_once(procedure, staff):
    dossier = make(procedure, S.PROCESSING)
    assert permissions.can_apologize(staff[LEADER], dossier)

    workflow.dossier_apologize(
        dossier=dossier,
        actor=staff[LEADER],
        reason="Cần xác minh",
        new_due_at=dossier.due_at + dt.timedelta(days=5),
    )

    dossier.refresh_from_db()
    assert not permissions.can_apologize(staff[LEADER], dossier)
    assert "apologize" not in workflow.allowed_now(staff[LEADER], dossier)


def test_who_may_view_a_dossier_and_use_the_workspace(procedure, staff, elsewhere):
    dossier = make(procedure, S.SUBMITTED)
    draft = DossierFactory(procedure=procedure, applicant=dossier.applicant)

    assert permissions.can_view_dossier(dossier.applicant, dossier)
    assert permissions.can_view_dossier(dossier.applicant, draft)
    assert permissions.can_view_dossier(staff[INTAKE], dossier)
    assert not permissions.can_view_dossier(staff[INTAKE], draft)
    assert not permissions.can_view_dossier(UserFactory(officer=True, agency=elsewhere), dossier)
    assert not permissions.can_view_dossier(UserFactory(), dossier)
    assert not permissions.can_view_dossier(AnonymousUser(), dossier)
    assert permissions.can_use_workspace(staff[SPECIALIST])
    assert permissions.can_use_workspace(UserFactory(admin=True))
    assert not permissions.can_use_workspace(dossier.applicant)
    assert not permissions.can_use_workspace(AnonymousUser())


def test_allowed_now_lists_the_steps_in_table_order(procedure, staff):
    received = make(procedure, S.RECEIVED)

    assert workflow.allowed_now(staff[LEADER], received) == [
        "request_supplement",
        "start",
        "assign",
        "transfer",
        "request_payment",
        "apologize",
    ]
    assert workflow.allowed_now(staff[SPECIALIST], received) == [
        "request_supplement",
        "start",
        "request_payment",
    ]


# --- deadlines ----------------------------------------------------------------------------------

TUESDAY = at(2026, 3, 10, 10, 0)  # an ordinary working week: Mon 9 – Fri 13 March 2026


def receive_at(moment, dossier, actor) -> Dossier:
    with frozen(moment):
        workflow.dossier_receive(dossier=dossier, actor=actor)
    return Dossier.objects.get(pk=dossier.pk)


def test_receiving_starts_the_clock_from_the_calendar(staff):
    procedure = published_procedure(processing_days=3, agency=staff[INTAKE].agency)
    dossier = DossierFactory(procedure=procedure, submitted=True, channel=Channel.COUNTER)

    row = receive_at(TUESDAY, dossier, staff[INTAKE])

    assert row.received_at == TUESDAY
    assert row.due_at == at(2026, 3, 13, 10, 0)  # three working days later
    event = row.events.get(action="receive")
    assert event.data["days"] == 3
    assert dt.datetime.fromisoformat(event.data["due_at"]) == row.due_at


def test_online_dossiers_get_the_shorter_online_time(staff):
    agency = staff[INTAKE].agency
    procedure = published_procedure(processing_days=3, online_processing_days=1, agency=agency)
    online = DossierFactory(procedure=procedure, submitted=True, channel=Channel.ONLINE)
    counter = DossierFactory(procedure=procedure, submitted=True, channel=Channel.COUNTER)
    postal = DossierFactory(procedure=procedure, submitted=True, channel=Channel.POSTAL)
    same_time = DossierFactory(
        procedure=published_procedure(processing_days=3, agency=agency), submitted=True
    )

    assert receive_at(TUESDAY, online, staff[INTAKE]).due_at == at(2026, 3, 11, 10, 0)
    assert receive_at(TUESDAY, counter, staff[INTAKE]).due_at == at(2026, 3, 13, 10, 0)
    assert receive_at(TUESDAY, postal, staff[INTAKE]).due_at == at(2026, 3, 13, 10, 0)
    assert receive_at(TUESDAY, same_time, staff[INTAKE]).due_at == at(2026, 3, 13, 10, 0)


def test_the_time_limit_is_the_one_the_dossier_was_filed_under(staff):
    procedure = published_procedure(processing_days=3, agency=staff[INTAKE].agency)
    dossier = DossierFactory(procedure=procedure, submitted=True)
    # The admin lengthens the time limit after the citizen filed (not yet re-published).
    Procedure.objects.filter(pk=procedure.pk).update(processing_days=10)

    assert receive_at(TUESDAY, dossier, staff[INTAKE]).due_at == at(2026, 3, 13, 10, 0)


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (at(2026, 3, 10, 14, 59), at(2026, 3, 10, 17, 0)),  # before 15:00: today
        (at(2026, 3, 10, 6, 30), at(2026, 3, 10, 17, 0)),  # before office hours: today
        (at(2026, 3, 10, 15, 0), at(2026, 3, 11, 17, 0)),  # at 15:00: the next working day
        (at(2026, 3, 10, 16, 45), at(2026, 3, 11, 17, 0)),
        (at(2026, 3, 13, 15, 30), at(2026, 3, 16, 17, 0)),  # Friday afternoon: Monday
        (at(2026, 3, 14, 9, 0), at(2026, 3, 16, 17, 0)),  # on a Saturday: Monday
        # Wed 29 April after 15:00: 30/4 and 1/5 are public holidays, then a weekend.
        (at(2026, 4, 29, 15, 30), at(2026, 5, 4, 17, 0)),
    ],
)
def test_same_day_procedures_and_the_15_oclock_rule(received, due, staff):
    HolidayFactory(date=dt.date(2026, 4, 30), name="Ngày Chiến thắng", kind=DayKind.HOLIDAY)
    HolidayFactory(date=dt.date(2026, 5, 1), name="Quốc tế Lao động", kind=DayKind.HOLIDAY)
    procedure = published_procedure(processing_days=0, agency=staff[INTAKE].agency)
    dossier = DossierFactory(procedure=procedure, submitted=True)

    assert receive_at(received, dossier, staff[INTAKE]).due_at == due


def test_holidays_of_the_calendar_table_are_skipped(staff):
    HolidayFactory(date=dt.date(2026, 4, 27), name="Nghỉ bù Giỗ Tổ", kind=DayKind.HOLIDAY)
    HolidayFactory(date=dt.date(2026, 4, 30), name="Ngày Chiến thắng", kind=DayKind.HOLIDAY)
    HolidayFactory(date=dt.date(2026, 5, 1), name="Quốc tế Lao động", kind=DayKind.HOLIDAY)
    procedure = published_procedure(processing_days=3, agency=staff[INTAKE].agency)
    dossier = DossierFactory(procedure=procedure, submitted=True)

    # Fri 24/4 + 3 working days: Mon 27/4 is off, Tue 28 (1), Wed 29 (2), Thu 30/4 and Fri 1/5
    # are off, Mon 4/5 (3).
    assert receive_at(at(2026, 4, 24, 10, 0), dossier, staff[INTAKE]).due_at == at(
        2026, 5, 4, 10, 0
    )


def request_supplement_at(moment, dossier, actor, items=("Bản sao CCCD",)) -> Dossier:
    with frozen(moment):
        workflow.dossier_request_supplement(dossier=dossier, actor=actor, items=list(items))
    return Dossier.objects.get(pk=dossier.pk)


def answer_at(moment, dossier) -> Dossier:
    with frozen(moment):
        services.dossier_answer_supplement(dossier=dossier, actor=dossier.applicant)
    return Dossier.objects.get(pk=dossier.pk)


def test_a_supplement_pauses_the_clock_and_the_answer_pushes_the_due_date(procedure, staff):
    dossier = make(procedure, S.SUBMITTED)
    received = receive_at(TUESDAY, dossier, staff[INTAKE])
    assert received.due_at == at(2026, 3, 13, 10, 0)

    asked = request_supplement_at(at(2026, 3, 11, 10, 0), dossier, staff[INTAKE])
    assert asked.status == S.SUPPLEMENT
    assert asked.paused_since == at(2026, 3, 11, 10, 0)
    assert asked.supplement_requests == 1
    assert asked.due_at == received.due_at  # unchanged while waiting

    answered = answer_at(at(2026, 3, 12, 10, 0), dossier)  # one working day later

    assert answered.status == S.RECEIVED  # back where it was
    assert answered.paused_since is None
    assert answered.due_at == at(2026, 3, 16, 10, 0)  # Friday 10:00 + one working day


def test_only_working_time_paused_is_added(procedure, staff):
    dossier = make(procedure, S.SUBMITTED)
    receive_at(at(2026, 3, 13, 10, 0), dossier, staff[INTAKE])  # due Wed 18/3 10:00
    request_supplement_at(at(2026, 3, 13, 16, 0), dossier, staff[INTAKE])  # Friday 16:00

    answered = answer_at(at(2026, 3, 16, 8, 0), dossier)  # Monday 08:00: 1 h + 1 h of office

    assert answered.due_at == at(2026, 3, 18, 14, 0)  # 10:00 + 2 h: 11:30, then 13:30 + 0:30


def test_an_answer_without_office_time_in_between_leaves_the_due_date_alone(procedure, staff):
    dossier = make(procedure, S.PROCESSING)
    saturday = at(2026, 3, 14, 0, 0)  # e.g. a new date given by an apology
    Dossier.objects.filter(pk=dossier.pk).update(due_at=saturday)

    request_supplement_at(at(2026, 3, 14, 9, 0), dossier, staff[SPECIALIST])
    answered = answer_at(at(2026, 3, 15, 20, 0), dossier)  # answered on Sunday evening

    assert answered.due_at == saturday
    assert answered.status == S.PROCESSING and answered.paused_since is None


def test_a_request_before_receipt_does_not_pause_the_clock(procedure, staff):
    dossier = make(procedure, S.SUBMITTED)

    asked = request_supplement_at(TUESDAY, dossier, staff[INTAKE])
    assert (asked.status, asked.paused_since, asked.received_at, asked.due_at) == (
        S.SUPPLEMENT,
        None,
        None,
        None,
    )
    assert asked.supplement_requests == 1

    answered = answer_at(at(2026, 3, 11, 10, 0), dossier)
    assert (answered.status, answered.due_at) == (S.SUBMITTED, None)  # back to intake
    # The clock starts at the receipt, with the whole time limit.
    assert receive_at(at(2026, 3, 11, 10, 0), dossier, staff[INTAKE]).due_at == at(
        2026, 3, 16, 10, 0
    )


def test_a_second_supplement_request_is_counted(procedure, staff):
    dossier = make(procedure, S.RECEIVED)
    request_supplement_at(TUESDAY, dossier, staff[INTAKE])
    answer_at(at(2026, 3, 10, 14, 0), dossier)
    with frozen(at(2026, 3, 10, 15, 0)):
        workflow.dossier_start(dossier=dossier, actor=staff[SPECIALIST])

    again = request_supplement_at(
        at(2026, 3, 11, 9, 0), dossier, staff[SPECIALIST], items=["Giấy ủy quyền"]
    )

    assert again.supplement_requests == 2  # the second counts as late for the agency
    assert again.paused_since == at(2026, 3, 11, 9, 0)
    requests = dossier.events.filter(action="request_supplement").order_by("id")
    assert [e.data for e in requests] == [
        {"items": ["Bản sao CCCD"], "request": 1},
        {"items": ["Giấy ủy quyền"], "request": 2},
    ]
    assert requests.last().from_status == S.PROCESSING
    assert answer_at(at(2026, 3, 11, 10, 0), dossier).status == S.PROCESSING


def test_supplement_items_are_cleaned_and_kept(procedure, staff):
    dossier = make(procedure, S.RECEIVED)

    workflow.dossier_request_supplement(
        dossier=dossier,
        actor=staff[INTAKE],
        items=["  Bản sao CCCD ", "", "Giấy chứng sinh"],
        note="  Ảnh bị mờ ",
    )

    event = dossier.events.get(action="request_supplement")
    assert event.data["items"] == ["Bản sao CCCD", "Giấy chứng sinh"]
    assert event.note == "Ảnh bị mờ"


def test_supplement_items_given_as_one_text_are_one_item_per_line(procedure, staff):
    dossier = make(procedure, S.RECEIVED)

    workflow.dossier_request_supplement(
        dossier=dossier, actor=staff[INTAKE], items="Bản sao CCCD\nGiấy chứng sinh\n"
    )

    event = dossier.events.get(action="request_supplement")
    assert event.data["items"] == ["Bản sao CCCD", "Giấy chứng sinh"]


# --- the apology (form 04) --------------------------------------------------------------------


def received_due(procedure, due_at, status=S.PROCESSING) -> Dossier:
    dossier = make(procedure, status)
    Dossier.objects.filter(pk=dossier.pk).update(due_at=due_at)
    dossier.refresh_from_db()
    return dossier


def apologize_at(moment, dossier, actor, new_due_at, reason="Cần xác minh thêm"):
    with frozen(moment):
        return workflow.dossier_apologize(
            dossier=dossier, actor=actor, reason=reason, new_due_at=new_due_at
        )


def test_an_apology_re_dates_once_and_keeps_the_original_date(procedure, staff):
    due, new = at(2026, 3, 13, 10, 0), at(2026, 3, 17, 17, 0)
    dossier = received_due(procedure, due)

    apologize_at(TUESDAY, dossier, staff[INTAKE], new)

    row = Dossier.objects.get(pk=dossier.pk)
    assert (row.due_at, row.original_due_at, row.apologized_at) == (new, due, TUESDAY)
    assert row.status == S.PROCESSING
    event = row.events.get(action="apologize")
    assert event.note == "Cần xác minh thêm"
    assert {key: dt.datetime.fromisoformat(value) for key, value in event.data.items()} == {
        "previous_due_at": due,
        "due_at": new,
    }

    before = state(dossier)
    error = refusal(lambda: apologize_at(TUESDAY, dossier, staff[LEADER], at(2026, 3, 20, 17, 0)))
    assert (error.status, error.code) == (409, "conflict")
    assert state(dossier) == before


def test_an_apology_must_come_a_working_day_before_the_due_date(procedure, staff):
    late = received_due(procedure, at(2026, 3, 10, 16, 0))  # 4 office hours left
    overdue = received_due(procedure, at(2026, 3, 9, 16, 0))
    just_in_time = received_due(procedure, at(2026, 3, 11, 10, 0))  # exactly 8 hours left

    for dossier in (late, overdue):
        before = state(dossier)
        error = refusal(
            lambda d=dossier: apologize_at(TUESDAY, d, staff[INTAKE], at(2026, 3, 20, 17, 0))
        )
        assert (error.status, error.code) == (400, "too_late")
        assert "new_due_at" in error.fields
        assert state(dossier) == before

    apologize_at(TUESDAY, just_in_time, staff[INTAKE], at(2026, 3, 20, 17, 0))
    assert Dossier.objects.get(pk=just_in_time.pk).due_at == at(2026, 3, 20, 17, 0)


def test_an_apology_over_a_weekend_counts_working_days_only(procedure, staff):
    dossier = received_due(procedure, at(2026, 3, 16, 9, 0))  # Monday 09:00
    friday_afternoon = at(2026, 3, 13, 15, 0)  # 2 h on Friday + 2 h on Monday: too late

    error = refusal(
        lambda: apologize_at(friday_afternoon, dossier, staff[INTAKE], at(2026, 3, 20, 17, 0))
    )

    assert error.code == "too_late"


@pytest.mark.parametrize(
    "new_due_at", [at(2026, 3, 13, 10, 0), at(2026, 3, 12, 10, 0), at(2026, 3, 1, 10, 0)]
)
def test_the_new_date_must_be_after_the_current_one(new_due_at, procedure, staff):
    dossier = received_due(procedure, at(2026, 3, 13, 10, 0))
    before = state(dossier)

    error = refusal(lambda: apologize_at(TUESDAY, dossier, staff[INTAKE], new_due_at))

    assert (error.status, error.code) == (400, "invalid")
    assert "new_due_at" in error.fields
    assert state(dossier) == before


def test_an_apology_while_waiting_for_the_citizen(procedure, staff):
    dossier = received_due(procedure, at(2026, 3, 13, 10, 0), status=S.SUPPLEMENT)

    apologize_at(TUESDAY, dossier, staff[LEADER], at(2026, 3, 18, 10, 0))

    row = Dossier.objects.get(pk=dossier.pk)
    assert (row.status, row.due_at, row.original_due_at) == (
        S.SUPPLEMENT,
        at(2026, 3, 18, 10, 0),
        at(2026, 3, 13, 10, 0),
    )


# --- transfer (liên thông) --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "why"),
    [("999.99.99.X99", "unknown"), ("", "empty"), ("inactive", "inactive"), ("own", "same")],
)
def test_a_transfer_needs_another_active_agency(code, why, procedure, staff, elsewhere):
    dossier = make(procedure, S.PROCESSING)
    if why == "inactive":
        code = AgencyFactory(active=False).code
    if why == "same":
        code = dossier.agency.code
    before = state(dossier)

    error = refusal(
        lambda: workflow.dossier_transfer(dossier=dossier, actor=staff[LEADER], agency_code=code)
    )

    assert (error.status, error.code) == (400, "invalid")
    assert list(error.fields) == ["agency"]
    assert state(dossier) == before


def test_a_transfer_moves_the_dossier_and_keeps_its_history(procedure, staff, elsewhere):
    dossier = make(procedure, S.SUBMITTED)
    workflow.dossier_receive(dossier=dossier, actor=staff[INTAKE])
    workflow.dossier_assign(dossier=dossier, actor=staff[LEADER], officer_id=staff[SPECIALIST].pk)
    workflow.dossier_start(dossier=dossier, actor=staff[SPECIALIST])
    receiver = UserFactory(leader=True, agency=elsewhere)
    assert dossier.pk in {d.pk for d in selectors.officer_queue(staff[LEADER])}

    workflow.dossier_transfer(
        dossier=dossier, actor=staff[LEADER], agency_code=f" {elsewhere.code} ", note="Liên thông"
    )

    row = Dossier.objects.get(pk=dossier.pk)
    assert (row.agency, row.assigned_to, row.status, row.code) == (
        elsewhere,
        None,
        S.PROCESSING,
        dossier.code,
    )
    assert list(row.events.order_by("id").values_list("action", flat=True)) == [
        "receive",
        "assign",
        "start",
        "transfer",
    ]
    event = row.events.get(action="transfer")
    assert event.data == {
        "from": procedure.agency.code,
        "to": elsewhere.code,
        "to_name": elsewhere.name,
    }
    assert event.note == "Liên thông"
    # It left the sender's queues and steps, and arrived in the receiver's.
    assert dossier.pk not in {d.pk for d in selectors.officer_queue(staff[LEADER])}
    assert dossier.pk in {d.pk for d in selectors.officer_queue(receiver)}
    assert selectors.staff_dossier(staff[LEADER], dossier.pk) is None
    error = refusal(lambda: workflow.dossier_start(dossier=row, actor=staff[SPECIALIST]))
    assert error.status == 404
    assert permissions.can_approve_dossier(receiver, row)


# --- approval with the result ---------------------------------------------------------------


def test_approval_stores_the_result_in_the_citizens_store(procedure, staff, settings):
    dossier = make(procedure, S.PROCESSING)
    upload = pdf_upload("Quyết định.pdf")

    workflow.dossier_approve(dossier=dossier, actor=staff[LEADER], result_file=upload)

    row = Dossier.objects.get(pk=dossier.pk)
    stored = StoredDocument.objects.get()
    assert row.status == S.PROCESSED and row.result == stored
    assert (stored.owner, stored.kind, stored.extension) == (
        dossier.applicant,
        StoredKind.RESULT,
        "pdf",
    )
    upload.seek(0)
    kept = stored.file.read()
    # The officer's PDF, with the agency's signature appended as an incremental update.
    assert kept.startswith(upload.read()) and check_pdf(kept).verdict == "valid"
    document = IssuedDocument.objects.get(dossier=row, kind="KQ")
    assert document.code == f"{row.code}-KQ1" and document.sha256 == stored.sha256
    assert sorted(files_under(settings.MEDIA_ROOT)) == sorted(
        [Path(stored.file.path), Path(document.file.path)]
    )
    assert row.events.get(action="approve").data["result"] == str(stored.pk)


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("ket-qua.pdf", PNG_BYTES, content_type="application/pdf"),
        SimpleUploadedFile("ket-qua.pdf", b"", content_type="application/pdf"),
        SimpleUploadedFile("ket-qua.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"),
    ],
    ids=["png-named-pdf", "empty", "executable"],
)
def test_approval_refuses_a_result_that_is_not_a_pdf(upload, procedure, staff, settings):
    dossier = make(procedure, S.PROCESSING)
    before = state(dossier)

    error = refusal(
        lambda: workflow.dossier_approve(dossier=dossier, actor=staff[LEADER], result_file=upload)
    )

    assert error.status == 400
    assert list(error.fields) == ["result"]
    assert state(dossier) == before
    assert StoredDocument.objects.count() == 0
    assert files_under(settings.MEDIA_ROOT) == []


@pytest.mark.parametrize("why", ["wrong_status", "duty", "stale", "missing"])
def test_a_refused_approval_writes_no_file(why, procedure, staff, settings):
    dossier = make(procedure, S.RECEIVED if why == "wrong_status" else S.PROCESSING)
    actor = staff[SPECIALIST] if why == "duty" else staff[LEADER]
    expected = S.RECEIVED if why == "stale" else None
    upload = None if why == "missing" else pdf_upload()
    before = state(dossier)

    error = refusal(
        lambda: workflow.dossier_approve(
            dossier=dossier, actor=actor, result_file=upload, expected_status=expected
        )
    )

    assert error.status == {"wrong_status": 409, "duty": 403, "stale": 409, "missing": 400}[why]
    assert state(dossier) == before
    assert files_under(settings.MEDIA_ROOT) == []


# --- stale pages --------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ACTIONS)
def test_a_step_taken_on_a_stale_page_is_refused(action, procedure, staff, elsewhere, settings):
    current = first_source(action)
    seen = S.RECEIVED if current != S.RECEIVED else S.SUBMITTED
    dossier = make(procedure, current)
    before = state(dossier)
    files = files_under(settings.MEDIA_ROOT)
    kwargs = arguments(action, dossier, staff, elsewhere)

    error = refusal(
        lambda: SERVICES[action](
            dossier=dossier, actor=staff[LEADER], expected_status=seen, **kwargs
        )
    )

    assert (error.status, error.code) == (409, "conflict")
    assert error.fields == {"status": [str(int(current))]}
    assert state(dossier) == before
    assert files_under(settings.MEDIA_ROOT) == files


def test_a_step_on_a_current_page_goes_through(procedure, staff):
    dossier = make(procedure, S.SUBMITTED)

    workflow.dossier_receive(dossier=dossier, actor=staff[INTAKE], expected_status=S.SUBMITTED)

    assert Dossier.objects.get(pk=dossier.pk).status == S.RECEIVED


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "status", "kwargs", "field"),
    [
        ("request_supplement", S.RECEIVED, {"items": []}, "items"),
        ("request_supplement", S.RECEIVED, {"items": None}, "items"),
        ("request_supplement", S.RECEIVED, {"items": ["", "   "]}, "items"),
        ("request_supplement", S.RECEIVED, {"items": "  \n "}, "items"),
        ("refuse", S.SUBMITTED, {"reason": ""}, "reason"),
        ("refuse", S.SUBMITTED, {"reason": "   "}, "reason"),
        ("refuse", S.SUBMITTED, {"reason": None}, "reason"),
        ("assign", S.RECEIVED, {"officer_id": None}, "officer"),
        ("assign", S.RECEIVED, {"officer_id": 987654}, "officer"),
        ("assign", S.RECEIVED, {"officer_id": "abc"}, "officer"),
        ("assign", S.RECEIVED, {"officer_id": -1}, "officer"),
        ("assign", S.RECEIVED, {"officer_id": "intake"}, "officer"),
        ("assign", S.RECEIVED, {"officer_id": "citizen"}, "officer"),
        ("assign", S.RECEIVED, {"officer_id": "stranger"}, "officer"),
        ("assign", S.RECEIVED, {"officer_id": "retired"}, "officer"),
        ("transfer", S.RECEIVED, {"agency_code": None}, "agency"),
        ("apologize", S.PROCESSING, {"reason": "", "new_due_at": "later"}, "reason"),
        ("apologize", S.PROCESSING, {"reason": "Chậm", "new_due_at": None}, "new_due_at"),
        ("approve", S.PROCESSING, {"result_file": None}, "result"),
        ("return", S.PROCESSED, {"method": "fax"}, "method"),
        ("return", S.PROCESSED, {"method": None}, "method"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(
    action, status, kwargs, field, procedure, staff, elsewhere
):
    dossier = make(procedure, status)
    people = {
        "intake": staff[INTAKE].pk,
        "citizen": dossier.applicant.pk,
        "stranger": UserFactory(specialist=True, agency=elsewhere).pk,
        "retired": UserFactory(specialist=True, agency=procedure.agency, is_active=False).pk,
    }
    if kwargs.get("officer_id") in people:
        kwargs = {"officer_id": people[kwargs["officer_id"]]}
    if kwargs.get("new_due_at") == "later":
        kwargs = {**kwargs, "new_due_at": dossier.due_at + dt.timedelta(days=3)}
    before = state(dossier)

    error = refusal(lambda: SERVICES[action](dossier=dossier, actor=staff[LEADER], **kwargs))

    assert (error.status, error.code) == (400, "invalid")
    assert list(error.fields) == [field]
    assert error.fields[field][0]
    assert state(dossier) == before


def test_payment_cannot_be_asked_without_a_fee(procedure, staff):
    dossier = make(procedure, S.PROCESSING, fee_net=0)
    before = state(dossier)

    error = refusal(lambda: workflow.dossier_request_payment(dossier=dossier, actor=staff[INTAKE]))

    assert error.status == 400
    assert state(dossier) == before


def test_assigning_a_leader_or_a_specialist_of_the_agency(procedure, staff):
    dossier = make(procedure, S.RECEIVED)

    workflow.dossier_assign(dossier=dossier, actor=staff[INTAKE], officer_id=staff[LEADER].pk)
    workflow.dossier_assign(
        dossier=dossier, actor=staff[INTAKE], officer_id=str(staff[SPECIALIST].pk)
    )

    row = Dossier.objects.get(pk=dossier.pk)
    assert row.assigned_to == staff[SPECIALIST]
    assert [e.data for e in row.events.order_by("id")] == [
        {"officer": staff[LEADER].pk, "officer_name": "Phạm Lãnh Đạo", "previous": None},
        {
            "officer": staff[SPECIALIST].pk,
            "officer_name": "Lê Văn Chuyên",
            "previous": staff[LEADER].pk,
        },
    ]


def test_a_specialist_who_starts_an_unassigned_dossier_takes_it(procedure, staff):
    dossier = make(procedure, S.RECEIVED)
    other = make(procedure, S.RECEIVED, assigned_to=staff[LEADER])

    workflow.dossier_start(dossier=dossier, actor=staff[SPECIALIST])
    workflow.dossier_start(dossier=other, actor=staff[SPECIALIST])

    assert Dossier.objects.get(pk=dossier.pk).assigned_to == staff[SPECIALIST]
    assert Dossier.objects.get(pk=other.pk).assigned_to == staff[LEADER]


@pytest.mark.parametrize(
    ("action", "field"), [("refuse", "finished_at"), ("return", "finished_at")]
)
def test_finishing_steps_set_the_finish_time(action, field, procedure, staff, elsewhere):
    dossier = make(procedure, first_source(action))

    with frozen(TUESDAY):
        SERVICES[action](
            dossier=dossier, actor=staff[LEADER], **arguments(action, dossier, staff, elsewhere)
        )

    assert getattr(Dossier.objects.get(pk=dossier.pk), field) == TUESDAY


def test_stopping_a_withdrawn_dossier_finishes_it_and_stops_the_clock(procedure, staff):
    dossier = make(procedure, S.SUPPLEMENT)  # the clock is paused
    services.dossier_withdraw(dossier=dossier, actor=dossier.applicant, reason="Không cần nữa")

    with frozen(TUESDAY):
        workflow.dossier_stop(dossier=dossier, actor=staff[INTAKE], note="Theo đề nghị")

    row = Dossier.objects.get(pk=dossier.pk)
    assert (row.status, row.finished_at, row.paused_since) == (S.STOPPED, TUESDAY, None)


def test_return_records_how_the_result_was_handed_over(procedure, staff):
    dossier = make(procedure, S.PROCESSED, postal_address="12 Lê Lợi, Huế")

    workflow.dossier_return(
        dossier=dossier, actor=staff[INTAKE], method="postal", tracking_number=" EL123VN "
    )

    event = Dossier.objects.get(pk=dossier.pk).events.get(action="return")
    assert event.data == {
        "method": "postal",
        "postal_address": "12 Lê Lợi, Huế",
        "tracking_number": "EL123VN",
    }


# --- forms issued after the step commits ----------------------------------------------------


def test_receiving_issues_the_receipt_once_the_step_is_committed(
    procedure, staff, django_capture_on_commit_callbacks
):
    dossier = make(procedure, S.SUBMITTED)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        workflow.dossier_receive(dossier=dossier, actor=staff[INTAKE])
    assert not IssuedDocument.objects.filter(dossier=dossier).exists()  # not before commit
    for callback in callbacks:  # the form, and the notifications' delivery
        callback()

    event = dossier.events.get(action="receive")
    document = IssuedDocument.objects.get(dossier=dossier)
    assert (document.event, document.kind) == (event, DocumentKind.RECEIPT)


@pytest.mark.parametrize(
    ("action", "kinds"),
    [
        ("request_supplement", [DocumentKind.SUPPLEMENT_REQUEST]),
        ("refuse", [DocumentKind.REFUSAL]),
        ("apologize", [DocumentKind.APOLOGY]),
        ("start", []),
        ("assign", []),
        ("approve", [DocumentKind.RESULT]),  # the result itself, made inside the step
    ],
)
def test_which_steps_issue_a_form(
    action, kinds, procedure, staff, elsewhere, django_capture_on_commit_callbacks
):
    dossier = make(procedure, first_source(action))

    with django_capture_on_commit_callbacks(execute=True):
        SERVICES[action](
            dossier=dossier, actor=staff[LEADER], **arguments(action, dossier, staff, elsewhere)
        )

    issued = IssuedDocument.objects.filter(dossier=dossier)
    assert [document.kind for document in issued] == kinds
    assert all(document.event.action == action for document in issued)


def test_a_refused_step_issues_nothing(procedure, staff, django_capture_on_commit_callbacks):
    dossier = make(procedure, S.RECEIVED)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        refusal(lambda: workflow.dossier_receive(dossier=dossier, actor=staff[INTAKE]))

    assert callbacks == []
    assert not IssuedDocument.objects.exists()


@pytest.mark.django_db
def test_asking_for_the_fee_is_offered_only_when_there_is_a_fee():
    free = DossierFactory(received=True, fee_net=0)
    paying = DossierFactory(received=True, fee_net=12_000)
    leader = UserFactory(leader=True, agency=free.agency)
    paying.agency = free.agency
    paying.save(update_fields=["agency"])

    assert "request_payment" not in workflow.allowed_now(leader, free)
    assert "request_payment" in workflow.allowed_now(leader, paying)
