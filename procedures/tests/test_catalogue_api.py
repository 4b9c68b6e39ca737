"""The catalogue API contract (../shared/API.md "Catalogue") and its answers to bad input."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from procedures.tests.factories import (
    AgencyFactory,
    FeeItemFactory,
    ProcedureFactory,
    SectorFactory,
)

pytestmark = pytest.mark.django_db
LIST = "/api/v1/procedures/"


def test_list_item_has_the_contract_fields(client, birth_registration):
    body = client.get(LIST).json()

    assert set(body) == {"count", "next", "previous", "results"}
    item = body["results"][0]
    assert {
        "code",
        "name",
        "sector",
        "level",
        "service_level",
        "agency",
        "processing_days",
        "online_processing_days",
        "fee_summary",
    } <= set(item)
    assert item["sector"] == {"code": "ho-tich", "name": "Hộ tịch", "name_en": ""}
    assert item["agency"] == {"code": "000.21.30.H57", "name": "UBND phường Thuận Hóa"}
    assert item["fee_summary"]["free"] is True


@pytest.mark.parametrize("search", ["khai sinh", "KHAI SINH", "Khai sinh", "dang ky khai sinh"])
def test_search_is_case_and_accent_insensitive(client, birth_registration, search):
    ProcedureFactory(name="Đăng ký kết hôn")

    results = client.get(LIST, {"search": search}).json()["results"]

    assert [r["code"] for r in results] == ["1.001193"]


def test_filters_by_sector_level_service_level_and_agency(client, birth_registration):
    other = ProcedureFactory(
        sector=SectorFactory(code="dat-dai"), agency=AgencyFactory(), level="province"
    )

    def codes(**params):
        return [r["code"] for r in client.get(LIST, params).json()["results"]]

    assert codes(sector="ho-tich") == ["1.001193"]
    assert codes(sector="dat-dai") == [other.code]
    assert codes(level="province") == [other.code]
    assert codes(agency="000.21.30.H57") == ["1.001193"]
    assert codes(service_level="offline") == []


def test_unpublished_procedures_are_not_listed_nor_shown(client):
    draft = ProcedureFactory(draft=True)

    assert client.get(LIST).json()["count"] == 0
    response = client.get(f"{LIST}{draft.code}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_detail_has_papers_form_schema_fees_and_discounts(client, business_registration):
    body = client.get(f"{LIST}{business_registration.code}/").json()

    assert body["fees"] == [
        {
            "code": "le-phi",
            "name": "Lệ phí",
            "amount": 100_000,
            "online_amount": None,
            "unit": "",
            "category": "business_registration",
            "legal_basis": "",
        }
    ]
    assert body["online_discounts"][0]["percent"] == 40
    assert body["online_discounts"][0]["valid_from"] == "2023-09-01"
    assert body["fee_summary"]["counter"] == 100_000
    assert body["fee_summary"]["online"] == 60_000
    assert body["fee_quote"]["online"]["net"] == 60_000
    assert body["online_processing_days"] == 2


def test_detail_exposes_the_form_as_json_schema(client, birth_registration):
    body = client.get(f"{LIST}1.001193/").json()

    schema = body["form_schema"]
    assert schema["type"] == "object"
    assert schema["required"] == ["ho_ten_tre", "gioi_tinh"]
    assert schema["properties"]["gioi_tinh"]["enum"] == ["Nam", "Nữ"]
    papers = body["required_documents"]
    assert [p["name"] for p in papers] == ["Giấy chứng sinh", "Giấy chứng nhận kết hôn"]
    assert papers[0] | {"id": 0} == {
        "id": 0,
        "name": "Giấy chứng sinh",
        "name_en": "",
        "note": "",
        "required": True,
        "accepted_types": ["pdf", "jpg", "png"],
        "max_size_mb": 10,
        "reusable": False,
        "template_url": None,
    }
    assert papers[1]["required"] is False and papers[1]["reusable"] is True
    assert body["steps"] == ["Nộp hồ sơ", "Nhận kết quả"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"colour": "red"}, "colour"),
        ({"page": "abc"}, "page"),
        ({"page": "0"}, "page"),
        ({"page": "99"}, "page"),
        ({"page_size": "1000"}, "page_size"),
        ({"page_size": "x"}, "page_size"),
        ({"level": "galaxy"}, "level"),
        ({"service_level": "maybe"}, "service_level"),
        ({"search": "x" * 101}, "search"),
    ],
)
def test_bad_parameters_answer_400_with_a_message(client, birth_registration, params, field):
    response = client.get(LIST, params)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["detail"]
    assert field in body["fields"]


def test_errors_speak_english_when_asked(client, birth_registration):
    response = client.get(LIST, {"page": "x"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.json()["fields"]["page"] == ["Page must be a whole number, 1 or more."]


def test_pagination_and_page_size(client):
    for _ in range(5):
        ProcedureFactory()

    first = client.get(LIST, {"page_size": 2}).json()
    last = client.get(LIST, {"page_size": 2, "page": 3}).json()

    assert first["count"] == 5 and len(first["results"]) == 2 and first["next"]
    assert len(last["results"]) == 1 and last["next"] is None


def _list_queries(client, page_size):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(LIST, {"page_size": page_size}).status_code == 200
    return len(ctx.captured_queries)


def test_list_query_count_does_not_grow_with_page_size(client, django_assert_max_num_queries):
    for _ in range(30):
        procedure = ProcedureFactory()
        FeeItemFactory(procedure=procedure)
    small = _list_queries(client, 2)
    from django.core.cache import cache

    cache.clear()
    with django_assert_max_num_queries(small):
        assert client.get(LIST, {"page_size": 30}).status_code == 200


def test_detail_query_count_is_bounded(
    client, business_registration, django_assert_max_num_queries
):
    with django_assert_max_num_queries(10):
        client.get(f"{LIST}{business_registration.code}/")


def test_cached_answer_is_refreshed_by_a_catalogue_edit(client, birth_registration):
    assert client.get(LIST).json()["results"][0]["name"] == "Đăng ký khai sinh"

    birth_registration.name = "Đăng ký khai sinh (sửa đổi)"
    birth_registration.save()

    assert client.get(LIST).json()["results"][0]["name"] == "Đăng ký khai sinh (sửa đổi)"


def test_a_second_identical_request_is_served_without_queries(
    client, birth_registration, django_assert_max_num_queries
):
    client.get(LIST)
    with django_assert_max_num_queries(0):
        assert client.get(LIST).status_code == 200


def test_sectors_and_agencies(client, birth_registration):
    sectors = client.get("/api/v1/sectors/").json()
    agencies = client.get("/api/v1/agencies/").json()

    assert {"code": "ho-tich", "name": "Hộ tịch", "name_en": ""} in sectors["results"]
    assert agencies["results"][0]["code"] == "000.21.30.H57"
    assert client.get("/api/v1/agencies/", {"bogus": 1}).status_code == 400


def test_catalogue_api_is_read_only(client, birth_registration):
    response = client.post(LIST, {"code": "1.000001"})

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_schema_and_swagger_ui_are_served_offline(client):
    schema = client.get("/api/schema/")
    docs = client.get("/api/docs/")

    assert schema.status_code == 200 and b"/api/v1/procedures/" in schema.content
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()


def test_a_cached_answer_is_json_and_a_client_refusing_json_is_not_given_it(
    client, birth_registration
):
    client.get(LIST)

    cached = client.get(LIST, HTTP_ACCEPT="application/json")
    refused = client.get(LIST, HTTP_ACCEPT="text/csv")

    assert cached.status_code == 200 and cached["Content-Type"] == "application/json"
    assert refused.status_code == 406
