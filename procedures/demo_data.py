"""The demo catalogue of thành phố Huế as plain data; ``manage.py load_demo`` writes it.

Facts follow public procedure listings and fee schedules (see DOMAIN.md, "A realistic demo
catalogue"). Unit codes other than the root's are plausible demo values in the official format.
Procedure codes marked "verify" are plausible placeholders in the national format; the others
are the national codes of the Cơ sở dữ liệu quốc gia về thủ tục hành chính.
"""

from __future__ import annotations

import datetime as dt

# --- Agencies ------------------------------------------------------------------------------
# Thừa Thiên Huế became the centrally-run city of Huế on 1 Jan 2025; H57 is its unit suffix.
# The district level was abolished on 1 Jul 2025, so communes and wards hang from the city.

ROOT_AGENCY = "000.00.00.H57"

AGENCIES: list[dict] = [
    {
        "code": ROOT_AGENCY,
        "name": "UBND thành phố Huế",
        "name_en": "People's Committee of Huế City",
        "level": "province",
        "parent": None,
        "address": "16 Lê Lợi, phường Thuận Hóa, thành phố Huế",
        "phone": "0234 3822 527",
    },
    {
        "code": "000.00.01.H57",
        "name": "Trung tâm Phục vụ hành chính công thành phố Huế",
        "name_en": "Huế City Public Administration Service Centre",
        "level": "province",
        "parent": ROOT_AGENCY,
        "is_one_stop_centre": True,
        "address": "01 Lê Lai, phường Thuận Hóa, thành phố Huế",
        "phone": "0234 3779 779",
    },
    {
        "code": "000.00.12.H57",
        "name": "Sở Tư pháp thành phố Huế",
        "name_en": "Huế City Department of Justice",
        "level": "province",
        "parent": ROOT_AGENCY,
        "address": "09 Tôn Đức Thắng, phường Phú Xuân, thành phố Huế",
    },
    {
        "code": "000.00.13.H57",
        "name": "Sở Nông nghiệp và Môi trường thành phố Huế",
        "name_en": "Huế City Department of Agriculture and Environment",
        "level": "province",
        "parent": ROOT_AGENCY,
        "address": "34 Tôn Đức Thắng, phường Phú Xuân, thành phố Huế",
    },
    {
        "code": "000.00.14.H57",
        "name": "Sở Xây dựng thành phố Huế",
        "name_en": "Huế City Department of Construction",
        "level": "province",
        "parent": ROOT_AGENCY,
        "address": "19 Lê Lợi, phường Thuận Hóa, thành phố Huế",
    },
    {
        "code": "000.00.15.H57",
        "name": "Sở Nội vụ thành phố Huế",
        "name_en": "Huế City Department of Home Affairs",
        "level": "province",
        "parent": ROOT_AGENCY,
        "address": "26 Hà Nội, phường Thuận Hóa, thành phố Huế",
    },
    {
        "code": "000.00.16.H57",
        "name": "Sở Tài chính thành phố Huế",
        "name_en": "Huế City Department of Finance",
        "level": "province",
        "parent": ROOT_AGENCY,
        "address": "07 Tôn Đức Thắng, phường Phú Xuân, thành phố Huế",
    },
    {
        "code": "000.00.17.H57",
        "name": "Công an thành phố Huế",
        "name_en": "Huế City Police",
        "level": "province",
        "parent": ROOT_AGENCY,
        "address": "27 Trần Cao Vân, phường Thuận Hóa, thành phố Huế",
    },
    {
        "code": "000.21.30.H57",
        "name": "UBND phường Thuận Hóa",
        "name_en": "People's Committee of Thuận Hóa Ward",
        "level": "commune",
        "parent": ROOT_AGENCY,
        "address": "Phường Thuận Hóa, thành phố Huế",
    },
    {
        "code": "000.21.31.H57",
        "name": "UBND phường Phú Xuân",
        "name_en": "People's Committee of Phú Xuân Ward",
        "level": "commune",
        "parent": ROOT_AGENCY,
        "address": "Phường Phú Xuân, thành phố Huế",
    },
    {
        "code": "000.21.32.H57",
        "name": "UBND xã Phú Vinh",
        "name_en": "People's Committee of Phú Vinh Commune",
        "level": "commune",
        "parent": ROOT_AGENCY,
        "address": "Xã Phú Vinh, thành phố Huế",
    },
    # Residence registration is decided by the commune police, which answer to the city police.
    {
        "code": "000.21.33.H57",
        "name": "Công an phường Thuận Hóa",
        "name_en": "Thuận Hóa Ward Police",
        "level": "commune",
        "parent": "000.00.17.H57",
        "address": "Phường Thuận Hóa, thành phố Huế",
    },
]

# --- Sectors, fee categories, exempt groups --------------------------------------------------

SECTORS: list[tuple[str, str, str]] = [
    ("ho-tich", "Hộ tịch", "Civil status"),
    ("chung-thuc", "Chứng thực", "Authentication"),
    ("cu-tru", "Cư trú", "Residence"),
    ("ly-lich-tu-phap", "Lý lịch tư pháp", "Judicial records"),
    ("kinh-doanh", "Thành lập và hoạt động của hộ kinh doanh", "Household businesses"),
    ("xay-dung", "Hoạt động xây dựng", "Construction"),
    ("dat-dai", "Đất đai", "Land"),
    ("lao-dong", "Việc làm (lao động nước ngoài)", "Employment (foreign workers)"),
]

FEE_CATEGORIES: list[tuple[str, str, str]] = [
    ("civil_status", "Lệ phí hộ tịch", "Civil status charge"),
    # Copies of civil-status extracts carry a national fee (Thông tư 281/2016/TT-BTC), not the
    # council-set charge, so Resolution 18/2023 does not reduce it.
    (
        "civil_status_data",
        "Phí khai thác, sử dụng thông tin trong Cơ sở dữ liệu hộ tịch",
        "Civil status database fee",
    ),
    ("authentication", "Phí chứng thực", "Authentication fee"),
    ("residence", "Lệ phí đăng ký cư trú", "Residence registration charge"),
    (
        "judicial_record",
        "Phí cung cấp thông tin lý lịch tư pháp",
        "Judicial record information fee",
    ),
    (
        "business_registration",
        "Lệ phí đăng ký hộ kinh doanh",
        "Household business registration charge",
    ),
    ("construction", "Lệ phí cấp giấy phép xây dựng", "Construction permit charge"),
    (
        "land",
        "Lệ phí cấp giấy chứng nhận quyền sử dụng đất",
        "Land-use certificate charge",
    ),
    ("work_permit", "Lệ phí cấp giấy phép lao động", "Work permit charge"),
]

EXEMPT_GROUPS: list[tuple[str, str, str]] = [
    ("ho-ngheo", "Hộ nghèo", "Poor households"),
    ("nguoi-khuyet-tat", "Người khuyết tật", "People with disabilities"),
    ("nguoi-co-cong", "Người có công với cách mạng", "People with meritorious services"),
    (
        "dan-toc-thieu-so",
        "Người dân tộc thiểu số ở xã đặc biệt khó khăn",
        "Ethnic minorities in especially disadvantaged communes",
    ),
    ("tre-em", "Trẻ em (dưới 16 tuổi)", "Children (under 16)"),
    ("nguoi-cao-tuoi", "Người cao tuổi", "Elderly people"),
]

