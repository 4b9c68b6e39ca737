"""Every write to a dossier. Each is one transaction, locks the dossier, checks its guard and
records an event; a refusal raises ``DomainError`` with a message the citizen can act on."""

from __future__ import annotations

from django.db import IntegrityError, connection, transaction
from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.constants import Role
from accounts.models import User
from dossiers.constants import EDITABLE, WITHDRAWABLE, Delivery, FeeState, Status
from dossiers.files import check_upload
from dossiers.form_data import validate_form_data
from dossiers.models import (
    Attachment,
    DailySequence,
    Dossier,
    DossierEvent,
    DossierMessage,
    StoredDocument,
)
from dossiers.signals import dossier_message_posted, record_event
from dossiers.workflow import resume_clock
from portal.errors import DomainError
from procedures.constants import Channel
from procedures.fees import fee_quote
from procedures.models import FeeItem, Procedure
from procedures.selectors import latest_version


def _record(
    *, dossier: Dossier, actor: User | None, action: str, from_status, note: str = "", ip=None
) -> DossierEvent:
    return record_event(
        dossier=dossier,
        actor=actor,
        actor_role=getattr(actor, "role", "system"),  # the citizen's steps: the role
        action=action,
        from_status=from_status,
        note=note,
        ip=ip,
    )


def _locked(dossier: Dossier, related=("version", "procedure", "agency")) -> Dossier:
    """The dossier re-read under a row lock (only its own row: ``of=("self",)``), with what the
    service and its answer read (``related``) joined in the same query.

    The read is scoped to ``dossier.applicant_id``: the API hands the citizen services a bare
    ``Dossier(pk=…, applicant_id=<the caller>)``, so this one query both checks ownership and
    locks; another person's dossier (or none) is the same 404."""
    try:
        return (
            Dossier.objects.select_for_update(of=("self",))
            .select_related(*related)
            .get(pk=dossier.pk, applicant_id=dossier.applicant_id)
        )
    except Dossier.DoesNotExist:
        raise DomainError(
            _("No dossier of yours has this address."), code="not_found", status=404
        ) from None


def _require_editable(dossier: Dossier) -> None:
    if dossier.status not in EDITABLE:
        raise DomainError(
            _(
                "This dossier was already submitted (status: %(status)s) "
                "and can no longer be changed."
            )
            % {"status": dossier.get_status_display()},
            code="not_editable",
            status=409,
        )


def _check_delivery(delivery: str, postal_address: str) -> None:
    if delivery not in Delivery.values:
        raise DomainError(
            _("Choose how to receive the result."),
            code="invalid",
            fields={"delivery": [_("Choose online, counter or postal.")]},
        )
    if delivery == Delivery.POSTAL and not postal_address.strip():
        raise DomainError(
            _("Give the address the post office should deliver the result to."),
            code="invalid",
            fields={"postal_address": [_("Required when the result is sent by post.")]},
        )


@transaction.atomic
def dossier_create_draft(
    *,
    applicant: User,
    procedure: Procedure,
    form_data: dict | None = None,
    delivery: str = Delivery.ONLINE,
    postal_address: str = "",
    ip: str | None = None,
) -> tuple[Dossier, dict[str, list[str]]]:
    """Start a draft for an online dossier. Returns it with the errors of what was typed so far;
    everything typed is kept, even values that are not valid yet."""
    if applicant.role != Role.CITIZEN:
        raise DomainError(
            _("Staff accounts cannot file dossiers for themselves; use a citizen account."),
            code="not_citizen",
            status=403,
        )
    if not procedure.published or not procedure.accepts_online:
        raise DomainError(
            _("This procedure cannot be filed online; see its page for where to file it."),
            code="not_online",
        )
    version = latest_version(procedure)
    if version is None:
        raise DomainError(_("This procedure is not published yet."), code="not_published")
    _check_delivery(delivery, postal_address)
    form_data = form_data or {}
    _cleaned, errors = validate_form_data(
        version.snapshot["form_fields"], form_data, require_all=False
    )
    dossier = Dossier.objects.create(
        applicant=applicant,
        procedure=procedure,
        version=version,
        agency=procedure.agency,
        channel=Channel.ONLINE,
        form_data=form_data,
        delivery=delivery,
        postal_address=postal_address.strip() if delivery == Delivery.POSTAL else "",
    )
    _record(dossier=dossier, actor=applicant, action="create", from_status=None, ip=ip)
    return dossier, errors


