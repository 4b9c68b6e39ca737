"""Every write to the catalogue that carries a rule."""

from __future__ import annotations

import hashlib
import json

from django.db import transaction
from django.utils.translation import gettext as _

from portal.errors import DomainError
from procedures.form_schema import form_definition_errors
from procedures.models import Procedure, ProcedureVersion
from procedures.selectors import procedure_snapshot


def procedure_check_form(*, procedure: Procedure) -> None:
    """Raise ``DomainError`` listing every defect of the procedure's form definition."""
    fields = procedure_snapshot(procedure=procedure)["form_fields"]
    errors = form_definition_errors(fields)
    if errors:
        raise DomainError(" ".join(errors), code="malformed_form", fields={"form_fields": errors})


@transaction.atomic
def procedure_publish(*, procedure: Procedure, note: str = "") -> ProcedureVersion:
    """Publish the procedure as it is now and return its current version.

    A new version is created only when the content differs from the latest one, so saving
    without changes does not multiply versions. Dossiers keep pointing at the version they
    were filed under.
    """
    procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
    procedure_check_form(procedure=procedure)
    snapshot = procedure_snapshot(procedure=procedure)
    content_hash = hashlib.sha256(
        json.dumps(snapshot, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()
    latest = procedure.versions.order_by("-number").first()
    if not procedure.published:
        procedure.published = True
        procedure.save(update_fields=["published", "updated_at"])
    if latest is not None and latest.content_hash == content_hash:
        return latest
    return ProcedureVersion.objects.create(
        procedure=procedure,
        number=(latest.number + 1) if latest else 1,
        snapshot=snapshot,
        content_hash=content_hash,
        note=note,
    )


def procedure_unpublish(*, procedure: Procedure) -> None:
    """Hide the procedure from the catalogue; its versions and filed dossiers stay."""
    if not procedure.published:
        raise DomainError(_("This procedure is not published."), code="not_published")
    procedure.published = False
    procedure.save(update_fields=["published", "updated_at"])
