"""The officers' workspace pages through the Django test client: who may see them, the queue's
tabs, filters, remembered filters and pagination, the dossier page, its papers shown inline,
and the workflow steps taken from it (stale pages, bad input, transfers).

Assertions look at status codes, data and structure; where a message must be read, the page is
asked for in English (the msgid), so a translation cannot break the test.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from dossiers import workflow
from dossiers.constants import Status
from dossiers.models import Dossier, DossierEvent
from dossiers.templatetags.dossier_pages import vn_datetime
from dossiers.tests.factories import (
    JPEG_BYTES,
    AttachmentFactory,
    DossierFactory,
    pdf_upload,
    published_procedure,
)
from portal.testing import login
from procedures.constants import Channel
from procedures.services import procedure_publish
from procedures.tests.factories import AgencyFactory, FormFieldFactory

pytestmark = pytest.mark.django_db

QUEUE = reverse("officer:queue")


def page_url(dossier) -> str:
    return reverse("officer:dossier", args=[dossier.pk])


def step_url(dossier, slug: str) -> str:
    return reverse("officer:step", args=[dossier.pk, slug])


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Many users are made here; hashing their passwords properly would only slow the tests."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def agency():
    return AgencyFactory()


@pytest.fixture
def procedure(agency):
    procedure = published_procedure(agency=agency, name="Đăng ký tạm trú", processing_days=3)
    FormFieldFactory(procedure=procedure, key="ho_ten", label="Họ, chữ đệm và tên")
    procedure_publish(procedure=procedure)
    return procedure


@pytest.fixture
def dossier(procedure):
    applicant = UserFactory(full_name="Trần Thị Bình", with_profile=True)
    return DossierFactory(
        submitted=True,
        procedure=procedure,
        applicant=applicant,
        form_data={"ho_ten": "Trần Thị Bình"},
    )


@pytest.fixture
def intake(agency):
    return UserFactory(officer=True, agency=agency, totp=True)


@pytest.fixture
def leader(agency):
    return UserFactory(leader=True, agency=agency, totp=True)


# --- Who may come in -------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client, dossier):
    for url in (QUEUE, page_url(dossier)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    response = client.post(step_url(dossier, "tiep-nhan"), {"receive-expected_status": 1})
    assert response.status_code == 302
    assert Dossier.objects.get(pk=dossier.pk).status == Status.SUBMITTED


def test_citizens_are_refused(client, dossier):
    login(client, dossier.applicant)
    assert client.get(QUEUE).status_code == 403
    assert client.get(page_url(dossier)).status_code == 403
    assert client.post(step_url(dossier, "tiep-nhan")).status_code == 403


def test_an_officer_without_two_factor_log_in_is_sent_to_set_it_up(client, dossier):
    login(client, UserFactory(officer=True, agency=dossier.agency))
    for url in (QUEUE, page_url(dossier)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == reverse("mfa_activate_totp")


def test_an_officer_of_another_agency_sees_nothing_and_cannot_act(client, dossier):
    paper = AttachmentFactory(dossier=dossier)
    stranger = UserFactory(officer=True, totp=True)  # another agency
    login(client, stranger)

    assert client.get(page_url(dossier)).status_code == 404
    file_url = reverse("officer:attachment", args=[dossier.pk, paper.pk])
    assert client.get(file_url).status_code == 404
    response = client.post(step_url(dossier, "tiep-nhan"), {"receive-expected_status": 1})
    assert response.status_code == 404
    assert Dossier.objects.get(pk=dossier.pk).status == Status.SUBMITTED
    assert not DossierEvent.objects.filter(dossier=dossier, action="receive").exists()
    # Nor does the dossier appear in his queue.
    assert dossier.code not in client.get(QUEUE, {"queue": "all"}).content.decode()


def test_the_header_links_the_workspace_for_officers_only(client, dossier, intake):
    login(client, dossier.applicant)
    assert QUEUE not in client.get(reverse("dossiers:list")).content.decode()
    login(client, intake)
    assert f'href="{QUEUE}"' in client.get(reverse("dossiers:list")).content.decode()


# --- The dossier page and its steps ---------------------------------------------------------


def test_the_intake_officer_receives_a_dossier_and_sees_the_due_date(client, dossier, intake):
    login(client, intake)
    page = client.get(page_url(dossier))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Trần Thị Bình" in html and "Họ, chữ đệm và tên" in html  # applicant, form labels
    assert step_url(dossier, "tiep-nhan") in html
    assert 'name="receive-expected_status" value="1"' in html

    response = client.post(step_url(dossier, "tiep-nhan"), {"receive-expected_status": "1"})

    assert response.status_code == 302 and response["Location"] == page_url(dossier)
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED and dossier.due_at is not None
    event = DossierEvent.objects.get(dossier=dossier, action="receive")
    assert event.actor == intake and event.from_status == Status.SUBMITTED
    shown = client.get(page_url(dossier))
    html = shown.content.decode()
    assert vn_datetime(dossier.due_at) in html
    assert 'class="message message-success"' in html  # the success message, once
    assert html.count(vn_datetime(dossier.due_at)) >= 2  # in the message and in the status
    assert step_url(dossier, "tiep-nhan") not in html  # no longer a step to take


def test_a_stale_page_is_refused_with_a_clear_message(client, dossier, intake, leader):
    login(client, intake)
    client.get(page_url(dossier))  # the officer looks at the dossier (status 1)...
    workflow.dossier_receive(dossier=dossier, actor=leader)  # ...a colleague receives it

    response = client.post(
        step_url(dossier, "tu-choi"),
        {"refuse-expected_status": "1", "refuse-reason": "Không thuộc thẩm quyền"},
    )

    assert response.status_code == 409
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "Someone changed this dossier while you were looking at it" in html
    assert "Không thuộc thẩm quyền" in html  # what was typed is kept on the page
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED
    assert not DossierEvent.objects.filter(dossier=dossier, action="refuse").exists()


def test_a_step_not_possible_now_answers_409_even_without_expected_status(client, dossier, intake):
    login(client, intake)
    workflow.dossier_receive(dossier=dossier, actor=intake)
    response = client.post(step_url(dossier, "tiep-nhan"), {})
    assert response.status_code == 409
    assert DossierEvent.objects.filter(dossier=dossier, action="receive").count() == 1


def test_an_empty_reason_is_shown_next_to_the_field_and_nothing_is_saved(client, dossier, intake):
    login(client, intake)
    response = client.post(
        step_url(dossier, "tu-choi"), {"refuse-expected_status": "1", "refuse-reason": "  "}
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html and 'href="#id_refuse-reason"' in html
    assert 'id="id_refuse-reason-error"' in html and 'aria-invalid="true"' in html
    assert "Give the reason the citizen will read." in html
    dossier.refresh_from_db()
    assert dossier.status == Status.SUBMITTED and dossier.finished_at is None
    assert not DossierEvent.objects.filter(dossier=dossier, action="refuse").exists()


def test_a_supplement_request_without_items_keeps_the_note(client, dossier, intake):
    login(client, intake)
    response = client.post(
        step_url(dossier, "yeu-cau-bo-sung"),
        {
            "request_supplement-expected_status": "1",
            "request_supplement-items": "\n \n",
            "request_supplement-note": "Vui lòng bổ sung sớm",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_request_supplement-items-error"' in html
    assert "Vui lòng bổ sung sớm</textarea>" in html
    assert Dossier.objects.get(pk=dossier.pk).supplement_requests == 0


def test_a_supplement_request_lists_every_item_in_the_history(client, dossier, intake):
    login(client, intake)
    response = client.post(
        step_url(dossier, "yeu-cau-bo-sung"),
        {
            "request_supplement-expected_status": "1",
            "request_supplement-items": "Bản sao giấy khai sinh\r\n\r\nẢnh CCCD mặt sau\r\n",
        },
    )
    assert response.status_code == 302
    event = DossierEvent.objects.get(dossier=dossier, action="request_supplement")
    assert event.data["items"] == ["Bản sao giấy khai sinh", "Ảnh CCCD mặt sau"]
    html = client.get(page_url(dossier)).content.decode()
    assert "<li>Bản sao giấy khai sinh</li>" in html and "<li>Ảnh CCCD mặt sau</li>" in html


def test_a_duty_that_does_not_include_the_step_is_refused(client, dossier, agency):
    specialist = UserFactory(specialist=True, agency=agency, totp=True)
    login(client, specialist)
    assert step_url(dossier, "tiep-nhan") not in client.get(page_url(dossier)).content.decode()
    response = client.post(step_url(dossier, "tiep-nhan"), {"receive-expected_status": "1"})
    assert response.status_code == 403
    assert Dossier.objects.get(pk=dossier.pk).status == Status.SUBMITTED


def test_an_unknown_step_is_404(client, dossier, intake):
    login(client, intake)
    assert client.post(step_url(dossier, "khong-co"), {}).status_code == 404
    assert client.get(step_url(dossier, "tiep-nhan")).status_code == 405


def test_assigning_offers_the_agencys_specialists_and_leaders(client, dossier, intake, agency):
    specialist = UserFactory(specialist=True, agency=agency, full_name="Lê Văn Chuyên")
    UserFactory(specialist=True, full_name="Người Cơ Quan Khác")  # another agency
    UserFactory(specialist=True, agency=agency, full_name="Đã Nghỉ Việc", is_active=False)
    workflow.dossier_receive(dossier=dossier, actor=intake)
    login(client, intake)

    html = client.get(page_url(dossier)).content.decode()
    select = re.search(r'<select name="assign-officer".*?</select>', html, re.S).group(0)
    assert "Lê Văn Chuyên" in select
    assert "Người Cơ Quan Khác" not in select and "Đã Nghỉ Việc" not in select

    response = client.post(
        step_url(dossier, "phan-cong"),
        {"assign-expected_status": "2", "assign-officer": str(specialist.pk)},
    )
    assert response.status_code == 302
    assert Dossier.objects.get(pk=dossier.pk).assigned_to == specialist


def test_a_transfer_out_of_the_agency_goes_back_to_the_queue(client, dossier, leader):
    other = AgencyFactory(name="Sở Tư pháp")
    workflow.dossier_receive(dossier=dossier, actor=leader)
    login(client, leader)

    unknown = client.post(
        step_url(dossier, "chuyen-lien-thong"),
        {"transfer-expected_status": "2", "transfer-agency": "999.99.99.X00"},
    )
    assert unknown.status_code == 400
    assert 'id="id_transfer-agency-error"' in unknown.content.decode()
    assert 'value="999.99.99.X00"' in unknown.content.decode()

    response = client.post(
        step_url(dossier, "chuyen-lien-thong"),
        {
            "transfer-expected_status": "2",
            "transfer-agency": other.code,
            "transfer-note": "Liên thông",
        },
    )

    assert response.status_code == 302 and response["Location"] == QUEUE
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["success"]
    assert Dossier.objects.get(pk=dossier.pk).agency == other
    assert client.get(page_url(dossier)).status_code == 404


def test_approve_with_a_pdf_and_view_the_result_inline(client, dossier, intake, leader):
    workflow.dossier_receive(dossier=dossier, actor=intake)
    workflow.dossier_start(dossier=dossier, actor=leader)
    login(client, leader)
    response = client.post(
        step_url(dossier, "phe-duyet"),
        {"approve-expected_status": "4", "approve-result": pdf_upload("ket-qua.pdf")},
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSED and dossier.result is not None
    result = client.get(reverse("officer:result", args=[dossier.pk]))
    assert result.status_code == 200
    assert result["Content-Disposition"].startswith("inline")


def test_an_apology_needs_a_readable_new_date(client, dossier, intake):
    workflow.dossier_receive(dossier=dossier, actor=intake)
    login(client, intake)
    response = client.post(
        step_url(dossier, "xin-loi-hen-lai"),
        {
            "apologize-expected_status": "2",
            "apologize-reason": "Cần xác minh thêm",
            "apologize-new_due_at": "ngày mai",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_apologize-new_due_at-error"' in html and "Cần xác minh thêm" in html
    assert Dossier.objects.get(pk=dossier.pk).apologized_at is None


# --- Papers inline ---------------------------------------------------------------------------


def test_papers_are_shown_inline_to_the_agency(client, dossier, intake):
    pdf = AttachmentFactory(dossier=dossier)
    photo = AttachmentFactory(
        dossier=dossier,
        document_id=2,
        stored__filename="anh.jpg",
        stored__extension="jpg",
        stored__content_type="image/jpeg",
        stored__file__from_func=lambda: io.BytesIO(JPEG_BYTES),
        stored__file__filename="anh.jpg",
    )
    login(client, intake)
    html = client.get(page_url(dossier)).content.decode()
    assert reverse("officer:attachment", args=[dossier.pk, pdf.pk]) in html

    response = client.get(reverse("officer:attachment", args=[dossier.pk, pdf.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")

    image = client.get(reverse("officer:attachment", args=[dossier.pk, photo.pk]))
    assert image["Content-Type"] == "image/jpeg" and image["Content-Disposition"].startswith(
        "inline"
    )
    other = AttachmentFactory()  # a paper of another dossier, asked through this one
    assert client.get(reverse("officer:attachment", args=[dossier.pk, other.pk])).status_code == 404


# --- The queue -------------------------------------------------------------------------------


def rows_of(response) -> list[str]:
    """The dossier codes listed in the queue's table, in order."""
    return re.findall(r'<a class="code" href="[^"]+">([^<]+)</a>', response.content.decode())


