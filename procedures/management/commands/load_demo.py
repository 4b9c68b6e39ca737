"""``manage.py load_demo``: the demo catalogue of thành phố Huế, and a demo admin.

Idempotent: rows are matched by their codes (form fields by key, papers by position, fee items by
code and start date) and written only when they differ, so a second run changes nothing and
``procedure_publish`` finds the same content and keeps version 1.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction

from procedures import demo_data
from procedures.models import (
    Agency,
    DiscountRule,
    ExemptGroup,
    FeeCategory,
    FeeItem,
    FormField,
    Procedure,
    RequiredDocument,
    Sector,
)
from procedures.services import procedure_publish

ADMIN_URL = "http://127.0.0.1:8000/admin/"

Stats = defaultdict[str, Counter]
REPORT_ORDER = [
    "agencies",
    "sectors",
    "fee categories",
    "exempt groups",
    "discount rules",
    "procedures",
    "form fields",
    "papers",
    "fee items",
    "versions",
]


def _apply(obj: models.Model, values: dict) -> bool:
    """Set ``values`` on ``obj``; True when anything differed (foreign keys compared by pk)."""
    changed = False
    for name, value in values.items():
        field = obj._meta.get_field(name)
        if field.many_to_one:
            current = getattr(obj, field.attname)
            new = value.pk if value is not None else None
        else:
            current = getattr(obj, name)
            new = value
        if current != new:
            setattr(obj, name, value)
            changed = True
    return changed


def _write(
    obj: models.Model | None, model: type[models.Model], values: dict, stats: Stats, label: str
) -> models.Model:
    """Create ``model(**values)`` when ``obj`` is None, else update ``obj`` if it differs."""
    if obj is None:
        obj = model(**values)
        status = "created"
    elif _apply(obj, values):
        status = "updated"
    else:
        stats[label]["unchanged"] += 1
        return obj
    non_editable = [f.name for f in model._meta.concrete_fields if not f.editable]
    obj.full_clean(exclude=non_editable)
    obj.save()
    stats[label][status] += 1
    return obj


def _upsert(model: type[models.Model], key: dict, values: dict, stats: Stats, label: str):
    return _write(model.objects.filter(**key).first(), model, {**key, **values}, stats, label)


def _set_m2m(manager, wanted: list[models.Model]) -> bool:
    wanted_pks = {obj.pk for obj in wanted}
    if set(manager.values_list("pk", flat=True)) == wanted_pks:
        return False
    manager.set(wanted)
    return True


class Command(BaseCommand):
    help = (
        "Load the demo catalogue of thành phố Huế (agencies, sectors, 14 procedures with forms, "
        "papers and fees, the 40% online discount) and a demo admin. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-admin", action="store_true", help="Do not create the demo admin account."
        )
        parser.add_argument(
            "--reset-admin-password",
            action="store_true",
            help="Set the demo admin's password back to the published demo password.",
        )

    def handle(self, *args, **options):
        with_admin = not options["no_admin"]
        if with_admin and settings.PRODUCTION:
            raise CommandError(
                "Refusing to create an admin with a published password in production; "
                "run with --no-admin."
            )
        stats: Stats = defaultdict(Counter)
        with transaction.atomic():
            procedures = self._load_catalogue(stats)
            admin_status = self._ensure_admin(options["reset_admin_password"]) if with_admin else ""
        self._report(stats, procedures, admin_status)

    # --- catalogue ------------------------------------------------------------------------

    def _load_catalogue(self, stats: Stats) -> list[Procedure]:
        agencies: dict[str, Agency] = {}
        for data in demo_data.AGENCIES:
            values = {k: v for k, v in data.items() if k not in ("code", "parent")}
            values.setdefault("is_one_stop_centre", False)
            values.setdefault("phone", "")
            values["active"] = True
            values["parent"] = agencies[data["parent"]] if data["parent"] else None
            agencies[data["code"]] = _upsert(
                Agency, {"code": data["code"]}, values, stats, "agencies"
            )

        sectors = {
            code: _upsert(Sector, {"code": code}, {"name": name, "name_en": en}, stats, "sectors")
            for code, name, en in demo_data.SECTORS
        }
        categories = {
            code: _upsert(
                FeeCategory, {"code": code}, {"name": name, "name_en": en}, stats, "fee categories"
            )
            for code, name, en in demo_data.FEE_CATEGORIES
        }
        groups = {
            code: _upsert(
                ExemptGroup, {"code": code}, {"name": name, "name_en": en}, stats, "exempt groups"
            )
            for code, name, en in demo_data.EXEMPT_GROUPS
        }

        rule_data = demo_data.DISCOUNT_RULE
        rule = _upsert(
            DiscountRule,
            {"name": rule_data["name"]},
            {
                "legal_basis": rule_data["legal_basis"],
                "percent": rule_data["percent"],
                "channel": rule_data["channel"],
                "valid_from": rule_data["valid_from"],
                "valid_to": rule_data["valid_to"],
                "active": True,
            },
            stats,
            "discount rules",
        )
        if _set_m2m(rule.categories, [categories[c] for c in rule_data["categories"]]):
            stats["discount rules"]["categories set"] += 1

        procedures = []
        for data in demo_data.PROCEDURES:
            procedure = self._load_procedure(data, agencies, sectors, categories, groups, stats)
            latest = procedure.versions.order_by("-number").first()
            version = procedure_publish(procedure=procedure, note="load_demo")
            stats["versions"][
                "created" if latest is None or version.pk != latest.pk else "kept"
            ] += 1
            procedures.append(procedure)
        return procedures

    def _load_procedure(self, data, agencies, sectors, categories, groups, stats) -> Procedure:
        values = {
            k: v
            for k, v in data.items()
            if k not in ("code", "form_fields", "papers", "fees", "sector", "agency")
        }
        values["sector"] = sectors[data["sector"]]
        values["agency"] = agencies[data["agency"]]
        procedure = _upsert(Procedure, {"code": data["code"]}, values, stats, "procedures")

        existing_fields = {f.key: f for f in procedure.form_fields.all()}
        for position, field in enumerate(data["form_fields"]):
            _write(
                existing_fields.pop(field["key"], None),
                FormField,
                {**field, "procedure": procedure, "position": position},
                stats,
                "form fields",
            )
        for stale in existing_fields.values():
            stale.delete()
            stats["form fields"]["deleted"] += 1

        # Papers have no code; match them by position so their ids (kept in snapshots) stay.
        existing_papers = list(procedure.required_documents.order_by("position", "id"))
        by_position = {}
        for paper in existing_papers:
            by_position.setdefault(paper.position, paper)
        kept = set()
        for position, paper in enumerate(data["papers"]):
            obj = _write(
                by_position.get(position),
                RequiredDocument,
                {**paper, "procedure": procedure, "position": position},
                stats,
                "papers",
            )
            kept.add(obj.pk)
        for paper in existing_papers:
            if paper.pk not in kept:
                paper.delete()
                stats["papers"]["deleted"] += 1

        existing_fees = {(f.code, f.valid_from): f for f in procedure.fee_items.all()}
        for fee in data["fees"]:
            values = {k: v for k, v in fee.items() if k not in ("category", "exempt_groups")}
            values.update(procedure=procedure, category=categories[fee["category"]])
            item = _write(
                existing_fees.pop((fee["code"], fee["valid_from"]), None),
                FeeItem,
                values,
                stats,
                "fee items",
            )
            if _set_m2m(item.exempt_groups, [groups[g] for g in fee["exempt_groups"]]):
                stats["fee items"]["exemptions set"] += 1
        for stale in existing_fees.values():
            stale.delete()
            stats["fee items"]["deleted"] += 1
        return procedure

    # --- admin ----------------------------------------------------------------------------

    def _ensure_admin(self, reset_password: bool) -> str:
        User = get_user_model()
        user = User.objects.filter(email=demo_data.DEMO_ADMIN_EMAIL).first()
        if user is None:
            User.objects.create_superuser(
                email=demo_data.DEMO_ADMIN_EMAIL,
                password=demo_data.DEMO_ADMIN_PASSWORD,
                full_name=demo_data.DEMO_ADMIN_NAME,
            )
            return "created"
        if reset_password:
            user.set_password(demo_data.DEMO_ADMIN_PASSWORD)
            user.save(update_fields=["password"])
            return "password reset"
        return "existing"

    # --- report ---------------------------------------------------------------------------

    def _report(self, stats: Stats, procedures: list[Procedure], admin_status: str) -> None:
        self.stdout.write(f"Demo catalogue of thành phố Huế: {len(procedures)} procedures.")
        order = [*REPORT_ORDER, *(label for label in stats if label not in REPORT_ORDER)]
        for label in order:
            counts = stats.get(label)
            if not counts:
                continue
            detail = ", ".join(f"{n} {what}" for what, n in counts.items() if n)
            self.stdout.write(f"  {label:<15} {detail}")
        if not admin_status:
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo admin: {demo_data.DEMO_ADMIN_EMAIL} / {demo_data.DEMO_ADMIN_PASSWORD}"
                f" — {ADMIN_URL}"
            )
        )
        if admin_status == "existing":
            self.stdout.write(
                "  (the account already existed and its password was left unchanged; "
                "run with --reset-admin-password to restore the demo password)"
            )
        elif admin_status == "password reset":
            self.stdout.write("  (the account already existed; its password was reset)")
