"""One function per action, used by pages and API alike. Officers arrive with issue 4."""

from __future__ import annotations

from dossiers.constants import EDITABLE, WITHDRAWABLE, Status
from dossiers.models import Dossier, StoredDocument


def _owner(user, dossier: Dossier) -> bool:
    return bool(user and user.is_authenticated and dossier.applicant_id == user.pk)


def can_view_dossier(user, dossier: Dossier) -> bool:
    return _owner(user, dossier)


def can_edit_dossier(user, dossier: Dossier) -> bool:
    return _owner(user, dossier) and dossier.status in EDITABLE


def can_submit_dossier(user, dossier: Dossier) -> bool:
    return _owner(user, dossier) and dossier.status == Status.DRAFT


def can_delete_dossier(user, dossier: Dossier) -> bool:
    return _owner(user, dossier) and dossier.status == Status.DRAFT


def can_withdraw_dossier(user, dossier: Dossier) -> bool:
    return _owner(user, dossier) and dossier.status in WITHDRAWABLE


def can_answer_supplement(user, dossier: Dossier) -> bool:
    return _owner(user, dossier) and dossier.status == Status.SUPPLEMENT


def can_view_stored_document(user, stored: StoredDocument) -> bool:
    """The owner sees own documents; deleted ones only through the dossiers that use them."""
    return bool(user and user.is_authenticated and stored.owner_id == user.pk)
