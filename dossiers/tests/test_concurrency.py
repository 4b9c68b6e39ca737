"""Dossier codes never repeat, even when many citizens submit at the same moment (PostgreSQL)."""

import pytest

from accounts.tests.factories import UserFactory
from dossiers.models import Dossier
from dossiers.services import dossier_attach_upload, dossier_create_draft, dossier_submit
from dossiers.tests.factories import pdf_upload
from portal.errors import DomainError
from portal.testing import run_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _ready_drafts(procedure, form, count):
    slot = procedure.versions.order_by("-number").first().snapshot["required_documents"][0]["id"]
    drafts = []
    for _ in range(count):
        citizen = UserFactory()
        dossier, _ = dossier_create_draft(applicant=citizen, procedure=procedure, form_data=form)
        dossier_attach_upload(dossier=dossier, actor=citizen, document_id=slot, upload=pdf_upload())
        drafts.append((citizen, dossier))
    return drafts


def test_parallel_submitters_get_distinct_consecutive_codes(birth_procedure, valid_form):
    drafts = _ready_drafts(birth_procedure, valid_form, 12)

    codes, errors = run_at_once(
        [
            lambda i=i: dossier_submit(dossier=drafts[i][1], actor=drafts[i][0]).code
            for i in range(12)
        ]
    )

    assert errors == []
    assert len(set(codes)) == 12
    assert sorted(int(code[-4:]) for code in codes) == list(range(1, 13))


def test_a_double_clicked_submit_gives_one_code(birth_procedure, valid_form):
    [(citizen, dossier)] = _ready_drafts(birth_procedure, valid_form, 1)

    codes, errors = run_at_once(
        [lambda: dossier_submit(dossier=dossier, actor=citizen).code for _ in range(4)]
    )

    assert len(codes) == 1
    assert len(errors) == 3 and all(isinstance(e, DomainError) and e.status == 409 for e in errors)
    assert Dossier.objects.get(pk=dossier.pk).code == codes[0]
