"""Reads of the catalogue shared by pages, API and later apps."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.text import format_vnd, normalize_search
from procedures import cache
from procedures.constants import Channel
from procedures.fees import FeeQuote, active_discount_rules, fee_quote
from procedures.form_schema import form_schema
from procedures.models import (
    Agency,
    FeeItem,
    Procedure,
    ProcedureVersion,
    RequiredDocument,
    Sector,
)


def today() -> dt.date:
    return timezone.localdate()


def work_calendar():
    """The working-day calendar (holidays and make-up days from the database), from the
    catalogue cache: a holiday edit bumps the generation. Deadlines are computed on every
    officer page and step; the table changes a few times a year."""
    from procedures.workdays import WorkCalendar

    return cache.remember("work-calendar", WorkCalendar.from_db)


def latest_version(procedure: Procedure) -> ProcedureVersion | None:
    """The procedure's current published version (snapshots never change; publishing a new one
    bumps the catalogue generation), from the catalogue cache."""
    return cache.remember(
        f"latest-version:{procedure.pk}",
        lambda: procedure.versions.order_by("-number").first(),
    )


def catalogue_procedures(
    *,
    search: str = "",
    sector: str = "",
    level: str = "",
    service_level: str = "",
    agency: str = "",
) -> QuerySet[Procedure]:
    """Published procedures matching the filters, ready for list rendering (constant queries).

    ``search`` matches code and name, ignoring case and Vietnamese accents; every word must
    appear. ``sector`` and ``agency`` are codes.
    """
    qs = Procedure.objects.filter(published=True)
    for word in normalize_search(search).split(" "):
        if word:
            qs = qs.filter(search_text__contains=word)
    if sector:
        qs = qs.filter(sector__code=sector)
    if level:
        qs = qs.filter(level=level)
    if service_level:
        qs = qs.filter(service_level=service_level)
    if agency:
        qs = qs.filter(agency__code=agency)
    return qs.select_related("sector", "agency").prefetch_related(_current_fee_items())


def _current_fee_items(on_date: dt.date | None = None) -> Prefetch:
    on_date = on_date or today()
    return Prefetch(
        "fee_items",
        queryset=FeeItem.objects.filter(valid_from__lte=on_date)
        .exclude(valid_to__lt=on_date)
        .select_related("category")
        .prefetch_related("exempt_groups")
        .order_by("code"),
    )


def procedure_for_detail(*, code: str) -> Procedure | None:
    """A published procedure with everything its page and API detail show, or None."""
    return (
        Procedure.objects.filter(published=True, code=code)
        .select_related("sector", "agency")
        .prefetch_related(
            _current_fee_items(),
            Prefetch(
                "required_documents", queryset=RequiredDocument.objects.order_by("position", "id")
            ),
            "form_fields",
        )
        .first()
    )


@dataclass(frozen=True)
class FeeSummary:
    """Counter and online price of a procedure today, for lists and the detail page."""

    counter: FeeQuote
    online: FeeQuote | None

    @property
    def free(self) -> bool:
        return self.counter.net == 0

    @property
    def saving(self) -> int:
        return self.counter.net - self.online.net if self.online else 0

    def as_dict(self) -> dict:
        return {
            "counter": self.counter.net,
            "online": self.online.net if self.online else None,
            "free": self.free,
            "text": self.text,
        }

    @property
    def text(self) -> str:
        if self.free:
            return _("Free of charge")
        if self.online and self.online.net != self.counter.net:
            return _("online: %(online)s — at the counter: %(counter)s") % {
                "online": format_vnd(self.online.net),
                "counter": format_vnd(self.counter.net),
            }
        return format_vnd(self.counter.net)


def fee_summaries(
    procedures: list[Procedure], on_date: dt.date | None = None, rules: list | None = None
) -> dict[int, FeeSummary]:
    """Fee summary per procedure id; the rules are loaded once whatever the list length."""
    on_date = on_date or today()
    if rules is None:
        rules = active_discount_rules(on_date)
    summaries = {}
    for procedure in procedures:
        counter = fee_quote(
            procedure=procedure, channel=Channel.COUNTER, on_date=on_date, rules=rules
        )
        online = (
            fee_quote(procedure=procedure, channel=Channel.ONLINE, on_date=on_date, rules=rules)
            if procedure.accepts_online
            else None
        )
        summaries[procedure.pk] = FeeSummary(counter=counter, online=online)
    return summaries


def procedure_form_schema(procedure: Procedure) -> dict:
    return form_schema(_form_field_dicts(procedure))


def _form_field_dicts(procedure: Procedure) -> list[dict]:
    return [
        {
            "key": f.key,
            "label": f.label,
            "label_en": f.label_en,
            "field_type": f.field_type,
            "required": f.required,
            "choices": f.choice_list,
            "help_text": f.help_text,
        }
        for f in procedure.form_fields.all()
    ]


def procedure_snapshot(*, procedure: Procedure) -> dict:
    """Everything a dossier needs to know about the procedure, frozen as plain JSON."""
    return {
        "code": procedure.code,
        "name": procedure.name,
        "name_en": procedure.name_en,
        "sector": procedure.sector.code,
        "level": procedure.level,
        "agency": procedure.agency.code,
        "service_level": procedure.service_level,
        "processing_days": procedure.processing_days,
        "online_processing_days": procedure.online_processing_days,
        "result_type": procedure.result_type,
        "legal_basis": procedure.legal_basis,
        "form_fields": _form_field_dicts(procedure),
        "required_documents": [
            {
                "id": d.pk,
                "name": d.name,
                "name_en": d.name_en,
                "required": d.required,
                "accepted_types": d.accepted_type_list,
                "max_size_mb": d.max_size_mb,
                "reusable": d.reusable,
            }
            for d in procedure.required_documents.order_by("position", "id")
        ],
        "fees": [
            {
                "code": f.code,
                "name": f.name,
                "amount": f.amount,
                "online_amount": f.online_amount,
                "category": f.category.code,
                "valid_from": f.valid_from.isoformat(),
                "valid_to": f.valid_to.isoformat() if f.valid_to else None,
            }
            for f in procedure.fee_items.select_related("category").order_by("code", "valid_from")
        ],
    }


def sectors_with_counts() -> QuerySet[Sector]:
    """Sectors that have published procedures, with how many."""
    return (
        Sector.objects.annotate(count=Count("procedures", filter=Q(procedures__published=True)))
        .filter(count__gt=0)
        .order_by("name")
    )


def agencies_with_procedures() -> QuerySet[Agency]:
    return (
        Agency.objects.filter(active=True, procedures__published=True)
        .distinct()
        .order_by("level", "name")
    )


def online_discount_rules_for(procedure: Procedure, rules: list) -> list:
    """Of ``rules`` (from ``active_discount_rules``), the online ones that reduce a current fee."""
    categories = {item.category_id for item in procedure.fee_items.all()}
    return [
        rule
        for rule in rules
        if rule.channel == Channel.ONLINE
        and (
            any(p.pk == procedure.pk for p in rule.procedures.all())
            or any(c.pk in categories for c in rule.categories.all())
        )
    ]
