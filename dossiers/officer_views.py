"""The officers' workspace pages: the queues, a dossier as officers see it, its papers shown
inline, and one POST per workflow step.

Every page is behind ``accounts.staff.staff_required`` (log in, be an officer or admin, have
two-factor log-in). Reads are scoped by ``dossiers.selectors`` before anything is read: a dossier
of an agency the officer does not serve is a plain 404. Steps go through the services of
``dossiers.workflow``; a ``DomainError`` is shown on the dossier page (error summary, messages
next to the fields, what was typed kept) with the status it names; a step that worked is
followed by a redirect (POST-redirect-GET).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.contrib import messages
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db.models import prefetch_related_objects
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.constants import Duty, Role
from accounts.models import User
from accounts.phone import format_phone
from accounts.staff import staff_required
from dossiers import selectors, services, workflow
from dossiers.api.officer import due_state
from dossiers.constants import Delivery
from dossiers.models import Dossier, StoredDocument
from dossiers.officer_forms import QUEUE_TITLES, QueueFilterForm, StepForm, step_form
from dossiers.templatetags.dossier_pages import vn_datetime
from dossiers.views import display_value
from portal.api import CappedCountPaginator, capped_count
from portal.errors import DomainError
from portal.http import client_ip, private_file_response
from procedures.constants import FILE_TYPES

PAGE_SIZE = 20
# The queue's filters last used by the officer, as a query string (restored on /can-bo/).
SESSION_KEY = "officer_queue_query"
# Tabs in the order shown; "all" is every dossier of the officer's agencies.
TABS = ["new", "in_progress", "waiting", "due_soon", "overdue", "finished", "all"]


def _ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


# --- The queue ------------------------------------------------------------------------------


def _count_label(count: int, cap: int) -> str:
    if count > cap:
        return f"{number_format(cap, force_grouping=True)}+"
    return number_format(count, force_grouping=True)


def _with_query(query: str, **extra) -> str:
    parts = [query] if query else []
    parts += [f"{key}={value}" for key, value in extra.items()]
    return "?" + "&".join(parts) if parts else "?"


@staff_required
@require_safe
def queue(request):
    """The officer's queues: tabs with counts, filters, a page of 20 rows.

    The filters are remembered in the session: coming back to the bare address restores them
    (``?clear=1`` forgets them). Each tab's count is one query that stops counting past
    10,000 rows; reading a page is another: the same queries however many dossiers there are.
    """
    base_url = reverse("officer:queue")
    if "clear" in request.GET:
        _store_filters(request, "")
        return redirect(base_url)
    if not request.GET:
        saved = request.session.get(SESSION_KEY) or request.user.workspace_filters
        if saved:
            return redirect(f"{base_url}?{saved}")

    user = request.user
    form = QueueFilterForm(request.GET, procedures=selectors.served_procedures(user))
    context: dict = {"form": form, "tabs": [], "page": None, "rows": []}
    if not form.is_valid():
        _store_filters(request, "")  # a remembered filter gone stale: forget it
        return render(request, "dossiers/officer/queue.html", context, status=400)

    current = form.cleaned_data["queue"] or selectors.default_queue(user)
    ordering = form.cleaned_data["ordering"]
    filters = form.filters()
    now = timezone.now()
    soon = selectors.due_soon_limit(now)
    filtered = selectors.officer_queue(user, queue="", ordering=ordering, now=now, **filters)
    cap = CappedCountPaginator.cap
    counts = {
        name: capped_count(filtered.filter(selectors.queue_condition(name, now, soon)), cap)
        for name in TABS
    }

    others = form.query_string(queue=False)
    context["tabs"] = [
        {
            "name": name,
            "title": QUEUE_TITLES[name],
            "count": _count_label(counts[name], cap),
            "capped": counts[name] > cap,
            "url": _with_query(others, queue=name),
            "current": name == current,
        }
        for name in TABS
    ]
    context["current"] = next(tab for tab in context["tabs"] if tab["current"])
    context["query"] = form.query_string()
    context["filtered"] = bool(form.query_items(queue=False))

    rows = selectors.officer_queue(user, queue=current, ordering=ordering, now=now, **filters)
    paginator = CappedCountPaginator(rows, PAGE_SIZE)
    paginator.count = min(counts[current], cap)  # counted above: no second COUNT
    context["cap"] = number_format(cap, force_grouping=True)
    try:
        page = paginator.page(request.GET.get("page", 1))
    except PageNotAnInteger:
        context["page_error"] = _("The page number must be a whole number.")
    except EmptyPage:
        context["page_error"] = _("That page does not exist; there are %(n)d pages.") % {
            "n": paginator.num_pages
        }
    else:
        context["page"] = page
        context["rows"] = [
            {"dossier": dossier, "due_state": due_state(dossier, now, soon)}
            for dossier in page.object_list
        ]
    context["assignable"] = list(
        User.objects.filter(
            role=Role.OFFICER,
            agency_id__in=workflow.served_agency_ids(user),
            duty__in=[Duty.SPECIALIST, Duty.LEADER],
            is_active=True,
        ).order_by("full_name")[:200]
    )
    _remember(request, form)
    status = 400 if "page_error" in context else 200
    return render(request, "dossiers/officer/queue.html", context, status=status)


def _remember(request, form: QueueFilterForm) -> None:
    """Keep the officer's filters (not the page) for his next visit to the bare address, in
    this session and on his account (so they survive logging out)."""
    query = form.query_string()
    _store_filters(request, query)


def _store_filters(request, query: str) -> None:
    if request.session.get(SESSION_KEY) != (query or None):
        if query:
            request.session[SESSION_KEY] = query
        else:
            request.session.pop(SESSION_KEY, None)
    user = request.user
    if user.workspace_filters != query:
        user.workspace_filters = query
        user.save(update_fields=["workspace_filters"])


# --- A dossier --------------------------------------------------------------------------------


@dataclass(frozen=True)
class StepInfo:
    """How a workflow step shows on the dossier page."""

    slug: str  # in the step's address
    title: str
    help: str
    button: str
    danger: bool = False


STEPS: dict[str, StepInfo] = {
    "receive": StepInfo(
        "tiep-nhan",
        gettext_lazy("Receive the dossier"),
        gettext_lazy(
            "The dossier is complete and the agency is competent: the processing time starts "
            "now and the due date is set from the working-day calendar."
        ),
        gettext_lazy("Receive"),
    ),
    "request_supplement": StepInfo(
        "yeu-cau-bo-sung",
        gettext_lazy("Ask for more papers"),
        gettext_lazy(
            "The dossier is incomplete or wrong. While the citizen adds the papers, the "
            "processing time is paused."
        ),
        gettext_lazy("Send the request"),
    ),
    "refuse": StepInfo(
        "tu-choi",
        gettext_lazy("Refuse the dossier"),
        gettext_lazy("For a dossier outside the agency's competence or that cannot be accepted."),
        gettext_lazy("Refuse the dossier"),
        danger=True,
    ),
    "start": StepInfo(
        "xu-ly",
        gettext_lazy("Start processing"),
        gettext_lazy("A specialist who starts an unassigned dossier takes it."),
        gettext_lazy("Start processing"),
    ),
    "assign": StepInfo(
        "phan-cong",
        gettext_lazy("Assign to an officer"),
        "",
        gettext_lazy("Assign"),
    ),
    "transfer": StepInfo(
        "chuyen-lien-thong",
        gettext_lazy("Transfer to another agency"),
        gettext_lazy("Inter-agency processing: the dossier leaves your agency's queues."),
        gettext_lazy("Transfer"),
    ),
    "request_payment": StepInfo(
        "yeu-cau-nop-phi",
        gettext_lazy("Ask for the fee"),
        gettext_lazy("The citizen is asked to pay the fee fixed at submission."),
        gettext_lazy("Ask for the fee"),
    ),
    "apologize": StepInfo(
        "xin-loi-hen-lai",
        gettext_lazy("Apologise and set a new due date"),
        gettext_lazy(
            "When the dossier will be late: at least one working day before the due date."
        ),
        gettext_lazy("Send the apology"),
    ),
    "approve": StepInfo(
        "phe-duyet",
        gettext_lazy("Approve with the result"),
        gettext_lazy(
            "The result gets its code and is signed with the agency's digital signature. If "
            "the agency's certificate cannot be used, nothing changes and you are told why."
        ),
        gettext_lazy("Approve and sign"),
    ),
    "return": StepInfo(
        "tra-ket-qua",
        gettext_lazy("Hand over the result"),
        gettext_lazy(
            "Online: the citizen downloads the signed result. At the counter: write who "
            "received it. By post: the tracking number of the parcel."
        ),
        gettext_lazy("Record the hand-over"),
    ),
    "postal_update": StepInfo(
        "buu-chinh",
        gettext_lazy("Record the postal delivery"),
        gettext_lazy("What the post office reports about the result it carries."),
        gettext_lazy("Record"),
    ),
    "stop": StepInfo(
        "dung-xu-ly",
        gettext_lazy("Stop processing"),
        gettext_lazy("The citizen asked to withdraw the dossier."),
        gettext_lazy("Stop processing"),
        danger=True,
    ),
}
ACTION_BY_SLUG = {info.slug: action for action, info in STEPS.items()}
# What each recorded step was, in the history (citizen steps included).
EVENT_LABELS = {
    "create": gettext_lazy("Draft started"),
    "file_for_citizen": gettext_lazy("Filed at the counter for the citizen"),
    "submit": gettext_lazy("Submitted"),
    "withdraw": gettext_lazy("Withdrawal requested"),
    "supplement": gettext_lazy("Papers added by the citizen"),
    "receive": gettext_lazy("Received"),
    "request_supplement": gettext_lazy("More papers requested"),
    "refuse": gettext_lazy("Refused"),
    "start": gettext_lazy("Processing started"),
    "assign": gettext_lazy("Assigned"),
    "transfer": gettext_lazy("Transferred"),
    "request_payment": gettext_lazy("Fee requested"),
    "apologize": gettext_lazy("Apology and new due date"),
    "approve": gettext_lazy("Approved"),
    "return": gettext_lazy("Result handed over"),
    "postal_update": gettext_lazy("Postal delivery recorded"),
    "stop": gettext_lazy("Processing stopped"),
    "fee_paid": gettext_lazy("Fee paid"),
    "fee_exempt": gettext_lazy("Fee waived (exemption)"),
    "refund_started": gettext_lazy("Refund opened"),
    "refunded": gettext_lazy("Fee refunded"),
}


def _staff_dossier(request, dossier_id) -> Dossier:
    dossier = selectors.staff_dossier(request.user, dossier_id)
    if dossier is None:
        raise Http404(_("No such dossier in your agencies."))
    return dossier


def _assignable(dossier: Dossier):
    """The active specialists and leaders of the dossier's agency (the service's own rule)."""
    return User.objects.filter(
        role=Role.OFFICER,
        agency_id=dossier.agency_id,
        duty__in=[Duty.SPECIALIST, Duty.LEADER],
        is_active=True,
    ).order_by("full_name", "pk")


def _person_label(value: str) -> str:
    """Who took a step: an officer's duty, else the role."""
    if value in Duty.values:
        return str(Duty(value).label)
    if value in Role.values:
        return str(Role(value).label)
    return _("Automatic") if value == "system" else value