def test_the_queue_has_tabs_with_counts_and_a_table(client, procedure, intake, leader):
    new = DossierFactory(submitted=True, procedure=procedure)
    running = DossierFactory(submitted=True, procedure=procedure)
    workflow.dossier_receive(dossier=running, actor=intake)
    late = DossierFactory(submitted=True, procedure=procedure)
    workflow.dossier_receive(dossier=late, actor=intake)
    Dossier.objects.filter(pk=late.pk).update(due_at=timezone.now() - dt.timedelta(hours=1))
    DossierFactory(procedure=procedure)  # a draft: nobody but its author sees it
    login(client, intake)

    response = client.get(QUEUE)
    assert response.status_code == 200
    assert rows_of(response) == [new.code]  # intake starts on "new"
    counts = dict(
        re.findall(
            r'queue=(\w+)"[^>]*>[^<]*<span class="count">(\d+)</span>', response.content.decode()
        )
    )
    assert counts == {
        "new": "1",
        "in_progress": "2",
        "waiting": "0",
        "due_soon": "0",
        "overdue": "1",
        "finished": "0",
        "all": "3",
    }
    overdue = client.get(QUEUE, {"queue": "overdue"})
    assert rows_of(overdue) == [late.code]
    assert 'class="due-badge due-overdue"' in overdue.content.decode()
    for name, count in counts.items():  # each tab's count is what the tab lists
        assert len(rows_of(client.get(QUEUE, {"queue": name}))) == int(count)


