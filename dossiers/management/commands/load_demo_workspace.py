"""``manage.py load_demo_workspace``: demo officers, demo citizens and demo dossiers in every
status, on top of ``load_demo``'s catalogue, so a newcomer can try both sides of the counter.

* Officers (an intake officer, a specialist and a leader each) for UBND phường Thuận Hóa (the
  commune of the birth registration every demo starts with), Sở Tư pháp (the department of
  justice: civil status, authentication and judicial records, most of the demo catalogue) and the
  city's one-stop centre (which receives for every agency of Huế). One published password, and
  two-factor log-in already on with one published TOTP secret: ``manage.py totp_code <email>``
  prints the current code.
* Two citizens with valid CCCDs, and about two dozen dossiers of theirs in every status 1–10.

Every dossier is built through the real services: the citizen's draft, papers (small generated
PDFs) and submission, or counter intake by an officer; then the officers' workflow steps. Every
status 1–10 is reached that way; nothing is written to a dossier directly. Codes, events, due
dates, issued forms and the paused clock are therefore what the portal itself makes. The
steps are replayed at past office hours (Django's clock points at each step's time while it
runs), so the history reads like the last three weeks and some dossiers are overdue or due soon.

Idempotent: accounts are matched by email and only rewritten where they differ from the demo;
the dossiers are built once, when the demo citizens have none (``--reset-dossiers`` rebuilds
them).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import unicodedata
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from unittest import mock

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import PROTECT, FileField, ProtectedError
from django.test.utils import override_settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.constants import Duty, Role, Sex
from accounts.identity import cccd_errors
from accounts.management.commands.totp_code import DEMO_TOTP_SECRET, has_demo_secret
from accounts.models import User
from dossiers import services, workflow
from dossiers.constants import Delivery, Status
from dossiers.models import Dossier, DossierEvent, StoredDocument
from portal import pdf as portal_pdf
from portal.errors import DomainError
from procedures import demo_data
from procedures.constants import Channel
from procedures.models import Agency, Procedure
from procedures.workdays import WorkCalendar

DEMO_PASSWORD = "DemoHue@2026"  # noqa: S105  (published demo credential, never production)
DEMO_DOMAIN = "demo.dichvucong.vn"
SITE = "http://127.0.0.1:8000"

COMMUNE, DEPARTMENT, CENTRE = "commune", "department", "centre"
# The demo agencies: key, unit code (procedures/demo_data.py), slug of the officers' emails.
AGENCIES = {
    COMMUNE: (demo_data.THUAN_HOA, "thuan-hoa"),
    DEPARTMENT: (demo_data.SO_TU_PHAP, "so-tu-phap"),
    CENTRE: ("000.00.01.H57", "trung-tam-hcc"),
}
EMAIL_PREFIX = {Duty.INTAKE: "tiepnhan", Duty.SPECIALIST: "chuyenvien", Duty.LEADER: "lanhdao"}
OFFICERS = [
    (COMMUNE, Duty.INTAKE, "Trần Thị Thu Hà"),
    (COMMUNE, Duty.SPECIALIST, "Lê Văn Minh"),
    (COMMUNE, Duty.LEADER, "Nguyễn Hữu Phước"),
    (DEPARTMENT, Duty.INTAKE, "Phan Thị Mỹ Linh"),
    (DEPARTMENT, Duty.SPECIALIST, "Hoàng Đức Tâm"),
    (DEPARTMENT, Duty.LEADER, "Võ Thị Hồng Nhung"),
    (CENTRE, Duty.INTAKE, "Đặng Ngọc Ánh"),
    (CENTRE, Duty.SPECIALIST, "Bùi Quang Huy"),
    (CENTRE, Duty.LEADER, "Tôn Thất Bảo"),
]

AN, HOA = "an", "hoa"
# CCCD: 046 (Thừa Thiên Huế) + century/sex digit (0 man, 1 woman, born 19xx) + year + 6 digits.
CITIZENS = {
    AN: {
        "email": f"congdan.an@{DEMO_DOMAIN}",
        "full_name": "Nguyễn Văn An",
        "id_number": "046090123456",
        "birth_date": dt.date(1990, 5, 12),
        "sex": Sex.MALE,
        "address": "25 Nguyễn Huệ, phường Thuận Hóa, thành phố Huế",
    },
    HOA: {
        "email": f"congdan.hoa@{DEMO_DOMAIN}",
        "full_name": "Lê Thị Hoa",
        "id_number": "046195654321",
        "birth_date": dt.date(1995, 8, 20),
        "sex": Sex.FEMALE,
        "address": "47 Chi Lăng, phường Phú Xuân, thành phố Huế",
    },
}

BIRTH, MARITAL, SIGNATURE = "1.001193", "1.004873", "2.000884"  # phường Thuận Hóa
JUDICIAL = "2.001417"  # Sở Tư pháp
EXTRACT, BUILDING = "2.000635", "1.009994"  # phường Phú Xuân (no demo officers: the centre's)


def email_of(agency_key: str, duty: str) -> str:
    return f"{EMAIL_PREFIX[duty]}.{AGENCIES[agency_key][1]}@{DEMO_DOMAIN}"


# --- the demo dossiers ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One step of a dossier's history. ``days_ago``: working days before today (None: now);
    ``by``: ``(agency key, duty)`` of the officer, or None for the citizen."""

    days_ago: int | None
    time: str
    action: str
    by: tuple[str, str] | None = None
    data: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Scenario:
    label: str
    citizen: str
    procedure: str
    form: dict
    steps: list[Step]
    delivery: str = Delivery.ONLINE
    postal_address: str = ""