def _local(iso: str | None) -> str:
    if not iso:
        return ""
    try:
        return vn_datetime(dt.datetime.fromisoformat(iso))
    except (TypeError, ValueError):
        return str(iso)


def _event_details(event) -> list[str]:
    """What a step decided, in words (from ``event.data``)."""
    data = event.data if isinstance(event.data, dict) else {}
    action = event.action
    if action == "receive" and data.get("due_at"):
        return [_("Due: %(due)s") % {"due": _local(data["due_at"])}]
    if action == "assign" and data.get("officer_name"):
        return [_("To: %(officer)s") % {"officer": data["officer_name"]}]
    if action == "transfer" and data.get("to"):
        return [
            _("From %(from)s to %(to)s")
            % {"from": data.get("from", ""), "to": data.get("to_name") or data["to"]}
        ]
    if action == "apologize" and data.get("due_at"):
        return [
            _("Due date moved from %(old)s to %(new)s")
            % {"old": _local(data.get("previous_due_at")), "new": _local(data["due_at"])}
        ]
    if action == "return" and data.get("method") in Delivery.values:
        return [str(Delivery(data["method"]).label)]
    if action in ("fee_paid", "fee_exempt", "refund_started", "refunded"):
        from dossiers.templatetags.dossier_pages import fee_event

        reference = data.get("reference")
        return [fee_event(event)] + (
            [_("Reference: %(ref)s") % {"ref": reference}] if reference else []
        )
    if action == "request_supplement" and data.get("request", 0) > 1:
        return [_("Request number %(n)d: counts as late.") % {"n": data["request"]}]
    return []


