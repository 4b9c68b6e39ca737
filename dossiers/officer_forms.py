"""Forms of the officers' workspace: the queue's filters and one small form per workflow step.

The step forms only *carry* what was typed (nothing is required at this level): the workflow
services (``dossiers.workflow``) are the one judge of what a step needs, and their
``DomainError.fields`` are attached to the fields of the same names here (``items``, ``note``,
``reason``, ``officer``, ``agency``, ``new_due_at``, ``result``, ``method``). Every step form
carries the status the officer saw (``expected_status``) so a step taken on a stale page is
refused by the service.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django import forms
from django.utils.translation import gettext_lazy as _

from dossiers.constants import Delivery, PostalState, ResultSource, Status
from procedures.constants import Channel
from procedures.models import Procedure, Sector
from procedures.workdays import LOCAL_TZ

# --- The queue ------------------------------------------------------------------------------

QUEUE_TITLES = {
    "new": _("New"),
    "in_progress": _("In progress"),
    "waiting": _("Waiting for the citizen"),
    "due_soon": _("Due soon"),
    "overdue": _("Overdue"),
    "finished": _("Finished"),
    "all": _("All"),
}
ORDERING_CHOICES = [
    ("due_at", _("Due date, earliest first")),
    ("received_at", _("Received date, oldest first")),
    ("-received_at", _("Received date, newest first")),
]
DEFAULT_ORDERING = "due_at"
# The queue fields in the order they appear in a remembered query string.
QUERY_FIELDS = [
    "queue",
    "search",
    "status",
    "procedure",
    "sector",
    "channel",
    "due_before",
    "assigned_to_me",
    "ordering",
]


def _blank(label) -> list[tuple[str, str]]:
    return [("", label)]


class QueueFilterForm(forms.Form):
    """The filters of the queue page (a GET form). Every field is optional; ``filters()`` gives
    the keyword arguments of ``selectors.officer_queue``."""

    queue = forms.ChoiceField(
        choices=list(QUEUE_TITLES.items()),
        required=False,
        widget=forms.HiddenInput,
    )
    search = forms.CharField(
        label=_("Search by dossier code, applicant name or CCCD"),
        help_text=_("The start of a code, part of a name, or a 12-digit CCCD number."),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    status = forms.TypedChoiceField(
        label=_("Status"),
        choices=[],
        coerce=int,
        empty_value=None,
        required=False,
    )
    procedure = forms.ChoiceField(label=_("Procedure"), choices=[], required=False)
    sector = forms.ChoiceField(label=_("Sector"), choices=[], required=False)
    channel = forms.TypedChoiceField(
        label=_("Channel"),
        choices=[],
        coerce=int,
        empty_value=None,
        required=False,
    )
    due_before = forms.DateField(
        label=_("Due by"),
        help_text=_("Dossiers due on this day or earlier."),
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    assigned_to_me = forms.BooleanField(label=_("Only dossiers assigned to me"), required=False)
    ordering = forms.ChoiceField(
        label=_("Sort by"), choices=ORDERING_CHOICES, required=False, initial=DEFAULT_ORDERING
    )

    def __init__(self, *args, procedures=None, **kwargs):
        """``procedures``: the procedures offered in the filter (those of the agencies the
        officer serves); all when None."""
        super().__init__(*args, **kwargs)
        any_label = _("— Any —")
        self.fields["status"].choices = _blank(any_label) + [
            (value, label) for value, label in Status.choices if value != Status.DRAFT
        ]
        self.fields["channel"].choices = _blank(any_label) + list(Channel.choices)
        if procedures is None:
            procedures = Procedure.objects.all()
        self.fields["procedure"].choices = _blank(any_label) + [
            (code, f"{name} ({code})")
            for code, name in procedures.order_by("name", "code").values_list("code", "name")
        ]
        self.fields["sector"].choices = _blank(any_label) + list(
            Sector.objects.order_by("name").values_list("code", "name")
        )

    def clean_queue(self) -> str:
        return self.cleaned_data.get("queue") or ""

    def clean_ordering(self) -> str:
        return self.cleaned_data.get("ordering") or DEFAULT_ORDERING

    def filters(self) -> dict:
        """The selector's filters (not the queue, nor the ordering)."""
        data = self.cleaned_data
        due_before = None
        if data.get("due_before"):
            # "Due by 20/11": everything due before 21/11 00:00 in Vietnam.
            next_day = data["due_before"] + dt.timedelta(days=1)
            due_before = dt.datetime.combine(next_day, dt.time.min, tzinfo=LOCAL_TZ)
        return {
            "status": data.get("status"),
            "procedure": data.get("procedure") or "",
            "sector": data.get("sector") or "",
            "channel": data.get("channel"),
            "due_before": due_before,
            "assigned_to_me": bool(data.get("assigned_to_me")),
            "search": (data.get("search") or "").strip(),
        }

    def query_items(self, *, queue: bool = True) -> list[tuple[str, str]]:
        """The chosen filters as query parameters, defaults left out (for links and for
        remembering them in the session)."""
        data = self.cleaned_data
        items = []
        for name in QUERY_FIELDS:
            if name == "queue" and not queue:
                continue
            value = data.get(name)
            if value in (None, "", False) or (name == "ordering" and value == DEFAULT_ORDERING):
                continue
            if name == "search":
                value = value.strip()
                if not value:
                    continue
            elif name == "assigned_to_me":
                value = "on"
            elif name == "due_before":
                value = value.isoformat()
            items.append((name, str(value)))
        return items

    def query_string(self, *, queue: bool = True) -> str:
        return urlencode(self.query_items(queue=queue))