C_INTAKE, C_SPECIALIST, C_LEADER = (
    (COMMUNE, Duty.INTAKE),
    (COMMUNE, Duty.SPECIALIST),
    (COMMUNE, Duty.LEADER),
)
D_INTAKE, D_SPECIALIST, D_LEADER = (
    (DEPARTMENT, Duty.INTAKE),
    (DEPARTMENT, Duty.SPECIALIST),
    (DEPARTMENT, Duty.LEADER),
)
X_INTAKE = (CENTRE, Duty.INTAKE)


def _days_back(days: int) -> str:
    return (timezone.localdate() - dt.timedelta(days=days)).isoformat()


def birth_form(parent: str) -> dict:
    if parent == AN:
        return {
            "ho_ten_tre": "Nguyễn Gia Bảo",
            "ngay_sinh": _days_back(9),
            "gioi_tinh": "Nam",
            "noi_sinh": "Bệnh viện Trung ương Huế, 16 Lê Lợi, phường Thuận Hóa, thành phố Huế",
            "quoc_tich": "Việt Nam",
            "ho_ten_me": "Phạm Thị Lan",
            "cccd_me": "046193876543",
            "ho_ten_cha": "Nguyễn Văn An",
            "cccd_cha": CITIZENS[AN]["id_number"],
            "quan_he_nguoi_di_dang_ky": "Cha",
        }
    return {
        "ho_ten_tre": "Trần Minh Khang",
        "ngay_sinh": _days_back(30),
        "gioi_tinh": "Nam",
        "noi_sinh": "Bệnh viện Đại học Y Dược Huế, 41 Nguyễn Huệ, phường Thuận Hóa, thành phố Huế",
        "quoc_tich": "Việt Nam",
        "ho_ten_me": "Lê Thị Hoa",
        "cccd_me": CITIZENS[HOA]["id_number"],
        "ho_ten_cha": "Trần Văn Bình",
        "cccd_cha": "046092345678",
        "quan_he_nguoi_di_dang_ky": "Mẹ",
    }


def marital_form(citizen: str, purpose: str, status: str = "Đang có vợ hoặc chồng") -> dict:
    person = CITIZENS[citizen]
    return {
        "ho_ten": person["full_name"],
        "ngay_sinh": person["birth_date"].isoformat(),
        "cccd": person["id_number"],
        "noi_cu_tru": person["address"],
        "tinh_trang_hon_nhan": status,
        "muc_dich_su_dung": purpose,
        "noi_su_dung": "Ngân hàng TMCP Ngoại thương Việt Nam, chi nhánh Huế",
    }


def judicial_form(citizen: str, purpose: str = "Bổ sung hồ sơ xin việc") -> dict:
    person = CITIZENS[citizen]
    return {
        "ho_ten": person["full_name"],
        "ngay_sinh": person["birth_date"].isoformat(),
        "gioi_tinh": "Nam" if person["sex"] == Sex.MALE else "Nữ",
        "cccd": person["id_number"],
        "noi_cu_tru": person["address"],
        "loai_phieu": "Phiếu số 1",
        "muc_dich": purpose,
        "so_luong_phieu": 1,
        "so_dien_thoai": "0905123456" if citizen == AN else "0935246810",
    }


SIGNATURE_FORM = {
    "ho_ten": CITIZENS[AN]["full_name"],
    "cccd": CITIZENS[AN]["id_number"],
    "ten_van_ban": "Giấy ủy quyền nhận lương hưu thay",
    "so_ban": 2,
}
EXTRACT_FORM = {
    "ho_ten_nguoi_yeu_cau": CITIZENS[HOA]["full_name"],
    "cccd_nguoi_yeu_cau": CITIZENS[HOA]["id_number"],
    "loai_trich_luc": "Kết hôn",
    "ho_ten_nguoi_duoc_cap": CITIZENS[HOA]["full_name"],
    "noi_dang_ky": "UBND phường Phú Xuân",
    "so_ban": 2,
}
BUILDING_FORM = {
    "ho_ten_chu_dau_tu": CITIZENS[AN]["full_name"],
    "cccd": CITIZENS[AN]["id_number"],
    "so_dien_thoai": "0905123456",
    "dia_diem_xay_dung": "Kiệt 12 Đống Đa, phường Phú Xuân, thành phố Huế",
    "so_thua_dat": "Thửa 215, tờ bản đồ số 9",
    "dien_tich_xay_dung": 72,
    "so_tang": 3,
    "tong_dien_tich_san": 210,
}


