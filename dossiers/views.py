"""The citizen's dossier pages: filing wizard, "My dossiers", a dossier, the document store,
paper downloads and the public lookup.

Views are thin: they read through ``dossiers.selectors``, write through ``dossiers.services``
and turn a ``DomainError`` into a message on the page. Every page but the lookup needs a login;
another person's dossier, paper or document — or a malformed id — is a plain 404, so nobody can
tell whether it exists. Every POST is followed by a redirect (POST-redirect-GET) except when the
page must be shown again with its errors.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, prefetch_related_objects
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from dossiers.constants import Delivery, DocumentKind, Status
from dossiers.form_data import validate_form_data
from dossiers.forms import (
    DeclarationForm,
    DossierInfoForm,
    LookupForm,
    WithdrawForm,
    prefill_from_profile,
)
from dossiers.models import Dossier, StoredDocument
from dossiers.permissions import (
    can_answer_supplement,
    can_delete_dossier,
    can_edit_dossier,
    can_pay_fee,
    can_submit_dossier,
    can_view_dossier,
    can_view_stored_document,
    can_withdraw_dossier,
    can_write_message,
)
from dossiers.selectors import (
    citizen_dossier,
    citizen_dossiers,
    citizen_store,
    group_for_citizen,
    lookup_dossier,
)
from dossiers.services import (
    dossier_answer_supplement,
    dossier_attach_stored,
    dossier_attach_upload,
    dossier_create_draft,
    dossier_delete_draft,
    dossier_detach,
    dossier_message_post,
    dossier_submit,
    dossier_update,
    dossier_withdraw,
    missing_items,
    result_downloaded,
    stored_document_delete,
)
from portal.errors import DomainError
from portal.http import client_ip, over_rate, private_file_response
from portal.text import normalize_search
from procedures.constants import FILE_TYPES, Channel
from procedures.fees import active_discount_rules, fee_quote
from procedures.models import RequiredDocument
from procedures.selectors import procedure_for_detail, work_calendar

PAGE_SIZE = 20
# A second "Start" within this time reuses the draft just created (a double tap on a phone).
DOUBLE_START_WINDOW = dt.timedelta(seconds=15)
# Store documents offered per paper besides the ones whose title matches the paper's name.
OTHER_STORE_DOCUMENTS = 10


def _own_dossier(request, dossier_id) -> Dossier:
    """The signed-in citizen's dossier, or 404 (also for someone else's or a malformed id)."""
    dossier = citizen_dossier(request.user, dossier_id)
    if dossier is None or not can_view_dossier(request.user, dossier):
        raise Http404(_("No dossier of yours has this address."))
    return dossier


def _wants_json(request) -> bool:
    """The upload script (static/js/upload.js) asks for JSON; plain forms get pages."""
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"


def _refused_edit(request, dossier: Dossier, message: str | None = None):
    """Someone tries to change a dossier that can no longer change: say so on its page."""
    if message is None:
        message = _("This dossier was already submitted and can no longer be changed here.")
    messages.info(request, message)
    url = reverse("dossiers:detail", args=[dossier.pk])
    if _wants_json(request):
        return JsonResponse({"ok": False, "error": message, "redirect": url}, status=409)
    return redirect(url)


# --- Wizard ---------------------------------------------------------------------------------

STEPS = [
    ("info", "dossiers:step_info"),
    ("papers", "dossiers:step_papers"),
    ("review", "dossiers:step_review"),
    ("submit", "dossiers:step_submit"),
]


def _steps(dossier: Dossier, current: str) -> list[dict]:
    labels = {
        "info": _("Information"),
        "papers": _("Papers"),
        "review": _("Review"),
        "submit": _("Submit"),
    }
    names = [name for name, _url in STEPS]
    return [
        {
            "number": index + 1,
            "label": labels[name],
            "url": reverse(url_name, args=[dossier.pk]),
            "current": name == current,
            "done": index < names.index(current),
        }
        for index, (name, url_name) in enumerate(STEPS)
    ]


def _wizard_context(dossier: Dossier, current: str, **extra) -> dict:
    return {
        "dossier": dossier,
        "procedure_name": dossier.procedure.display_name,
        # A dossier answering a supplement is edited outside the four filing steps.
        "steps": _steps(dossier, current) if dossier.status == Status.DRAFT else [],
        **extra,
    }


@login_required
@require_http_methods(["GET", "POST"])
def start(request, code: str):
    """From a procedure's page: start a draft, or continue one already started.

    GET never writes: it shows what to prepare and, if the citizen has drafts of this
    procedure, offers to continue one. The POST creates the draft, pre-filled from the profile
    (``forms.prefill_from_profile``), and opens step 1.
    """
    procedure = procedure_for_detail(code=code)
    if procedure is None:
        raise Http404(_("No published procedure has this code."))
    if not procedure.accepts_online:
        messages.info(
            request,
            _("This procedure cannot be filed online; see below where to file it."),
        )
        return redirect("procedures:detail", code=procedure.code)
    drafts = list(
        citizen_dossiers(request.user).filter(procedure=procedure, status=Status.DRAFT)[:10]
    )
    version = procedure.versions.order_by("-number").first()
    if request.method == "POST":
        recent = [d for d in drafts if d.created_at >= timezone.now() - DOUBLE_START_WINDOW]
        if recent:
            return redirect("dossiers:step_info", dossier_id=recent[0].pk)
        specs = version.snapshot["form_fields"] if version else []
        try:
            dossier, _errors = dossier_create_draft(
                applicant=request.user,
                procedure=procedure,
                form_data=prefill_from_profile(specs, request.user),
                ip=client_ip(request),
            )
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("procedures:detail", code=procedure.code)
        return redirect("dossiers:step_info", dossier_id=dossier.pk)
    papers = version.snapshot["required_documents"] if version else []
    return render(
        request,
        "dossiers/start.html",
        {"procedure": procedure, "drafts": drafts, "papers": papers},
    )


def _after_info_url(dossier: Dossier) -> str:
    if dossier.status == Status.SUPPLEMENT:
        return reverse("dossiers:supplement", args=[dossier.pk])
    return reverse("dossiers:step_papers", args=[dossier.pk])


def _merge(*error_maps: dict[str, list[str]]) -> dict[str, list[str]]:
    merged: dict[str, list[str]] = {}
    for errors in error_maps:
        for key, texts in errors.items():
            for text in texts:
                if text not in merged.setdefault(key, []):
                    merged[key].append(text)
    return merged


@login_required
@require_http_methods(["GET", "POST"])
def step_info(request, dossier_id):
    """Step 1: the procedure's own form and the delivery of the result.

    Every POST saves what was typed, valid or not ("nothing typed is lost"); "Save draft" stays
    on the page, "Next" goes on only when every value is valid and every required one is given.
    Errors are shown with status 200: the draft *was* saved.
    """
    dossier = _own_dossier(request, dossier_id)
    if not can_edit_dossier(request.user, dossier):
        return _refused_edit(request, dossier)
    specs = dossier.version.snapshot["form_fields"]
    if request.method == "POST":
        form = DossierInfoForm(request.POST, field_specs=specs)
        typed = form.typed_form_data()
        delivery, postal_address = form.typed_delivery()
        delivery_errors: dict[str, list[str]] = {}
        try:
            dossier, errors = dossier_update(
                dossier=dossier,
                actor=request.user,
                form_data=typed,
                delivery=delivery,
                postal_address=postal_address,
            )
        except DomainError as error:
            if error.code == "not_editable":
                return _refused_edit(request, dossier, error.message)
            # A delivery choice the service refuses (post without an address) must not lose
            # the form: save the form alone and show the delivery message beside its field.
            delivery_errors = error.fields or {"delivery": [error.message]}
            dossier, errors = dossier_update(dossier=dossier, actor=request.user, form_data=typed)
        going_on = "next" in request.POST
        if going_on:
            _cleaned, complete_errors = validate_form_data(specs, dossier.form_data)
            errors = _merge(errors, complete_errors)
        errors = _merge(errors, delivery_errors)
        if not errors:
            if going_on:
                return redirect(_after_info_url(dossier))
            messages.success(
                request,
                _("Your draft is saved. You can come back to it at any time from My dossiers."),
            )
            return redirect("dossiers:step_info", dossier_id=dossier.pk)
        form.add_service_errors(errors)
        saved_with_errors = True
    else:
        form = DossierInfoForm.from_dossier(dossier, default_postal=request.user.address)
        _cleaned, errors = validate_form_data(
            specs, dossier.form_data, require_all=bool(request.GET.get("check"))
        )
        form.add_service_errors(errors)
        saved_with_errors = False
    return render(
        request,
        "dossiers/step_info.html",
        _wizard_context(dossier, "info", form=form, saved_with_errors=saved_with_errors),
    )


# --- Papers (step 2, and the supplement page) ------------------------------------------------


@dataclass
class Slot:
    """One required paper of the dossier's procedure version, with what fills it now."""

    id: int
    name: str
    required: bool
    note: str
    accepted_types: list[str]
    max_size_mb: int
    reusable: bool
    accept: str
    camera: bool
    current: object | None = None
    matching: list = field(default_factory=list)
    others: list = field(default_factory=list)
    error: str = ""
    added_now: bool = False

    @property
    def types_text(self) -> str:
        return ", ".join(t.upper() for t in self.accepted_types)

    @property
    def max_bytes(self) -> int:
        return self.max_size_mb * 1024 * 1024

    @property
    def store_count(self) -> int:
        return len(self.matching) + len(self.others)