def dossier_file_for_citizen(
    *,
    officer: User,
    applicant: User,
    procedure: Procedure,
    form_data: dict,
    channel: int = Channel.COUNTER,
    delivery: str = Delivery.COUNTER,
    postal_address: str = "",
    ip: str | None = None,
    intake_token=None,
) -> Dossier:
    """An officer files a dossier for a citizen who came to the counter (channel 1) or sent it by
    post (channel 3): checked in full, coded and priced at once (no online discount), status 1,
    owned by the citizen, who sees it in "My dossiers" online. The officer then receives it.

    ``intake_token`` (the form's one-time token) makes a form sent twice file once: the second
    call returns the dossier of the first, also when both arrive at the same moment (the
    token is unique in the database)."""

    if intake_token is not None:
        existing = Dossier.objects.filter(intake_token=intake_token).first()
        if existing is not None:
            return existing
    try:
        return _file_for_citizen(
            officer=officer,
            applicant=applicant,
            procedure=procedure,
            form_data=form_data,
            channel=channel,
            delivery=delivery,
            postal_address=postal_address,
            ip=ip,
            intake_token=intake_token,
        )
    except IntegrityError:
        # The same form, sent twice at once: the other request filed it (this one's
        # transaction, daily number included, is rolled back).
        existing = intake_token and Dossier.objects.filter(intake_token=intake_token).first()
        if not existing:
            raise
        return existing


@transaction.atomic
def _file_for_citizen(
    *,
    officer,
    applicant,
    procedure,
    form_data,
    channel,
    delivery,
    postal_address,
    ip,
    intake_token,
) -> Dossier:
    from dossiers import workflow

    if channel not in (Channel.COUNTER, Channel.POSTAL):
        raise DomainError(
            _("Counter intake is for dossiers brought in person or sent by post."),
            code="invalid",
            fields={"channel": [_("Choose counter or postal.")]},
        )
    if not (officer.is_portal_admin or procedure.agency_id in workflow.served_agency_ids(officer)):
        raise DomainError(
            _("This procedure belongs to an agency you do not serve."),
            code="permission_denied",
            status=403,
        )
    if not procedure.published:
        raise DomainError(_("This procedure is not published."), code="not_published")
    version = latest_version(procedure)
    if version is None:
        raise DomainError(_("This procedure is not published yet."), code="not_published")
    _check_delivery(delivery, postal_address)
    cleaned, errors = validate_form_data(version.snapshot["form_fields"], form_data or {})
    if errors:
        raise DomainError(
            _("Some values of the form are missing or not valid."),
            code="invalid",
            fields={"form_data": errors},
        )
    prefetch_related_objects(
        [procedure],
        Prefetch(
            "fee_items",
            queryset=FeeItem.objects.select_related("category").prefetch_related("exempt_groups"),
        ),
    )
    quote = fee_quote(procedure=procedure, channel=channel, on_date=timezone.localdate())
    dossier = Dossier(
        applicant=applicant,
        procedure=procedure,
        version=version,
        agency=procedure.agency,
        channel=channel,
        form_data=cleaned,
        delivery=delivery,
        postal_address=postal_address.strip() if delivery == Delivery.POSTAL else "",
        fee=quote.as_dict(),
        fee_net=quote.net,
        fee_state=FeeState.DUE if quote.net else FeeState.NONE,
        status=Status.SUBMITTED,
        submitted_at=timezone.now(),
        intake_token=intake_token,
    )
    dossier.code = _next_code(dossier)
    dossier.save(force_insert=True)
    _record(
        dossier=dossier,
        actor=officer,
        action="file_for_citizen",
        from_status=None,
        note=str(Channel(channel).label),
        ip=ip,
    )
    return dossier