CIVIL_STATUS_EXEMPT = ["ho-ngheo", "nguoi-khuyet-tat", "nguoi-co-cong"]
SOCIAL_EXEMPT = [
    "tre-em",
    "nguoi-cao-tuoi",
    "nguoi-khuyet-tat",
    "nguoi-co-cong",
    "ho-ngheo",
    "dan-toc-thieu-so",
]

# --- The online discount of Resolution 18/2023 ------------------------------------------------

DISCOUNT_RULE: dict = {
    "name": "Giảm 40% phí, lệ phí khi nộp hồ sơ trực tuyến",
    "legal_basis": "Nghị quyết số 18/2023/NQ-HĐND của HĐND tỉnh Thừa Thiên Huế",
    "percent": 40,
    "channel": 2,  # online
    "valid_from": dt.date(2023, 9, 1),
    "valid_to": None,
    "categories": ["land", "construction", "business_registration", "civil_status", "work_permit"],
}

# --- Demo admin ------------------------------------------------------------------------------

DEMO_ADMIN_EMAIL = "admin@demo.dichvucong.vn"
DEMO_ADMIN_PASSWORD = "DemoAdmin@2026"  # noqa: S105  (published demo credential, never production)
DEMO_ADMIN_NAME = "Quản trị viên Demo"


# --- Procedures ------------------------------------------------------------------------------


def _field(
    key: str,
    label: str,
    field_type: str = "text",
    required: bool = True,
    choices: tuple[str, ...] = (),
    help_text: str = "",
) -> dict:
    return {
        "key": key,
        "label": label,
        "field_type": field_type,
        "required": required,
        "choices": "\n".join(choices),
        "help_text": help_text,
    }


def _paper(
    name: str,
    note: str = "Bản chính",
    required: bool = True,
    accepted_types: str = "pdf,jpg,png",
    max_size_mb: int = 10,
    reusable: bool = False,
) -> dict:
    return {
        "name": name,
        "note": note,
        "required": required,
        "accepted_types": accepted_types,
        "max_size_mb": max_size_mb,
        "reusable": reusable,
    }


def _fee(
    code: str,
    name: str,
    amount: int,
    category: str,
    legal_basis: str,
    unit: str = "",
    online_amount: int | None = None,
    exempt_groups: tuple[str, ...] | list[str] = (),
    valid_from: dt.date = dt.date(2023, 1, 1),
) -> dict:
    return {
        "code": code,
        "name": name,
        "amount": amount,
        "online_amount": online_amount,
        "unit": unit,
        "category": category,
        "legal_basis": legal_basis,
        "exempt_groups": list(exempt_groups),
        "valid_from": valid_from,
        "valid_to": None,
    }


THUAN_HOA = "000.21.30.H57"
PHU_XUAN = "000.21.31.H57"
PHU_VINH = "000.21.32.H57"
CONG_AN_THUAN_HOA = "000.21.33.H57"
SO_TU_PHAP = "000.00.12.H57"
SO_NN_MT = "000.00.13.H57"
SO_NOI_VU = "000.00.15.H57"

GENDER = ("Nam", "Nữ")
SAME_DAY_NOTE = (
    "Hồ sơ nhận sau 15 giờ mà không giải quyết được ngay thì trả kết quả "
    "trong ngày làm việc tiếp theo."
)
CIVIL_STATUS_LAW = "Luật Hộ tịch 2014\nNghị định 123/2015/NĐ-CP\nThông tư 04/2020/TT-BTP"
ONE_STOP_DECREE = "Nghị định 118/2025/NĐ-CP"
TEMPLATE_NOTE = "Bản chính, theo mẫu; có thể khai trực tuyến trên Cổng"
COPY_NOTE = "Bản sao có chứng thực hoặc bản chụp kèm bản chính để đối chiếu"
HUE_CHARGE = "Nghị quyết của HĐND tỉnh Thừa Thiên Huế về lệ phí"