def _titles_match(title: str, name: str) -> bool:
    a, b = normalize_search(title), normalize_search(name)
    return bool(a and b) and (a == b or a in b or b in a)


def _slots(dossier: Dossier, user, errors: dict[int, str] | None = None) -> list[Slot]:
    """The paper slots of the dossier with the current papers and the store's candidates.

    The snapshot has no paper notes, so they are read from the catalogue rows (one query);
    a paper removed from the catalogue since then simply shows no note.
    """
    errors = errors or {}
    documents = dossier.version.snapshot["required_documents"]
    notes = dict(
        RequiredDocument.objects.filter(pk__in=[d["id"] for d in documents]).values_list(
            "pk", "note"
        )
    )
    attachments = list(dossier.attachments.all())
    current = {a.document_id: a for a in attachments if a.superseded_at is None}
    store = list(citizen_store(user))
    supplement_round = sum(1 for e in dossier.events.all() if e.to_status == Status.SUPPLEMENT)
    slots = []
    for document in documents:
        accepted = list(document["accepted_types"])
        attached = current.get(document["id"])
        candidates, seen = [], set()
        for s in store:  # newest first; the same file uploaded twice is offered once
            if s.extension not in accepted or (attached and s.pk == attached.stored_id):
                continue
            if (s.sha256, s.title) not in seen:
                seen.add((s.sha256, s.title))
                candidates.append(s)
        matching = [s for s in candidates if _titles_match(s.title, document["name"])]
        others = [s for s in candidates if s not in matching][:OTHER_STORE_DOCUMENTS]
        slots.append(
            Slot(
                id=document["id"],
                name=document["name"],
                required=document["required"],
                note=notes.get(document["id"], ""),
                accepted_types=accepted,
                max_size_mb=document["max_size_mb"],
                reusable=document.get("reusable", False),
                accept=",".join(FILE_TYPES[t] for t in accepted if t in FILE_TYPES),
                camera="jpg" in accepted,
                current=attached,
                matching=matching,
                others=others,
                error=errors.get(document["id"], ""),
                added_now=bool(
                    attached and supplement_round and attached.round == supplement_round
                ),
            )
        )
    return slots