def _history(dossier: Dossier) -> list[dict]:
    events = list(dossier.events.all())
    prefetch_related_objects(events, "actor")  # one query for every actor
    return [
        {
            "event": event,
            "label": EVENT_LABELS.get(event.action, event.action),
            "who": event.actor.display_name if event.actor else "",
            "role": _person_label(event.actor_role),
            "items": (event.data or {}).get("items") if isinstance(event.data, dict) else None,
            "details": _event_details(event),
        }
        for event in events
    ]


def _form_rows(dossier: Dossier) -> list[dict]:
    specs = dossier.version.snapshot.get("form_fields", []) if dossier.version_id else []
    known = {spec["key"] for spec in specs}
    rows = [
        {"label": spec["label"], "value": display_value(spec, dossier.form_data.get(spec["key"]))}
        for spec in specs
    ]
    # Values whose field is not in the snapshot (should not happen) are still shown.
    rows += [
        {"label": key, "value": str(value)}
        for key, value in (dossier.form_data or {}).items()
        if key not in known and value not in (None, "")
    ]
    return rows


@dataclass
class Failed:
    """A step that was refused: its bound form, the service's error, and whether the officer
    should now act on the status shown."""

    action: str
    form: StepForm
    error: DomainError | None = None


def _typed(form: StepForm) -> list[dict]:
    """What the officer typed in a form that can no longer be shown, to copy it."""
    kept = []
    for name, field in form.fields.items():
        if name == "expected_status":
            continue
        value = form.data.get(form.add_prefix(name), "")
        if isinstance(value, str) and value.strip():
            kept.append({"label": field.label, "value": value})
    return kept