# --- The workflow steps ---------------------------------------------------------------------


class StepForm(forms.Form):
    """A step with nothing to type: only the status the officer saw."""

    expected_status = forms.TypedChoiceField(
        choices=Status.choices,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("This page is out of date. Reload it and try again.")},
    )

    def __init__(self, *args, dossier=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.dossier = dossier

    def arguments(self) -> dict:
        """The service's own keyword arguments (besides dossier, actor, ip, expected_status)."""
        return {}


def _textarea(rows: int = 3, **attrs) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, **attrs})


def _required(widget: forms.Widget) -> forms.Widget:
    """Announce a field the service requires (the form itself has ``novalidate``)."""
    widget.attrs["required"] = True
    return widget


def _note(label=None, help_text="") -> forms.CharField:
    field = forms.CharField(
        label=label or _("Note"),
        help_text=help_text,
        required=False,
        max_length=4000,
        widget=_textarea(2),
    )
    field.optional = True  # the templates mark it "(optional)"
    return field


class SupplementRequestForm(StepForm):
    items = forms.CharField(
        label=_("Missing or wrong items"),
        help_text=_(
            "One per line. List everything at once: a second request counts against the agency."
        ),
        required=False,
        max_length=20000,
        widget=_required(_textarea(5)),
    )
    note = _note(help_text=_("The citizen reads this too."))

    def arguments(self) -> dict:
        lines = [line.strip() for line in self.cleaned_data["items"].splitlines()]
        return {"items": [line for line in lines if line], "note": self.cleaned_data["note"]}


class RefuseForm(StepForm):
    reason = forms.CharField(
        label=_("Reason for refusing"),
        help_text=_("The citizen reads this reason on the refusal (form 03)."),
        required=False,
        max_length=4000,
        widget=_required(_textarea(3)),
    )

    def arguments(self) -> dict:
        return {"reason": self.cleaned_data["reason"]}


class AssignForm(StepForm):
    officer = forms.ChoiceField(label=_("Officer"), choices=[], required=False)

    def __init__(self, *args, officers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].choices = _blank(_("— Choose —")) + [
            (str(officer.pk), f"{officer.display_name} ({officer.get_duty_display()})")
            for officer in officers
        ]
        if self.dossier is not None and self.dossier.assigned_to_id and not self.is_bound:
            self.initial["officer"] = str(self.dossier.assigned_to_id)

    def arguments(self) -> dict:
        return {"officer_id": self.cleaned_data["officer"] or None}


class TransferForm(StepForm):
    agency = forms.CharField(
        label=_("Unit code of the receiving agency"),
        help_text=_("For example 000.00.12.H57. The dossier keeps its code and its history."),
        required=False,
        max_length=20,
        widget=_required(forms.TextInput(attrs={"autocomplete": "off", "class": "input-short"})),
    )
    note = _note()

    def arguments(self) -> dict:
        return {"agency_code": self.cleaned_data["agency"], "note": self.cleaned_data["note"]}


class LocalDateTimeField(forms.Field):
    """A date and time typed in Vietnam's time (``<input type=datetime-local>`` or
    "dd/mm/yyyy hh:mm"), made aware in Asia/Ho_Chi_Minh."""

    formats = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M")
    default_error_messages = {
        "invalid": _("Enter a date and time, for example 25/11/2026 16:30."),
    }

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value if value.tzinfo else value.replace(tzinfo=LOCAL_TZ)
        text = str(value).strip()
        for fmt in self.formats:
            try:
                return dt.datetime.strptime(text, fmt).replace(tzinfo=LOCAL_TZ)
            except ValueError:
                continue
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")

    def prepare_value(self, value):
        if isinstance(value, dt.datetime):
            return value.astimezone(LOCAL_TZ).strftime("%Y-%m-%dT%H:%M")
        return value


class ApologyForm(StepForm):
    reason = forms.CharField(
        label=_("Reason for the delay"),
        help_text=_("The citizen reads it in the apology letter (form 04)."),
        required=False,
        max_length=4000,
        widget=_required(_textarea(3)),
    )
    new_due_at = LocalDateTimeField(
        label=_("New due date and time"),
        help_text=_("Later than the current due date. A dossier can be re-dated only once."),
        required=False,
        widget=_required(forms.DateTimeInput(attrs={"type": "datetime-local"})),
    )

    def arguments(self) -> dict:
        return {
            "reason": self.cleaned_data["reason"],
            "new_due_at": self.cleaned_data["new_due_at"],
        }


