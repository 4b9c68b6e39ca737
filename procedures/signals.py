"""Any change to catalogue data makes cached catalogue answers stale."""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from procedures import cache
from procedures.models import (
    Agency,
    DiscountRule,
    ExemptGroup,
    FeeCategory,
    FeeItem,
    FormField,
    Holiday,
    Procedure,
    ProcedureVersion,
    RequiredDocument,
    Sector,
)

_CATALOGUE_MODELS = [
    Agency,
    Sector,
    Procedure,
    ProcedureVersion,
    FormField,
    RequiredDocument,
    FeeItem,
    FeeCategory,
    ExemptGroup,
    DiscountRule,
    Holiday,
]


def _bump(**kwargs) -> None:
    # Now, so the editing request and tests see the change at once; and again after commit, so
    # an answer another request built from the old rows in between is not taken as current.
    cache.bump_generation()
    transaction.on_commit(cache.bump_generation)


for _model in _CATALOGUE_MODELS:
    post_save.connect(_bump, sender=_model, dispatch_uid=f"catalogue-save-{_model.__name__}")
    post_delete.connect(_bump, sender=_model, dispatch_uid=f"catalogue-delete-{_model.__name__}")
for _through in (
    FeeItem.exempt_groups.through,
    DiscountRule.categories.through,
    DiscountRule.procedures.through,
):
    m2m_changed.connect(_bump, sender=_through, dispatch_uid=f"catalogue-m2m-{_through.__name__}")