def _slot_or_404(dossier: Dossier, slot_id: int) -> dict:
    for document in dossier.version.snapshot["required_documents"]:
        if document["id"] == slot_id:
            return document
    raise Http404(_("This procedure has no such paper."))


def _papers_page_url(dossier: Dossier, slot_id: int | None = None) -> str:
    name = "dossiers:supplement" if dossier.status == Status.SUPPLEMENT else "dossiers:step_papers"
    url = reverse(name, args=[dossier.pk])
    return f"{url}#slot-{slot_id}" if slot_id else url


def _render_papers_page(request, dossier: Dossier, *, errors=None, status=200, problems=None):
    slots = _slots(dossier, request.user, errors)
    if dossier.status == Status.SUPPLEMENT:
        return render(
            request,
            "dossiers/supplement.html",
            {
                "dossier": dossier,
                "slots": slots,
                "request_note": _supplement_request(dossier),
                "problems": problems,
            },
            status=status,
        )
    return render(
        request,
        "dossiers/step_papers.html",
        _wizard_context(dossier, "papers", slots=slots, has_errors=bool(errors)),
        status=status,
    )


def _slot_result(request, dossier: Dossier, slot_id: int, error: str = ""):
    """After an upload/reuse/remove: back to the papers (or JSON for the upload script)."""
    if error:
        if _wants_json(request):
            return JsonResponse({"ok": False, "error": error}, status=400)
        return _render_papers_page(request, dossier, errors={slot_id: error}, status=400)
    url = _papers_page_url(dossier, slot_id)
    if _wants_json(request):
        return JsonResponse({"ok": True, "redirect": url})
    return redirect(url)