@transaction.atomic
def dossier_update(
    *,
    dossier: Dossier,
    actor: User,
    form_data: dict | None = None,
    delivery: str | None = None,
    postal_address: str | None = None,
) -> tuple[Dossier, dict[str, list[str]]]:
    """Save what the citizen typed into a draft (or a dossier awaiting a supplement).

    Given ``form_data`` keys replace the stored ones; values are kept even when not valid yet,
    and the errors are returned so the page can show them next to each field.
    """
    dossier = _locked(dossier)
    _require_editable(dossier)
    if form_data is not None:
        dossier.form_data = {**dossier.form_data, **form_data}
    if delivery is not None or postal_address is not None:
        delivery = delivery if delivery is not None else dossier.delivery
        postal_address = postal_address if postal_address is not None else dossier.postal_address
        _check_delivery(delivery, postal_address)
        dossier.delivery = delivery
        dossier.postal_address = postal_address.strip() if delivery == Delivery.POSTAL else ""
    dossier.save()
    _cleaned, errors = validate_form_data(
        dossier.version.snapshot["form_fields"], dossier.form_data, require_all=False
    )
    return dossier, errors


def _slot(dossier: Dossier, document_id: int) -> dict:
    for document in dossier.version.snapshot["required_documents"]:
        if document["id"] == document_id:
            return document
    raise DomainError(
        _("This procedure has no such paper."),
        code="invalid",
        fields={"document": [_("Unknown paper for this procedure.")]},
    )


def _attach(*, dossier: Dossier, slot: dict, stored: StoredDocument, reused: bool) -> Attachment:
    now = timezone.now()
    current = dossier.attachments.filter(document_id=slot["id"], superseded_at__isnull=True)
    if dossier.status == Status.DRAFT:
        # Before submission a replaced paper is simply dropped from the dossier (it stays in the
        # citizen's store); after submission every version is kept.
        current.delete()
        round_number = 0
    else:
        current.update(superseded_at=now)
        round_number = dossier.events.filter(to_status=Status.SUPPLEMENT).count()
    return Attachment.objects.create(
        dossier=dossier,
        document_id=slot["id"],
        document_name=slot["name"],
        stored=stored,
        reused=reused,
        round=round_number,
    )


@transaction.atomic
def dossier_attach_upload(*, dossier: Dossier, actor: User, document_id: int, upload) -> Attachment:
    """Attach an uploaded file to a paper slot; it also goes into the citizen's document store."""
    dossier = _locked(dossier, related=("version",))  # the answer is the paper alone
    _require_editable(dossier)
    slot = _slot(dossier, document_id)
    checked = check_upload(upload, accepted=slot["accepted_types"], max_size_mb=slot["max_size_mb"])
    stored = StoredDocument(
        owner_id=dossier.applicant_id,
        title=slot["name"],
        filename=checked.filename,
        extension=checked.extension,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
    )
    stored.file.save(checked.filename, upload, save=False)
    try:
        stored.save()
        return _attach(dossier=dossier, slot=slot, stored=stored, reused=False)
    except Exception:
        # The rows roll back with the transaction; the written file must go too.
        stored.file.delete(save=False)
        raise


@transaction.atomic
def dossier_attach_stored(
    *, dossier: Dossier, actor: User, document_id: int, stored: StoredDocument
) -> Attachment:
    """Attach a paper from the citizen's own store instead of uploading it again."""
    dossier = _locked(dossier, related=("version",))  # the answer is the paper alone
    _require_editable(dossier)
    slot = _slot(dossier, document_id)
    if stored.owner_id != dossier.applicant_id or stored.deleted_at is not None:
        raise DomainError(_("That document is not in your store."), code="not_found", status=404)
    if stored.extension not in slot["accepted_types"]:
        raise DomainError(
            _("This paper must be a %(types)s file; the stored document is %(ext)s.")
            % {
                "types": ", ".join(t.upper() for t in slot["accepted_types"]),
                "ext": stored.extension.upper(),
            },
            code="file_type",
        )
    return _attach(dossier=dossier, slot=slot, stored=stored, reused=True)