def test_the_queue_filters_and_searches(client, procedure, intake, agency):
    binh = DossierFactory(
        submitted=True,
        procedure=procedure,
        applicant=UserFactory(full_name="Trần Thị Bình", with_profile=True),
    )
    an = DossierFactory(
        submitted=True,
        procedure=procedure,
        channel=Channel.COUNTER,
        applicant=UserFactory(full_name="Lê Văn An", with_profile=True),
    )
    other_procedure = published_procedure(agency=agency)
    third = DossierFactory(submitted=True, procedure=other_procedure)
    login(client, intake)

    assert rows_of(client.get(QUEUE, {"queue": "new", "search": "Thị Bình"})) == [binh.code]
    assert rows_of(client.get(QUEUE, {"search": an.applicant.id_number})) == [an.code]
    assert rows_of(client.get(QUEUE, {"search": binh.code[:-2]})) != []
    assert rows_of(client.get(QUEUE, {"channel": Channel.COUNTER})) == [an.code]
    assert rows_of(client.get(QUEUE, {"procedure": other_procedure.code})) == [third.code]
    assert rows_of(client.get(QUEUE, {"sector": other_procedure.sector.code})) == [third.code]
    assert rows_of(client.get(QUEUE, {"assigned_to_me": "on"})) == []
    assert sorted(rows_of(client.get(QUEUE, {"status": Status.SUBMITTED}))) == sorted(
        [binh.code, an.code, third.code]
    )
    bad = client.get(QUEUE, {"channel": "9", "ordering": "nonsense"})
    assert bad.status_code == 400 and 'role="alert"' in bad.content.decode()


