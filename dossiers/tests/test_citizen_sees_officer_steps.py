"""What a citizen sees of the officers' steps: the supplement items, the transfer, the new
clock after answering."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from dossiers import workflow
from dossiers.tests.factories import DossierFactory

pytestmark = pytest.mark.django_db


def test_the_citizen_reads_every_item_asked_for(client):
    dossier = DossierFactory(submitted=True)
    intake = UserFactory(officer=True, agency=dossier.agency)
    workflow.dossier_request_supplement(
        dossier=dossier, actor=intake, items=["Bản sao giấy chứng sinh", "Ảnh CCCD mặt sau"]
    )
    api = APIClient(HTTP_ACCEPT_LANGUAGE="vi")
    api.force_login(dossier.applicant)
    client.force_login(dossier.applicant)

    events = api.get(f"/api/v1/dossiers/{dossier.pk}/").json()["events"]
    page = client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()

    assert events[-1]["items"] == ["Bản sao giấy chứng sinh", "Ảnh CCCD mặt sau"]
    assert "Bản sao giấy chứng sinh" in page and "Ảnh CCCD mặt sau" in page


def test_a_step_without_items_shows_no_item_list(client):
    dossier = DossierFactory(submitted=True)
    workflow.dossier_receive(
        dossier=dossier, actor=UserFactory(officer=True, agency=dossier.agency)
    )
    client.force_login(dossier.applicant)

    page = client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()

    assert "due_at" not in page and "timeline-items" not in page
