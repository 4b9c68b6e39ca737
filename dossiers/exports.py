"""Export of an officer's queue, as filtered on the workspace page, to CSV or XLSX.

Small exports are answered at once; larger ones are built by a Celery task into a file the
officer downloads from a link when it is ready (``QueueExport``). An export never holds more
than ``EXPORT_LIMIT`` rows.
"""

from __future__ import annotations

import csv
import io

from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from dossiers import selectors
from dossiers.models import Dossier

EXPORT_LIMIT = 100_000  # rows in one file
INSTANT_LIMIT = 2_000  # up to this many rows, the file is answered at once
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


def queue_queryset(user, query: str):
    """The dossiers of the queue page for this query string, or None for invalid filters."""
    from dossiers.officer_forms import QueueFilterForm

    form = QueueFilterForm(QueryDict(query), procedures=selectors.served_procedures(user))
    if not form.is_valid():
        return None
    return selectors.officer_queue(
        user,
        queue=form.cleaned_data["queue"] or selectors.default_queue(user),
        ordering=form.cleaned_data["ordering"],
        **form.filters(),
    )


def _local(value) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value else ""


def header() -> list[str]:
    return [
        _("Dossier code"),
        _("Procedure code"),
        _("Procedure"),
        _("Agency"),
        _("Applicant"),
        _("Status"),
        _("Channel"),
        _("Submitted"),
        _("Received"),
        _("Due"),
        _("Finished"),
        _("Assigned to"),
        _("Requests for more papers"),
    ]


def rows(queryset) -> list[list]:
    """One list per dossier, in the queue's order, at most ``EXPORT_LIMIT``."""
    out = []
    for dossier in queryset[:EXPORT_LIMIT].iterator(chunk_size=2000):
        out.append(_row(dossier))
    return out


def _row(dossier: Dossier) -> list:
    return [
        dossier.code,
        dossier.procedure.code,
        dossier.procedure.name,
        dossier.agency.name,
        dossier.applicant.display_name,
        dossier.get_status_display(),
        dossier.get_channel_display(),
        _local(dossier.submitted_at),
        _local(dossier.received_at),
        _local(dossier.due_at),
        _local(dossier.finished_at),
        dossier.assigned_to.display_name if dossier.assigned_to else "",
        dossier.supplement_requests,
    ]


def to_csv(table: list[list]) -> bytes:
    """UTF-8 with a byte-order mark, so spreadsheet programs read the Vietnamese correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header())
    writer.writerows(table)
    return ("\ufeff" + buffer.getvalue()).encode()


def to_xlsx(table: list[list]) -> bytes:
    from openpyxl import Workbook  # imported only when a spreadsheet is made

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Dossiers"))
    sheet.append(header())
    for line in table:
        sheet.append(line)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def render(table: list[list], kind: str) -> bytes:
    return to_xlsx(table) if kind == "xlsx" else to_csv(table)


def build(export_id) -> None:
    """Build a queued export (the Celery task's work); idempotent once ready."""
    from django.core.files.base import ContentFile

    from dossiers.models import QueueExport

    export = QueueExport.objects.select_related("officer").filter(pk=export_id).first()
    if export is None or export.state == QueueExport.State.READY:
        return
    queryset = queue_queryset(export.officer, export.query)
    if queryset is None:
        export.state = QueueExport.State.FAILED
        export.save(update_fields=["state"])
        return
    table = rows(queryset)
    export.file.save(f"ho-so.{export.kind}", ContentFile(render(table, export.kind)), save=False)
    export.row_count = len(table)
    export.state = QueueExport.State.READY
    export.finished_at = timezone.now()
    export.save(update_fields=["file", "row_count", "state", "finished_at"])
