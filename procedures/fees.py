"""The fee quote: what a procedure costs for a channel on a date, with the rule that lowered it.

Quotes are computed, never stored here; a dossier stores the quote it got at submission.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from procedures.constants import Channel
from procedures.models import DiscountRule, FeeItem, Procedure


@dataclass(frozen=True)
class AppliedRule:
    """What reduced a line: a discount rule, the schedule's online price or an exemption."""

    name: str
    legal_basis: str
    percent: int | None


@dataclass(frozen=True)
class QuoteLine:
    code: str
    name: str
    category: str
    unit: str
    quantity: int
    unit_amount: int
    gross: int
    discount: int
    net: int
    rule: AppliedRule | None = None


@dataclass(frozen=True)
class FeeQuote:
    """Items, gross, discount and net in whole VND; ``rule``: the main reduction, if any."""

    procedure: str
    channel: int
    on_date: dt.date
    lines: list[QuoteLine] = field(default_factory=list)

    @property
    def gross(self) -> int:
        return sum(line.gross for line in self.lines)

    @property
    def discount(self) -> int:
        return sum(line.discount for line in self.lines)

    @property
    def net(self) -> int:
        return self.gross - self.discount

    @property
    def rule(self) -> AppliedRule | None:
        """The reduction that saved the most, so one rule can be named on a receipt."""
        reduced = [line for line in self.lines if line.rule and line.discount]
        if not reduced:
            return None
        return max(reduced, key=lambda line: line.discount).rule

    def as_dict(self) -> dict:
        rule = self.rule
        return {
            "procedure": self.procedure,
            "channel": self.channel,
            "on_date": self.on_date.isoformat(),
            "items": [asdict(line) for line in self.lines],
            "gross": self.gross,
            "discount": self.discount,
            "net": self.net,
            "rule": asdict(rule) if rule else None,
        }


def active_discount_rules(on_date: dt.date) -> list[DiscountRule]:
    """Discount rules in force on a date, with what they target loaded (two queries)."""
    return list(
        DiscountRule.objects.filter(active=True, valid_from__lte=on_date)
        .exclude(valid_to__lt=on_date)
        .prefetch_related(
            "categories", Prefetch("procedures", queryset=Procedure.objects.only("id"))
        )
    )


def cached_discount_rules(on_date: dt.date) -> list[DiscountRule]:
    """``active_discount_rules`` from the catalogue cache: any edit of a rule bumps the catalogue
    generation, so a quote never uses a rule that was changed or withdrawn."""
    from procedures import cache

    return cache.remember(
        f"discount-rules:{on_date.isoformat()}", lambda: active_discount_rules(on_date)
    )


def _percent_off(amount: int, percent: int) -> int:
    # Round the reduction to the nearest đồng, halves up: 40% of 15,000 is 6,000.
    return (amount * percent + 50) // 100


def _quote_line(
    *,
    item: FeeItem,
    procedure: Procedure,
    channel: int,
    on_date: dt.date,
    rules: Iterable[DiscountRule],
    exempt_groups: set[str],
    quantity: int,
) -> QuoteLine:
    gross = item.amount * quantity
    exempt = sorted(g.name for g in item.exempt_groups.all() if g.code in exempt_groups)
    if exempt:
        rule = AppliedRule(
            name=_("Exempt: %(groups)s") % {"groups": ", ".join(exempt)},
            legal_basis=item.legal_basis,
            percent=100,
        )
        return _line(item, quantity, gross, gross, rule)

    # Candidates are (discount, rule); the citizen gets the largest, never two stacked.
    candidates: list[tuple[int, AppliedRule]] = []
    if channel == Channel.ONLINE and item.online_amount is not None:
        candidates.append(
            (
                (item.amount - item.online_amount) * quantity,
                AppliedRule(
                    name=_("Online amount set by the fee schedule"),
                    legal_basis=item.legal_basis,
                    percent=None,
                ),
            )
        )
    for discount_rule in rules:
        if discount_rule.channel != channel or not discount_rule.is_valid_on(on_date):
            continue
        targets_item = any(c.pk == item.category_id for c in discount_rule.categories.all()) or any(
            p.pk == procedure.pk for p in discount_rule.procedures.all()
        )
        if targets_item:
            candidates.append(
                (
                    _percent_off(gross, discount_rule.percent),
                    AppliedRule(
                        name=discount_rule.name,
                        legal_basis=discount_rule.legal_basis,
                        percent=discount_rule.percent,
                    ),
                )
            )
    if not candidates:
        return _line(item, quantity, gross, 0, None)
    discount, rule = max(candidates, key=lambda c: c[0])
    return _line(item, quantity, gross, discount, rule if discount else None)


def _line(item: FeeItem, quantity: int, gross: int, discount: int, rule) -> QuoteLine:
    return QuoteLine(
        code=item.code,
        name=item.display_name,
        category=item.category.code,
        unit=item.unit,
        quantity=quantity,
        unit_amount=item.amount,
        gross=gross,
        discount=discount,
        net=gross - discount,
        rule=rule,
    )


def fee_quote(
    *,
    procedure: Procedure,
    channel: int,
    on_date: dt.date,
    exempt_groups: Iterable[str] = (),
    quantities: Mapping[str, int] | None = None,
    rules: Iterable[DiscountRule] | None = None,
) -> FeeQuote:
    """Quote ``procedure`` for a filing ``channel`` on ``on_date``.

    Only fee items valid on that date count. ``exempt_groups`` are the applicant's group codes;
    ``quantities`` maps fee item codes to counts (copies, pages), 1 by default. Pass ``rules``
    (from ``active_discount_rules``) and prefetch ``fee_items__category`` and
    ``fee_items__exempt_groups`` to quote many procedures with a constant number of queries.
    """
    if rules is None:
        rules = cached_discount_rules(on_date)
    quantities = quantities or {}
    groups = set(exempt_groups)
    lines = [
        _quote_line(
            item=item,
            procedure=procedure,
            channel=channel,
            on_date=on_date,
            rules=rules,
            exempt_groups=groups,
            quantity=max(1, int(quantities.get(item.code, 1))),
        )
        for item in procedure.fee_items.all()
        if item.is_valid_on(on_date)
    ]
    return FeeQuote(procedure=procedure.code, channel=channel, on_date=on_date, lines=lines)