PROCEDURES: list[dict] = [
    {
        "code": "1.001193",
        "name": "Đăng ký khai sinh",
        "name_en": "Birth registration",
        "sector": "ho-tich",
        "level": "commune",
        "agency": THUAN_HOA,
        "service_level": "full",
        "processing_days": 0,
        "online_processing_days": None,
        "processing_note": SAME_DAY_NOTE,
        "description": (
            "Đăng ký việc sinh của trẻ em và cấp Giấy khai sinh tại UBND cấp xã nơi cư trú "
            "của cha hoặc mẹ. Cha, mẹ có trách nhiệm đăng ký khai sinh trong 60 ngày kể từ "
            "ngày sinh con; đăng ký đúng hạn được miễn lệ phí. Trẻ được cấp số định danh cá "
            "nhân ngay khi đăng ký."
        ),
        "steps": (
            "Người đi đăng ký khai tờ khai và nộp giấy tờ trên Cổng Dịch vụ công hoặc tại Bộ "
            "phận Một cửa UBND cấp xã.\n"
            "Công chức tư pháp - hộ tịch kiểm tra hồ sơ; hồ sơ chưa đủ được hướng dẫn bổ sung "
            "một lần.\n"
            "Hồ sơ hợp lệ được ghi vào Sổ hộ tịch, cập nhật Cơ sở dữ liệu hộ tịch điện tử và "
            "cấp số định danh cá nhân cho trẻ.\n"
            "Chủ tịch UBND cấp xã ký Giấy khai sinh; kết quả trả tại Bộ phận Một cửa, qua bưu "
            "chính hoặc bản điện tử vào kho dữ liệu của công dân."
        ),
        "legal_basis": f"{CIVIL_STATUS_LAW}\n{ONE_STOP_DECREE}",
        "result_type": "Giấy khai sinh (bản chính), trích lục khai sinh",
        "form_fields": [
            _field("ho_ten_tre", "Họ, chữ đệm và tên của trẻ"),
            _field("ngay_sinh", "Ngày, tháng, năm sinh", "date"),
            _field("gioi_tinh", "Giới tính", "choice", choices=GENDER),
            _field("noi_sinh", "Nơi sinh", "address", help_text="Tên cơ sở y tế hoặc địa chỉ"),
            _field("quoc_tich", "Quốc tịch", help_text="Ghi “Việt Nam” nếu cha, mẹ là công dân"),
            _field("ho_ten_me", "Họ, chữ đệm và tên người mẹ"),
            _field("cccd_me", "Số định danh cá nhân của người mẹ", "cccd"),
            _field("ho_ten_cha", "Họ, chữ đệm và tên người cha", required=False),
            _field("cccd_cha", "Số định danh cá nhân của người cha", "cccd", required=False),
            _field(
                "quan_he_nguoi_di_dang_ky",
                "Quan hệ của người đi đăng ký với trẻ",
                "choice",
                choices=("Cha", "Mẹ", "Ông, bà", "Người thân thích khác"),
            ),
        ],
        "papers": [
            _paper("Tờ khai đăng ký khai sinh theo mẫu", TEMPLATE_NOTE),
            _paper(
                "Giấy chứng sinh",
                "Bản chính; nếu không có: văn bản của người làm chứng hoặc giấy cam đoan",
            ),
            _paper(
                "Giấy chứng nhận kết hôn của cha mẹ (nếu có)",
                COPY_NOTE,
                required=False,
                reusable=True,
            ),
        ],
        "fees": [],
    },
    {
        "code": "1.000894",
        "name": "Đăng ký kết hôn",
        "name_en": "Marriage registration",
        "sector": "ho-tich",
        "level": "commune",
        "agency": PHU_XUAN,
        "service_level": "partial",
        "processing_days": 0,
        "online_processing_days": None,
        "processing_note": "Trường hợp cần xác minh điều kiện kết hôn: không quá 05 ngày làm việc.",
        "description": (
            "Đăng ký kết hôn giữa công dân Việt Nam cư trú trong nước tại UBND cấp xã nơi cư "
            "trú của một trong hai bên. Hồ sơ có thể nộp trực tuyến, nhưng hai bên nam, nữ phải "
            "có mặt khi trao Giấy chứng nhận kết hôn. Việc đăng ký được miễn lệ phí."
        ),
        "steps": (
            "Hai bên nam, nữ nộp tờ khai và giấy tờ trên Cổng Dịch vụ công hoặc tại Bộ phận Một "
            "cửa UBND cấp xã.\n"
            "Công chức tư pháp - hộ tịch kiểm tra điều kiện kết hôn; xác minh nếu cần.\n"
            "Hai bên có mặt tại UBND cấp xã, ký vào Giấy chứng nhận kết hôn và Sổ hộ tịch.\n"
            "Chủ tịch UBND cấp xã trao Giấy chứng nhận kết hôn cho hai bên."
        ),
        "legal_basis": f"Luật Hôn nhân và gia đình 2014\n{CIVIL_STATUS_LAW}\n{ONE_STOP_DECREE}",
        "result_type": "Giấy chứng nhận kết hôn (mỗi bên một bản chính)",
        "form_fields": [
            _field("ho_ten_chong", "Họ, chữ đệm và tên bên nam"),
            _field("ngay_sinh_chong", "Ngày sinh bên nam", "date"),
            _field("cccd_chong", "Số định danh cá nhân bên nam", "cccd"),
            _field("noi_cu_tru_chong", "Nơi cư trú bên nam", "address"),
            _field("ho_ten_vo", "Họ, chữ đệm và tên bên nữ"),
            _field("ngay_sinh_vo", "Ngày sinh bên nữ", "date"),
            _field("cccd_vo", "Số định danh cá nhân bên nữ", "cccd"),
            _field("noi_cu_tru_vo", "Nơi cư trú bên nữ", "address"),
            _field(
                "lan_ket_hon",
                "Kết hôn lần thứ",
                "choice",
                choices=("Lần đầu", "Lần thứ hai trở lên"),
            ),
        ],
        "papers": [
            _paper("Tờ khai đăng ký kết hôn theo mẫu", TEMPLATE_NOTE),
            _paper(
                "Giấy xác nhận tình trạng hôn nhân",
                "Bản chính; chỉ khi đăng ký tại nơi không phải nơi thường trú",
                required=False,
                reusable=True,
            ),
            _paper(
                "Bản án, quyết định ly hôn đã có hiệu lực (nếu đã từng kết hôn)",
                COPY_NOTE,
                required=False,
                reusable=True,
            ),
        ],
        "fees": [],
    },
    {
        "code": "1.000656",
        "name": "Đăng ký khai tử",
        "name_en": "Death registration",
        "sector": "ho-tich",
        "level": "commune",
        "agency": PHU_VINH,
        "service_level": "full",
        "processing_days": 0,
        "online_processing_days": None,
        "processing_note": SAME_DAY_NOTE,
        "description": (
            "Đăng ký việc một người đã chết tại UBND cấp xã nơi cư trú cuối cùng của người chết. "
            "Vợ, chồng, con, cha, mẹ hoặc người thân thích khác đăng ký trong 15 ngày kể từ "
            "ngày chết. Đăng ký đúng hạn được miễn lệ phí."
        ),
        "steps": (
            "Người đi đăng ký nộp tờ khai và Giấy báo tử trên Cổng Dịch vụ công hoặc tại Bộ phận "
            "Một cửa UBND cấp xã.\n"
            "Công chức tư pháp - hộ tịch kiểm tra hồ sơ và ghi vào Sổ hộ tịch.\n"
            "Chủ tịch UBND cấp xã ký Trích lục khai tử; thông tin được cập nhật vào Cơ sở dữ liệu "
            "quốc gia về dân cư.\n"
            "Kết quả trả tại Bộ phận Một cửa, qua bưu chính hoặc bản điện tử."
        ),
        "legal_basis": f"{CIVIL_STATUS_LAW}\n{ONE_STOP_DECREE}",
        "result_type": "Trích lục khai tử (bản chính)",
        "form_fields": [
            _field("ho_ten_nguoi_chet", "Họ, chữ đệm và tên người đã chết"),
            _field("ngay_sinh_nguoi_chet", "Ngày sinh người đã chết", "date"),
            _field("cccd_nguoi_chet", "Số định danh cá nhân người đã chết", "cccd"),
            _field("ngay_chet", "Ngày, giờ chết", "date"),
            _field("noi_chet", "Nơi chết", "address"),
            _field("nguyen_nhan_chet", "Nguyên nhân chết", required=False),
            _field("ho_ten_nguoi_di_khai", "Họ, chữ đệm và tên người đi khai tử"),
            _field(
                "quan_he_voi_nguoi_chet",
                "Quan hệ với người đã chết",
                "choice",
                choices=(
                    "Vợ, chồng",
                    "Con",
                    "Cha, mẹ",
                    "Người thân thích khác",
                    "Đại diện cơ quan, tổ chức",
                ),
            ),
        ],
        "papers": [
            _paper("Tờ khai đăng ký khai tử theo mẫu", TEMPLATE_NOTE),
            _paper(
                "Giấy báo tử hoặc giấy tờ thay thế Giấy báo tử",
                "Bản chính do cơ sở y tế, cơ quan có thẩm quyền cấp",
            ),
        ],
        "fees": [],
    },
    {
        "code": "1.004873",
        "name": "Cấp Giấy xác nhận tình trạng hôn nhân",
        "name_en": "Certificate of marital status",
        "sector": "ho-tich",
        "level": "commune",
        "agency": THUAN_HOA,
        "service_level": "full",
        "processing_days": 3,
        "online_processing_days": None,
        "processing_note": "Trường hợp cần xác minh: không quá 23 ngày.",
        "description": (
            "Xác nhận một người chưa kết hôn, đã ly hôn hoặc có vợ, chồng đã chết, để đăng ký "
            "kết hôn hoặc dùng vào mục đích khác. Giấy xác nhận có giá trị 6 tháng kể từ ngày "
            "cấp. Nộp trực tuyến được giảm 40% lệ phí theo Nghị quyết 18/2023 của HĐND tỉnh."
        ),
        "steps": (
            "Người yêu cầu nộp tờ khai trên Cổng Dịch vụ công hoặc tại Bộ phận Một cửa UBND cấp "
            "xã nơi thường trú.\n"
            "Công chức tư pháp - hộ tịch kiểm tra tình trạng hôn nhân trong Cơ sở dữ liệu hộ "
            "tịch.\n"
            "Người yêu cầu nộp lệ phí (trực tuyến hoặc tại quầy).\n"
            "Chủ tịch UBND cấp xã ký Giấy xác nhận; kết quả trả bản điện tử hoặc bản giấy."
        ),
        "legal_basis": f"{CIVIL_STATUS_LAW}\nThông tư 85/2019/TT-BTC\n{ONE_STOP_DECREE}",
        "result_type": "Giấy xác nhận tình trạng hôn nhân",
        "form_fields": [
            _field("ho_ten", "Họ, chữ đệm và tên người được xác nhận"),
            _field("ngay_sinh", "Ngày sinh", "date"),
            _field("cccd", "Số định danh cá nhân", "cccd"),
            _field("noi_cu_tru", "Nơi cư trú", "address"),
            _field(
                "tinh_trang_hon_nhan",
                "Tình trạng hôn nhân hiện tại",
                "choice",
                choices=(
                    "Chưa đăng ký kết hôn với ai",
                    "Đã ly hôn, chưa kết hôn lại",
                    "Vợ hoặc chồng đã chết, chưa kết hôn lại",
                    "Đang có vợ hoặc chồng",
                ),
            ),
            _field(
                "muc_dich_su_dung",
                "Mục đích sử dụng",
                "choice",
                choices=(
                    "Đăng ký kết hôn",
                    "Giao dịch dân sự, tài sản",
                    "Vay vốn ngân hàng",
                    "Mục đích khác",
                ),
            ),
            _field(
                "noi_su_dung",
                "Nơi dự định sử dụng",
                required=False,
                help_text="Ví dụ: UBND phường nơi đăng ký kết hôn",
            ),
        ],
        "papers": [
            _paper("Tờ khai cấp Giấy xác nhận tình trạng hôn nhân theo mẫu", TEMPLATE_NOTE),
            _paper(
                "Bản án, quyết định ly hôn hoặc trích lục khai tử của vợ, chồng (nếu có)",
                COPY_NOTE,
                required=False,
                reusable=True,
            ),
            _paper(
                "Giấy xác nhận tình trạng hôn nhân đã cấp trước đây (nếu xin cấp lại)",
                "Bản chính, nộp lại",
                required=False,
            ),
        ],
        "fees": [
            _fee(
                "le-phi-xac-nhan-tthn",
                "Lệ phí cấp Giấy xác nhận tình trạng hôn nhân",
                15_000,
                "civil_status",
                f"Thông tư 85/2019/TT-BTC; {HUE_CHARGE} hộ tịch",
                unit="bản",
                exempt_groups=CIVIL_STATUS_EXEMPT,
            )
        ],
    },
    {
        "code": "2.000635",
        "name": "Cấp bản sao trích lục hộ tịch",
        "name_en": "Copy of a civil status extract",
        "sector": "ho-tich",
        "level": "commune",
        "agency": PHU_XUAN,
        "service_level": "full",
        "processing_days": 0,
        "online_processing_days": None,
        "processing_note": SAME_DAY_NOTE,
        "description": (
            "Cấp bản sao trích lục các sự kiện hộ tịch đã đăng ký (khai sinh, kết hôn, khai tử…) "
            "từ Sổ hộ tịch hoặc Cơ sở dữ liệu hộ tịch điện tử. Người yêu cầu có thể nhận bản "
            "điện tử vào kho dữ liệu cá nhân hoặc bản giấy. Phí tính theo số bản sao."
        ),
        "steps": (
            "Người yêu cầu khai tờ khai trên Cổng Dịch vụ công hoặc tại Bộ phận Một cửa.\n"
            "Công chức tư pháp - hộ tịch tra cứu Sổ hộ tịch, Cơ sở dữ liệu hộ tịch điện tử.\n"
            "Người yêu cầu nộp phí theo số bản sao.\n"
            "Bản sao trích lục được ký và trả bản điện tử hoặc bản giấy."
        ),
        "legal_basis": f"{CIVIL_STATUS_LAW}\nThông tư 281/2016/TT-BTC",
        "result_type": "Bản sao trích lục hộ tịch",
        "form_fields": [
            _field("ho_ten_nguoi_yeu_cau", "Họ, chữ đệm và tên người yêu cầu"),
            _field("cccd_nguoi_yeu_cau", "Số định danh cá nhân người yêu cầu", "cccd"),
            _field(
                "loai_trich_luc",
                "Loại trích lục",
                "choice",
                choices=(
                    "Khai sinh",
                    "Kết hôn",
                    "Khai tử",
                    "Thay đổi, cải chính hộ tịch",
                    "Loại khác",
                ),
            ),
            _field("ho_ten_nguoi_duoc_cap", "Họ, chữ đệm và tên người có sự kiện hộ tịch"),
            _field(
                "so_dang_ky",
                "Số, quyển sổ đăng ký",
                required=False,
                help_text="Ghi nếu biết, giúp tra cứu nhanh hơn",
            ),
            _field("ngay_dang_ky", "Ngày đăng ký", "date", required=False),
            _field("noi_dang_ky", "Nơi đã đăng ký"),
            _field("so_ban", "Số bản sao yêu cầu", "number"),
        ],
        "papers": [
            _paper("Tờ khai cấp bản sao trích lục hộ tịch theo mẫu", TEMPLATE_NOTE),
            _paper(
                "Văn bản ủy quyền (nếu yêu cầu thay người khác)",
                "Bản chính hoặc bản sao có chứng thực",
                required=False,
            ),
        ],
        "fees": [
            _fee(
                "phi-ban-sao-trich-luc",
                "Phí cấp bản sao trích lục hộ tịch",
                8_000,
                "civil_status_data",
                "Thông tư 281/2016/TT-BTC",
                unit="bản",
            )
        ],
    },
    {
        "code": "2.000815",  # verify
        "name": "Chứng thực bản sao từ bản chính giấy tờ, văn bản",
        "name_en": "Certification of copies from originals",
        "sector": "chung-thuc",
        "level": "commune",
        "agency": PHU_XUAN,
        "service_level": "partial",
        "processing_days": 0,
        "online_processing_days": None,
        "processing_note": (
            "Trường hợp yêu cầu nhiều bản, nhiều trang: thời hạn theo thỏa thuận bằng văn bản."
        ),
        "description": (
            "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan có thẩm quyền của Việt "
            "Nam cấp hoặc chứng nhận. Người yêu cầu có thể gửi trước bản chụp trực tuyến, nhưng "
            "phải xuất trình bản chính để đối chiếu. Bản sao điện tử được chứng thực có giá trị "
            "như bản giấy."
        ),
        "steps": (
            "Người yêu cầu gửi bản chụp trên Cổng hoặc đến Bộ phận Một cửa UBND cấp xã.\n"
            "Xuất trình bản chính để người thực hiện chứng thực đối chiếu.\n"
            "Người thực hiện chứng thực ký, đóng dấu (hoặc ký số) vào bản sao.\n"
            "Nộp phí và nhận bản sao đã chứng thực."
        ),
        "legal_basis": (
            "Nghị định 23/2015/NĐ-CP\nThông tư 01/2020/TT-BTP\nThông tư 226/2016/TT-BTC\n"
            f"{ONE_STOP_DECREE}"
        ),
        "result_type": "Bản sao được chứng thực từ bản chính",
        "form_fields": [
            _field("ho_ten", "Họ, chữ đệm và tên người yêu cầu"),
            _field("cccd", "Số định danh cá nhân", "cccd"),
            _field("ten_giay_to", "Tên giấy tờ, văn bản cần chứng thực"),
            _field("so_trang", "Số trang của giấy tờ", "number"),
            _field("so_ban_sao", "Số bản sao cần chứng thực", "number"),
            _field(
                "hinh_thuc_nhan",
                "Hình thức nhận kết quả",
                "choice",
                choices=(
                    "Nhận tại Bộ phận Một cửa",
                    "Nhận qua bưu chính",
                    "Nhận bản điện tử",
                ),
            ),
        ],
        "papers": [
            _paper(
                "Bản chính giấy tờ, văn bản cần chứng thực",
                "Bản chụp để gửi trước; xuất trình bản chính tại quầy để đối chiếu",
            ),
            _paper(
                "Bản sao cần chứng thực (nếu đã chụp sẵn)",
                "Bản chụp từ bản chính",
                required=False,
            ),
        ],
        "fees": [
            _fee(
                "phi-chung-thuc-ban-sao",
                "Phí chứng thực bản sao từ bản chính: 2.000 đ/trang cho trang 1 và 2; từ trang "
                "thứ 3 là 1.000 đ/trang; tối đa 200.000 đ/bản",
                2_000,
                "authentication",
                "Thông tư 226/2016/TT-BTC",
                unit="trang",
            )
        ],
    },
    {
        "code": "2.000884",  # verify
        "name": "Chứng thực chữ ký trong các giấy tờ, văn bản",
        "name_en": "Certification of signatures",
        "sector": "chung-thuc",
        "level": "commune",
        "agency": THUAN_HOA,
        "service_level": "offline",
        "processing_days": 0,
        "online_processing_days": None,
        "processing_note": SAME_DAY_NOTE,
        "description": (
            "Chứng thực chữ ký của cá nhân trong giấy tờ, văn bản (trừ hợp đồng, giao dịch). "
            "Người yêu cầu phải ký trước mặt người thực hiện chứng thực, nên thủ tục chỉ nộp "
            "trực tiếp tại Bộ phận Một cửa."
        ),
        "steps": (
            "Người yêu cầu mang giấy tờ tùy thân và văn bản cần chứng thực đến Bộ phận Một cửa.\n"
            "Người yêu cầu ký trước mặt người thực hiện chứng thực.\n"
            "Người thực hiện chứng thực ghi lời chứng, ký, đóng dấu và vào sổ chứng thực.\n"
            "Nộp phí và nhận văn bản đã chứng thực chữ ký."
        ),
        "legal_basis": (
            "Nghị định 23/2015/NĐ-CP\nThông tư 01/2020/TT-BTP\nThông tư 226/2016/TT-BTC"
        ),
        "result_type": "Giấy tờ, văn bản đã được chứng thực chữ ký",
        "form_fields": [
            _field("ho_ten", "Họ, chữ đệm và tên người ký"),
            _field("cccd", "Số định danh cá nhân", "cccd"),
            _field("ten_van_ban", "Tên giấy tờ, văn bản cần chứng thực chữ ký"),
            _field("so_ban", "Số bản cần chứng thực", "number"),
            _field("so_dien_thoai", "Số điện thoại liên hệ", "phone", required=False),
        ],
        "papers": [
            _paper(
                "Căn cước, Căn cước công dân hoặc hộ chiếu còn giá trị",
                "Bản chính để đối chiếu",
                reusable=True,
            ),
            _paper("Giấy tờ, văn bản cần chứng thực chữ ký", "Bản chính, chưa ký"),
        ],
        "fees": [
            _fee(
                "phi-chung-thuc-chu-ky",
                "Phí chứng thực chữ ký",
                10_000,
                "authentication",
                "Thông tư 226/2016/TT-BTC",
                unit="trường hợp",
            )
        ],
    },
    {
        "code": "1.004222",  # verify
        "name": "Đăng ký thường trú",
        "name_en": "Permanent residence registration",
        "sector": "cu-tru",
        "level": "commune",
        "agency": CONG_AN_THUAN_HOA,
        "service_level": "full",
        "processing_days": 7,
        "online_processing_days": 5,
        "processing_note": "",
        "description": (
            "Đăng ký nơi thường trú cho công dân có chỗ ở hợp pháp tại phường, xã. Hồ sơ nộp "
            "trực tuyến được giải quyết nhanh hơn và lệ phí chỉ bằng một nửa. Kết quả được cập "
            "nhật vào Cơ sở dữ liệu quốc gia về dân cư và thông báo qua VNeID."
        ),
        "steps": (
            "Công dân khai Tờ khai thay đổi thông tin cư trú (CT01) và nộp giấy tờ chứng minh chỗ "
            "ở hợp pháp trên Cổng Dịch vụ công hoặc tại Công an cấp xã.\n"
            "Công an cấp xã kiểm tra hồ sơ, thẩm định chỗ ở khi cần.\n"
            "Công dân nộp lệ phí.\n"
            "Công an cấp xã cập nhật thông tin thường trú vào Cơ sở dữ liệu về cư trú và thông "
            "báo kết quả."
        ),
        "legal_basis": (
            "Luật Cư trú 2020\nNghị định 154/2024/NĐ-CP\nThông tư 55/2021/TT-BCA\n"
            "Thông tư 75/2022/TT-BTC"
        ),
        "result_type": "Thông báo kết quả đăng ký thường trú (cập nhật Cơ sở dữ liệu về cư trú)",
        "form_fields": [
            _field("ho_ten", "Họ, chữ đệm và tên"),
            _field("cccd", "Số định danh cá nhân", "cccd"),
            _field("ngay_sinh", "Ngày sinh", "date"),
            _field("dia_chi_dang_ky", "Địa chỉ đăng ký thường trú", "address"),
            _field(
                "truong_hop",
                "Trường hợp đăng ký",
                "choice",
                choices=(
                    "Chỗ ở hợp pháp thuộc quyền sở hữu của mình",
                    "Về ở với người thân, được chủ hộ đồng ý",
                    "Thuê, mượn, ở nhờ",
                ),
            ),
            _field("ho_ten_chu_ho", "Họ, chữ đệm và tên chủ hộ", required=False),
            _field(
                "quan_he_voi_chu_ho",
                "Quan hệ với chủ hộ",
                "choice",
                required=False,
                choices=("Chủ hộ", "Vợ, chồng", "Con", "Cha, mẹ", "Người thân khác", "Ở nhờ"),
            ),
            _field("so_dien_thoai", "Số điện thoại liên hệ", "phone"),
        ],
        "papers": [
            _paper("Tờ khai thay đổi thông tin cư trú (Mẫu CT01)", TEMPLATE_NOTE),
            _paper(
                "Giấy tờ, tài liệu chứng minh chỗ ở hợp pháp",
                "Bản sao có chứng thực, bản chụp hoặc bản điện tử",
                reusable=True,
            ),
            _paper(
                "Văn bản đồng ý của chủ hộ, chủ sở hữu chỗ ở",
                "Không cần nếu đã ghi ý kiến đồng ý trên tờ khai",
                required=False,
            ),
        ],
        "fees": [
            _fee(
                "le-phi-thuong-tru",
                "Lệ phí đăng ký thường trú",
                20_000,
                "residence",
                "Thông tư 75/2022/TT-BTC",
                unit="lần",
                online_amount=10_000,
                exempt_groups=SOCIAL_EXEMPT,
            )
        ],
    },
    {
        "code": "1.004194",  # verify
        "name": "Đăng ký tạm trú",
        "name_en": "Temporary residence registration",
        "sector": "cu-tru",
        "level": "commune",
        "agency": CONG_AN_THUAN_HOA,
        "service_level": "full",
        "processing_days": 3,
        "online_processing_days": 2,
        "processing_note": "",
        "description": (
            "Đăng ký tạm trú cho công dân đến sinh sống, làm việc, học tập từ 30 ngày trở lên "
            "tại nơi ngoài nơi thường trú. Thời hạn tạm trú tối đa 02 năm và có thể gia hạn. "
            "Nộp trực tuyến được hưởng mức lệ phí thấp hơn."
        ),
        "steps": (
            "Công dân khai Tờ khai CT01 và nộp giấy tờ chứng minh chỗ ở hợp pháp trên Cổng hoặc "
            "tại Công an cấp xã.\n"
            "Công an cấp xã kiểm tra hồ sơ.\n"
            "Công dân nộp lệ phí.\n"
            "Thông tin tạm trú được cập nhật vào Cơ sở dữ liệu về cư trú và thông báo kết quả."
        ),
        "legal_basis": (
            "Luật Cư trú 2020\nNghị định 154/2024/NĐ-CP\nThông tư 55/2021/TT-BCA\n"
            "Thông tư 75/2022/TT-BTC"
        ),
        "result_type": "Thông báo kết quả đăng ký tạm trú (cập nhật Cơ sở dữ liệu về cư trú)",
        "form_fields": [
            _field("ho_ten", "Họ, chữ đệm và tên"),
            _field("cccd", "Số định danh cá nhân", "cccd"),
            _field("dia_chi_tam_tru", "Địa chỉ đăng ký tạm trú", "address"),
            _field(
                "thoi_han_tam_tru",
                "Thời hạn tạm trú (tháng)",
                "number",
                help_text="Tối đa 24 tháng",
            ),
            _field(
                "ly_do",
                "Lý do tạm trú",
                "choice",
                choices=("Lao động, làm việc", "Học tập", "Chữa bệnh", "Lý do khác"),
            ),
            _field("so_dien_thoai", "Số điện thoại liên hệ", "phone"),
        ],
        "papers": [
            _paper("Tờ khai thay đổi thông tin cư trú (Mẫu CT01)", TEMPLATE_NOTE),
            _paper(
                "Giấy tờ, tài liệu chứng minh chỗ ở hợp pháp",
                "Bản sao có chứng thực, bản chụp hoặc bản điện tử (ví dụ hợp đồng thuê nhà)",
                reusable=True,
            ),
        ],
        "fees": [
            _fee(
                "le-phi-tam-tru",
                "Lệ phí đăng ký tạm trú",
                15_000,
                "residence",
                "Thông tư 75/2022/TT-BTC",
                unit="lần",
                online_amount=7_000,
                exempt_groups=SOCIAL_EXEMPT,
            )
        ],
    },
    {
        "code": "2.001417",  # verify
        "name": "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang cư trú "
        "tại Việt Nam",
        "name_en": "Criminal record certificate",
        "sector": "ly-lich-tu-phap",
        "level": "province",
        "agency": SO_TU_PHAP,
        "service_level": "full",
        "processing_days": 10,
        "online_processing_days": 8,
        "processing_note": "Trường hợp phải xác minh thêm: không quá 15 ngày.",
        "description": (
            "Cấp Phiếu lý lịch tư pháp số 1 hoặc số 2 xác nhận một người có hay không có án tích. "
            "Công dân có thể nộp trực tuyến bằng tài khoản định danh điện tử và nhận Phiếu điện "
            "tử qua VNeID. Hồ sơ trực tuyến được giải quyết sớm hơn."
        ),
        "steps": (
            "Người yêu cầu khai Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp trên Cổng hoặc tại Trung "
            "tâm Phục vụ hành chính công.\n"
            "Người yêu cầu nộp phí.\n"
            "Sở Tư pháp tra cứu, xác minh thông tin lý lịch tư pháp với cơ quan liên quan.\n"
            "Giám đốc Sở Tư pháp ký Phiếu; trả bản điện tử, qua bưu chính hoặc tại quầy."
        ),
        "legal_basis": (
            "Luật Lý lịch tư pháp 2009\nNghị định 111/2010/NĐ-CP\nThông tư 244/2016/TT-BTC"
        ),
        "result_type": "Phiếu lý lịch tư pháp số 1 hoặc số 2",
        "form_fields": [
            _field("ho_ten", "Họ, chữ đệm và tên"),
            _field("ngay_sinh", "Ngày sinh", "date"),
            _field("gioi_tinh", "Giới tính", "choice", choices=GENDER),
            _field("cccd", "Số định danh cá nhân", "cccd"),
            _field("noi_cu_tru", "Nơi cư trú hiện nay", "address"),
            _field(
                "loai_phieu",
                "Loại Phiếu yêu cầu",
                "choice",
                choices=("Phiếu số 1", "Phiếu số 2"),
            ),
            _field("muc_dich", "Mục đích sử dụng Phiếu"),
            _field("so_luong_phieu", "Số lượng Phiếu", "number"),
            _field("so_dien_thoai", "Số điện thoại liên hệ", "phone"),
        ],
        "papers": [
            _paper("Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp theo mẫu", TEMPLATE_NOTE),
            _paper(
                "Căn cước hoặc hộ chiếu của người được cấp Phiếu",
                COPY_NOTE,
                reusable=True,
            ),
            _paper(
                "Văn bản ủy quyền (nếu ủy quyền; không áp dụng với Phiếu số 2)",
                "Bản chính có chứng thực",
                required=False,
            ),
        ],
        "fees": [
            _fee(
                "phi-ly-lich-tu-phap",
                "Phí cung cấp thông tin lý lịch tư pháp",
                200_000,
                "judicial_record",
                "Thông tư 244/2016/TT-BTC",
                unit="lần",
                exempt_groups=SOCIAL_EXEMPT,
            )
        ],
    },
    {
        "code": "2.000720",
        "name": "Đăng ký thành lập hộ kinh doanh",
        "name_en": "Household business registration",
        "sector": "kinh-doanh",
        "level": "commune",
        "agency": PHU_VINH,
        "service_level": "full",
        "processing_days": 3,
        "online_processing_days": None,
        "processing_note": "",
        "description": (
            "Đăng ký thành lập hộ kinh doanh do một cá nhân hoặc các thành viên hộ gia đình làm "
            "chủ, tại UBND cấp xã nơi đặt địa điểm kinh doanh. Hộ kinh doanh được cấp Giấy chứng "
            "nhận đăng ký hộ kinh doanh. Nộp trực tuyến được giảm 40% lệ phí."
        ),
        "steps": (
            "Chủ hộ kinh doanh nộp Giấy đề nghị đăng ký hộ kinh doanh trên Cổng hoặc tại Bộ phận "
            "Một cửa UBND cấp xã.\n"
            "Cơ quan đăng ký kinh doanh kiểm tra tính hợp lệ của hồ sơ và tên hộ kinh doanh.\n"
            "Chủ hộ nộp lệ phí.\n"
            "Cấp Giấy chứng nhận đăng ký hộ kinh doanh; trả bản điện tử hoặc bản giấy."
        ),
        "legal_basis": (
            "Luật Doanh nghiệp 2020\nNghị định 168/2025/NĐ-CP\nThông tư 85/2019/TT-BTC\n"
            "Nghị quyết số 18/2023/NQ-HĐND của HĐND tỉnh Thừa Thiên Huế"
        ),
        "result_type": "Giấy chứng nhận đăng ký hộ kinh doanh",
        "form_fields": [
            _field("ten_ho_kinh_doanh", "Tên hộ kinh doanh"),
            _field("dia_chi_kinh_doanh", "Địa chỉ trụ sở hộ kinh doanh", "address"),
            _field("nganh_nghe", "Ngành, nghề kinh doanh"),
            _field("von_kinh_doanh", "Vốn kinh doanh (đồng)", "number"),
            _field("so_lao_dong", "Số lao động dự kiến", "number", required=False),
            _field("ho_ten_chu_ho", "Họ, chữ đệm và tên chủ hộ kinh doanh"),
            _field("cccd_chu_ho", "Số định danh cá nhân của chủ hộ", "cccd"),
            _field("so_dien_thoai", "Số điện thoại", "phone"),
            _field("email", "Thư điện tử", "email", required=False),
        ],
        "papers": [
            _paper("Giấy đề nghị đăng ký hộ kinh doanh theo mẫu", TEMPLATE_NOTE),
            _paper(
                "Biên bản họp thành viên hộ gia đình (nếu các thành viên cùng đăng ký)",
                "Bản chính",
                required=False,
            ),
            _paper(
                "Văn bản ủy quyền cho người nộp hồ sơ (nếu có)",
                COPY_NOTE,
                required=False,
            ),
        ],
        "fees": [
            _fee(
                "le-phi-ho-kinh-doanh",
                "Lệ phí đăng ký hộ kinh doanh",
                100_000,
                "business_registration",
                f"Thông tư 85/2019/TT-BTC; {HUE_CHARGE}",
                unit="lần",
                exempt_groups=["ho-ngheo"],
            )
        ],
    },
    {
        "code": "1.009994",  # verify
        "name": "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ",
        "name_en": "Building permit for a detached house",
        "sector": "xay-dung",
        "level": "commune",
        "agency": PHU_XUAN,
        "service_level": "partial",
        "processing_days": 15,
        "online_processing_days": 12,
        "processing_note": "",
        "description": (
            "Cấp giấy phép xây dựng mới nhà ở riêng lẻ cho hộ gia đình, cá nhân. Hồ sơ và bản vẽ "
            "nộp trực tuyến; giấy phép kèm bản vẽ được đóng dấu nhận tại Bộ phận Một cửa hoặc qua "
            "bưu chính. Nộp trực tuyến được giảm 40% lệ phí."
        ),
        "steps": (
            "Chủ đầu tư nộp đơn, giấy tờ về đất và bản vẽ thiết kế trên Cổng hoặc tại Bộ phận Một "
            "cửa UBND cấp xã.\n"
            "Cơ quan cấp phép kiểm tra hồ sơ, thẩm định và khảo sát thực địa khi cần.\n"
            "Chủ đầu tư nộp lệ phí.\n"
            "Chủ tịch UBND cấp xã ký giấy phép; trả giấy phép và bản vẽ có đóng dấu."
        ),
        "legal_basis": (
            "Luật Xây dựng 2014 (sửa đổi 2020)\nNghị định 175/2024/NĐ-CP\nThông tư 85/2019/TT-BTC"
        ),
        "result_type": "Giấy phép xây dựng kèm bản vẽ thiết kế có đóng dấu",
        "form_fields": [
            _field("ho_ten_chu_dau_tu", "Họ, chữ đệm và tên chủ đầu tư"),
            _field("cccd", "Số định danh cá nhân", "cccd"),
            _field("so_dien_thoai", "Số điện thoại", "phone"),
            _field("dia_diem_xay_dung", "Địa điểm xây dựng", "address"),
            _field("so_thua_dat", "Thửa đất số, tờ bản đồ số"),
            _field("dien_tich_xay_dung", "Diện tích xây dựng tầng 1 (m²)", "number"),
            _field("so_tang", "Số tầng", "number"),
            _field("tong_dien_tich_san", "Tổng diện tích sàn (m²)", "number"),
        ],
        "papers": [
            _paper("Đơn đề nghị cấp giấy phép xây dựng theo mẫu", TEMPLATE_NOTE),
            _paper(
                "Giấy chứng nhận quyền sử dụng đất",
                COPY_NOTE,
                reusable=True,
            ),
            _paper(
                "Bản vẽ thiết kế xây dựng (mặt bằng, mặt cắt, mặt đứng, móng)",
                "Bản chụp khổ giấy gốc, định dạng PDF",
                accepted_types="pdf",
                max_size_mb=30,
            ),
        ],
        "fees": [
            _fee(
                "le-phi-gpxd-nha-o",
                "Lệ phí cấp giấy phép xây dựng nhà ở riêng lẻ",
                75_000,
                "construction",
                f"Thông tư 85/2019/TT-BTC; {HUE_CHARGE}",
                unit="giấy phép",
            )
        ],
    },
    {
        "code": "1.004227",  # verify
        "name": "Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất",
        "name_en": "Registration of changes in land-use rights",
        "sector": "dat-dai",
        "level": "province",
        "agency": SO_NN_MT,
        "service_level": "partial",
        "processing_days": 10,
        "online_processing_days": None,
        "processing_note": "Không kể thời gian thực hiện nghĩa vụ tài chính của người sử dụng đất.",
        "description": (
            "Đăng ký các thay đổi về quyền sử dụng đất như chuyển nhượng, tặng cho, thừa kế, thế "
            "chấp hoặc thay đổi thông tin người sử dụng đất. Văn phòng đăng ký đất đai xác nhận "
            "biến động trên Giấy chứng nhận hoặc cấp Giấy chứng nhận mới. Bản chính Giấy chứng "
            "nhận phải nộp tại quầy."
        ),
        "steps": (
            "Người sử dụng đất nộp đơn và hợp đồng, văn bản chuyển quyền trên Cổng hoặc tại Trung "
            "tâm Phục vụ hành chính công.\n"
            "Nộp bản chính Giấy chứng nhận đã cấp tại quầy hoặc qua bưu chính.\n"
            "Văn phòng đăng ký đất đai kiểm tra, chuyển thông tin để xác định nghĩa vụ tài chính.\n"
            "Người sử dụng đất nộp lệ phí, thuế; nhận Giấy chứng nhận đã xác nhận biến động."
        ),
        "legal_basis": (
            "Luật Đất đai 2024\nNghị định 101/2024/NĐ-CP\nThông tư 85/2019/TT-BTC\n"
            "Nghị quyết số 18/2023/NQ-HĐND của HĐND tỉnh Thừa Thiên Huế"
        ),
        "result_type": "Giấy chứng nhận quyền sử dụng đất được xác nhận biến động hoặc cấp mới",
        "form_fields": [
            _field("ho_ten", "Họ, chữ đệm và tên người sử dụng đất"),
            _field("cccd", "Số định danh cá nhân", "cccd"),
            _field("dia_chi_thua_dat", "Địa chỉ thửa đất", "address"),
            _field("so_to_ban_do", "Tờ bản đồ số"),
            _field("so_thua", "Thửa đất số"),
            _field("so_phat_hanh_gcn", "Số phát hành Giấy chứng nhận đã cấp"),
            _field(
                "noi_dung_bien_dong",
                "Nội dung biến động",
                "choice",
                choices=(
                    "Chuyển nhượng",
                    "Tặng cho",
                    "Thừa kế",
                    "Thế chấp",
                    "Thay đổi thông tin người sử dụng đất",
                    "Nội dung khác",
                ),
            ),
            _field("so_dien_thoai", "Số điện thoại", "phone"),
        ],
        "papers": [
            _paper(
                "Đơn đăng ký biến động đất đai, tài sản gắn liền với đất theo mẫu", TEMPLATE_NOTE
            ),
            _paper(
                "Giấy chứng nhận quyền sử dụng đất đã cấp",
                "Bản chính; bản chụp nộp trực tuyến, bản chính nộp tại quầy",
                reusable=True,
            ),
            _paper(
                "Hợp đồng, văn bản về chuyển quyền sử dụng đất",
                "Bản chính đã công chứng hoặc chứng thực",
                required=False,
            ),
        ],
        "fees": [
            _fee(
                "le-phi-bien-dong-dat",
                "Lệ phí chứng nhận đăng ký biến động đất đai",
                28_000,
                "land",
                f"Thông tư 85/2019/TT-BTC; {HUE_CHARGE}",
                unit="lần",
                exempt_groups=["ho-ngheo", "nguoi-co-cong"],
            )
        ],
    },
    {
        "code": "2.000205",  # verify
        "name": "Cấp giấy phép lao động cho người lao động nước ngoài làm việc tại Việt Nam",
        "name_en": "Work permit for foreign workers",
        "sector": "lao-dong",
        "level": "province",
        "agency": SO_NOI_VU,
        "service_level": "full",
        "processing_days": 5,
        "online_processing_days": None,
        "processing_note": "",
        "description": (
            "Cấp giấy phép lao động cho người nước ngoài làm nhà quản lý, giám đốc điều hành, "
            "chuyên gia hoặc lao động kỹ thuật tại doanh nghiệp trên địa bàn. Người sử dụng lao "
            "động nộp hồ sơ ít nhất 15 ngày trước ngày người lao động dự kiến bắt đầu làm việc. "
            "Nộp trực tuyến được giảm 40% lệ phí."
        ),
        "steps": (
            "Người sử dụng lao động nộp văn bản đề nghị và hồ sơ của người lao động trên Cổng.\n"
            "Sở Nội vụ kiểm tra hồ sơ; yêu cầu bổ sung một lần nếu chưa đủ.\n"
            "Người sử dụng lao động nộp lệ phí.\n"
            "Sở Nội vụ cấp giấy phép lao động; trả bản điện tử hoặc qua bưu chính."
        ),
        "legal_basis": (
            "Bộ luật Lao động 2019\nNghị định 152/2020/NĐ-CP\nNghị định 70/2023/NĐ-CP\n"
            "Nghị quyết số 18/2023/NQ-HĐND của HĐND tỉnh Thừa Thiên Huế"
        ),
        "result_type": "Giấy phép lao động",
        "form_fields": [
            _field("ten_doanh_nghiep", "Tên người sử dụng lao động (doanh nghiệp, tổ chức)"),
            _field("ma_so_doanh_nghiep", "Mã số doanh nghiệp"),
            _field("ho_ten_nguoi_lao_dong", "Họ và tên người lao động nước ngoài"),
            _field("quoc_tich", "Quốc tịch"),
            _field("so_ho_chieu", "Số hộ chiếu"),
            _field(
                "vi_tri_cong_viec",
                "Vị trí công việc",
                "choice",
                choices=(
                    "Nhà quản lý",
                    "Giám đốc điều hành",
                    "Chuyên gia",
                    "Lao động kỹ thuật",
                ),
            ),
            _field(
                "thoi_han_lam_viec",
                "Thời hạn làm việc (tháng)",
                "number",
                help_text="Tối đa 24 tháng",
            ),
            _field("dia_diem_lam_viec", "Địa điểm làm việc", "address"),
            _field("email", "Thư điện tử liên hệ", "email"),
        ],
        "papers": [
            _paper("Văn bản đề nghị cấp giấy phép lao động theo mẫu", TEMPLATE_NOTE),
            _paper(
                "Giấy chứng nhận sức khỏe",
                "Bản chính hoặc bản sao có chứng thực, cấp trong 12 tháng",
            ),
            _paper(
                "Phiếu lý lịch tư pháp hoặc văn bản xác nhận không phải người phạm tội",
                "Cấp không quá 6 tháng",
            ),
            _paper(
                "Văn bản chứng minh là nhà quản lý, chuyên gia hoặc lao động kỹ thuật",
                COPY_NOTE,
            ),
            _paper("Hộ chiếu còn giá trị", "Bản sao có chứng thực"),
        ],
        "fees": [
            _fee(
                "le-phi-gpld",
                "Lệ phí cấp giấy phép lao động",
                600_000,
                "work_permit",
                f"Thông tư 85/2019/TT-BTC; {HUE_CHARGE}",
                unit="giấy phép",
            )
        ],
    },
]


