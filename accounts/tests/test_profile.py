"""The profile: CCCD rules, one account per CCCD and per phone, the page is always "me"."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.identity import cccd_errors
from accounts.models import User
from accounts.services import profile_update
from accounts.tests.factories import UserFactory
from portal.errors import DomainError

pytestmark = pytest.mark.django_db

PROFILE = reverse("accounts:profile")
MAN_1995 = {"id_number": "046095012345", "birth_date": dt.date(1995, 6, 1), "sex": "male"}


def _errors(**changes) -> dict[str, list[str]]:
    user = changes.pop("user", None) or UserFactory()
    with pytest.raises(DomainError) as error:
        profile_update(user=user, **changes)
    return error.value.fields


# --- The service: every rule with its own message ------------------------------------------


@pytest.mark.parametrize(
    ("number", "birth_date", "sex"),
    [
        ("046095012345", dt.date(1995, 6, 1), "male"),  # Thừa Thiên Huế, man, 1995
        ("046195012345", dt.date(1995, 6, 1), "female"),  # 4th digit 1: woman, 1900s
        ("046203012345", dt.date(2003, 1, 9), "male"),  # 4th digit 2: man, 2000s
    ],
)
def test_a_cccd_that_agrees_with_birth_date_and_sex_is_saved(number, birth_date, sex):
    user = UserFactory()

    profile_update(user=user, id_number=number, birth_date=birth_date, sex=sex)

    user.refresh_from_db()
    assert (user.id_number, user.birth_date, user.sex) == (number, birth_date, sex)


def test_a_cccd_typed_with_spaces_is_stored_as_12_digits():
    user = UserFactory()

    profile_update(user=user, id_number="046 095 012 345", **{"birth_date": dt.date(1995, 1, 1)})

    assert User.objects.get(pk=user.pk).id_number == "046095012345"


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"id_number": "04609501234"}, "A CCCD number has exactly 12 digits"),
        ({"id_number": "04609501234a"}, "A CCCD number has exactly 12 digits"),
        ({"id_number": "999095012345"}, "The first three digits (999) are not a province code."),
        (
            {"id_number": "046095012345", "birth_date": dt.date(1996, 1, 1)},
            "The CCCD says born in 1995 (digits 4 to 6), but the date of birth is in 1996.",
        ),
        (
            {"id_number": "046203012345", "birth_date": dt.date(1903, 1, 1)},
            "The CCCD says born in 2003 (digits 4 to 6), but the date of birth is in 1903.",
        ),
        (
            {"id_number": "046095012345", "sex": "female"},
            "The 4th digit of the CCCD is for a man; the sex given is female.",
        ),
        (
            {"id_number": "046195012345", "sex": "male"},
            "The 4th digit of the CCCD is for a woman; the sex given is male.",
        ),
    ],
)
def test_each_cccd_failure_has_its_own_message(changes, expected):
    errors = _errors(**changes)

    assert list(errors) == ["id_number"]
    assert any(message.startswith(expected) for message in errors["id_number"])
    assert errors["id_number"] == cccd_errors(
        changes["id_number"], birth_date=changes.get("birth_date"), sex=changes.get("sex")
    )


def test_a_cccd_can_fail_on_birth_year_and_sex_at_once():
    errors = _errors(id_number="046095012345", birth_date=dt.date(1990, 1, 1), sex="female")

    assert len(errors["id_number"]) == 2


def test_changing_only_the_birth_date_is_checked_against_the_stored_cccd():
    user = UserFactory(with_profile=True)  # born 1995, CCCD 046095…

    errors = _errors(user=user, birth_date=dt.date(1994, 12, 31))

    assert "born in 1995" in errors["id_number"][0]
    user.refresh_from_db()
    assert user.birth_date == dt.date(1995, 3, 14)


def test_one_account_per_cccd_without_saying_whose():
    owner = UserFactory(full_name="Nguyễn Thị Chủ", email="chu@example.vn", **MAN_1995)

    errors = _errors(**MAN_1995)

    message = errors["id_number"][0]
    assert message.startswith("Another account already uses this CCCD number.")
    assert owner.full_name not in message and owner.email not in message
    assert User.objects.filter(id_number=MAN_1995["id_number"]).count() == 1


def test_saving_ones_own_cccd_again_is_not_a_duplicate():
    user = UserFactory(**MAN_1995)

    profile_update(user=user, **MAN_1995, full_name="Nguyễn Văn An")

    assert User.objects.get(pk=user.pk).full_name == "Nguyễn Văn An"


def test_the_date_of_birth_cannot_be_in_the_future():
    tomorrow = timezone.localdate() + dt.timedelta(days=1)

    errors = _errors(birth_date=tomorrow)

    assert errors == {"birth_date": ["The date of birth cannot be in the future."]}


def test_the_phone_is_stored_in_one_form_and_must_be_confirmed_again_when_changed():
    user = UserFactory(with_phone=True)

    profile_update(user=user, phone="0912 345 678")

    user.refresh_from_db()
    assert user.phone == "+84912345678" and not user.phone_verified


def test_the_same_phone_in_another_spelling_belongs_to_one_account_only():
    UserFactory(phone="+84912345678")

    errors = _errors(phone="0912.345.678")

    assert errors == {"phone": ["Another account already uses this phone number."]}


def test_a_phone_that_is_not_a_mobile_number_is_refused():
    errors = _errors(phone="0234 3822 527")

    assert "0912 345 678" in errors["phone"][0]


def test_empty_values_clear_the_fields_and_nothing_else_changes():
    user = UserFactory(with_profile=True, with_phone=True)

    profile_update(user=user, id_number="", phone="")

    user.refresh_from_db()
    assert user.id_number is None and user.phone is None
    assert user.birth_date == dt.date(1995, 3, 14) and user.address


def test_nothing_is_saved_when_one_field_is_wrong():
    user = UserFactory(full_name="Cũ")

    _errors(user=user, full_name="Mới", id_number="999095012345")

    assert User.objects.get(pk=user.pk).full_name == "Cũ"


def test_names_and_addresses_are_tidied():
    user = UserFactory()

    profile_update(user=user, full_name="  Lê   Văn  Tám ", address=" 1  Lê Lợi ")

    user.refresh_from_db()
    assert (user.full_name, user.address) == ("Lê Văn Tám", "1 Lê Lợi")


# --- The page --------------------------------------------------------------------------------


def test_the_profile_page_needs_a_log_in(client):
    response = client.get(PROFILE)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert client.post(PROFILE, {"full_name": "X"}).status_code == 302


def test_the_page_shows_the_persons_own_details_in_our_layout(client):
    user = UserFactory(with_profile=True, phone="+84912345678")
    client.force_login(user)

    html = client.get(PROFILE).content.decode()

    assert user.id_number in html and "14/03/1995" in html and "0912 345 678" in html
    assert 'class="skip-link"' in html
    for field in ("full_name", "id_number", "birth_date", "sex", "phone", "address"):
        assert f'<label for="id_{field}">' in html
    assert 'autocomplete="bday"' in html and 'inputmode="tel"' in html
    assert "Your phone number is not confirmed yet." in html


def test_saving_the_page_updates_the_profile(client):
    user = UserFactory()
    client.force_login(user)

    response = client.post(
        PROFILE,
        {
            "full_name": "Trần Thị Hoa",
            "id_number": "046195012345",
            "birth_date": "01/06/1995",
            "sex": "female",
            "phone": "0912 345 678",
            "address": "12 Lê Lợi, Huế",
        },
    )

    assert response.status_code == 302 and response["Location"] == PROFILE
    user.refresh_from_db()
    assert user.id_number == "046195012345" and user.birth_date == dt.date(1995, 6, 1)
    assert user.phone == "+84912345678"


def test_errors_are_summarised_at_the_top_and_shown_at_each_field(client):
    client.force_login(UserFactory())

    response = client.post(
        PROFILE,
        {"id_number": "046095012345", "birth_date": "01/06/1996", "sex": "male", "phone": "123"},
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html
    assert 'href="#id_id_number"' in html and 'href="#id_phone"' in html
    assert 'id="id_id_number_error"' in html and 'aria-invalid="true"' in html
    assert "but the date of birth is in 1996" in html


def test_a_badly_written_date_is_explained(client):
    client.force_login(UserFactory())

    response = client.post(PROFILE, {"birth_date": "1995/31/12"})

    assert "Enter a date as day/month/year, e.g. 25/12/1960." in response.content.decode()


def test_a_second_person_sees_and_changes_only_their_own_profile(client):
    first = UserFactory(full_name="Người Thứ Nhất", with_profile=True)
    second = UserFactory(full_name="Người Thứ Hai")
    client.force_login(second)

    html = client.get(PROFILE).content.decode()
    assert "Người Thứ Nhất" not in html and first.id_number not in html

    client.post(PROFILE, {"full_name": "Đổi Tên"})

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.full_name == "Người Thứ Nhất" and second.full_name == "Đổi Tên"


def test_the_page_refuses_another_persons_cccd(client):
    UserFactory(**MAN_1995)
    client.force_login(UserFactory())

    response = client.post(PROFILE, {"id_number": "046095012345", "birth_date": "01/06/1995"})

    assert "Another account already uses this CCCD number." in response.content.decode()