@login_required
def step_papers(request, dossier_id):
    """Step 2: one slot per required paper: upload, take a photo, or reuse from the store."""
    dossier = _own_dossier(request, dossier_id)
    if dossier.status == Status.SUPPLEMENT:
        return redirect("dossiers:supplement", dossier_id=dossier.pk)
    if not can_edit_dossier(request.user, dossier):
        return _refused_edit(request, dossier)
    return _render_papers_page(request, dossier)


@login_required
@require_POST
def paper_upload(request, dossier_id, slot_id: int):
    dossier = _own_dossier(request, dossier_id)
    if not can_edit_dossier(request.user, dossier):
        return _refused_edit(request, dossier)
    slot = _slot_or_404(dossier, slot_id)
    upload = request.FILES.get("file") or request.FILES.get("photo")
    if upload is None:
        return _slot_result(
            request, dossier, slot_id, _("Choose a file, or take a photo of the paper, first.")
        )
    try:
        attachment = dossier_attach_upload(
            dossier=dossier, actor=request.user, document_id=slot_id, upload=upload
        )
    except DomainError as error:
        if error.code == "not_editable":
            return _refused_edit(request, dossier, error.message)
        return _slot_result(request, dossier, slot_id, error.message)
    messages.success(
        request,
        _("“%(file)s” is attached as: %(paper)s.")
        % {"file": attachment.stored.filename, "paper": slot["name"]},
    )
    return _slot_result(request, dossier, slot_id)


@login_required
@require_POST
def paper_reuse(request, dossier_id, slot_id: int):
    """Attach a document of the citizen's store to a paper slot."""
    dossier = _own_dossier(request, dossier_id)
    if not can_edit_dossier(request.user, dossier):
        return _refused_edit(request, dossier)
    slot = _slot_or_404(dossier, slot_id)
    try:
        stored = citizen_store(request.user).filter(pk=request.POST.get("stored", "")).first()
    except (ValidationError, ValueError):
        stored = None
    if stored is None:
        raise Http404(_("That document is not in your store."))
    try:
        dossier_attach_stored(
            dossier=dossier, actor=request.user, document_id=slot_id, stored=stored
        )
    except DomainError as error:
        if error.code == "not_editable":
            return _refused_edit(request, dossier, error.message)
        if error.status == 404:
            raise Http404(error.message) from None
        return _slot_result(request, dossier, slot_id, error.message)
    messages.success(
        request,
        _("“%(file)s” from your document store is attached as: %(paper)s.")
        % {"file": stored.filename, "paper": slot["name"]},
    )
    return _slot_result(request, dossier, slot_id)


@login_required
@require_POST
def paper_remove(request, dossier_id, attachment_id):
    dossier = _own_dossier(request, dossier_id)
    attachment = next((a for a in dossier.attachments.all() if a.pk == attachment_id), None)
    if attachment is None:
        raise Http404(_("No such paper in this dossier."))
    try:
        dossier_detach(dossier=dossier, actor=request.user, attachment=attachment)
    except DomainError as error:
        return _refused_edit(request, dossier, error.message)
    messages.success(
        request,
        _("“%(file)s” is removed from this dossier; it stays in your document store.")
        % {"file": attachment.stored.filename},
    )
    return redirect(_papers_page_url(dossier, attachment.document_id))


# --- Review and submit ------------------------------------------------------------------------


def display_value(spec: dict, value) -> str:
    if value is None or value == "":
        return ""
    if spec["field_type"] == "checkbox":
        return _("Yes") if value in (True, "true", "on", "1") else _("No")
    if spec["field_type"] == "date":
        for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                return dt.datetime.strptime(str(value), fmt).strftime("%d/%m/%Y")
            except ValueError:
                continue
    return str(value)