def _error_summary(failed: Failed | None, *, shown: bool) -> list[dict]:
    """The lines of the error summary: the service's message, then each field's message with a
    link to the field (when the form is on the page)."""
    if failed is None:
        return []
    form = failed.form
    lines, field_texts = [], set()
    for name in form.fields:
        bound = form[name]
        for text in form.errors.get(name, []):
            field_texts.add(text)
            if bound.is_hidden:
                lines.append({"text": text, "href": ""})
                continue
            label = str(bound.label)
            lines.append(
                {
                    "text": text if label in text else f"{label}: {text}",
                    "href": f"#{bound.auto_id}" if shown else "",
                }
            )
    lines += [{"text": text, "href": ""} for text in form.non_field_errors()]
    if failed.error is not None and failed.error.message not in field_texts:
        lines.insert(0, {"text": failed.error.message, "href": ""})
    return lines


def _render_dossier(
    request,
    dossier: Dossier,
    *,
    failed: Failed | None = None,
    status=200,
    typed_message: dict | None = None,
):
    """The officer's dossier page; ``typed_message`` keeps a refused message or note
    (``{"internal": bool, "body": str, "error": str}``)."""
    user = request.user
    now = timezone.now()
    soon = selectors.due_soon_limit(now)
    actions = workflow.allowed_now(user, dossier)
    officers = list(_assignable(dossier)) if "assign" in actions else []
    steps = []
    for action in actions:
        if failed is not None and failed.action == action:
            form = failed.form
        else:
            form = step_form(action, dossier=dossier, officers=officers)
        steps.append({"action": action, "info": STEPS[action], "form": form})
    attachments = list(dossier.attachments.all())
    applicant = dossier.applicant
    context = {
        "dossier": dossier,
        "applicant": applicant,
        "applicant_phone": format_phone(applicant.phone) if applicant.phone else "",
        "form_rows": _form_rows(dossier),
        "current_papers": [a for a in attachments if a.superseded_at is None],
        "old_papers": [a for a in attachments if a.superseded_at is not None],
        "history": _history(dossier),
        "issued": list(dossier.documents.all()),  # prefetched by ``staff_dossier``
        "due_state": due_state(dossier, now, soon),
        "steps": steps,
        "failed": failed,
        "failed_step": STEPS[failed.action] if failed else None,
        "error_lines": _error_summary(
            failed, shown=failed is not None and failed.action in actions
        ),
        "typed": _typed(failed.form) if failed and failed.action not in actions else [],
    }
    messages_on_file = list(dossier.messages.select_related("author").order_by("created_at"))
    typed_message = typed_message or {}
    for internal, prefix in ((False, "thread"), (True, "notes")):
        mine = typed_message.get("internal") is internal
        context[prefix] = [m for m in messages_on_file if m.internal is internal]
        context[f"{prefix}_typed"] = typed_message.get("body", "") if mine else ""
        context[f"{prefix}_error"] = typed_message.get("error", "") if mine else ""
    return render(request, "dossiers/officer/dossier.html", context, status=status)


