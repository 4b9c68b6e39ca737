"""The fee quote: gross, discount, net and the rule, per channel and date."""

import datetime as dt

import pytest

from procedures.constants import Channel
from procedures.fees import fee_quote
from procedures.tests.factories import (
    DiscountRuleFactory,
    ExemptGroupFactory,
    FeeCategoryFactory,
    FeeItemFactory,
    ProcedureFactory,
)

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 11, 23)


@pytest.fixture
def civil_status():
    return FeeCategoryFactory(code="civil_status", name="Lệ phí hộ tịch")


@pytest.fixture
def resolution_18(civil_status):
    return DiscountRuleFactory(categories=[civil_status])


def test_online_discount_applies_to_targeted_category(civil_status, resolution_18):
    procedure = ProcedureFactory()
    FeeItemFactory(procedure=procedure, category=civil_status, amount=15_000)

    counter = fee_quote(procedure=procedure, channel=Channel.COUNTER, on_date=DAY)
    online = fee_quote(procedure=procedure, channel=Channel.ONLINE, on_date=DAY)

    assert (counter.gross, counter.discount, counter.net, counter.rule) == (15_000, 0, 15_000, None)
    assert (online.gross, online.discount, online.net) == (15_000, 6_000, 9_000)
    assert online.rule.percent == 40
    assert "18/2023" in online.rule.legal_basis


def test_discount_does_not_touch_other_categories(resolution_18):
    procedure = ProcedureFactory()
    FeeItemFactory(
        procedure=procedure, category=FeeCategoryFactory(code="judicial_record"), amount=200_000
    )

    online = fee_quote(procedure=procedure, channel=Channel.ONLINE, on_date=DAY)

    assert online.net == 200_000
    assert online.rule is None


def test_discount_applies_to_a_procedure_named_in_the_rule():
    procedure = ProcedureFactory()
    FeeItemFactory(procedure=procedure, amount=50_000)
    DiscountRuleFactory(percent=50, procedures=[procedure])

    assert fee_quote(procedure=procedure, channel=Channel.ONLINE, on_date=DAY).net == 25_000


def test_discount_respects_its_validity_period(civil_status, resolution_18):
    procedure = ProcedureFactory()
    FeeItemFactory(procedure=procedure, category=civil_status, amount=100_000)

    before = fee_quote(procedure=procedure, channel=Channel.ONLINE, on_date=dt.date(2023, 8, 31))
    first_day = fee_quote(procedure=procedure, channel=Channel.ONLINE, on_date=dt.date(2023, 9, 1))

    assert before.net == 100_000
    assert first_day.net == 60_000


def test_inactive_rule_is_ignored(civil_status):
    DiscountRuleFactory(categories=[civil_status], inactive=True)
    procedure = ProcedureFactory()
    FeeItemFactory(procedure=procedure, category=civil_status, amount=100_000)

    assert fee_quote(procedure=procedure, channel=Channel.ONLINE, on_date=DAY).net == 100_000


def test_schedule_online_amount_is_used_online_only():
    # Circular 75/2022: permanent residence 20,000 at the counter, 10,000 online.
    procedure = ProcedureFactory()
    FeeItemFactory(procedure=procedure, amount=20_000, online_amount=10_000)

    assert fee_quote(procedure=procedure, channel=Channel.COUNTER, on_date=DAY).net == 20_000
    online = fee_quote(procedure=procedure, channel=Channel.ONLINE, on_date=DAY)
    assert (online.discount, online.net) == (10_000, 10_000)
    assert online.rule.percent is None


def test_the_larger_reduction_wins_and_never_stacks(civil_status, resolution_18):
    # 40% of 20,000 is 8,000; the schedule's online price saves 10,000: the citizen gets 10,000.
    procedure = ProcedureFactory()
    FeeItemFactory(procedure=procedure, category=civil_status, amount=20_000, online_amount=10_000)

    assert fee_quote(procedure=procedure, channel=Channel.ONLINE, on_date=DAY).net == 10_000


def test_expired_fee_items_are_left_out():
    procedure = ProcedureFactory()
    FeeItemFactory(procedure=procedure, amount=30_000, expired=True)
    FeeItemFactory(procedure=procedure, amount=40_000, valid_from=dt.date(2022, 1, 1))

    assert fee_quote(procedure=procedure, channel=Channel.COUNTER, on_date=DAY).gross == 40_000


def test_exempt_group_pays_nothing_with_the_reason():
    poor = ExemptGroupFactory(code="ho-ngheo", name="Hộ nghèo")
    procedure = ProcedureFactory()
    item = FeeItemFactory(procedure=procedure, amount=15_000)
    item.exempt_groups.add(poor)

    quote = fee_quote(
        procedure=procedure, channel=Channel.COUNTER, on_date=DAY, exempt_groups=["ho-ngheo"]
    )

    assert quote.net == 0
    assert "Hộ nghèo" in quote.lines[0].rule.name


def test_quantities_multiply_the_unit_amount(civil_status, resolution_18):
    procedure = ProcedureFactory()
    FeeItemFactory(
        procedure=procedure, code="copy", category=civil_status, amount=8_000, unit="bản"
    )

    quote = fee_quote(
        procedure=procedure, channel=Channel.ONLINE, on_date=DAY, quantities={"copy": 3}
    )

    assert (quote.gross, quote.discount, quote.net) == (24_000, 9_600, 14_400)


def test_free_procedure_quotes_zero():
    quote = fee_quote(procedure=ProcedureFactory(), channel=Channel.ONLINE, on_date=DAY)

    assert (quote.gross, quote.net, quote.lines) == (0, 0, [])


def test_quote_serialises_to_plain_json(civil_status, resolution_18):
    procedure = ProcedureFactory()
    FeeItemFactory(procedure=procedure, category=civil_status, amount=15_000)

    data = fee_quote(procedure=procedure, channel=Channel.ONLINE, on_date=DAY).as_dict()

    assert data["gross"] == 15_000 and data["net"] == 9_000 and data["discount"] == 6_000
    assert data["rule"]["percent"] == 40
    assert data["items"][0]["rule"]["name"].startswith("Nghị quyết 18/2023")