def scenarios() -> list[Scenario]:
    """About two dozen dossiers, two or three in every status 1–10, each with its history."""
    S = Step
    return [
        # --- 1 submitted online: the intake queues ("new") ---
        Scenario(
            "khai sinh mới nộp",
            AN,
            BIRTH,
            birth_form(AN),
            [S(None, "", "submit")],
        ),
        Scenario(
            "lý lịch tư pháp chờ tiếp nhận",
            AN,
            JUDICIAL,
            judicial_form(AN),
            [S(1, "16:40", "submit")],
        ),
        # At phường Phú Xuân: only the one-stop centre's officers see it.
        Scenario(
            "giấy phép xây dựng chờ tiếp nhận",
            AN,
            BUILDING,
            BUILDING_FORM,
            [S(1, "10:15", "submit")],
        ),
        # --- 2 received: the clock runs ---
        Scenario(
            "xác nhận tình trạng hôn nhân đã tiếp nhận",
            AN,
            MARITAL,
            marital_form(AN, "Giao dịch dân sự, tài sản"),
            [S(2, "08:05", "submit"), S(2, "08:40", "receive", C_INTAKE)],
        ),
        Scenario(
            "lý lịch tư pháp tiếp nhận tại Trung tâm",
            HOA,
            JUDICIAL,
            judicial_form(HOA, "Xin cấp giấy phép lao động"),
            [S(1, "08:50", "submit"), S(1, "09:30", "receive", X_INTAKE)],
        ),
        # A same-day procedure received yesterday and not finished: overdue.
        Scenario(
            "trích lục kết hôn quá hạn",
            HOA,
            EXTRACT,
            EXTRACT_FORM,
            [S(1, "13:00", "submit"), S(1, "13:20", "receive", X_INTAKE)],
        ),
        # --- 3 refused at intake (form 03) ---
        Scenario(
            "khai sinh bị từ chối",
            HOA,
            BIRTH,
            birth_form(HOA),
            [
                S(3, "14:00", "submit"),
                S(
                    3,
                    "15:10",
                    "refuse",
                    C_INTAKE,
                    {
                        "reason": "Trẻ Trần Minh Khang đã được đăng ký khai sinh tại UBND phường "
                        "Thuận Hóa; không đăng ký khai sinh lại. Nếu cần thêm bản sao, đề nghị "
                        "nộp hồ sơ “Cấp bản sao trích lục hộ tịch”."
                    },
                ),
            ],
        ),
        Scenario(
            "lý lịch tư pháp bị từ chối",
            HOA,
            JUDICIAL,
            judicial_form(HOA, "Cung cấp cho cơ quan của người thân"),
            [
                S(4, "10:00", "submit"),
                S(4, "10:05", "pay_online"),  # paid, then refused: the fee is to be refunded
                S(
                    4,
                    "10:45",
                    "refuse",
                    D_INTAKE,
                    {
                        "reason": "Mục đích ghi trong tờ khai là cấp phiếu cho người thân; Phiếu "
                        "lý lịch tư pháp chỉ cấp theo yêu cầu của chính người được cấp phiếu "
                        "hoặc người được ủy quyền hợp lệ."
                    },
                ),
            ],
        ),
        # --- 4 being processed ---
        # Received five working days ago with a 3-day limit: overdue.
        Scenario(
            "xác nhận tình trạng hôn nhân quá hạn",
            HOA,
            MARITAL,
            marital_form(HOA, "Vay vốn ngân hàng"),
            [
                S(5, "08:10", "submit"),
                S(5, "08:30", "receive", C_INTAKE),
                S(5, "09:00", "assign", C_LEADER),
                S(4, "08:00", "start", C_SPECIALIST),
            ],
        ),
        # Re-dated once with an apology (form 04).
        Scenario(
            "lý lịch tư pháp đang xử lý, đã xin lỗi",
            AN,
            JUDICIAL,
            judicial_form(AN, "Bổ sung hồ sơ xin việc"),
            [
                S(4, "09:00", "submit"),
                S(4, "09:20", "receive", D_INTAKE),
                S(4, "10:00", "assign", D_LEADER),
                S(3, "08:15", "start", D_SPECIALIST),
                S(
                    1,
                    "15:00",
                    "apologize",
                    D_LEADER,
                    {
                        "reason": "Cần xác minh thông tin lý lịch tại nơi cư trú trước đây của "
                        "người yêu cầu (thành phố Đà Nẵng); kết quả xác minh chưa được gửi về.",
                        "extra_days": 3,
                    },
                ),
            ],
        ),
        # --- 5 papers to add (form 02) ---
        # Asked at intake: the clock has not started.
        Scenario(
            "xác nhận tình trạng hôn nhân chờ bổ sung",
            HOA,
            MARITAL,
            marital_form(HOA, "Giao dịch dân sự, tài sản"),
            [
                S(1, "15:30", "submit"),
                S(
                    1,
                    "16:00",
                    "request_supplement",
                    C_INTAKE,
                    {
                        "items": [
                            "Bản chụp Giấy chứng nhận kết hôn để đối chiếu thông tin người chồng",
                            "Tờ khai có chữ ký của người yêu cầu (tờ khai đã gửi chưa ký)",
                        ],
                        "note": "Anh/chị bổ sung một lần đầy đủ các giấy tờ trên.",
                    },
                ),
            ],
        ),
        # Asked during processing: the clock is paused.
        Scenario(
            "lý lịch tư pháp tạm dừng chờ bổ sung",
            HOA,
            JUDICIAL,
            judicial_form(HOA, "Du học"),
            [
                S(3, "13:45", "submit"),
                S(3, "14:00", "receive", D_INTAKE),
                S(2, "08:30", "start", D_SPECIALIST),
                S(
                    1,
                    "10:00",
                    "request_supplement",
                    D_SPECIALIST,
                    {
                        "items": [
                            "Ảnh chụp Căn cước rõ nét cả hai mặt (ảnh đã gửi bị lóa, không đọc "
                            "được số định danh)"
                        ]
                    },
                ),
            ],
        ),
        # --- 6 fee to pay ---
        Scenario(
            "lý lịch tư pháp chờ nộp phí",
            AN,
            JUDICIAL,
            judicial_form(AN, "Xin visa lao động"),
            [
                S(2, "13:30", "submit"),
                S(2, "14:00", "receive", D_INTAKE),
                S(2, "14:05", "request_payment", D_INTAKE),
            ],
        ),
        Scenario(
            "xác nhận tình trạng hôn nhân chờ nộp lệ phí",
            AN,
            MARITAL,
            marital_form(AN, "Vay vốn ngân hàng"),
            [
                S(2, "09:00", "submit"),
                S(2, "09:30", "receive", C_INTAKE),
                S(1, "08:00", "start", C_SPECIALIST),
                S(1, "08:10", "request_payment", C_SPECIALIST),
            ],
        ),
        # --- 7 withdrawal requested by the citizen ---
        Scenario(
            "xác nhận tình trạng hôn nhân xin rút",
            AN,
            MARITAL,
            marital_form(AN, "Mục đích khác"),
            [
                S(3, "08:00", "submit"),
                S(3, "08:20", "receive", C_INTAKE),
                S(
                    1,
                    "11:00",
                    "withdraw",
                    data={"reason": "Ngân hàng không còn yêu cầu giấy xác nhận này."},
                ),
            ],
        ),
        Scenario(
            "lý lịch tư pháp xin rút",
            HOA,
            JUDICIAL,
            judicial_form(HOA, "Bổ sung hồ sơ xin việc"),
            [
                S(1, "11:00", "submit"),
                S(
                    None,
                    "",
                    "withdraw",
                    data={"reason": "Tôi nộp nhầm loại phiếu, sẽ nộp lại hồ sơ xin Phiếu số 2."},
                ),
            ],
        ),
        # --- 8 stopped after a withdrawal ---
        Scenario(
            "khai sinh đã dừng",
            AN,
            BIRTH,
            birth_form(AN),
            [
                S(7, "09:00", "submit"),
                S(7, "09:30", "receive", C_INTAKE),
                S(
                    7,
                    "10:00",
                    "withdraw",
                    data={"reason": "Gia đình sẽ nộp lại hồ sơ sau khi thống nhất tên cho cháu."},
                ),
                S(7, "10:30", "stop", C_INTAKE, {"note": "Dừng theo đề nghị rút hồ sơ."}),
            ],
        ),
        Scenario(
            "lý lịch tư pháp đã dừng",
            AN,
            JUDICIAL,
            judicial_form(AN, "Bổ sung hồ sơ xin việc"),
            [
                S(9, "10:00", "submit"),
                S(9, "10:30", "receive", D_INTAKE),
                S(8, "09:00", "withdraw", data={"reason": "Công ty đã miễn yêu cầu nộp phiếu."}),
                S(8, "14:00", "stop", D_LEADER),
            ],
        ),
        # --- 9 result ready ---
        # Fees: paid online through the sandbox gateway or in cash at the counter before the
        # result is handed over; the counter-delivery one below pays when collecting it.
        # With a supplement round: requested, answered with a new paper, the clock resumed.
        Scenario(
            "xác nhận tình trạng hôn nhân có kết quả",
            HOA,
            MARITAL,
            marital_form(HOA, "Vay vốn ngân hàng"),
            [
                S(7, "08:00", "submit"),
                S(7, "08:15", "receive", C_INTAKE),
                S(7, "08:30", "assign", C_LEADER),
                S(7, "09:00", "start", C_SPECIALIST),
                S(
                    7,
                    "10:00",
                    "request_supplement",
                    C_SPECIALIST,
                    {"items": ["Tờ khai ghi rõ nơi sử dụng giấy xác nhận"]},
                ),
                S(6, "09:00", "answer_supplement"),
                S(5, "15:00", "approve", C_LEADER),
            ],
            delivery=Delivery.COUNTER,
        ),
        Scenario(
            "lý lịch tư pháp có kết quả, gửi bưu chính",
            AN,
            JUDICIAL,
            judicial_form(AN, "Xin cấp giấy phép kinh doanh"),
            [
                S(10, "08:30", "submit"),
                S(10, "08:35", "pay_online"),
                S(10, "09:00", "receive", X_INTAKE),
                S(10, "10:00", "assign", D_LEADER),
                S(9, "08:00", "start", D_SPECIALIST),
                S(2, "16:00", "approve", D_LEADER),
            ],
            delivery=Delivery.POSTAL,
            postal_address=CITIZENS[AN]["address"],
        ),
        # --- 10 result returned ---
        # Filed at the counter for a walk-in citizen (channel 1), done on the spot.
        Scenario(
            "chứng thực chữ ký tại quầy",
            AN,
            SIGNATURE,
            SIGNATURE_FORM,
            [
                S(1, "14:20", "file_at_counter", C_INTAKE),
                S(1, "14:21", "pay_counter", C_INTAKE),
                S(1, "14:22", "receive", C_INTAKE),
                S(1, "14:30", "start", C_SPECIALIST),
                S(1, "14:50", "approve", C_LEADER),
                S(1, "15:00", "return", C_INTAKE),
            ],
            delivery=Delivery.COUNTER,
        ),
        Scenario(
            "khai sinh đã trả kết quả",
            HOA,
            BIRTH,
            birth_form(HOA),
            [
                S(12, "08:00", "submit"),
                S(12, "08:20", "receive", C_INTAKE),
                S(12, "08:40", "start", C_SPECIALIST),
                S(12, "10:30", "approve", C_LEADER),
                S(12, "10:45", "return", C_INTAKE),
            ],
        ),
        Scenario(
            "lý lịch tư pháp đã trả kết quả",
            HOA,
            JUDICIAL,
            judicial_form(HOA, "Bổ sung hồ sơ xin việc"),
            [
                S(15, "08:00", "submit"),
                S(15, "08:05", "pay_online"),
                S(15, "08:30", "receive", D_INTAKE),
                S(15, "09:00", "assign", D_LEADER),
                S(14, "08:00", "start", D_SPECIALIST),
                S(8, "10:00", "approve", D_LEADER),
                S(8, "14:00", "return", D_INTAKE),
            ],
        ),
    ]


