"""``manage.py generate_dossiers --count N [--agency CODE]``: synthetic dossiers for load tests.

Fast and direct: rows are written with ``bulk_create`` in batches (one transaction each), not
through the services, and carry no papers, history events or files. What the officers' queues
read is realistic: a mix of statuses by age (recent dossiers still new or in progress, older ones
mostly returned), channels, procedures of the demo catalogue, applicants with valid CCCDs, and due
dates from the working-day calendar, so some are overdue and some due soon.

Codes follow ``<agency>-<YYMMDD>-<nnnn>`` and continue each agency's daily counter
(``DailySequence``), which is moved past the numbers used, so they never clash with each other
nor with dossiers submitted later. Run it on a database nobody is submitting to at the same time.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
import uuid
from collections import Counter, defaultdict

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.constants import Duty, Role, Sex
from accounts.identity import PROVINCE_CODES
from accounts.models import User
from dossiers.constants import Delivery, FeeState, Status
from dossiers.models import DailySequence, Dossier
from procedures.constants import Channel, FieldType, ServiceLevel
from procedures.fees import fee_quote
from procedures.models import Agency, Procedure
from procedures.selectors import latest_version
from procedures.workdays import WorkCalendar

APPLICANT_DOMAIN = "synthetic.demo.dichvucong.vn"
# Each agency gets at most about this many dossiers a day; the history is made long enough.
PER_AGENCY_DAY = 1_500
MIN_DAYS = 30

FAMILY = [
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
    "Hồ", "Ngô", "Dương", "Lý", "Tôn Thất", "Nguyễn Phước", "Trương", "Đinh",
]  # fmt: skip
MIDDLE_MALE = ["Văn", "Hữu", "Đức", "Minh", "Quang", "Thanh", "Công", "Gia", "Bảo", "Xuân"]
MIDDLE_FEMALE = ["Thị", "Ngọc", "Thu", "Minh", "Thanh", "Bảo", "Mỹ", "Kim", "Phương", "Hồng"]
GIVEN_MALE = [
    "An", "Bình", "Cường", "Dũng", "Hải", "Hiếu", "Hùng", "Khánh", "Long", "Minh", "Nam",
    "Phong", "Phúc", "Quân", "Sơn", "Tâm", "Thắng", "Trung", "Tuấn", "Vinh",
]  # fmt: skip
GIVEN_FEMALE = [
    "Anh", "Châu", "Giang", "Hà", "Hạnh", "Hoa", "Hương", "Lan", "Linh", "Mai", "Ngân",
    "Nhung", "Quỳnh", "Thảo", "Trang", "Uyên", "Vy", "Yến", "Diệp", "Loan",
]  # fmt: skip
STREETS = ["Lê Lợi", "Hùng Vương", "Nguyễn Huệ", "Trần Hưng Đạo", "Chi Lăng", "Đống Đa"]
WARDS = ["phường Thuận Hóa", "phường Phú Xuân", "xã Phú Vinh", "phường Kim Long"]

# Where a received dossier stands, by whether its due date has passed (weights). Most late ones
# are finished; a few are still open (the overdue queue). Before the due date most are open.
S = Status
PAST_DUE = {
    S.RETURNED: 88, S.PROCESSED: 3, S.STOPPED: 3, S.PROCESSING: 2.5, S.SUPPLEMENT: 2,
    S.AWAITING_PAYMENT: 0.5, S.RECEIVED: 0.5, S.WITHDRAWAL: 0.5,
}  # fmt: skip
BEFORE_DUE = {
    S.RECEIVED: 20, S.PROCESSING: 45, S.SUPPLEMENT: 8, S.AWAITING_PAYMENT: 5, S.PROCESSED: 7,
    S.RETURNED: 12, S.WITHDRAWAL: 2, S.STOPPED: 1,
}  # fmt: skip
REFUSED_SHARE = 0.04  # not accepted at intake
CHANNELS = {Channel.ONLINE: 60, Channel.COUNTER: 33, Channel.POSTAL: 7}
LATE_SHARE = 0.12  # of the finished dossiers whose due date has passed: finished late


class Command(BaseCommand):
    help = (
        "Make N synthetic dossiers (submitted, received, in progress, finished…) for load tests, "
        "with bulk inserts; no papers or history. Needs the demo catalogue (load_demo)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, required=True, help="How many dossiers.")
        parser.add_argument(
            "--agency",
            default="",
            help="Unit code of one agency: its procedures only (default: every agency).",
        )
        parser.add_argument("--batch-size", type=int, default=5_000)
        parser.add_argument(
            "--days",
            type=int,
            default=0,
            help="Spread submissions over this many past days (default: from the count).",
        )
        parser.add_argument("--seed", type=int, default=None, help="Random seed (repeatable).")

    def handle(self, *args, count: int, agency: str, batch_size: int, days: int, seed, **options):
        if settings.PRODUCTION:
            raise CommandError("Refusing to write synthetic dossiers in production.")
        if count < 1 or batch_size < 1:
            raise CommandError("--count and --batch-size must be positive.")
        self.rng = random.Random(seed)
        self.calendar = WorkCalendar.from_db()
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        self.soon = self.calendar.add_working_days(self.now, 1)
        procedures = self._procedures(agency)
        agencies = {p.agency_id for p in procedures}
        if days <= 0:
            days = max(MIN_DAYS, math.ceil(count / (len(agencies) * PER_AGENCY_DAY)))
        self._prepare(procedures, agencies, count)

        started = time.monotonic()
        self.stats: Counter = Counter()
        batch: list[Dossier] = []
        written = 0
        for row in self._rows(procedures, count, days):
            batch.append(row)
            if len(batch) >= batch_size:
                written += self._flush(batch)
                batch = []
                if written % (batch_size * 20) == 0:
                    self.stdout.write(
                        f"  {written:,} / {count:,} ({time.monotonic() - started:.0f} s)"
                    )
        if batch:
            written += self._flush(batch)
        self._report(written, days, len(agencies), time.monotonic() - started)

    # --- inputs ---------------------------------------------------------------------------

    def _procedures(self, agency_code: str) -> list[Procedure]:
        procedures = Procedure.objects.select_related("agency").filter(published=True)
        if agency_code:
            agency = Agency.objects.filter(code=agency_code).first()
            if agency is None:
                raise CommandError(f"No agency has the unit code {agency_code}.")
            procedures = procedures.filter(agency=agency)
            if not procedures.exists():
                raise CommandError(
                    f"{agency.name} ({agency_code}) has no published procedures. The one-stop "
                    "centre's queues show every agency's dossiers: run without --agency."
                )
        procedures = list(procedures.order_by("code"))
        if not procedures:
            raise CommandError("No published procedures: run `python manage.py load_demo` first.")
        return procedures

    def _prepare(self, procedures: list[Procedure], agencies: set[int], count: int) -> None:
        self.versions = {p.pk: latest_version(p) for p in procedures}
        self.fees = {}
        for procedure in procedures:
            for channel in Channel.values:
                quote = fee_quote(procedure=procedure, channel=channel, on_date=self.today)
                self.fees[procedure.pk, channel] = (quote.as_dict(), quote.net)
        self.templates = {p.pk: self._form_template(self.versions[p.pk]) for p in procedures}
        self.officers: dict[int, list[int]] = defaultdict(list)
        for pk, agency_id in User.objects.filter(
            role=Role.OFFICER,
            agency_id__in=agencies,
            duty__in=[Duty.SPECIALIST, Duty.LEADER],
            is_active=True,
        ).values_list("pk", "agency_id"):
            self.officers[agency_id].append(pk)
        self.applicants = self._applicants(min(max(count // 25, 20), 40_000))
        self.sequences = {
            (agency_id, day): last
            for agency_id, day, last in DailySequence.objects.filter(
                agency_id__in=agencies
            ).values_list("agency_id", "day", "last")
        }
        self.touched: set[tuple[int, dt.date]] = set()

    @staticmethod
    def _form_template(version) -> dict:
        values = {
            FieldType.TEXT: "Dữ liệu mẫu",
            FieldType.NUMBER: 1,
            FieldType.DATE: "2024-01-15",
            FieldType.PHONE: "0905123456",
            FieldType.EMAIL: "nguoidan@example.vn",
            FieldType.ADDRESS: "Thành phố Huế",
            FieldType.CHECKBOX: True,
        }
        template = {}
        for field in version.snapshot["form_fields"]:
            kind = field["field_type"]
            if kind == FieldType.CHOICE:
                template[field["key"]] = (field.get("choices") or [""])[0]
            elif kind != FieldType.CCCD:
                template[field["key"]] = values.get(kind, "Dữ liệu mẫu")
        return template

    def _applicants(self, size: int) -> list[tuple[int, str, str]]:
        """``size`` synthetic citizens (made once, reused by later runs): (pk, name, CCCD)."""
        existing = list(
            User.objects.filter(email__endswith=f"@{APPLICANT_DOMAIN}")
            .order_by("pk")
            .values_list("pk", "full_name", "id_number")[:size]
        )
        missing = size - len(existing)
        if missing > 0:
            start = User.objects.filter(email__endswith=f"@{APPLICANT_DOMAIN}").count()
            people = [self._person(start + i) for i in range(missing)]
            taken = set(
                User.objects.filter(id_number__in=[p["id_number"] for p in people]).values_list(
                    "id_number", flat=True
                )
            )
            unusable = make_password(None)
            users = []
            for person in people:
                if person["id_number"] in taken:
                    person["id_number"] = None
                users.append(User(**person, role=Role.CITIZEN, password=unusable))
            User.objects.bulk_create(users, batch_size=5_000)
            existing = list(
                User.objects.filter(email__endswith=f"@{APPLICANT_DOMAIN}")
                .order_by("pk")
                .values_list("pk", "full_name", "id_number")[:size]
            )
        return existing

    def _person(self, number: int) -> dict:
        """A citizen with a valid CCCD for the birth date and sex (unique by ``number``)."""
        rng = random.Random(number)
        male = rng.random() < 0.5
        birth = dt.date(rng.randint(1950, 2005), rng.randint(1, 12), rng.randint(1, 28))
        century_digit = (0 if birth.year < 2000 else 2) + (0 if male else 1)
        province = "046" if rng.random() < 0.7 else rng.choice(sorted(PROVINCE_CODES))
        id_number = f"{province}{century_digit}{birth.year % 100:02d}{number % 1_000_000:06d}"
        name = " ".join(
            [
                rng.choice(FAMILY),
                rng.choice(MIDDLE_MALE if male else MIDDLE_FEMALE),
                rng.choice(GIVEN_MALE if male else GIVEN_FEMALE),
            ]
        )
        return {
            "email": f"congdan.{number:07d}@{APPLICANT_DOMAIN}",
            "full_name": name,
            "id_number": id_number,
            "birth_date": birth,
            "sex": Sex.MALE if male else Sex.FEMALE,
            "address": f"{rng.randint(1, 200)} {rng.choice(STREETS)}, {rng.choice(WARDS)}, "
            "thành phố Huế",
        }

    # --- rows -----------------------------------------------------------------------------

    def _rows(self, procedures: list[Procedure], count: int, days: int):
        """Dossiers day by day, oldest first, numbered in submission order per agency."""
        weights = []
        first = self.today - dt.timedelta(days=days - 1)
        for offset in range(days):
            day = first + dt.timedelta(days=offset)
            weights.append(1.0 if self.calendar.is_working_day(day) else 0.15)
        total = sum(weights)
        per_day = [int(count * w / total) for w in weights]
        for i in range(count - sum(per_day)):  # the remainder, most recent days first
            per_day[-1 - i % days] += 1
        for offset, day_count in enumerate(per_day):
            day = first + dt.timedelta(days=offset)
            rows = [self._row(procedures, day) for _ in range(day_count)]
            rows.sort(key=lambda r: r.submitted_at)
            for row in rows:
                key = (row.agency_id, day)
                number = self.sequences.get(key, 0) + 1
                self.sequences[key] = number
                self.touched.add(key)
                row.code = f"{row._agency_code}-{day:%y%m%d}-{number:04d}"
                yield row

    def _row(self, procedures: list[Procedure], day: dt.date) -> Dossier:
        rng = self.rng
        procedure = rng.choice(procedures)
        channel = rng.choices(list(CHANNELS), weights=list(CHANNELS.values()))[0]
        if procedure.service_level == ServiceLevel.OFFLINE and channel == Channel.ONLINE:
            channel = Channel.COUNTER
        working = self.calendar.is_working_day(day)
        if channel != Channel.ONLINE and not working:
            channel = Channel.ONLINE  # counters are closed: only online filings that day
        submitted = self._moment(day, office=channel != Channel.ONLINE)
        applicant_pk, name, id_number = rng.choice(self.applicants)
        fee, fee_net = self.fees[procedure.pk, channel]
        delivery = {
            Channel.ONLINE: Delivery.ONLINE,
            Channel.COUNTER: Delivery.COUNTER,
            Channel.POSTAL: Delivery.POSTAL,
        }[channel]
        form = dict(self.templates[procedure.pk])
        for field in self.versions[procedure.pk].snapshot["form_fields"]:
            if field["field_type"] == FieldType.CCCD and id_number:
                form[field["key"]] = id_number
        dossier = Dossier(
            id=uuid.uuid4(),
            applicant_id=applicant_pk,
            procedure_id=procedure.pk,
            version_id=self.versions[procedure.pk].pk,
            agency_id=procedure.agency_id,
            channel=channel,
            form_data=form,
            delivery=delivery,
            postal_address="Bưu điện trung tâm Huế" if delivery == Delivery.POSTAL else "",
            fee=fee,
            fee_net=fee_net,
            submitted_at=submitted,
        )
        dossier._agency_code = procedure.agency.code
        self._apply_status(dossier, procedure)
        self._apply_fee_state(dossier)
        return dossier

    def _apply_fee_state(self, dossier: Dossier) -> None:
        """A fee is owed until paid: paid once the result is ready, and often before; most
        online filers pay online, counter filers at the counter."""
        if not dossier.fee_net:
            return
        if dossier.status in (Status.REFUSED, Status.STOPPED):  # closed unpaid: nothing owed
            dossier.fee_state = FeeState.CANCELLED
            return
        dossier.fee_state = FeeState.DUE
        paid = dossier.status in (Status.PROCESSED, Status.RETURNED) or (
            dossier.status not in (Status.SUBMITTED, Status.AWAITING_PAYMENT)
            and self.rng.random() < 0.5
        )
        if paid:
            online = dossier.channel == Channel.ONLINE and self.rng.random() < 0.8
            dossier.fee_state = FeeState.PAID
            dossier.fee_paid_channel = Channel.ONLINE if online else Channel.COUNTER
            dossier.fee_paid_at = dossier.received_at or dossier.submitted_at

    def _moment(self, day: dt.date, *, office: bool) -> dt.datetime:
        """A time on ``day``: in office hours for the counter and post, any time online; never
        in the future."""
        if office:
            minutes = self.rng.randint(7 * 60, 17 * 60 - 1)
        else:
            minutes = self.rng.randint(0, 24 * 60 - 1)
        moment = dt.datetime.combine(day, dt.time(), tzinfo=self.calendar.tz) + dt.timedelta(
            minutes=minutes, seconds=self.rng.randint(0, 59)
        )
        if moment > self.now:
            moment = self.now - dt.timedelta(seconds=self.rng.randint(1, 3_600))
            if timezone.localdate(moment) != day:
                moment = dt.datetime.combine(day, dt.time(0, 1), tzinfo=self.calendar.tz)
        return moment

    def _apply_status(self, dossier: Dossier, procedure: Procedure) -> None:
        """Intake first (refused, waiting or received), then where a received dossier stands;
        every time stays in the past."""
        rng, calendar, now = self.rng, self.calendar, self.now
        submitted = dossier.submitted_at
        if rng.random() < REFUSED_SHARE:
            dossier.status = Status.REFUSED
            dossier.finished_at = min(now, calendar.add_working_hours(submitted, rng.uniform(0, 4)))
            return
        received = (
            submitted
            if dossier.channel == Channel.COUNTER
            else calendar.add_working_hours(submitted, rng.uniform(0.2, 8))
        )
        if received > now:
            dossier.status = Status.SUBMITTED
            return
        days = (
            procedure.effective_online_days
            if dossier.channel == Channel.ONLINE
            else procedure.processing_days
        )
        due = calendar.due_at(received, days)
        dossier.received_at, dossier.due_at = received, due
        mix = PAST_DUE if due < now else BEFORE_DUE
        status = rng.choices(list(mix), weights=list(mix.values()))[0]
        if status == Status.AWAITING_PAYMENT and not dossier.fee_net:
            status = Status.PROCESSING
        if status == Status.SUPPLEMENT:
            paused = calendar.add_working_hours(received, rng.uniform(0.5, 8))
            if paused > now:
                status = Status.RECEIVED
            else:
                dossier.paused_since = paused
                dossier.supplement_requests = 2 if rng.random() < 0.1 else 1
        if status in (Status.RETURNED, Status.STOPPED):
            if due < now and rng.random() < LATE_SHARE:
                finished = due + (now - due) * rng.random()
            else:
                finished = received + (min(due, now) - received) * rng.random()
            dossier.finished_at = max(finished, received)
        if status in (Status.PROCESSING, Status.SUPPLEMENT, Status.PROCESSED, Status.RETURNED):
            officers = self.officers.get(dossier.agency_id)
            if officers and rng.random() < 0.8:
                dossier.assigned_to_id = rng.choice(officers)
        dossier.status = status

    # --- writing --------------------------------------------------------------------------

    def _flush(self, batch: list[Dossier]) -> int:
        sequences = [
            DailySequence(agency_id=agency_id, day=day, last=self.sequences[agency_id, day])
            for agency_id, day in self.touched
        ]
        with transaction.atomic():
            Dossier.objects.bulk_create(batch)
            DailySequence.objects.bulk_create(
                sequences,
                update_conflicts=True,
                unique_fields=["agency", "day"],
                update_fields=["last"],
            )
        self.touched = set()
        for dossier in batch:
            self.stats[dossier.status] += 1
            if dossier.status in (Status.RECEIVED, Status.PROCESSING, Status.AWAITING_PAYMENT):
                if dossier.due_at < self.now:
                    self.stats["overdue"] += 1
                elif dossier.due_at < self.soon:
                    self.stats["due soon"] += 1
        return len(batch)

    def _report(self, written: int, days: int, agencies: int, seconds: float) -> None:
        mix = ", ".join(
            f"{Status(code).label} {self.stats[code]:,}"
            for code in sorted(k for k in self.stats if isinstance(k, int))
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"{written:,} dossiers over {days} days at {agencies} agencies in {seconds:.1f} s "
                f"({len(self.applicants):,} applicants)."
            )
        )
        self.stdout.write(f"  {mix}")
        self.stdout.write(
            f"  running: {self.stats['overdue']:,} overdue, {self.stats['due soon']:,} due soon"
        )