@staff_required
@require_POST
def message(request, dossier_id):
    """A message to the applicant, or an internal note (``internal=1``) the applicant never
    sees."""
    dossier = _staff_dossier(request, dossier_id)
    internal = request.POST.get("internal") == "1"
    body = request.POST.get("body", "")
    try:
        services.dossier_message_post(
            dossier=dossier, author=request.user, body=body, internal=internal
        )
    except DomainError as error:
        if error.status == 404:
            raise Http404(error.message) from None
        text = ((error.fields or {}).get("body") or [error.message])[0]
        typed = {"internal": internal, "body": body, "error": text}
        return _render_dossier(request, dossier, status=400, typed_message=typed)
    messages.success(
        request,
        _("The internal note is saved.")
        if internal
        else _("The message is sent to the applicant."),
    )
    anchor = "#notes-section" if internal else "#thread-section"
    return redirect(reverse("officer:dossier", args=[dossier.pk]) + anchor)


@staff_required
@require_safe
def dossier_page(request, dossier_id):
    return _render_dossier(request, _staff_dossier(request, dossier_id))


def _success_message(action: str, dossier: Dossier) -> str:
    if action == "receive":
        return _("The dossier is received. The result is due on %(due)s.") % {
            "due": vn_datetime(dossier.due_at)
        }
    if action == "apologize":
        return _("The apology is recorded. The new due date is %(due)s.") % {
            "due": vn_datetime(dossier.due_at)
        }
    if action == "assign":
        name = dossier.assigned_to.display_name if dossier.assigned_to else ""
        return _("The dossier is assigned to %(officer)s.") % {"officer": name}
    if action == "transfer":
        return _("The dossier is transferred to %(agency)s.") % {
            "agency": dossier.agency.display_name
        }
    return {
        "request_supplement": _("The request for more papers is recorded."),
        "refuse": _("The dossier is refused."),
        "start": _("Processing has started."),
        "request_payment": _("The citizen is asked to pay the fee."),
        "approve": _("The dossier is approved with its result."),
        "return": _("The hand-over of the result is recorded."),
        "postal_update": _("The postal delivery is recorded."),
        "stop": _("Processing is stopped."),
    }[action]


def _attach_errors(form: StepForm, error: DomainError) -> None:
    """The service's per-field messages next to the fields of the same names."""
    for key, texts in error.fields.items():
        if key == "expected_status" or key not in form.fields:
            continue  # e.g. ``status``: the message above says it
        for text in texts:
            form.add_error(key, text)


@staff_required
@require_POST
def step(request, dossier_id, slug: str):
    """Take one workflow step from the dossier page."""
    action = ACTION_BY_SLUG.get(slug)
    if action is None:
        raise Http404(_("No such step."))
    dossier = _staff_dossier(request, dossier_id)
    data = request.POST.copy()  # mutable: a refused step may be shown against a new status
    officers = list(_assignable(dossier)) if action == "assign" else []
    form = step_form(action, dossier=dossier, data=data, files=request.FILES, officers=officers)
    if not form.is_valid():
        return _render_dossier(request, dossier, failed=Failed(action, form), status=400)
    try:
        saved = workflow.SERVICES[action](
            dossier=dossier,
            actor=request.user,
            ip=client_ip(request),
            expected_status=form.cleaned_data["expected_status"],
            **form.arguments(),
        )
    except DomainError as error:
        if error.status == 404:
            raise Http404(error.message) from None
        _attach_errors(form, error)
        fresh = selectors.staff_dossier(request.user, dossier.pk)
        if fresh is None:  # moved away meanwhile
            messages.error(request, error.message)
            return redirect("officer:queue")
        if error.code == "conflict":
            # The page now shows the current status; what was typed is kept, and acting
            # again is a decision taken on what is shown.
            data[form.add_prefix("expected_status")] = str(fresh.status)
        return _render_dossier(
            request, fresh, failed=Failed(action, form, error), status=error.status
        )
    messages.success(request, _success_message(action, saved))
    if not workflow.serves(request.user, saved):  # transferred out of the officer's agencies
        return redirect("officer:queue")
    return redirect("officer:dossier", dossier_id=saved.pk)


