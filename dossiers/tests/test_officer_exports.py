"""Export of an officer's queue to CSV and XLSX: at once when small, in the background when
large, only the officer's own agencies, only to the officer who asked."""

import csv
import io

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from dossiers import exports
from dossiers.models import QueueExport
from dossiers.tests.factories import DossierFactory

pytestmark = pytest.mark.django_db
START = "/can-bo/xuat/"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def setup():
    mine = DossierFactory(submitted=True)
    other = DossierFactory(submitted=True)  # another agency
    officer = UserFactory(officer=True, agency=mine.agency, totp=True)
    return mine, other, officer


def test_a_small_csv_comes_at_once_with_only_own_dossiers(client, setup):
    mine, other, officer = setup
    client.force_login(officer)

    response = client.post(START, {"kind": "csv", "query": "queue=new"})

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert [row[0] for row in table[1:]] == [mine.code]
    assert other.code not in text


def test_a_small_xlsx_is_a_real_spreadsheet(client, setup):
    from openpyxl import load_workbook

    mine, _other, officer = setup
    client.force_login(officer)

    response = client.post(START, {"kind": "xlsx", "query": "queue=new"})

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.cell(row=2, column=1).value == mine.code


def test_a_large_export_is_prepared_in_the_background(
    client, setup, monkeypatch, django_capture_on_commit_callbacks
):
    mine, _other, officer = setup
    monkeypatch.setattr(exports, "INSTANT_LIMIT", 0)
    client.force_login(officer)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(START, {"kind": "csv", "query": "queue=new"})

    job = QueueExport.objects.get()
    assert response.status_code == 302 and str(job.pk) in response["Location"]
    job.refresh_from_db()
    assert job.state == "ready" and job.row_count == 1
    page = client.get(reverse("officer:export", args=[job.pk])).content.decode()
    assert reverse("officer:export_download", args=[job.pk]) in page
    download = client.get(reverse("officer:export_download", args=[job.pk]))
    assert mine.code in b"".join(download.streaming_content).decode("utf-8-sig")

    client.force_login(UserFactory(officer=True, agency=mine.agency, totp=True))  # a colleague
    assert client.get(reverse("officer:export", args=[job.pk])).status_code == 404
    assert client.get(reverse("officer:export_download", args=[job.pk])).status_code == 404


def test_bad_export_requests_are_refused(client, setup):
    _mine, _other, officer = setup
    client.force_login(officer)

    assert client.post(START, {"kind": "pdf"}).status_code == 302
    assert client.post(START, {"kind": "csv", "query": "status=99"}).status_code == 302
    assert not QueueExport.objects.exists()
    client.force_login(UserFactory())
    assert client.post(START, {"kind": "csv"}).status_code == 403