@transaction.atomic
def dossier_detach(*, dossier: Dossier, actor: User, attachment: Attachment) -> None:
    """Remove a paper from a draft (it stays in the citizen's store)."""
    dossier = _locked(dossier)
    if dossier.status != Status.DRAFT:
        raise DomainError(
            _("Papers of a submitted dossier are kept; attach a new version instead."),
            code="not_editable",
            status=409,
        )
    if attachment.dossier_id != dossier.pk:
        raise DomainError(_("No such paper in this dossier."), code="not_found", status=404)
    attachment.delete()


def missing_items(dossier: Dossier) -> dict[str, list[str]]:
    """What stops submission: invalid or missing form values and required papers without a file."""
    problems: dict[str, list[str]] = {}
    _cleaned, errors = validate_form_data(
        dossier.version.snapshot["form_fields"], dossier.form_data
    )
    problems.update(errors)
    # Uses the prefetched papers when the caller loaded them (the dossier page and API do).
    attached = {a.document_id for a in dossier.attachments.all() if a.superseded_at is None}
    missing = [
        d["name"]
        for d in dossier.version.snapshot["required_documents"]
        if d["required"] and d["id"] not in attached
    ]
    if missing:
        problems["papers"] = [_("Attach: %(name)s.") % {"name": name} for name in missing]
    return problems


def _next_code(dossier: Dossier) -> str:
    """``<agency unit code>-<YYMMDD>-<4-digit daily sequence>``, never repeated.

    One statement creates the day's counter row or increments it and returns the new number
    (``INSERT … ON CONFLICT DO UPDATE … RETURNING``, on PostgreSQL and SQLite alike). The
    updated row stays locked until the transaction ends, so parallel submissions to one agency
    queue on it and each gets the next number, and a rolled-back submission gives its number back.
    """
    day = timezone.localdate()
    table = connection.ops.quote_name(DailySequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (agency_id, day, last) VALUES (%s, %s, 1) "  # noqa: S608
            f"ON CONFLICT (agency_id, day) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [dossier.agency_id, day],
        )
        (number,) = cursor.fetchone()
    return f"{dossier.agency.code}-{day:%y%m%d}-{number:04d}"


@transaction.atomic
def dossier_submit(*, dossier: Dossier, actor: User, ip: str | None = None) -> Dossier:
    """Submit a draft: checks completeness, binds the current procedure version, assigns the code,
    freezes the online fee quote, and moves to status 1. A second submit is refused (409)."""
    dossier = _locked(dossier)
    if dossier.status != Status.DRAFT:
        raise DomainError(
            _("This dossier was already submitted with code %(code)s.") % {"code": dossier.code},
            code="already_submitted",
            status=409,
        )
    procedure = dossier.procedure
    if not procedure.published:
        raise DomainError(
            _("This procedure is no longer offered online; your draft is kept."),
            code="not_published",
        )
    dossier.version = latest_version(procedure)
    problems = missing_items(dossier)
    if problems:
        raise DomainError(
            _("The dossier is not complete yet. Fix the items listed, then submit again."),
            code="incomplete",
            fields=problems,
        )
    cleaned, _errors = validate_form_data(
        dossier.version.snapshot["form_fields"], dossier.form_data
    )
    # Two queries for the fee items, whatever their number (fee_quote reads each one's category
    # and exempt groups).
    prefetch_related_objects(
        [procedure],
        Prefetch(
            "fee_items",
            queryset=FeeItem.objects.select_related("category").prefetch_related("exempt_groups"),
        ),
    )
    quote = fee_quote(procedure=procedure, channel=dossier.channel, on_date=timezone.localdate())
    dossier.form_data = cleaned
    dossier.fee = quote.as_dict()
    dossier.fee_net = quote.net
    dossier.fee_state = FeeState.DUE if quote.net else FeeState.NONE
    dossier.code = _next_code(dossier)
    dossier.status = Status.SUBMITTED
    dossier.submitted_at = timezone.now()
    dossier.save()
    _record(dossier=dossier, actor=actor, action="submit", from_status=Status.DRAFT, ip=ip)
    return dossier


@transaction.atomic
def dossier_delete_draft(*, dossier: Dossier, actor: User) -> None:
    """Delete a draft; its uploaded papers stay in the citizen's store."""
    dossier = _locked(dossier)
    if dossier.status != Status.DRAFT:
        raise DomainError(
            _("Only a draft can be deleted; ask to withdraw a submitted dossier instead."),
            code="not_editable",
            status=409,
        )
    dossier.delete()