class ApproveForm(StepForm):
    source = forms.ChoiceField(
        label=_("The result"),
        choices=ResultSource.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    result = forms.FileField(
        label=_("Result document (PDF), if you upload it"),
        help_text=_(
            "At most 20 MB. Either way the result is signed with the agency's certificate and "
            "goes to the citizen's document store."
        ),
        required=False,
        widget=forms.FileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        has_template = bool(self.dossier and self.dossier.procedure.result_template.strip())
        if not has_template:  # nothing to generate from: the upload is the only way
            self.fields["source"].choices = [(ResultSource.UPLOADED, ResultSource.UPLOADED.label)]
        if not self.is_bound:
            self.initial["source"] = (
                ResultSource.GENERATED if has_template else ResultSource.UPLOADED
            )

    def arguments(self) -> dict:
        generate = self.cleaned_data["source"] == ResultSource.GENERATED
        return {
            "generate": generate,
            "result_file": None if generate else self.cleaned_data["result"],
        }


class ReturnForm(StepForm):
    method = forms.ChoiceField(
        label=_("How was the result handed over?"),
        choices=Delivery.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    recipient_name = forms.CharField(
        label=_("At the counter: received by"),
        help_text=_("Full name of the citizen or of the person they authorised."),
        required=False,
        max_length=200,
    )
    recipient_id_number = forms.CharField(
        label=_("Their CCCD number"), required=False, max_length=20
    )
    recipient_id_number.optional = True
    postal_address = forms.CharField(
        label=_("By post: address"),
        help_text=_("Leave empty to use the address the citizen gave."),
        required=False,
        max_length=500,
    )
    tracking_number = forms.CharField(
        label=_("By post: tracking number"), required=False, max_length=40
    )
    note = _note()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.dossier is not None and not self.is_bound:
            self.initial["method"] = self.dossier.delivery
            self.initial["postal_address"] = self.dossier.postal_address

    def arguments(self) -> dict:
        return {
            key: self.cleaned_data[key]
            for key in (
                "method",
                "recipient_name",
                "recipient_id_number",
                "postal_address",
                "tracking_number",
                "note",
            )
        }


class PostalUpdateForm(StepForm):
    state = forms.ChoiceField(
        label=_("What did the post office report?"),
        choices=[
            (PostalState.DELIVERED, PostalState.DELIVERED.label),
            (PostalState.FAILED, PostalState.FAILED.label),
        ],
        required=False,
        widget=forms.RadioSelect,
    )
    note = _note()

    def arguments(self) -> dict:
        return {"state": self.cleaned_data["state"], "note": self.cleaned_data["note"]}


class StopForm(StepForm):
    note = _note(help_text=_("For example: the citizen's withdrawal request was checked."))

    def arguments(self) -> dict:
        return {"note": self.cleaned_data["note"]}


STEP_FORMS: dict[str, type[StepForm]] = {
    "receive": StepForm,
    "request_supplement": SupplementRequestForm,
    "refuse": RefuseForm,
    "start": StepForm,
    "assign": AssignForm,
    "transfer": TransferForm,
    "request_payment": StepForm,
    "apologize": ApologyForm,
    "approve": ApproveForm,
    "return": ReturnForm,
    "postal_update": PostalUpdateForm,
    "stop": StopForm,
}


def step_form(action: str, *, dossier, data=None, files=None, officers=()) -> StepForm:
    """The form of ``action`` for ``dossier``; unbound, it carries the dossier's status."""
    form_class = STEP_FORMS[action]
    kwargs = {"dossier": dossier, "prefix": action, "initial": {"expected_status": dossier.status}}
    if form_class is AssignForm:
        kwargs["officers"] = officers
    if data is not None:
        return form_class(data, files, **kwargs)
    return form_class(**kwargs)


# --- Counter and postal intake ----------------------------------------------------------------


class CounterApplicantForm(forms.Form):
    """Who is filing at the counter (or by post): found by CCCD, or their account is made."""

    id_number = forms.CharField(
        label=_("CCCD number"),
        max_length=20,
        help_text=_("12 digits. An existing account with this number is used."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    full_name = forms.CharField(label=_("Full name as on the CCCD"), max_length=150)
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=20,
        required=False,
        help_text=_("The citizen can then log in and follow the dossier online."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    email = forms.EmailField(label=_("Email"), required=False)
    channel = forms.TypedChoiceField(
        label=_("How the dossier arrived"),
        choices=[(1, _("At the counter")), (3, _("By post"))],
        coerce=int,
        initial=1,
        widget=forms.RadioSelect,
    )

    def add_service_errors(self, errors: dict) -> None:
        for key, messages in errors.items():
            for message in messages:
                self.add_error(key if key in self.fields else None, message)