def _problem_links(dossier: Dossier, problems: dict[str, list[str]]) -> list[dict]:
    """Each missing or wrong item with a link to the step that fixes it."""
    labels = {f["key"]: f["label"] for f in dossier.version.snapshot["form_fields"]}
    info_url = reverse("dossiers:step_info", args=[dossier.pk])
    papers_url = _papers_page_url(dossier)
    links = []
    for key, texts in problems.items():
        for text in texts:
            if key == "papers":
                links.append({"label": _("Papers"), "text": text, "url": papers_url})
            else:
                links.append(
                    {
                        "label": labels.get(key, key),
                        "text": text,
                        "url": f"{info_url}?check=1#id_{key}",
                    }
                )
    return links


def _fee_comparison(procedure) -> dict:
    """Today's quote online and at the counter (rules and fee rows loaded once)."""
    today = timezone.localdate()
    rules = active_discount_rules(today)
    prefetch_related_objects([procedure], "fee_items__category", "fee_items__exempt_groups")
    online = fee_quote(procedure=procedure, channel=Channel.ONLINE, on_date=today, rules=rules)
    counter = fee_quote(procedure=procedure, channel=Channel.COUNTER, on_date=today, rules=rules)
    return {
        "online": online,
        "counter": counter,
        "saving": counter.net - online.net,
        "free": counter.net == 0 and online.net == 0,
    }