# --- small generated PDFs -------------------------------------------------------------------------


def _ascii(text: str) -> str:
    """Vietnamese without diacritics (the PDF's built-in font has no Vietnamese glyphs)."""
    text = text.replace("đ", "d").replace("Đ", "D")
    folded = unicodedata.normalize("NFKD", text)
    return "".join(c for c in folded if not unicodedata.combining(c) and ord(c) < 128)


def demo_pdf(title: str, lines: list[str]) -> bytes:
    """A one-page A4 PDF with a title and a few lines of text, readable by any viewer."""

    def literal(text: str) -> str:
        escaped = _ascii(text).replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        return f"({escaped})"

    body = [f"BT /F1 16 Tf 56 780 Td {literal(title)} Tj /F1 11 Tf"]
    body += [f"0 -22 Td {literal(line)} Tj" for line in lines]
    body.append("ET")
    return portal_pdf.text_page("\n".join(body).encode("latin-1"))


def pdf_upload(title: str, lines: list[str]) -> SimpleUploadedFile:
    name = re.sub(r"[^a-z0-9]+", "-", _ascii(title).lower()).strip("-")[:60] or "giay-to"
    return SimpleUploadedFile(f"{name}.pdf", demo_pdf(title, lines), "application/pdf")


def _files_of(queryset) -> list:
    """The stored files of the rows of ``queryset`` (read before the rows are deleted)."""
    names = [f.name for f in queryset.model._meta.concrete_fields if isinstance(f, FileField)]
    return [getattr(row, name) for row in queryset for name in names if getattr(row, name)]