# --- Papers, viewed inline --------------------------------------------------------------------

INLINE_TYPES = set(FILE_TYPES.values())


def _inline_response(stored: StoredDocument) -> FileResponse:
    """The file shown in the browser (PDF and images, recognised by content at upload), or
    downloaded for any other type."""
    return private_file_response(
        stored.file,
        filename=stored.filename,
        content_type=stored.content_type,
        inline=stored.content_type in INLINE_TYPES,
    )


@staff_required
@require_safe
def attachment_file(request, dossier_id, attachment_id):
    dossier = _staff_dossier(request, dossier_id)
    attachment = next((a for a in dossier.attachments.all() if a.pk == attachment_id), None)
    if attachment is None:
        raise Http404(_("No such paper in this dossier."))
    return _inline_response(attachment.stored)


@staff_required
@require_safe
def result_file(request, dossier_id):
    dossier = _staff_dossier(request, dossier_id)
    if dossier.result is None:
        raise Http404(_("This dossier has no result yet."))
    return _inline_response(dossier.result)


BULK_LIMIT = 100


@staff_required
@require_POST
def bulk(request):
    """Receive, or assign to one officer, the dossiers ticked in a queue. Each dossier is its
    own step (locked, checked, recorded): those that cannot take it are listed with the reason,
    the others are done."""
    from django.utils.http import url_has_allowed_host_and_scheme

    back = request.POST.get("next") or reverse("officer:queue")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("officer:queue")
    action = request.POST.get("action")
    ids = request.POST.getlist("dossiers")
    if action not in ("receive", "assign"):
        messages.error(request, _("Choose a step to apply."))
        return redirect(back)
    if not ids:
        messages.error(request, _("Tick at least one dossier first."))
        return redirect(back)
    if len(ids) > BULK_LIMIT:
        messages.error(request, _("Select at most %(n)d dossiers at a time.") % {"n": BULK_LIMIT})
        return redirect(back)
    officer_id = request.POST.get("officer") or None
    if action == "assign" and not officer_id:
        messages.error(request, _("Choose the officer to assign the dossiers to."))
        return redirect(back)
    done, refused = [], []
    found = {
        str(d.pk): d for d in selectors.staff_dossiers(request.user).filter(pk__in=_uuids(ids))
    }
    for dossier_id in ids:
        dossier = found.get(dossier_id)
        if dossier is None:
            refused.append(_("a dossier that is not in your agencies"))
            continue
        try:
            if action == "receive":
                workflow.dossier_receive(dossier=dossier, actor=request.user, ip=client_ip(request))
            else:
                workflow.dossier_assign(
                    dossier=dossier,
                    actor=request.user,
                    officer_id=officer_id,
                    ip=client_ip(request),
                )
        except DomainError as error:
            refused.append(f"{dossier.code}: {error.message}")
        else:
            done.append(dossier.code)
    if done:
        messages.success(
            request,
            (_("Received: %(codes)s.") if action == "receive" else _("Assigned: %(codes)s."))
            % {"codes": ", ".join(done)},
        )
    if refused:
        messages.warning(request, _("Not done: %(list)s") % {"list": "; ".join(refused)})
    return redirect(back)


def _uuids(values: list[str]) -> list:
    result = []
    for value in values:
        try:
            result.append(uuid.UUID(value))
        except ValueError:
            continue
    return result


# --- Exports of the queue ----------------------------------------------------------------------


@staff_required
@require_POST
def export(request):
    """The queue as filtered on the page, as CSV or XLSX: at once when small, else prepared in
    the background with a page that gives the link when it is ready."""
    from django.db import transaction

    from dossiers import exports
    from dossiers.models import QueueExport
    from dossiers.tasks import build_queue_export
    from portal.tasks import enqueue_on_commit

    kind = request.POST.get("kind")
    query = request.POST.get("query", "")[:1000]
    back = reverse("officer:queue") + (f"?{query}" if query else "")
    queryset = exports.queue_queryset(request.user, query) if kind in exports.FORMATS else None
    if queryset is None:
        messages.error(request, _("Choose CSV or XLSX, and check the filters."))
        return redirect(back)
    size = capped_count(queryset, exports.INSTANT_LIMIT)
    if size <= exports.INSTANT_LIMIT:
        content = exports.render(exports.rows(queryset), kind)
        response = HttpResponse(content, content_type=exports.FORMATS[kind])
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="ho-so-{stamp}.{kind}"'
        return response
    with transaction.atomic():
        job = QueueExport.objects.create(officer=request.user, kind=kind, query=query)
        enqueue_on_commit(build_queue_export, str(job.pk))
    messages.info(request, _("The file is being prepared; this page gives the link when ready."))
    return redirect("officer:export", export_id=job.pk)