# --- result templates (issue 5): the documents the portal generates and signs at approval ---

GENERIC_RESULT_TEMPLATE = """<h1>{{ result_title }}</h1>
<p class="subtitle">Kết quả giải quyết thủ tục hành chính “{{ procedure.name }}”</p>
<p>{{ agency.name }} xác nhận đã giải quyết xong hồ sơ số <strong>{{ dossier.code }}</strong>
nộp ngày {{ dossier.submitted_at|date:"d/m/Y" }} của:</p>
<table class="rows">
  <tr><th scope="row">Họ và tên</th><td>{{ applicant.full_name }}</td></tr>
  <tr><th scope="row">Số định danh cá nhân</th><td>{{ applicant.cccd|default:"—" }}</td></tr>
  <tr><th scope="row">Ngày sinh</th>
    <td>{{ applicant.date_of_birth|date:"d/m/Y"|default:"—" }}</td></tr>
  <tr><th scope="row">Địa chỉ</th><td>{{ applicant.address|default:"—" }}</td></tr>
</table>
<p>Văn bản này là bản điện tử có chữ ký số của cơ quan, có giá trị pháp lý như bản giấy và được
lưu trong kho dữ liệu của công dân trên Cổng Dịch vụ công.</p>"""

BIRTH_RESULT_TEMPLATE = """<h1>Giấy khai sinh</h1>
<p class="subtitle">(Bản điện tử)</p>
<table class="rows">
  <tr><th scope="row">Họ, chữ đệm, tên</th>
    <td><strong>{{ form.ho_ten_tre|upper }}</strong></td></tr>
  <tr><th scope="row">Ngày, tháng, năm sinh</th><td>{{ form.ngay_sinh|date:"d/m/Y" }}</td></tr>
  <tr><th scope="row">Giới tính</th><td>{{ form.gioi_tinh }}</td></tr>
  <tr><th scope="row">Nơi sinh</th><td>{{ form.noi_sinh }}</td></tr>
  <tr><th scope="row">Quốc tịch</th><td>{{ form.quoc_tich }}</td></tr>
  <tr><th scope="row">Họ, chữ đệm, tên người mẹ</th><td>{{ form.ho_ten_me }}</td></tr>
  <tr><th scope="row">Họ, chữ đệm, tên người cha</th><td>{{ form.ho_ten_cha|default:"—" }}</td></tr>
  <tr><th scope="row">Người đi đăng ký khai sinh</th><td>{{ applicant.full_name }}</td></tr>
</table>
<p>Đăng ký tại {{ agency.name }} theo hồ sơ số {{ dossier.code }}.</p>"""

for _procedure in PROCEDURES:
    _procedure.setdefault(
        "result_template",
        GENERIC_RESULT_TEMPLATE.replace(
            "{{ result_title }}", _procedure["result_type"].split(",")[0].split("(")[0].strip()
        ),
    )
PROCEDURES[0]["result_template"] = BIRTH_RESULT_TEMPLATE