def test_due_before_and_ordering(client, procedure, intake):
    first = DossierFactory(submitted=True, procedure=procedure)
    second = DossierFactory(submitted=True, procedure=procedure)
    for dossier in (first, second):
        workflow.dossier_receive(dossier=dossier, actor=intake)
    soon = timezone.now() + dt.timedelta(days=3)
    later = timezone.now() + dt.timedelta(days=20)
    Dossier.objects.filter(pk=first.pk).update(due_at=later, received_at=timezone.now())
    Dossier.objects.filter(pk=second.pk).update(
        due_at=soon, received_at=timezone.now() - dt.timedelta(days=1)
    )
    login(client, intake)

    by_due = client.get(QUEUE, {"queue": "in_progress"})
    assert rows_of(by_due) == [second.code, first.code]
    newest = client.get(QUEUE, {"queue": "in_progress", "ordering": "-received_at"})
    assert rows_of(newest) == [first.code, second.code]
    day = timezone.localtime(soon).date().isoformat()
    assert rows_of(client.get(QUEUE, {"queue": "in_progress", "due_before": day})) == [second.code]


def test_the_queue_remembers_the_last_filters(client, procedure, intake):
    DossierFactory(submitted=True, procedure=procedure)
    login(client, intake)

    assert client.get(QUEUE, {"queue": "all", "search": "Bình", "page": "1"}).status_code == 200
    back = client.get(QUEUE)
    assert back.status_code == 302
    assert back["Location"] == f"{QUEUE}?queue=all&search=B%C3%ACnh"
    restored = client.get(back["Location"])
    assert 'value="Bình"' in restored.content.decode()
    assert f'href="{QUEUE}?clear=1"' in restored.content.decode()

    cleared = client.get(QUEUE, {"clear": "1"})
    assert cleared.status_code == 302 and cleared["Location"] == QUEUE
    assert client.get(QUEUE).status_code == 200  # nothing to restore any more


