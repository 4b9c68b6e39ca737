"""The public lookup page: a dossier's status from its code and the applicant's CCCD."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from dossiers.constants import Status
from dossiers.tests.factories import DossierFactory

pytestmark = pytest.mark.django_db

LOOKUP = reverse("dossiers:lookup")
CCCD = "079190000456"


@pytest.fixture
def dossier():
    applicant = UserFactory(full_name="Lê Văn Riêng Tư", id_number=CCCD, address="99 Bí Mật")
    return DossierFactory(applicant=applicant, submitted=True, status=Status.PROCESSING)


def _not_found_block(response) -> str:
    html = response.content.decode()
    match = re.search(
        r'<div class="error-summary" role="alert" tabindex="-1" id="not-found">.*?</div>',
        html,
        re.S,
    )
    assert match, "the not-found message is shown"
    return match.group(0)


def test_lookup_page_is_public_with_labelled_fields(client):
    response = client.get(LOOKUP)

    html = response.content.decode()
    assert response.status_code == 200
    assert '<label for="id_code">' in html and '<label for="id_id_number">' in html
    assert re.search(r'<input[^>]*inputmode="numeric"[^>]*id="id_id_number"', html)
    assert 'method="post"' in html and "csrfmiddlewaretoken" in html


def test_right_pair_shows_the_status_and_nothing_personal(client, dossier):
    response = client.post(LOOKUP, {"code": f"  {dossier.code} ", "id_number": CCCD})

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["found"] == dossier
    assert dossier.code in html and dossier.procedure.name in html
    assert 'class="status status-4"' in html
    for personal in ("Lê Văn Riêng Tư", "99 Bí Mật", dossier.applicant.email, str(dossier.pk)):
        assert personal not in html


def test_wrong_code_and_wrong_cccd_get_the_same_answer(client, dossier):
    wrong_code = client.post(LOOKUP, {"code": dossier.code + "9", "id_number": CCCD})
    wrong_cccd = client.post(LOOKUP, {"code": dossier.code, "id_number": "079190000457"})

    assert wrong_code.status_code == wrong_cccd.status_code == 200
    assert wrong_code.context["found"] is None and wrong_cccd.context["found"] is None
    assert _not_found_block(wrong_code) == _not_found_block(wrong_cccd)
    assert dossier.procedure.name not in wrong_cccd.content.decode()


def test_a_draft_is_never_found(client):
    applicant = UserFactory(id_number=CCCD)
    draft = DossierFactory(applicant=applicant, code=None)
    response = client.post(LOOKUP, {"code": str(draft.pk), "id_number": CCCD})
    assert response.context["found"] is None


def test_malformed_cccd_is_a_field_error(client, dossier):
    response = client.post(LOOKUP, {"code": dossier.code, "id_number": "12ab"})

    assert response.status_code == 400
    assert 'id="id_id_number-error"' in response.content.decode()


def test_lookups_are_throttled_after_ten_a_minute(client, dossier):
    for _ in range(10):
        response = client.post(LOOKUP, {"code": "X-1", "id_number": CCCD})
        assert response.status_code == 200

    response = client.post(LOOKUP, {"code": dossier.code, "id_number": CCCD})

    assert response.status_code == 429
    assert int(response["Retry-After"]) == 60
    assert "found" not in response.context or response.context.get("found") is None
    assert dossier.procedure.name not in response.content.decode()
    # Another address is not affected.
    other = client.post(
        LOOKUP, {"code": dossier.code, "id_number": CCCD}, REMOTE_ADDR="203.0.113.9"
    )
    assert other.status_code == 200 and other.context["found"] == dossier


def test_showing_the_form_does_not_count(client):
    for _ in range(15):
        assert client.get(LOOKUP).status_code == 200
    assert client.post(LOOKUP, {"code": "X", "id_number": CCCD}).status_code == 200