def _own_export(request, export_id):
    from dossiers.models import QueueExport

    job = QueueExport.objects.filter(pk=export_id, officer=request.user).first()
    if job is None:
        raise Http404(_("No such export of yours."))
    return job


@staff_required
@require_safe
def export_status(request, export_id):
    return render(request, "dossiers/officer/export.html", {"job": _own_export(request, export_id)})


@staff_required
@require_safe
def export_download(request, export_id):
    job = _own_export(request, export_id)
    if job.state != job.State.READY or not job.file:
        raise Http404(_("The file is not ready yet."))
    response = FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=f"ho-so-{timezone.localtime(job.created_at):%Y%m%d-%H%M}.{job.kind}",
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- Counter and postal intake -----------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
def counter_intake(request):
    """An officer files a dossier for a citizen at the counter or from the post: pick the
    procedure, type the applicant and the form, file. The citizen sees it online afterwards."""
    from django.db import transaction

    from accounts.services import citizen_for_counter
    from dossiers.forms import DossierInfoForm
    from dossiers.officer_forms import CounterApplicantForm

    procedures = selectors.served_procedures(request.user).filter(published=True).order_by("name")
    code = request.GET.get("procedure", "")
    procedure = procedures.select_related("agency").filter(code=code).first() if code else None
    context = {"procedures": procedures, "procedure": procedure}
    if procedure is None:
        status = 400 if code else 200
        if code:
            context["choice_error"] = _("Choose a procedure of your agencies from the list.")
        return render(request, "dossiers/officer/counter.html", context, status=status)
    specs = _form_specs(procedure)
    # One token per filled-in form: sending it twice (a double click) files one dossier.
    token = _uuids([request.POST.get("intake_token", "")])
    context["intake_token"] = token[0] if token else uuid.uuid4()
    if request.method == "GET":
        context.update(
            applicant_form=CounterApplicantForm(),
            info_form=DossierInfoForm(
                initial={"delivery": Delivery.COUNTER}, field_specs=specs, prefix="form"
            ),
        )
        return render(request, "dossiers/officer/counter.html", context)
    applicant_form = CounterApplicantForm(request.POST)
    info_form = DossierInfoForm(request.POST, field_specs=specs, prefix="form")
    context.update(applicant_form=applicant_form, info_form=info_form)
    if not applicant_form.is_valid():
        info_form.full_clean()
        return render(request, "dossiers/officer/counter.html", context, status=400)
    data = applicant_form.cleaned_data
    delivery, postal_address = info_form.typed_delivery()
    try:
        with transaction.atomic():  # a refused dossier leaves no new account behind
            applicant, _created = citizen_for_counter(
                full_name=data["full_name"],
                id_number=data["id_number"],
                phone=data["phone"],
                email=data["email"],
            )
            dossier = services.dossier_file_for_citizen(
                officer=request.user,
                applicant=applicant,
                procedure=procedure,
                form_data=info_form.typed_form_data(),
                channel=data["channel"],
                delivery=delivery,
                postal_address=postal_address,
                ip=client_ip(request),
                intake_token=context["intake_token"],
            )
    except DomainError as error:
        fields = dict(error.fields or {})
        form_errors = fields.pop("form_data", {})
        delivery_errors = {k: fields.pop(k) for k in ("delivery", "postal_address") if k in fields}
        info_form.add_service_errors({**form_errors, **delivery_errors})
        applicant_form.add_service_errors(fields)
        if not (form_errors or delivery_errors or fields):
            applicant_form.add_error(None, error.message)
        return render(request, "dossiers/officer/counter.html", context, status=error.status)
    messages.success(
        request,
        _("Filed with code %(code)s for %(name)s. Receive it now to give the receipt.")
        % {"code": dossier.code, "name": applicant.display_name},
    )
    return redirect("officer:dossier", dossier_id=dossier.pk)


def _form_specs(procedure) -> list[dict]:
    from procedures.selectors import latest_version

    version = latest_version(procedure)
    return version.snapshot["form_fields"] if version else []