def _delete_with_protected(queryset, files: list) -> None:
    """Delete the rows of ``queryset`` after the rows that point at them with PROTECT (and so
    on down), keeping their files in ``files``: money records are protected against deletion,
    and only the demo's reset deletes whole dossiers."""
    for relation in queryset.model._meta.related_objects:
        if relation.on_delete is PROTECT:
            _delete_with_protected(
                relation.related_model._default_manager.filter(
                    **{f"{relation.field.name}__in": queryset}
                ),
                files,
            )
    files += _files_of(queryset)
    queryset.delete()


def _url(name: str) -> str:
    """The address of a page of the portal, or "" while that page does not exist."""
    try:
        return SITE + reverse(name)
    except NoReverseMatch:
        return ""


# --- the clock --------------------------------------------------------------------------------


@contextmanager
def clock(at: dt.datetime | None):
    """Run the body as if it were ``at`` (None: really now). Django's ``timezone.now`` is what
    the services, ``auto_now`` fields and ``timezone.localdate`` read."""
    if at is None:
        yield
        return
    with mock.patch("django.utils.timezone.now", return_value=at.astimezone(dt.UTC)):
        yield


@contextmanager
def quiet_task_logs():
    """Tasks run in-process on a laptop, and Celery logs each one (and kombu its in-memory
    broker's missing host): keep the demo's output to what a newcomer needs."""
    loggers = [logging.getLogger(name) for name in ("celery.app.trace", "kombu.connection")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


class Timeline:
    """Office times of past working days of the holiday calendar."""

    def __init__(self, calendar: WorkCalendar, today: dt.date) -> None:
        self.calendar = calendar
        self.days: list[dt.date] = []
        day = today
        while len(self.days) < 40:
            day -= dt.timedelta(days=1)
            if calendar.is_working_day(day):
                self.days.append(day)

    def at(self, step: Step) -> dt.datetime | None:
        if step.days_ago is None:
            return None
        hours, minutes = (int(part) for part in step.time.split(":"))
        day = self.days[step.days_ago - 1]
        return dt.datetime.combine(day, dt.time(hours, minutes), tzinfo=self.calendar.tz)


# --- the command --------------------------------------------------------------------------------


class Command(BaseCommand):
    help = (
        "Demo officers (intake, specialist, leader) for phường Thuận Hóa, Sở Tư pháp and the "
        "one-stop centre of Huế, with two-factor log-in on; two demo citizens and dossiers of "
        "theirs in every status 1-10. Run after load_demo; safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset-dossiers",
            action="store_true",
            help="Delete the demo citizens' dossiers and papers and build the demo dossiers again.",
        )

    def handle(self, *args, reset_dossiers: bool, **options):
        if settings.PRODUCTION:
            raise CommandError(
                "Refusing to create accounts with a published password and TOTP secret in "
                "production."
            )
        agencies = self._agencies()
        self.changes: Counter = Counter()
        self._password_ok: dict[str, bool] = {}
        self._password_hash = ""
        with transaction.atomic():
            officers = {
                (key, duty): self._officer(agencies[key], key, duty, name)
                for key, duty, name in OFFICERS
            }
            citizens = {key: self._citizen(data) for key, data in CITIZENS.items()}
            admin = self._demo_admin()
        existing = Dossier.objects.filter(applicant__in=citizens.values()).exclude(
            status=Status.DRAFT
        )
        if reset_dossiers:
            self._delete_dossiers(list(citizens.values()))
        if existing.exists():
            built = False
        else:
            # The demo's steps notify their citizens and officers like real ones (the portal's
            # notification centre shows them); their emails and SMS stay in memory rather than
            # fill the console of `make run`.
            with override_settings(
                EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
                SMS_BACKEND="accounts.sms.LocmemBackend",
            ):
                self._build_dossiers(officers, citizens)
            built = True
        self._report(agencies, officers, citizens, admin, built)

    # --- accounts ---------------------------------------------------------------------------

    def _agencies(self) -> dict[str, Agency]:
        codes = {key: code for key, (code, _slug) in AGENCIES.items()}
        found = {a.code: a for a in Agency.objects.filter(code__in=codes.values())}
        missing = [code for code in codes.values() if code not in found]
        needed = {scenario.procedure for scenario in scenarios()}
        published = Procedure.objects.filter(code__in=needed, published=True).count()
        if missing or published < len(needed):
            raise CommandError(
                "The demo catalogue is missing: run `python manage.py load_demo` first."
            )
        return {key: found[code] for key, code in codes.items()}

    def _demo_password(self, user: User) -> None:
        """Give ``user`` the demo password unless it already has it (one hash for all)."""
        if user.password and user.password not in self._password_ok:
            self._password_ok[user.password] = check_password(DEMO_PASSWORD, user.password)
        if user.password and self._password_ok[user.password]:
            return
        if not self._password_hash:
            self._password_hash = make_password(DEMO_PASSWORD)
            self._password_ok[self._password_hash] = True
        user.password = self._password_hash

    def _account(self, email: str, values: dict, label: str) -> User:
        user = User.objects.filter(email=email).first()
        created = user is None
        if created:
            user = User(email=email)
        before = (
            {name: getattr(user, name) for name in [*values, "password", "is_active"]}
            if not created
            else {}
        )
        for name, value in values.items():
            setattr(user, name, value)
        user.is_active = True
        self._demo_password(user)
        after = {name: getattr(user, name) for name in [*values, "password", "is_active"]}
        if created or before != after:
            user.save()
            self.changes[f"{label} {'created' if created else 'updated'}"] += 1
        self._verified_email(user)
        return user

    def _verified_email(self, user: User) -> None:
        """A confirmed primary address, so allauth neither asks to confirm it nor warns."""
        from allauth.account.models import EmailAddress

        address = EmailAddress.objects.filter(user=user, email__iexact=user.email).first()
        if address is None:
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        elif not (address.verified and address.primary):
            address.verified = address.primary = True
            address.save(update_fields=["verified", "primary"])

    def _officer(self, agency: Agency, key: str, duty: str, name: str) -> User:
        user = self._account(
            email_of(key, duty),
            {"full_name": name, "role": Role.OFFICER, "agency": agency, "duty": duty},
            "officers",
        )
        self._demo_totp(user)
        return user

    def _demo_totp(self, user: User) -> None:
        from allauth.mfa.models import Authenticator
        from allauth.mfa.totp.internal.auth import TOTP
        from allauth.mfa.utils import encrypt

        if has_demo_secret(user):
            return
        authenticator = Authenticator.objects.filter(
            user=user, type=Authenticator.Type.TOTP
        ).first()
        if authenticator is None:
            TOTP.activate(user, DEMO_TOTP_SECRET)
        else:
            authenticator.data = {**authenticator.data, "secret": encrypt(DEMO_TOTP_SECRET)}
            authenticator.save(update_fields=["data"])
        self.changes["two-factor secrets set"] += 1

    def _demo_admin(self) -> User | None:
        """load_demo's admin also needs TOTP for the admin site: give it the demo secret, but only
        while it has no authenticator at all (a secret someone set up is never replaced)."""
        from allauth.mfa.models import Authenticator
        from allauth.mfa.totp.internal.auth import TOTP

        admin = User.objects.filter(email=demo_data.DEMO_ADMIN_EMAIL, role=Role.ADMIN).first()
        if admin is None:
            return None
        if has_demo_secret(admin):
            return admin
        if Authenticator.objects.filter(user=admin, type=Authenticator.Type.TOTP).exists():
            return None  # its own authenticator: not a demo login any more
        TOTP.activate(admin, DEMO_TOTP_SECRET)
        self.changes["two-factor secrets set"] += 1
        return admin

    def _citizen(self, data: dict) -> User:
        problems = cccd_errors(data["id_number"], birth_date=data["birth_date"], sex=data["sex"])
        assert not problems, problems  # noqa: S101  (the demo data itself is wrong)
        holder = (
            User.objects.filter(id_number=data["id_number"]).exclude(email=data["email"]).first()
        )
        if holder is not None:
            raise CommandError(
                f"The demo CCCD {data['id_number']} already belongs to {holder.email}; "
                "clear it there and run again."
            )
        values = {k: v for k, v in data.items() if k != "email"}
        return self._account(data["email"], {**values, "role": Role.CITIZEN}, "citizens")

    # --- dossiers ---------------------------------------------------------------------------

    def _delete_dossiers(self, citizens: list[User]) -> None:
        """Delete the demo citizens' dossiers with their papers and everything issued for them
        (rows pointing at their events, such as issued forms), files included."""
        dossiers = Dossier.objects.filter(applicant__in=citizens)
        events = DossierEvent.objects.filter(dossier__in=dossiers)
        files = []
        try:
            with transaction.atomic():
                count = dossiers.count()
                for relation in DossierEvent._meta.related_objects:
                    rows = relation.related_model._default_manager.filter(
                        **{f"{relation.field.name}__in": events}
                    )
                    files += _files_of(rows)
                    rows.delete()
                stored = StoredDocument.objects.filter(owner__in=citizens)
                files += _files_of(stored)
                _delete_with_protected(dossiers, files)  # payments point at them, protected
                stored.delete()
        except ProtectedError as error:
            raise CommandError(
                f"Could not delete the demo dossiers: other records point at them ({error})."
            ) from error
        for file in files:
            file.delete(save=False)
        self.changes["dossiers deleted"] += count

    def _build_dossiers(self, officers: dict, citizens: dict) -> None:
        calendar = WorkCalendar.from_db()
        timeline = Timeline(calendar, timezone.localdate())
        procedures = {
            p.code: p
            for p in Procedure.objects.select_related("agency").filter(
                code__in={s.procedure for s in scenarios()}
            )
        }
        # Oldest first, so each agency's daily numbers follow the order of submission.
        ordered = sorted(
            scenarios(),
            key=lambda s: timeline.at(s.steps[0]) or timezone.now() + dt.timedelta(days=1),
        )
        built: list[Dossier] = []
        try:
            with quiet_task_logs():
                for scenario in ordered:
                    built.append(
                        self._build(scenario, procedures, officers, citizens, timeline, calendar)
                    )
        except Exception:
            # All or nothing: a half-built demo would be kept by the next run.
            self._delete_dossiers(list(citizens.values()))
            raise
        self.changes["dossiers created"] += len(built)

    def _build(self, scenario, procedures, officers, citizens, timeline, calendar) -> Dossier:
        citizen = citizens[scenario.citizen]
        procedure = procedures[scenario.procedure]
        dossier: Dossier | None = None
        for step in scenario.steps:
            actor = citizen if step.by is None else officers[step.by]
            try:
                with clock(timeline.at(step)):
                    dossier = self._step(
                        step, dossier, scenario, procedure, citizen, actor, officers
                    )
            except DomainError as error:
                raise CommandError(
                    f"Demo dossier “{scenario.label}”, step {step.action}: {error.message}"
                ) from error
        return dossier

    def _step(self, step, dossier, scenario, procedure, citizen, actor, officers) -> Dossier:
        data = step.data
        action = step.action
        if action == "submit":
            draft, _errors = services.dossier_create_draft(
                applicant=citizen,
                procedure=procedure,
                form_data=scenario.form,
                delivery=scenario.delivery,
                postal_address=scenario.postal_address,
            )
            for slot in draft.version.snapshot["required_documents"]:
                if slot["required"]:
                    services.dossier_attach_upload(
                        dossier=draft,
                        actor=citizen,
                        document_id=slot["id"],
                        upload=pdf_upload(slot["name"], self._paper_lines(citizen, procedure)),
                    )
            return services.dossier_submit(dossier=draft, actor=citizen)
        if action == "file_at_counter":
            return services.dossier_file_for_citizen(
                officer=actor,
                applicant=citizen,
                procedure=procedure,
                form_data=scenario.form,
                channel=Channel.COUNTER,
                delivery=scenario.delivery,
                postal_address=scenario.postal_address,
            )
        if action == "answer_supplement":
            slot = next(s for s in dossier.version.snapshot["required_documents"] if s["required"])
            services.dossier_attach_upload(
                dossier=dossier,
                actor=citizen,
                document_id=slot["id"],
                upload=pdf_upload(
                    slot["name"], [*self._paper_lines(citizen, procedure), "Ban bo sung"]
                ),
            )
            return services.dossier_answer_supplement(dossier=dossier, actor=citizen)
        if action == "withdraw":
            return services.dossier_withdraw(dossier=dossier, actor=citizen, reason=data["reason"])
        if action == "receive":
            return workflow.dossier_receive(dossier=dossier, actor=actor)
        if action == "refuse":
            return workflow.dossier_refuse(dossier=dossier, actor=actor, reason=data["reason"])
        if action == "assign":
            specialist = next(
                officer
                for (key, duty), officer in officers.items()
                if duty == Duty.SPECIALIST and officer.agency_id == dossier.agency_id
            )
            return workflow.dossier_assign(dossier=dossier, actor=actor, officer_id=specialist.pk)
        if action == "start":
            return workflow.dossier_start(dossier=dossier, actor=actor)
        if action == "request_supplement":
            return workflow.dossier_request_supplement(
                dossier=dossier, actor=actor, items=data["items"], note=data.get("note", "")
            )
        if action == "request_payment":
            return workflow.dossier_request_payment(dossier=dossier, actor=actor)
        if action == "apologize":
            calendar = WorkCalendar.from_db()
            return workflow.dossier_apologize(
                dossier=dossier,
                actor=actor,
                reason=data["reason"],
                new_due_at=calendar.add_working_days(dossier.due_at, data["extra_days"]),
            )
        if action == "stop":
            return workflow.dossier_stop(dossier=dossier, actor=actor, note=data.get("note", ""))
        if action == "approve":  # generated from the procedure's template and signed
            return workflow.dossier_approve(dossier=dossier, actor=actor, generate=True)
        if action in ("pay_online", "pay_counter"):
            return self._pay(action, dossier, citizen, actor)
        if action == "return":
            return workflow.dossier_return(
                dossier=dossier,
                actor=actor,
                method=dossier.delivery,
                recipient_name=citizen.full_name if dossier.delivery == Delivery.COUNTER else "",
                tracking_number=(
                    f"EL{dossier.code[-4:]}{dossier.code[-11:-5]}VN"
                    if dossier.delivery == Delivery.POSTAL
                    else ""
                ),
            )
        raise ValueError(f"unknown demo step {action}")

    @staticmethod
    def _pay(action: str, dossier: Dossier, citizen: User, actor: User) -> Dossier:
        """The fee paid online through the sandbox gateway (its signed IPN, as a real payment),
        or in cash at the counter. The demo loader drives every app, payments included."""
        from urllib.parse import parse_qsl, urlsplit

        from payments import sandbox
        from payments import services as payments
        from payments.constants import Provider

        if action == "pay_counter":
            payments.payment_record_counter(dossier=dossier, actor=actor, provider=Provider.CASH)
        else:
            _payment, url = payments.payment_start(
                dossier=dossier,
                payer=citizen,
                provider=Provider.SANDBOX,
                return_url=SITE + reverse("payments:return"),
            )
            sandbox.complete(dict(parse_qsl(urlsplit(url).query)), approve=True)
        dossier.refresh_from_db()
        return dossier

    @staticmethod
    def _paper_lines(citizen: User, procedure: Procedure) -> list[str]:
        return [
            "Giay to mau cua Cong Dich vu cong (du lieu demo)",
            f"Thu tuc: {procedure.name}",
            f"Nguoi nop: {citizen.full_name} - CCCD {citizen.id_number}",
        ]

    # --- report -----------------------------------------------------------------------------

    def _report(self, agencies, officers, citizens, admin: User | None, built: bool) -> None:
        from dossiers.selectors import due_soon_limit

        dossiers = Dossier.objects.filter(applicant__in=citizens.values()).exclude(
            status=Status.DRAFT
        )
        by_status = Counter(dossiers.values_list("status", flat=True))
        now = timezone.now()
        running = dossiers.filter(status__in=workflow.OPEN - {Status.SUPPLEMENT})
        overdue = running.filter(due_at__lt=now).count()
        due_soon = running.filter(due_at__gte=now, due_at__lt=due_soon_limit(now)).count()
        changes = ", ".join(f"{n} {what}" for what, n in self.changes.items()) or "no changes"
        self.stdout.write(f"Demo workspace: {changes}.")
        kept = "" if built else " (kept; --reset-dossiers builds them again)"
        self.stdout.write(
            f"  {sum(by_status.values())} demo dossiers{kept}, {overdue} overdue, "
            f"{due_soon} due soon:"
        )
        items = [
            f"{status} {Status(status).label} ×{by_status[status]}" for status in sorted(by_status)
        ]
        line = "   "
        for item in items:
            if len(line) + len(item) > 98:
                self.stdout.write(line.rstrip(" ·"))
                line = "   "
            line += f" {item} ·"
        self.stdout.write(line.rstrip(" ·"))
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo logins at {SITE}/accounts/login/"))
        rows = [("who", "email", "password", "duty", "agency")]
        for (key, duty), officer in officers.items():
            rows.append(
                (officer.full_name, officer.email, DEMO_PASSWORD, duty, self._short(agencies[key]))
            )
        for citizen in citizens.values():
            rows.append((citizen.full_name, citizen.email, DEMO_PASSWORD, "citizen", ""))
        if admin is not None:
            rows.append((admin.full_name, admin.email, demo_data.DEMO_ADMIN_PASSWORD, "admin", ""))
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        for row in rows:
            cells = (value.ljust(width) for value, width in zip(row, widths, strict=True))
            self.stdout.write(("  " + "  ".join(cells)).rstrip())
        self.stdout.write("")
        self.stdout.write(
            "Staff also type a two-factor code when they log in. Print the current one with\n"
            "  .venv/bin/python manage.py totp_code <email>\n"
            f"or add the demo secret {DEMO_TOTP_SECRET} to an authenticator app.\n"
            "The centre's officers serve every agency of Huế; the others their own agency only."
        )
        links = [("officer:queue", "officers"), ("dossiers:list", "citizens")]
        pages = [f"{_url(name)} ({who})" for name, who in links if _url(name)]
        if pages:
            self.stdout.write("Then open " + " and ".join(pages) + ".")

    @staticmethod
    def _short(agency: Agency) -> str:
        return agency.name.removesuffix(" thành phố Huế")