def test_a_stale_remembered_filter_is_forgotten(client, intake):
    login(client, intake)
    session = client.session
    session["officer_queue_query"] = "procedure=1.000000"  # a procedure that no longer exists
    session.save()
    response = client.get(QUEUE, follow=True)
    assert response.status_code == 400
    assert client.get(QUEUE).status_code == 200


@pytest.mark.parametrize("page", ["abc", "99", "0"])
def test_a_bad_page_number_gets_a_clear_message(client, procedure, intake, page):
    DossierFactory(submitted=True, procedure=procedure)
    login(client, intake)
    response = client.get(QUEUE, {"queue": "new", "page": page})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html and f'href="{QUEUE}?queue=new"' in html


def test_the_queue_pages_by_twenty(client, procedure, intake):
    for _n in range(23):
        DossierFactory(submitted=True, procedure=procedure)
    login(client, intake)
    first = client.get(QUEUE, {"queue": "new"})
    second = client.get(QUEUE, {"queue": "new", "page": "2"})
    assert len(rows_of(first)) == 20 and len(rows_of(second)) == 3
    assert not set(rows_of(first)) & set(rows_of(second))
    assert 'rel="next" href="?queue=new&amp;page=2"' in first.content.decode()


def _queue_queries(client, count: int, procedure, intake) -> int:
    for index in range(count):
        dossier = DossierFactory(submitted=True, procedure=procedure)
        if index % 2:
            workflow.dossier_receive(dossier=dossier, actor=intake)
            Dossier.objects.filter(pk=dossier.pk).update(assigned_to=intake)
    client.get(QUEUE, {"queue": "all"})  # warm up: session, content types
    with CaptureQueriesContext(connection) as queries:
        assert client.get(QUEUE, {"queue": "all"}).status_code == 200
    return len(queries)