@login_required
def step_review(request, dossier_id):
    """Step 3: everything at a glance, the fee online vs at the counter, the expected date,
    and what is still missing with a link to fix each."""
    dossier = _own_dossier(request, dossier_id)
    if not can_submit_dossier(request.user, dossier):
        return _refused_edit(request, dossier)
    procedure = dossier.procedure
    specs = dossier.version.snapshot["form_fields"]
    rows = [
        {
            "label": spec["label"],
            "value": display_value(spec, dossier.form_data.get(spec["key"])),
            "required": spec["required"],
        }
        for spec in specs
    ]
    problems = missing_items(dossier)
    estimate = work_calendar().due_at(timezone.now(), procedure.effective_online_days)
    context = _wizard_context(
        dossier,
        "review",
        rows=rows,
        slots=_slots(dossier, request.user),
        fees=_fee_comparison(procedure),
        estimate=estimate,
        online_days=procedure.effective_online_days,
        problems=_problem_links(dossier, problems),
    )
    return render(request, "dossiers/step_review.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def step_submit(request, dossier_id):
    """Step 4: the declaration and the submit button. A second submit (double tap, back
    button) does not fail: the citizen is sent to the dossier, which already has its code."""
    dossier = _own_dossier(request, dossier_id)
    if dossier.status != Status.DRAFT:
        if dossier.code:
            messages.info(
                request,
                _("This dossier was already submitted with code %(code)s.")
                % {"code": dossier.code},
            )
        return redirect("dossiers:detail", dossier_id=dossier.pk)
    form = DeclarationForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                dossier = dossier_submit(dossier=dossier, actor=request.user, ip=client_ip(request))
            except DomainError as error:
                if error.code == "already_submitted":
                    messages.info(request, error.message)
                    return redirect("dossiers:detail", dossier_id=dossier.pk)
                messages.error(request, error.message)
                return redirect("dossiers:step_review", dossier_id=dossier.pk)
            # The page shows the code in large type; the message confirms in one line.
            messages.success(request, _("Submitted: %(code)s.") % {"code": dossier.code})
            return redirect(f"{reverse('dossiers:detail', args=[dossier.pk])}?submitted=1")
        status = 400
    else:
        problems = missing_items(dossier)
        if problems:
            messages.info(request, _("A few things are missing. Fix them, then submit."))
            return redirect("dossiers:step_review", dossier_id=dossier.pk)
    return render(
        request,
        "dossiers/step_submit.html",
        _wizard_context(dossier, "submit", form=form),
        status=status,
    )


@login_required
def resume(request, dossier_id):
    """ "Continue filing": the first step that still needs something."""
    dossier = _own_dossier(request, dossier_id)
    if dossier.status == Status.SUPPLEMENT:
        return redirect("dossiers:supplement", dossier_id=dossier.pk)
    if dossier.status != Status.DRAFT:
        return redirect("dossiers:detail", dossier_id=dossier.pk)
    problems = missing_items(dossier)
    if any(key != "papers" for key in problems):
        return redirect("dossiers:step_info", dossier_id=dossier.pk)
    if "papers" in problems:
        return redirect("dossiers:step_papers", dossier_id=dossier.pk)
    return redirect("dossiers:step_review", dossier_id=dossier.pk)


# --- My dossiers ------------------------------------------------------------------------------

GROUPS = ["action", "drafts", "in_progress", "finished"]


def _statuses_by_group() -> dict[str, list[int]]:
    """Which statuses fall in each group, asked of ``selectors.group_for_citizen`` itself."""
    groups: dict[str, list[int]] = {name: [] for name in GROUPS}
    for status in Status:
        groups[group_for_citizen(Dossier(status=status))].append(status.value)
    return groups


def next_step(dossier: Dossier) -> tuple[str, str]:
    """What the citizen should do next, and where."""
    detail = reverse("dossiers:detail", args=[dossier.pk])
    status = dossier.status
    if status == Status.DRAFT:
        return _("Continue filing"), reverse("dossiers:resume", args=[dossier.pk])
    if status == Status.SUPPLEMENT:
        return _("Add the requested papers"), reverse("dossiers:supplement", args=[dossier.pk])
    if dossier.fee_payable:  # status 6, and any open dossier owing its fee
        return _("Pay the fee"), reverse("payments:pay", args=[dossier.pk])
    if status == Status.PROCESSED:
        if dossier.delivery == Delivery.COUNTER:
            return _("Collect the result at the counter"), detail
        if dossier.delivery == Delivery.POSTAL:
            return _("The result will come by post"), detail
        return _("Download the result"), detail
    if status == Status.RETURNED:
        return _("See the result"), detail
    if status in (Status.REFUSED, Status.STOPPED):
        return _("See the reason"), detail
    if status == Status.WITHDRAWAL:
        return _("Wait for the agency to confirm"), detail
    return _("Wait for the agency"), detail


@login_required
def dossier_list(request):
    """ "My dossiers": needs action, drafts, in progress, finished; each paginated by 20 with
    its own page parameter. Two queries per non-empty section whatever the number of dossiers."""
    statuses = _statuses_by_group()
    base = citizen_dossiers(request.user)
    counts = base.aggregate(
        **{name: Count("pk", filter=Q(status__in=statuses[name])) for name in GROUPS}
    )
    titles = {
        "action": _("Needs your action"),
        "drafts": _("Drafts"),
        "in_progress": _("In progress"),
        "finished": _("Finished"),
    }
    sections = []
    for name in GROUPS:
        if not counts[name]:
            continue
        paginator = Paginator(base.filter(status__in=statuses[name]), PAGE_SIZE)
        paginator.count = counts[name]  # already counted above: no COUNT query per section
        page = paginator.get_page(request.GET.get(name))
        query = request.GET.copy()
        query.pop(name, None)
        sections.append(
            {
                "name": name,
                "title": titles[name],
                "count": counts[name],
                "page": page,
                "query": query.urlencode(),
                "cards": [{"dossier": d, "next": next_step(d)} for d in page.object_list],
            }
        )
    waiting = [Status.SUBMITTED, Status.RECEIVED, Status.PROCESSING, Status.WITHDRAWAL]
    return render(request, "dossiers/dossier_list.html", {"sections": sections, "waiting": waiting})


# --- A dossier --------------------------------------------------------------------------------


def _supplement_request(dossier: Dossier):
    """The latest request for a supplement (its note says what to add), or None."""
    requests = [e for e in dossier.events.all() if e.to_status == Status.SUPPLEMENT]
    return requests[-1] if requests else None


@login_required
def dossier_detail(request, dossier_id):
    return _render_detail(request, _own_dossier(request, dossier_id))


@login_required
@require_POST
def dossier_message(request, dossier_id):
    """The citizen writes to the agency from the dossier page."""
    dossier = _own_dossier(request, dossier_id)
    body = request.POST.get("body", "")
    try:
        dossier_message_post(dossier=dossier, author=request.user, body=body)
    except DomainError as error:
        if error.status == 404:
            raise Http404(error.message) from None
        fields = error.fields or {}
        message = (fields.get("body") or [error.message])[0]
        return _render_detail(request, dossier, typed=body, message_error=message, status=400)
    messages.success(request, _("Your message is sent to the agency."))
    return redirect(reverse("dossiers:detail", args=[dossier.pk]) + "#messages-section")


def _render_detail(request, dossier, *, typed: str = "", message_error: str = "", status=200):
    attachments = list(dossier.attachments.all())
    issued = list(dossier.documents.all())
    fee = dossier.fee
    user = request.user
    context = {
        "dossier": dossier,
        "events": list(dossier.events.all()),
        "current_papers": [a for a in attachments if a.superseded_at is None],
        "old_papers": [a for a in attachments if a.superseded_at is not None],
        "fee": fee,
        "next": next_step(dossier),
        "just_submitted": request.GET.get("submitted") == "1" and dossier.code,
        "supplement_request": _supplement_request(dossier),
        "issued_documents": issued,
        "result_document": next(
            (d for d in reversed(issued) if d.kind == DocumentKind.RESULT), None
        ),
        "handover": dossier.result_handover if dossier.status == Status.RETURNED else None,
        "can_edit": can_submit_dossier(user, dossier),
        "can_delete": can_delete_dossier(user, dossier),
        "can_withdraw": can_withdraw_dossier(user, dossier),
        "can_supplement": can_answer_supplement(user, dossier),
        "can_message": can_write_message(user, dossier),
        "can_pay": can_pay_fee(user, dossier),
        "thread": list(
            dossier.messages.filter(internal=False).select_related("author").order_by("created_at")
        ),
        "typed": typed,
        "message_error": message_error,
    }
    return render(request, "dossiers/dossier_detail.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def dossier_delete(request, dossier_id):
    """Delete a draft, after a confirmation page."""
    dossier = _own_dossier(request, dossier_id)
    if not can_delete_dossier(request.user, dossier):
        return _refused_edit(request, dossier, _("Only a draft can be deleted."))
    if request.method == "POST":
        try:
            dossier_delete_draft(dossier=dossier, actor=request.user)
        except DomainError as error:
            return _refused_edit(request, dossier, error.message)
        messages.success(
            request, _("The draft is deleted. Papers you uploaded stay in your document store.")
        )
        return redirect("dossiers:list")
    return render(request, "dossiers/dossier_delete.html", {"dossier": dossier})


@login_required
@require_http_methods(["GET", "POST"])
def dossier_withdraw_view(request, dossier_id):
    dossier = _own_dossier(request, dossier_id)
    if not can_withdraw_dossier(request.user, dossier):
        return _refused_edit(
            request,
            dossier,
            _("A dossier in status “%(status)s” cannot be withdrawn.")
            % {"status": dossier.get_status_display()},
        )
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                dossier_withdraw(
                    dossier=dossier,
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                    ip=client_ip(request),
                )
            except DomainError as error:
                if error.fields:
                    for key, texts in error.fields.items():
                        for text in texts:
                            form.add_error("reason" if key == "reason" else None, text)
                else:
                    return _refused_edit(request, dossier, error.message)
            else:
                messages.success(
                    request, _("Your request to withdraw the dossier is sent to the agency.")
                )
                return redirect("dossiers:detail", dossier_id=dossier.pk)
        status = 400
    return render(
        request, "dossiers/dossier_withdraw.html", {"dossier": dossier, "form": form}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def supplement(request, dossier_id):
    """Answer a supplement request: replace or add papers, then send them."""
    dossier = _own_dossier(request, dossier_id)
    if not can_answer_supplement(request.user, dossier):
        return _refused_edit(request, dossier, _("No papers are asked for this dossier now."))
    if request.method == "POST":
        try:
            dossier_answer_supplement(dossier=dossier, actor=request.user, ip=client_ip(request))
        except DomainError as error:
            if error.code != "incomplete":
                return _refused_edit(request, dossier, error.message)
            messages.error(request, error.message)
            return _render_papers_page(
                request,
                dossier,
                status=400,
                problems=_problem_links(dossier, error.fields),
            )
        messages.success(request, _("The added papers are sent to the agency."))
        return redirect("dossiers:detail", dossier_id=dossier.pk)
    return _render_papers_page(request, dossier)


# --- Downloads and the document store --------------------------------------------------------


def _file_response(stored: StoredDocument) -> FileResponse:
    """The file as a download with its sanitised name."""
    return private_file_response(
        stored.file, filename=stored.filename, content_type=stored.content_type
    )


@login_required
def attachment_download(request, dossier_id, attachment_id):
    dossier = _own_dossier(request, dossier_id)
    attachment = next((a for a in dossier.attachments.all() if a.pk == attachment_id), None)
    if attachment is None:
        raise Http404(_("No such paper in this dossier."))
    return _file_response(attachment.stored)


def _own_stored(request, stored_id) -> StoredDocument:
    stored = citizen_store(request.user).filter(pk=stored_id).first()
    if stored is None or not can_view_stored_document(request.user, stored):
        raise Http404(_("That document is not in your store."))
    return stored


@login_required
def store_list(request):
    documents = citizen_store(request.user).annotate(
        dossier_count=Count("uses__dossier", distinct=True)
    )
    page = Paginator(documents, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "dossiers/store_list.html", {"page": page})


@login_required
def store_download(request, stored_id):
    return _file_response(_own_stored(request, stored_id))


@login_required
@require_http_methods(["GET", "POST"])
def store_delete(request, stored_id):
    stored = _own_stored(request, stored_id)
    if request.method == "POST":
        try:
            stored_document_delete(stored=stored, actor=request.user)
        except DomainError as error:
            raise Http404(error.message) from None
        messages.success(
            request,
            _("“%(file)s” is removed from your document store.") % {"file": stored.filename},
        )
        return redirect("dossiers:store")
    uses = stored.uses.values("dossier").distinct().count()
    return render(request, "dossiers/store_delete.html", {"stored": stored, "uses": uses})


# --- Documents issued for a dossier (forms 01–04, and 06 on demand) ----------------------------


def _readable_dossier(request, dossier_id) -> Dossier:
    """The dossier if the applicant or a staff member serving it (with TOTP) asks; else 404."""
    from accounts.staff import has_second_factor, is_staff_member

    dossier = (
        Dossier.objects.select_related("agency", "procedure", "applicant")
        .filter(pk=dossier_id)
        .first()
    )
    if dossier is None or not can_view_dossier(request.user, dossier):
        raise Http404
    if is_staff_member(request.user) and not has_second_factor(request.user):
        raise Http404
    return dossier


def _pdf_response(source, filename: str) -> FileResponse:
    """A PDF issued or made for the dossier, shown in the browser."""
    return private_file_response(
        source, filename=filename, content_type="application/pdf", inline=True
    )


@login_required
def issued_document_download(request, dossier_id, document_id):
    """A form issued for the dossier (receipt, supplement request, refusal, apology)."""
    dossier = _readable_dossier(request, dossier_id)
    document = dossier.documents.filter(pk=document_id).first()
    if document is None:
        raise Http404
    response = _pdf_response(document.file, f"{document.code}.pdf")  # 404 if the file is gone
    if document.kind == DocumentKind.RESULT and request.user.pk == dossier.applicant_id:
        result_downloaded(dossier=dossier)
    return response


@login_required
def control_slip_download(request, dossier_id):
    """Form 06, the process-control slip: the dossier's history as a PDF, made now."""
    from dossiers.documents import control_slip_pdf

    dossier = _readable_dossier(request, dossier_id)
    if dossier.status == Status.DRAFT:
        raise Http404
    return _pdf_response(control_slip_pdf(dossier), f"{dossier.code}-M06.pdf")


# --- Public lookup ----------------------------------------------------------------------------


def lookup(request):
    """Public: a dossier's status from its code and the applicant's CCCD.

    Sent by POST so the CCCD never lands in a URL, a browser history or a server log. A wrong
    code and a wrong CCCD get the same answer. Each lookup counts against the address's rate.
    """
    form = LookupForm(request.POST if request.method == "POST" else None)
    found = None
    not_found = False
    status = 200
    if request.method == "POST":
        if wait := over_rate(request, "lookup"):
            response = render(request, "dossiers/lookup_throttled.html", status=429)
            response["Retry-After"] = str(wait)
            return response
        if form.is_valid():
            found = lookup_dossier(
                code=form.cleaned_data["code"], id_number=form.cleaned_data["id_number"]
            )
            not_found = found is None
            if found is not None:
                # Shown: keep the code in the form, not the CCCD (shared phones, kiosks).
                form = LookupForm(initial={"code": form.cleaned_data["code"]})
        else:
            status = 400
    elif request.method != "GET":
        return HttpResponse(status=405)
    return render(
        request,
        "dossiers/lookup.html",
        {"form": form, "found": found, "not_found": not_found},
        status=status,
    )
