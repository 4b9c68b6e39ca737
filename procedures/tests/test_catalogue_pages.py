"""Public catalogue pages: home, list with filters, detail; bad input and language."""

import pytest
from django.urls import reverse

from procedures.tests.factories import ProcedureFactory

pytestmark = pytest.mark.django_db
CATALOGUE = reverse("procedures:catalogue")


def test_home_has_a_labelled_search_box_and_sectors(client, birth_registration):
    html = client.get("/").content.decode()

    assert '<label for="home-q">' in html and 'id="home-q"' in html
    assert 'href="#main"' in html  # skip link
    assert "?sector=ho-tich" in html


def test_catalogue_search_without_accents_finds_the_procedure(client, birth_registration):
    html = client.get(CATALOGUE, {"q": "dang ky khai sinh"}).content.decode()

    assert "Đăng ký khai sinh" in html
    assert reverse("procedures:detail", args=["1.001193"]) in html


def test_catalogue_shows_both_prices_in_the_list(client, business_registration):
    html = client.get(CATALOGUE).content.decode()

    assert "60.000 đ" in html and "100.000 đ" in html


def test_htmx_request_gets_only_the_results(client, birth_registration):
    response = client.get(CATALOGUE, {"q": "khai sinh"}, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and "Đăng ký khai sinh" in html


@pytest.mark.parametrize(
    "params", [{"page": "abc"}, {"page": "50"}, {"level": "galaxy"}, {"q": "x" * 101}]
)
def test_bad_page_or_filter_is_a_400_with_a_message(client, birth_registration, params):
    response = client.get(CATALOGUE, params)

    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()


def test_pagination_keeps_the_filters(client):
    for n in range(25):
        ProcedureFactory(name=f"Cấp giấy phép số {n}")

    html = client.get(CATALOGUE, {"q": "giay phep"}).content.decode()

    assert "q=giay+phep&amp;page=2" in html


def test_detail_shows_papers_form_time_and_online_price(client, business_registration):
    html = client.get(
        reverse("procedures:detail", args=[business_registration.code])
    ).content.decode()

    assert "60.000 đ" in html and "100.000 đ" in html
    assert "18/2023" in html  # the legal basis of the discount is named
    assert "2 ngày làm việc" in html or "2 working days" in html


def test_detail_of_unknown_or_unpublished_procedure_is_404(client):
    draft = ProcedureFactory(draft=True)

    assert client.get(reverse("procedures:detail", args=["1.999999"])).status_code == 404
    assert client.get(reverse("procedures:detail", args=[draft.code])).status_code == 404


def test_interface_switches_to_english(client, birth_registration):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})

    html = client.get(reverse("procedures:detail", args=["1.001193"])).content.decode()

    assert '<html lang="en">' in html
    assert "Birth registration" in html


def test_list_page_query_count_is_constant(client, django_assert_max_num_queries):
    from procedures.tests.factories import FeeItemFactory

    for _ in range(20):
        FeeItemFactory(procedure=ProcedureFactory())
    with django_assert_max_num_queries(12):
        assert client.get(CATALOGUE).status_code == 200


def test_a_repeated_list_page_is_served_from_the_cache(
    client, birth_registration, django_assert_max_num_queries
):
    client.get(CATALOGUE, {"q": "khai sinh"})

    with django_assert_max_num_queries(0):
        assert client.get(CATALOGUE, {"q": "khai sinh"}).status_code == 200


def test_an_edit_shows_on_the_list_page_at_once(client, birth_registration):
    client.get(CATALOGUE)

    birth_registration.name = "Đăng ký khai sinh có yếu tố nước ngoài"
    birth_registration.save()

    assert "có yếu tố nước ngoài" in client.get(CATALOGUE).content.decode()


def test_unpublishing_removes_the_procedure_from_the_cached_list(client, birth_registration):
    from procedures.services import procedure_unpublish

    assert "Đăng ký khai sinh" in client.get(CATALOGUE).content.decode()
    procedure_unpublish(procedure=birth_registration)

    assert "Đăng ký khai sinh" not in client.get(CATALOGUE).content.decode()


def test_a_visitor_without_session_gets_the_whole_page_from_the_cache(
    client, birth_registration, django_assert_max_num_queries
):
    first = client.get(CATALOGUE, {"q": "khai sinh"})

    with django_assert_max_num_queries(0):
        second = client.get(CATALOGUE, {"q": "khai sinh"})

    assert second.content == first.content
    assert "csrfmiddlewaretoken" not in first.content.decode()


def test_a_logged_in_citizen_never_gets_a_visitor_page(client, birth_registration):
    from accounts.tests.factories import UserFactory

    client.get(CATALOGUE)  # fills the visitors' cache
    user = UserFactory(full_name="Lê Thị Hoa")
    client.force_login(user)

    html = client.get(CATALOGUE).content.decode()

    assert reverse("account_logout") in html and "Lê Thị Hoa" in html


def test_a_flash_message_is_never_cached_for_others(client, birth_registration, monkeypatch):
    from procedures import cache

    stored = []
    real_store = cache.store
    monkeypatch.setattr(
        cache, "store", lambda key, *a, **kw: stored.append(key) or real_store(key, *a, **kw)
    )
    client.cookies["messages"] = "anything"
    client.get(CATALOGUE)
    assert not [key for key in stored if "page-full" in key]

    del client.cookies["messages"]
    client.get(CATALOGUE)
    assert [key for key in stored if "page-full" in key]


def test_language_switch_is_a_link_that_sets_the_cookie_and_returns(client, birth_registration):
    response = client.get(reverse("switch-language"), {"language": "en", "next": CATALOGUE})

    assert response.status_code == 302 and response["Location"] == CATALOGUE
    assert response.cookies["django_language"].value == "en"
    assert '<html lang="en">' in client.get(CATALOGUE).content.decode()


def test_language_switch_refuses_to_send_visitors_elsewhere(client):
    response = client.get(
        reverse("switch-language"), {"language": "xx", "next": "https://evil.example/"}
    )

    assert response["Location"] == "/" and "django_language" not in response.cookies