def test_the_queue_runs_the_same_number_of_queries_for_5_and_25_dossiers(
    client, procedure, intake, django_assert_max_num_queries
):
    login(client, intake)
    few = _queue_queries(client, 5, procedure, intake)
    for _n in range(20):
        dossier = DossierFactory(submitted=True, procedure=procedure)
        workflow.dossier_receive(dossier=dossier, actor=intake)
        Dossier.objects.filter(pk=dossier.pk).update(assigned_to=intake)
    assert Dossier.objects.exclude(status=Status.DRAFT).count() == 25
    with django_assert_max_num_queries(few):
        response = client.get(QUEUE, {"queue": "all"})
    assert len(rows_of(response)) == 20


def test_the_dossier_page_runs_a_bounded_number_of_queries(
    client, dossier, intake, leader, django_assert_max_num_queries
):
    workflow.dossier_receive(dossier=dossier, actor=intake)
    for _n in range(3):
        AttachmentFactory(dossier=dossier, document_id=_n + 1)
    login(client, leader)
    client.get(page_url(dossier))
    with CaptureQueriesContext(connection) as before:
        client.get(page_url(dossier))
    for _n in range(5):  # more history by other people
        workflow.dossier_assign(dossier=dossier, actor=leader, officer_id=leader.pk)
        workflow.dossier_assign(
            dossier=dossier,
            actor=UserFactory(leader=True, agency=dossier.agency),
            officer_id=leader.pk,
        )
    with django_assert_max_num_queries(len(before)):
        assert client.get(page_url(dossier)).status_code == 200


def test_asking_for_the_fee_is_offered_only_when_there_is_a_fee(client, procedure, intake):
    free = DossierFactory(submitted=True, procedure=procedure)
    paying = DossierFactory(submitted=True, procedure=procedure, fee_net=50_000)
    for dossier in (free, paying):
        workflow.dossier_receive(dossier=dossier, actor=intake)
    login(client, intake)

    assert step_url(free, "yeu-cau-nop-phi") not in client.get(page_url(free)).content.decode()
    assert step_url(paying, "yeu-cau-nop-phi") in client.get(page_url(paying)).content.decode()
    response = client.post(
        step_url(paying, "yeu-cau-nop-phi"), {"request_payment-expected_status": "2"}
    )
    assert response.status_code == 302
    assert Dossier.objects.get(pk=paying.pk).status == Status.AWAITING_PAYMENT


def test_tab_counts_stop_at_the_cap(client, procedure, intake, monkeypatch):
    from portal.api import CappedCountPaginator

    monkeypatch.setattr(CappedCountPaginator, "cap", 2)
    for _n in range(4):
        DossierFactory(submitted=True, procedure=procedure)
    login(client, intake)
    response = client.get(QUEUE, {"queue": "new"})
    html = response.content.decode()
    assert '<span class="count">2+</span>' in html
    assert len(rows_of(response)) == 2  # only the counted rows can be paged through


def test_the_receipt_is_listed_with_the_issued_documents(
    client, dossier, intake, django_capture_on_commit_callbacks
):
    login(client, intake)
    with django_capture_on_commit_callbacks(execute=True):  # the task that makes form 01
        client.post(step_url(dossier, "tiep-nhan"), {"receive-expected_status": "1"})
    html = client.get(page_url(dossier)).content.decode()
    documents = list(Dossier.objects.get(pk=dossier.pk).documents.all())
    assert [d.kind for d in documents] == ["01"]
    url = reverse("dossiers:issued_document", args=[dossier.pk, documents[0].pk])
    assert url in html and reverse("dossiers:control_slip", args=[dossier.pk]) in html
    assert client.get(url).status_code == 200


def test_remembered_filters_survive_logging_out(client):
    from accounts.tests.factories import UserFactory as Users
    from dossiers.tests.factories import DossierFactory as Dossiers

    dossier = Dossiers(submitted=True)
    officer = Users(officer=True, agency=dossier.agency, totp=True)
    client.force_login(officer)
    client.get("/can-bo/", {"queue": "finished", "search": "Hoa"})
    client.logout()

    client.force_login(officer)
    response = client.get("/can-bo/")

    assert response.status_code == 302
    assert "queue=finished" in response["Location"] and "search=Hoa" in response["Location"]
    client.get("/can-bo/", {"clear": "1"})
    officer.refresh_from_db()
    assert officer.workspace_filters == ""
