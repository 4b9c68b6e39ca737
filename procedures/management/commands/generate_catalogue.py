"""``manage.py generate_catalogue --count N``: synthetic published procedures for performance work.

Everything is written with ``bulk_create`` in batches, so model ``save()`` and signals do not run:
the command fills ``search_text`` itself, builds each version with the same snapshot and hash as
``procedure_publish``, and bumps the catalogue cache generation once at the end. Codes are
``8.xxxxxx``, continuing after the highest one already present, so reruns only add.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from portal.text import normalize_search
from procedures import cache, demo_data
from procedures.constants import FieldType, ServiceLevel
from procedures.models import (
    Agency,
    FeeCategory,
    FeeItem,
    FormField,
    Procedure,
    ProcedureVersion,
    RequiredDocument,
    Sector,
)
from procedures.selectors import procedure_snapshot

CODE_PREFIX = "8."
MAX_NUMBER = 999_999
BATCH_SIZE = 500

# Verbs go with the objects of their family; a qualifier may narrow the case.
FAMILIES: list[tuple[tuple[str, ...], tuple[str, ...]]] = [
    (
        ("Cấp", "Cấp lại", "Cấp đổi", "Gia hạn", "Điều chỉnh", "Thu hồi"),
        (
            "giấy phép kinh doanh dịch vụ karaoke",
            "giấy phép hoạt động cơ sở khám bệnh, chữa bệnh",
            "giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm",
            "chứng chỉ hành nghề dược",
            "giấy phép khai thác nước dưới đất",
            "giấy phép xả nước thải vào nguồn nước",
            "giấy phép kinh doanh vận tải bằng xe ô tô",
            "giấy chứng nhận đủ điều kiện buôn bán thuốc bảo vệ thực vật",
            "giấy phép tổ chức lễ hội",
            "giấy phép hoạt động điện lực",
            "chứng chỉ hành nghề kiến trúc",
            "giấy phép thành lập trung tâm ngoại ngữ, tin học",
            "giấy phép bán lẻ sản phẩm rượu",
            "giấy chứng nhận cơ sở đủ điều kiện chăn nuôi",
            "giấy phép sửa chữa, cải tạo công trình",
        ),
    ),
    (
        ("Đăng ký", "Đăng ký thay đổi", "Xóa đăng ký"),
        (
            "tàu cá",
            "nội quy lao động",
            "thế chấp quyền sử dụng đất",
            "phương tiện thủy nội địa",
            "hoạt động tín ngưỡng",
            "tạm ngừng kinh doanh của hộ kinh doanh",
            "hoạt động văn phòng công chứng",
            "thành lập hợp tác xã",
            "mã số đơn vị có quan hệ với ngân sách",
            "hoạt động giáo dục nghề nghiệp",
        ),
    ),
    (
        ("Xác nhận", "Công nhận", "Cấp lại giấy xác nhận"),
        (
            "hộ nghèo, hộ cận nghèo",
            "gia đình văn hóa",
            "thôn, tổ dân phố văn hóa",
            "mức độ khuyết tật",
            "nguồn gốc lâm sản",
            "kế hoạch bảo vệ môi trường",
            "thông tin về cư trú",
            "người có công với cách mạng",
        ),
    ),
    (
        ("Thẩm định", "Phê duyệt", "Điều chỉnh"),
        (
            "phương án sử dụng đất",
            "báo cáo kinh tế - kỹ thuật đầu tư xây dựng",
            "thiết kế về phòng cháy và chữa cháy",
            "quy hoạch chi tiết xây dựng",
            "phương án cứu hộ công trình",
            "dự toán kinh phí sự nghiệp",
        ),
    ),
]
QUALIFIERS = (
    "",
    " cho tổ chức",
    " cho cá nhân",
    " cho hộ gia đình",
    " có yếu tố nước ngoài",
    " trường hợp bị mất, hư hỏng",
    " đối với doanh nghiệp nhỏ và vừa",
)
PROCESSING_DAYS = (0, 1, 3, 5, 7, 10, 15, 20)
SERVICE_LEVELS = (
    (ServiceLevel.FULL,) * 9 + (ServiceLevel.PARTIAL,) * 9 + (ServiceLevel.OFFLINE,) * 2
)
AMOUNTS = (10_000, 20_000, 30_000, 50_000, 100_000, 150_000, 200_000, 500_000)


def _names(rng: random.Random) -> list[str]:
    names = [
        f"{verb} {obj}{qualifier}"
        for verbs, objects in FAMILIES
        for verb in verbs
        for obj in objects
        for qualifier in QUALIFIERS
    ]
    rng.shuffle(names)
    return names


def _content_hash(snapshot: dict) -> str:
    # The same hash as procedure_publish, so publishing unchanged keeps version 1.
    return hashlib.sha256(
        json.dumps(snapshot, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()


class Command(BaseCommand):
    help = "Create N synthetic published procedures (codes 8.xxxxxx) for performance work."

    def add_arguments(self, parser):
        parser.add_argument(
            "--count", type=int, required=True, help="How many procedures to create (> 0)."
        )
        parser.add_argument(
            "--seed", type=int, default=None, help="Random seed (default: the first new code)."
        )

    def handle(self, *args, count: int, seed: int | None, **options):
        if count < 1:
            raise CommandError("--count must be a positive whole number.")
        started = time.perf_counter()
        with transaction.atomic():
            first = self._next_number()
            if first + count - 1 > MAX_NUMBER:
                raise CommandError(
                    f"Only {MAX_NUMBER - first + 1} codes {CODE_PREFIX}xxxxxx are left."
                )
            created = self._generate(first, count, random.Random(first if seed is None else seed))
        cache.bump_generation()  # bulk_create sends no signals
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {created} published procedures ({CODE_PREFIX}{first:06d}–"
                f"{CODE_PREFIX}{first + count - 1:06d}) in {elapsed:.1f} s."
            )
        )

    def _next_number(self) -> int:
        latest = (
            Procedure.objects.filter(code__startswith=CODE_PREFIX)
            .order_by("-code")
            .values_list("code", flat=True)
            .first()
        )
        return int(latest[len(CODE_PREFIX) :]) + 1 if latest else 1

    def _generate(self, first: int, count: int, rng: random.Random) -> int:
        sectors = self._sectors()
        agencies = self._agencies()
        categories = self._categories()
        names = itertools.cycle(_names(rng))
        done = 0
        while done < count:
            size = min(BATCH_SIZE, count - done)
            self._batch(
                [first + done + i for i in range(size)], names, rng, sectors, agencies, categories
            )
            done += size
        return done

    def _batch(self, numbers, names, rng, sectors, agencies, categories) -> None:
        procedures = []
        for number in numbers:
            code = f"{CODE_PREFIX}{number:06d}"
            name = next(names)
            agency = rng.choice(agencies)
            days = rng.choice(PROCESSING_DAYS)
            online_days = rng.choice([None, None, max(0, days - 2)]) if days else None
            procedures.append(
                Procedure(
                    code=code,
                    name=name,
                    sector=rng.choice(sectors),
                    level=agency.level,
                    agency=agency,
                    service_level=rng.choice(SERVICE_LEVELS),
                    processing_days=days,
                    online_processing_days=online_days,
                    description=f"Thủ tục tổng hợp phục vụ kiểm thử hiệu năng: {name.lower()}.",
                    steps="Nộp hồ sơ\nTiếp nhận và kiểm tra\nGiải quyết\nTrả kết quả",
                    legal_basis="Nghị định 118/2025/NĐ-CP",
                    result_type="Văn bản giải quyết thủ tục hành chính",
                    published=True,
                )
            )
        for p in procedures:  # what Procedure.save() would compute
            p.search_text = normalize_search(f"{p.code} {p.name} {p.name_en}")
        Procedure.objects.bulk_create(procedures, batch_size=BATCH_SIZE)

        fields, papers, fees = [], [], []
        for p in procedures:
            fields += [
                FormField(
                    procedure=p,
                    position=0,
                    key="ho_ten",
                    label="Họ, chữ đệm và tên người yêu cầu",
                    field_type=FieldType.TEXT,
                ),
                FormField(
                    procedure=p,
                    position=1,
                    key="cccd",
                    label="Số định danh cá nhân",
                    field_type=FieldType.CCCD,
                ),
            ]
            papers += [
                RequiredDocument(
                    procedure=p, position=0, name="Đơn đề nghị theo mẫu", note="Bản chính"
                ),
                RequiredDocument(
                    procedure=p,
                    position=1,
                    name="Căn cước của người yêu cầu",
                    note="Bản chụp",
                    required=False,
                    reusable=True,
                ),
            ]
            fees.append(
                FeeItem(
                    procedure=p,
                    code="le-phi",
                    name="Lệ phí giải quyết thủ tục",
                    amount=rng.choice(AMOUNTS),
                    unit="hồ sơ",
                    category=rng.choice(categories),
                    legal_basis="Thông tư 85/2019/TT-BTC",
                )
            )
        FormField.objects.bulk_create(fields, batch_size=BATCH_SIZE)
        RequiredDocument.objects.bulk_create(papers, batch_size=BATCH_SIZE)
        FeeItem.objects.bulk_create(fees, batch_size=BATCH_SIZE)

        versions = []
        for p in procedures:
            snapshot = procedure_snapshot(procedure=p)
            versions.append(
                ProcedureVersion(
                    procedure=p,
                    number=1,
                    snapshot=snapshot,
                    content_hash=_content_hash(snapshot),
                    note="generate_catalogue",
                )
            )
        ProcedureVersion.objects.bulk_create(versions, batch_size=BATCH_SIZE)

    # --- what the procedures hang from: existing rows, or the demo ones when there are none ---

    def _sectors(self) -> list[Sector]:
        sectors = list(Sector.objects.all())
        if not sectors:
            sectors = [
                Sector.objects.get_or_create(code=code, defaults={"name": name, "name_en": en})[0]
                for code, name, en in demo_data.SECTORS
            ]
        return sectors

    def _categories(self) -> list[FeeCategory]:
        categories = list(FeeCategory.objects.all())
        if not categories:
            categories = [
                FeeCategory.objects.get_or_create(
                    code=code, defaults={"name": name, "name_en": en}
                )[0]
                for code, name, en in demo_data.FEE_CATEGORIES
            ]
        return categories

    def _agencies(self) -> list[Agency]:
        agencies = list(Agency.objects.filter(active=True, is_one_stop_centre=False))
        if agencies:
            return agencies
        by_code: dict[str, Agency] = {}
        for data in demo_data.AGENCIES:
            values = {k: v for k, v in data.items() if k not in ("code", "parent")}
            values["parent"] = by_code.get(data["parent"]) if data["parent"] else None
            by_code[data["code"]] = Agency.objects.get_or_create(
                code=data["code"], defaults=values
            )[0]
        return [a for a in by_code.values() if not a.is_one_stop_centre]