@transaction.atomic
def dossier_withdraw(
    *, dossier: Dossier, actor: User, reason: str, ip: str | None = None
) -> Dossier:
    """The citizen asks to withdraw a submitted dossier (status 7), with a reason."""
    dossier = _locked(dossier)
    if dossier.status not in WITHDRAWABLE:
        raise DomainError(
            _("A dossier in status “%(status)s” cannot be withdrawn.")
            % {"status": dossier.get_status_display()},
            code="conflict",
            status=409,
        )
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            _("Say why you withdraw the dossier."),
            code="invalid",
            fields={"reason": [_("A reason is required.")]},
        )
    previous = dossier.status
    dossier.status = Status.WITHDRAWAL
    dossier.withdrawal_reason = reason[:2000]
    dossier.save(update_fields=["status", "withdrawal_reason", "updated_at"])
    _record(
        dossier=dossier, actor=actor, action="withdraw", from_status=previous, note=reason, ip=ip
    )
    return dossier


@transaction.atomic
def dossier_answer_supplement(*, dossier: Dossier, actor: User, ip: str | None = None) -> Dossier:
    """The citizen has added what was asked: the dossier goes back to where it was (the clock
    resumes). Refused while a required paper or form value is still missing."""
    dossier = _locked(dossier)
    if dossier.status != Status.SUPPLEMENT:
        raise DomainError(
            _("No supplement is requested for this dossier."), code="conflict", status=409
        )
    problems = missing_items(dossier)
    if problems:
        raise DomainError(
            _("Something is still missing. Fix the items listed, then send again."),
            code="incomplete",
            fields=problems,
        )
    request = dossier.events.filter(to_status=Status.SUPPLEMENT).order_by("-at", "-id").first()
    back_to = request.from_status if request and request.from_status else Status.PROCESSING
    dossier.status = back_to
    resume_clock(dossier, timezone.now())
    dossier.save(update_fields=["status", "due_at", "paused_since", "updated_at"])
    _record(dossier=dossier, actor=actor, action="supplement", from_status=Status.SUPPLEMENT, ip=ip)
    return dossier


@transaction.atomic
def stored_document_delete(*, stored: StoredDocument, actor: User) -> None:
    """Remove a document from the citizen's store. Dossiers that use it keep their copy."""
    if stored.owner_id != actor.pk or stored.deleted_at is not None:
        raise DomainError(_("That document is not in your store."), code="not_found", status=404)
    stored.deleted_at = timezone.now()
    stored.save(update_fields=["deleted_at"])


MESSAGE_MAX = 4000


@transaction.atomic
def dossier_message_post(
    *, dossier: Dossier, author: User, body: str, internal: bool = False
) -> DossierMessage:
    """Post a message on a dossier: the applicant writes to the agency; an officer serving the
    dossier writes to the applicant, or an internal note (``internal``) the applicant never
    sees. A draft has no thread yet."""
    from dossiers import permissions

    allowed = (
        permissions.can_write_internal_note(author, dossier)
        if internal
        else permissions.can_write_message(author, dossier)
    )
    if not allowed:
        raise DomainError(_("No such dossier of yours."), code="not_found", status=404)
    text = (body or "").strip()
    if not text:
        message = _("Write the message first.")
        raise DomainError(message, code="invalid", fields={"body": [message]})
    if len(text) > MESSAGE_MAX:
        message = _("Keep the message under %(n)d characters.") % {"n": MESSAGE_MAX}
        raise DomainError(message, code="invalid", fields={"body": [message]})
    posted = DossierMessage.objects.create(
        dossier=dossier, author=author, internal=internal, body=text
    )
    dossier_message_posted.send(sender=DossierMessage, dossier=dossier, message=posted)
    return posted


def result_downloaded(*, dossier: Dossier) -> None:
    """Note the citizen's first download of the result handed over online (one UPDATE)."""
    from dossiers.models import ResultHandover

    ResultHandover.objects.filter(dossier=dossier, downloaded_at__isnull=True).update(
        downloaded_at=timezone.now()
    )
